"""Label -> canonical metric, driven by the reviewed rules in ref/label_map.csv.

A rule matches when its label pattern is found in the label (and its table pattern, if any, in the
table title). Among matching rules, those whose metric can take the row's unit are preferred: the
unit tells an amount (kWh) from its intensity (kWh/tonne). If none can, the label still decides
and the unit check reports the bad unit. Ties go to the rule's priority, then to table-specific
rules, then to the longest match, so 'average training hours' beats 'training hours'.
"""

from __future__ import annotations

from dataclasses import dataclass

from assets import reference, units
from assets.extract import years


@dataclass(frozen=True)
class Match:
    rule: reference.LabelRule
    start: int
    end: int

    @property
    def metric_id(self) -> str:
        return self.rule.metric_id

    def score(self) -> tuple[int, int, int]:
        return (self.rule.priority, self.rule.table_pattern is not None, self.end - self.start)


def _unit_fits(metric_id: str, unit: str | None) -> bool:
    if metric_id == reference.IGNORE:
        return True
    return unit is not None and units.convertible(unit, metric_id)


def candidates(
    text: str, table_title: str | None, unit: str | None, strict: bool = True
) -> list[Match]:
    """Rules that match this text, best first: those that can take the unit (only those when
    strict), then the others."""
    found = []
    for rule in reference.label_rules():
        if rule.table_pattern is not None and not rule.table_pattern.search(table_title or ""):
            continue
        m = rule.label_pattern.search(text)
        if m and m.end() > m.start():
            found.append(Match(rule, m.start(), m.end()))
    fits = [m for m in found if _unit_fits(m.metric_id, unit)]
    rest = [] if strict else [m for m in found if m not in fits]
    return sorted(fits, key=Match.score, reverse=True) + sorted(rest, key=Match.score, reverse=True)


def best(text: str, table_title: str | None, unit: str | None, strict: bool = True) -> Match | None:
    found = candidates(text, table_title, unit, strict)
    return found[0] if found else None


@dataclass(frozen=True)
class Resolution:
    metric_id: str | None
    rule_id: str | None
    breakdown: str | None
    status: str  # mapped | ignored | unmapped


def resolve(
    label: str, table_title: str | None, column_header: str | None, unit: str | None
) -> Resolution:
    match = best(label, table_title, unit, strict=False)
    if match is None:
        return Resolution(None, None, None, "unmapped")
    if match.metric_id == reference.IGNORE:
        return Resolution(None, match.rule.rule_id, None, "ignored")
    if column_header and years.parse(column_header):
        column_header = None  # a year column ('FY2024/25') gives the value's year, not a part
    breakdown = {"label": label, "column": column_header}.get(match.rule.breakdown_from)
    return Resolution(match.metric_id, match.rule.rule_id, breakdown or None, "mapped")
