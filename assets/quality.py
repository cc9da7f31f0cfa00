"""Data-quality checks: declared on the asset they guard, evaluated in its step, stored in dq.

A check is a function from a warehouse connection to findings. The asset that owns the check
declares it (`check_specs`), evaluates it right after writing its table, records every outcome in
dq.check_results / dq.failure_cases, and reports it to Dagster. Running inside the asset's step
guarantees that the mart, downstream, sees this run's results when it decides what to publish.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field, replace

import dagster as dg
import duckdb
import pandas as pd
import polars as pl

from assets import schemas
from assets.scope import Scope, ensure_registered, record_batches
from assets.tables import append_rows, tables

MAX_ROWS_SHOWN = 20
ERROR, WARN = "error", "warn"
_SEVERITY = {ERROR: dg.AssetCheckSeverity.ERROR, WARN: dg.AssetCheckSeverity.WARN}
SCOPE = ("issuer_id", "fiscal_year", "metric_id", "breakdown", "source_document", "source_line")
# What an error finding condemns (docs/data-quality.md): a whole report (its issuer-years are
# withheld), a source row (the facts built from that document line), or a fact (issuer, year,
# metric, breakdown; in one document when the finding names one). Warnings withhold nothing.
REPORT, ROW, FACT = "report", "row", "fact"


@dataclass
class Finding:
    """One thing a check found wrong, and where."""

    message: str
    issuer_id: str | None = None
    fiscal_year: int | None = None
    metric_id: str | None = None
    source_document: str | None = None
    source_line: int | None = None
    column_name: str | None = None
    failure_case: str | None = None
    detail: dict = field(default_factory=dict)
    scope_key: str | None = None  # the report or issuer of the row (checks that read a scope)
    breakdown: str | None = None  # of the fact named (NULL: the metric's total)
    # Further facts or rows the finding condemns besides the one it names, as a JSON list of
    # objects with the keys of SCOPE (a total's parts, a ratio's numerator...).
    also_withholds: str | None = None


@dataclass(frozen=True)
class Check:
    name: str
    asset: tuple[str, ...]
    severity: str
    description: str
    evaluate: Callable[..., list[Finding]]
    # A scoped check reads only the rows in the run's scope: evaluate(conn, scope). Its
    # findings about rows outside the scope are carried over from its previous evaluation.
    scoped: bool = False
    withholds: str = FACT  # REPORT, ROW or FACT: what each of its error findings condemns
    # What a passing evaluation found worth saying (markdown), shown in the check's metadata:
    # e.g. which Scope 2 method a printed total holds with.
    notes: Callable[[duckdb.DuckDBPyConnection], str] | None = None

    @property
    def spec(self) -> dg.AssetCheckSpec:
        return dg.AssetCheckSpec(
            self.name,
            asset=dg.AssetKey(list(self.asset)),
            description=f"[{self.severity}] {self.description}",
        )


def specs(checks: Sequence[Check]) -> list[dg.AssetCheckSpec]:
    return [c.spec for c in checks]


def none_if_missing(value):
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def findings_from_sql(conn: duckdb.DuckDBPyConnection, sql: str) -> list[Finding]:
    """Findings from a query returning `message` and any of the scope columns."""
    df = conn.execute(sql).df()
    found = []
    for row in df.to_dict("records"):
        named = (*SCOPE, "also_withholds")
        scope = {k: none_if_missing(row.get(k)) for k in named}
        extra = {k: str(v) for k, v in row.items() if k not in (*named, "message")}
        found.append(Finding(row["message"], **scope, detail=extra))
    return found


def issuer_scoped(check: Check) -> Check:
    """A check whose SQL reads only the issuers in scope (through scope.in_scope), findings
    keyed by issuer so those about other issuers carry over."""

    def evaluate(conn: duckdb.DuckDBPyConnection, scope: Scope | None = None) -> list[Finding]:
        ensure_registered(conn)
        found = check.evaluate(conn)
        return [replace(f, scope_key=f.issuer_id) for f in found]

    return replace(check, evaluate=evaluate, scoped=True)


def sql_check(name, asset, severity, description, sql: str, withholds: str = FACT) -> Check:
    return Check(
        name,
        tuple(asset),
        severity,
        description,
        lambda c: findings_from_sql(c, sql),
        withholds=withholds,
    )


def _year(row: dict) -> int | None:
    """The year a row is about: its fiscal year, else a raw value's printed year, else its
    report's. Naming it lets a schema error in a raw table withhold that issuer-year."""
    for key in ("fiscal_year", "year", "report_fiscal_year"):
        if none_if_missing(row.get(key)) is not None:
            try:
                return int(row[key])
            except (TypeError, ValueError):  # the failing value itself: not a year
                return None
    return None


