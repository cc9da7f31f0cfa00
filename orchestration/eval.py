"""`make eval`: score the platform against hand-checked values (a user's own labelled reports).

Runs the whole pipeline on `CORPUS/landing` into a temporary warehouse, then compares the
published totals of `mart.esg_facts` (`breakdown IS NULL`) with every row of `CORPUS/gold*.csv`.
A gold value is matched when the mart publishes the same issuer, fiscal year and metric within
the gold figure's rounding or 1 %; wrong when it publishes a different value; missing when it
publishes none. Where two reports of an issuer give one year different values (a restatement),
the later report's value is the one expected, as the mart publishes it. Metrics the gold does not
list for a report are not judged. The last line printed is the score as JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from orchestration.settings import REPO_ROOT

DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus"
GOLD_COLUMNS = (
    "file", "issuer_id", "issuer_name", "report_fiscal_year", "period_start", "period_end",
    "fiscal_year", "metric_id", "value", "unit", "page", "printed",
)  # fmt: skip
RELATIVE_TOLERANCE = 0.01


@dataclass(frozen=True)
class Gold:
    """One hand-checked value (a row of a gold CSV)."""

    file: str
    issuer_id: str
    report_fiscal_year: int
    fiscal_year: int
    metric_id: str
    value: float
    value_text: str
    page: str
    printed: str
    source: str  # gold file and line, for messages

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.issuer_id, self.fiscal_year, self.metric_id)

    @property
    def tolerance(self) -> float:
        """Half a unit of the gold figure's last digit, or 1 % of it, whichever is larger."""
        decimals = len(self.value_text.partition(".")[2]) if "." in self.value_text else 0
        return max(RELATIVE_TOLERANCE * abs(self.value), 0.5 * 10**-decimals)

    @property
    def kind(self) -> str:
        return Path(self.file).suffix.lstrip(".") or "?"


class GoldError(ValueError):
    pass


def read_gold(corpus: Path) -> list[Gold]:
    """Every gold*.csv of the corpus, checked for the documented columns."""
    files = sorted(corpus.glob("gold*.csv"))
    if not files:
        raise GoldError(f"{corpus}: no gold*.csv file")
    rows = []
    for path in files:
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            missing = set(GOLD_COLUMNS) - set(reader.fieldnames or ())
            if missing:
                raise GoldError(f"{path.name}: missing columns {sorted(missing)}")
            for n, r in enumerate(reader, start=2):
                where = f"{path.name} line {n}"
                try:
                    rows.append(
                        Gold(
                            file=r["file"].strip(),
                            issuer_id=r["issuer_id"].strip(),
                            report_fiscal_year=int(r["report_fiscal_year"]),
                            fiscal_year=int(r["fiscal_year"]),
                            metric_id=r["metric_id"].strip(),
                            value=float(r["value"]),
                            value_text=r["value"].strip(),
                            page=(r["page"] or "").strip(),
                            printed=(r["printed"] or "").strip(),
                            source=where,
                        )
                    )
                except ValueError as exc:
                    raise GoldError(f"{where}: {exc}") from exc
    return rows


def expected(gold: list[Gold], landed: set[str]) -> list[Gold]:
    """The gold values the mart should publish: those of landed files, and for a key given by
    several reports (a restatement) the latest report's."""
    latest: dict[tuple, Gold] = {}
    for g in gold:
        if g.file not in landed:
            continue
        had = latest.get(g.key)
        if had is None or g.report_fiscal_year > had.report_fiscal_year:
            latest[g.key] = g
    return sorted(latest.values(), key=lambda g: (g.file, g.fiscal_year, g.metric_id))


@dataclass
class Outcome:
    gold: Gold
    status: str  # matched | wrong | missing
    published: float | None = None
    published_line: str | None = None
    note: str = ""


def judge(gold: list[Gold], published: dict[tuple, tuple[float, str]], held: dict) -> list[Outcome]:
    """Each expected gold value against the mart's published total for its key."""
    out = []
    for g in gold:
        if g.key not in published:
            out.append(Outcome(g, "missing", note=held.get(g.key, "")))
            continue
        value, where = published[g.key]
        status = "matched" if abs(value - g.value) <= g.tolerance else "wrong"
        out.append(Outcome(g, status, value, where))
    return out


def _counts(outcomes: list[Outcome]) -> dict[str, int]:
    c = Counter(o.status for o in outcomes)
    return {"gold": len(outcomes), "matched": c["matched"], "wrong": c["wrong"],
            "missing": c["missing"]}  # fmt: skip


def score(outcomes: list[Outcome]) -> dict:
    by_metric: dict[str, list[Outcome]] = defaultdict(list)
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_metric[o.gold.metric_id].append(o)
        by_kind[o.gold.kind].append(o)
    return _counts(outcomes) | {
        "by_metric": {m: _counts(v) for m, v in sorted(by_metric.items())},
        "by_format": {k: _counts(v) for k, v in sorted(by_kind.items())},
    }


