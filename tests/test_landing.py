"""Bad landing input is rejected with file and reason; everything else still loads."""

from __future__ import annotations

import os

import pytest

from assets import landing as landing_folder
from assets import reading
from assets.extract import kpi_csv
from tests.conftest import copy_sample, failures

GOOD_META = """issuer_id: ACME
issuer_name: Acme Materials Ltd
exchange: HKEX
fiscal_year: 2024
period_start: 2024-01-01
period_end: 2024-12-31
"""
OBJECT_TAG = "x: !!python/object/apply:os.system ['true']\n"  # must never be executed
GOOD_CSV = 'label,unit,year,value,source_line\nElectricity,kWh,2024,"5,000",12\n'


def _loaded(con) -> set[str]:
    return {d for (d,) in con.execute("SELECT DISTINCT issuer_id FROM mart.esg_facts").fetchall()}


@pytest.mark.parametrize(
    ("files", "rule"),
    [
        ({"acme.csv": GOOD_CSV}, "metadata_missing"),
        ({"acme.yaml": GOOD_META}, "document_missing"),
        ({"acme.csv": GOOD_CSV, "acme.yaml": GOOD_META.replace("2024\n", "twenty\n", 1)},
         "metadata_field"),
        ({"acme.csv": GOOD_CSV, "acme.yaml": "issuer_id: ACME\n"}, "metadata_field"),
        ({"acme.csv": GOOD_CSV, "acme.yaml": GOOD_META + OBJECT_TAG},
         "metadata_yaml"),
        ({"acme.txt": b"\x00\x01binary", "acme.yaml": GOOD_META}, "binary_file"),
        ({"acme.txt": "caf\xe9 latin-1".encode("latin-1"), "acme.yaml": GOOD_META}, "encoding"),
        ({"acme.txt": "", "acme.yaml": GOOD_META}, "empty_file"),
        ({"acme.csv": GOOD_CSV, "acme.yaml": GOOD_META + "source_document: ../../etc/passwd\n"},
         "metadata_field"),
    ],
    ids=["no-yaml", "no-document", "year-not-int", "missing-fields", "yaml-object-tag", "binary",
         "not-utf8", "empty", "path-in-metadata"],
)  # fmt: skip
def test_bad_report_is_rejected_and_others_load(tmp_path, build, files, rule):
    landing = copy_sample(tmp_path / "landing")
    for name, content in files.items():
        path = landing / name
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    con = build(landing)
    errors = con.execute("SELECT document, rule, message FROM raw.load_errors").fetchall()
    assert [(doc, r) for doc, r, _ in errors] == [(sorted(files)[0], rule)]
    status = con.execute(
        "SELECT status FROM raw.report_documents WHERE document LIKE 'acme.%'"
    ).fetchall()
    assert status == [("rejected",)]
    assert _loaded(con) == {"NRE", "REMT"}


def test_oversized_file_is_rejected_unread(tmp_path, build, monkeypatch):
    monkeypatch.setenv("ESG_MAX_DOCUMENT_BYTES", "1000")
    landing = copy_sample(tmp_path / "landing")
    (landing / "acme.csv").write_text(GOOD_CSV + "x" * 2000)
    (landing / "acme.yaml").write_text(GOOD_META)
    con = build(landing)
    rules = {r for (r,) in con.execute("SELECT rule FROM raw.load_errors").fetchall()}
    assert rules == {"file_too_large"}  # the sample files are over 1000 bytes too
    assert con.execute("SELECT sha256 FROM raw.report_documents").fetchall() == [(None,)] * 3


def test_bad_csv_row_names_its_line_and_rule_and_keeps_the_rest(tmp_path, build):
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "acme.yaml").write_text(GOOD_META)
    (landing / "acme.csv").write_text(GOOD_CSV + "Coal,tonnes,2024,lots,13\n")
    con = build(landing)
    assert con.execute("SELECT document, line_number, rule FROM raw.load_errors").fetchall() == [
        ("acme.csv", 3, "csv_value")
    ]
    assert con.execute("SELECT metric_id, value FROM core.facts").fetchall() == [
        ("energy.electricity", 5.0)
    ]
    # the row gave no value: it is withheld alone (the analyst's to-do list names it), and the
    # issuer-year's other facts publish
    assert con.execute("FROM mart.withheld_issuer_years").fetchall() == []
    assert con.execute(
        """SELECT issuer_id, fiscal_year, metric_id, source_document, source_line, is_fact,
                  check_name FROM mart.withheld_facts"""
    ).fetchall() == [("ACME", 2024, None, "acme.csv", 3, False, "rows_readable")]
    assert con.execute("SELECT metric_id FROM mart.esg_facts").fetchall() == [
        ("energy.electricity",)
    ]