DEFAULT_CHUNK_ROWS = 100_000


def condemned_by(table: str) -> str:
    """What a failing row of a table condemns: a document's metadata row its report, a raw or
    mapped value its source row, a fact or published fact itself."""
    if table == "raw.report_documents":
        return REPORT
    return ROW if table.startswith("raw.") or table == "core.mapped_values" else FACT


def scope_column(table: str) -> str:
    """What a run changes of a table: reports in raw, issuers below."""
    return "report" if table.startswith("raw.") else "issuer_id"


def chunk_rows() -> int:
    """Rows a DataFrame check (pandera, GX) holds at once (`ESG_CHECK_CHUNK_ROWS`): bounds
    its memory."""
    return int(os.environ.get("ESG_CHECK_CHUNK_ROWS") or DEFAULT_CHUNK_ROWS)


def schema_check(table: str, asset: Sequence[str]) -> Check:
    """The generated pandera schema of a table, validated lazily on its rows in the run's scope
    (whole reports or issuers at a time)."""

    def evaluate(conn: duckdb.DuckDBPyConnection, scope: Scope | None = None) -> list[Finding]:
        scope = scope or Scope(scope_column(table))
        found: dict = {}
        for df in record_batches(conn, table, scope, chunk_rows()):
            for f in _schema_findings(table, df, scope.column):
                # a case about the table, not a row (a column's type), recurs in every batch
                found.setdefault(id(f) if f.detail else f.message, f)
        return list(found.values())

    return Check(
        f"schema_{table.split('.')[1]}",
        tuple(asset),
        ERROR,
        f"pandera schema of {table} from warehouse/tables.yaml (types, nulls, allowed values,"
        " non-negative amounts, percentages within 0-100), validated lazily.",
        evaluate,
        scoped=True,
        withholds=condemned_by(table),
    )


def _schema_findings(table: str, df: pl.DataFrame, scope_column: str) -> list[Finding]:
    found = []
    for case in schemas.failure_cases(table, df):
        row = df.row(case["index"], named=True) if case["index"] is not None else {}
        doc = row.get("source_document", row.get("document"))
        found.append(
            Finding(
                f"{table}: column {case['column']} fails {case['check']}"
                f" (value {case['failure_case']!r})",
                issuer_id=row.get("issuer_id"),
                fiscal_year=_year(row),
                metric_id=row.get("metric_id"),
                source_document=doc,
                source_line=row.get("source_line", row.get("line_number")),
                column_name=str(case["column"]),
                failure_case=str(case["failure_case"]),
                detail={k: str(v) for k, v in row.items()},
                scope_key=row.get(scope_column),
                breakdown=row.get("breakdown"),
            )
        )
    return found


def _record(
    conn, check: Check, findings: list[Finding], run_id: str, partition, now, carried: int
) -> None:
    base = {
        "check_name": check.name,
        "asset_key": "/".join(check.asset),
        "severity": check.severity,
        "withholds": check.withholds if check.severity == ERROR else None,
        "run_id": run_id,
        "partition_key": partition,
        "checked_at": now,
    }
    if findings or carried:
        results = [base | {"passed": False} | asdict(f) for f in findings]
    else:
        results = [base | {"passed": True} | asdict(Finding("passed"))]
    append_rows(conn, "dq.check_results", pd.DataFrame(results))
    cases = [
        {
            "check_name": check.name,
            "run_id": run_id,
            "source_document": f.source_document,
            "source_line": f.source_line,
            "column_name": f.column_name,
            "failure_case": f.failure_case,
            "detail": json.dumps(f.detail | {"message": f.message}, default=str),
            "scope_key": f.scope_key,
        }
        for f in findings
    ]
    append_rows(conn, "dq.failure_cases", pd.DataFrame(cases))


def _table(findings: list[Finding]) -> str:
    rows = [
        {
            k: v
            for k, v in asdict(f).items()
            if k not in ("detail", "also_withholds") and v is not None
        }
        for f in findings[:MAX_ROWS_SHOWN]
    ]
    return pd.DataFrame(rows).to_markdown(index=False) if rows else "-"


