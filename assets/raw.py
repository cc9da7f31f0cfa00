"""raw: landing folder -> raw.report_documents and its child tables raw.reported_values,
raw.label_mentions and raw.load_errors.

Values are kept exactly as printed, with document and line. A report that cannot be read is
recorded as rejected (with the rule and reason) and the others still load.

One Dagster asset, `raw/report_documents`, partitioned by report, writes all four tables: a
report's partition is its document row and the rows it owns in the child tables. One asset,
not one per table, because Dagster records an event per asset and partition, and at 10,000
reports four assets' 40,000 events cost 20 s, as long as the reading (bench/RESULTS.md).
"""

import os

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from assets import pdf_reports, quality
from assets.quality import (
    ERROR,
    REPORT,
    ROW,
    WARN,
    Check,
    Finding,
    findings_from_sql,
    schema_check,
    sql_check,
)
from assets.reading import RAW_TABLES, batch_reports, load_batches
from assets.scope import Scope, add_pending
from assets.tables import existing_tables, replace_partitions, tables
from orchestration.resources import LandingFolder
from orchestration.settings import REPORTS_PARTITION, WAREHOUSE_POOL

EXTRACTION_VOCABULARY = [["ref", "label_map"], ["ref", "unit_aliases"], ["ref", "prose_patterns"]]


# Reports print ten-year series (the report's year and the nine before it): a year further back
# is a misread header unless the row or its table says it is a base year or a target.
DEFAULT_MAX_YEARS_BACK = 10
# Words that make a year a baseline or a target wherever they are printed: the row's label,
# its table's title or its column's header ('Base year 2015', 'Basår', 'Target 2030', 'Mål').
BASELINE_WORDS = r"target|baseline|base[ -]?year|bas[aå]r|referens[aå]r|m[aå]l\b"
TARGET_WORDS = r"target|m[aå]l\b|goal|ambition"


def max_years_back() -> int:
    """How many years before its fiscal year a report may print actual values for."""
    return int(os.environ.get("ESG_MAX_YEARS_BACK") or DEFAULT_MAX_YEARS_BACK)


def years_in_range(conn) -> list[Finding]:
    """Printed years: not before 1990, not after the report period's end (unless the row, its
    table or its column names a target), not more than max_years_back() before the report's
    fiscal year (unless the row, its table or its column names a baseline or a target). A
    multi-year table covers the last few years, a ten-year series the last ten; a year far
    outside them (2010 in a 2024 report with 2022-2024 tables) is a misread or mistyped
    header. A cell marked not reported ('n.a.') is not judged: it puts no value in any year."""
    back = max_years_back()
    wording = "concat_ws(' ', v.label, v.table_title, v.column_header)"
    return findings_from_sql(
        conn,
        f"""SELECT v.issuer_id, v.year AS fiscal_year, v.source_document,
                   v.line_number AS source_line,
                   v.source_document || ' line ' || v.line_number || ': year ' || v.year
                   || CASE WHEN v.year < 1990 THEN ' is not a plausible reporting year'
                           WHEN v.year > year(d.period_end)
                           THEN ' lies after the report period end ' || d.period_end
                           ELSE ' is more than {back} years before the report''s fiscal year '
                                || v.report_fiscal_year || ' (ESG_MAX_YEARS_BACK)' END
                   AS message
            FROM raw.reported_values v JOIN raw.report_documents d USING (document)
            WHERE v.year IS NOT NULL AND NOT v.not_reported  -- 'n.a.' places no value in a year
              AND (v.year < 1990
                   OR (v.year > year(d.period_end)
                       AND NOT regexp_matches({wording}, '{TARGET_WORDS}', 'i'))
                   OR (v.year < v.report_fiscal_year - {back}
                       AND NOT regexp_matches({wording}, '{BASELINE_WORDS}', 'i')))
            ORDER BY ALL""",
    )


