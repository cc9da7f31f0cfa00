"""raw: landing folder -> raw.report_documents, raw.reported_values, raw.load_errors.

Values are kept exactly as printed, with document and line. A report that cannot be read is
recorded as rejected (with the rule and reason) and the others still load.
"""

from pathlib import Path

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from assets import landing, quality
from assets.extract import document
from assets.quality import ERROR, schema_check, sql_check
from assets.tables import tables, write_tables
from orchestration.resources import LandingFolder

EXTRACTION_VOCABULARY = [["ref", "label_map"], ["ref", "unit_aliases"], ["ref", "prose_patterns"]]


def _error(doc: str, line: int | None, rule: str, message: str) -> dict:
    return {"document": doc, "line_number": line, "rule": rule, "message": message}


def load_landing(folder: Path, max_bytes: int) -> dict[str, pd.DataFrame]:
    """Read every report pair in the folder into the three raw tables (as DataFrames)."""
    docs, values, errors = [], [], []
    for report in landing.scan(folder):
        row: dict = {"document": report.document_name, "status": "loaded", "format": report.fmt}
        row["metadata_file"] = report.metadata_file.name if report.metadata_file else None
        try:
            if report.problems:
                rule, message = report.problems[0]
                raise landing.RejectedReport(rule, message)
            meta = landing.read_metadata(report.metadata_file, max_bytes)
            text, row["sha256"], row["size_bytes"] = landing.read_document(
                report.document, max_bytes
            )
            row |= meta
            row["source_document"] = meta["source_document"] or row["document"]
            extracted, row_errors = document.extract(text, report.fmt)
        except landing.RejectedReport as exc:
            docs.append(row | {"status": "rejected", "error": f"{exc.rule}: {exc}"})
            errors.append(_error(row["document"], None, exc.rule, str(exc)))
            continue
        errors += [_error(row["document"], e.line_number, e.rule, e.message) for e in row_errors]
        docs.append(row)
        base = {
            "document": row["document"],
            "source_document": row["source_document"],
            "issuer_id": meta["issuer_id"],
            "report_fiscal_year": meta["fiscal_year"],
        }
        values += [base | v.as_row() for v in extracted]
    frames = {
        "raw.report_documents": docs,
        "raw.reported_values": values,
        "raw.load_errors": errors,
    }
    return {
        name: pd.DataFrame(rows, columns=tables()[name].column_names)
        for name, rows in frames.items()
    }


RAW_CHECKS = [
    sql_check(
        "documents_readable",
        ["raw", "report_documents"],
        ERROR,
        "Every landing report has valid metadata and a readable document (not empty, binary,"
        " oversized or mis-encoded); a rejected one is named with the reason.",
        """SELECT d.issuer_id, d.fiscal_year, d.document AS source_document,
                  e.line_number AS source_line, d.document || ': ' || d.error AS message
           FROM raw.report_documents d
           LEFT JOIN raw.load_errors e ON e.document = d.document
           WHERE d.status = 'rejected' ORDER BY d.document""",
    ),
    sql_check(
        "rows_readable",
        ["raw", "load_errors"],
        ERROR,
        "Every row of a KPI table is readable (label, number, integer line and year).",
        """SELECT d.issuer_id, d.fiscal_year, e.document AS source_document,
                  e.line_number AS source_line,
                  e.document || ' line ' || e.line_number || ' [' || e.rule || ']: ' || e.message
                  AS message
           FROM raw.load_errors e JOIN raw.report_documents d USING (document)
           WHERE d.status = 'loaded' ORDER BY ALL""",
    ),
    sql_check(
        "years_in_range",
        ["raw", "reported_values"],
        ERROR,
        "A printed year is a real year and no actual value lies after the report period"
        " (targets may).",
        """SELECT v.issuer_id, v.year AS fiscal_year, v.source_document,
                  v.line_number AS source_line,
                  v.source_document || ' line ' || v.line_number || ': year ' || v.year
                  || CASE WHEN v.year < 1990 THEN ' is not a plausible reporting year'
                          ELSE ' lies after the report period end ' || d.period_end END
                  AS message
           FROM raw.reported_values v JOIN raw.report_documents d USING (document)
           WHERE v.year IS NOT NULL
             AND (v.year < 1990
                  OR (v.year > year(d.period_end) AND v.label NOT ILIKE '%target%'))
           ORDER BY ALL""",
    ),
    schema_check("raw.report_documents", ["raw", "report_documents"]),
    schema_check("raw.reported_values", ["raw", "reported_values"]),
]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["raw", "report_documents"],
            description=tables()["raw.report_documents"].description,
            deps=EXTRACTION_VOCABULARY,
            kinds={"duckdb"},
        ),
        dg.AssetSpec(
            ["raw", "reported_values"],
            description=tables()["raw.reported_values"].description,
            deps=EXTRACTION_VOCABULARY,
            kinds={"duckdb"},
        ),
        dg.AssetSpec(
            ["raw", "load_errors"],
            description=tables()["raw.load_errors"].description,
            deps=EXTRACTION_VOCABULARY,
            kinds={"duckdb"},
        ),
    ],
    check_specs=quality.specs(RAW_CHECKS),
    group_name="raw",
)
def raw_landing(context: dg.AssetExecutionContext, duckdb: DuckDBResource, landing: LandingFolder):
    """Scan the landing folder and extract every report's values with their provenance."""
    frames = load_landing(landing.folder, landing.max_document_bytes)
    with duckdb.get_connection() as conn:
        write_tables(conn, frames)
        checked = list(quality.evaluate(conn, RAW_CHECKS, context.run_id))
    docs = frames["raw.report_documents"]
    yield dg.MaterializeResult(
        asset_key=["raw", "report_documents"],
        metadata={
            "landing_folder": str(landing.folder),
            "loaded": int((docs["status"] == "loaded").sum()),
            "rejected": int((docs["status"] == "rejected").sum()),
        },
    )
    values = frames["raw.reported_values"]
    yield dg.MaterializeResult(
        asset_key=["raw", "reported_values"],
        metadata={
            "rows": len(values),
            "per_document": dg.MetadataValue.md(
                values.groupby("document").size().to_frame("values").to_markdown()
            ),
        },
    )
    yield dg.MaterializeResult(
        asset_key=["raw", "load_errors"], metadata={"rows": len(frames["raw.load_errors"])}
    )
    yield from checked
