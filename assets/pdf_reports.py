"""PDF reports: parsed once (their words cached as Parquet under the file's SHA-256), read by the
table readers, and every value given the page and box of its row.

Dagster-free and DuckDB-free: it runs in the reading workers (assets/reading.py), so parsing can
go wherever a worker or an executor's step runs (docs/pdf.md).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from assets.extract import document, layout, pdf
from assets.extract.values import RawValue, RowError
from assets.extract.years import Calendar

# Written plain (no compression, dictionaries or statistics, and no copy of the Arrow schema:
# the two columns' Parquet types read back as they were written): a cached parse is read back
# in about a tenth of a millisecond for a few pages (docs/pdf.md); the words of a 60-page report
# take about a megabyte. The parse's page sizes and version go in the file's key-value metadata.
PARQUET = {
    "compression": "none",
    "use_dictionary": False,
    "write_statistics": False,
    "store_schema": False,
}
# A rejection that depends on a setting, not on the file, is not remembered.
NOT_CACHED_RULES = frozenset({"pdf_too_many_pages"})


def cache_file(cache: Path, sha256: str) -> Path:
    """Where a PDF's parsed words are kept: one Parquet file per distinct content."""
    return cache / f"{sha256}.parquet"


def _rejection_file(cache: Path, sha256: str) -> Path:
    return cache / f"{sha256}.rejected.json"


def _write_atomically(path: Path, write) -> None:
    """Write to a temporary name, then rename: a reader never sees half a file, and two
    workers parsing the same file at once both leave a whole one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        write(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _cached(cache: Path, sha256: str, name: str) -> pdf.ParsedPdf | None:
    """The cached parse of this content, or None (none, another parser version, unreadable).
    A cached rejection is raised again, under the file's current name."""
    try:
        data = cache_file(cache, sha256).read_bytes()
        file = pq.ParquetFile(pa.BufferReader(data), pre_buffer=False)
        table = file.read(use_threads=False)
    except (OSError, ValueError):  # missing or damaged (pyarrow's errors are both): parsed again
        table = None
    if table is not None:
        return pdf.ParsedPdf.from_table(table)
    try:
        rejected = json.loads(_rejection_file(cache, sha256).read_text())
    except (OSError, ValueError):
        return None
    if rejected.get("version") == pdf.PARSER_VERSION:
        message = rejected["message"].replace(rejected["name"], name)
        raise pdf.PdfError(rejected["rule"], message)
    return None


def _write_parquet(table: pa.Table, path: Path) -> None:
    with pq.ParquetWriter(path, table.schema, **PARQUET) as writer:
        writer.write_table(table)
        writer.add_key_value_metadata(table.schema.metadata)


def parsed(
    data: bytes, sha256: str, name: str, cache: Path | None, max_pages: int
) -> tuple[pdf.ParsedPdf, bool]:
    """A PDF's words, from the cache when this content was parsed before (by this parser
    version), else parsed and cached. Returns (words, whether they came from the cache); raises
    pdf.PdfError for a PDF that cannot be read (remembered too, unless a setting decided it)."""
    if cache is not None:
        hit = _cached(cache, sha256, name)
        if hit is not None:
            if len(hit.page_sizes) > max_pages:
                message = f"{name} has {len(hit.page_sizes)} pages, over {max_pages}"
                raise pdf.PdfError("pdf_too_many_pages", message + " (ESG_MAX_PDF_PAGES)")
            return hit, True
    try:
        result = pdf.parse(data, name, max_pages)
    except pdf.PdfError as exc:
        if cache is not None and exc.rule not in NOT_CACHED_RULES:
            record = {"version": pdf.PARSER_VERSION, "rule": exc.rule, "message": str(exc),
                      "name": name}  # fmt: skip
            _write_atomically(
                _rejection_file(cache, sha256), lambda p: p.write_text(json.dumps(record))
            )
        raise
    if cache is not None:
        _write_atomically(cache_file(cache, sha256), lambda p: _write_parquet(result.to_table(), p))
    return result, False


def prune(cache: Path | None, keep: set[str]) -> int:
    """Remove the cached parses (and remembered rejections) of contents no longer in the
    landing folder, and partial files of killed runs; returns how many files went. Called after
    a full refresh, when every landing PDF's SHA-256 is known."""
    if cache is None or not cache.is_dir():
        return 0
    gone = 0
    for entry in cache.iterdir():
        if entry.name.startswith(".") or entry.name.split(".")[0] not in keep:
            entry.unlink(missing_ok=True)
            gone += 1
    return gone


def read_values(
    doc: layout.Document, calendar: Calendar | None
) -> tuple[list[RawValue], list[RowError]]:
    """The table readers' values of a PDF's lines, each with its row's page and box.

    The general reader (document.extract_document) reads the tokens and their x; until it is
    there, the readers of report texts read the PDF's plain text, a line per Line."""
    reader = getattr(document, "extract_document", None)
    if reader is not None:
        values, errors = reader(doc, calendar)
    else:
        values, errors = document.extract_text(doc.text, calendar)
    add_provenance(values, doc)
    return values, errors


def add_provenance(values: list[RawValue], doc: layout.Document) -> None:
    """Fill page and row box from the value's Line (line k of the plain text is the Line
    numbered k). A value read across a broken line covers the lines above it too (on its page).
    A value that already has a page (a reader that set it) is left alone."""
    by_number = {line.number: line for line in doc.lines}
    for v in values:
        line = by_number.get(v.line_number)
        if v.page is not None or line is None or line.page is None:
            continue
        rows = [line]
        for k in range(1, (v.raw_text or "").count("\n") + 1):
            above = by_number.get(v.line_number - k)
            if above is not None and above.page == line.page:
                rows.append(above)
        v.page = line.page
        v.bbox_x0 = min(r.x0 for r in rows)
        v.bbox_x1 = max(r.x1 for r in rows)
        v.bbox_top = min(r.top for r in rows)
        v.bbox_bottom = max(r.bottom for r in rows)


def image_page_errors(parsed_pdf: pdf.ParsedPdf, name: str) -> list[tuple[int, str, str]]:
    """(page, rule, message) for each page that prints only images: its figures are not read."""
    why = "prints only images: no text layer; OCR is not supported (its values are not read)"
    return [
        (page, "pdf_page_without_text", f"{name} page {page} {why}")
        for page in parsed_pdf.image_pages
    ]
