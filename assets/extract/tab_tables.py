"""HKEX-style tables: tab-separated cells, one row per line.

A block of consecutive tab lines is a table; its first line is the header unless it already
holds numbers (a table of contents has no header). Each numeric cell of
a row becomes a value. Its unit is the first of: a unit printed in the cell ('6 people'), the
row's Unit column, a unit after the label ('Electricity (kWh)'), a unit in the column header
('Emission: tonnes'), a unit in the table title ('Waste (tonnes)'). A short line just above
the table is kept as part of its title ('Packaging material used... / Material'). A header
cell that is a year gives the value's year. Rows shorter than the header are aligned to the
right, which is how these tables print an empty first header cell. A markdown pipe table
('| Indicator | Unit | 2024 |', with its '|---|' separator row) is read the same way, its cells
split at the pipes.
"""

from __future__ import annotations

import re

from assets import units
from assets.extract import years
from assets.extract.values import (
    FOOTNOTE,
    NUMBER,
    RawValue,
    RowError,
    clean,
    is_nil,
    is_not_reported,
)

_CELL_VALUE = re.compile(rf"^(?P<num>{NUMBER})(?:{FOOTNOTE})?\s*(?P<unit>[^\d\s].{{0,24}})?$")
_YEAR_SUFFIX = re.compile(r"\s*(?:value|年|actual)$", re.I)
_IN_PARENTHESES = re.compile(rf"^\({NUMBER}\)$")
_UNIT_HEADER = re.compile(r"^units?$", re.I)
_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_PIPE_SEPARATOR = re.compile(r"^[\s|:-]*-[\s|:-]*$")


def _as_tab_line(line: str) -> str:
    """A markdown pipe row as tab-separated cells; its separator row as a row of empty cells."""
    if not _PIPE_ROW.match(line):
        return line
    if _PIPE_SEPARATOR.match(line):
        return "\t"
    return "\t".join(cell.strip() for cell in line.strip()[1:-1].split("|"))


def _header_unit(cell: str) -> str | None:
    """A unit named in a header cell: 'Emission: tonnes' or 'Consumption (kWh)'."""
    for candidate in (cell.rpartition(":")[2], *re.findall(r"\(([^()]{1,20})\)", cell)):
        candidate = candidate.strip()
        if candidate and units.is_known(candidate):
            return candidate
    return None


def _heading(lines: list[str], start: int) -> str | None:
    """A short heading just above a table ('Packaging material used for finished products')."""
    for k in range(start - 1, max(start - 4, -1), -1):
        text = clean(lines[k]).lstrip("#").strip()
        if not text:
            continue
        if "\t" in lines[k] or len(text.split()) > 8 or text[-1] in ".:;":
            return None
        return text
    return None


def _blocks(lines: list[str]) -> list[list[int]]:
    blocks, current = [], []
    for i, line in enumerate(lines):
        if "\t" in line:
            current.append(i)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _year_label(cell: str) -> years.YearLabel | None:
    return years.parse(_YEAR_SUFFIX.sub("", cell))


def _unread(cells: list[tuple[int, str]], header: list[str], line: int) -> RowError:
    """A labelled row's cells that hold digits but no value the reader knows."""
    shown = ", ".join(
        f"{c!r} (column {header[col] if col < len(header) else col + 1!r})" for col, c in cells
    )
    if any(_IN_PARENTHESES.match(c) for _, c in cells):
        why = "a number in parentheses may be negative or a note: its sign is not guessed"
        return RowError(line, "value_in_parentheses", f"not read: {shown}; {why}")
    return RowError(line, "row_unread", f"not read: {shown}; not a number or not-reported mark")


def extract(
    lines: list[str], calendar: years.Calendar | None = None
) -> tuple[list[RawValue], list[RowError]]:
    """Values of every tab (or pipe) table, and the labelled cells with digits left unread."""
    printed, lines = lines, [_as_tab_line(line) for line in lines]
    values: list[RawValue] = []
    errors: list[RowError] = []
    for block in _blocks(lines):
        header = [clean(c) for c in lines[block[0]].split("\t")]
        if any(_CELL_VALUE.match(c) and not _year_label(c) for c in header[1:]):
            header, rows = [], block  # no header row: the first line is data already
        else:
            rows = block[1:]
        labels = {i: lb for i, c in enumerate(header) if (lb := _year_label(c))}
        year_of = years.fiscal_years(labels, calendar)
        plain = {i for i, lb in labels.items() if not (lb.fy or lb.split or lb.calendar)}
        unit_cols = {i for i, c in enumerate(header) if _UNIT_HEADER.match(c)}
        heading = _heading(lines, block[0])
        title = " / ".join(t for t in (heading, header[0] if header else None) if t) or None
        table_unit = _header_unit(title) if title else None
        for idx in rows:
            cells = [clean(c) for c in lines[idx].split("\t")]
            offset = max(len(header) - len(cells), 0)
            row_unit = next((c for p, c in enumerate(cells) if p + offset in unit_cols and c), None)
            label = None
            unread = []
            for pos, cell in enumerate(cells):
                col = pos + offset
                if not cell or col in unit_cols:
                    continue
                m = _CELL_VALUE.match(cell)
                if not (m or ((is_not_reported(cell) or is_nil(cell)) and label)):
                    if label is None:
                        label = cell
                    elif any(ch.isdigit() for ch in cell):
                        unread.append((col, cell))
                    continue
                if label is None:
                    break  # a number before any label: not a data row
                head = header[col] if col < len(header) else ""
                unit = (
                    (m and m.group("unit"))
                    or row_unit
                    or _header_unit(label)
                    or _header_unit(head)
                    or table_unit
                )
                values.append(
                    RawValue(
                        line_number=idx + 1,
                        extractor="tab_table",
                        label=label,
                        unit=unit.strip() if unit else None,
                        year=year_of.get(col),
                        value_text=m.group("num") if m else cell,
                        table_title=title,
                        column_header=None if col in plain else (head or None),
                        raw_text=printed[idx],
                    )
                )
            if unread:
                errors.append(_unread(unread, header, idx + 1))
    return values, errors
