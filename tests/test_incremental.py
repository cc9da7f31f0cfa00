"""A run for one new report rebuilds only its issuer, and leaves the warehouse exactly as a full
refresh of every report would."""

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets import scope as run_scope
from orchestration import synthetic
from orchestration.bench import incremental, pipeline
from tests.conftest import ACME_META

# Electricity is an amount: a negative one fails the pandera schema of core.facts, a check that
# reads only the issuers a run changed. ACME is never in the incremental run's scope.
NEGATIVE_CSV = 'label,unit,year,value,source_line\nElectricity,kWh,2024,"-5,000",12\n'
COMPARED = {
    "core.mapped_values": "SELECT * EXCLUDE (document) FROM core.mapped_values",
    "core.facts": "SELECT * FROM core.facts",
    "mart.esg_facts": "SELECT * FROM mart.esg_facts",
    "mart.withheld_issuer_years": "SELECT * FROM mart.withheld_issuer_years",
    "mart.withheld_facts": "SELECT * FROM mart.withheld_facts",
    "mart.issuer_year": "SELECT * FROM mart.issuer_year",
    "mart.kpi_disclosure": "SELECT * FROM mart.kpi_disclosure",
    "current findings": """SELECT check_name, issuer_id, fiscal_year, metric_id,
                                  source_document, source_line, message
                           FROM dq.current_check_results WHERE NOT passed""",
}


def _landing(folder: Path, reports: range) -> None:
    synthetic.write_landing(folder, len(reports), seed=0, start=reports.start)
    (folder / "acme-2024.yaml").write_text(ACME_META)
    (folder / "acme-2024.csv").write_text(NEGATIVE_CSV)