ACME_MD = """# Acme Materials Ltd: ESG Report 2024

## Resource use

| Indicator | Unit | 2024 | 2023 |
|:--|:--|--:|--:|
| Purchased electricity | MWh | 1,850 | 1,790 |
| Water | m³ | 12,400 | N/A |

## Waste (tonnes)

Type\t2024
Hazardous waste\t3.5

At year end the company had a total of 215 employees.
"""


def test_markdown_report_loads_with_provenance(tmp_path, build):
    """NAME.md (a markdown pipe table, a tab table, a sentence) + NAME.yaml: every value
    reaches the mart with the document and line it was printed on."""
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "acme.md").write_text(ACME_MD)
    (landing / "acme.yaml").write_text(GOOD_META)
    con = build(landing)
    assert con.execute(
        "SELECT document, format, status, source_document FROM raw.report_documents"
    ).fetchall() == [("acme.md", "md", "loaded", "acme.md")]
    facts = con.execute(
        """SELECT fiscal_year, metric_id, value, unit, source_document, source_line
           FROM mart.esg_facts WHERE issuer_id = 'ACME' ORDER BY source_line, fiscal_year"""
    ).fetchall()
    assert facts == [
        (2023, "energy.electricity", 1790.0, "MWh", "acme.md", 7),
        (2024, "energy.electricity", 1850.0, "MWh", "acme.md", 7),
        (2024, "water.consumption", 12400.0, "m³", "acme.md", 8),  # 2023 is N/A: no fact
        (2024, "waste.hazardous", 3.5, "t", "acme.md", 13),
        (2024, "workforce.employees", 215.0, "persons", "acme.md", 15),
    ]
    lines = ACME_MD.splitlines()
    raw = con.execute(
        """SELECT line_number, extractor, year, value_text, not_reported, raw_text
           FROM raw.reported_values WHERE line_number IN (8, 13) ORDER BY ALL"""
    ).fetchall()
    assert raw == [
        (8, "grid", 2023, "N/A", True, lines[7]),
        (8, "grid", 2024, "12400", False, lines[7]),  # grid: digits as read
        (13, "tab_table", 2024, "3.5", False, lines[12]),
    ]
    assert con.execute("FROM core.unmapped_values").fetchall() == []


NOT_UTF8_NAME = "acme\\xff.csv: the file name is not UTF-8"


def test_a_file_name_that_is_not_utf8_rejects_only_its_report(tmp_path, build):
    """A name whose bytes are not UTF-8 (Python keeps them as surrogates, which DuckDB and JSON
    refuse) used to fail the whole run and every sensor tick. Its report is now rejected,
    named with the bytes shown as \\xNN; the others load."""
    landing = copy_sample(tmp_path / "landing")
    for suffix, content in ((b".csv", GOOD_CSV), (b".yaml", GOOD_META)):
        (landing / os.fsdecode(b"acme\xff" + suffix)).write_text(content)
    assert "acme\\xff" in landing_folder.fingerprints(landing, 10**6)
    con = build(landing)
    assert con.execute(
        "SELECT report, document, status, error FROM raw.report_documents WHERE status <> 'loaded'"
    ).fetchall() == [
        (
            "acme\\xff",
            "acme\\xff.csv",
            "rejected",
            "file_name: acme\\xff.csv: the file name is not UTF-8",
        )
    ]
    issuers = con.execute("SELECT DISTINCT issuer_id FROM mart.esg_facts ORDER BY 1").fetchall()
    assert issuers == [("NRE",), ("REMT",)]


@pytest.mark.parametrize("linked", ["acme.csv", "acme.yaml"])
def test_a_symlinked_file_is_rejected_unread(tmp_path, linked):
    """Only regular files directly in the landing folder are read: a link (to a file outside
    it, here) rejects its report with `unsafe_path` and is never followed."""
    landing = copy_sample(tmp_path / "landing")
    outside = tmp_path / "outside"
    outside.mkdir()
    files = {"acme.csv": GOOD_CSV, "acme.yaml": GOOD_META}
    for name, content in files.items():
        (outside if name == linked else landing).joinpath(name).write_text(content)
    (landing / linked).symlink_to(outside / linked)
    reports = {r.name: r for r in landing_folder.scan(landing)}
    assert reports["acme"].problems == [("unsafe_path", f"{linked} is a link or not a plain file")]
    assert all(not r.problems for name, r in reports.items() if name != "acme")


