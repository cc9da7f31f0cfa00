"""Tables in text squeezed to single spaces (a converter's plain text: pypdfium2, pdfplumber,
PDF.js copy-paste), where no column is aligned and only the order of the words is kept.

A period header is a line of two or more periods after a short title at most ('2024 2023 2022',
'FY2021 FY2022 FY2023'), single-spaced. Below it, a row is a line that ends in exactly as many
values as the header names periods (a number, a percentage, a not-reported mark or 'Nil'),
the k-th value of the k-th period; whatever precedes the values is the row's label, and a
known unit at the label's end ('Scope 1 emissions tCO2e 1,234 ...') is the row's unit. A row
with more values than periods, or fewer, is not read (its values cannot be told apart).
Up to two marks after the values (assurance 'A', 'PR'; footnote '*') are dropped; a row of
not-reported marks only ('- -') goes on with the table and gives nothing.
Label-only lines right above a row whose own label is missing or a fragment (a line of
values alone, one starting in lower case or with ')') are its label wrapped above it; a line
ending in a lost subscript ('(t CO2' then 'e)') is closed up without a space. A table ends at
a page break, at the next header, or after MAX_GAP lines without a row. Years after the
report's fiscal year are targets and are not read. Only text documents are read this way (a
PDF's lines are read with their positions by grid.py).
Under the header, a line printing one same unit per period ('tCO2e tCO2e') is the table's
unit, and a line repeating one run of names per period ('Scope 1 Scope 2 Scope 1 Scope 2')
splits each period into sub-columns: a row with one value per sub-column is read under them
(a unit name is the sub-column's unit, a role such as '%' is never read), a row with one
value per period is the period's figure across its span. A row that only says 'Total' with no
unit takes the unit of the rows above it when they share one. A short capitalised label-only
line that does not go on into the row below is a heading the rows under it are labelled with
('Water use / Ground water'), except a row sharing its first word (its sibling); a row that
only says 'Total' under a heading is not read (the table's total or the heading's: not told). The
label-only line right above a header with no title is the table's caption. Label lines above a
row that do not go on into each other (a page's running header or another text column's line
between them), a heading line first aside, leave the row unread: whose label it is cannot be
told. Cells printed one per paragraph (pdftotext without -layout) are joined into a line first
(percentages and plain numbers apart; the marks after them, one per cell, dropped). A line of
values alone with no label line above it gives nothing but goes on with the table (right under
a header with a caption and with no row after it, it is a one-row table labelled by the
caption, and its label lines are all its label, the first no heading); a line
ending in a comma-grouped figure ('... 1,250', a cut row's value) is no label line.
"""

from __future__ import annotations

import re
from itertools import pairwise

from assets import mapping
from assets.extract import periods
from assets.extract import years as year_labels
from assets.extract.units_in_text import known, unit_in, unit_named
from assets.extract.values import RawValue, clean, is_nil, is_not_reported, is_number, number_text

_YEAR = re.compile(rf"^(?:{year_labels.LABEL})$", re.IGNORECASE)
_PERIOD_TOKEN = re.compile(r"^(?:FY|CY)?\d{2,4}(?:/\d{2,4})?$", re.IGNORECASE)
_GROUPED_FIGURE = re.compile(r"\(?\d{1,3},\d{3}")  # '1,250', not 'Scope 1,2'
_MARK = re.compile(r"^(?:[A-Z]{1,3}|[*†‡]{1,3})$")
_FRAGMENT_START = re.compile(r"^(?:[a-z]|\))")
_LOST_SUBSCRIPT = re.compile(r"[A-Za-z]\d$")  # 'CO2' at a line's end, its 'e' on the next
_SUBSCRIPT_REST = re.compile(r"^e(?:q)?(?=[\s)/,-]|$)")
_JOINING = frozenset({"and", "of", "per", "the", "from", "to", "in", "by", "for", "with", "och",
                      "i", "av", "för", "between", "since", "until"})  # fmt: skip
MAX_TITLE_WORDS = 6
MAX_GAP = 4  # lines without a row that end a table
MAX_LABEL_LINES = 3
MAX_LABEL_WORDS = 12
MAX_HEADING_WORDS = 5


