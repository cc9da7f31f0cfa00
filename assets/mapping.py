"""Label -> canonical metric, driven by the reviewed rules in ref/label_map.csv.

A rule matches when its label pattern is found in the label (and its table pattern, if any, in the
table title). A metric that cannot take the row's unit is never chosen when the unit is known:
the unit tells an amount (kWh) from its intensity (kWh/tonne) or its change (%). When the unit
is unknown the label decides and the unit check reports the unit. Ties go to the rule's
priority, then to table-specific rules, then to the longest match, so 'average training hours'
beats 'training hours'. docs/vocabulary.md describes the rule families.

A reader gives a row under label-only heading lines the path 'Heading / Sub-heading / Row'
(outermost first). The row's own words must take part in a match: 'Scope 2 / Market-based' is
market-based Scope 2, 'Scope 1 / Mobile combustion' is not Scope 1. A row that only says
'Total' (a `_heading` rule) stands for its heading: 'Scope 1 / Total' is Scope 1.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from assets import reference, units
from assets.extract import years

PATH_SEP = " / "
HEADING = reference.HEADING
# label_map priority of the guards that tell a ratio from an amount ('intensity', 'per', 'share'):
# they judge a row's unit, so a label read with no unit at all (a heading naming metrics whose
# numbers a graphic holds) is not judged by them.
RATIO_GUARD_PRIORITY = 5


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


_SOFT_BREAK = re.compile(r"\u00ad\s*")  # a soft hyphen, with the line break a converter kept


def normalise(text: str | None) -> str:
    """Label text as its words: HTML entities decoded ('&amp;'), compatibility characters
    folded (CO₂ -> CO2), soft hyphens and the breaks after them removed ('Marknads­ baserad'
    -> 'Marknadsbaserad'), runs of spaces made one."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", html.unescape(text))
    return " ".join(_SOFT_BREAK.sub("", text).split())


def _unit_fits(metric_id: str, unit: str | None) -> bool:
    if metric_id == reference.IGNORE:
        return True
    return units.convertible(unit, metric_id)


# label_map priority of the guards that are never an actual amount (targets, base years,
# biogenic, offsets): a heading that says so covers every row under it.
NEVER_ACTUAL_PRIORITY = 9


def _matches(text: str, table_title: str | None, touch_from: int = 0) -> list[Match]:
    """Rules (other than `_heading`) whose label pattern matches this text and ends after
    `touch_from` (the row's own words in a path), or anywhere for a never-actual guard."""
    found = []
    for rule in reference.label_rules():
        if rule.metric_id in (HEADING, reference.QUALIFIER, reference.BOUNDARY):
            continue
        if rule.metric_id == reference.IGNORE and rule.priority == NEVER_ACTUAL_PRIORITY:
            m = rule.label_pattern.search(text)
            if (
                m
                and m.end() > m.start()
                and (rule.table_pattern is None or rule.table_pattern.search(table_title or ""))
            ):
                found.append(Match(rule, m.start(), m.end()))
            continue
        if rule.table_pattern is not None and not rule.table_pattern.search(table_title or ""):
            continue
        for m in rule.label_pattern.finditer(text):
            if m.end() > m.start() and m.end() > touch_from:
                found.append(Match(rule, m.start(), m.end()))
                break
    return found


def _marked(kind: str, text: str) -> bool:
    """A label rule of this marker kind (`_heading`, `_qualifier`) matches the text."""
    rules = reference.label_rules()
    return any(r.metric_id == kind and r.label_pattern.search(text) for r in rules)


def stands_for_heading(leaf: str) -> bool:
    return _marked(HEADING, leaf)


# A reporting framework's disclosure code printed before or after a label ('302-1 Energy
# consumption within the organization', 'Employees GRI 2-7', 'EM-MM-110a.1', 'KPI A1.2'): an
# index reference, not words of the label. A GRI code needs three digits or the 'GRI' prefix, so
# 'Scope 1-2' and a year range ('2023-24') are never taken for one.
_CODE = (
    r"(?:GRI\s*\d{1,3}-\d{1,2}|(?<!\d)\d{3}-\d{1,2}(?!\d)|[A-Z]{2}-[A-Z]{2}-\d{3}[a-z]\.\d"
    r"|(?:KPI\s*)?[AB]\d\.\d)(?:\s*\(?[a-z]\)?(?![a-z]))?"
)
_DISCLOSURE_CODE = re.compile(rf"^\s*{_CODE}\s*[:.–-]?\s+(?=\w)|\s+{_CODE}\s*$")