def test_fingerprints_see_edits_and_read_unchanged_files_once(tmp_path, monkeypatch):
    """A report's fingerprint changes when a file's content does, even when an edit keeps
    the size and puts the modification time back (as `cp -p` or `touch -r` do): every write
    moves the file's change time. A file whose stat is unchanged is not read again in the
    same process."""
    folder = tmp_path / "landing"
    folder.mkdir()
    (folder / "acme.csv").write_text(GOOD_CSV)
    (folder / "acme.yaml").write_text(GOOD_META)
    first = landing_folder.fingerprints(folder, 10**6)
    assert landing_folder.fingerprints(folder, 10**6) == first

    doc = folder / "acme.csv"
    before = doc.stat()
    doc.write_text(GOOD_CSV.replace("5,000", "5,001"))  # same size
    os.utime(doc, ns=(before.st_atime_ns, before.st_mtime_ns))  # times as before
    edited = landing_folder.fingerprints(folder, 10**6)
    assert edited != first

    # Unchanged files are taken from the per-process memory of their hashes, not read:
    # what it remembers is what the fingerprint is made of.
    remembered = dict.fromkeys(landing_folder._file_digests, "remembered")
    monkeypatch.setattr(landing_folder, "_file_digests", remembered)
    assert landing_folder.fingerprints(folder, 10**6) not in (first, edited)


def test_fingerprints_never_follow_a_link(tmp_path):
    """A link in the landing folder (its report is rejected as unsafe_path) is fingerprinted
    by its own stat: the file it points to is never read, so changing it changes nothing."""
    folder, outside = tmp_path / "landing", tmp_path / "outside.csv"
    folder.mkdir()
    outside.write_text(GOOD_CSV)
    (folder / "acme.yaml").write_text(GOOD_META)
    (folder / "acme.csv").symlink_to(outside)
    first = landing_folder.fingerprints(folder, 10**6)
    outside.write_text(GOOD_CSV.replace("5,000", "6,000"))
    assert landing_folder.fingerprints(folder, 10**6) == first


@pytest.mark.parametrize("kind", ["link", "fifo"])
def test_a_file_swapped_after_the_scan_is_rejected_not_followed(tmp_path, kind):
    """The scan saw a plain file; by the time it is read it is a link to a file outside the
    folder, or a FIFO that would block a reader forever. Reading checks the open file itself:
    the report is rejected as unsafe_path, nothing is followed or waited on."""
    folder = tmp_path / "landing"
    folder.mkdir()
    outside = tmp_path / "outside.csv"
    outside.write_text(GOOD_CSV)
    (folder / "acme.csv").write_text(GOOD_CSV)
    (folder / "acme.yaml").write_text(GOOD_META)
    (report,) = landing_folder.scan(folder)
    assert report.problems == []
    report.document.unlink()
    if kind == "link":
        report.document.symlink_to(outside)
    else:
        os.mkfifo(report.document)
    with pytest.raises(landing_folder.RejectedReport) as rejected:
        landing_folder.read_document(report.document, 10**6)
    assert rejected.value.rule == "unsafe_path"


def _meta(tmp_path, text: str):
    path = tmp_path / "acme.yaml"
    path.write_text(text)
    return landing_folder.read_metadata(path, 1 << 20)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (GOOD_META + "fiscal_year: 2023\n", "key fiscal_year is given twice"),
        (GOOD_META.replace("2024-01-01", "2024-02-30"), "day is out of range"),
        (GOOD_META.replace("fiscal_year: 2024", "fiscal_year: 2099"),
         "fiscal_year 2099 is neither the year the period starts"),
        (GOOD_META.replace("issuer_id: ACME", "issuer_id: [ACME, X]"), "must be single values"),
        (GOOD_META.replace("issuer_id: ACME", "issuer_id: ' acme '"), "is not a code"),
        (GOOD_META.replace("issuer_id: ACME", 'issuer_id: "AC\\tME"'), "is not a code"),
        # nested aliases: a few hundred bytes that expand to gigabytes once made text
        ("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
         "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
         + GOOD_META.replace("issuer_name: Acme Materials Ltd", "issuer_name: [*c, *c, *c]"),
         "must be single values"),
    ],
    ids=["duplicate-key", "impossible-date", "year-outside-period", "list-issuer",
         "lower-case-issuer", "tab-in-issuer", "alias-bomb"],
)  # fmt: skip
def test_metadata_that_would_mislead_is_rejected_with_the_reason(tmp_path, text, says):
    """Each of these was once accepted (or crashed the whole run): the last of two
    fiscal_year keys won, 2099 was published for a 2024 period, ' acme ' became a second
    issuer beside ACME, and a list became the issuer id '['ACME', 'X']'."""
    with pytest.raises(landing_folder.RejectedReport, match=says) as caught:
        _meta(tmp_path, text)
    assert caught.value.rule in {"metadata_yaml", "metadata_field"}


