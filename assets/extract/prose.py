"""Values stated in sentences ('a total of approximately 341 employees').

Each rule in ref/prose_patterns.csv names its metric and captures the value (and the unit, or
gives a default one); a new phrasing is a new line in that file.
"""

from __future__ import annotations

from assets import reference
from assets.extract.values import RawValue, clean


def extract(lines: list[str]) -> list[RawValue]:
    values = []
    for number, line in enumerate(lines, start=1):
        text = clean(line)
        for rule in reference.prose_rules():
            for m in rule.pattern.finditer(text):
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
