"""ref: the reviewed reference files under warehouse/ref, one table each, for SQL users."""

import hashlib
from collections.abc import Iterator

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.reference import REF_TABLES, read_ref_csv
from orchestration.settings import REF_DIR, WAREHOUSE_POOL


def _spec(name: str) -> dg.AssetSpec:
    path = REF_DIR / f"{name}.csv"
    return dg.AssetSpec(
        ["ref", name],
        kinds={"duckdb"},
        description=f"Reference table loaded from warehouse/ref/{name}.csv (reviewed in git).",
        # The file's hash is its version: the UI marks downstream assets stale when it changes.
        code_version=hashlib.sha256(path.read_bytes()).hexdigest()[:16],
    )


@dg.multi_asset(
    specs=[_spec(name) for name in REF_TABLES],
    group_name="ref",
    pool=WAREHOUSE_POOL,
    can_subset=True,  # each table can still be materialised on its own
)
def ref_tables(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource
) -> Iterator[dg.MaterializeResult]:
    """One step for all seven small tables: a step of its own each cost more than the load."""
    with duckdb.get_connection() as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS ref")
        for key in sorted(context.selected_asset_keys):
            name = key.path[-1]
            df = read_ref_csv(name)
            conn.register("_ref", df)
            conn.execute(f"CREATE OR REPLACE TABLE ref.{name} AS SELECT * FROM _ref")
            conn.unregister("_ref")
            yield dg.MaterializeResult(
                asset_key=key, metadata={"rows": len(df), "file": f"{name}.csv"}
            )
