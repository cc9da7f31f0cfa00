"""Shared fixtures: real Dagster runs into real DuckDB files under tmp_path."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.landing import fingerprints
from orchestration.definitions import make_definitions
from orchestration.jobs import execute_refresh
from orchestration.resources import build_resources
from orchestration.settings import REPO_ROOT, SAMPLE_LANDING_DIR

SHARED_REPORTS = REPO_ROOT.parent / "shared" / "reports"
QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}

needs_shared_reports = pytest.mark.skipif(
    not SHARED_REPORTS.is_dir(), reason="../shared/reports is not beside this clone"
)


def run_pipeline(
    landing: Path, warehouse: Path, instance: dg.DagsterInstance | None = None
) -> dg.ExecuteInProcessResult:
    """Materialise every asset and run every check, as `make run` does."""
    defs = make_definitions(build_resources(landing, warehouse))
    reports = sorted(fingerprints(landing, 10**9))
    return execute_refresh(defs, instance or dg.DagsterInstance.ephemeral(), reports, QUIET)


@pytest.fixture
def build(tmp_path: Path) -> Callable[[Path], duckdb.DuckDBPyConnection]:
    """build(landing) -> read-only connection to a freshly built warehouse."""
    opened = []

    def _build(landing: Path) -> duckdb.DuckDBPyConnection:
        for con in opened:  # a reader in this process would block the writer
            con.close()
        warehouse = tmp_path / "esg.duckdb"
        result = run_pipeline(landing, warehouse)
        assert result.success, "pipeline run failed"
        con = duckdb.connect(str(warehouse), read_only=True)
        opened.append(con)
        return con

    yield _build
    for con in opened:
        con.close()


def built_warehouse(factory, name: str, source: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Copy `source` into a landing folder, build a warehouse from it, and open it read-only."""
    root = factory.mktemp(name)
    shutil.copytree(source, root / "landing")
    assert run_pipeline(root / "landing", root / "esg.duckdb").success
    con = duckdb.connect(str(root / "esg.duckdb"), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="session")
def shared_warehouse(tmp_path_factory) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse built from a copy of ../shared/reports (the real report texts)."""
    if not SHARED_REPORTS.is_dir():
        pytest.skip("../shared/reports is not beside this clone")
    yield from built_warehouse(tmp_path_factory, "shared", SHARED_REPORTS)


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse built from the bundled sample (KPI tables), as `make run` does by default."""
    yield from built_warehouse(tmp_path_factory, "sample", SAMPLE_LANDING_DIR)


def copy_sample(dest: Path) -> Path:
    """A writable copy of the bundled sample landing folder."""
    shutil.copytree(SAMPLE_LANDING_DIR, dest)
    return dest


# A small third issuer, as a KPI table: one value.
ACME_META = """issuer_id: ACME
issuer_name: Acme Materials Ltd
fiscal_year: 2024
period_start: 2024-01-01
period_end: 2024-12-31
"""
ACME_CSV = 'label,unit,year,value,source_line\nElectricity,kWh,2024,"5,000",12\n'
REMT_CSV, NRE_CSV = "remt-2024-esg-report.csv", "northern-rare-earth-2024-esg-report.csv"


def edit_kpi_table(path: Path, where: dict, **changes) -> None:
    """Change the rows of a KPI table whose columns equal `where` (at least one must)."""
    with path.open(newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    hits = [r for r in rows if all(r[k] == str(v) for k, v in where.items())]
    assert hits, f"no row of {path.name} matches {where}"
    for row in hits:
        row.update({k: str(v) for k, v in changes.items()})
    _write(path, fields, rows)


def add_kpi_row(path: Path, **row) -> None:
    with path.open(newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    rows.append({k: str(row.get(k, "")) for k in fields})
    _write(path, fields, rows)


def _write(path: Path, fields, rows) -> None:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


# What a built warehouse says about checks and publishing.
def failures(con, check: str) -> list[tuple]:
    return con.execute(
        """SELECT severity, issuer_id, fiscal_year, metric_id, source_line, message
           FROM dq.current_check_results WHERE check_name = ? AND NOT passed ORDER BY ALL""",
        [check],
    ).fetchall()


def failed_checks(con) -> set[str]:
    rows = con.execute("SELECT check_name FROM dq.current_check_results WHERE NOT passed")
    return {name for (name,) in rows.fetchall()}


def published(con, issuer: str) -> int:
    query = "SELECT count(*) FROM mart.esg_facts WHERE issuer_id = ?"
    return con.execute(query, [issuer]).fetchall()[0][0]


def withheld(con) -> list[tuple]:
    query = "SELECT issuer_id, fiscal_year, failed_checks FROM mart.withheld_issuer_years"
    return con.execute(query).fetchall()


def withheld_facts(con, issuer: str | None = None) -> list[tuple]:
    """(issuer, year, metric, breakdown, line, withheld_because, check) per row of
    mart.withheld_facts (of one issuer when given), distinct and sorted."""
    query = """SELECT DISTINCT issuer_id, fiscal_year, metric_id, breakdown, source_line,
                      withheld_because, check_name
               FROM mart.withheld_facts WHERE issuer_id = coalesce(?, issuer_id) ORDER BY ALL"""
    return con.execute(query, [issuer]).fetchall()
