"""`make bench`: how long a full refresh takes for many issuers, step by step.

Builds a landing folder of N reports cloned from the written test report (issuer ids and
numbers varied), runs the refresh in-process against a temporary warehouse, and prints the
duration of each step and the extraction rate. Speed goals are read from here, not asserted in
tests.

    python -m orchestration.bench --reports 100
"""

import argparse
import re
import tempfile
import time
from pathlib import Path

import dagster as dg

from assets.extract.document import extract_text
from orchestration.definitions import make_definitions
from orchestration.jobs import execute_refresh
from orchestration.resources import build_resources
from orchestration.settings import REPO_ROOT

TEMPLATE = REPO_ROOT / "tests" / "fixtures" / "reports" / "harbour-2024"
QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


def _scaled(number: str, scale: float) -> str:
    value = float(number.replace(",", ""))
    if "," not in number and 1990 <= value <= 2100:
        return number  # a year
    return f"{round(value * scale):,}"


def make_landing(folder: Path, n: int) -> None:
    text, meta = TEMPLATE.with_suffix(".txt").read_text(), TEMPLATE.with_suffix(".yaml").read_text()
    for i in range(n):
        scale = 1 + i / 100
        body = re.sub(
            r"(?<=\s)(\d{1,3}(?:,\d{3})+|\d{3,})(?=\s)",
            lambda m, scale=scale: _scaled(m.group(1), scale),
            text,
        )
        (folder / f"issuer-{i:04d}.txt").write_text(body)
        (folder / f"issuer-{i:04d}.yaml").write_text(meta.replace("HARBOUR", f"ISSUER{i:04d}"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        landing, warehouse = Path(tmp) / "landing", Path(tmp) / "esg.duckdb"
        landing.mkdir()
        make_landing(landing, args.reports)
        texts = [p.read_text() for p in sorted(landing.glob("*.txt"))]
        start = time.perf_counter()
        n_values = sum(len(extract_text(t)) for t in texts)
        extract_s = time.perf_counter() - start

        defs = make_definitions(build_resources(landing, warehouse))
        instance = dg.DagsterInstance.ephemeral()
        start = time.perf_counter()
        result = execute_refresh(
            defs, instance, sorted(p.stem for p in landing.glob("*.txt")), QUIET
        )
        total_s = time.perf_counter() - start
        assert result.success, "refresh failed"
        print(f"reports: {args.reports}, values extracted: {n_values}")
        print(f"extraction alone: {extract_s:.2f} s ({n_values / extract_s:,.0f} values/s)")
        print(f"full refresh (one run, in-process): {total_s:.2f} s")
        for step in instance.get_run_step_stats(result.run_id):
            duration = (step.end_time or 0) - (step.start_time or 0)
            print(f"  {step.step_key:<28} {duration:7.2f} s")


if __name__ == "__main__":
    main()
