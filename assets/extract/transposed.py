"""Tables with periods as rows (transposed): metric names are the column headers, each row
starts with a period ('FY2022', '2023') and holds one number under each header.

Strict, so that anything ambiguous stays unread: a line of words whose first cell is a bare
period and whose other cells are all numbers is a row; two or more such rows in a row, of
distinct years and with their numbers aligned column by column, make a table when the lines
right above them (up to MAX_HEADER_LINES, stacked) hold only words, each cell over exactly one
value column right of the periods, and the lowest of them names two columns or more. A column's
label is its header words top to bottom ('Number of' / 'fatalities'); each value is read as
(label = column header, year = the row's period).
"""

from __future__ import annotations

from assets.extract import grid, numbers, periods, years
from assets.extract.layout import Line, Token
from assets.extract.units_in_text import known, unit_in, unit_named
from assets.extract.values import RawValue, RowError

MAX_HEADER_LINES = 6
MAX_HEADER_CELL_WORDS = 4


def _row(line: Line, cw: float) -> tuple[Token, list[Token]] | None:
    """(period cell, value cells) of a line that is a period followed by numbers only."""
    if line.cells or not line.tokens:
        return None
    cells = grid.word_cells(line, cw)
    if len(cells) < 3:
        return None
    first = grid._text(cells[0])
    p = periods.classify(first)
    bare = not periods.YEAR_IN.sub("", first).strip()
    if p is None or not p.actual or not bare:
        return None
    if not all(grid.numbers_like(grid._text(c)) for c in cells[1:]):
        return None
    return cells[0], cells[1:]


def _aligned(rows: list[tuple[Token, list[Token]]], cw: float) -> bool:
    """The rows' values stand in the same columns: as many in each, centres within two
    characters of the first row's."""
    n = len(rows[0][1])
    if any(len(vals) != n for _, vals in rows):
        return False
    centres = [(t.x0 + t.x1) / 2 for t in rows[0][1]]
    return all(
        abs((t.x0 + t.x1) / 2 - c) <= 2 * cw
        for _, vals in rows
        for t, c in zip(vals, centres, strict=True)
    )


def _header(lines: list[Line], start: int, period_x1: float, centres: list[float], cw: float):
    """Per value column, its header words from the lines above `start` (top first), or None
    when the line right above is no header of these columns."""
    parts: list[list[str]] = [[] for _ in centres]
    taken = 0
    k = start - 1
    while k >= 0 and taken < MAX_HEADER_LINES:
        line = lines[k]
        if line.cells or not line.tokens or line.page != lines[start].page:
            break
        cells = grid.word_cells(line, cw)
        found: list[tuple[int, str]] = []
        for c in cells:
            text = grid._text(c)
            near = [n for n, x in enumerate(centres) if c.x0 - cw <= x <= c.x1 + cw]
            if (
                c.x0 <= period_x1
                or len(near) != 1
                or grid.numbers_like(text)
                or periods.classify(text) is not None
                or len(text.split()) > MAX_HEADER_CELL_WORDS
            ):
                found = []
                break
            found.append((near[0], text))
        if not found or len({n for n, _ in found}) != len(found):
            break
        if taken == 0 and len(found) < 2:
            return None
        for n, text in found:
            parts[n].insert(0, text)
        taken += 1
        k -= 1
    if not taken or not all(parts):
        return None
    labels = []
    for words in parts:
        label = ""
        for w in words:
            label = f"{label}{w}" if label.endswith("-") else f"{label} {w}".strip()
        labels.append(label)
    return labels


def extract(
    lines: list[Line],
    cw: float,
    calendar: years.Calendar | None,
    free: set[int],
    conv: numbers.Convention,
) -> tuple[list[RawValue], list[RowError], set[int]]:
    """Values of the transposed tables among the lines whose numbers are in `free`, the rows
    that could not be read, and the lines read."""
    values: list[RawValue] = []
    errors: list[RowError] = []
    used: set[int] = set()
    k = 0
    while k < len(lines):
        rows = []
        j = k
        while j < len(lines) and lines[j].number in free and (r := _row(lines[j], cw)):
            if rows and lines[j].page != lines[k].page:
                break
            rows.append(r)
            j += 1
        if len(rows) < 2:
            k = j + 1 if j == k else j
            continue
        found = _table(lines, k, rows, cw, calendar, conv)
        if found is not None:
            vals, errs = found
            values += vals
            errors += errs
            used.update(ln.number for ln in lines[k:j])
        k = j
    return values, errors, used


def _table(lines, k, rows, cw, calendar, conv):
    labels = {n: periods.year_labels(grid._text(p))[0] for n, (p, _) in enumerate(rows)}
    if len({lb.year for lb in labels.values()}) != len(rows) or not _aligned(rows, cw):
        return None
    centres = [(t.x0 + t.x1) / 2 for t in rows[0][1]]
    period_x1 = max(p.x1 for p, _ in rows)
    heads = _header(lines, k, period_x1, centres, cw)
    if heads is None:
        return None
    fiscal = years.fiscal_years(labels, calendar)
    values: list[RawValue] = []
    errors: list[RowError] = []
    for n, (period, cells) in enumerate(rows):
        line = lines[k + n]
        year = fiscal[n]
        if calendar and year > calendar.period_end.year:
            continue  # a year after the report's period: an outlook, never an actual
        texts = [grid._text(c) for c in cells]
        row_conv = numbers.Convention.of(texts, fallback=conv)
        header = grid._text(period)
        for label, text in zip(heads, texts, strict=True):
            try:
                value = numbers.parse(text, row_conv)
            except numbers.Unsafe as exc:
                errors.append(RowError(line.number, "value_unsafe", f"not read: {exc}"))
                continue
            if value is None:
                continue
            unit = value.unit or unit_in(label) or unit_named(label)
            values.append(
                RawValue(
                    line_number=line.number,
                    extractor=grid.EXTRACTOR,
                    label=label,
                    unit=known(unit) or unit if unit else None,
                    year=year,
                    value_text=value.text,
                    column_header=None if header == str(year) else header,
                    raw_text=line.text,
                    page=line.page,
                    bbox_x0=line.x0 if line.top is not None else None,
                    bbox_top=line.top,
                    bbox_x1=line.x1 if line.top is not None else None,
                    bbox_bottom=line.bottom,
                )
            )
    return values, errors
