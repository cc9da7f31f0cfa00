"""Run state belongs to its warehouse: report partitions and sensor memory in a shared
DAGSTER_HOME are kept per warehouse, and `make reset` removes one warehouse's state only."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.settings import REPO_ROOT, reports_partition
from tests.conftest import ACME_CSV, ACME_META, copy_sample


def _home(tmp_path: Path) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "orchestration" / "dagster.yaml", home / "dagster.yaml")
    return home


def cli(
    module: str, home: Path, landing: Path, warehouse: Path, **env
) -> subprocess.CompletedProcess:
    """`python -m <module>` as make runs it: one process, this landing folder and warehouse."""
    env = (
        os.environ
        | env
        | {
            "DAGSTER_HOME": str(home),
            "ESG_LANDING_DIR": str(landing),
            "ESG_WAREHOUSE": str(warehouse),
        }
    )
    return subprocess.run(
        [sys.executable, "-m", module, *(["run"] if module.endswith("cli") else [])],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip


def reports(warehouse: Path) -> list[tuple[str, str]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        query = "SELECT report, status FROM raw.report_documents ORDER BY ALL"
        return con.execute(query).fetchall()


def test_two_landing_folders_into_two_warehouses_keep_their_own_reports(tmp_path, monkeypatch):
    home = _home(tmp_path)
    monkeypatch.setenv("DAGSTER_HOME", str(home))  # its dagster.yaml reads it
    sample = copy_sample(tmp_path / "sample")
    acme = tmp_path / "acme"
    acme.mkdir()
    (acme / "acme.csv").write_text(ACME_CSV)
    (acme / "acme.yaml").write_text(ACME_META)
    first, second = tmp_path / "one" / "esg.duckdb", tmp_path / "two" / "esg.duckdb"

    a = cli("orchestration.cli", home, sample, first)
    assert a.returncode == 0, a.stdout + a.stderr
    b = cli("orchestration.cli", home, acme, second)
    assert b.returncode == 0, b.stdout + b.stderr
    assert reports(second) == [("acme", "loaded")]  # no ghost of the first folder's reports
    assert "removed" not in b.stdout
    again = cli("orchestration.cli", home, sample, first)
    assert again.returncode == 0, again.stdout + again.stderr
    loaded = [(p.stem, "loaded") for p in sorted(sample.glob("*.csv"))]
    assert reports(first) == loaded
    assert "removed" not in again.stdout

    with dg.DagsterInstance.get() as instance:
        assert instance.get_dynamic_partitions(reports_partition(second)) == ["acme"]
    reset = cli("orchestration.reset", home, acme, second)
    assert reset.returncode == 0, reset.stderr
    assert str(second) in reset.stdout and "1 report partitions" in reset.stdout
    assert not second.exists() and first.exists()
    with dg.DagsterInstance.get() as instance:
        assert instance.get_dynamic_partitions(reports_partition(second)) == []
        assert len(instance.get_dynamic_partitions(reports_partition(first))) == len(loaded)
    assert "nothing to reset" in cli("orchestration.reset", home, acme, second).stdout


def test_a_missing_landing_folder_is_a_one_line_error(tmp_path):
    missing = tmp_path / "nowhere"
    out = cli("orchestration.cli", _home(tmp_path), missing, tmp_path / "esg.duckdb")
    assert out.returncode == 2
    assert (
        out.stdout.strip()
        == f"error: the landing folder {missing} does not exist (ESG_LANDING_DIR)"
    )
    assert "Traceback" not in out.stderr


def test_runs_of_the_project_instance_log_at_info_not_debug(tmp_path, monkeypatch):
    """A run without logger config (every run `make ui` launches) logs through Dagster's
    default console logger at the instance's python_log_level: INFO, not DEBUG."""
    from dagster._loggers import default_system_loggers

    monkeypatch.setenv("DAGSTER_HOME", str(_home(tmp_path)))
    with dg.DagsterInstance.get() as instance:
        ((_, config),) = default_system_loggers(instance)
    assert config["log_level"] == "INFO"
