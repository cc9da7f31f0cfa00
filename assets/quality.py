"""Data-quality checks: declared on the asset they guard, evaluated in its step, stored in dq.

A check is a function from a warehouse connection to findings. The asset that owns the check
declares it (`check_specs`), evaluates it right after writing its table, records every outcome in
dq.check_results / dq.failure_cases, and reports it to Dagster. Running inside the asset's step
guarantees that the mart, downstream, sees this run's results when it decides what to publish.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field

import dagster as dg
import duckdb
import pandas as pd

from assets import schemas
from assets.tables import append_rows

MAX_ROWS_SHOWN = 20
ERROR, WARN = "error", "warn"
_SEVERITY = {ERROR: dg.AssetCheckSeverity.ERROR, WARN: dg.AssetCheckSeverity.WARN}
SCOPE = ("issuer_id", "fiscal_year", "metric_id", "source_document", "source_line")


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


@dataclass(frozen=True)
class Check:
    name: str
    asset: tuple[str, ...]
    severity: str
    description: str
    evaluate: Callable[[duckdb.DuckDBPyConnection], list[Finding]]

    @property
    def spec(self) -> dg.AssetCheckSpec:
        return dg.AssetCheckSpec(
            self.name,
            asset=dg.AssetKey(list(self.asset)),
            description=f"[{self.severity}] {self.description}",
        )


def specs(checks: Sequence[Check]) -> list[dg.AssetCheckSpec]:
    return [c.spec for c in checks]


def _none(value):
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def findings_from_sql(conn: duckdb.DuckDBPyConnection, sql: str) -> list[Finding]:
    """Findings from a query returning `message` and any of the scope columns."""
    df = conn.execute(sql).df()
    found = []
    for row in df.to_dict("records"):
        scope = {k: _none(row.get(k)) for k in SCOPE}
        extra = {k: str(v) for k, v in row.items() if k not in (*SCOPE, "message")}
        found.append(Finding(row["message"], **scope, detail=extra))
    return found


def sql_check(name, asset, severity, description, sql: str) -> Check:
    return Check(name, tuple(asset), severity, description, lambda c: findings_from_sql(c, sql))


def _year(row: dict) -> int | None:
    """The year a row is about: its fiscal year, else a raw value's printed year, else its
    report's. Naming it lets a schema error in a raw table withhold that issuer-year."""
    for key in ("fiscal_year", "year", "report_fiscal_year"):
        if _none(row.get(key)) is not None:
            try:
                return int(row[key])
            except (TypeError, ValueError):  # the failing value itself: not a year
                return None
    return None


def schema_check(table: str, asset: Sequence[str]) -> Check:
    """The generated pandera schema of a table, validated lazily on the table's contents."""

    def evaluate(conn: duckdb.DuckDBPyConnection) -> list[Finding]:
        df = conn.execute(f"SELECT * FROM {table}").df()
        cases = schemas.failure_cases(table, df)
        found = []
        for case in cases.to_dict("records"):
            index = case.get("index")
            row = df.loc[index].to_dict() if _none(index) is not None else {}
            doc = row.get("source_document", row.get("document"))
            found.append(
                Finding(
                    f"{table}: column {case['column']} fails {case['check']}"
                    f" (value {case['failure_case']!r})",
                    issuer_id=_none(row.get("issuer_id")),
                    fiscal_year=_year(row),
                    metric_id=_none(row.get("metric_id")),
                    source_document=_none(doc),
                    source_line=_none(row.get("source_line", row.get("line_number"))),
                    column_name=str(case["column"]),
                    failure_case=str(case["failure_case"]),
                    detail={k: str(v) for k, v in row.items()},
                )
            )
        return found

    return Check(
        f"schema_{table.split('.')[1]}",
        tuple(asset),
        ERROR,
        f"pandera schema of {table} from warehouse/tables.yaml (types, nulls, allowed values,"
        " non-negative amounts, percentages within 0-100), validated lazily.",
        evaluate,
    )


def _record(conn, check: Check, findings: list[Finding], run_id: str, partition, now) -> None:
    base = {
        "check_name": check.name,
        "asset_key": "/".join(check.asset),
        "severity": check.severity,
        "run_id": run_id,
        "partition_key": partition,
        "checked_at": now,
    }
    if findings:
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
        }
        for f in findings
    ]
    append_rows(conn, "dq.failure_cases", pd.DataFrame(cases))


def _table(findings: list[Finding]) -> str:
    rows = [
        {k: v for k, v in asdict(f).items() if k not in ("detail",) and v is not None}
        for f in findings[:MAX_ROWS_SHOWN]
    ]
    return pd.DataFrame(rows).to_markdown(index=False) if rows else "-"


def evaluate(
    conn: duckdb.DuckDBPyConnection,
    checks: Sequence[Check],
    run_id: str,
    partition: str | None = None,
) -> Iterator[dg.AssetCheckResult]:
    """Evaluate, record and report each check (each evaluation covers the whole table)."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for check in checks:
        findings = check.evaluate(conn)
        _record(conn, check, findings, run_id, partition, now)
        yield dg.AssetCheckResult(
            asset_key=dg.AssetKey(list(check.asset)),
            check_name=check.name,
            passed=not findings,
            severity=_SEVERITY[check.severity],
            metadata={
                "failures": len(findings),
                "failing_rows": dg.MetadataValue.md(_table(findings)),
            },
        )


CURRENT_RESULTS_VIEW = """
CREATE OR REPLACE VIEW dq.current_check_results AS
SELECT * FROM dq.check_results
QUALIFY checked_at = max(checked_at) OVER (PARTITION BY check_name)
"""
