"""What every reader produces, and the small parsing rules they share."""

from __future__ import annotations

import re
from dataclasses import dataclass

NUMBER = r"[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
NUMBER_RE = re.compile(rf"^{NUMBER}$")
# Printed marks for "not reported": never zero.
NOT_REPORTED = frozenset({"/", "-", "–", "—", "n/a", "na", "n.a.", "not applicable", "不适用"})
_MARKUP = re.compile(r"</?(?:b|i|u|sub|sup|strong|em)>|\*\*", re.IGNORECASE)


@dataclass
class RawValue:
    """One value as the document printed it, with where it was found."""

    line_number: int
    extractor: str
    label: str
    unit: str | None
    year: int | None
    value_text: str
    table_title: str | None = None
    column_header: str | None = None
    raw_text: str | None = None
    metric_hint: str | None = None

    @property
    def not_reported(self) -> bool:
        return is_not_reported(self.value_text)

    @property
    def value(self) -> float | None:
        return parse_number(self.value_text)

    def as_row(self) -> dict:
        # vars(), not dataclasses.asdict: asdict deep-copies every field (half the load time).
        return vars(self) | {"value": self.value, "not_reported": self.not_reported}


def clean(text: str) -> str:
    """Drop inline markup (<b>, <sub>, **) that PDF/markdown conversion leaves in a line."""
    return _MARKUP.sub("", text).strip()


def is_not_reported(text: str) -> bool:
    return text.strip().casefold() in NOT_REPORTED


def is_number(text: str) -> bool:
    return bool(NUMBER_RE.match(text.strip()))


def parse_number(text: str) -> float | None:
    text = text.strip().replace("−", "-")
    if not NUMBER_RE.match(text):
        return None
    return float(text.replace(",", ""))
