"""What the mart withholds: each error finding condemns what it names, and no more.

A finding's check says what its findings condemn (dq.check_results.withholds):
- `report`: invalid metadata, an unreadable document, a document landed twice. Every
  issuer-year the report gives facts for (and the one its metadata names) is withheld.
- `row`: a source row (document, line; of one year and metric when the finding names them):
  the facts built from it.
- `fact`: a fact (issuer, year, metric, breakdown; in one document when named).
A finding may condemn further facts (also_withholds: a total's parts, a ratio's numerator). A
withheld fact takes with it the facts computed from it: the total derived from its parts, and a
printed ratio whose numerator it is. Warnings withhold nothing. docs/data-quality.md has the
policy per check.

The temp tables built here (`_withheld` issuer-years, `_withheld_facts`) are read by the mart's
publish transaction (assets/mart.py).
"""

from __future__ import annotations

from assets.scope import Scope, in_scope
from assets.tables import comment_statements, tables

WITHHELD_FACTS = tables()["mart.withheld_facts"]
TARGET_TYPE = (
    '[{"issuer_id": "VARCHAR", "fiscal_year": "INTEGER", "metric_id": "VARCHAR",'
    ' "breakdown": "VARCHAR", "source_document": "VARCHAR", "source_line": "INTEGER"}]'
)
TARGET_COLUMNS = "issuer_id, fiscal_year, metric_id, breakdown, source_document, source_line"

# Every error finding of the inputs (the mart's own checks judge the last publish), and each
# further fact or row it condemns, one row per thing condemned.
TARGETS_SQL = f"""
CREATE OR REPLACE TEMP TABLE _targets AS
WITH findings AS (
    SELECT check_name, severity, withholds, message, {TARGET_COLUMNS}, also_withholds
    FROM dq.current_check_results
    WHERE NOT passed AND severity = 'error' AND withholds IS NOT NULL
      AND asset_key NOT LIKE 'mart/%'
)
SELECT check_name, severity, withholds, message, {TARGET_COLUMNS} FROM findings
UNION ALL BY NAME
SELECT check_name, severity, withholds, message,
       unnest(from_json(also_withholds, '{TARGET_TYPE}'), recursive := true)
FROM findings WHERE also_withholds IS NOT NULL
"""


def in_scope_issuer(alias: str) -> str:
    """SQL: the row's issuer is one the mart rebuilds (a finding naming none is not listed)."""
    return f"{alias}.issuer_id IS NOT NULL AND _in_scope({alias}.issuer_id)"


# Issuer-years of a report a report-level finding names: those of its metadata, and every year
# its facts are about.
REPORT_YEARS_SQL = """
CREATE OR REPLACE TEMP TABLE _report_years AS
WITH report AS (SELECT * FROM _targets WHERE withholds = 'report')
SELECT issuer_id, fiscal_year, check_name, severity, message FROM report
WHERE issuer_id IS NOT NULL AND fiscal_year IS NOT NULL
UNION
SELECT f.issuer_id, f.fiscal_year, t.check_name, t.severity, t.message
FROM report t
LEFT JOIN raw.report_documents d ON d.document = t.source_document
JOIN core.facts f ON f.source_document = coalesce(d.source_document, t.source_document)
"""
WITHHELD_YEARS_SQL = """
CREATE OR REPLACE TEMP TABLE _withheld AS
SELECT issuer_id, fiscal_year, string_agg(DISTINCT check_name, ', ' ORDER BY check_name)
       AS failed_checks, count(DISTINCT check_name || message)::INTEGER AS findings
FROM _report_years GROUP BY issuer_id, fiscal_year
"""


def same_fact(a: str, b: str) -> str:
    """SQL: rows `a` and `b` are the same fact of core.facts (a NULL breakdown is the total)."""
    return (
        f"{a}.issuer_id = {b}.issuer_id AND {a}.fiscal_year = {b}.fiscal_year"
        f" AND {a}.metric_id = {b}.metric_id AND {a}.breakdown IS NOT DISTINCT FROM {b}.breakdown"
        f" AND {a}.source_document = {b}.source_document AND {a}.source_line = {b}.source_line"
        f" AND {a}.basis = {b}.basis"
    )


WHY = "check_name, severity, message"

