"""mart: comparable facts for SQL users, published in one transaction.

mart.esg_facts keeps one row per issuer, fiscal year, metric and breakdown: the fact core.facts
marks `is_current` (when a later report restates an earlier year, the latest report's; the
other stays in core.facts). The consistency checks judge those same facts. An error finding
withholds what it condemns (assets/withholding.py, docs/data-quality.md): a fact, the facts of a
source row, or (report-level findings only) a report's issuer-years. Withheld facts keep their
earlier publish, if any, and mart.withheld_facts / mart.withheld_issuer_years say why; every
other fact publishes, carrying its quality_status. mart.issuer_year is one wide row per issuer
and year, with a column per metric that has a `wide_column` in ref/metrics.
"""

from datetime import timedelta

import dagster as dg

from assets import evidence, quality, reference, withholding
from assets.gx_validation import GreatExpectationsResource, suite_check
from assets.quality import ERROR, WARN, schema_check, sql_check
from assets.scope import Scope, clear_pending, in_scope, pending
from assets.tables import comment_statements, sql_literal, tables
from assets.withholding import withheld_fact, withheld_key
from orchestration.resources import LandingFolder, WarehouseResource
from orchestration.settings import WAREHOUSE_POOL

ESG_FACTS = tables()["mart.esg_facts"]
# The nightly schedule refreshes the mart; a day and a bit without one shows it as stale.
DAILY = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=26), warn_window=timedelta(hours=25)
)
WITHHELD = tables()["mart.withheld_issuer_years"]

STATUS_SQL = """
CASE WHEN EXISTS (SELECT 1 FROM dq.current_check_results r
                  WHERE NOT r.passed AND r.severity = '{severity}'
                    AND r.asset_key NOT LIKE 'mart/%'
                    AND r.issuer_id = f.issuer_id AND r.fiscal_year = f.fiscal_year
                    AND (r.metric_id = f.metric_id
                         OR r.metric_id IS NULL AND r.source_document = f.source_document
                            AND r.source_line = f.source_line))"""

# fail / warn when a current finding of that severity names the fact (its metric, or its line).
QUALITY_STATUS = f"""{STATUS_SQL.format(severity="error")} THEN 'fail'
            {STATUS_SQL.format(severity="warn").replace("CASE ", "")} THEN 'warn'
            ELSE 'pass' END"""
# A published fact: warn when a warning names it (an error would have withheld it).
PUBLISHED_STATUS = f"""{STATUS_SQL.format(severity="warn")} THEN 'warn' ELSE 'pass' END"""
# Facts of a withheld issuer-year, and earlier publishes of a withheld fact, stay as last
# published: fail when withheld, else with the status this refresh gives.
CARRIED_SQL = f"""
CREATE OR REPLACE TEMP TABLE _carried AS
SELECT f.* REPLACE (CASE WHEN {withheld_key("f")} THEN 'fail'
                         ELSE {QUALITY_STATUS} END AS quality_status)
FROM {in_scope("mart.esg_facts")} f
WHERE EXISTS (SELECT 1 FROM _withheld w
              WHERE w.issuer_id = f.issuer_id AND w.fiscal_year = f.fiscal_year)
   OR {withheld_key("f")}
"""

ESG_FACTS_SELECT = f"""
SELECT f.issuer_id, d.issuer_name, f.fiscal_year, f.metric_id, f.breakdown, f.value, f.unit,
       f.reported_value, f.reported_unit, f.basis, f.source_document, f.source_line,
       f.source_page, f.derived_from_lines, f.assumption, {PUBLISHED_STATUS} AS quality_status
FROM {in_scope("core.facts")} AS f
LEFT JOIN raw.report_documents AS d
    ON d.source_document = f.source_document AND d.status = 'loaded'
WHERE f.is_current  -- the one fact per key the checks judged (assets/core.py, CURRENT_ORDER)
  AND NOT EXISTS (SELECT 1 FROM _withheld w
                  WHERE w.issuer_id = f.issuer_id AND w.fiscal_year = f.fiscal_year)
  AND NOT {withheld_fact("f")}  -- a fact a finding withholds (assets/withholding.py)
ORDER BY f.issuer_id, f.fiscal_year, f.metric_id, f.breakdown NULLS FIRST
"""


