"""One landing document -> raw values, by trying every layout reader on its lines."""

from __future__ import annotations

from assets.extract import kpi_csv, multi_year_text, prose, tab_tables
from assets.extract.values import RawValue


def extract_text(text: str) -> list[RawValue]:
    """Values of a report text (.txt/.md): tab tables, multi-year tables and prose."""
    lines = text.splitlines()
    values = tab_tables.extract(lines) + multi_year_text.extract(lines) + prose.extract(lines)
    return sorted(values, key=lambda v: (v.line_number, v.extractor, v.year or 0))


def extract(text: str, fmt: str) -> tuple[list[RawValue], list[kpi_csv.RowError]]:
    if fmt == "csv":
        return kpi_csv.read(text)
    return extract_text(text), []
