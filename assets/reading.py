"""Reading landing reports into the four raw tables' frames, in worker processes for many.

Kept apart from the raw asset (assets/raw.py) and free of Dagster: each spawned worker
imports this module, and starts in half a second instead of two.
"""

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from assets import landing
from assets.extract import document, mentions, years
from assets.tables import tables


def _error(report: str, doc: str, line: int | None, rule: str, message: str) -> dict:
    return {
        "report": report,
        "document": doc,
        "line_number": line,
        "rule": rule,
        "message": message,
    }


def _load_report(report: landing.LandingReport, max_bytes: int) -> tuple[dict, list, list, list]:
    """One report pair -> (its raw.report_documents row, values, label mentions, errors)."""
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
    base = {
        "report": report.name,
        "document": row["document"],
        "source_document": row["source_document"],
        "issuer_id": meta["issuer_id"],
        "report_fiscal_year": meta["fiscal_year"],
    }
    found = []
    if report.fmt != "csv":
        value_lines = {  # a value printed under a broken line covers both lines
            v.line_number - k for v in extracted for k in range((v.raw_text or "").count("\n") + 1)
        }
        found = [
            base | {"line_number": m.line_number, "text": m.text, "metric_id": m.metric_id}
            for m in mentions.extract(text.splitlines(), value_lines)
        ]
    return row, [base | v.as_row() for v in extracted], found, errors


def workers() -> int:
    """Processes that read reports: `ESG_WORKERS`, else one per core (1 reads in-process)."""
    return int(os.environ.get("ESG_WORKERS") or os.cpu_count() or 1)


PARALLEL_FROM = 200  # fewer reports are read faster in-process than by starting workers
CHUNK_REPORTS = 25  # reports per worker task: frames of a few thousand rows each


RAW_TABLES = (
    "raw.report_documents",
    "raw.reported_values",
    "raw.label_mentions",
    "raw.load_errors",
)
DEFAULT_BATCH_REPORTS = 500


def batch_reports() -> int:
    """Reports held in memory at once by the raw step (`ESG_RAW_BATCH_REPORTS`)."""
    return int(os.environ.get("ESG_RAW_BATCH_REPORTS") or DEFAULT_BATCH_REPORTS)


def _removed(name: str) -> tuple[dict, list, list, list]:
    """A report whose files left the landing folder: a 'removed' row and no values."""
    row = {"report": name, "document": name, "status": "removed"}
    return row | {"error": "removed: no longer in the landing folder"}, [], [], []


def _load_chunk(
    items: list[landing.LandingReport | str], max_bytes: int
) -> dict[str, pd.DataFrame]:
    """A few reports (a name: a removed one) as the four raw tables' frames. Run in a worker,
    so the frames are built there, not in the step's process."""
    rows: dict[str, list] = {name: [] for name in RAW_TABLES}
    for item in items:
        loaded = _removed(item) if isinstance(item, str) else _load_report(item, max_bytes)
        for table, part in zip(RAW_TABLES, loaded, strict=True):
            rows[table] += [part] if table == "raw.report_documents" else part
    return {t: pd.DataFrame(r, columns=tables()[t].column_names) for t, r in rows.items()}


def _load_all(chunks: list[list], max_bytes: int) -> Iterator[dict[str, pd.DataFrame]]:
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
) -> Iterator[dict[str, pd.DataFrame]]:
    """Read report pairs (all, or the named ones) into the four raw tables, as DataFrames of
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
            yield {t: pd.concat([p[t] for p in parts], ignore_index=True) for t in RAW_TABLES}
    finally:
        loaded.close()  # stops the workers if the caller stops early


def load_landing(
    folder: Path, max_bytes: int, reports: list[str] | None = None
) -> dict[str, pd.DataFrame]:
    """All the named reports (or every report) at once: see load_batches."""
    frames = list(load_batches(folder, max_bytes, reports))
    if not frames:
        return {t: pd.DataFrame(columns=tables()[t].column_names) for t in RAW_TABLES}
    return frames[0]