def _header(text: str) -> tuple[str, list[year_labels.YearLabel]] | None:
    """(title, periods) of a single-spaced line that ends in two or more periods after at most
    MAX_TITLE_WORDS words with no number of their own, no role and no joining word at its end
    ('GHG emissions FY2022 FY2023'; not 'Target 2025 2030', 'rose from 2021 2022'), or None."""
    if "  " in text or "|" in text or "\t" in text:
        return None
    tokens = text.split()
    start = len(tokens)
    while start > 0 and _YEAR.match(tokens[start - 1]):
        start -= 1
    title = " ".join(tokens[:start])
    if (
        len(tokens) - start < 2
        or start > MAX_TITLE_WORDS
        or any(is_number(t.strip("()")) for t in tokens[:start])
        or title.endswith((".", ",", ":"))
        or (title and title.split()[-1].casefold() in _JOINING)  # '... from 2021 2022'
        or (title and periods.classify(title) is not None)
    ):
        return None
    labels = [year_labels.parse(t) for t in tokens[start:]]
    if None in labels or len({lb.year for lb in labels}) != len(labels):
        return None
    return title, labels


def _unit_line(text: str, n: int) -> str | None:
    """The unit of a line under the header that prints one unit per period, the same for all
    ('tCO2e tCO2e tCO2e'), or None."""
    tokens = text.split()
    if not tokens or len(tokens) % n:
        return None
    width = len(tokens) // n
    cells = {" ".join(tokens[k : k + width]) for k in range(0, len(tokens), width)}
    return known(cells.pop()) if len(cells) == 1 else None


def _is_value(token: str) -> bool:
    return (
        is_number(token)
        or is_number(token.removesuffix("%"))
        or is_not_reported(token.rstrip("*†‡"))
        or is_nil(token)
    )


def _split_row(text: str, counts: set[int]) -> tuple[str, list[str]] | None:
    """(label text, values) when the line ends in exactly as many values as one of `counts`
    after its label."""
    tokens = text.split()
    marks = 0
    while marks < 2 and tokens and _MARK.match(tokens[-1]) and not _is_value(tokens[-1]):
        tokens, marks = tokens[:-1], marks + 1  # assurance or note marks after the values
    start = len(tokens)
    while start > 0 and _is_value(tokens[start - 1]):
        start -= 1
    if (
        len(tokens) - start - 1 in counts
        and start > 0
        and re.fullmatch(r"[1-9]", tokens[start])
        and any(ch.isalpha() for ch in tokens[start - 1])
    ):
        start += 1  # a label's own number ('Scope 1') right before the values
    values = tokens[start:]
    if len(values) not in counts:
        return None
    if any(_PERIOD_TOKEN.match(v) and year_labels.parse(v) for v in values):
        return None  # a line of years (a chart's axis), not of values
    return " ".join(tokens[:start]), values


def _join(lines: list[str]) -> str:
    """Label lines as one text: a lost subscript ('CO2' + 'e)') closed up without a space."""
    text = ""
    for line in lines:
        if text and _LOST_SUBSCRIPT.search(text) and _SUBSCRIPT_REST.match(line):
            text += line
        else:
            text = f"{text} {line}".strip()
    return text


def _is_label_line(text: str) -> bool:
    """A short line of words (a number at its end at most, 'Scope 1'), not a sentence's end,
    nor ending in a figure grouped by a comma ('... 1,250': a cut row's value, not a label;
    'per 1,000' aside)."""
    words = text.split()
    return (
        0 < len(words) <= MAX_LABEL_WORDS
        and any(ch.isalpha() for ch in text)
        and not (
            _GROUPED_FIGURE.match(words[-1])
            and (len(words) < 2 or words[-2].strip("(").casefold() not in ("per", "/"))
        )
        and not text.endswith((".", ":"))
        and not (len(words) > 1 and _is_value(words[-1]) and _is_value(words[-2]))
    )


def _continues(prev: str, nxt: str) -> bool:
    """Whether a label line goes on in the next: the first ends in a joining word, an open
    parenthesis or a lost subscript, or the next starts in lower case or with a parenthesis."""
    return (
        prev.count("(") > prev.count(")")
        or prev.split()[-1].casefold() in _JOINING
        or bool(_LOST_SUBSCRIPT.search(prev) and _SUBSCRIPT_REST.match(nxt))
        or bool(_FRAGMENT_START.match(nxt))
        or nxt.startswith("(")
    )


def _wraps(own: str, above: list[str]) -> bool:
    """Whether the label lines above go on into the row's own label (it has none)."""
    return bool(above) and (not own or _continues(above[-1], own))


