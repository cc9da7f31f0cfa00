"""core: raw values -> mapped, converted values -> canonical facts (reported and derived).

Nothing is dropped: core.mapped_values has one row per raw value with its mapping and
conversion outcome; core.unmapped_values lists what no rule recognised, for an analyst to extend
ref/label_map.csv.
"""

import re

import dagster as dg
import duckdb
import pandas as pd
from dagster_duckdb import DuckDBResource

from assets import mapping, quality, reference, scope2_methods, units
from assets.core_checks import CORE_FACT_CHECKS
from assets.gx_validation import GreatExpectationsResource, suite_check
from assets.precision import PRINTED_DIGITS_SQL, ROUNDING_SQL
from assets.quality import ERROR, ROW, WARN, issuer_scoped, schema_check, sql_check
from assets.scope import Scope, in_scope, mark_ref_data, pending, replace_rows
from assets.tables import tables
from assets.units import clean_sql
from orchestration.settings import WAREHOUSE_POOL

MAPPING_VOCABULARY = [["ref", n] for n in ("metrics", "label_map", "unit_aliases")]
CONVERSION_VOCABULARY = [["ref", "conversion_factors"]]


WORDING = ("label", "table_title", "column_header", "unit", "metric_hint")
RESOLVED = ("mapping_status", "mapping_rule", "metric_id", "breakdown", "conversion_status",
            "factor", "canonical_unit", "assumption", "money")  # fmt: skip


# a Scope 2 method a reader took from a note that says what the figure would be by one method
# ('[location-based method (note 1, line 22)]', grid.py): recorded as the value's assumption
_METHOD_BY_NOTE = re.compile(r"\[((?:market|location)-based) method \(note (\w+), line (\d+)\)\]")


def _method_by_note(table_title: str | None) -> str | None:
    m = _METHOD_BY_NOTE.search(table_title or "")
    if not m:
        return None
    return (
        f"{m.group(1)} Scope 2 from note {m.group(2)} on line {m.group(3)}, which states what the "
        "report year's figure would be by one method (the table prints the other)"
    )


def resolve_wording(
    label: str | None,
    table_title: str | None,
    column_header: str | None,
    unit: str | None,
    metric_hint: str | None,
) -> dict:
    """How one printed wording maps to a metric and converts to its canonical unit.

    Every row that prints the same wording maps the same way, so rules and pint run once per
    distinct wording, not once per value; the conversion is a factor (all units here are
    linear) that SQL applies to every value.
    """
    if metric_hint:
        res = mapping.Resolution(metric_hint, "prose", None, "mapped")
    else:
        res = mapping.resolve(label, table_title, column_header, unit)
    out = dict.fromkeys(RESOLVED) | {
        "mapping_status": res.status,
        "mapping_rule": res.rule_id,
        "metric_id": res.metric_id,
        "breakdown": res.breakdown,
        "money": False,
    }
    if res.metric_id is None:
        return out
    conv = units.unit_conversion(unit, res.metric_id)
    return out | {
        "conversion_status": conv.status,
        "factor": conv.value,
        "canonical_unit": conv.unit,
        "assumption": "; ".join(a for a in (conv.assumption, _method_by_note(table_title)) if a)
        or None,
        "money": reference.metrics()[res.metric_id].pint_unit == units.CURRENCY,
    }


MAPPED_SELECT = f"""
SELECT r.document, r.source_document, r.line_number, r.page, r.issuer_id,
       coalesce(r.year, r.report_fiscal_year) AS fiscal_year,
       CASE WHEN r.year IS NULL THEN 'report' ELSE 'printed' END AS year_source,
       r.extractor, r.table_title, r.column_header, r.label, r.unit, r.value_text, r.value,
       r.not_reported, w.mapping_status, w.mapping_rule, w.metric_id, w.breakdown,
       CASE WHEN w.metric_id IS NULL THEN NULL
            WHEN r.not_reported THEN 'not_reported'
            -- money keeps its printed currency: it must be the one the metadata names (a code,
            -- as landing reads it: RMB -> CNY)
            WHEN w.money AND w.conversion_status = 'ok'
                 AND w.canonical_unit <> coalesce(d.currency, w.canonical_unit)
            THEN 'other_currency'
            ELSE w.conversion_status END
           AS conversion_status,
       CASE WHEN NOT r.not_reported THEN {clean_sql("r.value * w.factor")} END AS canonical_value,
       CASE WHEN NOT r.not_reported THEN w.canonical_unit END AS canonical_unit,
       CASE WHEN NOT r.not_reported THEN w.assumption END AS assumption
FROM {in_scope("raw.reported_values")} r
JOIN _wording w ON {" AND ".join(f"r.{c} IS NOT DISTINCT FROM w.{c}" for c in WORDING)}
LEFT JOIN raw.report_documents d ON w.money AND d.document = r.document
"""


