"""`make run`: materialise every asset into the warehouse, then print what was built."""

from __future__ import annotations

import os
import sys

import dagster as dg
import duckdb

from orchestration import settings


def _instance() -> dg.DagsterInstance:
    """The persistent instance when DAGSTER_HOME is set (runs then show in the UI)."""
    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def summary(warehouse: str) -> str:
    con = duckdb.connect(warehouse, read_only=True)
    try:
        q = con.execute
        docs = q("SELECT status, count(*) FROM raw.report_documents GROUP BY ALL").fetchall()
        lines = [f"warehouse: {warehouse}", f"landing:   {settings.landing_dir()}"]
        lines.append("reports:   " + ", ".join(f"{n} {s}" for s, n in sorted(docs)))
        raw_n = q("SELECT count(*) FROM raw.reported_values").fetchall()[0][0]
        facts_n = q("SELECT count(*) FROM mart.esg_facts").fetchall()[0][0]
        unmapped = q("SELECT count(*) FROM core.unmapped_values").fetchall()[0][0]
        lines.append(f"values:    {raw_n} extracted, {unmapped} unmapped (core.unmapped_values)")
        lines.append(f"facts:     {facts_n} in mart.esg_facts")
        for issuer, year, n in q(
            "SELECT issuer_id, fiscal_year, count(*) FROM mart.esg_facts GROUP BY ALL ORDER BY ALL"
        ).fetchall():
            lines.append(f"           {issuer:<10} {year}  {n:>4} facts")
        problems = q(
            """SELECT e.document, e.line_number, e.rule, e.message, d.status
               FROM raw.load_errors e LEFT JOIN raw.report_documents d USING (report)
               ORDER BY e.document, e.line_number NULLS FIRST"""
        ).fetchall()
        for doc, line, rule, msg, status in problems:
            where = doc if line is None else f"{doc} line {line}"
            kind = "rejected: " if status == "rejected" else "row error:"
            lines.append(f"{kind} {where}: [{rule}] {msg}")
        return "\n".join(lines)
    finally:
        con.close()


def failure_reasons(result: dg.ExecuteInProcessResult) -> list[str]:
    """Why the run's failed steps failed, one line each (first line of each error)."""
    return [
        f"{e.step_key}: {e.step_failure_data.error.message.strip().splitlines()[0]}"
        for e in result.all_events
        if e.is_step_failure and e.step_failure_data.error is not None
    ]


def check_summary(checks: list) -> str:
    """Checks run, then failures (error severity) and warnings apart, one line each."""
    failed = [c for c in checks if not c.passed and c.severity.value == "ERROR"]
    warned = [c for c in checks if not c.passed and c.severity.value != "ERROR"]
    lines = [
        f"checks:    {len(checks)} run, {len(failed)} failed, {len(warned)} warning"
        f"{'s' * (len(warned) != 1)} (dq.check_results has the details)"
    ]
    lines += [f"  failed:  {c.asset_key.to_user_string()} {c.check_name}" for c in failed]
    lines += [f"  warning: {c.asset_key.to_user_string()} {c.check_name}" for c in warned]
    return "\n".join(lines)


QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def run() -> int:
    from assets.landing import fingerprints
    from orchestration.definitions import defs
    from orchestration.jobs import execute_refresh

    landing = settings.landing_dir()
    if not landing.is_dir():
        print(f"error: the landing folder {landing} does not exist (ESG_LANDING_DIR)")
        return 2
    reports = sorted(fingerprints(landing, settings.max_document_bytes()))
    with _instance() as instance:
        result = execute_refresh(defs, instance, reports, run_config=QUIET)
    print(summary(str(settings.warehouse_path())) if result.success else "run FAILED")
    for reason in failure_reasons(result):
        print(f"           {reason}")
    print(check_summary(result.get_asset_check_evaluations()))
    docs = settings.gx_dir() / "data_docs" / "index.html"
    print(f"GX docs:   {docs}" if docs.exists() else "GX docs:   (not built)")
    return 0 if result.success else 1


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "run"
    if command != "run":
        sys.exit(f"unknown command {command!r}; use: run")
    sys.exit(run())
