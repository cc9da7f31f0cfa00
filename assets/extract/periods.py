"""Period header cells: which columns of a table hold actual values of a year, which do not.

A header cell names a period when it holds one year label ('2024', 'FY2023', '2023/24',
'FY24'), possibly with words around it. The words say what the column is: a base year
('2019 baseline', 'Base year 2020', '2020(basår)'), a target ('Target 2030'), a change
('Change 2024 vs 2023', 'Change (%)'), a share of a total ('Share of 2024') or, for any
other words ('Current year 2024', 'FY2024 value'), the year's actual value. Only actual
columns are read as values; the others are recognised so that they are never read as one.

The qualifier words are table structure, not metric vocabulary: a short list per language
below, matched as whole words (prefixes for Swedish compounds such as 'basåret').
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from assets.extract import years

ACTUAL, BASE, TARGET, CHANGE, UNIT, NOTE = "actual", "base", "target", "change", "unit", "note"
SHARE = "share"

# Words that make a header cell a column of some other kind than the year's actual value.
_ROLE_WORDS = {
    BASE: r"base(?:line|\s*year)?|basår\w*|referensår\w*|reference\s*year|ref\.?\s*year",
    TARGET: r"targets?|goals?|mål\w*|ambition\w*|objective\w*",
    CHANGE: r"change\w*|förändr\w*|diff\w*|variance|var\.|yoy|y-o-y|vs\.?|jämfört|%",
    SHARE: r"share|andel\w*|proportion|of\s+total",
    UNIT: r"units?|enhet\w*|uom",
    NOTE: r"notes?|not|ref|refs|comments?|kommentar\w*|remarks?|references?|gri",
}
_ROLE = {
    role: re.compile(rf"(?<![\w%])(?:{words})(?![\w%])", re.I)
    for role, words in _ROLE_WORDS.items()
}
YEAR_IN = re.compile(rf"(?<![\d/])(?:{years.LABEL})(?![\d/])", re.I)
# Footnote marks printed after a header ('2024 1)', '2024*', '2023¹').
_MARKS = re.compile(r"(?:\s+\d{1,2}\))+$|[*¹²³⁴⁵⁶⁷⁸⁹⁰†‡]+$")
FIRST_YEAR, LAST_YEAR = 1990, 2100
MAX_QUALIFIER_WORDS = 2  # 'Current year 2024', 'FY2024 value'; more words make a title


@dataclass(frozen=True)
class Period:
    """What a header cell names: a year (fiscal, by the report's convention) and a role."""

    role: str
    label: years.YearLabel | None = None
    text: str = ""

    @property
    def actual(self) -> bool:
        return self.role == ACTUAL and self.label is not None


def year_labels(text: str) -> list[years.YearLabel]:
    """Every year label in a text ('2024 2023' -> two), outside 1990-2100 dropped."""
    found = []
    for m in YEAR_IN.finditer(text):
        label = years.parse(m.group())
        if label and FIRST_YEAR <= label.year <= LAST_YEAR:
            found.append(label)
    return found


def without_years(text: str) -> str:
    """A text with its year labels taken out ('(Jul 2022 - Jun 2023)' -> '(Jul - Jun )')."""
    return YEAR_IN.sub(" ", text).strip()


def classify(text: str) -> Period | None:
    """The period a header cell names, or a non-period role (unit, note, change), or None for
    any other text (a title, a label)."""
    cell = _MARKS.sub("", text.strip()).strip()
    if not cell:
        return None
    labels = year_labels(cell)
    rest = YEAR_IN.sub(" ", cell)
    for role in (CHANGE, SHARE, BASE, TARGET):
        if _ROLE[role].search(rest) or (role == CHANGE and len(labels) > 1):
            return Period(role, labels[0] if labels else None, text)
    if len(labels) == 1:
        if re.search(r"\d", rest) or len(rest.split()) > MAX_QUALIFIER_WORDS:
            return None  # another number beside the year, or a sentence: not a header cell
        return Period(ACTUAL, labels[0], text)
    for role in (UNIT, NOTE):
        if _ROLE[role].fullmatch(cell):
            return Period(role, None, text)
    return None


_MONTHS = {
    m.lower().rstrip(".")
    for names in (calendar.month_name, calendar.month_abbr)
    for m in names
    if m
} | {  # Swedish
    "januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
    "oktober", "november", "december",
}  # fmt: skip


def is_date(before: str, text: str) -> bool:
    """A year printed after a month name ('March 2024', 'maj 2025') is a date, never a value."""
    return bool(re.fullmatch(r"(19|20)\d\d", text)) and before.lower().rstrip(".,") in _MONTHS