# Built issuer by issuer like the facts: each source is read for the issuers in scope only.
KPI_DISCLOSURE_SELECT = f"""
WITH issuer_years AS (
    SELECT DISTINCT issuer_id, fiscal_year FROM {in_scope("core.facts")}
    UNION SELECT DISTINCT issuer_id, fiscal_year FROM {in_scope("raw.report_documents")}
    WHERE status = 'loaded'
), metric_kpi AS (
    SELECT metric_id, hkex_kpi AS kpi FROM ref.metrics WHERE hkex_kpi <> ''
), disclosed AS (
    SELECT f.issuer_id, f.fiscal_year, k.kpi,
           string_agg(DISTINCT f.metric_id, ', ' ORDER BY f.metric_id) AS metrics
    FROM {in_scope("mart.esg_facts")} f JOIN metric_kpi k USING (metric_id) GROUP BY ALL
), unreadable AS (
    SELECT m.issuer_id, m.report_fiscal_year AS fiscal_year, k.kpi,
           'label without number: '
           || string_agg(DISTINCT m.metric_id || ' line ' || m.line_number, ', '
                         ORDER BY m.metric_id || ' line ' || m.line_number) AS why
    FROM {in_scope("raw.label_mentions")} m JOIN metric_kpi k USING (metric_id)
    WHERE NOT EXISTS (  -- as in core.document_coverage: a metric its document gave a value
        SELECT 1 FROM {in_scope("core.mapped_values")} v
        WHERE v.document = m.document AND v.metric_id = m.metric_id)
    GROUP BY ALL
    UNION ALL
    SELECT v.issuer_id, v.fiscal_year, k.kpi,
           'value not usable: '
           || string_agg(DISTINCT v.metric_id || ' line ' || v.line_number || ' ('
                                  || v.conversion_status || ')', ', '
                         ORDER BY v.metric_id || ' line ' || v.line_number || ' ('
                                  || v.conversion_status || ')')
    FROM {in_scope("core.mapped_values")} v JOIN metric_kpi k USING (metric_id)
    WHERE v.conversion_status IN ('unknown_unit', 'incompatible_unit', 'other_currency',
                                  'not_reported')
    GROUP BY ALL
    UNION ALL
    SELECT w.issuer_id, w.fiscal_year, k.kpi, 'withheld by a failed check'
    FROM {in_scope("mart.withheld_facts")} w JOIN metric_kpi k USING (metric_id)
    WHERE w.is_fact
)
SELECT y.issuer_id, y.fiscal_year, h.kpi, h.aspect, h.description,
       CASE WHEN NOT EXISTS (SELECT 1 FROM metric_kpi k WHERE k.kpi = h.kpi) THEN 'not_tracked'
            WHEN d.kpi IS NOT NULL THEN 'disclosed'
            WHEN u.kpi IS NOT NULL THEN 'disclosed_unreadable'
            ELSE 'absent' END AS status,
       d.metrics, u.why AS unreadable_because
FROM issuer_years y CROSS JOIN ref.hkex_kpis h
LEFT JOIN disclosed d ON d.issuer_id = y.issuer_id AND d.fiscal_year = y.fiscal_year
                     AND d.kpi = h.kpi
LEFT JOIN (SELECT issuer_id, fiscal_year, kpi, string_agg(why, '; ' ORDER BY why) AS why
           FROM unreadable GROUP BY ALL) u
       ON u.issuer_id = y.issuer_id AND u.fiscal_year = y.fiscal_year AND u.kpi = h.kpi
ORDER BY y.issuer_id, y.fiscal_year, h.kpi
"""
KPI_COMMENTS = [
    "COMMENT ON TABLE mart.kpi_disclosure IS 'Per issuer-year and HKEX KPI (A1.1-B8.2): "
    "disclosed (a fact in mart.esg_facts), disclosed_unreadable (named without a usable number),"
    " absent, or not_tracked (no metric in ref.metrics yet, e.g. narrative KPIs).'",
    "COMMENT ON COLUMN mart.kpi_disclosure.status IS 'disclosed, disclosed_unreadable, absent,"
    " not_tracked'",
    "COMMENT ON COLUMN mart.kpi_disclosure.metrics IS 'Metrics that disclose the KPI'",
    "COMMENT ON COLUMN mart.kpi_disclosure.unreadable_because IS 'Why a named KPI has no usable"
    " number, with lines'",
]