def _row_errors_check(name: str, severity: str, description: str, documents: str) -> Check:
    """The rows raw.load_errors names in loaded reports of some kind (`documents`, SQL on d)."""
    return sql_check(
        name,
        ["raw", "report_documents"],
        severity,
        description,
        f"""SELECT d.issuer_id, d.fiscal_year, e.document AS source_document,
                   e.line_number AS source_line,
                   e.document || coalesce(' line ' || e.line_number, '') || ' [' || e.rule
                   || ']: ' || e.message AS message
            FROM raw.load_errors e JOIN raw.report_documents d USING (document)
            WHERE d.status = 'loaded' AND {documents} ORDER BY ALL""",
        withholds=ROW,
    )


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
        withholds=REPORT,
    ),
    sql_check(
        "documents_distinct",
        ["raw", "report_documents"],
        ERROR,
        "No document is loaded twice, as the same file under another name or as two reports"
        " naming the same source document: its values would count twice (every derived total"
        " of its issuer-year doubled).",
        """WITH firsts AS (
               SELECT *, min(document) OVER (PARTITION BY sha256) AS same_file,
                      min(document) OVER (PARTITION BY source_document) AS same_source
               FROM raw.report_documents WHERE status = 'loaded')
           SELECT issuer_id, fiscal_year, document AS source_document,
                  NULL::INTEGER AS source_line,
                  document || CASE WHEN same_file < document
                      THEN ' is the same file as ' || same_file || ' (sha256 '
                           || left(sha256, 12) || '...)'
                      ELSE ' names the same source document ' || source_document || ' as '
                           || same_source END || ': remove one' AS message
           FROM firsts WHERE same_file < document OR same_source < document
           ORDER BY ALL""",
        withholds=REPORT,
    ),
    _row_errors_check(
        "rows_readable",
        ERROR,
        "Every row of a KPI table is readable (label, number, integer line and year).",
        "d.format = 'csv'",
    ),
    _row_errors_check(
        "table_rows_read",
        WARN,
        "Every row of a table in a report text was read: a row or cell the readers recognise as"
        " table data but could not read (a number in parentheses, ambiguous digit grouping,"
        " fewer values than years) is named. A warning: the rest of the report is read as usual.",
        "d.format <> 'csv'",
    ),
    Check(
        "years_in_range",
        ("raw", "report_documents"),
        ERROR,
        "A printed year is a real year, no actual value lies after the report period (targets"
        " may), and none lies more than ESG_MAX_YEARS_BACK (default 10: ten-year series) years"
        " before the report's fiscal year (baselines may).",
        years_in_range,
        withholds=ROW,  # the value printed under that year: a misread header is a row's error
    ),
    schema_check("raw.report_documents", ["raw", "report_documents"]),
    schema_check("raw.reported_values", ["raw", "report_documents"]),
    schema_check("raw.label_mentions", ["raw", "report_documents"]),
    schema_check("raw.load_errors", ["raw", "report_documents"]),
]


def _issuers(conn, docs: pd.DataFrame) -> list[str]:
    """Issuers of these reports, as loaded before (a report may change issuer or leave) and as
    loaded now: their core and mart rows are rebuilt."""
    now = set(docs["issuer_id"].dropna())
    if "raw.report_documents" not in existing_tables(conn):
        return sorted(now)
    before = conn.execute(
        "SELECT DISTINCT issuer_id FROM raw.report_documents"
        " WHERE report IN (SELECT unnest(?::VARCHAR[])) AND issuer_id IS NOT NULL",
        [docs["report"].tolist()],
    ).fetchall()
    return sorted(now | {issuer for (issuer,) in before})


MAX_LISTED_REPORTS = 50  # metadata is stored with every partition's event: keep it small


def _run_scope(reports: list[str]) -> str:
    """The partitions a check evaluation covered, as dq.check_results.partition_key."""
    if len(reports) <= MAX_LISTED_REPORTS:
        return ",".join(reports)
    return f"{len(reports)} reports: {reports[0]} .. {reports[-1]}"