def test_a_split_fiscal_year_may_be_named_by_either_calendar_year(tmp_path):
    april = GOOD_META.replace("2024-01-01", "2024-04-01").replace("2024-12-31", "2025-03-31")
    assert _meta(tmp_path, april)["fiscal_year"] == 2024
    assert (
        _meta(tmp_path, april.replace("fiscal_year: 2024", "fiscal_year: 2025"))["fiscal_year"]
        == 2025
    )


def test_a_utf16_document_is_read_as_text(tmp_path):
    path = tmp_path / "acme.txt"
    path.write_bytes("Electricity\tMWh\t1,850\n".encode("utf-16"))  # with its byte-order mark
    text, _, _ = landing_folder.read_document(path, 1 << 20)
    assert text == "Electricity\tMWh\t1,850\n"


def test_a_report_that_fails_unexpectedly_is_rejected_alone(tmp_path, monkeypatch):
    """Whatever goes wrong reading one report rejects that report, named, and nothing else."""
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "acme.yaml").write_text(GOOD_META)
    (landing / "acme.csv").write_text(GOOD_CSV)

    def broken(*args):
        raise RuntimeError("surprise")

    monkeypatch.setattr(reading.document, "extract", broken)
    (report,) = landing_folder.scan(landing)
    row, values, _, errors = reading._load_report(report, 1 << 20)
    assert (row["status"], values) == ("rejected", [])
    assert [(e["document"], e["rule"]) for e in errors] == [("acme.csv", "unreadable")]
    assert "acme.csv could not be read: RuntimeError: surprise" in errors[0]["message"]


def test_a_document_landed_twice_is_named_and_its_issuer_year_withheld(tmp_path, build):
    """A copy under another name would double every derived total of its issuer-year."""
    landing = copy_sample(tmp_path / "landing")
    for suffix in ("csv", "yaml"):
        original = (landing / f"remt-2024-esg-report.{suffix}").read_bytes()
        (landing / f"remt-copy.{suffix}").write_bytes(original)
    con = build(landing)
    ((_, issuer, year, _, _, message),) = failures(con, "documents_distinct")
    assert (issuer, year) == ("REMT", 2024)
    assert message.startswith("remt-copy.csv is the same file as remt-2024-esg-report.csv")
    assert _loaded(con) == {"NRE"}
    # another table of the same report (metadata naming the same source document)
    (landing / "remt-copy.csv").write_text(GOOD_CSV)
    con = build(landing)
    ((_, issuer, year, _, _, message),) = failures(con, "documents_distinct")
    assert message == (
        "remt-copy.csv names the same source document remt-2024-esg-report.txt as"
        " remt-2024-esg-report.csv: remove one"
    )


def test_csv_rows_out_of_range_are_named_and_the_rest_kept():
    """Each of these once failed the whole run (INT32 overflow, inf, the csv module's errors)."""
    text = (
        "label,unit,year,value,source_line\n"
        "Coal,t,2024,5,3\n"
        "Coal,t,2024,6,99999999999\n"
        "Coal,t,99999999999,6,4\n"
        f"Coal,t,2024,{'1' * 400},5\n"
        "Coal,t,2024,7,6\r"  # a bare CR ends a line
        "Coal,t,2024,8,7\n"
        f'"{"x" * 200_000}",t,2024,9,8\n'  # over the csv module's field limit
        "Coal,t,2024,10,9\n"
    )
    values, errors = kpi_csv.read(text)
    assert [(v.line_number, v.value) for v in values] == [(3, 5.0), (6, 7.0), (7, 8.0)]
    assert [(e.line_number, e.rule) for e in errors] == [
        (3, "csv_integer"), (4, "csv_integer"), (5, "csv_value"), (8, "csv_format")
    ]  # fmt: skip
    assert "99999999999" in errors[0].message and "out of range" in errors[2].message


def test_codes_with_a_leading_zero_stay_codes(tmp_path):
    """YAML 1.1 reads 00601 as the octal 385: a HKEX ticker or issuer id became another."""
    meta = _meta(tmp_path, GOOD_META.replace("issuer_id: ACME", "issuer_id: 00601\nticker: 00601"))
    assert (meta["issuer_id"], meta["ticker"], meta["fiscal_year"]) == ("00601", "00601", 2024)
