"""What runs by itself: a sensor on the landing folder and a nightly full refresh.

Runs queue one at a time (dagster.yaml: max_concurrent_runs 1) because DuckDB admits one
writer per file.
"""

import hashlib
import json
import os

import dagster as dg

from assets.landing import fingerprints
from orchestration.jobs import all_reports, refresh_job, run_request_for
from orchestration.resources import LandingFolder
from orchestration.settings import REPORTS_PARTITION

REMOVED = "removed"
# `ESG_AUTOMATION=off` starts the sensor and schedule stopped (tests; a read-only demo).
SENSOR_STATUS = (
    dg.DefaultSensorStatus.STOPPED
    if os.environ.get("ESG_AUTOMATION") == "off"
    else dg.DefaultSensorStatus.RUNNING
)
SCHEDULE_STATUS = dg.DefaultScheduleStatus(SENSOR_STATUS.value)


def _key(kind: str, state: dict) -> str:
    return f"{kind}:{hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()}"


@dg.sensor(
    job=refresh_job,
    minimum_interval_seconds=30,
    default_status=SENSOR_STATUS,
    description="Picks up new, changed and removed reports in the landing folder; runs only "
    "their partitions, then rebuilds and publishes the mart.",
)
def landing_sensor(context: dg.SensorEvaluationContext, landing: LandingFolder):
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    now = fingerprints(landing.folder, landing.max_document_bytes)
    known = set(all_reports(context.instance))
    new = sorted(name for name in now if name not in known)
    changed = sorted(name for name in now if name in known and seen.get(name) != now[name])
    removed = sorted(name for name in known - set(now) if seen.get(name) != REMOVED)
    requests = []
    if new:  # added together, so their partitions are one contiguous range: one run
        requests.append(run_request_for(new, run_key=_key("new", {n: now[n] for n in new})))
    redo = changed + removed
    if len(redo) > 1:  # several old partitions: one run over all of them, not one each
        requests.append(run_request_for(all_reports(context.instance), run_key=_key("redo", now)))
    elif redo:
        requests.append(run_request_for(redo, run_key=_key("redo", {redo[0]: now.get(redo[0])})))
    context.update_cursor(json.dumps(now | dict.fromkeys(removed, REMOVED), sort_keys=True))
    if not requests:
        return dg.SkipReason("no new, changed or removed report")
    return dg.SensorResult(
        run_requests=requests,
        dynamic_partitions_requests=[dg.AddDynamicPartitionsRequest(REPORTS_PARTITION, new)]
        if new
        else [],
    )


@dg.schedule(
    job=refresh_job,
    cron_schedule="0 3 * * *",
    default_status=SCHEDULE_STATUS,
    description="Nightly: every report re-extracted, the mart rebuilt and published, in one run.",
)
def nightly_full_refresh(context: dg.ScheduleEvaluationContext):
    reports = all_reports(context.instance)
    if not reports:
        return dg.SkipReason("no report partitions yet (the landing sensor adds them)")
    return run_request_for(reports, full_refresh="true")