def _strip_code(part: str) -> str:
    stripped = _DISCLOSURE_CODE.sub("", part).strip()
    return stripped or part


def _adds_nothing(part: str) -> bool:
    """A path part that only qualifies the row above it ('Absolute emissions'): a label rule
    of the `_qualifier` kind (leaf_absolute) matches it."""
    return _marked(reference.QUALIFIER, part)


def _split(label: str) -> tuple[list[str], str]:
    """A path's headings and its row; a last part that adds nothing ('Scope 1 / Direct /
    Absolute') is dropped, so the row above it is the row."""
    parts = [p for p in (_strip_code(normalise(s)) for s in label.split(PATH_SEP)) if p]
    if len(parts) > 1 and _adds_nothing(parts[-1]):
        parts.pop()
    return parts[:-1], (parts[-1] if parts else "")


def candidates(
    text: str,
    table_title: str | None,
    unit: str | None,
    strict: bool = True,
    qualifier: str | None = None,
) -> list[Match]:
    """Rules that match this label (a path or a flat label), best first: those that can take
    the unit (only those when strict), then the others. `qualifier` is a column header's
    words that qualify the row ('Location-based'), matched as part of the row's own words."""
    headings, leaf = _split(text)
    if qualifier:
        leaf = f"{leaf} ({normalise(qualifier)})"
    title = normalise(table_title)
    found = []
    if headings:
        path = PATH_SEP.join([*headings, leaf])
        if stands_for_heading(leaf):  # 'Scope 1 / Total': the heading names the metric
            found = _matches(path, title)
        else:
            found = _matches(path, title, touch_from=len(path) - len(leaf))
    if not headings or not stands_for_heading(leaf):
        # a 'Total' under headings is their total, never the table's ('Hotels / Total')
        found += _matches(leaf, title)
    if unit is None and not strict:
        found = [
            m
            for m in found
            if not (m.metric_id == reference.IGNORE and m.rule.priority == RATIO_GUARD_PRIORITY)
        ]
    fits = [m for m in found if _unit_fits(m.metric_id, unit)]
    rest = [] if strict else [m for m in found if m not in fits]
    fits.sort(key=Match.score, reverse=True)
    return fits + sorted(rest, key=_amount_first, reverse=True)


def _amount_first(m: Match) -> tuple[int, bool, tuple[int, int, int]]:
    """With a unit that decides nothing, the longest wording first, then an amount before a
    ratio named by the same words: 'Water' in an unknown unit is water consumed (flagged for its
    unit), not its intensity; 'Average training hours' stays an average."""
    metric = reference.metrics().get(m.metric_id)
    amount = metric is None or metric.kind not in ("ratio", "intensity")
    return (m.end - m.start, amount, m.score())


def best(
    text: str,
    table_title: str | None,
    unit: str | None,
    strict: bool = True,
    qualifier: str | None = None,
) -> Match | None:
    found = candidates(text, table_title, unit, strict, qualifier)
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
    """The metric of one printed row. A known unit that no matching metric can take leaves the
    row unmapped (an intensity, a share or a change is never read as an amount); an unknown
    unit lets the label decide, and the unit check names the unit."""
    if column_header and years.parse(column_header):
        column_header = None  # a year column ('FY2024/25') gives the value's year, not a part
    # A printed unit nobody reviewed lets the label decide (units_convertible names the unit);
    # a row with no unit at all takes only a metric that needs none (a count).
    strict = units.is_known(unit) or not (unit or "").strip()
    match = best(label, table_title, unit, strict, column_header)
    if match is None:
        return Resolution(None, None, None, "unmapped")
    if match.metric_id == reference.IGNORE:
        return Resolution(None, match.rule.rule_id, None, "ignored")
    leaf = label.split(PATH_SEP)[-1].strip()
    breakdown = {"label": leaf, "column": column_header}.get(match.rule.breakdown_from)
    return Resolution(match.metric_id, match.rule.rule_id, breakdown or None, "mapped")
