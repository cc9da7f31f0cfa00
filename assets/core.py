"""core: raw values -> mapped, converted values -> canonical facts (reported and derived).

Nothing is dropped: core.mapped_values has one row per raw value with its mapping and
conversion outcome; core.unmapped_values lists what no rule recognised, for an analyst to extend
ref/label_map.csv.
"""

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from assets import mapping, quality, reference, units
from assets.core_checks import CORE_FACT_CHECKS
from assets.gx_validation import GreatExpectationsResource, suite_check
from assets.precision import with_rounding
from assets.quality import ERROR, WARN, schema_check, sql_check
from assets.tables import tables, write_tables

MAPPING_VOCABULARY = [["ref", n] for n in ("metrics", "label_map", "unit_aliases")]
CONVERSION_VOCABULARY = [["ref", "conversion_factors"]]


def map_value(row: dict) -> dict:
    """Map one raw value to its metric and convert it to the canonical unit."""
    out = {k: row[k] for k in tables()["core.mapped_values"].column_names if k in row}
    printed_year = row["year"]
    out["fiscal_year"] = int(printed_year) if pd.notna(printed_year) else row["report_fiscal_year"]
    out["year_source"] = "printed" if pd.notna(printed_year) else "report"
    if row["metric_hint"]:
        res = mapping.Resolution(row["metric_hint"], "prose", None, "mapped")
    else:
        res = mapping.resolve(row["label"], row["table_title"], row["column_header"], row["unit"])
    out |= {
        "mapping_status": res.status,
        "mapping_rule": res.rule_id,
        "metric_id": res.metric_id,
        "breakdown": res.breakdown,
    }
    if res.metric_id is None:
        return out
    if row["not_reported"]:
        return out | {"conversion_status": "not_reported"}
    conv = units.convert(row["value"], row["unit"], res.metric_id)
    return out | {
        "conversion_status": conv.status,
        "canonical_value": conv.value,
        "canonical_unit": conv.unit,
        "assumption": conv.assumption or None,
    }


def map_values(raw: pd.DataFrame) -> pd.DataFrame:
    rows = raw.astype(object).where(raw.notna(), None).to_dict("records")
    return pd.DataFrame(
        [map_value(r) for r in rows], columns=tables()["core.mapped_values"].column_names
    )


def _join(values: pd.Series) -> str | None:
    parts = sorted({str(v) for v in values if v is not None and pd.notna(v)})
    return "; ".join(parts) or None


