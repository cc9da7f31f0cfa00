"""ref: the reviewed reference files under warehouse/ref, one table each, for SQL users."""

from __future__ import annotations

import hashlib

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.reference import REF_TABLES, read_ref_csv
from orchestration.settings import REF_DIR, WAREHOUSE_POOL


def _ref_asset(name: str) -> dg.AssetsDefinition:
    path = REF_DIR / f"{name}.csv"

    @dg.asset(
        key=["ref", name],
        group_name="ref",
        pool=WAREHOUSE_POOL,
        kinds={"duckdb"},
        description=f"Reference table loaded from warehouse/ref/{name}.csv (reviewed in git).",
        # The file's hash is its version: the UI marks downstream assets stale when it changes.
        code_version=hashlib.sha256(path.read_bytes()).hexdigest()[:16],
    )
    def _load(duckdb: DuckDBResource) -> dg.MaterializeResult:
        df = read_ref_csv(name)
        with duckdb.get_connection() as conn:
            conn.execute("CREATE SCHEMA IF NOT EXISTS ref")
            conn.register("_ref", df)
            conn.execute(f"CREATE OR REPLACE TABLE ref.{name} AS SELECT * FROM _ref")
            conn.unregister("_ref")
        return dg.MaterializeResult(metadata={"rows": len(df), "file": str(path.name)})

    return _load


ref_assets = [_ref_asset(name) for name in REF_TABLES]
