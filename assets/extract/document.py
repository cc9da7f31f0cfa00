"""One landing document -> raw values, by trying every layout reader on its lines."""

from __future__ import annotations

import re

from assets.extract import grid, kpi_csv, layout, multi_year_text, prose, squeezed, tab_tables
from assets.extract.values import RawValue, RowError
from assets.extract.years import Calendar

_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_WIDE_GAP = re.compile(r"\S {2,}\S")  # columns aligned by runs of spaces


def extract_document(
    doc: layout.Document,
    calendar: Calendar | None = None,
    printed: list[str] | None = None,
    single_spaced: bool = False,
) -> tuple[list[RawValue], list[RowError]]:
    """Values of a document in the layout form (a text or a PDF), and the table rows the
    readers saw but could not read.

    The readers written for the samples' layouts go first, on the printed lines (`printed`,
    a text's own lines; by default the document's plain text): tab-separated tables, and
    multi-year tables whose header names 'Indicator' or 'Unit' in text whose columns are
    squeezed to single spaces. The general table reader (grid.py) reads every other table,
    leaving the lines those readers read alone; markdown pipe tables and tables whose columns
    are aligned (a header with wide gaps) are its own. Prose last. `calendar` (the report's
    metadata) maps year headers such as 'FY2024/25' to fiscal years. With `single_spaced` (a
    text, whose printed spacing is its own) tables squeezed to single spaces by a converter are
    read by squeezed.py before the general reader, which leaves their lines alone.
    """
    printed = printed if printed is not None else [line.text for line in doc.lines]
    headers = multi_year_text.header_lines(printed)
    lines = [
        "" if _PIPE_ROW.match(text) or (n in headers and _WIDE_GAP.search(text.strip())) else text
        for n, text in enumerate(printed, start=1)
    ]
    tab_values, tab_errors = tab_tables.extract(lines, calendar)
    text_values, text_errors = multi_year_text.extract(lines, calendar)
    claimed = {v.line_number for v in tab_values + text_values}
    claimed |= {e.line_number for e in tab_errors + text_errors}
    claimed |= {n for n, text in enumerate(lines, start=1) if "\t" in text}
    claimed |= multi_year_text.header_lines(lines)
    if single_spaced:
        pages = [line.page for line in doc.lines]
        squeezed_lines = ["" if n in claimed else t for n, t in enumerate(lines, start=1)]
        squeezed_values = squeezed.extract(squeezed_lines, calendar, pages)
        text_values += squeezed_values
        claimed |= {v.line_number for v in squeezed_values}
    grid_values, grid_errors, _ = grid.extract(doc, calendar, claimed)
    values = tab_values + text_values + grid_values + prose.extract(printed, doc)
    errors = sorted(tab_errors + text_errors + grid_errors, key=lambda e: (e.line_number, e.rule))
    return sorted(values, key=lambda v: (v.line_number, v.extractor, v.year or 0)), errors


def extract_text(
    text: str, calendar: Calendar | None = None
) -> tuple[list[RawValue], list[RowError]]:
    """Values of a report text (.txt/.md): see extract_document. A text whose page breaks are
    form feeds gives every value its page (grid values have it already)."""
    doc = layout.from_text(text)
    values, errors = extract_document(doc, calendar, layout.text_lines(text), single_spaced=True)
    page_of = {line.number: line.page for line in doc.lines}
    for v in values:
        if v.page is None:
            v.page = page_of.get(v.line_number)
    return values, errors


def extract(
    text: str, fmt: str, calendar: Calendar | None = None
) -> tuple[list[RawValue], list[RowError]]:
    if fmt == "csv":
        return kpi_csv.read(text)
    return extract_text(text, calendar)
