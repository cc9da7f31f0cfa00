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


def _digest(state: dict) -> str:
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


def _key(kind: str, state: dict) -> str:
    return f"{kind}:{_digest(state)}"


# The sensor's memory (report -> fingerprint) is kept in the instance's key-value store
# (Dagster's daemon cursor storage: a row in SQLite or Postgres, overwritten), and the cursor
# holds only its digest. Dagster copies a sensor's cursor into every tick it keeps (skipped
# ticks for 7 days, others for good): a cursor holding the fingerprints themselves (0.85 MB at
# 10,000 reports) grew the tick table by about 2.5 GB a day at one tick per 30 s.
STATE_KEY = "esg.landing_sensor.fingerprints"


def _remembered(instance: dg.DagsterInstance, cursor: str | None) -> tuple[dict, dict]:
    """(the fingerprints the cursor names, the stored states by digest). A cursor from before
    this store (the fingerprints as JSON) is read as it is; a digest whose state is gone (a
    wiped store) counts as no cursor: the first-tick behaviour."""
    stored = instance.daemon_cursor_storage.get_cursor_values({STATE_KEY}).get(STATE_KEY)
    states: dict[str, dict] = json.loads(stored) if stored else {}
    if not cursor:
        return {}, states
    if cursor.startswith("{"):
        return json.loads(cursor), states
    return states.get(cursor, {}), states


def _remember(instance: dg.DagsterInstance, cursor: str | None, states: dict, now: dict) -> str:
    """Store `now` beside the state the cursor names, and return the new cursor. The previous
    state stays until the next change: if the daemon fails to save this tick's cursor, the
    next tick still finds the one it has."""
    digest = _digest(now)
    if digest not in states:
        kept = {cursor: states[cursor]} if cursor in states else {}
        instance.daemon_cursor_storage.set_cursor_values(
            {STATE_KEY: json.dumps(kept | {digest: now}, sort_keys=True)}
        )
    return digest


@dg.sensor(
    job=refresh_job,
    minimum_interval_seconds=30,
    default_status=SENSOR_STATUS,
    description="Picks up new, changed and removed reports in the landing folder; runs only "
    "their partitions, then rebuilds and publishes the mart.",
)
def landing_sensor(context: dg.SensorEvaluationContext, landing: LandingFolder):
    seen, states = _remembered(context.instance, context.cursor)
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
    state = now | dict.fromkeys(removed, REMOVED)
    context.update_cursor(_remember(context.instance, context.cursor, states, state))
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
