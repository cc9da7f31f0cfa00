"""KPI labels that appear in a document without a value beside them.

A short, number-free line that a label rule recognises ('Scope 1 emissions', 'Hazardous waste')
but that no reader turned into a value is a KPI the report names whose number may have been
lost (printed as a graphic, or in a layout not read yet). Coverage views list them.
"""

import re
from dataclasses import dataclass

from assets import mapping, reference, units
from assets.extract.values import clean, is_not_reported, is_number

MAX_WORDS = 8
_PARENTHESES = re.compile(r"\(([^()]{1,20})\)?\s*$")


@dataclass
class Mention:
    line_number: int
    text: str
    metric_id: str


def extract(lines: list[str], value_lines: set[int]) -> list[Mention]:
    """One mention per short line: the best label rule, the unit in parentheses deciding
    ('Electricity consumption (MWh)' is energy.electricity, not its intensity)."""
    found = []
    for number, line in enumerate(lines, start=1):
        text = clean(line).replace("\t", " ").strip()
        words = text.split()
        if number in value_lines or not words or len(words) > MAX_WORDS:
            continue
        if any(is_number(w) or is_not_reported(w) for w in words):
            continue
        if not text[0].isupper() or any(ch in text for ch in ".,;"):
            continue  # prose, not a label
        unit = _PARENTHESES.search(text)
        unit = unit.group(1) if unit and units.is_known(unit.group(1)) else None
        match = mapping.best(text, None, unit, strict=unit is not None)
        if match and match.metric_id in reference.metrics():
            found.append(Mention(number, text, match.metric_id))
    return found
