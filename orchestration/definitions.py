"""The code location: every asset, check, job and resource of the ESG platform."""

from __future__ import annotations

import os

import dagster as dg

from assets.core import (
    core_document_coverage,
    core_facts,
    core_mapped_values,
    core_unmapped_values,
)
from assets.mart import mart_tables
from assets.raw import raw_landing
from assets.ref import ref_tables
from orchestration.automation import landing_sensor, nightly_full_refresh
from orchestration.jobs import refresh_job as refresh_job_def
from orchestration.resources import build_resources

REFRESH_JOB = refresh_job_def.name
ASSETS = [
    ref_tables,
    raw_landing,
    core_mapped_values,
    core_unmapped_values,
    core_document_coverage,
    core_facts,
    mart_tables,
]


# DuckDB admits one writer process per file, so steps run one at a time either way: in this
# process (default), or each in a process of its own (ESG_EXECUTOR=multiprocess).
EXECUTORS = {
    "in_process": dg.in_process_executor,
    "multiprocess": dg.multiprocess_executor.configured({"max_concurrent": 1}),
}


def executor() -> dg.ExecutorDefinition:
    name = os.environ.get("ESG_EXECUTOR") or "in_process"
    if name not in EXECUTORS:
        raise ValueError(f"ESG_EXECUTOR={name!r}: use one of {sorted(EXECUTORS)}")
    return EXECUTORS[name]


def make_definitions(resources: dict | None = None) -> dg.Definitions:
    """Definitions bound to the given resources (default: from the environment)."""
    return dg.Definitions(
        assets=ASSETS,
        jobs=[refresh_job_def],
        sensors=[landing_sensor],
        schedules=[nightly_full_refresh],
        resources=resources or build_resources(),
        executor=executor(),
    )


defs = make_definitions()


def refresh_job() -> dg.JobDefinition:
    """The refresh job bound to the environment, for runs that start new processes
    (`dg.reconstructable(refresh_job)`)."""
    return make_definitions().resolve_job_def(REFRESH_JOB)
