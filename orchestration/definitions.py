"""The code location: every asset, check, job and resource of the ESG platform."""

from __future__ import annotations

import dagster as dg

from assets.core import (
    core_document_coverage,
    core_facts,
    core_mapped_values,
    core_unmapped_values,
)
from assets.mart import mart_tables
from assets.raw import raw_landing
from assets.ref import ref_assets
from orchestration.automation import landing_sensor, nightly_full_refresh
from orchestration.jobs import refresh_job
from orchestration.resources import build_resources

ASSETS = [
    *ref_assets,
    raw_landing,
    core_mapped_values,
    core_unmapped_values,
    core_document_coverage,
    core_facts,
    mart_tables,
]


def make_definitions(resources: dict | None = None) -> dg.Definitions:
    """Definitions bound to the given resources (default: from the environment)."""
    return dg.Definitions(
        assets=ASSETS,
        jobs=[refresh_job],
        sensors=[landing_sensor],
        schedules=[nightly_full_refresh],
        resources=resources or build_resources(),
        # DuckDB admits one writer process per file: run steps in one process, one at a time.
        executor=dg.in_process_executor,
    )


defs = make_definitions()
