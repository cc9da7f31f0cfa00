"""No empty publish: a refresh removing most of the published mart is refused, unless allowed."""

from __future__ import annotations

import hashlib

import duckdb
import pytest

from orchestration.publish_guard import Counts, allowed, refusal
from tests.conftest import copy_sample
from tests.test_run_state import _home, cli


def _facts(warehouse) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("SELECT count(*) FROM mart.esg_facts").fetchall()[0][0]


def test_a_run_on_an_empty_folder_leaves_the_published_mart_and_says_why(tmp_path, monkeypatch):
    home, warehouse = _home(tmp_path), tmp_path / "esg.duckdb"
    sample, empty = copy_sample(tmp_path / "sample"), tmp_path / "empty"
    empty.mkdir()
    assert cli("orchestration.cli", home, sample, warehouse).returncode == 0
    facts, digest = _facts(warehouse), hashlib.sha256(warehouse.read_bytes()).hexdigest()
    assert facts > 0
    reports = len(list(sample.glob("*.csv")))

    refused = cli("orchestration.cli", home, empty, warehouse)
    assert refused.returncode == 1
    assert "run FAILED" in refused.stdout
    assert f"not published: landing folder {empty} leaves 0 of {reports} reports" in refused.stdout
    assert f"0 of {facts} facts" in refused.stdout and "ESG_ALLOW_SHRINK=1" in refused.stdout
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == digest

    meant = cli("orchestration.cli", home, empty, warehouse, ESG_ALLOW_SHRINK="1")
    assert meant.returncode == 0, meant.stdout + meant.stderr
    assert _facts(warehouse) == 0 and f"{reports} removed" in meant.stdout


@pytest.mark.parametrize(
    ("before", "after", "refused"),
    [
        (None, Counts(0, 0), False),  # first publish
        (Counts(3, 0), Counts(0, 0), False),  # nothing published to lose
        (Counts(4, 100), Counts(0, 0), True),  # every report gone
        (Counts(4, 100), Counts(3, 49), True),  # 51 % of the facts gone
        (Counts(4, 100), Counts(3, 50), False),  # 50 %: the limit, allowed
        (Counts(4, 100), Counts(5, 130), False),  # growth
    ],
)
def test_refusal_by_reports_left_and_share_of_facts_removed(before, after, refused, monkeypatch):
    monkeypatch.delenv("ESG_MAX_SHRINK", raising=False)
    reason = refusal(before, after, "/in/box")
    assert (reason is not None) == refused
    if refused:
        assert "/in/box" in reason and f"{after.facts} of {before.facts} facts" in reason


def test_the_share_and_the_permission_come_from_the_environment_or_a_run_tag(monkeypatch):
    monkeypatch.setenv("ESG_MAX_SHRINK", "0.1")
    assert "more than ESG_MAX_SHRINK=0.1" in refusal(Counts(4, 100), Counts(4, 85), "/in")
    monkeypatch.delenv("ESG_ALLOW_SHRINK", raising=False)
    assert not allowed({}) and allowed({"esg/allow_shrink": "1"})
    monkeypatch.setenv("ESG_ALLOW_SHRINK", "1")
    assert allowed(None)
