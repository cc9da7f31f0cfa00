"""What runs by itself: a sensor on the landing folder and a nightly full refresh.

Runs queue one at a time (dagster.yaml: max_concurrent_runs 1) because DuckDB admits one
writer per file.
"""

import hashlib
import json
import logging
import os
from pathlib import Path

import dagster as dg

from assets.landing import fingerprints
from orchestration.jobs import all_reports, refresh_job, run_request_for
from orchestration.resources import LandingFolder
from orchestration.settings import REPORTS_PARTITION, landing_dir, warehouse_path

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


def memory_key(folder: Path, partition: str = REPORTS_PARTITION) -> str:
    """One memory per landing folder and warehouse (named by its report partitions)."""
    place = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]
    return f"esg.landing_sensor.{partition}.{place}"


class SensorMemory:
    """What the sensor last saw (report -> fingerprint), kept in the instance's key-value store
    (Dagster's daemon cursor storage: rows in SQLite or Postgres), one row per state, named by
    its digest; the cursor holds only the digest.

    Dagster copies a sensor's cursor into every tick it keeps (skipped ticks for 7 days, others
    for good): a cursor holding the fingerprints themselves (0.85 MB at 10,000 reports) grew
    the tick table by about 2.5 GB a day at one tick per 30 s. The last KEEP states stay, so a
    tick whose cursor the daemon failed to save, or a test evaluation from the UI with an older
    cursor, never takes away the state the daemon's cursor names."""

    KEEP = 8

    def __init__(self, instance: dg.DagsterInstance, folder: Path, log: logging.Logger):
        self.storage = instance.daemon_cursor_storage
        self.index_key = memory_key(folder)
        self.log = log
        self.unreadable: str | None = None  # a digest named by the cursor but not found

    def _parse(self, what: str, text: str | None) -> object:
        try:
            return json.loads(text) if text else None
        except ValueError:
            self.log.warning(f"sensor memory {what} is not JSON: ignored, and rewritten")
            return None

    def _load(self, key: str) -> object:
        return self._parse(key, self.storage.get_cursor_values({key}).get(key))

    def recall(self, cursor: str | None) -> dict[str, str]:
        """The fingerprints the cursor names: {} on a first tick or if that state is gone (every
        known report then counts as changed). A cursor from before this store holds them."""
        if cursor and cursor.startswith("{"):
            state = self._parse("cursor", cursor)
        else:
            state = self._load(f"{self.index_key}.{cursor}") if cursor else None
        if not isinstance(state, dict):
            self.unreadable = cursor
            return {}
        return state

    def remember(self, state: dict[str, str]) -> str:
        """Store the state (unless stored already) and return its digest, the new cursor."""
        digest = _digest(state)
        index = self._load(self.index_key)
        index = index if isinstance(index, list) else []
        if digest in index and digest != self.unreadable:
            return digest
        kept = [*(d for d in index if d != digest), digest][-self.KEEP :]
        gone = {f"{self.index_key}.{d}": "" for d in index if d not in kept}
        # One key per call: Dagster's SQL storage inserts a batch, or on any existing key
        # updates the existing ones only, dropping the new. State first, then the index.
        writes = {f"{self.index_key}.{digest}": json.dumps(state, sort_keys=True)}
        for key, value in (writes | {self.index_key: json.dumps(kept)} | gone).items():
            self.storage.set_cursor_values({key: value})
        return digest


@dg.sensor(
    job=refresh_job,
    minimum_interval_seconds=30,
    default_status=SENSOR_STATUS,
    description=f"Watches the landing folder {landing_dir()} for new, changed and removed "
    f"reports; runs only their partitions, then rebuilds and publishes {warehouse_path()}.",
)
def landing_sensor(context: dg.SensorEvaluationContext, landing: LandingFolder):
    if not landing.folder.is_dir():
        return dg.SkipReason(f"the landing folder {landing.folder} does not exist")
    memory = SensorMemory(context.instance, landing.folder, context.log)
    seen = memory.recall(context.cursor)
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
    # every known report missing from the folder stays marked, so it is redone once only
    context.update_cursor(memory.remember(now | dict.fromkeys(known - set(now), REMOVED)))
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
