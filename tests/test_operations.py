"""Operations: the landing sensor, one-run backfills, readers during a refresh, killed runs."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.landing import fingerprints
from assets.raw import raw_landing
from orchestration.automation import SensorMemory, landing_sensor
from orchestration.definitions import make_definitions
from orchestration.resources import LandingFolder, build_resources
from orchestration.settings import REPO_ROOT, REPORTS_PARTITION, SAMPLE_LANDING_DIR, build_path
from tests.conftest import (
    ACME_CSV,
    ACME_META,
    QUIET,
    REMT_CSV,
    copy_sample,
    edit_kpi_table,
    run_pipeline,
)


def _tick(instance, landing: Path, cursor: str | None):
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"landing": LandingFolder(path=str(landing))}
    )
    return landing_sensor(context), context.cursor


def _execute(defs, instance, result) -> list[dg.ExecuteInProcessResult]:
    """Apply the sensor's partition requests and run its run requests in-process."""
    for request in result.dynamic_partitions_requests:
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    job = defs.resolve_job_def("esg_refresh")
    return [
        job.execute_in_process(
            instance=instance, partition_key=r.partition_key, tags=r.tags, run_config=QUIET
        )
        for r in result.run_requests
    ]


def _materialized(run: dg.ExecuteInProcessResult) -> set[tuple[str, str | None]]:
    return {
        (e.asset_key.to_user_string(), e.event_specific_data.materialization.partition)
        for e in run.get_asset_materialization_events()
    }


