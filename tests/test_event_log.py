"""The batching SQLite event log stores what Dagster's own SQLite event log stores."""

import shutil
from pathlib import Path

import dagster as dg
import pytest

from orchestration.event_log import BatchingSqliteEventLogStorage
from orchestration.settings import REPO_ROOT

PARTS = dg.DynamicPartitionsDefinition(name="parts")
KEYS = [f"report-{i:02d}" for i in range(12)]


@dg.multi_asset(
    specs=[dg.AssetSpec("docs", partitions_def=PARTS), dg.AssetSpec("rows", partitions_def=PARTS)],
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def two_tables(context: dg.AssetExecutionContext):
    for key in ("docs", "rows"):
        yield dg.MaterializeResult(asset_key=key, metadata={"n": len(context.partition_keys)})


def _run(instance: dg.DagsterInstance, keys: list[str]) -> str:
    job = dg.Definitions(assets=[two_tables]).resolve_implicit_global_asset_job_def()
    tags = {
        "dagster/asset_partition_range_start": keys[0],
        "dagster/asset_partition_range_end": keys[-1],
    }
    result = job.execute_in_process(instance=instance, tags=tags)
    assert result.success
    return result.run_id


def _instance(tmp_path: Path, name: str, project_yaml: bool, env) -> dg.DagsterInstance:
    home = tmp_path / name
    home.mkdir()
    env.setenv("DAGSTER_HOME", str(home))  # the project's dagster.yaml puts storage there
    if project_yaml:
        shutil.copy(REPO_ROOT / "orchestration" / "dagster.yaml", home / "dagster.yaml")
    return dg.DagsterInstance.from_config(str(home))


def _indexed_tags_match(instance, key, event_id: int, tags: dict) -> bool:
    indexed = instance.get_event_tags_for_asset(key, filter_event_id=event_id)
    return len(indexed) == 1 and indexed[0] and indexed[0].items() <= tags.items()


def _stored(instance: dg.DagsterInstance, run_ids: list[str]) -> dict:
    """What the UI and sensors read back: events, partitions, latest records, per-run logs."""
    out = {}
    for key in (dg.AssetKey("docs"), dg.AssetKey("rows")):
        records = instance.fetch_materializations(key, limit=1000).records
        latest = instance.get_latest_materialization_event(key)
        entry = instance.get_asset_records([key])[0].asset_entry  # the asset's summary row
        out[key.to_user_string()] = {
            "materializations": sorted((r.partition_key, run_ids.index(r.run_id)) for r in records),
            # each event's indexed tags are stored under that event's own id
            "tags_by_event": all(
                _indexed_tags_match(instance, key, r.storage_id, r.asset_materialization.tags)
                for r in records
            ),
            "partitions": sorted(instance.get_materialized_partitions(key)),
            "latest_run": run_ids.index(latest.run_id),
            "entry": (
                run_ids.index(entry.last_run_id),
                entry.last_materialization_record.partition_key,
                entry.last_materialization_record.storage_id == max(r.storage_id for r in records),
            ),
            "indexed_tags": sorted(  # keys only: data versions differ between any two runs
                sorted(t) for t in instance.get_event_tags_for_asset(key)
            ),
            "planned": sorted(  # per planned event of the last run: its partitions
                sorted(r.event_log_entry.dagster_event.partitions_subset.get_partition_keys())
                for r in instance.get_records_for_run(
                    run_ids[-1], of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED
                ).records
                if r.event_log_entry.dagster_event.asset_key == key
            ),
        }
    for n, run_id in enumerate(run_ids):
        logs = instance.all_logs(run_id)
        out[f"run {n}"] = sorted(
            (e.dagster_event_type.value, e.dagster_event.partition or "")
            for e in logs
            if e.is_dagster_event and e.dagster_event.asset_key
        )
    return out


@pytest.fixture
def env(monkeypatch):
    monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", "5")  # several batches per run
    # Dagster's own option for what the project's storage always does: one planned event per
    # asset and run, naming its partitions (so the default storage is comparable)
    monkeypatch.setenv("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "true")
    return monkeypatch


def test_project_instance_uses_the_batching_event_log(tmp_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", raising=False)
    with _instance(tmp_path, "project", True, monkeypatch) as instance:
        assert isinstance(instance.event_log_storage, BatchingSqliteEventLogStorage)
        # without the environment variable: one planned event per asset, not per partition
        storage = instance.event_log_storage
        assert storage.supports_partition_subset_in_asset_materialization_planned_events


def test_batched_writes_read_back_like_dagsters_own_sqlite_storage(tmp_path, env):
    """Two runs (a backfill, then 3 partitions again) on each storage: same records."""
    batches = []
    write_batch = BatchingSqliteEventLogStorage.store_event_batch
    env.setattr(
        BatchingSqliteEventLogStorage,
        "store_event_batch",
        lambda self, events: batches.append(len(events)) or write_batch(self, events),
    )
    results = []
    for name, project_yaml in (("default", False), ("project", True)):
        with _instance(tmp_path, name, project_yaml, env) as instance:
            instance.add_dynamic_partitions("parts", KEYS)
            run_ids = [_run(instance, KEYS), _run(instance, KEYS[4:7])]
            results.append(_stored(instance, run_ids))
    default, project = results
    assert project == default
    assert max(batches) == 5  # the project's storage did write batches
    assert len(project["docs"]["materializations"]) == len(KEYS) + 3
    assert project["docs"]["partitions"] == KEYS
    assert project["docs"]["tags_by_event"] and project["rows"]["tags_by_event"]
    assert project["docs"]["entry"][2] and project["rows"]["entry"][2]
    assert project["rows"]["latest_run"] == 1
    assert project["docs"]["planned"] == [KEYS[4:7]]  # one event for the last run's 3


def test_kept_engines_stay_bounded_and_writes_are_seen_by_other_instances(tmp_path, env):
    """Engines are reused per shard (index, one per run), at most KEPT_ENGINES of them; what
    one instance writes, another on the same DAGSTER_HOME (the UI, the daemon) reads."""
    env.setattr(BatchingSqliteEventLogStorage, "KEPT_ENGINES", 2)
    with _instance(tmp_path, "project", True, env) as writer:
        writer.add_dynamic_partitions("parts", KEYS)
        run_ids = [_run(writer, KEYS[i : i + 2]) for i in range(0, 8, 2)]
        assert len(writer.event_log_storage._engines) == 2
        with dg.DagsterInstance.from_config(str(tmp_path / "project")) as reader:
            seen = _stored(reader, run_ids)
            assert seen == _stored(writer, run_ids)
    assert seen["docs"]["partitions"] == KEYS[:8]
    planned, done = "ASSET_MATERIALIZATION_PLANNED", "ASSET_MATERIALIZATION"
    assert seen["run 1"] == sorted(
        [(planned, "")] * 2 + [(done, p) for p in KEYS[2:4] for _ in ("docs", "rows")]
    )
