"""Year column headers and the fiscal year they stand for.

A header names a year as '2024', 'FY2024', 'FY24', a split year '2024/25', 'FY2024/25' or
'FY24/25', or a calendar year 'CY2024', 'CY24' (named by its year whatever the report's fiscal
year, never shifted).
A split year (a fiscal year across two calendar years) is mapped by the report's own
convention, read from its metadata: if `fiscal_year` is the year the period starts in,
'2024/25' is 2024; if it is the year the period ends in, 2025. A report whose period is not a
calendar year and whose `fiscal_year` is its start year may still print 'FY2025' for that
year (named by its end): when a table's latest 'FY' year (targets after the period aside) is
the period's end year, its 'FY' years are shifted back to the metadata's convention. Without
metadata, or where it decides nothing, the printed (first) year is kept. Whenever a label is
not a plain year, it stays in column_header, so what was done can be seen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

LABEL = (
    r"(?:FY\s*)?(?:19|20)\d{2}(?:\s*/\s*(?:\d{2}|(?:19|20)\d{2}))?|FY\s*\d{2}(?:\s*/\s*\d{2})?"
    r"|CY\s*(?:(?:19|20)\d{2}|\d{2})"
)
_LABEL = re.compile(
    r"^(?:(?P<cy>CY\s*)(?:(?P<cy_year>(?:19|20)\d{2})|(?P<cy_short>\d{2}))"
    r"|(?P<fy>FY\s*)?(?:(?P<year>(?:19|20)\d{2})(?:\s*/\s*(?P<end>\d{2}|(?:19|20)\d{2}))?"
    r"|(?P<short>\d{2})(?:\s*/\s*(?P<short_end>\d{2}))?))$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Calendar:
    """The report's period and fiscal year, from its metadata."""

    fiscal_year: int
    period_start: date
    period_end: date

    def split_year(self, first: int) -> int:
        """The fiscal year of the split year that starts in `first` ('2024/25')."""
        if self.fiscal_year == self.period_end.year != self.period_start.year:
            return first + 1
        return first


@dataclass(frozen=True)
class YearLabel:
    year: int  # the first year printed ('2024' of '2024/25', 2024 of 'FY24')
    fy: bool  # printed with 'FY'
    split: bool  # a split year '2024/25'
    calendar: bool = False  # printed as a calendar year ('CY24'): its year as printed


def parse(text: str) -> YearLabel | None:
    """A header cell that names a year, or None ('FY2024/25' and 'FY24/25' -> 2024, fy, split)."""
    m = _LABEL.match(text.strip())
    if m and m.group("cy"):
        year = int(m.group("cy_year") or 2000 + int(m.group("cy_short")))
        return YearLabel(year, fy=False, split=False, calendar=True)
    if not m or (m.group("short") and not m.group("fy")):
        return None
    year = int(m.group("year")) if m.group("year") else 2000 + int(m.group("short"))
    end = m.group("end") or m.group("short_end")
    if end and int(end) % 100 != (year + 1) % 100:
        return None  # '2024/23' or '2024/26' is no split year
    return YearLabel(year, bool(m.group("fy")), bool(end))


def fiscal_years(labels: dict[int, YearLabel], calendar: Calendar | None) -> dict[int, int]:
    """column -> fiscal year, by the report's convention (see the module docstring)."""
    if calendar is None:
        return {col: label.year for col, label in labels.items()}
    end_year = calendar.period_end.year
    fy_years = [lb.year for lb in labels.values() if lb.fy and not lb.split and lb.year <= end_year]
    shift = (
        calendar.fiscal_year - end_year
        if calendar.period_start.year != end_year
        and calendar.fiscal_year != end_year
        and fy_years
        and max(fy_years) == end_year
        else 0
    )
    return {
        col: calendar.split_year(lb.year) if lb.split else lb.year + (shift if lb.fy else 0)
        for col, lb in labels.items()
    }


def calendar_of(meta: dict) -> Calendar | None:
    """The Calendar of a report's metadata (fiscal_year, period_start, period_end as dates)."""
    try:
        return Calendar(int(meta["fiscal_year"]), meta["period_start"], meta["period_end"])
    except (KeyError, TypeError, ValueError):
        return None
