"""SSE-style multi-year tables in two-column PDF text.

A header line ends in years ('Indicator Unit 2022 value 2023 value 2024 value'), possibly
followed by a change column ('2024 2023 Change (%)'). Below it, a value line ends in one value
(a number or '/', 'N/A', '-') per year, preceded by a unit (bare or in parentheses, possibly
broken over two lines by a lost subscript: '(tonnes CO2' + 'e)'). A table ends at the next
header or at a running page header/footer (a long line printed once a page). The PDF's
second column interleaves prose with the table, so a row's label is often split over lines
and mixed with sentences. The label is recovered with the metric vocabulary: the nearest text
that a label rule recognises and whose metric can take the row's unit.
Neighbouring lines are consulted only when the value line does not hold a complete label.
A value is a number (a footnote mark after it dropped), a not-reported mark, or 'Nil'/'None'
(zero). Thousands grouped by spaces ('1 254 000 1 198 500') are read only when the row's
tokens group into one number per year in exactly one way (a number: a 1-3 digit group, then
3-digit groups) and a known unit precedes them. A row of the table that ends in a value but
is not read (grouping ambiguous, fewer values than years, ...) is recorded as a RowError.
Year headers may print 'FY2024', '2024/25' (see years.py).
"""

from __future__ import annotations

import re
from itertools import pairwise

from assets import mapping, reference, units
from assets.extract import years as year_labels
from assets.extract.values import (
    FOOTNOTE,
    RawValue,
    RowError,
    clean,
    is_nil,
    is_not_reported,
    is_number,
    number_text,
)

_YEAR = rf"\b(?:{year_labels.LABEL})\b"
_YEARS = rf"(?:{_YEAR}(?:\s*(?:value|年))?\s*)"
_CHANGE = r"(?:change|yoy|variance)\b.*"
_HEADER = re.compile(
    # several years after an indicator/unit word ...
    rf"\b(?:indicator|unit|item|kpi|metric)\b.*?"
    rf"(?P<years>{_YEARS}{{2,}})(?P<change>{_CHANGE})?$"
    # ... or one year right after 'Indicator ... Unit'
    rf"|\b(?:indicator|item|kpi|metric)\b.*\bunits?\b\s*"
    rf"(?P<year>{_YEARS})(?P<change1>{_CHANGE})?$",
    re.IGNORECASE,
)
_BROKEN_UNIT_END = re.compile(r"^\S{0,6}\)")
_STOPWORDS = frozenset({"and", "the", "of", "to", "a", "an", "by", "with", "for", "from", "as"})
MAX_TABLE_LINES = 45
MAX_LABEL_WORDS = 6
MIN_PAGE_LINES = 4  # a running header/footer is never this close to its next print


_DIGITS = re.compile(r"\d+")


def _shape(line: str) -> str:
    return _DIGITS.sub("#", line.strip())


def _footer_shapes(
    lines: list[str], cleaned: list[str], by_shape: dict[str, list[int]]
) -> set[str]:
    """Running page headers/footers: long lines repeated three times or more, page numbers
    aside, and never close to themselves (once a page). Rows of one table can share a shape
    too ('Scope 1 ...', 'Scope 2 ...' with digits alike), but they sit on nearby lines; table
    headers repeat as well, but they are not footers."""
    headers = {_shape(line) for line, text in zip(lines, cleaned, strict=True)
               if _HEADER.search(text)}  # fmt: skip
    return {
        shape
        for shape, at in by_shape.items()
        if len(at) >= 3 and min(b - a for a, b in pairwise(at)) >= MIN_PAGE_LINES
    } - headers


def _long_lines_by_shape(lines: list[str]) -> dict[str, list[int]]:
    seen: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        if len(line.strip()) >= 20:
            seen.setdefault(_shape(line), []).append(i)
    return seen


def _repeated_shapes(by_shape: dict[str, list[int]]) -> set[str]:
    """Long lines printed three times or more but for their digits ('... | Page 2'): running
    headers even where pages are too short to tell them from table rows. Never reported as
    unread rows."""
    return {shape for shape, at in by_shape.items() if len(at) >= 3}


_SPACED = re.compile(rf"^(?:0|[1-9]\d{{0,2}})(?: \d{{3}})+(?:\.\d+)?(?:{FOOTNOTE})?$")


class Unreadable(Exception):
    """A row of the table that ends in values but cannot be read safely."""


def _is_value(token: str) -> bool:
    return is_number(token) or is_not_reported(token) or is_nil(token)


