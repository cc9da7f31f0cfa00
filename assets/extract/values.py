"""What every reader produces, and the small parsing rules they share."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Thousands grouped by commas ('1,150') or, in tab cells, by spaces ('1 150'; also no-break).
NUMBER = r"[-−]?(?:\d{1,3}(?:,\d{3})+|\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:\.\d+)?"
# Footnote marks printed after a number ('14,900¹', '86,120*'): dropped from the value.
FOOTNOTE = r"[¹²³⁴⁵⁶⁷⁸⁹⁰*†‡§¶]+"
NUMBER_RE = re.compile(rf"^({NUMBER})(?:{FOOTNOTE})?$")
# Printed marks for "not reported": never zero.
NOT_REPORTED = frozenset(
    {"/", "-", "–", "—", "n/a", "na", "n.a.", "not applicable", "not reported", "not available",
     "n.r.", "不适用"}
)  # fmt: skip
# Words that print a zero in a value cell (HKEX: 'Nil' fatalities): the value is 0.
NIL = frozenset({"nil", "none"})
_MARKUP = re.compile(r"</?(?:b|i|u|sub|sup|strong|em)>|\*\*", re.IGNORECASE)
_GROUP_SPACE = re.compile(r"[,\s]")


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
    page: int | None = None  # PDFs: 1-based physical page of the value's row
    bbox_x0: float | None = None  # PDFs: the row's box on its page, in points from top-left
    bbox_top: float | None = None
    bbox_x1: float | None = None
    bbox_bottom: float | None = None

    @property
    def not_reported(self) -> bool:
        return is_not_reported(self.value_text)

    @property
    def value(self) -> float | None:
        return parse_number(self.value_text)


@dataclass
class RowError:
    """A line a reader could not (fully) read: recorded in raw.load_errors, never dropped."""

    line_number: int
    rule: str
    message: str


def clean(text: str) -> str:
    """Drop inline markup (<b>, <sub>, **) that PDF/markdown conversion leaves in a line."""
    return _MARKUP.sub("", text).strip()


def is_not_reported(text: str) -> bool:
    return text.strip().casefold() in NOT_REPORTED


def is_nil(text: str) -> bool:
    """'Nil' / 'None' printed as a value: zero, unlike a not-reported mark."""
    return text.strip().casefold() in NIL


def is_number(text: str) -> bool:
    return bool(NUMBER_RE.match(text.strip()))


def number_text(text: str) -> str:
    """A printed number without its footnote mark ('14,900¹' -> '14,900'); else the text."""
    m = NUMBER_RE.match(text.strip())
    return m.group(1) if m else text.strip()


def parse_number(text: str) -> float | None:
    """The number a printed value stands for: footnote marks dropped, 'Nil' is 0, None for a
    not-reported mark or anything else."""
    if is_nil(text):
        return 0.0
    m = NUMBER_RE.match(text.strip().replace("−", "-"))
    return float(_GROUP_SPACE.sub("", m.group(1))) if m else None
