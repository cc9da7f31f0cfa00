"""`make reset`: remove one warehouse and the run state that belongs to it, saying what first.

A warehouse's state is its published file, its working (build) file, its Great Expectations
folder, its report partitions in DAGSTER_HOME and the landing sensor's memory of the current
landing folder for it. Other warehouses sharing the DAGSTER_HOME keep theirs. Run history
(Dagster's event log) stays: it is a record of what happened, not state a run reads.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import dagster as dg

from orchestration import settings


def _files(warehouse: Path) -> list[Path]:
    """The warehouse's files: published, working, their WALs, stale partial copies, and the
    GX folder when no other warehouse shares it."""
    build = settings.build_path(warehouse)
    files = [warehouse, build, *(p.with_name(p.name + ".wal") for p in (warehouse, build))]
    files += sorted(warehouse.parent.glob(f".{warehouse.name}.*.partial"))
    gx = settings.gx_dir(warehouse)
    others = set(warehouse.parent.glob("*.duckdb")) - {warehouse, build}
    if gx.exists() and not others:
        files.append(gx)
    return [p for p in files if p.exists()]


def plan(warehouse: Path, landing: Path, instance: dg.DagsterInstance | None) -> list[str]:
    """What reset removes, one line each."""
    from orchestration.automation import memory_key

    lines = [f"file      {p}" for p in _files(warehouse)]
    if instance is not None:
        name = settings.reports_partition(warehouse)
        n = len(instance.get_dynamic_partitions(name))
        if n:
            lines.append(f"dagster   {n} report partitions {name} in {instance.root_directory}")
        key = memory_key(landing, name)
        if instance.daemon_cursor_storage.get_cursor_values({key}).get(key):
            lines.append(f"dagster   the landing sensor's memory of {landing} for this warehouse")
    return lines


def reset(warehouse: Path, landing: Path, instance: dg.DagsterInstance | None) -> list[str]:
    """Remove what plan() lists; returns those lines."""
    from orchestration.automation import memory_key

    lines = plan(warehouse, landing, instance)
    for path in _files(warehouse):
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    if instance is not None:
        name = settings.reports_partition(warehouse)
        for report in instance.get_dynamic_partitions(name):
            instance.delete_dynamic_partition(name, report)
        key = memory_key(landing, name)
        index = instance.daemon_cursor_storage.get_cursor_values({key}).get(key)
        if index:  # keys cannot be deleted: emptied, as SensorMemory forgets old states
            for digest in json.loads(index):
                instance.daemon_cursor_storage.set_cursor_values({f"{key}.{digest}": ""})
            instance.daemon_cursor_storage.set_cursor_values({key: ""})
    return lines


def main() -> int:
    warehouse, landing = settings.warehouse_path(), settings.landing_dir()
    home = os.environ.get("DAGSTER_HOME")
    has_home = bool(home) and (Path(home) / "dagster.yaml").exists()
    instance = dg.DagsterInstance.get() if has_home else None
    try:
        lines = plan(warehouse, landing, instance)
        if not lines:
            print(f"nothing to reset for {warehouse}")
            return 0
        print(f"resetting {warehouse} (landing folder {landing}); removing:")
        for line in reset(warehouse, landing, instance):
            print(f"  {line}")
        return 0
    finally:
        if instance is not None:
            instance.dispose()


if __name__ == "__main__":
    sys.exit(main())
