"""PDF reports: words and lines from the text layer, bad PDFs rejected alone, parsed once, and
every value's page and row box carried to the mart. PDFs are written by the tests (reportlab)."""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from PIL import Image

from assets import evidence, landing, pdf_reports, reading
from assets.extract import pdf
from orchestration import evidence as evidence_cli
from orchestration.settings import REPO_ROOT
from tests import pdf_fixtures as fx
from tests.conftest import run_pipeline

# The development corpus: ../shared/corpus beside the clone, or $CORPUS (as `make eval` takes).
CORPUS = Path(os.environ.get("CORPUS") or REPO_ROOT.parent / "shared" / "corpus")
needs_corpus = pytest.mark.skipif(
    not (CORPUS / "landing").is_dir(), reason="../shared/corpus is not beside this clone"
)


def lines_of(pages: list[fx.Page], **kw) -> list:
    return pdf.parse(fx.pdf_bytes(pages, **kw), "t.pdf", 100).document().lines


def line_with(lines: list, word: str):
    return next(line for line in lines if word in [t.text for t in line.tokens])


def token(line, text: str):
    return next(t for t in line.tokens if t.text == text)


# --- words and lines -----------------------------------------------------------------------


def test_multi_year_table_keeps_each_value_under_its_year():
    lines = lines_of([fx.multi_year_page()])
    header = line_with(lines, "Indicator")
    assert [t.text for t in header.tokens] == ["Indicator", "Unit", *fx.YEARS]
    scope1 = line_with(lines, "Scope")
    assert [t.text for t in scope1.tokens][-3:] == fx.SCOPE1
    for year, value in zip(fx.YEARS, fx.SCOPE1, strict=True):  # right-aligned cells
        assert token(scope1, value).x1 == pytest.approx(token(header, year).x1, abs=0.5)
    assert scope1.page == 1 and scope1.top < scope1.bottom
    assert scope1.top == pytest.approx(140 - 10 * 0.95, abs=1.5)  # the baseline at 140 pt
    numbers = [line.number for line in lines]
    assert numbers == list(range(1, len(lines) + 1))  # reading order, top to bottom


def test_side_by_side_tables_share_a_line_and_keep_the_gap():
    lines = lines_of([fx.side_by_side_page()])
    row = line_with(lines, "Landfill")
    assert [t.text for t in row.tokens] == [
        "Landfill", "(t)", "310", "287", "Employees", "1,480", "1,512"
    ]  # fmt: skip
    gaps = [b.x0 - a.x1 for a, b in zip(row.tokens, row.tokens[1:], strict=False)]
    assert max(gaps) == gaps[3]  # the widest gap is between the two tables
    assert token(row, "Employees").x0 == pytest.approx(340, abs=0.1)


def test_wrapped_label_lines_stay_in_order_above_the_values():
    lines = lines_of([fx.wrapped_label_page()])
    first = line_with(lines, "company-owned")
    second = line_with(lines, "fleet")
    assert second.number == first.number + 1
    assert [t.text for t in second.tokens][-2:] == ["2,716", "2,488"]
    assert first.bottom <= second.bottom


def test_a_footnote_mark_stays_on_its_line_and_fake_bold_is_read_once():
    page = fx.Page(
        [
            *fx.row(100, "Diesel (litres)", ["5,120", "4,870", "4,410"]),
            fx.Text(501, 96, "2", size=6),  # raised mark after the last value
            fx.Text(50, 140, "Bold heading"),
            fx.Text(50.3, 140, "Bold heading"),  # printed twice, offset: fake bold
        ]
    )
    lines = lines_of([page])
    assert len(lines) == 2
    assert lines[0].tokens[-1].text == "2" and lines[0].tokens[-2].text == "4,410"
    assert lines[1].text == "Bold heading"