def _groupings(tokens: list[str], n: int) -> list[list[str]]:
    """Every way to read the tokens as n values, a run of digit groups ('1 254 000') being one
    number; stops at two, which is already ambiguous."""
    if n == 0:
        return [] if tokens else [[]]
    found: list[list[str]] = []
    for k in range(1, len(tokens) - n + 2):
        number = " ".join(tokens[:k])
        if (k == 1 and _is_value(number)) or _SPACED.match(number):
            found += [[number, *rest] for rest in _groupings(tokens[k:], n - 1)]
        if len(found) > 1:
            break
    return found


def _unit_before(before: list[str]) -> tuple[str, str] | None:
    """(text before the unit, unit) when the tokens end in a known unit."""
    for width in (3, 2, 1):
        unit = " ".join(before[-width:])
        if unit.startswith("(") and unit.endswith(")"):
            unit = unit[1:-1]
        if len(before) >= width and not is_number(before[-1]) and units.is_known(unit):
            return " ".join(before[:-width]), unit
    return None


def _space_grouped(tokens: list[str], n_years: int) -> tuple[str, str, list[str]] | None:
    """A row whose trailing values group thousands with spaces, read only when unambiguous."""
    start = len(tokens)
    while start > 0 and _is_value(tokens[start - 1]):
        start -= 1
    tail = tokens[start:]
    if len(tail) <= n_years:
        return None
    before = _unit_before(tokens[:start])
    if before is None:
        return None
    found = _groupings(tail, n_years)
    if len(found) > 1:
        readings = " | ".join(", ".join(f) for f in found)
        raise Unreadable(f"digit groups {tail} read as {n_years} years in several ways: {readings}")
    return (*before, found[0]) if found else None


def _split_value_line(
    line: str, n_years: int, change_column: bool = False
) -> tuple[str, str | None, list[str]] | None:
    """(text before the unit, unit, values) when the line ends in one value per year."""
    tokens = line.split()
    if change_column and tokens and _is_value(tokens[-1].rstrip("%")):
        tokens = tokens[:-1]
    if len(tokens) < n_years + 1:
        return None
    grouped = _space_grouped(tokens, n_years)
    if grouped:
        return grouped
    values = tokens[-n_years:]
    if not all(_is_value(v) for v in values):
        return None
    if all(is_not_reported(v) for v in values):
        return None
    before = tokens[:-n_years]
    found = _unit_before(before)
    if found:
        return (*found, values)
    last = before[-1]
    if _is_value(last):
        return None  # more values than years: not a row of this table
    return " ".join(before[:-1]), last, values


def _looks_like_row(text: str, change_column: bool) -> bool:
    """A line that ends in a value after some words: a table row, unlike prose, which ends in
    a word or a full stop."""
    tokens = text.split()
    if change_column and len(tokens) > 1 and _is_value(tokens[-1].rstrip("%")):
        tokens = tokens[:-1]
    last = tokens[-1].strip("()") if tokens else ""
    return _is_value(last) and any(ch.isalpha() for t in tokens[:-1] for ch in t)


def _tail_label(text: str) -> str:
    """The end of a line that reads like a table cell ('...to enhance Diesel' -> 'Diesel')."""
    words = text.split()
    taken: list[str] = []
    for i in range(len(words) - 1, -1, -1):
        word = words[i]
        if (
            not any(ch.isalpha() for ch in word)  # a number; 'withdrawal12' is a word
            or word[-1] in ",.;:"
            or word.casefold() in _STOPWORDS
            or len(taken) >= MAX_LABEL_WORDS
        ):
            break
        taken.insert(0, word)
        prev = words[i - 1] if i > 0 else ""
        if word[0].isupper() and not prev[:1].isupper():
            break
    return " ".join(taken)


def _is_short(text: str) -> bool:
    words = text.split()
    return len(words) <= MAX_LABEL_WORDS and not any(_is_value(w) for w in words)


def _recover_label(
    pre_unit: str, neighbours: list[tuple[int, str]], unit: str | None
) -> tuple[str, str]:
    """(label, text it was found in): vocabulary first, then the cell-like tail of the line."""
    tail = _tail_label(pre_unit)
    pieces = [(0, pre_unit)]
    if not tail[:1].isupper():  # the value line holds no complete label: look around
        pieces += neighbours
    found = []
    for dist, text in pieces:
        # The best rule naming a metric: an ignore rule ('target' in the prose half of a line)
        # must not hide the label printed beside it.
        candidates = mapping.candidates(text, None, unit)
        match = next((m for m in candidates if m.metric_id != reference.IGNORE), None)
        if match:
            found.append((dist, match, text))
    if found:
        dist, match, text = min(found, key=lambda f: (f[0], tuple(-s for s in f[1].score())))
        label = text.strip() if _is_short(text) else text[match.start : match.end]
        return label, text
    if tail:
        return tail, pre_unit
    short = [text.strip() for _, text in neighbours if _is_short(text) and text.strip()]
    return (short[0] if short else pre_unit.strip() or "(no label)"), pre_unit


