"""Consistency checks on canonical facts: totals, ratios, relations, conflicts, plausibility.

Tolerances follow the printed precision (core.facts.rounding, see assets/precision.py), plus
the rounding carried by the other values in the computation.
"""

from __future__ import annotations

import os

import duckdb
import pandas as pd

from assets import reference, units
from assets.quality import ERROR, WARN, Check, Finding, findings_from_sql

FACTS = ("core", "facts")
DEFAULT_YOY_FACTOR = 3.0


def _facts(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """core.facts, with each fact's printed rounding as `tol`."""
    return conn.execute("SELECT *, rounding AS tol FROM core.facts").df()


def _where(row) -> dict:
    return {
        "issuer_id": row.issuer_id,
        "fiscal_year": int(row.fiscal_year),
        "metric_id": row.metric_id,
        "source_document": row.source_document,
        "source_line": int(row.source_line),
    }


def totals_match_parts(conn) -> list[Finding]:
    facts = _facts(conn)
    reported = facts[facts["basis"] == "reported"]
    key = ["issuer_id", "fiscal_year", "metric_id", "source_document"]
    found = []
    for _, group in reported.groupby(key):
        totals, parts = group[group["breakdown"].isna()], group[group["breakdown"].notna()]
        if totals.empty or parts.empty:
            continue
        total = totals.iloc[0]
        tol = total["tol"] + parts["tol"].sum()
        if abs(total["value"] - parts["value"].sum()) > tol + 1e-12:
            lines = ",".join(str(n) for n in sorted(set(parts["source_line"])))
            found.append(
                Finding(
                    f"{total['metric_id']}: total {total['value']:g} {total['unit']} (line"
                    f" {total['source_line']}) != sum of its parts {parts['value'].sum():g}"
                    f" (lines {lines}), tolerance {tol:g}",
                    **_where(total),
                )
            )
    return found


def _ratio(num: float, num_unit: str, den: float, den_unit: str, unit: str) -> float:
    q = units.registry().Quantity(num, num_unit) / units.registry().Quantity(den, den_unit)
    try:
        return float(q.to(unit).magnitude)
    except Exception:  # e.g. average hours printed as 'hours', not hours per person
        return float(num / den)


def ratios_match_their_parts(conn) -> list[Finding]:
    """An intensity, share or average equals numerator / denominator within printed rounding."""
    facts = _facts(conn)
    metrics = reference.metrics()
    by_key = {
        (r.issuer_id, r.fiscal_year, r.metric_id, r.breakdown if pd.notna(r.breakdown) else None): r
        for r in facts.itertuples()
    }
    found = []
    for r in facts.itertuples():
        spec = metrics[r.metric_id]
        if not (spec.numerator_metric and spec.denominator_metric) or r.basis != "reported":
            continue
        breakdown = r.breakdown if pd.notna(r.breakdown) else None
        num = by_key.get((r.issuer_id, r.fiscal_year, spec.numerator_metric, breakdown))
        den = by_key.get((r.issuer_id, r.fiscal_year, spec.denominator_metric, breakdown))
        den = den or by_key.get((r.issuer_id, r.fiscal_year, spec.denominator_metric, None))
        if num is None or den is None or den.value == 0:
            continue
        n_unit, d_unit = metrics[num.metric_id].pint_unit, metrics[den.metric_id].pint_unit
        expected = _ratio(num.value, n_unit, den.value, d_unit, spec.pint_unit)
        tol = r.tol + abs(expected) * (num.tol / abs(num.value) + den.tol / abs(den.value))
        if abs(r.value - expected) > tol + 1e-12:
            found.append(
                Finding(
                    f"{r.metric_id} printed {r.reported_value} {r.reported_unit} is {r.value:g}"
                    f" {r.unit}, but {num.metric_id} / {den.metric_id} = {expected:g} {r.unit}"
                    f" (lines {num.source_line}/{den.source_line}), tolerance {tol:g}",
                    **_where(r),
                    detail={"expected": expected, "tolerance": tol},
                )
            )
    return found


def _rule_check(rule: reference.ConsistencyRule) -> Check:
    def evaluate(conn) -> list[Finding]:
        facts = _facts(conn)
        totals = facts[facts["breakdown"].isna()]
        found = []
        for (issuer, year), group in totals.groupby(["issuer_id", "fiscal_year"]):
            values = group.drop_duplicates("metric_id").set_index("metric_id")
            if rule.metric_id not in values.index:
                continue
            left = values.loc[rule.metric_id]
            others = values.loc[[m for m in rule.other_metrics if m in values.index]]
            if others.empty:
                continue
            right, tol = others["value"].sum(), left["tol"] + others["tol"].sum()
            bad = (
                left["value"] > right + tol
                if rule.kind == "at_most"
                else abs(left["value"] - right) > tol + 1e-12
            )
            if bad:
                relation = "<=" if rule.kind == "at_most" else "="
                found.append(
                    Finding(
                        f"{rule.note}: {rule.metric_id} {left['value']:g} {relation}"
                        f" {' + '.join(others.index)} {right:g} does not hold",
                        issuer_id=issuer,
                        fiscal_year=int(year),
                        metric_id=rule.metric_id,
                        source_document=left["source_document"],
                        source_line=int(left["source_line"]),
                    )
                )
        return found

    return Check(
        f"rule_{rule.rule_id}",
        FACTS,
        rule.severity,
        f"{rule.note} (warehouse/ref/consistency_rules.csv)",
        evaluate,
    )


def _conflicts(same_report_year: bool):
    """Facts given by two documents with different values (outside printed rounding)."""
    op = "=" if same_report_year else "<>"

    def evaluate(conn) -> list[Finding]:
        return findings_from_sql(
            conn,
            f"""
                SELECT a.issuer_id, a.fiscal_year, a.metric_id, a.source_document,
                       a.source_line,
                       a.metric_id || coalesce(' [' || a.breakdown || ']', '') || ': '
                       || a.value || ' ' || a.unit || ' in ' || a.source_document || ' line '
                       || a.source_line || ' vs ' || b.value || ' ' || b.unit || ' in '
                       || b.source_document || ' line ' || b.source_line AS message
                FROM core.facts a JOIN core.facts b
                  ON a.issuer_id = b.issuer_id AND a.fiscal_year = b.fiscal_year
                 AND a.metric_id = b.metric_id
                 AND a.breakdown IS NOT DISTINCT FROM b.breakdown
                 AND a.source_document < b.source_document
                 AND a.report_fiscal_year {op} b.report_fiscal_year
                WHERE abs(a.value - b.value) > a.rounding + b.rounding + 1e-12
                ORDER BY ALL
                """,
        )

    return evaluate


def year_on_year_factor() -> float:
    return float(os.environ.get("ESG_YOY_FACTOR") or DEFAULT_YOY_FACTOR)


def year_on_year_jumps(conn) -> list[Finding]:
    factor = year_on_year_factor()
    return findings_from_sql(
        conn,
        f"""
        WITH latest AS (
            SELECT * FROM core.facts
            QUALIFY row_number() OVER (
                PARTITION BY issuer_id, fiscal_year, metric_id, breakdown
                ORDER BY report_fiscal_year DESC, source_document) = 1
        ), pairs AS (
            SELECT *, lag(value) OVER w AS prev_value, lag(fiscal_year) OVER w AS prev_year
            FROM latest
            WINDOW w AS (PARTITION BY issuer_id, metric_id, breakdown ORDER BY fiscal_year)
        )
        SELECT issuer_id, fiscal_year, metric_id, source_document, source_line,
               metric_id || coalesce(' [' || breakdown || ']', '') || ' moved from '
               || prev_value || ' (' || prev_year || ') to ' || value || ' ' || unit
               || ', beyond a factor of {factor:g}' AS message
        FROM pairs
        WHERE prev_year = fiscal_year - 1
          AND (least(value, prev_value) = 0 AND greatest(value, prev_value) > 0
               OR greatest(value, prev_value) > {factor} * least(value, prev_value))
        ORDER BY ALL
        """,
    )


CORE_FACT_CHECKS = [
    Check(
        "totals_match_parts",
        FACTS,
        ERROR,
        "A printed total equals the sum of its printed parts (waste by type, staff categories,"
        " diesel by use...) within the printed precision.",
        totals_match_parts,
    ),
    Check(
        "ratios_match_their_parts",
        FACTS,
        ERROR,
        "A printed intensity, share or average equals numerator / denominator (as ref.metrics"
        " defines them) within the rounding of the printed digits.",
        ratios_match_their_parts,
    ),
    *[_rule_check(rule) for rule in reference.consistency_rules()],
    Check(
        "conflicting_sources",
        FACTS,
        ERROR,
        "Two documents for the same report year give different values for one fact (e.g. a"
        " duplicate file): both are kept and flagged, neither overwrites the other.",
        _conflicts(same_report_year=True),
    ),
    Check(
        "restated_values",
        FACTS,
        WARN,
        "A later report restates an earlier year's value: the mart shows the latest report's"
        " value, both stay in core.facts.",
        _conflicts(same_report_year=False),
    ),
    Check(
        "year_on_year_jumps",
        FACTS,
        WARN,
        "A value moves by more than ESG_YOY_FACTOR (default 3) from one year to the next.",
        year_on_year_jumps,
    ),
]