def test_two_lines_of_small_print_beside_a_tall_heading_stay_two_lines():
    tall = fx.Text(50, 130, "Big", size=30)
    page = fx.Page([tall, fx.Text(300, 118, "first small"), fx.Text(300, 128, "second small")])
    assert [line.text for line in lines_of([page])] == ["Big first small", "second small"]


def test_letters_printed_far_apart_are_separate_words():
    """A word whose box is wider than its characters can print is cut at the gaps."""
    page = fx.Page([fx.Text(100, 100, "7 4 1", size=10), fx.Text(400, 100, "ok")])
    data = fx.pdf_bytes([page]).replace(b"(7 4 1) Tj", b"40 Tc (741) Tj 0 Tc")
    assert b"40 Tc" in data
    line = pdf.parse(data, "t.pdf", 10).document().lines[0]
    assert [t.text for t in line.tokens] == ["7", "4", "1", "ok"]
    assert token(line, "4").x0 - token(line, "7").x1 > 30


def test_a_rotated_page_reads_as_displayed_and_its_boxes_match_the_picture():
    """Coordinates are the displayed page's: the row box covers the ink PDFium renders there."""
    import pypdfium2 as pdfium

    page = fx.Page([fx.Text(300, 500, "Scope 2 emissions 3,120", angle=90)], rotate=90)
    data = fx.pdf_bytes([page])
    (line,) = pdf.parse(data, "t.pdf", 10).document().lines
    assert line.text == "Scope 2 emissions 3,120"
    ink = np.asarray(pdfium.PdfDocument(data)[0].render(scale=1).to_pil().convert("L")) < 128
    ys, xs = np.nonzero(ink)
    assert line.x0 - 1 <= xs.min() and xs.max() <= line.x1 + 1
    assert line.top - 1 <= ys.min() and ys.max() <= line.bottom + 1


def test_vertical_words_belong_to_no_line():
    page = fx.Page([fx.Text(40, 400, "Tonnes", angle=90), fx.Text(100, 100, "Level row")])
    assert [line.text for line in lines_of([page])] == ["Level row"]


# --- bad PDFs ------------------------------------------------------------------------------


def rejection(data: bytes, max_pages: int = 100) -> tuple[str, str]:
    with pytest.raises(pdf.PdfError) as err:
        pdf.parse(data, "bad.pdf", max_pages)
    return err.value.rule, str(err.value)