def map_values(conn: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    """raw.reported_values -> core.mapped_values: every raw value of the issuers in scope with
    its mapping outcome."""
    wordings = conn.execute(
        f"SELECT DISTINCT {', '.join(WORDING)} FROM {in_scope('raw.reported_values')}"
    ).fetchall()
    resolved = pd.DataFrame(
        [dict(zip(WORDING, w, strict=True)) | resolve_wording(*w) for w in wordings],
        columns=[*WORDING, *RESOLVED],
    )
    conn.register("_wording", resolved)
    try:
        replace_rows(conn, "core.mapped_values", MAPPED_SELECT, scope)
    finally:
        conn.unregister("_wording")
    set_apart_other_boundaries(conn, {w[WORDING.index("table_title")] for w in wordings})


# A table whose title widens the report's boundary (a `_boundary` rule of label_map: '(includes
# joint ventures)') and gives a key a value that differs from the one another table of the
# document prints under an unqualified title is another boundary's table: all its values are
# ignored (recorded under the rule), so the unqualified figures publish. Alone, where it agrees,
# or against a figure in a sentence (a text reader's: perhaps a subset), it is read as usual.
TEXT_READERS = ("prose", "multi_year_text")
OTHER_BOUNDARY_SQL = f"""
UPDATE core.mapped_values AS m SET mapping_status = 'ignored', mapping_rule = a.rule_id
FROM (
    SELECT DISTINCT q.source_document, q.table_title, b.rule_id
    FROM {in_scope("core.mapped_values")} q
    JOIN _boundary_titles b ON b.table_title = q.table_title
    JOIN {in_scope("core.mapped_values")} u
      ON u.issuer_id = q.issuer_id AND u.fiscal_year = q.fiscal_year
     AND u.metric_id = q.metric_id AND u.breakdown IS NOT DISTINCT FROM q.breakdown
     AND u.source_document = q.source_document AND u.canonical_value <> q.canonical_value
    WHERE q.mapping_status = 'mapped' AND q.conversion_status = 'ok'
      AND u.mapping_status = 'mapped' AND u.conversion_status = 'ok'
      AND u.extractor NOT IN {TEXT_READERS}
      AND NOT EXISTS (SELECT 1 FROM _boundary_titles x WHERE x.table_title = u.table_title)
) a
WHERE m.source_document = a.source_document AND m.table_title = a.table_title
  AND m.mapping_status = 'mapped'
"""


def set_apart_other_boundaries(conn: duckdb.DuckDBPyConnection, titles: set[str | None]) -> None:
    """Ignore the values of another boundary's tables that disagree with the document's own
    figures (OTHER_BOUNDARY_SQL); `titles` are the table titles of the values in scope."""
    marked = []
    for title in filter(None, titles):
        words = mapping.normalise(title)
        rule = next((r for r in reference.boundary_rules() if r.table_pattern.search(words)), None)
        if rule is not None:
            marked.append((title, rule.rule_id))
    if not marked:
        return
    conn.register("_boundary_titles", pd.DataFrame(marked, columns=["table_title", "rule_id"]))
    try:
        conn.execute(OTHER_BOUNDARY_SQL)
    finally:
        conn.unregister("_boundary_titles")


# The fact the mart publishes for a key: the latest report's; a printed total before a derived
# one; then the first document and line. Checks that relate metrics judge these same facts.
CURRENT_ORDER = "report_fiscal_year DESC, basis = 'derived', source_document, source_line"

FACTS_SELECT = f"""
WITH printed AS (
    SELECT issuer_id, fiscal_year, metric_id, breakdown, canonical_value AS value,
           canonical_unit AS unit, value_text AS reported_value, unit AS reported_unit,
           source_document, line_number AS source_line, page AS source_page, assumption,
           count(*) OVER (PARTITION BY issuer_id, fiscal_year, metric_id, breakdown,
                          canonical_value, canonical_unit, source_document) AS copies
    FROM {in_scope("core.mapped_values")}
    WHERE mapping_status = 'mapped' AND conversion_status = 'ok'
),
-- A value printed twice alike in one document (a table and the prose) is one fact: its first
-- line is the source, every line that printed it is in derived_from_lines. Values that differ
-- stay apart (one_value_per_source names them). Most values are printed once: only the
-- others are grouped (lists for 1.6 M values cost more than the rest of the step).
reported AS (
    SELECT issuer_id, fiscal_year, metric_id, breakdown, value, unit, reported_value,
           reported_unit, 'reported' AS basis, source_document, source_line, source_page,
           NULL::INTEGER[] AS lines, NULL::VARCHAR AS derived_from_lines, assumption
    FROM printed WHERE copies = 1
    UNION ALL
    SELECT issuer_id, fiscal_year, metric_id, breakdown, value, unit,
           arg_min(reported_value, source_line), arg_min(reported_unit, source_line),
           'reported', source_document, min(source_line), arg_min(source_page, source_line),
           list_sort(list_distinct(list(source_line))),
           array_to_string(list_sort(list_distinct(list(source_line))), ','),
           arg_min(assumption, source_line)
    FROM printed WHERE copies > 1
    GROUP BY issuer_id, fiscal_year, metric_id, breakdown, value, unit, source_document
),
-- How precisely each value was printed (assets/precision.py says why); a derived total
-- carries the sum of its parts' rounding.
reported_rounded AS (
    SELECT f.*, {ROUNDING_SQL} AS printed_rounding
    FROM (SELECT *, {PRINTED_DIGITS_SQL} AS printed_digits FROM reported) f
),
-- A part printed as 'not reported': summing the others would understate the total.
incomplete AS (
    SELECT DISTINCT issuer_id, fiscal_year, metric_id, source_document
    FROM {in_scope("core.mapped_values")}
    WHERE mapping_status = 'mapped' AND not_reported AND breakdown IS NOT NULL
),
-- Totals of summable metrics whose report prints only the parts: the groups are found first,
-- on their keys, and only their rows aggregated (3 s less on 1.7 M facts than aggregating every
-- group's lists and keeping those without a total; no DISTINCT aggregate, which costs another
-- grouping).
derivable AS (
    SELECT r.issuer_id, r.fiscal_year, r.metric_id, r.source_document
    FROM reported_rounded r
    JOIN ref.metrics m ON m.metric_id = r.metric_id AND m.aggregation = 'sum'
    GROUP BY ALL HAVING bool_and(r.breakdown IS NOT NULL)
),
derived AS (
    SELECT r.issuer_id, r.fiscal_year, r.metric_id, NULL::VARCHAR AS breakdown,
           {clean_sql("sum(r.value)")} AS value, any_value(r.unit) AS unit,
           NULL::VARCHAR AS reported_value, NULL::VARCHAR AS reported_unit,
           'derived' AS basis, r.source_document, min(r.source_line) AS source_line,
           arg_min(r.source_page, r.source_line) AS source_page,
           NULL::INTEGER[] AS lines,
           array_to_string(list_sort(list_distinct(flatten(list(
               coalesce(r.lines, [r.source_line]))))), ',') AS derived_from_lines,
           nullif(array_to_string(list_sort(list_distinct(list(r.assumption))), '; '), '')
               AS assumption,
           NULL::VARCHAR AS printed_digits, sum(r.printed_rounding) AS printed_rounding
    FROM reported_rounded r SEMI JOIN derivable d
      ON r.issuer_id = d.issuer_id AND r.fiscal_year = d.fiscal_year
     AND r.metric_id = d.metric_id AND r.source_document = d.source_document
    GROUP BY r.issuer_id, r.fiscal_year, r.metric_id, r.source_document
),
-- Scope 2 by method summed from its carriers (assets/scope2_methods.py), unless the issuer-year
-- prints a Scope 2 total of that method or one without a method (read or not), but for a total
-- printed right above the carriers that equals one method's sum (confirmed_by_total); Scope 2
-- without a method, unless it prints any Scope 2 total or a carrier by method.
scope2_printed AS (
    SELECT DISTINCT issuer_id, fiscal_year, metric_id FROM {in_scope("core.mapped_values")}
    WHERE mapping_status = 'mapped' AND metric_id LIKE 'ghg.scope2%'
    UNION
    SELECT DISTINCT issuer_id, fiscal_year, 'ghg.scope2_by_carrier' FROM
    {in_scope("core.mapped_values")}
    WHERE mapping_rule IN ('scope2_carrier_location', 'scope2_carrier_market')
),
by_carrier AS (
    SELECT c.issuer_id, c.fiscal_year::INTEGER AS fiscal_year, c.metric_id, NULL::VARCHAR,
           c.value::DOUBLE, c.unit, NULL::VARCHAR, NULL::VARCHAR, 'derived',
           c.source_document, c.source_line::INTEGER, c.source_page::INTEGER,
           NULL::INTEGER[], c.derived_from_lines, c.assumption, NULL::VARCHAR,
           c.printed_rounding::DOUBLE
    FROM _scope2_by_carrier c
    WHERE NOT EXISTS (SELECT 1 FROM scope2_printed p
                      WHERE p.issuer_id = c.issuer_id AND p.fiscal_year = c.fiscal_year
                        AND (p.metric_id = c.metric_id OR c.metric_id = 'ghg.scope2'
                             OR (p.metric_id = 'ghg.scope2' AND NOT c.confirmed_by_total)))
),
facts AS (
    SELECT * FROM reported_rounded
    UNION ALL
    SELECT * FROM by_carrier
    UNION ALL
    SELECT d.* FROM derived d ANTI JOIN incomplete i
        ON i.issuer_id = d.issuer_id AND i.fiscal_year = d.fiscal_year
       AND i.metric_id = d.metric_id AND i.source_document = d.source_document
),
dated AS (  -- each fact beside the fiscal year of the report that printed it
    SELECT f.*, doc.fiscal_year AS report_fiscal_year
    FROM facts f
    LEFT JOIN raw.report_documents doc
        ON doc.source_document = f.source_document AND doc.status = 'loaded'
)
SELECT * EXCLUDE (printed_digits, printed_rounding, lines),
       coalesce(printed_rounding, 0.0) AS rounding,
       row_number() OVER (PARTITION BY issuer_id, fiscal_year, metric_id, breakdown
                          ORDER BY {CURRENT_ORDER}) = 1 AS is_current
FROM dated
"""


def build_facts(conn: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    """core.mapped_values -> core.facts for the issuers in scope: reported facts plus totals
    derived from their parts."""
    candidates = conn.execute(
        scope2_methods.CANDIDATES_SQL.format(
            mapped=in_scope("core.mapped_values"),
            rules=", ".join(f"'{r}'" for r in scope2_methods.CARRIER_RULES),
        )
    ).df()
    conn.register("_scope2_by_carrier", scope2_methods.derive(candidates))
    try:
        replace_rows(conn, "core.facts", FACTS_SELECT, scope)
    finally:
        conn.unregister("_scope2_by_carrier")


ONE_VALUE_PER_SOURCE_SQL = f"""
WITH usable AS (
    SELECT * FROM {in_scope("core.mapped_values")}
    WHERE mapping_status = 'mapped' AND conversion_status = 'ok'
), differing AS (  -- cheap test first: messages only for the groups that fail
    SELECT issuer_id, fiscal_year, metric_id, breakdown, source_document
    FROM usable GROUP BY ALL HAVING min(canonical_value) <> max(canonical_value)
)
SELECT v.issuer_id, v.fiscal_year, v.metric_id, v.breakdown, v.source_document,
       min(v.line_number) AS source_line,
       v.metric_id || coalesce(' [' || v.breakdown || ']', '') || ' ' || v.fiscal_year
       || ' has different values in ' || v.source_document || ': '
       || string_agg(v.value_text || ' ' || coalesce(v.unit, '') || ' (line '
                     || v.line_number || ')', ', ' ORDER BY v.line_number) AS message
FROM usable v JOIN differing d
  ON v.issuer_id = d.issuer_id AND v.fiscal_year = d.fiscal_year
 AND v.metric_id = d.metric_id AND v.breakdown IS NOT DISTINCT FROM d.breakdown
 AND v.source_document = d.source_document
GROUP BY v.issuer_id, v.fiscal_year, v.metric_id, v.breakdown, v.source_document
ORDER BY ALL
"""
MAPPED = ("core", "mapped_values")
MAPPED_CHECKS = [
    sql_check(
        "units_convertible",
        MAPPED,
        ERROR,
        "Every mapped value's printed unit is known and convertible to its metric's canonical"
        " unit.",
        """SELECT issuer_id, fiscal_year, metric_id, source_document, line_number AS source_line,
                  source_document || ' line ' || line_number || ': unit '
                  || coalesce('''' || unit || '''', '(none)') || ' of ''' || label || ''' is '
                  || CASE conversion_status WHEN 'unknown_unit' THEN 'not a known unit'
                     WHEN 'other_currency' THEN 'not the currency its metadata names (no'
                                                || ' exchange rate is assumed)'
                     ELSE 'not convertible to the canonical unit of ' || metric_id END
                  AS message
           FROM core.mapped_values
           WHERE conversion_status IN ('unknown_unit', 'incompatible_unit', 'other_currency')
           ORDER BY ALL""",
        withholds=ROW,  # that row's value only: the issuer-year's other facts publish
    ),
    issuer_scoped(
        sql_check(
            "one_value_per_source",
            MAPPED,
            ERROR,
            "A source document gives one value per issuer, year, metric and breakdown: when it"
            " gives two, that key is withheld (every line that printed it is named).",
            ONE_VALUE_PER_SOURCE_SQL,
        )
    ),
    schema_check("core.mapped_values", MAPPED),
]
UNMAPPED_CHECKS = [
    sql_check(
        "no_unmapped_values",
        ("core", "unmapped_values"),
        WARN,
        "Every extracted value maps to a metric or is explicitly ignored by a label rule.",
        """SELECT issuer_id, fiscal_year, source_document, line_number AS source_line,
                  source_document || ' line ' || line_number || ': no rule for label '''
                  || label || ''' (' || coalesce(unit, 'no unit') || ')' AS message
           FROM core.unmapped_values ORDER BY ALL""",
    ),
]
FACT_CHECKS = [*CORE_FACT_CHECKS, schema_check("core.facts", ("core", "facts"))]
GX_SUITE = "core_facts"


@dg.asset(
    key=["core", "mapped_values"],
    deps=[["raw", "report_documents"], *MAPPING_VOCABULARY, *CONVERSION_VOCABULARY],
    group_name="core",
    pool=WAREHOUSE_POOL,
    kinds={"duckdb", "pandas"},
    description=tables()["core.mapped_values"].description,
    check_specs=quality.specs(MAPPED_CHECKS),
)
def core_mapped_values(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    with duckdb.get_connection() as conn:
        mark_ref_data(conn, context.run_id)
        scope = pending(conn)
        with scope.registered(conn):
            map_values(conn, scope)
            checked = list(quality.evaluate(conn, MAPPED_CHECKS, context.run_id, scope=scope))
        counts = dict(
            conn.execute(
                "SELECT mapping_status, count(*) FROM core.mapped_values GROUP BY ALL"
            ).fetchall()
        )
    yield dg.MaterializeResult(metadata={"rows": sum(counts.values()), **counts})
    yield from checked


@dg.asset(
    key=["core", "unmapped_values"],
    deps=[["core", "mapped_values"]],
    group_name="core",
    pool=WAREHOUSE_POOL,
    kinds={"duckdb"},
    description="View: raw values no label rule recognised (extend warehouse/ref/label_map.csv).",
    check_specs=quality.specs(UNMAPPED_CHECKS),
)
def core_unmapped_values(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    with duckdb.get_connection() as conn:
        conn.execute(
            """
            CREATE OR REPLACE VIEW core.unmapped_values AS
            SELECT document, source_document, line_number, issuer_id, fiscal_year, extractor,
                   table_title, column_header, label, unit, value_text
            FROM core.mapped_values
            WHERE mapping_status = 'unmapped'
            ORDER BY document, line_number, fiscal_year
            """
        )
        n = conn.execute("SELECT count(*) FROM core.unmapped_values").fetchall()[0][0]
        checked = list(quality.evaluate(conn, UNMAPPED_CHECKS, context.run_id))
    yield dg.MaterializeResult(metadata={"rows": n})
    yield from checked


MAX_COVERAGE_ROWS_SHOWN = 50  # in the UI; SQL users have the whole view
COVERAGE_VIEW = """
CREATE OR REPLACE VIEW core.document_coverage AS
WITH mentioned AS (
    SELECT m.document, m.metric_id, min(m.line_number) AS line_number
    FROM raw.label_mentions m
    WHERE NOT EXISTS (SELECT 1 FROM core.mapped_values v
                      WHERE v.document = m.document AND v.metric_id = m.metric_id)
    GROUP BY ALL
)
SELECT d.report, d.document, d.issuer_id, d.fiscal_year, d.status,
       count(DISTINCT v.line_number) AS numeric_rows,
       count(v.line_number) AS values_found,
       count(v.line_number) FILTER (WHERE v.mapping_status = 'mapped') AS mapped,
       count(v.line_number) FILTER (WHERE v.mapping_status = 'unmapped') AS unmapped,
       count(v.line_number) FILTER (WHERE v.mapping_status = 'ignored') AS ignored,
       count(v.line_number) FILTER (WHERE v.not_reported) AS not_reported,
       count(v.line_number) FILTER (WHERE v.conversion_status IN ('unknown_unit',
                                                                  'incompatible_unit'))
           AS unit_errors,
       string_agg(DISTINCT v.label, '; ' ORDER BY v.label)
           FILTER (WHERE v.mapping_status = 'unmapped') AS unmapped_labels,
       (SELECT string_agg(m.metric_id || ' (line ' || m.line_number || ')', '; '
                          ORDER BY m.metric_id)
        FROM mentioned m WHERE m.document = d.document) AS labels_without_numbers,
       (SELECT count(DISTINCT e.line_number) FROM raw.load_errors e
        WHERE e.document = d.document AND e.line_number IS NOT NULL) AS unread_rows
FROM raw.report_documents d
LEFT JOIN core.mapped_values v ON v.document = d.document
GROUP BY d.report, d.document, d.issuer_id, d.fiscal_year, d.status
ORDER BY d.report
"""


@dg.asset(
    key=["core", "document_coverage"],
    deps=[
        ["core", "mapped_values"],
        ["raw", "report_documents"],
    ],
    group_name="core",
    pool=WAREHOUSE_POOL,
    kinds={"duckdb"},
    description="View: per document, rows values were read from, mapped, unmapped (with labels),"
    " KPI labels named without numbers, and rows left unread (in raw.load_errors).",
)
def core_document_coverage(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn, pending(conn).registered(conn):
        conn.execute(COVERAGE_VIEW)
        rows = conn.execute(  # the documents of the issuers this run changed, if it knows
            f"SELECT * FROM {in_scope('core.document_coverage')}"
            f" LIMIT {MAX_COVERAGE_ROWS_SHOWN + 1}"
        ).df()
    shown = rows.head(MAX_COVERAGE_ROWS_SHOWN).to_markdown(index=False)
    if len(rows) > MAX_COVERAGE_ROWS_SHOWN:
        shown += f"\n\n(first {MAX_COVERAGE_ROWS_SHOWN} documents; all in core.document_coverage)"
    return dg.MaterializeResult(metadata={"coverage": dg.MetadataValue.md(shown)})


@dg.asset(
    key=["core", "facts"],
    deps=[["core", "mapped_values"], ["raw", "report_documents"], ["ref", "metrics"]],
    group_name="core",
    pool=WAREHOUSE_POOL,
    kinds={"duckdb", "pandas"},
    description=tables()["core.facts"].description,
    check_specs=quality.specs([*FACT_CHECKS, suite_check(GX_SUITE)]),
)
def core_facts(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, gx: GreatExpectationsResource
):
    with duckdb.get_connection() as conn:
        scope = pending(conn)
        checks = [*FACT_CHECKS, suite_check(GX_SUITE, gx)]
        with scope.registered(conn):
            build_facts(conn, scope)
            checked = list(quality.evaluate(conn, checks, context.run_id, scope=scope))
        rows, derived = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE basis = 'derived') FROM core.facts"
        ).fetchone()
    yield dg.MaterializeResult(
        metadata={
            "rows": rows,
            "derived": derived,
            "gx_data_docs": dg.MetadataValue.path(str(gx.docs_index)),
        }
    )
    yield from checked