# The facts (of the issuers in scope) and mapped rows each row- or fact-level target condemns,
# then what is computed from them.
WITHHELD_FACTS_SQL = f"""
CREATE OR REPLACE TEMP TABLE _withheld_facts AS
WITH facts AS (SELECT * FROM {in_scope("core.facts")}),
fact_lines AS (  -- a value its document printed twice alike is one fact on every line
    SELECT *, unnest(CASE WHEN basis = 'reported' AND derived_from_lines IS NOT NULL
                          THEN string_split(derived_from_lines, ',')::INTEGER[]
                          ELSE [source_line] END) AS line
    FROM facts
),
named AS (
    SELECT f.issuer_id, f.fiscal_year, f.metric_id, f.breakdown, f.source_document,
           f.source_line, f.basis, t.check_name, t.severity, t.message
    FROM facts f JOIN _targets t
      ON t.withholds = 'fact' AND t.issuer_id = f.issuer_id AND t.fiscal_year = f.fiscal_year
     AND t.metric_id = f.metric_id AND t.breakdown IS NOT DISTINCT FROM f.breakdown
     AND coalesce(t.source_document, f.source_document) = f.source_document
    UNION
    SELECT f.issuer_id, f.fiscal_year, f.metric_id, f.breakdown, f.source_document,
           f.source_line, f.basis, t.check_name, t.severity, t.message
    FROM fact_lines f JOIN _targets t
      ON t.withholds = 'row' AND t.source_document = f.source_document AND t.source_line = f.line
     AND coalesce(t.fiscal_year, f.fiscal_year) = f.fiscal_year
     AND coalesce(t.metric_id, f.metric_id) = f.metric_id
),
unusable AS (  -- mapped values that gave no fact, under both names of their document
    SELECT *, source_document AS named_document FROM {in_scope("core.mapped_values")}
    WHERE mapping_status = 'mapped' AND conversion_status IS DISTINCT FROM 'ok'
    UNION ALL
    SELECT *, document FROM {in_scope("core.mapped_values")}
    WHERE mapping_status = 'mapped' AND conversion_status IS DISTINCT FROM 'ok'
      AND document <> source_document
),
rows AS (  -- condemned rows that gave no fact (an unknown unit, an unreadable value)
    SELECT v.issuer_id, v.fiscal_year, v.metric_id, v.breakdown, v.source_document,
           v.line_number AS source_line, t.check_name, t.severity, t.message
    FROM unusable v JOIN _targets t
      ON t.withholds = 'row' AND t.source_line = v.line_number
     AND t.source_document = v.named_document
     AND coalesce(t.fiscal_year, v.fiscal_year) = v.fiscal_year
     AND coalesce(t.metric_id, v.metric_id) = v.metric_id
),
parts AS (SELECT * EXCLUDE (source_line, basis) FROM named UNION ALL BY NAME
          SELECT * EXCLUDE (source_line) FROM rows),
derived AS (  -- a total derived from its parts: withheld with any of them
    SELECT DISTINCT d.issuer_id, d.fiscal_year, d.metric_id, d.breakdown, d.source_document,
           d.source_line, d.basis, p.check_name, p.severity, p.message
    FROM facts d JOIN parts p
      ON d.basis = 'derived' AND p.breakdown IS NOT NULL AND p.issuer_id = d.issuer_id
     AND p.fiscal_year = d.fiscal_year AND p.metric_id = d.metric_id
     AND p.source_document = d.source_document
),
numerators AS (SELECT * FROM parts UNION ALL BY NAME SELECT * EXCLUDE (source_line, basis)
               FROM derived),
ratios AS (  -- a printed ratio whose numerator (same breakdown, same document) is withheld
    SELECT DISTINCT q.issuer_id, q.fiscal_year, q.metric_id, q.breakdown, q.source_document,
           q.source_line, q.basis, n.check_name, n.severity, n.message
    FROM facts q JOIN ref.metrics m ON m.metric_id = q.metric_id
    JOIN numerators n
      ON n.metric_id = m.numerator_metric AND n.issuer_id = q.issuer_id
     AND n.fiscal_year = q.fiscal_year AND n.breakdown IS NOT DISTINCT FROM q.breakdown
     AND n.source_document = q.source_document
)
SELECT *, 'named' AS withheld_because, TRUE AS is_fact FROM named
UNION ALL BY NAME
SELECT *, 'part_withheld' AS withheld_because, TRUE AS is_fact FROM derived
UNION ALL BY NAME
SELECT *, 'numerator_withheld' AS withheld_because, TRUE AS is_fact FROM ratios
UNION ALL BY NAME
SELECT DISTINCT *, 'named' AS withheld_because, FALSE AS is_fact FROM rows
"""

