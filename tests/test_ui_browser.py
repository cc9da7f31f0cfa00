"""The real Dagster UI in headless Debian chromium: graph, checks, a materialisation launched by
a click, and its success — against a server the test starts and stops itself.

Playwright drives the system's chromium (`executable_path`); no browser is ever downloaded.
Skipped where chromium is absent (`.ci/run` installs it).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration import ui
from orchestration.definitions import defs
from orchestration.settings import REPO_ROOT, reports_partition
from tests.conftest import ACME_CSV, ACME_META, copy_sample

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
# Flags for a closed network: no background calls home, no first-run UI.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RUN_TIMEOUT_S = 420
BAD_CSV = ACME_CSV.replace(",kWh,", ",kWhx,")  # a unit nobody knows


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_server(url: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dagster dev exited with {process.returncode}")
        try:
            urllib.request.urlopen(f"{url}/server_info", timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@pytest.fixture
def dagster_ui(tmp_path: Path):
    """`make ui`'s server (orchestration.ui) on a free loopback port, in a fresh DAGSTER_HOME."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "orchestration" / "dagster.yaml", home / "dagster.yaml")
    landing = copy_sample(tmp_path / "landing")
    # A third report with a unit nobody knows: its check fails in the UI, the others publish.
    (landing / "acme-2024.csv").write_text(BAD_CSV)
    (landing / "acme-2024.yaml").write_text(ACME_META)
    # A fourth without metadata: rejected, and its partition says so in the UI.
    (landing / "orphan.csv").write_text("label,unit,year,value,source_line\n")
    warehouse = tmp_path / "esg.duckdb"
    env = {
        "DAGSTER_HOME": str(home),
        "ESG_LANDING_DIR": str(landing),
        "ESG_WAREHOUSE": str(warehouse),
        "ESG_AUTOMATION": "off",  # only the click in this test launches a run
    }
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    with dg.DagsterInstance.get() as instance:  # what the sensor would have registered
        instance.add_dynamic_partitions(  # the server's processes: this warehouse's set
            reports_partition(warehouse), sorted(p.stem for p in landing.glob("*.csv"))
        )
    port = _free_port()
    with open(tmp_path / "dagster.log", "w") as log:
        process = ui.start(str(port), env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_for_server(url, process)
            yield url, warehouse
        finally:
            ui.stop(process)
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    assert process.poll() is not None, "the server outlived the test"


def _wait_for_run(page, url: str) -> str:
    deadline = time.monotonic() + RUN_TIMEOUT_S
    page.goto(f"{url}/runs", wait_until="networkidle")
    while time.monotonic() < deadline:
        text = page.inner_text("body")
        for status in ("Success", "Failure", "Canceled"):
            if status in text:
                return status
        time.sleep(3)
        page.reload(wait_until="networkidle")
    return "timeout"


def test_ui_shows_assets_and_checks_and_runs_a_materialisation(dagster_ui, tmp_path):
    from playwright.sync_api import sync_playwright

    url, warehouse = dagster_ui
    mart_checks = sorted(
        key.name for key in defs.resolve_asset_graph().asset_check_keys
        if key.asset_key == dg.AssetKey(["mart", "esg_facts"])
    )  # fmt: skip
    assert mart_checks, "the mart declares checks"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        try:
            page.goto(f"{url}/asset-groups", wait_until="networkidle")
            for group in ("raw", "core", "mart", "ref"):  # the layers, as asset groups
                page.get_by_text(group, exact=True).first.wait_for()
            page.screenshot(path=tmp_path / "asset_graph.png")

            page.goto(f"{url}/assets/mart/esg_facts?view=checks", wait_until="networkidle")
            page.get_by_text(f"Checks ({len(mart_checks)})").wait_for()
            for name in mart_checks:
                page.get_by_text(name, exact=True).first.wait_for()
            page.screenshot(path=tmp_path / "mart_checks.png")

            page.goto(f"{url}/asset-groups", wait_until="networkidle")
            page.get_by_role("button", name="Materialize all").click()
            page.get_by_role("button", name="All", exact=True).click()
            page.get_by_text("4 partitions").wait_for()
            page.get_by_role("button", name="Launch backfill").click()
            status = _wait_for_run(page, url)
            page.screenshot(path=tmp_path / "runs.png")
            assert status == "Success", f"the run launched from the UI ended in {status}"

            page.goto(f"{url}/assets/mart/esg_facts?view=checks", wait_until="networkidle")
            page.get_by_text("unique_fact_key", exact=True).first.click()
            for text in ("Passed", "Metadata", "failing_rows", "failures"):
                page.get_by_text(text, exact=True).first.wait_for()
            assert "Not evaluated" not in page.inner_text("body")
            page.screenshot(path=tmp_path / "mart_checks_after_run.png")

            # The failing check, on the asset it guards, with its count and failing rows.
            page.goto(f"{url}/assets/core/mapped_values?view=checks", wait_until="networkidle")
            page.get_by_text("units_convertible", exact=True).first.click()
            page.get_by_text("Failed", exact=True).first.wait_for()
            page.get_by_text("failing_rows", exact=True).first.wait_for()
            page.get_by_text("Show Markdown").first.click()
            page.get_by_text("kWhx").first.wait_for()  # the failing row names the unit
            page.screenshot(path=tmp_path / "failed_check.png")

            # A rejected report's partition: an observation with its status and reason, on its
            # events (a loaded report's partition has none).
            page.goto(
                f"{url}/assets/raw/report_documents?view=events&partition=orphan",
                wait_until="networkidle",
            )
            entries = page.get_by_text("orphan", exact=True)
            for i in range(entries.count()):
                entries.nth(i).click()
                if "observed in run" in page.inner_text("body"):
                    break
            page.get_by_text("rejected: metadata_missing").first.wait_for()
            page.get_by_text("no orphan.yaml beside the document").first.wait_for()
            page.screenshot(path=tmp_path / "rejected_partition.png")
            page.goto(
                f"{url}/assets/raw/report_documents?view=events&partition=acme-2024",
                wait_until="networkidle",
            )
            page.get_by_text("acme-2024", exact=True).first.click()
            page.get_by_text("materialized in run").first.wait_for()
            assert "observed in run" not in page.inner_text("body")
        finally:
            browser.close()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        issuers = {
            r for (r,) in con.execute("SELECT DISTINCT issuer_id FROM mart.esg_facts").fetchall()
        }
    assert issuers == {"REMT", "NRE"}  # ACME 2024 is withheld by its error; the others publish
    assert (tmp_path / "runs.png").stat().st_size > 10_000
