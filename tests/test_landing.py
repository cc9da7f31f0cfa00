"""Bad landing input is rejected with file and reason; everything else still loads."""

from __future__ import annotations

import pytest

from tests.conftest import copy_sample

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
    # the issuer-year is incomplete, so it is withheld from the mart, with the reason
    assert con.execute(
        "SELECT issuer_id, fiscal_year, failed_checks FROM mart.withheld_issuer_years"
    ).fetchall() == [("ACME", 2024, "rows_readable")]