def _issuers(warehouse: Path) -> set[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("SELECT DISTINCT issuer_id FROM mart.esg_facts").fetchall()
    return {r for (r,) in rows}


def test_sensor_runs_only_the_new_changed_or_removed_report(tmp_path):
    landing, warehouse = copy_sample(tmp_path / "landing"), tmp_path / "esg.duckdb"
    instance = dg.DagsterInstance.ephemeral()
    assert run_pipeline(landing, warehouse, instance).success
    defs = make_definitions(build_resources(landing, warehouse))

    first, cursor = _tick(instance, landing, None)  # learns the folder: both reports, one run
    assert len(first.run_requests) == 1
    _execute(defs, instance, first)
    quiet, cursor = _tick(instance, landing, cursor)
    assert isinstance(quiet, dg.SkipReason)

    (landing / "acme.csv").write_text(ACME_CSV)
    (landing / "acme.yaml").write_text(ACME_META)
    result, cursor = _tick(instance, landing, cursor)
    (run,) = _execute(defs, instance, result)
    raw = {(k, p) for k, p in _materialized(run) if k.startswith("raw/")}
    assert raw == {("raw/report_documents", "acme")}
    assert ("mart/esg_facts", None) in _materialized(run)
    assert _issuers(warehouse) == {"ACME", "NRE", "REMT"}

    edit_kpi_table(landing / REMT_CSV, {"source_line": 124, "unit": "tonne"}, value="24,222")
    result, cursor = _tick(instance, landing, cursor)
    (run,) = _execute(defs, instance, result)
    assert {p for k, p in _materialized(run) if k.startswith("raw/")} == {"remt-2024-esg-report"}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        coal = con.execute("SELECT value FROM mart.esg_facts WHERE issuer_id = 'REMT'"
                           " AND metric_id = 'energy.coal'").fetchall()  # fmt: skip
    assert coal == [(24222.0,)]

    (landing / "acme.csv").unlink()
    (landing / "acme.yaml").unlink()
    result, cursor = _tick(instance, landing, cursor)
    (run,) = _execute(defs, instance, result)
    assert {p for k, p in _materialized(run) if k.startswith("raw/")} == {"acme"}
    assert _issuers(warehouse) == {"NRE", "REMT"}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        status = con.execute(
            "SELECT status FROM raw.report_documents WHERE report = 'acme'"
        ).fetchall()
    assert status == [("removed",)]
    for _ in range(2):  # the removed report stays remembered as removed
        quiet, cursor = _tick(instance, landing, cursor)
        assert isinstance(quiet, dg.SkipReason)


LOG = logging.getLogger(__name__)


def _known(instance, landing: Path) -> None:
    names = sorted({p.stem for p in landing.iterdir()})
    instance.add_dynamic_partitions(REPORTS_PARTITION, names)


def test_sensor_cursor_stays_small_and_its_memory_survives_a_lost_cursor(tmp_path):
    """The cursor is a digest (Dagster copies it into every tick it keeps); the fingerprints
    live in the instance's key-value store. A tick whose cursor the daemon failed to save is
    evaluated again from the previous cursor and asks for the same run; a test evaluation from
    the UI with an older cursor takes nothing away from the daemon's."""
    landing, instance = copy_sample(tmp_path / "landing"), dg.DagsterInstance.ephemeral()
    _known(instance, landing)
    first, c0 = _tick(instance, landing, None)  # no memory yet: every known report, once
    assert len(first.run_requests) == 1
    for n in range(200):  # the cursor does not grow with the folder
        (landing / f"acme-{n}.csv").write_text(ACME_CSV)
        (landing / f"acme-{n}.yaml").write_text(ACME_META)
    _known(instance, landing)
    _, c1 = _tick(instance, landing, c0)
    assert len(c0) == len(c1) == 64 and c0 != c1
    assert len(SensorMemory(instance, landing, LOG).recall(c1)) == 202

    edit_kpi_table(landing / REMT_CSV, {"source_line": 124, "unit": "tonne"}, value="24,222")
    changed, c2 = _tick(instance, landing, c1)
    again, c2_again = _tick(instance, landing, c1)  # c2 was never saved
    assert [r.partition_key for r in changed.run_requests] == ["remt-2024-esg-report"]
    assert [r.run_key for r in again.run_requests] == [r.run_key for r in changed.run_requests]
    assert c2_again == c2
    for n in range(3):  # test evaluations in the UI, from an older cursor, see other states
        (landing / f"acme-{n}.csv").write_text(ACME_CSV + "\n")
        assert len(_tick(instance, landing, c0)[0].run_requests) == 1  # all redone, from c0
    for n in range(3):
        (landing / f"acme-{n}.csv").write_text(ACME_CSV)
    assert isinstance(_tick(instance, landing, c2)[0], dg.SkipReason)  # the daemon's cursor


def test_sensor_memory_that_is_unreadable_or_from_before_the_store(tmp_path):
    """Upgrading keeps what an old cursor (the fingerprints as JSON) knew: no re-run. A cursor
    naming a state the store no longer has, or a state that is not JSON, behaves as a first
    tick (every known report once, in one run) and is rewritten, so the next tick is quiet."""
    landing, instance = copy_sample(tmp_path / "landing"), dg.DagsterInstance.ephemeral()
    _known(instance, landing)
    old_cursor = json.dumps(
        fingerprints(landing, LandingFolder(path=str(landing)).max_document_bytes)
    )
    quiet, cursor = _tick(instance, landing, old_cursor)
    assert isinstance(quiet, dg.SkipReason) and len(cursor) == 64
    lost, _ = _tick(instance, landing, "0" * 64)
    assert len(lost.run_requests) == 1

    memory = SensorMemory(instance, landing, LOG)
    instance.daemon_cursor_storage.set_cursor_values({f"{memory.index_key}.{cursor}": "{broken"})
    assert len(_tick(instance, landing, cursor)[0].run_requests) == 1
    assert isinstance(_tick(instance, landing, cursor)[0], dg.SkipReason)
    instance.daemon_cursor_storage.set_cursor_values({memory.index_key: "not json"})
    assert isinstance(_tick(instance, landing, cursor)[0], dg.SkipReason)


def test_many_reports_backfill_in_one_run(tmp_path):
    landing = copy_sample(tmp_path / "landing")
    for n in range(5):
        (landing / f"acme-{n}.csv").write_text(ACME_CSV)
        (landing / f"acme-{n}.yaml").write_text(ACME_META.replace("ACME", f"ACME{n}"))
    instance = dg.DagsterInstance.ephemeral()
    run = run_pipeline(landing, tmp_path / "esg.duckdb", instance)
    assert run.success
    assert len(instance.get_runs()) == 1
    partitions = {p for k, p in _materialized(run) if k == "raw/report_documents"}
    assert len(partitions) == 7
    assert raw_landing.backfill_policy == dg.BackfillPolicy.single_run()


READER = """
import duckdb, json, sys, time, pathlib
warehouse, out, refreshed, stop = sys.argv[1:5]
seen, errors, reopened = [], [], False
con = duckdb.connect(warehouse, read_only=True)  # held open through the whole refresh
pathlib.Path(out + ".ready").touch()
while not pathlib.Path(stop).exists():
    if pathlib.Path(refreshed).exists() and not reopened:
        con.close()  # a process sees a new file once it holds no connection to the old one
        con, reopened = duckdb.connect(warehouse, read_only=True), True
    try:
        q = "SELECT count(*), count(DISTINCT issuer_id) FROM mart.esg_facts"
        seen.append(con.execute(q).fetchall()[0])
    except Exception as exc:
        errors.append(repr(exc))
    time.sleep(0.05)
json.dump({"seen": seen, "errors": errors}, open(out, "w"))
"""


def test_readers_never_block_or_see_a_half_built_mart(tmp_path):
    landing, warehouse = copy_sample(tmp_path / "landing"), tmp_path / "esg.duckdb"
    assert run_pipeline(landing, warehouse).success
    old = tuple(_mart_shape(warehouse))
    (landing / "acme.csv").write_text(ACME_CSV)
    (landing / "acme.yaml").write_text(ACME_META)
    script, stop, refreshed = tmp_path / "reader.py", tmp_path / "stop", tmp_path / "refreshed"
    script.write_text(READER)
    outs = [tmp_path / f"reader{i}.json" for i in range(3)]
    args = [str(warehouse), "", str(refreshed), str(stop)]
    readers = [
        subprocess.Popen([sys.executable, str(script), *args[:1], str(out), *args[2:]])
        for out in outs
    ]
    try:
        _wait_for(lambda: all(Path(f"{o}.ready").exists() for o in outs))
        assert run_pipeline(landing, warehouse).success  # not blocked by the three readers
        new = tuple(_mart_shape(warehouse))
        refreshed.touch()
        time.sleep(1)
    finally:
        stop.touch()
        for r in readers:
            r.wait(timeout=30)
    assert new != old
    for out in outs:
        report = json.loads(out.read_text())
        assert report["errors"] == []
        seen = {tuple(s) for s in report["seen"]}
        assert seen <= {old, new} and old in seen and new in seen


def _mart_shape(warehouse: Path) -> list:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        q = "SELECT count(*), count(DISTINCT issuer_id) FROM mart.esg_facts"
        return con.execute(q).fetchall()[0]


def _wait_for(condition, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError
        time.sleep(0.05)


def test_killed_run_leaves_the_published_mart_and_a_rerun_is_identical(tmp_path):
    landing, warehouse = copy_sample(tmp_path / "landing"), tmp_path / "esg.duckdb"
    env = os.environ | {"ESG_LANDING_DIR": str(landing), "ESG_WAREHOUSE": str(warehouse)}
    env.pop("DAGSTER_HOME", None)
    cli = [sys.executable, "-m", "orchestration.cli", "run"]
    subprocess.run(cli, cwd=REPO_ROOT, env=env, check=True, capture_output=True, timeout=300)
    published = warehouse.read_bytes()
    mart = _all_facts(warehouse)

    (landing / "acme.csv").write_text(ACME_CSV)
    (landing / "acme.yaml").write_text(ACME_META)
    build = build_path(warehouse)
    before = build.stat().st_mtime_ns
    run = subprocess.Popen(cli, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    _wait_for(lambda: build.stat().st_mtime_ns != before)  # it is writing the working copy
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    assert warehouse.read_bytes() == published

    (landing / "acme.csv").unlink()
    (landing / "acme.yaml").unlink()
    subprocess.run(cli, cwd=REPO_ROOT, env=env, check=True, capture_output=True, timeout=300)
    assert _all_facts(warehouse) == mart
    assert not list(tmp_path.glob(".esg.duckdb.*.partial"))


def _all_facts(warehouse: Path) -> list:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("SELECT * FROM mart.esg_facts ORDER BY ALL").fetchall()


def test_make_sql_reads_the_published_warehouse_read_only(tmp_path):
    warehouse = tmp_path / "esg.duckdb"
    assert run_pipeline(SAMPLE_LANDING_DIR, warehouse).success
    env = os.environ | {"ESG_WAREHOUSE": str(warehouse)}
    sql = [sys.executable, "-m", "orchestration.sql", "-c"]
    options = {"cwd": REPO_ROOT, "env": env, "capture_output": True, "text": True, "timeout": 60}
    out = subprocess.run([*sql, "SELECT issuer_id, fiscal_year FROM mart.issuer_year"], **options)
    assert out.returncode == 0 and "REMT" in out.stdout and "NRE" in out.stdout
    out = subprocess.run([*sql, "DELETE FROM mart.esg_facts"], **options)
    assert "read-only" in out.stderr
    assert _mart_shape(warehouse)[0] > 0


@pytest.mark.parametrize("name", ["landing_sensor", "nightly_full_refresh"])
def test_sensor_and_schedule_are_on_by_default(name):
    from orchestration.definitions import defs

    target = (
        defs.resolve_sensor_def(name)
        if name.endswith("sensor")
        else defs.resolve_schedule_def(name)
    )
    assert target.default_status.value == "RUNNING"