def _carry_over(conn, check: Check, run_id: str, now) -> list[Finding]:
    """Copy the previous evaluation's findings about reports or issuers outside the scope
    (their rows did not change, so neither did their findings) into this evaluation."""
    outside = "NOT _in_scope(scope_key)"
    (previous,) = conn.execute(
        "SELECT any_value(run_id) FROM dq.current_check_results WHERE check_name = ?",
        [check.name],
    ).fetchone()
    if previous is None:
        return []
    cols = ", ".join(tables()["dq.failure_cases"].column_names)
    conn.execute(
        f"""INSERT INTO dq.failure_cases ({cols})
            SELECT {cols} FROM (SELECT * REPLACE (?::VARCHAR AS run_id) FROM dq.failure_cases
                                WHERE check_name = ? AND run_id = ? AND {outside})""",
        [run_id, check.name, previous],
    )
    carried = conn.execute(
        f"""SELECT * REPLACE (?::VARCHAR AS run_id, ?::TIMESTAMP AS checked_at)
            FROM dq.current_check_results
            WHERE check_name = ? AND NOT passed AND {outside}""",
        [run_id, now, check.name],
    ).df()
    append_rows(conn, "dq.check_results", carried)
    keys = ("message", "issuer_id", "fiscal_year", "metric_id", "source_document",
            "source_line", "scope_key", "breakdown", "also_withholds")  # fmt: skip
    return [Finding(**{k: none_if_missing(r[k]) for k in keys}) for r in carried.to_dict("records")]


# Checks evaluated at once in a step. A check's SQL runs in DuckDB without holding Python's GIL,
# so an SQL check runs while a pandera or GX check computes in Python (bench/RESULTS.md).
PARALLEL_CHECKS = 2


def _findings(
    conn: duckdb.DuckDBPyConnection, check: Check, scope: Scope | None
) -> tuple[list[Finding], str | None, float]:
    """A check's findings, its notes and the seconds they took, on a cursor of its own (a
    connection to the same database; the step's writes are committed), with the step's scope
    registered."""
    start = time.perf_counter()
    with conn.cursor() as cursor, scope.registered(cursor) if scope else nullcontext():
        found = check.evaluate(cursor, scope) if check.scoped else check.evaluate(cursor)
        notes = check.notes(cursor) if check.notes else None
    return found, notes, time.perf_counter() - start


def _all_findings(
    conn: duckdb.DuckDBPyConnection, checks: Sequence[Check], scope: Scope | None
) -> Iterator[tuple[Check, list[Finding], str | None, float]]:
    """Each check's findings, in the order given, evaluated PARALLEL_CHECKS at a time. The last
    checks start first: each step declares its pandera and GX checks, the longest, last."""
    pool = ThreadPoolExecutor(PARALLEL_CHECKS, thread_name_prefix="check")
    try:
        futures = {c.name: pool.submit(_findings, conn, c, scope) for c in reversed(checks)}
        for check in checks:
            yield check, *futures[check.name].result()
    finally:
        pool.shutdown(cancel_futures=True)


def evaluate(
    conn: duckdb.DuckDBPyConnection,
    checks: Sequence[Check],
    run_id: str,
    partition: str | None = None,
    scope: Scope | None = None,
) -> Iterator[dg.AssetCheckResult]:
    """Evaluate, record and report each check. A scoped check reads the rows in `scope` (the
    step has registered it) and keeps its earlier findings about everything else."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    partial = scope is not None and not scope.everything
    if partial:  # earlier results are read: the history tables and their view must exist
        for name in ("dq.check_results", "dq.failure_cases"):
            append_rows(conn, name, pd.DataFrame())  # created (or given new columns) if needed
        conn.execute(CURRENT_RESULTS_VIEW)
    for check, findings, notes, seconds in _all_findings(conn, checks, scope):
        start = time.perf_counter()
        carried: list[Finding] = []
        if check.scoped and partial:
            carried = _carry_over(conn, check, run_id, now)
        _record(conn, check, findings, run_id, partition, now, len(carried))
        seconds += time.perf_counter() - start
        found = findings + carried
        metadata = {
            "failures": len(found),
            "carried_over": len(carried),
            "failing_rows": dg.MetadataValue.md(_table(found)),
            "seconds": round(seconds, 3),  # evaluating and recording it (make bench sums)
        }
        if notes:
            metadata["notes"] = dg.MetadataValue.md(notes)
        yield dg.AssetCheckResult(
            asset_key=dg.AssetKey(list(check.asset)),
            check_name=check.name,
            passed=not found,
            severity=_SEVERITY[check.severity],
            metadata=metadata,
        )


CURRENT_RESULTS_VIEW = """
CREATE OR REPLACE VIEW dq.current_check_results AS
SELECT * FROM dq.check_results
QUALIFY checked_at = max(checked_at) OVER (PARTITION BY check_name)
"""
