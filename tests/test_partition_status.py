"""A rejected or removed report's partition says so (status and reason), unlike a loaded one."""

from __future__ import annotations

import dagster as dg

from tests.conftest import copy_sample, run_pipeline


def _observed(instance: dg.DagsterInstance) -> dict[str, tuple[str, str]]:
    records = instance.fetch_observations(dg.AssetKey(["raw", "report_documents"]), limit=100)
    found = {}
    for record in reversed(records.records):  # oldest first: the latest wins
        obs = record.event_log_entry.asset_observation
        found[obs.partition] = (obs.metadata["status"].value, obs.metadata["reason"].value)
    return found


def test_rejected_and_removed_partitions_carry_their_status_and_reason(tmp_path):
    landing, warehouse = copy_sample(tmp_path / "landing"), tmp_path / "esg.duckdb"
    (landing / "orphan.csv").write_text("label,unit,year,value,source_line\n")  # no metadata
    instance = dg.DagsterInstance.ephemeral()
    assert run_pipeline(landing, warehouse, instance).success
    observed = _observed(instance)
    assert set(observed) == {"orphan"}  # loaded reports: no observation
    status, reason = observed["orphan"]
    assert status == "rejected" and "orphan.yaml" in reason

    (landing / "orphan.csv").unlink()
    assert run_pipeline(landing, warehouse, instance).success
    assert _observed(instance)["orphan"] == ("removed", "no longer in the landing folder")
