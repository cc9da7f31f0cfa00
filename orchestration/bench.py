"""`make bench REPORTS=N`: the full pipeline against a bare-DuckDB baseline on N synthetic reports.

In a temporary landing folder, warehouse and DAGSTER_HOME (configured as `make ui`'s):
1. pipeline: the refresh job with every check, in one in-process run (as `make run` does);
2. incremental: one new report added to the N-report warehouse and refreshed as the sensor
   would (its partition, then the issuers it changed in core and mart);
   Then one more new report, run in a fresh Python process as the daemon's run launcher runs
   a sensor's request (process start, imports, definitions, GX's import included);
3. baseline: the minimum on the same N files — the project's own parser in a plain loop, one
   bulk insert into DuckDB, one SQL statement that maps and converts to canonical units (labels
   and units resolved once per distinct wording); no orchestration, no checks. It runs after
   the pipeline's steps, so the peak memory reported is the pipeline's (this process and its
   reading workers);
4. with --event-floor: step 1 once more, on a fresh warehouse and instance in a new process,
   with the run tag under which Dagster records no materialization events.
5. with --pdf (`BENCH_PDF=1`): the report texts are written as PDFs (KPI tables stay CSV); before
   step 1 they are parsed in a plain loop (parse_s) and converted by poppler's `pdftotext
   -layout` (pdftotext_s, the baseline); after it, their words are taken from the cache the
   pipeline filled, as a second refresh does (reparse_s).
Progress goes to stderr; the last line on stdout is one JSON object. Speed goals are read from
here, never asserted in tests.

    python -m orchestration.bench --reports 1000 [--seed 0] [--keep DIR] [--results FILE] [--pdf]
    python -m orchestration.bench plot bench/results.jsonl bench/scaling.png
    python -m orchestration.bench launch LANDING WAREHOUSE REPORT   (step 2, fresh process)
    python -m orchestration.bench floor LANDING WORK [SKIP...]      (--event-floor)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd

from assets import landing as landing_folder
from assets import pdf_reports
from assets.core import RESOLVED, WORDING, resolve_wording
from assets.extract import document, pdf
from orchestration import synthetic
from orchestration.definitions import make_definitions
from orchestration.jobs import execute_refresh
from orchestration.resources import build_resources
from orchestration.settings import REPO_ROOT, REPORTS_PARTITION, pdf_cache_dir

QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
RAW_COLUMNS = ["issuer_id", "fiscal_year", "document", "line_number", "label", "table_title",
               "column_header", "unit", "year", "value", "metric_hint"]  # fmt: skip


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    """Peak resident memory of this process or of any worker it has ended (Linux reports
    kilobytes): the pipeline's, as measured before the baseline runs."""
    usage = (
        resource.getrusage(who).ru_maxrss
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return max(usage) / 1024


def baseline(folder: Path, database: Path, skip: set[str] = frozenset()) -> tuple[int, int]:
    """The minimum: parse, one bulk insert, one SQL statement to canonical units (every report
    but those in `skip`, the ones added for the incremental runs).

    Returns (raw values, canonical facts)."""
    rows = []
    for report in landing_folder.scan(folder):
        if report.name in skip:
            continue
        meta = landing_folder.read_metadata(report.metadata_file, 1 << 30)
        if report.fmt == "pdf":  # parsed again, no cache: the minimum
            doc = pdf.parse(report.document.read_bytes(), report.document.name, 1 << 20)
            extracted = pdf_reports.read_values(doc.document(), None)[0]
        else:
            extracted = document.extract(report.document.read_text(), report.fmt)[0]
        for v in extracted:
            rows.append((meta["issuer_id"], meta["fiscal_year"], report.document.name,
                         v.line_number, v.label, v.table_title, v.column_header, v.unit, v.year,
                         v.value, v.metric_hint))  # fmt: skip
    raw = pd.DataFrame(rows, columns=RAW_COLUMNS)
    with duckdb.connect(str(database)) as con:
        con.execute("CREATE TABLE raw_values AS SELECT * FROM raw")
        wordings = con.execute(f"SELECT DISTINCT {', '.join(WORDING)} FROM raw_values").fetchall()
        resolved = pd.DataFrame(  # rules and pint once per wording, as the pipeline does
            [dict(zip(WORDING, w, strict=True)) | resolve_wording(*w) for w in wordings],
            columns=[*WORDING, *RESOLVED],
        )
        con.register("wording", resolved)
        con.execute(
            f"""
            CREATE TABLE facts AS
            SELECT r.issuer_id, coalesce(r.year, r.fiscal_year) AS fiscal_year, w.metric_id,
                   w.breakdown, r.value * w.factor AS value, w.canonical_unit AS unit,
                   r.document, r.line_number
            FROM raw_values r
            JOIN wording w ON {" AND ".join(f"r.{c} IS NOT DISTINCT FROM w.{c}" for c in WORDING)}
            WHERE w.factor IS NOT NULL AND r.value IS NOT NULL
            """
        )
        facts = con.execute("SELECT count(*) FROM facts").fetchone()[0]
    return len(raw), facts


# Dagster's run tag for runs whose asset events an outside system records: the run emits no
# materialization events. Only the benchmark's --event-floor sets it, to measure what the
# pipeline costs without Dagster's one event per report partition.
NO_ASSET_EVENTS = {"dagster/defer_asset_events": "true"}


def pipeline(
    folder: Path,
    warehouse: Path,
    instance: dg.DagsterInstance,
    skip: set[str] = frozenset(),
    tags: dict[str, str] | None = None,
):
    defs = make_definitions(build_resources(folder, warehouse))
    reports = sorted(r.name for r in landing_folder.scan(folder) if r.name not in skip)
    result = execute_refresh(defs, instance, reports, QUIET, tags)
    if not result.success:
        raise RuntimeError("the pipeline run failed")
    return defs, result


def incremental(defs: dg.Definitions, instance: dg.DagsterInstance, report: str):
    """What the sensor does for one new report: its partition, then core and mart."""
    instance.add_dynamic_partitions(REPORTS_PARTITION, [report])
    result = defs.resolve_job_def("esg_refresh").execute_in_process(
        instance=instance, partition_key=report, run_config=QUIET, raise_on_error=False
    )
    if not result.success:
        raise RuntimeError("the incremental run failed")
    return result


def dagster_instance(home: Path) -> dg.DagsterInstance:
    """A persistent instance configured as `make ui` and `make run` configure theirs."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO_ROOT / "orchestration" / "dagster.yaml", home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(home)
    return dg.DagsterInstance.from_config(str(home))


def step_seconds(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    return {
        s.step_key: round((s.end_time or 0) - (s.start_time or 0), 2)
        for s in instance.get_run_step_stats(run_id)
    }


def check_seconds(result: dg.ExecuteInProcessResult) -> dict[str, float]:
    """Seconds each asset check took to evaluate and record (its `seconds` metadata)."""
    return {
        c.check_name: round(float(c.metadata["seconds"].value), 2)
        for c in result.get_asset_check_evaluations()
    }


def pdf_parsing(landing: Path) -> dict:
    """The landing folder's PDFs parsed one after the other in this process (words and lines,
    no cache), against poppler's `pdftotext -layout` on the same files, one process each."""
    import pypdfium2  # noqa: F401 - imported before the clock starts, as poppler is installed

    files = sorted(landing.glob("*.pdf"))
    start = time.perf_counter()
    pages = sum(len(pdf.parse(f.read_bytes(), f.name, 1 << 20).page_sizes) for f in files)
    parse_s = time.perf_counter() - start
    start = time.perf_counter()
    for f in files:
        subprocess.run(["pdftotext", "-layout", str(f), "-"], check=True, capture_output=True)
    pdftotext_s = time.perf_counter() - start
    say(f"PDFs: {len(files)} files, {pages} pages parsed in {parse_s:.1f} s; pdftotext -layout"
        f" {pdftotext_s:.1f} s")  # fmt: skip
    return {
        "pdfs": len(files),
        "pdf_pages": pages,
        "parse_s": round(parse_s, 2),
        "pdftotext_s": round(pdftotext_s, 2),
        "parse_ratio": round(parse_s / pdftotext_s, 2),
        "parse_ms_per_page": round(1000 * parse_s / max(pages, 1), 2),
    }


