"""The refresh job, and how a run over some or all report partitions is requested."""

import dagster as dg

from orchestration.settings import REPORTS_PARTITION

refresh_job = dg.define_asset_job(
    "esg_refresh",
    selection=dg.AssetSelection.all(),
    description="The given reports (partitions) -> raw; then core and mart rebuilt and published.",
)


def run_request_for(reports: list[str], run_key: str | None = None, **tags) -> dg.RunRequest:
    """One run for one report, or for a contiguous range of report partitions."""
    if len(reports) == 1:
        return dg.RunRequest(run_key=run_key, partition_key=reports[0], tags=tags)
    return dg.RunRequest(
        run_key=run_key,
        tags=tags
        | {
            "dagster/asset_partition_range_start": reports[0],
            "dagster/asset_partition_range_end": reports[-1],
        },
    )


def all_reports(instance: dg.DagsterInstance) -> list[str]:
    return list(instance.get_dynamic_partitions(REPORTS_PARTITION))


RANGE_TAGS = ("dagster/asset_partition_range_start", "dagster/asset_partition_range_end")


def execute_refresh(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    reports: list[str],
    run_config: dict | None = None,
    tags: dict[str, str] | None = None,
) -> dg.ExecuteInProcessResult:
    """Register the reports as partitions and refresh all known ones in one in-process run."""
    known = all_reports(instance)
    instance.add_dynamic_partitions(REPORTS_PARTITION, [r for r in reports if r not in known])
    keys = all_reports(instance)
    if not keys:
        raise ValueError("the landing folder holds no report")
    tags = (tags or {}) | dict(zip(RANGE_TAGS, (keys[0], keys[-1]), strict=True))
    return defs.resolve_job_def(refresh_job.name).execute_in_process(
        instance=instance, run_config=run_config, tags=tags, raise_on_error=False
    )
