"""Asset checks written as SQL: a query returns the failing rows; none means the check passes."""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

MAX_ROWS_SHOWN = 20


def sql_check(
    name: str,
    asset: list[str],
    failing_rows_sql: str,
    description: str,
    severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR,
    blocking: bool = True,
) -> dg.AssetChecksDefinition:
    """An asset check that passes when `failing_rows_sql` returns no row."""

    @dg.asset_check(
        asset=dg.AssetKey(asset),
        name=name,
        description=description,
        blocking=blocking and severity == dg.AssetCheckSeverity.ERROR,
    )
    def _check(duckdb: DuckDBResource) -> dg.AssetCheckResult:
        with duckdb.get_connection() as conn:
            failing = conn.execute(failing_rows_sql).df()
        return dg.AssetCheckResult(
            passed=failing.empty,
            severity=severity,
            metadata={
                "failing_rows": len(failing),
                "sample": dg.MetadataValue.md(
                    failing.head(MAX_ROWS_SHOWN).to_markdown(index=False) if len(failing) else "-"
                ),
            },
        )

    return _check
