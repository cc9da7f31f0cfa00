"""Reading landing reports into the four raw tables (Arrow), in worker processes for many.

Kept apart from the raw asset (assets/raw.py) and free of Dagster: each spawned worker
imports this module, and starts in half a second instead of two.
"""

import dataclasses
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pyarrow as pa

from assets import landing, pdf_reports
from assets.extract import document, layout, mentions, years
from assets.extract.values import RawValue, RowError
from assets.tables import arrow_table, tables


def _error(report: str, doc: str, line: int | None, rule: str, message: str) -> dict:
    return {
        "report": report,
        "document": doc,
        "line_number": line,
        "rule": rule,
        "message": message,
    }


def _read_document(
    report: landing.LandingReport, row: dict, meta: dict, max_bytes: int, pdf_cache: Path | None
) -> tuple[str, list[RawValue], list[RowError], list[dict]]:
    """The document's text, values and row errors; and, for a PDF, the errors about its pages.
    Fills the row's sha256 and size."""
    calendar = years.calendar_of(meta)
    if report.fmt != "pdf":
        text, row["sha256"], row["size_bytes"] = landing.read_document(report.document, max_bytes)
        return (text, *document.extract(text, report.fmt, calendar), [])
    data, row["sha256"], row["size_bytes"] = landing.read_pdf(report.document, max_bytes)
    words, _ = pdf_reports.parsed(  # a pdf.PdfError is a landing.RejectedReport
        data, row["sha256"], row["document"], pdf_cache, landing.max_pdf_pages()
    )
    doc = words.document()
    values, row_errors = pdf_reports.read_values(doc, calendar)
    pages = [
        _error(report.name, row["document"], None, rule, message)
        for _, rule, message in pdf_reports.image_page_errors(words, row["document"])
    ]
    return doc.text, values, row_errors, pages


def _load_report(
    report: landing.LandingReport, max_bytes: int, pdf_cache: Path | None = None
) -> tuple[dict, list[RawValue], list, list]:
    """One report pair -> (its raw.report_documents row, its values as read, label mentions,
    errors)."""
    row: dict = {"report": report.name, "document": report.document_name, "status": "loaded"}
    row["format"] = report.fmt
    row["metadata_file"] = report.metadata_name
    try:
        if report.problems:
            rule, message = report.problems[0]
            raise landing.RejectedReport(rule, message)
        meta = landing.read_metadata(report.metadata_file, max_bytes)
        text, extracted, row_errors, errors = _read_document(
            report, row, meta, max_bytes, pdf_cache
        )
        row |= meta
        row["source_document"] = meta["source_document"] or row["document"]
    except Exception as exc:  # one report that cannot be read never stops the others
        if not isinstance(exc, landing.RejectedReport):
            exc = landing.RejectedReport(
                "unreadable", f"{row['document']} could not be read: {type(exc).__name__}: {exc}"
            )
        row |= {"status": "rejected", "error": f"{exc.rule}: {exc}"}
        return row, [], [], [_error(report.name, row["document"], None, exc.rule, str(exc))]
    errors += [
        _error(report.name, row["document"], e.line_number, e.rule, e.message) for e in row_errors
    ]
    found = []
    if report.fmt != "csv":
        value_lines = {  # a value printed under a broken line covers both lines
            v.line_number - k for v in extracted for k in range((v.raw_text or "").count("\n") + 1)
        }
        base = _report_columns(row)
        found = [
            base | {"line_number": m.line_number, "text": m.text, "metric_id": m.metric_id}
            for m in mentions.extract(layout.text_lines(text), value_lines)
        ]
    return row, extracted, found, errors


def _report_columns(row: dict) -> dict:
    """The columns raw.reported_values and raw.label_mentions repeat from their report."""
    return {
        "report": row["report"],
        "document": row["document"],
        "source_document": row["source_document"],
        "issuer_id": row["issuer_id"],
        "report_fiscal_year": row["fiscal_year"],
    }


def _add_values(columns: dict[str, list], row: dict, values: list[RawValue]) -> None:
    """Append a report's values to raw.reported_values' columns, column by column (a dict per
    value cost as much as a fifth of the reading)."""
    if not values:  # a rejected or removed report: its row lacks the report columns
        return
    for name, same in _report_columns(row).items():
        columns[name] += [same] * len(values)
    for name in VALUE_FIELDS:
        columns[name] += [getattr(v, name) for v in values]
    columns["value"] += [v.value for v in values]
    columns["not_reported"] += [v.not_reported for v in values]


def workers() -> int:
    """Processes that read reports: `ESG_WORKERS`, else one per core (1 reads in-process)."""
    return int(os.environ.get("ESG_WORKERS") or os.cpu_count() or 1)


PARALLEL_FROM = 200  # fewer reports are read faster in-process than by starting workers
CHUNK_REPORTS = 25  # reports per worker task: tables of a few thousand rows each
# A PDF counts as this many text reports when reports are shared out: parsing a 20-page PDF
# takes as long as reading some 20 texts. So ten PDFs are parsed in worker processes, one per
# task (a worker is never left with many PDFs while the others wait).
PDF_WEIGHT = 20