# One row per withheld fact or row and finding: current facts (those the mart would publish),
# rows that gave no fact, rows a finding names that no value came from, and the facts of
# issuer-years a report-level finding withholds.
WITHHELD_FACTS_SELECT = f"""
WITH current_withheld AS (
    SELECT f.issuer_id, f.fiscal_year, f.metric_id, f.breakdown, f.value, f.unit,
           f.reported_value, f.reported_unit, f.source_document, f.source_line,
           TRUE AS is_fact, w.withheld_because, w.check_name, w.severity, w.message
    FROM {in_scope("core.facts")} f JOIN _withheld_facts w ON {same_fact("f", "w")}
    WHERE f.is_current
    UNION ALL
    SELECT f.issuer_id, f.fiscal_year, f.metric_id, f.breakdown, f.value, f.unit,
           f.reported_value, f.reported_unit, f.source_document, f.source_line,
           TRUE, 'report', y.check_name, y.severity, y.message
    FROM {in_scope("core.facts")} f JOIN _report_years y USING (issuer_id, fiscal_year)
    WHERE f.is_current
), row_values AS (
    SELECT DISTINCT w.issuer_id, w.fiscal_year, w.metric_id, w.breakdown,
           v.canonical_value AS value, v.canonical_unit AS unit, v.value_text AS reported_value,
           v.unit AS reported_unit, w.source_document, w.source_line, FALSE AS is_fact,
           w.withheld_because, w.check_name, w.severity, w.message
    FROM _withheld_facts w JOIN {in_scope("core.mapped_values")} v
      ON NOT w.is_fact AND v.line_number = w.source_line
     AND v.source_document = w.source_document AND v.fiscal_year = w.fiscal_year
     AND v.metric_id = w.metric_id AND v.breakdown IS NOT DISTINCT FROM w.breakdown
), unmatched AS (  -- a condemned row no value was read from (say, a KPI table row unreadable)
    SELECT t.issuer_id, t.fiscal_year, t.metric_id, t.breakdown, NULL::DOUBLE AS value,
           NULL AS unit, NULL AS reported_value, NULL AS reported_unit, t.source_document,
           t.source_line, FALSE AS is_fact, 'named' AS withheld_because, t.check_name,
           t.severity, t.message
    FROM _targets t
    WHERE t.withholds = 'row' AND {in_scope_issuer("t")}
      AND NOT EXISTS (SELECT 1 FROM core.mapped_values v
                      WHERE v.line_number = t.source_line
                        AND v.source_document = t.source_document)
      AND NOT EXISTS (SELECT 1 FROM core.mapped_values v
                      WHERE v.line_number = t.source_line AND v.document = t.source_document)
)
SELECT *, EXISTS (SELECT 1 FROM _carried c
                  WHERE c.issuer_id = w.issuer_id AND c.fiscal_year = w.fiscal_year
                    AND c.metric_id = w.metric_id
                    AND c.breakdown IS NOT DISTINCT FROM w.breakdown) AS previously_published
FROM (SELECT * FROM current_withheld UNION ALL BY NAME SELECT * FROM row_values
      UNION ALL BY NAME SELECT * FROM unmatched) w
ORDER BY issuer_id, fiscal_year, metric_id NULLS LAST, breakdown NULLS FIRST, source_document,
         source_line, check_name, message
"""


def withheld_fact(a: str) -> str:
    """SQL: fact `a` of core.facts is withheld this refresh."""
    return f"EXISTS (SELECT 1 FROM _withheld_facts w WHERE w.is_fact AND {same_fact(a, 'w')})"


def withheld_key(a: str) -> str:
    """SQL: the current fact of `a`'s key (issuer, year, metric, breakdown) is withheld, so an
    earlier publish of the key stays."""
    return f"""EXISTS (SELECT 1 FROM _withheld_facts w JOIN core.facts c ON {same_fact("c", "w")}
        WHERE w.is_fact AND c.is_current AND w.issuer_id = {a}.issuer_id
          AND w.fiscal_year = {a}.fiscal_year AND w.metric_id = {a}.metric_id
          AND w.breakdown IS NOT DISTINCT FROM {a}.breakdown)"""


def decide(conn) -> None:
    """Temp tables _targets, _withheld (issuer-years) and _withheld_facts for this refresh."""
    for sql in (TARGETS_SQL, REPORT_YEARS_SQL, WITHHELD_YEARS_SQL, WITHHELD_FACTS_SQL):
        conn.execute(sql)


def write(conn, scope: Scope) -> None:
    """mart.withheld_facts for the issuers in scope (after _carried is built)."""
    conn.execute(WITHHELD_FACTS.ddl(replace=False))
    if scope.everything:
        conn.execute(WITHHELD_FACTS.ddl())
    else:
        conn.execute(f"DELETE FROM mart.withheld_facts WHERE {scope.where()}")
    cols = ", ".join(WITHHELD_FACTS.column_names)
    conn.execute(
        f"INSERT INTO mart.withheld_facts ({cols}) SELECT {cols} FROM ({WITHHELD_FACTS_SELECT})"
    )
    for stmt in comment_statements(WITHHELD_FACTS):
        conn.execute(stmt)


def drop(conn) -> None:
    for name in ("_targets", "_report_years", "_withheld", "_withheld_facts"):
        conn.execute(f"DROP TABLE IF EXISTS {name}")
