"""The code location loads, names its layers, and a failed publish leaves the mart intact."""

from __future__ import annotations

import subprocess
import sys

import dagster as dg
import duckdb

from assets.mart import mart_tables
from orchestration.definitions import defs, make_definitions
from orchestration.resources import build_resources
from orchestration.settings import REPO_ROOT, SAMPLE_LANDING_DIR, build_path
from tests.conftest import QUIET, run_pipeline


def test_definitions_load_with_layered_asset_keys():
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert keys == {
        "ref/metrics", "ref/label_map", "ref/unit_aliases", "ref/conversion_factors",
        "ref/prose_patterns", "ref/consistency_rules", "ref/hkex_kpis", "raw/report_documents",
        "core/mapped_values",
        "core/unmapped_values", "core/document_coverage", "core/facts", "mart/esg_facts",
        "mart/issuer_year", "mart/kpi_disclosure", "mart/withheld_issuer_years",
        "mart/withheld_facts",
    }  # fmt: skip
    checks = {k.name for k in defs.resolve_asset_graph().asset_check_keys}
    assert {"unique_fact_key", "canonical_units", "traceable_to_source"} <= checks
    assert defs.resolve_job_def("esg_refresh") is not None


def test_every_table_lives_in_the_schema_its_key_names(sample_warehouse):
    tables = {
        f"{s}/{t}"
        for s, t in sample_warehouse.execute(
            "SELECT schema_name, table_name FROM duckdb_tables()"
            " UNION SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal"
        ).fetchall()
    }
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert keys <= tables


def test_failed_mart_build_keeps_the_published_mart(tmp_path):
    warehouse = tmp_path / "esg.duckdb"
    assert run_pipeline(SAMPLE_LANDING_DIR, warehouse).success
    published_bytes = warehouse.read_bytes()
    con = duckdb.connect(str(build_path(warehouse)))
    before = con.execute("SELECT * FROM mart.esg_facts ORDER BY ALL").fetchall()
    con.execute("DROP TABLE raw.report_documents")  # the mart query now fails half-way
    con.close()

    result = dg.materialize(
        [mart_tables],
        resources=build_resources(SAMPLE_LANDING_DIR, warehouse),
        run_config=QUIET,
        raise_on_error=False,
    )
    assert not result.success
    assert warehouse.read_bytes() == published_bytes  # nothing was published
    with duckdb.connect(str(build_path(warehouse)), read_only=True) as con:
        # and the working copy rolled back to the mart it had
        assert con.execute("SELECT * FROM mart.esg_facts ORDER BY ALL").fetchall() == before


def test_rerun_on_same_input_gives_identical_mart(tmp_path):
    marts = []
    for name in ("a", "b"):
        warehouse = tmp_path / f"{name}.duckdb"
        assert run_pipeline(SAMPLE_LANDING_DIR, warehouse).success
        with duckdb.connect(str(warehouse), read_only=True) as con:
            marts.append(con.execute("SELECT * FROM mart.esg_facts ORDER BY ALL").fetchall())
    assert marts[0] == marts[1] and marts[0]


def test_make_run_entry_point_prints_a_summary(tmp_path):
    env = {"ESG_WAREHOUSE": str(tmp_path / "esg.duckdb"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert "reports:   2 loaded" in out.stdout
    assert "REMT       2024" in out.stdout
    assert "checks:" in out.stdout
    docs = tmp_path / "gx" / "data_docs" / "index.html"  # GX Data Docs beside the warehouse
    assert f"GX docs:   {docs}" in out.stdout
    assert "<html" in docs.read_text().lower()


def test_environment_picks_landing_folder_and_warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("ESG_LANDING_DIR", str(tmp_path / "in"))
    monkeypatch.setenv("ESG_WAREHOUSE", str(tmp_path / "out" / "w.duckdb"))
    resources = make_definitions().resources
    assert resources["landing"].path == str(tmp_path / "in")
    assert resources["duckdb"].published_path == str(tmp_path / "out" / "w.duckdb")
    assert resources["duckdb"].database == str(tmp_path / "out" / "w.build.duckdb")


def test_the_same_definitions_run_with_the_multiprocess_executor(tmp_path, monkeypatch):
    """ESG_EXECUTOR=multiprocess: every step in a process of its own (one at a time: DuckDB has
    one writer), started from the code location as `dagster dev` would."""
    from orchestration import definitions
    from orchestration.jobs import RANGE_TAGS
    from orchestration.settings import REPORTS_PARTITION, reports_partition

    warehouse = tmp_path / "esg.duckdb"
    monkeypatch.setenv("ESG_EXECUTOR", "multiprocess")
    monkeypatch.setenv("ESG_LANDING_DIR", str(SAMPLE_LANDING_DIR))
    monkeypatch.setenv("ESG_WAREHOUSE", str(warehouse))
    reports = sorted(p.stem for p in SAMPLE_LANDING_DIR.glob("*.csv"))
    (tmp_path / "home").mkdir()
    with dg.DagsterInstance.local_temp(str(tmp_path / "home")) as instance:
        # The partition set's name is bound at import from ESG_WAREHOUSE: this process imported
        # the code before the test set it, the step processes after.
        for name in {REPORTS_PARTITION, reports_partition(warehouse)}:
            instance.add_dynamic_partitions(name, reports)
        job = dg.reconstructable(definitions.refresh_job)
        with dg.execute_job(
            job, instance, tags=dict(zip(RANGE_TAGS, (reports[0], reports[-1]), strict=True))
        ) as result:
            assert result.success
            workers = [
                e
                for e in result.all_events
                if e.event_type == dg.DagsterEventType.STEP_WORKER_STARTED
            ]
    assert len(workers) == len(
        definitions.make_definitions().resolve_job_def("esg_refresh").nodes_in_topological_order
    )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        issuers = {
            i for (i,) in con.execute("SELECT DISTINCT issuer_id FROM mart.esg_facts").fetchall()
        }
    assert issuers == {"REMT", "NRE"}


def test_the_ui_can_show_what_is_stale():
    """The mart carries a freshness policy a little over a day (the nightly schedule), and each
    reference asset's code version is its file's hash, so an edited mapping marks it stale."""
    import hashlib
    from datetime import timedelta

    from orchestration.settings import REF_DIR

    graph = defs.resolve_asset_graph()
    for key in (["mart", "esg_facts"], ["mart", "issuer_year"]):
        policy = graph.get(dg.AssetKey(key)).freshness_policy
        assert timedelta(hours=24) < policy.warn_window.to_timedelta() < timedelta(hours=27)
    for path in REF_DIR.glob("*.csv"):
        node = graph.get(dg.AssetKey(["ref", path.stem]))
        assert node.code_version == hashlib.sha256(path.read_bytes()).hexdigest()[:16]