def test_bad_pdfs_are_rejected_with_a_named_rule():
    good = fx.pdf_bytes([fx.multi_year_page()])
    assert rejection(b"Scope 1: 1,204 t\n") [0] == "not_a_pdf"  # fmt: skip
    assert rejection(good[: len(good) // 2]) [0] == "pdf_truncated"  # fmt: skip
    assert rejection(b"%PDF-1.7\n" + b"\x00garbage" * 200 + b"\n%%EOF\n")[0] == "pdf_corrupt"
    rule, message = rejection(fx.pdf_bytes([fx.multi_year_page()], password="s3cret"))
    assert rule == "pdf_encrypted" and "password" in message
    rule, message = rejection(fx.pdf_bytes([fx.Page(image=True), fx.Page(image=True)]))
    assert (rule, message) == ("pdf_no_text", "bad.pdf: no text layer; OCR is not supported")
    two = fx.pdf_bytes([fx.multi_year_page(), fx.wrapped_label_page()])
    assert rejection(two, max_pages=1)[0] == "pdf_too_many_pages"


def test_an_image_only_page_is_noted_and_the_rest_is_read():
    parsed = pdf.parse(fx.pdf_bytes([fx.multi_year_page(), fx.Page(image=True)]), "t.pdf", 10)
    assert parsed.image_pages == [2]
    assert set(parsed.page_sizes) == {1, 2}
    assert {line.page for line in parsed.document().lines} == {1}


# --- parsed once ---------------------------------------------------------------------------


def _forbid_parsing(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(pdf, "parse", refuse)


def test_a_pdf_is_parsed_once_and_again_only_when_its_content_changes(tmp_path, monkeypatch):
    cache = tmp_path / "pdf_cache"
    data = fx.pdf_bytes([fx.multi_year_page(), fx.Page(image=True)])
    first, hit = pdf_reports.parsed(data, "a" * 64, "r.pdf", cache, 10)
    assert not hit and pdf_reports.cache_file(cache, "a" * 64).is_file()
    with monkeypatch.context() as m:
        _forbid_parsing(m)
        again, hit = pdf_reports.parsed(data, "a" * 64, "r.pdf", cache, 10)
    assert hit and again.document().text == first.document().text
    assert again.page_sizes == first.page_sizes and again.image_pages == first.image_pages == [2]

    def boxes(parsed):  # every line's page and box, every word's x-span: the cache keeps them
        return [(ln.number, ln.page, ln.top, ln.bottom, [(t.text, t.x0, t.x1) for t in ln.tokens])
                for ln in parsed.document().lines]  # fmt: skip

    assert boxes(again) == boxes(first)
    edited = fx.pdf_bytes([fx.side_by_side_page()])
    other, hit = pdf_reports.parsed(edited, "b" * 64, "r.pdf", cache, 10)
    assert not hit and "Employees" in other.document().text
    monkeypatch.setattr(pdf, "PARSER_VERSION", pdf.PARSER_VERSION + 1)  # a changed parser
    assert not pdf_reports.parsed(data, "a" * 64, "r.pdf", cache, 10)[1]
    pdf_reports.cache_file(cache, "a" * 64).write_bytes(b"damaged")
    assert not pdf_reports.parsed(data, "a" * 64, "r.pdf", cache, 10)[1]


def test_a_rejection_is_remembered_under_the_files_current_name(tmp_path, monkeypatch):
    cache = tmp_path / "pdf_cache"
    scan = fx.pdf_bytes([fx.Page(image=True)])
    with pytest.raises(pdf.PdfError):
        pdf_reports.parsed(scan, "c" * 64, "old.pdf", cache, 10)
    _forbid_parsing(monkeypatch)
    with pytest.raises(pdf.PdfError) as err:
        pdf_reports.parsed(scan, "c" * 64, "new.pdf", cache, 10)
    assert err.value.rule == "pdf_no_text" and str(err.value).startswith("new.pdf:")


# --- landing, values and the mart ----------------------------------------------------------


def landing_with_pdfs(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    pages = [fx.multi_year_page(), fx.Page(image=True), fx.wrapped_label_page()]
    fx.write_pdf(folder / "fjl-2024.pdf", pages)
    bad = {
        "notpdf": b"Scope 1 emissions 1,204 tCO2e\n",
        "cut": fx.pdf_bytes(pages)[:-600],  # the end (xref, trailer, %%EOF) lost
        "locked": fx.pdf_bytes(pages, password="s3cret"),
        "scan": fx.pdf_bytes([fx.Page(image=True)]),
    }
    for stem, data in bad.items():
        (folder / f"{stem}.pdf").write_bytes(data)
    for k, stem in enumerate(["fjl-2024", *bad]):
        issuer = "FJL" if k == 0 else f"BAD{k}"
        (folder / f"{stem}.yaml").write_text(fx.META.replace("FJL", issuer))
    return folder


def test_pdfs_land_beside_texts_bad_ones_rejected_alone(tmp_path):
    folder = landing_with_pdfs(tmp_path / "landing")
    frames = reading.load_landing(folder, 10**8, pdf_cache=tmp_path / "cache")
    docs = frames["raw.report_documents"].to_pandas().set_index("report")
    assert docs.loc["fjl-2024", "status"] == "loaded" and docs.loc["fjl-2024", "format"] == "pdf"
    rules = {r: docs.loc[r, "error"].split(":")[0] for r in ["notpdf", "cut", "locked", "scan"]}
    assert rules == {"notpdf": "not_a_pdf", "cut": "pdf_truncated", "locked": "pdf_encrypted",
                     "scan": "pdf_no_text"}  # fmt: skip
    assert "no text layer; OCR is not supported" in docs.loc["scan", "error"]
    errors = frames["raw.load_errors"].to_pandas()
    page_note = errors[(errors.report == "fjl-2024") & (errors.rule == "pdf_page_without_text")]
    assert page_note.message.tolist() == [
        "fjl-2024.pdf page 2 prints only images: no text layer; OCR is not supported "
        "(its values are not read)"
    ]
    values = frames["raw.reported_values"].to_pandas()
    scope1 = values[values.value_text == fx.SCOPE1[-1]].iloc[0]
    assert scope1.page == 1 and scope1.year == 2024
    assert scope1.bbox_x0 == pytest.approx(50) and scope1.bbox_x1 == pytest.approx(500)
    assert scope1.bbox_top < 140 < scope1.bbox_bottom  # the row's baseline is at 140 pt
    fleet = values[values.value_text == "2,716"].iloc[0]
    assert fleet.page == 3  # page 2 (the image) has no lines


def test_a_pdf_over_the_size_limit_is_rejected_unread(tmp_path):
    folder = landing_with_pdfs(tmp_path / "landing")
    limit = (folder / "fjl-2024.pdf").stat().st_size - 1
    frames = reading.load_landing(folder, limit, ["fjl-2024"], pdf_cache=tmp_path / "cache")
    (error,) = frames["raw.report_documents"].column("error").to_pylist()
    assert error.startswith("file_too_large: fjl-2024.pdf is")
    assert not (tmp_path / "cache").exists()  # nothing was parsed


def test_pdf_facts_reach_the_mart_with_their_page_parsed_once_with_evidence(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("ESG_WORKERS", "1")  # parsing in this process, where it is watched
    folder = landing_with_pdfs(tmp_path / "landing")
    warehouse = tmp_path / "wh" / "esg.duckdb"
    assert run_pipeline(folder, warehouse).success
    cached = list((warehouse.parent / "pdf_cache").glob("*.parquet"))
    assert len(cached) == 1  # the one good PDF (rejections are small JSON files)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT fiscal_year, reported_value, source_page FROM mart.esg_facts"
            " WHERE issuer_id = 'FJL' AND metric_id = 'ghg.scope1' ORDER BY fiscal_year"
        ).fetchall()
    assert rows == [(2022, "1,204", 1), (2023, "1,166", 1), (2024, "1,093", 1)]
    stale = warehouse.parent / "pdf_cache" / f"{'0' * 64}.parquet"  # a PDF that left
    stale.write_bytes(b"old")
    _forbid_parsing(monkeypatch)  # a second refresh reads the cache only
    result = run_pipeline(folder, warehouse)
    assert result.success
    assert cached[0].is_file() and not stale.exists()  # a full refresh prunes what left
    # The evidence pictures are listed in the mart's metadata (the UI), and `make evidence`
    # prints the same picture's path.
    (event,) = [e for e in result.get_asset_materialization_events()
                if e.asset_key.to_user_string() == "mart/esg_facts"]  # fmt: skip
    listed = event.materialization.metadata["evidence"].value
    monkeypatch.setenv("ESG_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("ESG_LANDING_DIR", str(folder))
    assert evidence_cli.main(["FJL", "2024", "ghg.scope1"]) == 0
    picture = Path(capsys.readouterr().out.strip())
    assert picture.is_file() and f"`{picture}`" in listed
    assert evidence_cli.main(["FJL", "2024", "no.such_metric"]) == 1
    # The highlighted row is the one printed at a baseline of 140 pt, in the picture's frame.
    image = np.asarray(Image.open(picture).convert("RGB")).astype(int)
    top = max(0.0, 140 - 10 * 0.95 - evidence.MARGIN)  # the row's top less the margin
    row_y = int((140 - 4 - top) * evidence.SCALE)  # inside the row, between its glyphs' tops
    above_y = int((120 - 4 - top) * evidence.SCALE)  # the header row, not highlighted
    shaded = image[row_y, int(60 * evidence.SCALE) : int(480 * evidence.SCALE)]
    plain = image[above_y, int(60 * evidence.SCALE) : int(480 * evidence.SCALE)]
    assert (shaded[:, 2] < 200).mean() > 0.9  # yellow shade: little blue
    assert (plain[:, 2] > 250).mean() > 0.5  # mostly white paper


def test_the_sensor_fingerprint_of_a_pdf_report_changes_with_its_content(tmp_path):
    folder = landing_with_pdfs(tmp_path / "landing")
    before = landing.fingerprints(folder, 10**8)
    assert {"fjl-2024", "scan"} <= set(before)
    fx.write_pdf(folder / "fjl-2024.pdf", [fx.side_by_side_page()])
    after = landing.fingerprints(folder, 10**8)
    assert after["fjl-2024"] != before["fjl-2024"] and after["scan"] == before["scan"]


# --- the benchmark's PDFs -----------------------------------------------------------------


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler's pdftotext is not installed")
def test_synthetic_reports_written_as_pdfs_print_every_value_and_are_timed(tmp_path):
    from orchestration import bench, synthetic

    reports = synthetic.write_landing(tmp_path, 4, pdf=True)
    for r in reports:
        path = tmp_path / f"{r.name}.pdf"
        if r.suffix == ".csv":  # a KPI table stays a table
            assert not path.exists()
            continue
        lines = pdf.parse(path.read_bytes(), r.name, 100).document().lines
        words = {t.text.rstrip(",.%") for line in lines for t in line.tokens}  # prose: 'was 5,453,'
        assert {text for _, _, _, text in r.printed} <= words
    timed = bench.pdf_parsing(tmp_path)
    pdfs = sorted(tmp_path.glob("*.pdf"))
    assert timed["pdfs"] == len(pdfs) > 0 and timed["pdf_pages"] >= len(pdfs)
    assert timed["parse_s"] > 0 and timed["pdftotext_s"] > 0
    with pytest.raises(RuntimeError, match="parsed again"):  # nothing cached yet
        bench.pdf_reparsing(tmp_path, tmp_path / "cache")
    for path in pdfs:  # as the pipeline's raw step does
        data = path.read_bytes()
        pdf_reports.parsed(
            data, hashlib.sha256(data).hexdigest(), path.name, tmp_path / "cache", 99
        )
    assert bench.pdf_reparsing(tmp_path, tmp_path / "cache") > 0


# --- the corpus ----------------------------------------------------------------------------

FIGURE = re.compile(r"^[\d.,]+")


@needs_corpus
def test_every_corpus_pdf_parses_and_prints_its_gold_figures_on_the_gold_page():
    """Each gold value's printed figure is a word on the physical page the gold names."""
    with (CORPUS / "gold_pdfs.csv").open() as f:
        gold = list(csv.DictReader(f))
    docs = {}
    for path in sorted((CORPUS / "landing").glob("*.pdf")):
        docs[path.name] = pdf.parse(path.read_bytes(), path.name, 2000).document()
        assert len(docs[path.name].lines) > 100
    missing = []
    for g in gold:
        figure = FIGURE.match(g["printed"])
        if not figure or not g["page"]:
            continue
        words = {t.text.rstrip("*¹²³%,;)") for line in docs[g["file"]].lines
                 if line.page == int(g["page"]) for t in line.tokens}  # fmt: skip
        if figure.group().rstrip(".,") not in words:
            missing.append((g["file"], g["page"], figure.group()))
    assert not missing, missing


def test_a_cached_parse_without_metadata_is_stale_not_a_crash():
    """A table with no schema metadata (or no version in it) is an unknown parser version."""
    assert pdf.ParsedPdf.from_table(pa.table({"text": ["a"]})) is None
    other = pa.table({"text": ["a"]}).replace_schema_metadata({pdf.META_KEY: b'{"version": 0}'})
    assert pdf.ParsedPdf.from_table(other) is None