def pdf_reparsing(landing: Path, cache: Path) -> float:
    """What a second refresh spends on the unchanged PDFs: each file read and hashed, its words
    taken from the cache the pipeline filled (none parsed: asserted)."""
    start = time.perf_counter()
    for f in sorted(landing.glob("*.pdf")):
        data = f.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        _, hit = pdf_reports.parsed(data, sha, f.name, cache, 1 << 20)
        if not hit:
            raise RuntimeError(f"{f.name} was parsed again")
    return time.perf_counter() - start


def run(n: int, seed: int, work: Path, event_floor: bool = False, pdfs: bool = False) -> dict:
    landing, warehouse = work / "landing", work / "esg.duckdb"
    start = time.perf_counter()
    synthetic.write_landing(landing, n, seed, pdf=pdfs)
    say(f"generated {n} reports{' (texts as PDFs)' if pdfs else ''} in"
        f" {time.perf_counter() - start:.1f} s")  # fmt: skip
    parsing = pdf_parsing(landing) if pdfs else {}

    instance = dagster_instance(work / "dagster_home")
    start = time.perf_counter()
    defs, result = pipeline(landing, warehouse, instance)
    pipeline_s = time.perf_counter() - start
    if pdfs:
        parsing["reparse_s"] = round(pdf_reparsing(landing, pdf_cache_dir(warehouse)), 2)
        say(f"reparse: the unchanged PDFs' words from the cache in {parsing['reparse_s']} s")
    steps = step_seconds(instance, result.run_id)
    checks = result.get_asset_check_evaluations()
    check_s = check_seconds(result)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        facts = con.execute("SELECT count(*) FROM core.facts").fetchone()[0]
        mart_facts = con.execute("SELECT count(*) FROM mart.esg_facts").fetchone()[0]
    say(f"pipeline: {facts} facts ({mart_facts} in the mart, one per issuer-year-metric),"
        f" {len(checks)} checks in {pipeline_s:.1f} s")  # fmt: skip
    for step, seconds in steps.items():
        say(f"  {step:<32} {seconds:7.2f} s")
    say(f"  of which asset checks: {sum(check_s.values()):.1f} s")

    new = synthetic.generate(n, seed)
    new.write(landing, pdfs)
    start = time.perf_counter()
    inc = incremental(defs, instance, new.name)
    incremental_s = time.perf_counter() - start
    say(f"incremental: one new report in {incremental_s:.1f} s")
    pipeline_rss = peak_rss_mb()  # before the baseline runs in this process

    launched = synthetic.generate(n + 1, seed)
    launched.write(landing, pdfs)
    start = time.perf_counter()
    command = [sys.executable, "-m", "orchestration.bench", "launch"]
    subprocess.run([*command, str(landing), str(warehouse), launched.name], check=True)
    launched_s = time.perf_counter() - start
    say(f"incremental in a fresh process: one more new report in {launched_s:.1f} s")

    start = time.perf_counter()
    skip = {new.name, launched.name}
    raw_values, baseline_facts = baseline(landing, work / "baseline.duckdb", skip)
    baseline_s = time.perf_counter() - start
    say(f"baseline: {raw_values} values, {baseline_facts} facts in {baseline_s:.1f} s")

    floor = {}
    if event_floor:  # the same refresh, minus asset events, in a new process as the first was
        command = [sys.executable, "-m", "orchestration.bench", "floor", str(landing), str(work)]
        out = subprocess.run([*command, *sorted(skip)], check=True, stdout=subprocess.PIPE)
        floor_s = json.loads(out.stdout.splitlines()[-1])["seconds"]
        floor = {"no_asset_events_s": round(floor_s, 2),
                 "no_asset_events_ratio": round(floor_s / baseline_s, 2)}  # fmt: skip
        say(f"pipeline without Dagster's asset events: {floor_s:.1f} s")

    return (
        floor
        | parsing
        | {
            "reports": n,
            "values": raw_values,
            "facts": facts,
            "baseline_facts": baseline_facts,
            "mart_facts": mart_facts,
            "pipeline_s": round(pipeline_s, 2),
            "baseline_s": round(baseline_s, 2),
            "ratio": round(pipeline_s / baseline_s, 2),
            "incremental_s": round(incremental_s, 2),
            "incremental_process_s": round(launched_s, 2),
            "peak_rss_mb": round(pipeline_rss, 1),
            "checks": len(checks),
            "checks_failed": sum(not c.passed for c in checks),
            "checks_s": round(sum(check_s.values()), 2),  # inside the pipeline's steps
            "incremental_checks_s": round(sum(check_seconds(inc).values()), 2),
            "pipeline_steps_s": steps,
            "pipeline_checks_s": dict(sorted(check_s.items(), key=lambda kv: -kv[1])),
            "incremental_steps_s": step_seconds(instance, inc.run_id),
        }
    )