def _tables(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            name: sorted(con.execute(sql).fetchall(), key=repr) for name, sql in COMPARED.items()
        }


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(incremental warehouse, full-refresh warehouse, incremental run id)."""
    tmp = tmp_path_factory.mktemp("incremental")
    landing, fresh = tmp / "landing", tmp / "fresh"
    _landing(landing, range(0, 19))
    instance = dg.DagsterInstance.ephemeral()
    defs, _ = pipeline(landing, tmp / "inc" / "esg.duckdb", instance)
    new = synthetic.generate(19)  # issuer 1's tenth year
    new.write(landing)
    run = incremental(defs, instance, new.name)
    shutil.copytree(landing, fresh)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ESG_RAW_BATCH_REPORTS", "7")  # the raw step in three batches
        pipeline(fresh, tmp / "full" / "esg.duckdb", dg.DagsterInstance.ephemeral())
    return tmp / "inc" / "esg.duckdb", tmp / "full" / "esg.duckdb", run.run_id


def test_one_new_report_gives_the_warehouse_a_full_refresh_gives(built):
    inc, full, _ = built
    inc_tables, full_tables = _tables(inc), _tables(full)
    for name in COMPARED:
        assert inc_tables[name] == full_tables[name], name
    # ACME's negative electricity: that fact withheld, named with its finding
    assert [row[:3] for row in full_tables["mart.withheld_facts"]] == [
        ("ACME", 2024, "energy.electricity")
    ]


def test_the_new_reports_run_rebuilt_only_its_issuer(built):
    inc, _, run_id = built
    with duckdb.connect(str(inc), read_only=True) as con:
        findings = con.execute(
            """SELECT issuer_id, scope_key FROM dq.check_results
               WHERE run_id = ? AND check_name = 'schema_facts' AND NOT passed""",
            [run_id],
        ).fetchall()
        pending = con.execute("SELECT count(*) FROM dq.pending_scope").fetchone()[0]
    assert findings == [("ACME", "ACME")]  # carried over: ACME's rows were not read again
    assert pending == 0  # the mart published what the run changed


def test_scope_is_everything_until_issuers_are_pending(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert run_scope.pending(con).everything  # nothing pending: a core or mart run alone
        run_scope.add_pending(con, "run-1", ["B", "A"])
        run_scope.add_pending(con, "run-2", ["A"])
        assert run_scope.pending(con).values == ("A", "B")
        run_scope.mark_ref_data(con, "run-2")  # first build: reference data never seen
        assert run_scope.pending(con).everything
        with run_scope.pending(con).registered(con) as everything:
            run_scope.clear_pending(con, everything)
        run_scope.add_pending(con, "run-3", ["C"])
        run_scope.mark_ref_data(con, "run-3")  # unchanged since run-2
        assert run_scope.pending(con).values == ("C",)


def test_a_registered_scope_selects_its_issuers_only():
    with duckdb.connect() as con:
        con.execute("CREATE TABLE t AS SELECT * FROM (VALUES ('A'), ('O''Neil'), ('B'), (NULL))"
                    " v(issuer_id)")  # fmt: skip
        rows = f"SELECT issuer_id FROM {run_scope.in_scope('t')} ORDER BY ALL"
        with run_scope.Scope("issuer_id", ("O'Neil", "A")).registered(con):
            assert con.execute(rows).fetchall() == [("A",), ("O'Neil",)]
        with run_scope.Scope("issuer_id", ()).registered(con):
            assert con.execute(rows).fetchall() == []  # a run that changed no issuer
        with run_scope.Scope("issuer_id").registered(con):
            assert len(con.execute(rows).fetchall()) == 4  # everything, null issuer too
        run_scope.ensure_registered(con)  # a check run on its own reads every row
        assert len(con.execute(rows).fetchall()) == 4


def test_checks_read_a_scope_in_record_batches_and_whole_issuer_chunks():
    """pandera's record batches cover the scope's rows once each; GX's chunks hold whole
    issuers, text as categoricals. Both read after a result left unread on the connection."""
    with duckdb.connect() as con:
        con.execute("CREATE TABLE t AS SELECT 'I' || (i % 5) AS issuer_id, i AS n"
                    " FROM range(100) r(i)")  # fmt: skip
        scope = run_scope.Scope("issuer_id", ("I1", "I3"))
        with scope.registered(con):
            con.execute("SELECT * FROM t").fetchone()  # 99 rows left unread
            batches = list(run_scope.record_batches(con, "t", scope, 7))
            assert max(b.height for b in batches) == 7
            assert sorted(n for b in batches for n in b["n"]) == [
                n for n in range(100) if n % 5 in (1, 3)
            ]
            con.execute("SELECT * FROM t").fetchone()
            chunks = list(run_scope.chunks(con, "t", scope, 25))
        assert [sorted(c["issuer_id"].unique()) for c in chunks] == [["I1"], ["I3"]]
        assert all(c["issuer_id"].dtype == "category" and len(c) == 20 for c in chunks)


def test_a_withheld_fact_is_published_once_its_report_is_fixed(tmp_path):
    landing, warehouse = tmp_path / "landing", tmp_path / "esg.duckdb"
    _landing(landing, range(0, 2))
    instance = dg.DagsterInstance.ephemeral()
    defs, _ = pipeline(landing, warehouse, instance)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        query = "SELECT issuer_id, metric_id FROM mart.withheld_facts"
        assert con.execute(query).fetchall() == [("ACME", "energy.electricity")]
    (landing / "acme-2024.csv").write_text(NEGATIVE_CSV.replace("-5,000", "5,000"))
    incremental(defs, instance, "acme-2024")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        withheld = con.execute(
            "SELECT * FROM mart.withheld_issuer_years UNION ALL"
            " SELECT issuer_id, fiscal_year, check_name, 0, 0 FROM mart.withheld_facts"
        ).fetchall()
        acme = con.execute(
            "SELECT value, quality_status FROM mart.esg_facts WHERE issuer_id = 'ACME'"
        ).fetchall()
    assert withheld == []
    assert acme == [(5.0, "pass")]  # 5,000 kWh in MWh


def test_a_run_that_changes_no_issuer_rebuilds_nothing(tmp_path):
    """A new report rejected for lack of metadata names no issuer: its run records the
    rejection, and core and mart rebuild no issuer (not every issuer) and keep their findings."""
    landing, warehouse = tmp_path / "landing", tmp_path / "esg.duckdb"
    _landing(landing, range(0, 3))
    instance = dg.DagsterInstance.ephemeral()
    defs, _ = pipeline(landing, warehouse, instance)
    before = _tables(warehouse)
    (landing / "orphan.csv").write_text(NEGATIVE_CSV)  # no orphan.yaml
    run = incremental(defs, instance, "orphan")
    carried = {
        c.check_name: c.metadata["carried_over"].value for c in run.get_asset_check_evaluations()
    }
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rejected = con.execute(
            f"{COMPARED['current findings']} AND check_name = 'documents_readable'"
        ).fetchall()
        pending = con.execute("SELECT count(*) FROM dq.pending_scope").fetchone()[0]
    after = _tables(warehouse)
    findings = after.pop("current findings")
    assert after == {k: v for k, v in before.items() if k != "current findings"}
    assert findings == sorted(before["current findings"] + rejected, key=repr)
    assert carried["schema_facts"] == 1  # ACME's finding kept, not found again by a rebuild
    assert pending == 0
