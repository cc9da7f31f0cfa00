"""`make ui` says what it watches and writes, and a stop signal leaves nothing serving."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from orchestration.settings import REPO_ROOT
from tests.conftest import copy_sample
from tests.test_run_state import _home
from tests.test_ui_browser import _free_port

START_TIMEOUT_S = 180


def _sessions() -> dict[int, int]:
    """pid -> session id of every live process (zombies serve nothing)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            found[int(stat.parent.name)] = int(fields[3])  # state ppid pgrp session
    return found


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    return kids


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(f"{url}/server_info", timeout=2)
        return True
    except OSError:
        return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_make_ui_stops_everything_it_started_on_a_signal(tmp_path, sig):
    landing, warehouse = copy_sample(tmp_path / "landing"), tmp_path / "w" / "esg.duckdb"
    port = _free_port()
    env = os.environ | {
        "DAGSTER_HOME": str(_home(tmp_path)),
        "DAGSTER_PORT": str(port),
        "ESG_LANDING_DIR": str(landing),
        "ESG_WAREHOUSE": str(warehouse),
        "ESG_AUTOMATION": "off",
    }
    log = (tmp_path / "ui.log").open("w+")
    wrapper = subprocess.Popen(  # as `make ui` runs it: a process group a user may signal
        [sys.executable, "-m", "orchestration.ui"],
        cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _answers(url):
            assert wrapper.poll() is None, (tmp_path / "ui.log").read_text()
            assert time.monotonic() < deadline, "the UI did not start"
            time.sleep(1)
        (dev,) = _children(wrapper.pid)
        served = [p for p, s in _sessions().items() if s == dev]
        assert len(served) >= 3, "dagster dev, its webserver, daemon and code server"
        os.killpg(wrapper.pid, sig)  # `kill -- -PGID` of the group make ui runs in
        wrapper.wait(timeout=120)
    finally:
        if wrapper.poll() is None:
            os.killpg(wrapper.pid, signal.SIGKILL)
    left = [p for p, s in _sessions().items() if s == dev]
    assert left == [], f"still running: {left}"
    assert not _answers(url)
    banner = (tmp_path / "ui.log").read_text()
    assert f"http://127.0.0.1:{port}" in banner
    assert f"landing folder: {landing}" in banner and f"warehouse:      {warehouse}" in banner


def test_the_sensor_description_names_the_folder_it_watches(tmp_path):
    code = "from orchestration.automation import landing_sensor as s; print(s.description)"
    env = os.environ | {
        "ESG_LANDING_DIR": str(tmp_path),
        "ESG_WAREHOUSE": str(tmp_path / "w.duckdb"),
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    assert f"Watches the landing folder {tmp_path} " in out.stdout
    assert str(tmp_path / "w.duckdb") in out.stdout