def _wrapped_label(own: str, above: list[str]) -> tuple[str, str] | None:
    """(label, heading) of a row whose label is wrapped above it: the lines above that go on
    into each other, under a heading at most; None when they do not (lines of another text
    column or a page's running header between them: whose label it is cannot be told)."""
    chain = [*above, own] if own else list(above)
    k = len(chain) - 1
    while k > 0 and _continues(chain[k - 1], chain[k]):
        k -= 1
    if k == 0:
        return _join(chain), ""
    if k == 1 and _heading(chain[:1]):
        return _join(chain[1:]), chain[0]
    return None


def _heading(above: list[str]) -> str:
    """The heading a row stands under: the last label-only line above it that does not go on
    into it, when short and capitalised ('Water use'); else ''."""
    if not above:
        return ""
    last = above[-1]
    words = last.split()
    if len(words) > MAX_HEADING_WORDS or not last[:1].isupper() or unit_in(last):
        return ""
    return last


def _unit_of(label: str) -> tuple[str, str | None]:
    """(label, unit): a known unit at the label's end (1-3 words) is split off; otherwise the
    unit the label prints (parentheses, 'in ...') or names."""
    words = label.split()
    for width in (3, 2, 1):
        unit = known(" ".join(words[-width:])) if len(words) > width else None
        before = words[-width - 1] if len(words) > width else ""
        if (
            unit
            and not any(ch.isdigit() for ch in before)
            and before.casefold() not in ("per", "/")
        ):
            return " ".join(words[:-width]), unit
    return label, unit_in(label) or unit_named(label)


def _sub_columns(text: str, n: int) -> list[str] | None:
    """The sub-column names of a line under the header that repeats one run of names per
    period ('Scope 1 Scope 2 Scope 1 Scope 2'), two names at least, or None. A run splits
    where its first word comes again, else into single words."""
    tokens = text.split()
    if len(tokens) < 2 * n or len(tokens) % n or any(_is_value(t) for t in tokens[:1]):
        return None
    width = len(tokens) // n
    runs = {tuple(tokens[k : k + width]) for k in range(0, len(tokens), width)}
    if len(runs) != 1:
        return None
    run = runs.pop()
    starts = [k for k, word in enumerate(run) if word == run[0]]
    if len(starts) < 2:
        return list(run)
    bounds = [*starts, len(run)]
    return [" ".join(run[a:b]) for a, b in pairwise(bounds)]


def _columns(labels, years, heads, subs, width):
    """(period index, year, printed header, sub-column name or None) of each value of a row
    of `width` values: one per sub-column, or one per period (a figure across its span)."""
    if subs and width == len(labels) * len(subs):
        return [
            (p, years[p], f"{heads[p]} / {name}", name) for p in range(len(labels)) for name in subs
        ]
    return [(p, years[p], heads[p], None) for p in range(len(labels))]


def _single_cell(text: str) -> str | None:
    """'value', 'share' (a percentage) or 'period' when the line is one value or one period
    alone, else None."""
    tokens = text.split()
    if len(tokens) != 1:
        return None
    if _YEAR.match(tokens[0]) and year_labels.parse(tokens[0]):
        return "period"
    if not _is_value(tokens[0]):
        return None
    return "share" if tokens[0].endswith("%") else "value"


def _stacked_cells_joined(
    lines: list[str], pages: list[int] | None
) -> tuple[list[int], list[str], list[str]]:
    """(line numbers, printed lines, cleaned lines) of a text's non-blank lines, where cells
    printed one per line (pdftotext's plain text: '2022', '2023', or a row's values, each its
    own paragraph, on one page) are joined into one line as a single-spaced converter prints
    them (a run of percentages apart from a run of plain numbers), and lines of one mark of
    capitals right after a row's values ('A', assured, one per cell) are dropped."""
    numbers: list[int] = []
    printed: list[str] = []
    cleaned: list[str] = []
    kind = None
    for n, line in enumerate(lines, start=1):
        text = clean(line)
        if not text:
            continue
        cell = _single_cell(text)
        if cell and cell == kind and (not pages or pages[n - 1] == pages[numbers[-1] - 1]):
            printed[-1] += " " + line.strip()
            cleaned[-1] += " " + text
            continue
        if kind in ("value", "share", "mark") and _MARK.match(text) and not _is_value(text):
            kind = "mark"  # one mark per value cell ('A' under each assured figure)
            continue
        kind = cell
        numbers.append(n)
        printed.append(line)
        cleaned.append(text)
    return numbers, printed, cleaned


def _lone_row(cleaned: list[str], pages: list[int] | None, j: int, counts: set[int]) -> bool:
    """Whether line j is its table's only row: no row of as many values follows it on its page."""
    nxt = j + 1
    return (
        nxt >= len(cleaned)
        or bool(pages and pages[nxt] != pages[j])
        or _split_row(cleaned[nxt], counts) is None
    )


