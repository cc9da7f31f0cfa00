"""The synthetic report generator (benchmark input) and `make bench` itself, on a few reports.

The generator lists every value it prints, so the extractor can be held to all of them in every
layout; the benchmark is run end to end on a handful of reports (its timings are not asserted).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections import Counter

import dagster as dg
import duckdb
import pyarrow as pa
import pytest

from assets.core import resolve_wording
from assets.extract import document
from orchestration import bench, synthetic
from orchestration.settings import REPO_ROOT
from tests.conftest import failures, published, run_pipeline, withheld, withheld_facts

SAMPLE = range(40)  # four issuers x ten years: every layout


def _extract(report: synthetic.SyntheticReport):
    return document.extract(report.text, report.suffix[1:])[0]


def test_generator_is_deterministic_by_seed():
    assert synthetic.generate(7, seed=3).text == synthetic.generate(7, seed=3).text
    assert synthetic.generate(7, seed=3).text != synthetic.generate(7, seed=4).text


def test_reports_cover_every_layout_with_100_to_300_values():
    reports = [synthetic.generate(i) for i in SAMPLE]
    assert {r.layout for r in reports} == set(synthetic.LAYOUTS)
    assert all(100 <= len(r.printed) <= 300 for r in reports)


@pytest.mark.parametrize("index", SAMPLE)
def test_extractor_reads_every_printed_value_and_maps_it(index):
    report = synthetic.generate(index)
    values = _extract(report)
    assert Counter((v.year, v.value_text) for v in values) == Counter(
        (year, text) for _, _, year, text in report.printed
    )
    if report.defect is None:
        for v in values:
            resolved = resolve_wording(
                v.label, v.table_title, v.column_header, v.unit, v.metric_hint
            )
            assert resolved["mapping_status"] == "mapped", (v.line_number, v.label)
            assert resolved["conversion_status"] == "ok", (v.line_number, v.label, v.unit)


def _first(defect: str) -> synthetic.SyntheticReport:
    return next(r for i in range(1000) if (r := synthetic.generate(i)).defect == defect)


def test_a_deliberate_bad_total_is_caught_and_withholds_only_that_total_and_its_parts(tmp_path):
    bad, clean = _first("waste_total"), synthetic.generate(0)
    landing = tmp_path / "landing"
    landing.mkdir()
    for report in (bad, clean):
        report.write(landing)
    assert run_pipeline(landing, tmp_path / "esg.duckdb").success
    total_line = next(
        int(row["source_line"])
        for row in csv.DictReader(io.StringIO(bad.text))
        if row["label"] == "Total" and row["table_title"].startswith("Hazardous")
    ) if bad.layout == "kpi_csv" else next(
        n for n, line in enumerate(bad.text.splitlines(), 1) if line.startswith("\tTotal\t")
    )  # fmt: skip
    with duckdb.connect(str(tmp_path / "esg.duckdb"), read_only=True) as con:
        found = failures(con, "totals_match_parts")
        assert withheld(con) == []  # no issuer-year: the total and its parts
        withheld_rows = withheld_facts(con)
        assert published(con, clean.issuer_id) > 100
        assert published(con, bad.issuer_id) > 100
    assert found and {(i, m, line) for _, i, _, m, line, _ in found} == {
        (bad.issuer_id, "waste.hazardous", total_line)
    }
    years = {y for _, _, y, *_ in found}  # the table prints the total of each year wrong
    assert bad.fiscal_year in years
    assert {(i, y, m) for i, y, m, _, _, why, _ in withheld_rows if why == "named"} == {
        (bad.issuer_id, y, "waste.hazardous") for y in years
    }


BENCH = [sys.executable, "-m", "orchestration.bench"]


def test_bench_runs_pipeline_baseline_and_incremental(tmp_path, monkeypatch):
    out = subprocess.run(
        [*BENCH, "--reports", "12", "--keep", str(tmp_path), "--event-floor"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])  # the last line is the JSON
    for key in ("reports", "facts", "pipeline_s", "baseline_s", "ratio", "incremental_s"):
        assert key in result
    assert result["reports"] == 12 and result["facts"] >= result["baseline_facts"] > 12 * 100
    assert result["values"] == sum(len(synthetic.generate(i).printed) for i in range(12))
    assert result["peak_rss_mb"] > 0 and result["checks_failed"] == 0
    # every check's own time is reported, and it is a part of the run's time
    assert len(result["pipeline_checks_s"]) == result["checks"]
    assert 0 < result["checks_s"] < result["pipeline_s"]
    assert 0 < result["incremental_checks_s"] < result["incremental_s"]
    assert result["incremental_process_s"] > 0
    with duckdb.connect(str(tmp_path / "esg.duckdb"), read_only=True) as con:
        for new in (synthetic.generate(12), synthetic.generate(13)):  # in-process, fresh process
            (n,) = con.execute(
                "SELECT count(*) FROM mart.esg_facts WHERE source_document = ?",
                [
                    f"{new.name}.txt"
                    if new.suffix == ".txt"
                    else f"{new.issuer_id.lower()}-{new.fiscal_year}.pdf"
                ],
            ).fetchone()
            assert n > 0, f"the incremental report {new.name} reached the mart"
    assert bench.peak_rss_mb() > 0
    # --event-floor: the same refresh, with the same facts and no materialization event
    assert result["no_asset_events_s"] > 0
    with duckdb.connect(str(tmp_path / "floor.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM core.facts").fetchone()[0] == result["facts"]
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "floor_dagster_home"))  # its dagster.yaml
    floor = dg.DagsterInstance.from_config(str(tmp_path / "floor_dagster_home"))
    kinds = {r.event_log_entry.dagster_event_type for r in floor.get_records_for_run(
        floor.get_runs()[0].run_id).records}  # fmt: skip
    assert dg.DagsterEventType.STEP_SUCCESS in kinds
    assert dg.DagsterEventType.ASSET_MATERIALIZATION not in kinds
    # `make bench-plot` draws the JSON lines
    (tmp_path / "results.jsonl").write_text(json.dumps(result) + "\n")
    bench.plot(tmp_path / "results.jsonl", tmp_path / "scaling.png")
    assert (tmp_path / "scaling.png").read_bytes().startswith(b"\x89PNG")


def test_worker_processes_and_batches_read_what_one_process_reads(tmp_path, monkeypatch):
    """The raw step's reading, spread over spawned workers and cut into batches of reports
    (as for a large backfill), gives the rows one in-process read gives, in the same order."""
    from assets import reading

    synthetic.write_landing(tmp_path, 12)
    monkeypatch.setenv("ESG_WORKERS", "1")
    whole = reading.load_landing(tmp_path, 10**9)
    monkeypatch.setenv("ESG_WORKERS", "2")
    monkeypatch.setattr(reading, "PARALLEL_FROM", 2)
    batches = list(reading.load_batches(tmp_path, 10**9, batch=5))
    assert [len(b["raw.report_documents"]) for b in batches] == [5, 5, 2]
    for table in reading.RAW_TABLES:
        assert pa.concat_tables([b[table] for b in batches]).equals(whole[table])
    assert len(whole["raw.reported_values"]) > 12 * 100


def test_reading_workers_start_without_dagster():
    """Each spawned reading worker imports assets.reading: it stays free of Dagster, whose
    import would cost every worker over a second."""
    script = "import sys, assets.reading; print('dagster' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
