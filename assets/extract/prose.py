"""Values stated in sentences ('a total of approximately 341 employees').

Each rule in ref/prose_patterns.csv names its metric and captures the value (and the unit, or
gives a default one); a new phrasing is a new line in that file. A value that opens a list
closed by 'respectively' ('rates of 30% and 27% respectively') is not read: which of the listed
figures belongs to the rule's metric is a matter of word order no pattern can be sure of.
"""

from __future__ import annotations

import re

from assets import reference
from assets.extract.values import RawValue, clean

_RESPECTIVELY = re.compile(r"\brespectively\b|\bresp\.", re.IGNORECASE)
_SENTENCE_END = re.compile(r"\.(?:\s|$)")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def _year(rule_pattern: re.Pattern, m: re.Match, text: str) -> tuple[bool, int | None]:
    """A rule with a (?P<year>) group reads the sentence's year: the year printed after the
    value, else the one year named earlier in the sentence ('In 2023 Scope 1 amounted to ...');
    two years before the value leave the value unread (False), since either may be its year."""
    if "year" not in rule_pattern.groupindex:
        return True, None
    if m.group("year"):
        return True, int(m.group("year"))
    starts = [e.end() for e in _SENTENCE_END.finditer(text, 0, m.start())]
    named = set(_YEAR.findall(text[starts[-1] if starts else 0 : m.start()]))
    if len(named) > 1:
        return False, None
    return True, (int(named.pop()) if named else None)


def _in_respective_list(text: str, end: int, next_line: str) -> bool:
    """The rest of the value's sentence (read on into the next line) says 'respectively'."""
    rest = text[end:] + " " + next_line
    stop = _SENTENCE_END.search(rest)
    return bool(_RESPECTIVELY.search(rest[: stop.start() if stop else len(rest)]))


def extract(lines: list[str]) -> list[RawValue]:
    values = []
    for number, line in enumerate(lines, start=1):
        text = clean(line)
        following = clean(lines[number]) if number < len(lines) else ""
        for rule in reference.prose_rules():
            for m in rule.pattern.finditer(text):
                if _in_respective_list(text, m.end(), following):
                    continue
                readable, year = _year(rule.pattern, m, text)
                if not readable:
                    continue
                unit = m.groupdict().get("unit") or rule.default_unit
                values.append(
                    RawValue(
                        line_number=number,
                        extractor="prose",
                        label=m.group(0),
                        unit=unit,
                        year=year,
                        value_text=m.group("value"),
                        raw_text=line,
                        metric_hint=rule.metric_id,
                    )
                )
    return values
