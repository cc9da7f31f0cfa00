"""raw: landing folder -> raw.report_documents, raw.reported_values, raw.load_errors.

Values are kept exactly as printed, with document and line. A report that cannot be read is
recorded as rejected (with the rule and reason) and the others still load.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from assets import landing
from assets.extract import document
from assets.sql_checks import sql_check
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
    group_name="raw",
)
def raw_landing(duckdb: DuckDBResource, landing: LandingFolder):
    """Scan the landing folder and extract every report's values with their provenance."""
    frames = load_landing(landing.folder, landing.max_document_bytes)
    with duckdb.get_connection() as conn:
        write_tables(conn, frames)
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


raw_checks = [
    sql_check(
        "no_load_errors",
        ["raw", "load_errors"],
        "SELECT * FROM raw.load_errors ORDER BY document, line_number",
        "Every landing file was read: rejected reports and unreadable rows are listed here.",
        severity=dg.AssetCheckSeverity.WARN,
    ),
]
