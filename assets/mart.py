"""mart: comparable facts for SQL users, published in one transaction.

mart.esg_facts keeps one row per issuer, fiscal year, metric and breakdown; when two reports
give the same fact (a later report restating an earlier year), the latest report wins and the
other stays in core.facts. mart.issuer_year is one wide row per issuer and year, with a column
per metric that has a `wide_column` in ref/metrics.csv.
"""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets import reference
from assets.sql_checks import sql_check
from assets.tables import comment_statements, sql_literal, tables

ESG_FACTS = tables()["mart.esg_facts"]

ESG_FACTS_SELECT = """
SELECT f.issuer_id, d.issuer_name, f.fiscal_year, f.metric_id, f.breakdown, f.value, f.unit,
       f.reported_value, f.reported_unit, f.basis, f.source_document, f.source_line,
       f.derived_from_lines, f.assumption
FROM core.facts AS f
LEFT JOIN raw.report_documents AS d
    ON d.source_document = f.source_document AND d.status = 'loaded'
QUALIFY row_number() OVER (
    PARTITION BY f.issuer_id, f.fiscal_year, f.metric_id, f.breakdown
    ORDER BY f.report_fiscal_year DESC, f.basis = 'derived', f.source_document, f.source_line
) = 1
ORDER BY f.issuer_id, f.fiscal_year, f.metric_id, f.breakdown NULLS FIRST
"""


def issuer_year_sql() -> tuple[str, list[str]]:
    """The pivot query and its column comments, generated from ref/metrics.csv."""
    wide = [m for m in reference.metrics().values() if m.wide_column]
    cols = ",\n  ".join(
        f"max(value) FILTER (WHERE metric_id = {sql_literal(m.metric_id)} AND breakdown IS NULL)"
        f" AS {m.wide_column}"
        for m in wide
    )
    query = (
        "CREATE OR REPLACE TABLE mart.issuer_year AS\n"
        "SELECT issuer_id, any_value(issuer_name) AS issuer_name, fiscal_year,\n"
        f"  {cols}\nFROM mart.esg_facts\nGROUP BY issuer_id, fiscal_year\n"
        "ORDER BY issuer_id, fiscal_year"
    )
    comments = [
        "COMMENT ON TABLE mart.issuer_year IS 'One row per issuer and fiscal year: main metric "
        "totals in canonical units (from mart.esg_facts, breakdown IS NULL).'",
        "COMMENT ON COLUMN mart.issuer_year.issuer_id IS 'Issuer id'",
        "COMMENT ON COLUMN mart.issuer_year.issuer_name IS 'Issuer name'",
        "COMMENT ON COLUMN mart.issuer_year.fiscal_year IS 'Fiscal year'",
    ] + [
        f"COMMENT ON COLUMN mart.issuer_year.{m.wide_column} IS "
        f"{sql_literal(f'{m.name} ({m.metric_id}) in {m.canonical_unit}')}"
        for m in wide
    ]
    return query, comments


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["mart", "esg_facts"],
            deps=[["core", "facts"], ["raw", "report_documents"]],
            description=ESG_FACTS.description,
            kinds={"duckdb"},
        ),
        dg.AssetSpec(
            ["mart", "issuer_year"],
            deps=[["mart", "esg_facts"], ["ref", "metrics"]],
            description="One wide row per issuer and fiscal year with the main metrics.",
            kinds={"duckdb"},
        ),
    ],
    group_name="mart",
)
def mart_tables(duckdb: DuckDBResource):
    """Rebuild both mart tables in one transaction: readers see the old mart or the new one."""
    pivot, pivot_comments = issuer_year_sql()
    with duckdb.get_connection() as conn:
        conn.execute("BEGIN TRANSACTION")
        try:
            conn.execute("CREATE SCHEMA IF NOT EXISTS mart")
            conn.execute(ESG_FACTS.ddl())
            conn.execute(f"INSERT INTO mart.esg_facts {ESG_FACTS_SELECT}")
            for stmt in comment_statements(ESG_FACTS):
                conn.execute(stmt)
            conn.execute(pivot)
            for stmt in pivot_comments:
                conn.execute(stmt)
            conn.execute("COMMIT")
        except Exception:
            conn.execute("ROLLBACK")
            raise
        n_facts = conn.execute("SELECT count(*) FROM mart.esg_facts").fetchone()[0]
        n_rows = conn.execute("SELECT count(*) FROM mart.issuer_year").fetchone()[0]
    yield dg.MaterializeResult(asset_key=["mart", "esg_facts"], metadata={"rows": n_facts})
    yield dg.MaterializeResult(asset_key=["mart", "issuer_year"], metadata={"rows": n_rows})


mart_checks = [
    sql_check(
        "unique_fact_key",
        ["mart", "esg_facts"],
        """SELECT issuer_id, fiscal_year, metric_id, breakdown, count(*) AS n
           FROM mart.esg_facts GROUP BY ALL HAVING count(*) > 1""",
        "One row per issuer, fiscal year, metric and breakdown.",
    ),
    sql_check(
        "canonical_units",
        ["mart", "esg_facts"],
        """SELECT f.issuer_id, f.fiscal_year, f.metric_id, f.unit, m.canonical_unit
           FROM mart.esg_facts f LEFT JOIN ref.metrics m USING (metric_id)
           WHERE m.metric_id IS NULL OR f.unit IS DISTINCT FROM m.canonical_unit""",
        "Every fact's metric is in ref.metrics and carries that metric's canonical unit.",
    ),
    sql_check(
        "traceable_to_source",
        ["mart", "esg_facts"],
        """SELECT * FROM mart.esg_facts
           WHERE source_document IS NULL OR source_line IS NULL
              OR (basis = 'reported' AND (reported_value IS NULL OR reported_unit IS NULL))
              OR (basis = 'derived' AND derived_from_lines IS NULL)""",
        "Every fact names its document and line; reported facts keep the printed value and unit.",
    ),
]