def _summary(docs: pd.DataFrame, written: dict[str, int], folder: str) -> dg.MetadataValue:
    """One entry, stored with each of the run's partition events (each entry costs every one
    of 10,000 events its serialising): per report (status, values) for a few reports, counts by
    status for many; rows written per raw table; the landing folder."""
    if len(docs) > MAX_LISTED_REPORTS:
        text = f"{len(docs)} reports {docs['status'].value_counts().to_dict()}"
    else:
        text = docs.fillna({"values": 0}).astype({"values": int}).to_markdown(index=False)
    rows = ", ".join(f"{name} {n}" for name, n in written.items())
    return dg.MetadataValue.md(f"{text}\n\nRows written: {rows}.\n\nLanding folder: {folder}")


OUTCAST_COLUMNS = ["report", "status", "error"]


def not_loaded_events(outcasts: pd.DataFrame) -> list[dg.AssetObservation]:
    """An observation on each rejected or removed report's partition, with its status and
    reason: in the UI its partition then says why it holds no values (a partition's square is
    green once its step succeeded, whatever the report's fate)."""
    events = []
    for row in outcasts.itertuples(index=False):
        reason = row.error if isinstance(row.error, str) else ""
        reason = reason.removeprefix(f"{row.status}: ")
        events.append(
            dg.AssetObservation(
                asset_key=["raw", "report_documents"],
                partition=row.report,
                description=f"{row.status}: {reason}",
                metadata={"status": row.status, "reason": reason},
            )
        )
    return events


reports_partitions = dg.DynamicPartitionsDefinition(name=REPORTS_PARTITION)


CHILD_TABLES = [t for t in RAW_TABLES if t != "raw.report_documents"]


@dg.asset(
    key=["raw", "report_documents"],
    description=tables()["raw.report_documents"].description
    + " One partition per report; its partition also writes the report's rows in "
    + ", ".join(CHILD_TABLES)
    + ".",
    deps=EXTRACTION_VOCABULARY,
    kinds={"duckdb"},
    partitions_def=reports_partitions,
    check_specs=quality.specs(RAW_CHECKS),
    group_name="raw",
    pool=WAREHOUSE_POOL,
    # A backfill of many reports is one run, not a process per report.
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def raw_landing(context: dg.AssetExecutionContext, duckdb: DuckDBResource, landing: LandingFolder):
    """Extract the run's reports (one partition per report) with their provenance."""
    reports = sorted(context.partition_keys)
    every = set(reports) >= set(context.instance.get_dynamic_partitions(REPORTS_PARTITION))
    scope = Scope("report") if every else Scope("report", tuple(reports))
    docs, outcasts, written, pdfs = [], [], dict.fromkeys(RAW_TABLES, 0), set()
    batches = load_batches(
        landing.folder, landing.max_document_bytes, reports, batch_reports(), landing.pdf_cache_dir
    )
    with duckdb.get_connection() as conn, scope.registered(conn):
        if every:  # every issuer is rebuilt below raw
            add_pending(conn, context.run_id, None)
        for frames in batches:  # each batch replaces its reports' rows in one transaction
            batch_docs = frames["raw.report_documents"].to_pandas()
            if not every:  # before the write: a crash rebuilds more, never less
                add_pending(conn, context.run_id, _issuers(conn, batch_docs))
            replace_partitions(conn, frames, "report", batch_docs["report"].tolist())
            values = frames["raw.reported_values"]["report"].to_pandas().value_counts()
            docs.append(batch_docs[["report", "status"]].join(values.rename("values"), on="report"))
            outcasts.append(batch_docs.loc[batch_docs["status"] != "loaded", OUTCAST_COLUMNS])
            pdfs |= set(batch_docs.loc[batch_docs["format"] == "pdf", "sha256"].dropna())
            written = {t: n + len(frames[t]) for t, n in written.items()}
        checked = list(
            quality.evaluate(conn, RAW_CHECKS, context.run_id, _run_scope(reports), scope)
        )
    docs = pd.concat(docs, ignore_index=True)
    for event in not_loaded_events(pd.concat(outcasts, ignore_index=True)):
        context.log_event(event)
    if every:  # every landing PDF was read: parses of contents that left go
        pdf_reports.prune(landing.pdf_cache_dir, pdfs)
    yield dg.MaterializeResult(metadata={"reports": _summary(docs, written, str(landing.folder))})
    yield from checked