def issuer_year_sql() -> tuple[str, list[str]]:
    """The pivot query (issuers in scope) and its column comments, from ref/metrics.csv."""
    wide = [m for m in reference.metrics().values() if m.wide_column]
    cols = ",\n  ".join(
        f"max(value) FILTER (WHERE metric_id = {sql_literal(m.metric_id)} AND breakdown IS NULL)"
        f" AS {m.wide_column}"
        for m in wide
    )
    query = (
        "SELECT issuer_id, any_value(issuer_name) AS issuer_name, fiscal_year,\n"
        f"  {cols}\nFROM {in_scope('mart.esg_facts')}\nGROUP BY issuer_id, fiscal_year\n"
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


def _rebuild(conn, table: str, select_sql: str, scope: Scope) -> None:
    """A derived mart table (columns from its query): recreated for every issuer, else its
    rows of the issuers in scope replaced."""
    if scope.everything:
        conn.execute(f"CREATE OR REPLACE TABLE {table} AS {select_sql}")
    else:
        conn.execute(f"DELETE FROM {table} WHERE {scope.where()}")
        conn.execute(f"INSERT INTO {table} {select_sql}")


def publish(conn, scope: Scope) -> None:
    """Rebuild the mart rows of the issuers in scope, in one transaction: readers see the old
    mart or the new one. Withheld issuer-years are decided from every current finding."""
    pivot, pivot_comments = issuer_year_sql()
    conn.execute("CREATE SCHEMA IF NOT EXISTS mart")
    conn.execute("CREATE SCHEMA IF NOT EXISTS dq")
    conn.execute(quality.CURRENT_RESULTS_VIEW)
    conn.execute(ESG_FACTS.ddl(replace=False))  # first publish: an empty previous mart
    conn.execute("BEGIN TRANSACTION")
    try:
        withholding.decide(conn)
        conn.execute(CARRIED_SQL)
        if scope.everything:
            conn.execute(ESG_FACTS.ddl())
        else:
            conn.execute(f"DELETE FROM mart.esg_facts WHERE {scope.where()}")
        conn.execute(f"INSERT INTO mart.esg_facts {ESG_FACTS_SELECT}")
        conn.execute("INSERT INTO mart.esg_facts SELECT * FROM _carried")
        conn.execute(WITHHELD.ddl())
        conn.execute(
            """INSERT INTO mart.withheld_issuer_years
               SELECT w.*, (SELECT count(*) FROM mart.esg_facts c WHERE c.issuer_id = w.issuer_id
                            AND c.fiscal_year = w.fiscal_year)::INTEGER
               FROM _withheld w ORDER BY ALL"""
        )
        for stmt in comment_statements(ESG_FACTS) + comment_statements(WITHHELD):
            conn.execute(stmt)
        withholding.write(conn, scope)
        _rebuild(conn, "mart.issuer_year", pivot, scope)
        _rebuild(conn, "mart.kpi_disclosure", KPI_DISCLOSURE_SELECT, scope)
        for stmt in pivot_comments + KPI_COMMENTS:
            conn.execute(stmt)
        clear_pending(conn, scope)
        conn.execute("COMMIT")
    except Exception:
        conn.execute("ROLLBACK")
        raise
    finally:
        withholding.drop(conn)
        conn.execute("DROP TABLE IF EXISTS _carried")


ESG = ("mart", "esg_facts")
GX_SUITE = "mart_esg_facts"
MART_CHECKS = [
    sql_check(
        "issuer_years_published",
        ESG,
        ERROR,
        "Every issuer-year of this refresh was published (none withheld by an error).",
        """SELECT issuer_id, fiscal_year,
                  'withheld: ' || failed_checks || ' (' || findings || ' findings; '
                  || carried_over_facts || ' facts kept from the previous publish)' AS message
           FROM mart.withheld_issuer_years ORDER BY ALL""",
    ),
    sql_check(
        "facts_published",
        ESG,
        WARN,
        "Every fact of this refresh was published: a fact or source row an error finding"
        " withholds is named, with that finding (mart.withheld_facts: the analyst's to-do list).",
        """SELECT issuer_id, fiscal_year, metric_id, breakdown, source_document, source_line,
                  'withheld (' || withheld_because || ') by ' || check_name || ': ' || message
                  AS message
           FROM mart.withheld_facts ORDER BY ALL""",
    ),
    sql_check(
        "unique_fact_key",
        ESG,
        ERROR,
        "One row per issuer, fiscal year, metric and breakdown.",
        """WITH duplicated AS (  -- cheap test first: messages only for duplicated keys
               SELECT issuer_id, fiscal_year, metric_id, breakdown FROM mart.esg_facts
               GROUP BY ALL HAVING count(*) > 1
           )
           SELECT f.issuer_id, f.fiscal_year, f.metric_id,
                  min(f.source_document) AS source_document, min(f.source_line) AS source_line,
                  'duplicated key (' || count(*) || ' rows: '
                  || string_agg(f.source_document || ' line ' || f.source_line, ', '
                                ORDER BY f.source_document, f.source_line) || ')' AS message
           FROM mart.esg_facts f JOIN duplicated d
             ON f.issuer_id = d.issuer_id AND f.fiscal_year = d.fiscal_year
            AND f.metric_id = d.metric_id AND f.breakdown IS NOT DISTINCT FROM d.breakdown
           GROUP BY f.issuer_id, f.fiscal_year, f.metric_id, f.breakdown""",
    ),
    sql_check(
        "canonical_units",
        ESG,
        ERROR,
        "Every fact's metric is in ref.metrics and carries that metric's canonical unit; an"
        " amount of money is in the currency its report's metadata gives (no exchange rates).",
        """SELECT f.issuer_id, f.fiscal_year, f.metric_id, f.source_document, f.source_line,
                  'unit ' || f.unit || CASE WHEN m.pint_unit = 'currency'
                      THEN ' is not the report''s currency ' || d.currency || ' (its metadata)'
                      ELSE ' is not the canonical '
                           || coalesce(m.canonical_unit, '(unknown metric)') END AS message
           FROM mart.esg_facts f LEFT JOIN ref.metrics m USING (metric_id)
           LEFT JOIN raw.report_documents d ON d.document = f.source_document
           WHERE m.metric_id IS NULL OR f.unit IS DISTINCT FROM
                 CASE WHEN m.pint_unit = 'currency' THEN coalesce(d.currency, f.unit)
                      ELSE m.canonical_unit END""",
    ),
    sql_check(
        "traceable_to_source",
        ESG,
        ERROR,
        "Every fact names its document and line; reported facts keep the printed value and unit.",
        """SELECT issuer_id, fiscal_year, metric_id, source_document, source_line,
                  'fact without its source' AS message
           FROM mart.esg_facts
           WHERE source_document IS NULL OR source_line IS NULL
              OR (basis = 'reported' AND (reported_value IS NULL OR reported_unit IS NULL))
              OR (basis = 'derived' AND derived_from_lines IS NULL)""",
    ),
    schema_check("mart.esg_facts", ESG),
]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["mart", "esg_facts"],
            deps=[["core", "facts"], ["raw", "report_documents"]],
            description=ESG_FACTS.description,
            kinds={"duckdb"},
            freshness_policy=DAILY,
        ),
        dg.AssetSpec(
            ["mart", "issuer_year"],
            deps=[["mart", "esg_facts"], ["ref", "metrics"]],
            description="One wide row per issuer and fiscal year with the main metrics.",
            kinds={"duckdb"},
            freshness_policy=DAILY,
        ),
        dg.AssetSpec(
            ["mart", "kpi_disclosure"],
            deps=[["mart", "esg_facts"], ["raw", "report_documents"], ["ref", "hkex_kpis"]],
            description="Per issuer-year: which HKEX KPIs are disclosed, unreadable or absent.",
            kinds={"duckdb"},
        ),
        dg.AssetSpec(
            ["mart", "withheld_issuer_years"],
            deps=[["core", "facts"]],
            description=WITHHELD.description,
            kinds={"duckdb"},
        ),
        dg.AssetSpec(
            ["mart", "withheld_facts"],
            deps=[["core", "facts"], ["core", "mapped_values"]],
            description=withholding.WITHHELD_FACTS.description,
            kinds={"duckdb"},
        ),
    ],
    check_specs=quality.specs([*MART_CHECKS, suite_check(GX_SUITE)]),
    group_name="mart",
    pool=WAREHOUSE_POOL,
)
def mart_tables(
    context: dg.AssetExecutionContext,
    duckdb: WarehouseResource,
    gx: GreatExpectationsResource,
    landing: LandingFolder,
):
    """Build the mart from core.facts, withholding issuer-years that failed an error check, then
    publish the warehouse file for SQL users."""
    with duckdb.get_connection() as conn:
        scope = pending(conn)
        with scope.registered(conn):
            publish(conn, scope)
            counts = {
                name: conn.execute(f"SELECT count(*) FROM mart.{name}").fetchall()[0][0]
                for name in (
                    "esg_facts",
                    "issuer_year",
                    "kpi_disclosure",
                    "withheld_issuer_years",
                    "withheld_facts",
                )
            }
            checks = [*MART_CHECKS, suite_check(GX_SUITE, gx)]
            checked = list(quality.evaluate(conn, checks, context.run_id, scope=scope))
    published = duckdb.publish(context.run.tags)  # refused if it empties the mart
    pictures = evidence.published_pictures(published, landing.folder, evidence.ui_pictures())
    for name, n in counts.items():
        meta = {"rows": n, "published_to": dg.MetadataValue.path(str(published))}
        if name == "esg_facts" and pictures:  # where PDF facts were printed (assets/evidence.py)
            meta["evidence"] = dg.MetadataValue.md(evidence.metadata_markdown(pictures))
        yield dg.MaterializeResult(asset_key=["mart", name], metadata=meta)
    yield from checked