def plot(results: Path, png: Path) -> None:
    """Pipeline and baseline seconds against N (log-log), from the JSON lines of `results`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = sorted((json.loads(line) for line in results.read_text().splitlines() if line.strip()),
                  key=lambda r: r["reports"])  # fmt: skip
    n = [r["reports"] for r in runs]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for key, label in (("pipeline_s", "pipeline (all checks)"), ("baseline_s", "baseline"),
                       ("no_asset_events_s", "pipeline without Dagster's asset events"),
                       ("checks_s", "asset checks, within the pipeline"),
                       ("incremental_s", "one new report"),
                       ("incremental_process_s", "one new report, fresh process")):  # fmt: skip
        if all(key in r for r in runs):
            ax.plot(n, [r[key] for r in runs], marker="o", label=label)
    ax.set(xscale="log", yscale="log", xlabel="reports", ylabel="seconds",
           title="Full refresh on 2 cores: pipeline vs bare-DuckDB baseline")  # fmt: skip
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="upper left", fontsize="small")
    fig.tight_layout()
    fig.savefig(png, dpi=110)


def floor(landing: Path, work: Path, skip: set[str]) -> None:
    """The refresh of step 1 without Dagster's asset events, on a fresh warehouse and instance
    in `work`, timed as step 1 is: in a process that has imported the project but run nothing
    yet (GX's import, first connections and caches included). Prints {"seconds": ...}."""
    instance = dagster_instance(work / "floor_dagster_home")
    start = time.perf_counter()
    pipeline(landing, work / "floor.duckdb", instance, skip, NO_ASSET_EVENTS)
    print(json.dumps({"seconds": time.perf_counter() - start}))


def launch(landing: Path, warehouse: Path, report: str) -> None:
    """The incremental run for `report`, in this (fresh) process, on DAGSTER_HOME's instance."""
    instance = dg.DagsterInstance.get()
    incremental(make_definitions(build_resources(landing, warehouse)), instance, report)


def main() -> None:
    if sys.argv[1:2] == ["plot"]:
        plot(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    if sys.argv[1:2] == ["floor"]:
        floor(Path(sys.argv[2]), Path(sys.argv[3]), set(sys.argv[4:]))
        return
    if sys.argv[1:2] == ["launch"]:
        launch(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4])
        return
    parser = argparse.ArgumentParser(description="Pipeline vs bare-DuckDB baseline.")
    parser.add_argument("--reports", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--results", type=Path, help="also append the JSON line to this file")
    parser.add_argument(
        "--pdf",
        action="store_true",
        help="write the report texts as PDFs and also time parsing (parse_s, pdftotext_s, ...)",
    )
    parser.add_argument(
        "--event-floor",
        action="store_true",
        help="also run the refresh without Dagster's materialization events (no_asset_events_s)",
    )
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        out = run(args.reports, args.seed, args.keep, args.event_floor, args.pdf)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            out = run(args.reports, args.seed, Path(tmp), args.event_floor, args.pdf)
    line = json.dumps(out)
    if args.results:
        with args.results.open("a") as f:
            f.write(line + "\n")
    print(line)


if __name__ == "__main__":
    main()
