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

from assets import landing
from assets.extract import document, mentions, years
from assets.extract.values import RawValue
from assets.tables import arrow_table, tables


def _error(report: str, doc: str, line: int | None, rule: str, message: str) -> dict:
    return {
        "report": report,
        "document": doc,
        "line_number": line,
        "rule": rule,
        "message": message,
    }


def _load_report(
    report: landing.LandingReport, max_bytes: int
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
        text, row["sha256"], row["size_bytes"] = landing.read_document(report.document, max_bytes)
        row |= meta
        row["source_document"] = meta["source_document"] or row["document"]
        extracted, row_errors = document.extract(text, report.fmt, years.calendar_of(meta))
    except Exception as exc:  # one report that cannot be read never stops the others
        if not isinstance(exc, landing.RejectedReport):
            exc = landing.RejectedReport(
                "unreadable", f"{row['document']} could not be read: {type(exc).__name__}: {exc}"
            )
        row |= {"status": "rejected", "error": f"{exc.rule}: {exc}"}
        return row, [], [], [_error(report.name, row["document"], None, exc.rule, str(exc))]
    errors = [
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
            for m in mentions.extract(text.splitlines(), value_lines)
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


def _load_chunk(items: list[landing.LandingReport | str], max_bytes: int) -> dict[str, pa.Table]:
    """A few reports (a name: a removed one) as the four raw tables, in Arrow. Run in a worker,
    so the tables are built there, not in the step's process."""
    columns = {t: {c: [] for c in tables()[t].column_names} for t in RAW_TABLES}
    for item in items:
        row, values, found, errors = (
            _removed(item) if isinstance(item, str) else _load_report(item, max_bytes)
        )
        for name, cols in columns["raw.report_documents"].items():
            cols.append(row.get(name))
        _add_values(columns["raw.reported_values"], row, values)
        for table, rows in (("raw.label_mentions", found), ("raw.load_errors", errors)):
            for name, cols in columns[table].items():
                cols += [r[name] for r in rows]
    return {t: arrow_table(t, cols) for t, cols in columns.items()}


def _load_all(chunks: list[list], max_bytes: int) -> Iterator[dict[str, pa.Table]]:
    """_load_chunk for each chunk, in order, spread over worker processes when there are many
    reports.

    Workers are spawned, not forked: a forked copy of a threaded process (Dagster's code
    server) can deadlock. Each reads the reference files itself, as this process does.
    """
    n = workers()
    if n <= 1 or sum(map(len, chunks)) < PARALLEL_FROM:
        yield from (_load_chunk(c, max_bytes) for c in chunks)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(n, mp_context=context) as pool:
        yield from pool.map(_load_chunk, chunks, [max_bytes] * len(chunks))


def _slices(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def load_batches(
    folder: Path, max_bytes: int, reports: list[str] | None = None, batch: int | None = None
) -> Iterator[dict[str, pa.Table]]:
    """Read report pairs (all, or the named ones) into the four raw tables, as Arrow tables of
    `batch` reports at a time (all at once without a batch), so memory does not grow with N.

    A named report whose files have left the folder gets a 'removed' row and no values.
    """
    only = None if reports is None else set(reports)
    found = {r.name: r for r in landing.scan(folder, only)}
    wanted = sorted(found) if reports is None else sorted(reports)
    items = [found.get(name, name) for name in wanted]
    size = batch or max(len(items), 1)
    batches = [_slices(b, CHUNK_REPORTS) for b in _slices(items, size)]
    loaded = _load_all([chunk for chunks in batches for chunk in chunks], max_bytes)
    try:
        for chunks in batches:
            parts = [next(loaded) for _ in chunks]
            yield {t: pa.concat_tables([p[t] for p in parts]) for t in RAW_TABLES}
    finally:
        loaded.close()  # stops the workers if the caller stops early


def load_landing(
    folder: Path, max_bytes: int, reports: list[str] | None = None
) -> dict[str, pa.Table]:
    """All the named reports (or every report) at once: see load_batches."""
    frames = list(load_batches(folder, max_bytes, reports))
    if not frames:
        return _load_chunk([], max_bytes)
    return frames[0]
