"""One landing document -> raw values, by trying every layout reader on its lines."""

from __future__ import annotations

from assets.extract import kpi_csv, multi_year_text, prose, tab_tables
from assets.extract.values import RawValue, RowError
from assets.extract.years import Calendar


def extract_text(
    text: str, calendar: Calendar | None = None
) -> tuple[list[RawValue], list[RowError]]:
    """Values of a report text (.txt/.md): tab tables, multi-year tables and prose; and the
    table rows the readers saw but could not read. `calendar` (the report's metadata) maps
    year headers such as 'FY2024/25' to fiscal years."""
    lines = text.splitlines()
    tab_values, tab_errors = tab_tables.extract(lines, calendar)
    text_values, text_errors = multi_year_text.extract(lines, calendar)
    values = tab_values + text_values + prose.extract(lines)
    errors = sorted(tab_errors + text_errors, key=lambda e: (e.line_number, e.rule))
    return sorted(values, key=lambda v: (v.line_number, v.extractor, v.year or 0)), errors


def extract(
    text: str, fmt: str, calendar: Calendar | None = None
) -> tuple[list[RawValue], list[RowError]]:
    if fmt == "csv":
        return kpi_csv.read(text)
    return extract_text(text, calendar)