def build_facts(mapped: pd.DataFrame, report_years: dict[str, int]) -> pd.DataFrame:
    """Reported facts, plus totals derived from their parts where the report prints only parts."""
    ok = mapped[(mapped["mapping_status"] == "mapped") & (mapped["conversion_status"] == "ok")]
    reported = pd.DataFrame(
        {
            "issuer_id": ok["issuer_id"],
            "fiscal_year": ok["fiscal_year"],
            "metric_id": ok["metric_id"],
            "breakdown": ok["breakdown"],
            "value": ok["canonical_value"],
            "unit": ok["canonical_unit"],
            "reported_value": ok["value_text"],
            "reported_unit": ok["unit"],
            "basis": "reported",
            "source_document": ok["source_document"],
            "source_line": ok["line_number"],
            "derived_from_lines": None,
            "assumption": ok["assumption"],
        }
    )
    summable = {m for m, spec in reference.metrics().items() if spec.aggregation == "sum"}
    key = ["issuer_id", "fiscal_year", "metric_id", "source_document"]
    missing_parts = mapped[
        (mapped["mapping_status"] == "mapped")
        & mapped["not_reported"].astype(bool)
        & mapped["breakdown"].notna()
    ]
    incomplete = set(missing_parts[key].itertuples(index=False, name=None))
    derived = []
    for (issuer, year, metric, doc), group in reported.groupby(key, dropna=False):
        if metric not in summable or group["breakdown"].isna().any():
            continue  # not a flow/stock, or the report prints its own total
        if (issuer, year, metric, doc) in incomplete:
            continue  # a part is 'not reported': its sum would understate the total
        derived.append(
            {
                "issuer_id": issuer,
                "fiscal_year": year,
                "metric_id": metric,
                "breakdown": None,
                "value": float(f"{group['value'].sum():.12g}"),
                "unit": group["unit"].iloc[0],
                "reported_value": None,
                "reported_unit": None,
                "basis": "derived",
                "source_document": doc,
                "source_line": int(group["source_line"].min()),
                "derived_from_lines": ",".join(str(n) for n in sorted(set(group["source_line"]))),
                "assumption": _join(group["assumption"]),
            }
        )
    facts = (
        pd.concat([reported, pd.DataFrame(derived, columns=reported.columns)])
        if derived
        else reported.copy()
    )
    facts["report_fiscal_year"] = facts["source_document"].map(report_years)
    facts = with_rounding(facts)
    order = ["issuer_id", "fiscal_year", "metric_id", "breakdown", "source_document"]
    return facts.sort_values(order, na_position="first").reset_index(drop=True)


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
                     ELSE 'not convertible to the canonical unit of ' || metric_id END
                  AS message
           FROM core.mapped_values
           WHERE conversion_status IN ('unknown_unit', 'incompatible_unit')
           ORDER BY ALL""",
    ),
    sql_check(
        "one_value_per_source",
        MAPPED,
        ERROR,
        "A source document gives one value per issuer, year, metric and breakdown.",
        """SELECT issuer_id, fiscal_year, metric_id, source_document,
                  min(line_number) AS source_line,
                  metric_id || coalesce(' [' || breakdown || ']', '') || ' ' || fiscal_year
                  || ' has different values in ' || source_document || ': '
                  || string_agg(value_text || ' ' || coalesce(unit, '') || ' (line '
                                || line_number || ')', ', ' ORDER BY line_number) AS message
           FROM core.mapped_values
           WHERE mapping_status = 'mapped' AND conversion_status = 'ok'
           GROUP BY issuer_id, fiscal_year, metric_id, breakdown, source_document
           HAVING count(DISTINCT canonical_value) > 1
           ORDER BY ALL""",
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
    deps=[["raw", "reported_values"], *MAPPING_VOCABULARY, *CONVERSION_VOCABULARY],
    group_name="core",
    kinds={"duckdb", "pandas"},
    description=tables()["core.mapped_values"].description,
    check_specs=quality.specs(MAPPED_CHECKS),
)
def core_mapped_values(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    with duckdb.get_connection() as conn:
        raw = conn.execute("SELECT * FROM raw.reported_values").df()
        mapped = map_values(raw)
        write_tables(conn, {"core.mapped_values": mapped})
        checked = list(quality.evaluate(conn, MAPPED_CHECKS, context.run_id))
    counts = mapped["mapping_status"].value_counts().to_dict()
    yield dg.MaterializeResult(
        metadata={"rows": len(mapped), **{k: int(v) for k, v in counts.items()}}
    )
    yield from checked


@dg.asset(
    key=["core", "unmapped_values"],
    deps=[["core", "mapped_values"]],
    group_name="core",
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
        FROM mentioned m WHERE m.document = d.document) AS labels_without_numbers
FROM raw.report_documents d
LEFT JOIN core.mapped_values v ON v.document = d.document
GROUP BY d.report, d.document, d.issuer_id, d.fiscal_year, d.status
ORDER BY d.report
"""


@dg.asset(
    key=["core", "document_coverage"],
    deps=[["core", "mapped_values"], ["raw", "label_mentions"], ["raw", "report_documents"]],
    group_name="core",
    kinds={"duckdb"},
    description="View: per document, numeric rows found, mapped, unmapped (with labels), and KPI"
    " labels named without numbers.",
)
def core_document_coverage(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn:
        conn.execute(COVERAGE_VIEW)
        rows = conn.execute("SELECT * FROM core.document_coverage").df()
    return dg.MaterializeResult(
        metadata={"coverage": dg.MetadataValue.md(rows.to_markdown(index=False))}
    )


@dg.asset(
    key=["core", "facts"],
    deps=[["core", "mapped_values"], ["raw", "report_documents"], ["ref", "metrics"]],
    group_name="core",
    kinds={"duckdb", "pandas"},
    description=tables()["core.facts"].description,
    check_specs=quality.specs([*FACT_CHECKS, suite_check(GX_SUITE)]),
)
def core_facts(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, gx: GreatExpectationsResource
):
    with duckdb.get_connection() as conn:
        mapped = conn.execute("SELECT * FROM core.mapped_values").df()
        years = dict(
            conn.execute(
                "SELECT source_document, fiscal_year FROM raw.report_documents"
                " WHERE status = 'loaded'"
            ).fetchall()
        )
        facts = build_facts(mapped, years)
        write_tables(conn, {"core.facts": facts})
        checks = [*FACT_CHECKS, suite_check(GX_SUITE, gx)]
        checked = list(quality.evaluate(conn, checks, context.run_id))
    yield dg.MaterializeResult(
        metadata={
            "rows": len(facts),
            "derived": int((facts["basis"] == "derived").sum()),
            "gx_data_docs": dg.MetadataValue.path(str(gx.docs_index)),
        }
    )
    yield from checked