def extract(
    lines: list[str], calendar: year_labels.Calendar | None = None, pages: list[int] | None = None
) -> list[RawValue]:
    """Values of every single-spaced period table of a text (see the module docstring).
    `pages` gives each line's page (a table never runs over a page break)."""
    numbers, lines, cleaned = _stacked_cells_joined(lines, pages)
    pages = [pages[n - 1] for n in numbers] if pages else None
    values: list[RawValue] = []
    i = 0
    while i < len(lines):
        header = _header(cleaned[i])
        if not header:
            i += 1
            continue
        title, labels = header
        caption = cleaned[i - 1] if i and not title and _is_label_line(cleaned[i - 1]) else ""
        title_unit = unit_in(title, tail=True) if title else None
        years = list(year_labels.fiscal_years(dict(enumerate(labels)), calendar).values())
        latest = calendar.fiscal_year if calendar else max(years)
        heads = cleaned[i].split()[-len(labels) :]
        first = i + 1
        if first < len(lines) and (unit := _unit_line(cleaned[first], len(labels))):
            title_unit, first = unit, first + 1
        subs = _sub_columns(cleaned[first], len(labels)) if first < len(lines) else None
        first += 1 if subs else 0
        counts = {len(labels), len(labels) * len(subs)} if subs else {len(labels)}
        pending: list[str] = []
        heading = ""
        row_units: list[str | None] = []
        gap = 0
        j = first
        while j < len(lines) and gap < MAX_GAP:
            text = cleaned[j]
            if _header(text) or (pages and pages[j] != pages[i]):
                break
            row = _split_row(text, counts)
            if row is None:
                gap += 1
                pending = [*pending, text][-MAX_LABEL_LINES:] if _is_label_line(text) else []
                j += 1
                continue
            own, printed = row
            if all(is_not_reported(v.rstrip("*†‡")) for v in printed):
                pending, gap = [], 0  # a row of the table that reports nothing
                j += 1
                continue
            if (
                not own
                and not pending
                and caption
                and j == first
                and _lone_row(cleaned, pages, j, counts)
            ):
                own = caption  # a one-row table whose label is printed above its header
            if not own and not pending:  # a row of the table whose label is lost
                gap = 0
                j += 1
                continue
            if _wraps(own, pending):
                wrapped = _wrapped_label(own, pending)
                if wrapped is None:
                    pending, gap = [], 0
                    j += 1
                    continue
                label, above = wrapped
                if above and not row_units and _lone_row(cleaned, pages, j, counts):
                    label, above = _join([above, label]), ""  # a one-row table: no heading
                heading = above or heading
                if above:
                    label = f"{above} / {label}"
            else:
                heading = _heading(pending) or heading
                label = own
                if heading and mapping.stands_for_heading(_unit_of(own)[0]):
                    pending, gap = [], 0  # the table's total or the heading's: not told
                    j += 1
                    continue
                if heading and heading.split()[0].casefold() != own.split()[0].casefold():
                    label = f"{heading} / {own}"  # a row under its heading, not its sibling
            pending, gap = [], 0
            label, unit = _unit_of(label)
            if not label or not any(ch.isalpha() for ch in label):
                j += 1
                continue
            if all(v.endswith("%") for v in printed):
                unit = unit or "%"
            if not unit and mapping.stands_for_heading(label) and len(set(row_units)) == 1:
                unit = row_units[0]  # a total row: the unit of the rows above it
            unit = unit or title_unit
            row_units.append(unit)
            columns = _columns(labels, years, heads, subs, len(printed))
            for (p, year, head, sub), value in zip(columns, printed, strict=True):
                if year > latest or (sub and periods.classify(sub) is not None):
                    continue  # a target year; a share or change sub-column
                sub_unit = known(sub) if sub else None
                shown = (
                    head if sub or labels[p].fy or labels[p].split or labels[p].calendar else None
                )
                values.append(
                    RawValue(
                        line_number=numbers[j],
                        extractor="squeezed",
                        label=f"{label} / {sub}" if sub and not sub_unit else label,
                        unit=sub_unit or unit,
                        year=year,
                        value_text=number_text(value.removesuffix("%").rstrip("*†‡")),
                        table_title=title or caption or None,
                        column_header=shown,
                        raw_text=lines[j],
                    )
                )
            j += 1
        i = j if j > i + 1 else i + 1
    return values
