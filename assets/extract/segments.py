"""Tables of segments (regions, sites, business units) with a column for the whole, and one
period named in the caption above them ('FY23 regional site data': Asia | Europe | ... | All).

No header word says which column is the whole: a column is the whole when, in the rows that
print a number in every column, it equals the sum of all the others (within the rounding of the
printed figures or 0.5 %), in two rows at least and in every row but one at most. Only that
column is read, and only in the rows where the sum holds (others: row error `whole_not_sum`); the
segments themselves are parts, never totals, and stay unread. The period is the one period a
short caption within MAX_CAPTION_LINES above the first row names; with none, nothing is read.
"""

from __future__ import annotations

from assets.extract import grid, numbers, periods, years
from assets.extract.layout import Line, Token
from assets.extract.units_in_text import known, unit_in
from assets.extract.values import RawValue, RowError

MIN_SEGMENTS = 3  # value columns of a row: the whole and two parts at least
MAX_CAPTION_LINES = 8
MAX_LABEL_LINES = 6  # lines of label or notes a row may have below it
TOLERANCE = 0.005


def _row(line: Line, cw: float) -> tuple[str, list[Token]] | None:
    """(label, number cells) of a line of words: a label, then MIN_SEGMENTS numbers or more
    side by side, then at most words (a note column)."""
    if line.cells or not line.tokens:
        return None
    cells = grid.word_cells(line, cw)
    label = grid._text(cells[0])
    if grid.numbers_like(label) or periods.year_labels(label):
        return None
    nums: list[Token] = []
    for c in cells[1:]:
        if grid.numbers_like(grid._text(c)) and not periods.year_labels(grid._text(c)):
            nums.append(c)
        elif nums:
            break
    return (label, nums) if len(nums) >= MIN_SEGMENTS else None


def _columns(rows: list[tuple[str, list[Token]]], cw: float) -> bool:
    """Every row's numbers stand under the first row's, right edges within two characters."""
    edges = [t.x1 for t in rows[0][1]]
    return all(
        len(nums) == len(edges)
        and all(abs(t.x1 - e) <= 2 * cw for t, e in zip(nums, edges, strict=True))
        for _, nums in rows
    )


def _caption_period(lines: list[Line], start: int) -> periods.YearLabel | None:
    """The one period named by a line of words within MAX_CAPTION_LINES above the table."""
    for k in range(start - 1, max(start - 1 - MAX_CAPTION_LINES, -1), -1):
        line = lines[k]
        if line.page != lines[start].page or any(
            grid.numbers_like(grid._text(t)) and not periods.year_labels(grid._text(t))
            for t in line.tokens
        ):
            return None
        labels = periods.year_labels(line.text)
        if labels:
            return labels[0] if len(labels) == 1 else None
    return None


def _close(whole: float, parts: float, decimals: int) -> bool:
    return abs(whole - parts) <= max(0.5 * 10**-decimals * 2, TOLERANCE * abs(whole))


def _whole(rows: list[list[numbers.Value | None]]) -> int | None:
    """The index of the column that is the sum of the others, or None."""
    full = [r for r in rows if all(v is not None and v.number is not None for v in r)]
    if len(full) < 2:
        return None
    for c in range(len(full[0])):
        ok = sum(
            _close(r[c].number, sum(v.number for n, v in enumerate(r) if n != c),
                   max(v.decimals for v in r))
            and r[c].number != 0
            for r in full
        )  # fmt: skip
        if ok >= 2 and ok >= len(full) - 1:
            return c
    return None


def extract(
    lines: list[Line],
    cw: float,
    calendar: years.Calendar | None,
    free: set[int],
    conv: numbers.Convention,
) -> tuple[list[RawValue], list[RowError], set[int]]:
    """Values of the segment tables among the lines in `free`, rows not read, lines read."""
    values: list[RawValue] = []
    errors: list[RowError] = []
    used: set[int] = set()
    k = 0
    while k < len(lines):
        first = lines[k].number in free and _row(lines[k], cw)
        if not first:
            k += 1
            continue
        rows: list[tuple[int, str, list[Token]]] = [(k, *first)]
        j = k + 1
        while j < len(lines) and lines[j].number in free and lines[j].page == lines[k].page:
            found = _row(lines[j], cw)
            if found:
                rows.append((j, *found))
            elif (
                not _label_only(lines[j], _span(rows[0][2], cw))
                or j - rows[-1][0] > MAX_LABEL_LINES
            ):
                break
            j += 1
        if len(rows) >= 2:
            got = _table(lines, rows, cw, calendar, conv)
            if got:
                values += got[0]
                errors += got[1]
                used.update(ln.number for ln in lines[k:j])
        k = j
    return values, errors, used


def _span(nums: list[Token], cw: float) -> tuple[float, float]:
    """The x-range of a table's value columns."""
    return nums[0].x0 - 2 * cw, nums[-1].x1 + cw


def _label_only(line: Line, span: tuple[float, float]) -> bool:
    """A line with no number under the value columns: a label's continuation ('Scopes 1, 2
    and 3') or a note beside the table."""
    return (
        bool(line.tokens)
        and not line.cells
        and not any(
            grid.numbers_like(grid._text(t))
            for t in line.tokens
            if t.x1 > span[0] and t.x0 < span[1]
        )
    )


def _table(lines, rows, cw, calendar, conv):
    if not _columns([(label, nums) for _, label, nums in rows], cw):
        return None
    period = _caption_period(lines, rows[0][0])
    if period is None:
        return None
    year = years.fiscal_years({0: period}, calendar).get(0)
    if year is None or (calendar and year > calendar.period_end.year):
        return None
    parsed = []
    for _, _, nums in rows:
        texts = [grid._text(t) for t in nums]
        row_conv = numbers.Convention.of(texts, fallback=conv)
        try:
            parsed.append([numbers.parse(t, row_conv) for t in texts])
        except numbers.Unsafe:
            parsed.append([None] * len(texts))
    whole = _whole(parsed)
    if whole is None:
        return None
    span = _span(rows[0][2], cw)
    values: list[RawValue] = []
    errors: list[RowError] = []
    for n, (at, label, _) in enumerate(rows):
        line = lines[at]
        end = rows[n + 1][0] if n + 1 < len(rows) else at + 1 + MAX_LABEL_LINES
        for below in lines[at + 1 : min(end, len(lines))]:
            if not _label_only(below, span):
                break
            words = [grid._text(t) for t in below.tokens if t.x1 <= span[0]]
            if words:
                label = f"{label} {' '.join(words)}"
        row = parsed[n]
        value = row[whole]
        if value is None or value.number is None:
            continue
        parts = sum(v.number for m, v in enumerate(row) if m != whole and v and v.number)
        if any(v is None or v.number is None for v in row) or not _close(
            value.number, parts, max(v.decimals for v in row)
        ):
            errors.append(RowError(line.number, "whole_not_sum", (
                f"'{value.text}' under the table's whole column is not the sum of the segments"
                " beside it: not read")))  # fmt: skip
            continue
        unit = value.unit or unit_in(label)
        values.append(RawValue(
            line_number=line.number, extractor=grid.EXTRACTOR, label=label,
            unit=known(unit) or unit if unit else None, year=year, value_text=value.text,
            column_header="whole column (the sum of the segments)",
            raw_text=line.text, page=line.page,
            bbox_x0=line.x0 if line.top is not None else None, bbox_top=line.top,
            bbox_x1=line.x1 if line.top is not None else None, bbox_bottom=line.bottom,
        ))  # fmt: skip
    return values, errors