def _weight(item: landing.LandingReport | str) -> int:
    return PDF_WEIGHT if isinstance(item, landing.LandingReport) and item.fmt == "pdf" else 1


def _chunks(items: list, capacity: int = CHUNK_REPORTS) -> list[list]:
    """Items in order, in chunks of at most `capacity` weight (at least one item each)."""
    chunks: list[list] = []
    room = 0
    for item in items:
        weight = _weight(item)
        if not chunks or weight > room:
            chunks.append([])
            room = capacity
        chunks[-1].append(item)
        room -= weight
    return chunks


# raw.reported_values' columns taken as the readers give them.
VALUE_FIELDS = tuple(f.name for f in dataclasses.fields(RawValue))
RAW_TABLES = (
    "raw.report_documents",
    "raw.reported_values",
    "raw.label_mentions",
    "raw.load_errors",
)
# 1,000 reports are about 160,000 values, more than a DuckDB row group (122,880 rows): DuckDB
# then writes a batch's rows straight to the database file instead of through its write-ahead
# log, and the writes take half the time (9 s against 4 s at 10,000 reports, bench/RESULTS.md).
DEFAULT_BATCH_REPORTS = 1000


def batch_reports() -> int:
    """Reports held in memory at once by the raw step (`ESG_RAW_BATCH_REPORTS`)."""
    return int(os.environ.get("ESG_RAW_BATCH_REPORTS") or DEFAULT_BATCH_REPORTS)


def _removed(name: str) -> tuple[dict, list, list, list]:
    """A report whose files left the landing folder: a 'removed' row and no values."""
    row = {"report": name, "document": name, "status": "removed"}
    return row | {"error": "removed: no longer in the landing folder"}, [], [], []


def _load_chunk(
    items: list[landing.LandingReport | str], max_bytes: int, pdf_cache: Path | None = None
) -> dict[str, pa.Table]:
    """A few reports (a name: a removed one) as the four raw tables, in Arrow. Run in a worker,
    so the tables are built there, not in the step's process. `pdf_cache`: where parsed PDFs
    are kept (None: parse every time)."""
    columns = {t: {c: [] for c in tables()[t].column_names} for t in RAW_TABLES}
    for item in items:
        row, values, found, errors = (
            _removed(item) if isinstance(item, str) else _load_report(item, max_bytes, pdf_cache)
        )
        for name, cols in columns["raw.report_documents"].items():
            cols.append(row.get(name))
        _add_values(columns["raw.reported_values"], row, values)
        for table, rows in (("raw.label_mentions", found), ("raw.load_errors", errors)):
            for name, cols in columns[table].items():
                cols += [r[name] for r in rows]
    return {t: arrow_table(t, cols) for t, cols in columns.items()}


def _load_all(
    chunks: list[list], max_bytes: int, pdf_cache: Path | None = None
) -> Iterator[dict[str, pa.Table]]:
    """_load_chunk for each chunk, in order, spread over worker processes when there are many
    reports (PDFs weigh more: see PDF_WEIGHT).

    Workers are spawned, not forked: a forked copy of a threaded process (Dagster's code
    server) can deadlock. Each reads the reference files itself, as this process does.
    """
    n = workers()
    if n <= 1 or sum(_weight(item) for c in chunks for item in c) < PARALLEL_FROM:
        yield from (_load_chunk(c, max_bytes, pdf_cache) for c in chunks)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(n, mp_context=context) as pool:
        k = len(chunks)
        yield from pool.map(_load_chunk, chunks, [max_bytes] * k, [pdf_cache] * k)


def _slices(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def load_batches(
    folder: Path,
    max_bytes: int,
    reports: list[str] | None = None,
    batch: int | None = None,
    pdf_cache: Path | None = None,
) -> Iterator[dict[str, pa.Table]]:
    """Read report pairs (all, or the named ones) into the four raw tables, as Arrow tables of
    `batch` reports at a time (all at once without a batch), so memory does not grow with N.
    PDFs' parsed words are kept in `pdf_cache` (None: parsed every time).

    A named report whose files have left the folder gets a 'removed' row and no values.
    """
    only = None if reports is None else set(reports)
    found = {r.name: r for r in landing.scan(folder, only)}
    wanted = sorted(found) if reports is None else sorted(reports)
    items = [found.get(name, name) for name in wanted]
    size = batch or max(len(items), 1)
    batches = [_chunks(b) for b in _slices(items, size)]
    loaded = _load_all([chunk for chunks in batches for chunk in chunks], max_bytes, pdf_cache)
    try:
        for chunks in batches:
            parts = [next(loaded) for _ in chunks]
            yield {t: pa.concat_tables([p[t] for p in parts]) for t in RAW_TABLES}
    finally:
        loaded.close()  # stops the workers if the caller stops early


def load_landing(
    folder: Path, max_bytes: int, reports: list[str] | None = None, pdf_cache: Path | None = None
) -> dict[str, pa.Table]:
    """All the named reports (or every report) at once: see load_batches."""
    frames = list(load_batches(folder, max_bytes, reports, pdf_cache=pdf_cache))
    if not frames:
        return _load_chunk([], max_bytes)
    return frames[0]
