"""Reference data (warehouse/ref/*.csv): the reviewed files that drive mapping and conversion.

The same files are loaded into the `ref` schema for SQL users; code reads them from disk so that
extraction and mapping do not need a warehouse connection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from orchestration.settings import REF_DIR

REF_TABLES = (
    "metrics",
    "label_map",
    "unit_aliases",
    "conversion_factors",
    "prose_patterns",
    "consistency_rules",
    "hkex_kpis",
)
IGNORE = "_ignore"  # label_map: a row recognised and deliberately not read (a target, a ratio)
HEADING = "_heading"  # label_map: a row that stands for its heading ('Scope 1 / Total')
QUALIFIER = "_qualifier"  # label_map: a path's last part that adds nothing ('/ Absolute')
# label_map: a table title that widens the report's boundary ('(includes joint ventures)'): its
# values give way to the document's unqualified ones (core.set_apart_other_boundaries)
BOUNDARY = "_boundary"


@dataclass(frozen=True)
class Metric:
    metric_id: str
    name: str
    canonical_unit: str
    pint_unit: str
    kind: str
    aggregation: str
    numerator_metric: str
    denominator_metric: str
    wide_column: str


@dataclass(frozen=True)
class LabelRule:
    rule_id: str
    metric_id: str
    label_pattern: re.Pattern[str]
    table_pattern: re.Pattern[str] | None
    breakdown_from: str  # none | label | column
    priority: int


@dataclass(frozen=True)
class ProseRule:
    rule_id: str
    metric_id: str
    pattern: re.Pattern[str]
    default_unit: str


@dataclass(frozen=True)
class Factor:
    factor_id: str
    metrics: tuple[str, ...]
    factor: str
    source: str
    edition: str
    applied: bool


def read_ref_csv(name: str, ref_dir: Path = REF_DIR) -> pd.DataFrame:
    """One reference table as strings (empty cells are empty strings, never NaN)."""
    return pd.read_csv(ref_dir / f"{name}.csv", dtype=str, keep_default_na=False)


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"{where}: invalid regular expression {pattern!r}: {exc}") from exc


@cache
def metrics() -> dict[str, Metric]:
    df = read_ref_csv("metrics")
    return {
        r.metric_id: Metric(
            r.metric_id,
            r.name,
            r.canonical_unit,
            r.pint_unit,
            r.kind,
            r.aggregation,
            r.numerator_metric,
            r.denominator_metric,
            r.wide_column,
        )
        for r in df.itertuples()
    }


@cache
def label_rules() -> tuple[LabelRule, ...]:
    known = set(metrics()) | {IGNORE, HEADING, QUALIFIER, BOUNDARY}
    rules = []
    for i, r in enumerate(read_ref_csv("label_map").itertuples(), start=2):
        where = f"warehouse/ref/label_map.csv line {i}"
        if r.metric_id not in known:
            raise ValueError(f"{where}: unknown metric_id {r.metric_id!r}")
        if r.breakdown_from not in {"none", "label", "column"}:
            raise ValueError(f"{where}: breakdown_from must be none, label or column")
        rules.append(
            LabelRule(
                r.rule_id,
                r.metric_id,
                _compile(r.label_pattern, where),
                _compile(r.table_pattern, where) if r.table_pattern else None,
                r.breakdown_from,
                int(r.priority or 0),
            )
        )
    return tuple(rules)


def boundary_rules() -> tuple[LabelRule, ...]:
    """The label_map rules whose table pattern marks a title as another boundary's."""
    return tuple(r for r in label_rules() if r.metric_id == BOUNDARY and r.table_pattern)


@cache
def prose_rules() -> tuple[ProseRule, ...]:
    rules = []
    for i, r in enumerate(read_ref_csv("prose_patterns").itertuples(), start=2):
        where = f"warehouse/ref/prose_patterns.csv line {i}"
        pattern = _compile(r.pattern, where)
        if "value" not in pattern.groupindex:
            raise ValueError(f"{where}: pattern needs a (?P<value>...) group")
        if "unit" not in pattern.groupindex and not r.default_unit:
            raise ValueError(f"{where}: pattern needs a (?P<unit>...) group or a default_unit")
        rules.append(ProseRule(r.rule_id, r.metric_id, pattern, r.default_unit))
    return tuple(rules)


@cache
def unit_aliases() -> dict[str, tuple[str, str]]:
    """printed unit -> (pint expression, note)."""
    df = read_ref_csv("unit_aliases")
    return {r.printed: (r.pint_unit, r.note) for r in df.itertuples()}


@cache
def factors() -> tuple[Factor, ...]:
    df = read_ref_csv("conversion_factors")
    return tuple(
        Factor(
            r.factor_id,
            tuple(r.metrics.split()),
            r.factor,
            r.source,
            r.edition,
            r.applied.strip().lower() == "true",
        )
        for r in df.itertuples()
    )


@dataclass(frozen=True)
class ConsistencyRule:
    """metric_id relates to the sum of `other_metrics`. Each term is a metric, or alternatives
    'a|b|c' (any one the report gives: Scope 2 by either method), optional when it ends in '?'
    (tried with and without: a total of scopes 1 and 2, or 1, 2 and 3)."""

    rule_id: str
    kind: str  # at_most | sum_of
    metric_id: str
    other_metrics: tuple[str, ...]
    severity: str
    note: str

    @property
    def terms(self) -> tuple[tuple[tuple[str, ...], bool], ...]:
        """(alternatives, optional) per term."""
        return tuple((tuple(t.rstrip("?").split("|")), t.endswith("?")) for t in self.other_metrics)

    @property
    def named_metrics(self) -> tuple[str, ...]:
        """Every metric the rule may read besides metric_id, in order."""
        return tuple(dict.fromkeys(m for alts, _ in self.terms for m in alts))


@cache
def consistency_rules() -> tuple[ConsistencyRule, ...]:
    rules = []
    for i, r in enumerate(read_ref_csv("consistency_rules").itertuples(), start=2):
        where = f"warehouse/ref/consistency_rules.csv line {i}"
        rule = ConsistencyRule(
            r.rule_id, r.kind, r.metric_id, tuple(r.other_metrics.split()), r.severity, r.note
        )
        unknown = [m for m in (r.metric_id, *rule.named_metrics) if m not in metrics()]
        if unknown or r.kind not in {"at_most", "sum_of"} or r.severity not in {"error", "warn"}:
            raise ValueError(f"{where}: unknown metric {unknown}, kind or severity")
        rules.append(rule)
    return tuple(rules)
