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
                unit = m.groupdict().get("unit") or rule.default_unit
                values.append(
                    RawValue(
                        line_number=number,
                        extractor="prose",
                        label=m.group(0),
                        unit=unit,
                        year=None,
                        value_text=m.group("value"),
                        raw_text=line,
                        metric_hint=rule.metric_id,
                    )
                )
    return values