def report(outcomes: list[Outcome]) -> list[str]:
    """The printed evaluation: per report, per metric, then every wrong and missing value."""
    lines = []

    def table(title: str, key) -> None:
        groups: dict[str, list[Outcome]] = defaultdict(list)
        for o in outcomes:
            groups[key(o)].append(o)
        width = max([len(title), *map(len, groups)])
        lines.append(f"{title:<{width}}  gold matched wrong missing")
        for name in sorted(groups):
            c = _counts(groups[name])
            lines.append(
                f"{name:<{width}}  {c['gold']:>4} {c['matched']:>7} {c['wrong']:>5} "
                f"{c['missing']:>7}"
            )
        lines.append("")

    table("report", lambda o: o.gold.file)
    table("metric", lambda o: o.gold.metric_id)
    for status in ("wrong", "missing"):
        for o in (o for o in outcomes if o.status == status):
            g = o.gold
            page = f" p{g.page}" if g.page else ""
            got = f" published {o.published:g} ({o.published_line})" if status == "wrong" else ""
            note = f" [{o.note}]" if o.note else ""
            lines.append(
                f"{status.upper()}: {g.file}{page} {g.fiscal_year} {g.metric_id}: expected "
                f"{g.value:g}{got}; printed: {g.printed}{note}"
            )
    return lines


def _published(con) -> dict[tuple, tuple[float, str]]:
    rows = con.execute(
        """SELECT issuer_id, fiscal_year, metric_id, value,
                  source_document || ' line ' || source_line
           FROM mart.esg_facts WHERE breakdown IS NULL"""
    ).fetchall()
    return {(i, y, m): (v, where) for i, y, m, v, where in rows}


def _held(con) -> dict[tuple, str]:
    """Why a key is missing when core.facts holds it: the mart withheld it."""
    rows = con.execute(
        """SELECT issuer_id, fiscal_year, metric_id, any_value(value)
           FROM core.facts WHERE breakdown IS NULL AND is_current GROUP BY ALL"""
    ).fetchall()
    return {(i, y, m): f"in core.facts as {v:g}, withheld from the mart" for i, y, m, v in rows}


def _landing_copy(corpus: Path, dest: Path, kinds: set[str] | None) -> set[str]:
    """The corpus landing folder, or only the documents of the given kinds (txt, pdf), copied
    into `dest` with their metadata; returns the document names landed."""
    source = corpus / "landing"
    if not source.is_dir():
        raise GoldError(f"{source}: no landing folder")
    landed = set()
    for doc in sorted(source.iterdir()):
        if doc.suffix == ".yaml" or not doc.is_file():
            continue
        if kinds and doc.suffix.lstrip(".") not in kinds:
            continue
        landed.add(doc.name)
        shutil.copy2(doc, dest / doc.name)
        meta = doc.with_suffix(".yaml")
        if meta.exists():
            shutil.copy2(meta, dest / meta.name)
    return landed


def evaluate(corpus: Path, workdir: Path, kinds: set[str] | None = None) -> list[Outcome]:
    """Build a warehouse from the corpus landing folder in `workdir` and judge it."""
    import dagster as dg
    import duckdb

    from assets.landing import fingerprints
    from orchestration.definitions import make_definitions
    from orchestration.jobs import execute_refresh
    from orchestration.resources import build_resources

    gold = read_gold(corpus)
    landing = workdir / "landing"
    landing.mkdir(parents=True, exist_ok=True)
    landed = _landing_copy(corpus, landing, kinds)
    warehouse = workdir / "eval.duckdb"
    defs = make_definitions(build_resources(landing, warehouse))
    quiet = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
    reports = sorted(fingerprints(landing, 10**9))
    with dg.DagsterInstance.ephemeral() as instance:
        result = execute_refresh(defs, instance, reports, run_config=quiet)
    if not result.success:
        raise RuntimeError("the pipeline run failed: see the log above")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return judge(expected(gold, landed), _published(con), _held(con))
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make eval", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("CORPUS") or
                                                            DEFAULT_CORPUS))  # fmt: skip
    parser.add_argument("--only", choices=["txt", "pdf"], action="append",
                        help="score only documents of this kind (repeatable)")  # fmt: skip
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    args = parser.parse_args(argv)
    corpus = args.corpus.resolve()
    kinds = set(args.only) if args.only else None
    try:
        if args.keep:
            if args.keep.exists():
                shutil.rmtree(args.keep)
            outcomes = evaluate(corpus, args.keep.resolve(), kinds)
        else:
            with tempfile.TemporaryDirectory(prefix="esg-eval-") as tmp:
                outcomes = evaluate(corpus, Path(tmp), kinds)
    except (GoldError, RuntimeError) as exc:
        print(f"make eval: {exc}", file=sys.stderr)
        return 1
    print("\n".join(report(outcomes)))
    print(json.dumps(score(outcomes)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