def _join_broken_units(cleaned: list[str]) -> dict[int, tuple[int, str]]:
    """line index -> (index of the line holding the values, text): a unit broken over two
    lines ('(tonnes CO2' then 'e) 1,250 ...') is read as one line."""
    joined = {}
    for j, text in enumerate(cleaned):
        nxt = cleaned[j + 1] if j + 1 < len(cleaned) else ""
        if text.count("(") > text.count(")") and _BROKEN_UNIT_END.match(nxt):
            joined[j] = (j + 1, text + nxt)
    return joined


def _read_rows(
    first: int,
    end: int,
    cleaned: list[str],
    broken: dict,
    n_years: int,
    change: bool,
    repeated: set[str],
) -> tuple[dict[int, tuple | None], list[RowError]]:
    """line index -> parsed row (None when not a value line) for a table's lines, and the
    lines that look like rows of it but could not be read."""
    rows: dict[int, tuple | None] = {}
    errors = []
    for j in range(first, end):
        if j - 1 in broken and broken[j - 1][0] == j:
            rows[j] = None  # the second half of a broken line, read with the first
            continue
        text = broken[j][1] if j in broken else cleaned[j]
        try:
            rows[j] = _split_value_line(text, n_years, change)
        except Unreadable as exc:
            rows[j] = None
            errors.append(RowError(j + 1, "ambiguous_number_grouping", str(exc)))
            continue
        if rows[j] is None and _looks_like_row(text, change) and _shape(text) not in repeated:
            why = f"it ends in a value but does not hold one value per year ({n_years})"
            errors.append(RowError(j + 1, "row_unread", f"table row not read: {why}"))
    return rows, errors


def extract(
    lines: list[str], calendar: year_labels.Calendar | None = None
) -> tuple[list[RawValue], list[RowError]]:
    """Values of every multi-year table, and the rows of them that could not be read."""
    cleaned = [clean(line) for line in lines]
    by_shape = _long_lines_by_shape(lines)
    footers = _footer_shapes(lines, cleaned, by_shape)
    repeated = _repeated_shapes(by_shape)
    broken = _join_broken_units(cleaned)
    values: list[RawValue] = []
    errors: list[RowError] = []
    i = 0
    while i < len(lines):
        header = "\t" not in lines[i] and _HEADER.search(cleaned[i])  # tab tables: not ours
        if not header:
            i += 1
            continue
        printed_years = re.findall(_YEAR, header.group("years") or header.group("year"), re.I)
        labels = dict(enumerate(map(year_labels.parse, printed_years)))
        if None in labels.values():  # '2024/23' looks like a year but names none: no header
            i += 1
            continue
        years = list(year_labels.fiscal_years(labels, calendar).values())
        plain = [not (lb.fy or lb.split or lb.calendar) for lb in labels.values()]
        change = bool(header.group("change") or header.group("change1"))
        end = i + 1
        while (
            end < len(lines)
            and end - i <= MAX_TABLE_LINES
            and _shape(lines[end]) not in footers
            and not _HEADER.search(cleaned[end])
        ):
            end += 1
        rows, unread = _read_rows(i + 1, end, cleaned, broken, len(years), change, repeated)
        errors += unread

        def neighbours(j: int, first: int = i + 1, last: int = end, rows=rows) -> list:
            near = []
            for step in (-1, 1):
                k = j + step
                if first <= k < last and rows[k] is None and cleaned[k]:
                    near.append((1, cleaned[k]))
            return near

        for j, parsed in rows.items():
            if parsed is None:
                continue
            pre_unit, unit, printed = parsed
            label, _ = _recover_label(pre_unit, neighbours(j), unit)
            at = broken[j][0] if j in broken else j  # the line where the numbers are printed
            raw = "\n".join(lines[j : at + 1])
            for year, head, is_plain, text in zip(
                years, printed_years, plain, printed, strict=True
            ):
                values.append(
                    RawValue(
                        line_number=at + 1,
                        extractor="multi_year_text",
                        label=label,
                        unit=unit,
                        year=year,
                        value_text=number_text(text),
                        column_header=None if is_plain else head,
                        raw_text=raw,
                    )
                )
        i = end
    return values, errors


def header_lines(lines: list[str]) -> set[int]:
    """Line numbers (1-based) of this reader's table headers: the lines it owns even where it
    reads no row below them."""
    return {
        n
        for n, line in enumerate(lines, start=1)
        if "\t" not in line and _HEADER.search(clean(line))
    }
