"""Tables found from alignment, not wording: a period header and the rows under its columns.

Works on layout.Document lines, whatever the input: a markdown pipe or tab row is a line of
cells (x = cell index), a text or PDF line is a line of words at their x positions.

1. Header: a line whose cells name periods (periods.py): years alone ('2024 2023'), 'FY2023',
   '2019 baseline', 'Target 2030', 'Change (%)'. Only actual-year columns are read. A line of
   words is cut into cells at gaps wider than a space; a header printed again right below is
   skipped. A single year is a header in a pipe row over its separator, or alone on its line.
2. Second header line: the line right below, with words but no numbers under the years
   ('Location-based  Market-based', 'Absolute  Intensity'), qualifies each column: a unit
   there is the column's unit, any other words are added to the label of its values.
   2b. When every year spans several such words ('FY2023' over 'Scope 1  Scope 2'), each is a
   sub-column of that year; a row's one value centred under a year's span is the row's value
   for the year (a total printed across it). A Total row without a unit takes the one unit
   the rows above it in the table print; a sub-column named with a unit in the lines just
   above the table ('Fuel in litres, Electricity in kWh') takes that unit.
   2c. In lines of words up to five such lines may be stacked ('Estimated' / 'total' /
   '[t CO2]'); the first on which every year spans several cells splits the years, words
   above it continue the year's header ('CY22' over '(recalculated)'), words below it stack
   on their sub-column. When a year has a non-actual sub-column ('[%]'), it has no value of
   its own and a figure printed across two of its sub-columns is not read.
3. Side by side: a header whose periods are followed by a title and periods again holds two
   tables sharing lines; each is read over its own x-range.
4. Rows: the lines below whose values fall under the period columns (a cell index, or a word
   centred between the midpoints to the neighbouring columns). The label is the text left of
   the first column. A pipe table ends with its pipe rows; a table of words ends at a new
   header, a page change, prose, or three lines without values.
5. Labels: a label-only line is a heading; consecutive headings nest, a later one replaces
   its sibling (the one sharing its first word or indentation, else the innermost); a row's
   label is the heading path joined with ' / ', outermost first ('Scope 2 / Market-based'). A
   first label column of a pipe table (a group cell printed on the group's first row only)
   is the outermost heading. In lines of words a label-only line that continues (the row
   below starts in lower case, it ends in a joining word or an open parenthesis) wraps into
   the row's label; a row with values and no label takes the label-only line above.
6. Footnote marks fused to a label ('Scope 14', 'Energy intensityb') are dropped when the
   label vocabulary recognises the label only without them; marks such as ' 1)' or '*' are
   always dropped.
7. Unit, first found: in the value's cell, a unit column, the label, the heading path (a
   heading that is only a unit, 'In tonnes', sets it), the second header line, the header's
   title cell, the caption line above the table; failing all, a note right under the table
   that names a column qualifier with its unit ('Absolute emissions are stated in tCO2e').
7b. A note under the table whose mark the title carries and which says the figures are
   reported by one Scope 2 method joins the title ('[market-based method (note 1)]').
8. A pipe table without a period header whose rows each hold one value gives the report's
   fiscal year; so does a line of words with a short label, a wide gap and one value.
9. A row printing another scale than its heading, title or caption is not read unless the
   document confirms that scale: a sibling row under the same heading with the same figures in
   it, or a row of the same label printing it and two of the figures in the same order.
Values that cannot be read safely (numbers in parentheses, ambiguous separators, a year printed
twice with nothing to tell the columns apart, numbers between columns) are RowErrors.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from assets import mapping, units
from assets.extract import layout, numbers, periods, years
from assets.extract.layout import Document, Line, Token
from assets.extract.units_in_text import known, unit_in, unit_named
from assets.extract.values import RawValue, RowError, clean

EXTRACTOR = "grid"
MAX_GAP_LINES = 3  # label-only lines without values that end a table of words
MAX_BLANK_LINES = 3  # blank lines in a row under a header before its first row
MAX_HEADER_LINES = 5  # lines of words stacked below a period header ('Estimated' / '[t CO2]')
MAX_LABEL_WORDS = 14
MAX_CAPTION_WORDS = 14
MAX_PERIOD_WORDS = 5  # 'Change 2024 vs 2023', 'Föregående år 2023'
GUTTER_CHARS = layout.GUTTER_CHARS
MIN_PROSE_WORDS = 6  # words before a gutter that are another text column's sentence
_JOINING = re.compile(
    r"(?:\b(?:and|or|of|for|the|to|in|by|with|per|och|av|för|till|i|från)|[-–,(/&])$", re.I
)
_LABEL_MARKS = re.compile(
    r"\s+\d{1,2}(?:\s*,\s*\d{1,2})+$|(?:\s*\d{1,2}\))+$|(?:\s*[*¹²³⁴⁵⁶⁷⁸⁹⁰†‡]+)+$|(?<=[\d)])\s+\d{1,2}(?:\s*,\s*\d{1,2})*$"
)
_MARKUP = re.compile(r"<!--.*?-->")
_CODE = re.compile(r"^\d{1,2}(?:\.\d{1,2})?$")
_FOOTNOTE_MARK = re.compile(r"^[*†‡]")
_BRACKETS_AT_END = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\W*$")
MAX_NOTE_LINES = 3  # lines under a table read for a note naming its columns' units
MARK_NOTE_LINES = 8  # lines under a table searched for the note its title's mark points to
MAX_NOTES_BEFORE = 4  # note lines under a table read before that note
# '<qualifier> is stated in <unit>' / '<qualifier> anges i <unit>' / '<qualifier> in <unit>'; the
# unit runs to 'and'/'och', a comma, a semicolon, a parenthesis or the sentence's end
# a note's sentences, and their clauses ('... tonnes CO2e and intensity in kg CO2e per m2')
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+")
_CLAUSE_BREAK = re.compile(r"\s+(?:and|och)\s+|\s*,\s*", re.I)
_STATED_IN = (
    r"(?:\s+(?:is|are|anges|redovisas|uttrycks|visas))?"
    r"(?:\s+(?:given|stated|reported|shown|expressed|presented|measured))?"
    r"\s+(?:in|i)\s+(.+?)(?=\s+(?:and|och)\b|\s*[,;()]|\.(?:\s|$)|$)"
)
# a note mark on a table's title: a digit fused to its last letter ('ton CO2e1'), a superscript
# digit, or a number in parentheses ('(1)', ' 1)')
_TITLE_MARK = re.compile(r"(?:(?<=[^\W\d])(\d)|([¹²³⁴⁵⁶⁷⁸⁹])|\s\(?(\d{1,2})\))$")
# a note line: its mark (a superscript digit or an asterisk, or a number and a space) and text
_NOTE_LINE = re.compile(r"^(?:([¹²³⁴⁵⁶⁷⁸⁹]|[*†‡]+)\s*|(\d{1,2})\)?\s+)(\S.*)$")
_SUPERSCRIPT = str.maketrans("¹²³⁴⁵⁶⁷⁸⁹", "123456789")
METHOD_WORDS = {
    "market-based": r"market[- ]?based|marketbased|marknads[- ]?baser",
    "location-based": r"location[- ]?based|locationbased|(?:plats|anläggnings)[- ]?baser",
}
# a footnote that says the figures are reported by one method ('Reported using the
# market-based method', 'Scope 2 emissions are calculated using the location-based method'):
# no subject, or one that speaks of the figures as a whole, then the verb and the method
_METHOD_SUBJECT = (
    r"(?:(?:the|all|our|these|total|alla|våra|de)\s+)?"
    r"(?:(?:scope\s*2|ghg|greenhouse\s+gas|indirect)\s+)?"
    r"(?:emissions?|figures|values|data|numbers|utsläpp(?:en)?|siffror(?:na)?|värden(?:a)?"
    r"|uppgifter(?:na)?|scope\s*2(?:-utsläpp(?:en)?)?|(?:this|the)\s+table|tabellen)"
    r"(?:\s+(?:in|i|for|för|of|från|from)\s+scope\s*2)?"
)
_METHOD_NOTE = re.compile(
    rf"^(?:{_METHOD_SUBJECT}\s+)?"
    r"(?:(?:is|are|have been|has been)\s+)?"
    r"(?:reported|calculated|presented|stated|redovisa[st]|rapportera[st]|beräkna[st]|beräknade)"
    r"\s+(?:with|using|by|under|according to|based on|med|enligt|utifrån|efter)\s+"
    r"(?:the\s+|en\s+|den\s+)?(?:" + "|".join(METHOD_WORDS.values()) + r")",
    re.I,
)
# anywhere in such a note: a condition or a negation ('would be', 'om', 'not'), a figure or a
# year ('from 2024'; 'Scope 2' is no figure) or a time limit: it names no method for the table
_METHOD_CONDITION = re.compile(
    r"\b(?:if|would|could|had|were|unless|not|no|never"
    r"|om|skulle|kunde|såvida|annars|inte|ej|icke|aldrig)\b",
    re.I,
)
_METHOD_TIME = re.compile(
    r"(?<![\w.,])\d|\b(?:FY|CY)\s*\d|\b(?:onwards?|since|until|as of|prior|previous|earlier"
    r"|this year|last year|sedan|tidigare|framöver|i år|fr\.\s*o\.\s*m)\b",
    re.I,
)
_SCOPE_N = re.compile(r"\bscope\s*\d\b", re.I)
# after the method, a negation of what the figures include only limits their content
# ('... method and does not include financed emissions', '... och innefattar inte ...')
_NOT_INCLUDED = re.compile(
    r"\b(?:(?:does|do|is|are)\s+)?not\s+(?:include[sd]?|cover(?:s|ed)?)\b"
    r"|\b(?:innefattar|inkluderar|omfattar|inbegriper|ingår|inkluderas|omfattas)\s+(?:inte|ej)\b",
    re.I,
)
# a note that says what the figures would be by one Scope 2 method ('If the location-based
# method were used, emissions would instead be 2 110 tonnes'): its condition and its figure in a
# mass unit (the digit of 'Scope 2' and 'CO2' is no figure)
_WOULD = re.compile(r"\b(?:would|skulle)\b", re.I)
_NEGATION = re.compile(r"\b(?:not|no|never|inte|ej|icke|aldrig)\b", re.I)
_SCOPE_OR_GAS_DIGIT = re.compile(r"\b(?:scope|co)\s*2\b", re.I)
_MASS_FIGURE = re.compile(
    r"(?<![\w.,])(?P<value>(?:\d{1,3}(?:[ \u00a0]\d{3})+|\d{1,3}(?:,\d{3})+|\d+)(?:[.,]\d+)?)"
    r"\s*(?P<unit>k?t|k?ton(?:ne)?s?|kilotonn?e?s?)\b",
    re.I,
)
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[ \u00a0.,]\d+)*")
_CITED_YEAR = re.compile(r"\((?:19|20)\d\d\)")  # a source's year ('IEA (2017)')
_SCOPE2_ALONE = re.compile(
    r"\bscope\s*2(?![\d.,]?\d)(?!\s*(?:[-–+&,/]|and|och|or|eller)\s*(?:scope\s*)?[13]\b)", re.I
)
_OTHER_SCOPE = re.compile(r"\bscope\s*[13](?![\d.,]?\d)", re.I)
# a row under a Scope 2 heading that is a part of it, not the whole
_PART_OF = re.compile(
    r"\b(?:of which|varav|därav|thereof|including|inklusive|excl\w*|exkl\w*|share|andel|per)\b"
    r"|intensit|%",
    re.I,
)
_SPACED_MARK = re.compile(r"\s(\d)$")  # 'ton CO 2 e 1': a mark spaced from the unit before it
_SCALE = {"t": "t", "ton": "t", "tons": "t", "tonne": "t", "tonnes": "t", "kt": "kt"}
# a title's last word that ends in a digit as a unit or a formula ('tCO2', 'kWh/m2'), no mark
_FORMULA = re.compile(r"[a-z]{0,3}(?:co2|ch4|sf6|nf3)|[kcd]?m[23]", re.I)


def methods_named(text: str) -> list[str]:
    """The Scope 2 methods a text names ('market-based', 'location-based'): the one list of
    method words, which the sentence reader (prose.py) asks too."""
    return [k for k, words in METHOD_WORDS.items() if re.search(words, text, re.I)]


def _would_be(body: str, year: int, unit: str) -> tuple[str, str] | None:
    """(method, figure) when a note says what the figure would be by the one Scope 2 method it
    names ('would', 'skulle'; no negation), naming the report year, no other year but a
    source's in parentheses and one figure in a mass unit of the row's scale; else None."""
    named = methods_named(body)
    if len(named) != 1 or not _WOULD.search(body) or _NEGATION.search(body):
        return None
    text = _CITED_YEAR.sub(" ", _SCOPE_OR_GAS_DIGIT.sub(" ", body))
    figures = list(_MASS_FIGURE.finditer(text))
    if len(figures) != 1:
        return None
    rest = text[: figures[0].start()] + " " + text[figures[0].end() :]
    if [n.group(0) for n in _NUMBER.finditer(rest)] != [str(year)]:
        return None
    scale = _SCALE.get(figures[0].group("unit").lower())
    own = re.match(r"[a-z]+?(?=\s|co|$)", unit.lower())
    if scale is None or not own or scale != _SCALE.get(own.group(0)):
        return None
    return named[0], figures[0].group("value")


def _states_method(body: str) -> bool:
    """A note's text says the table's figures are reported by the one method it names: the
    subject, verb and method of _METHOD_NOTE, and no condition, negation (but for what the
    figures do not include, after the method), figure, year or time limit anywhere in it."""
    m = _METHOD_NOTE.match(body.strip())
    if not m:
        return False
    said = body.strip()[: m.end()] + " " + _NOT_INCLUDED.sub(" ", body.strip()[m.end() :])
    if _METHOD_CONDITION.search(said):
        return False
    return not _METHOD_TIME.search(_SCOPE_N.sub(" ", body))


def _title_mark(title: str) -> str | None:
    """The note mark a table's title carries (_TITLE_MARK), but for a last word that is a unit
    or a formula with its digit ('Emissions in tCO2', 'kWh/m2'), which carries none."""
    m = _TITLE_MARK.search(title.strip())
    if not m:
        return None
    if m.group(1):
        words = title.split()
        last = words[-1].split("/")[-1]
        if (
            _FORMULA.fullmatch(last)
            or known(words[-1]) == words[-1]
            or (len(words) > 1 and known(" ".join(words[-2:])) == " ".join(words[-2:]))
        ):
            return None
    return next(g for g in m.groups() if g).translate(_SUPERSCRIPT)


@dataclass
class Column:
    index: int  # position in the header
    x0: float
    x1: float
    period: periods.Period
    year: int | None = None
    header: str = ""
    qualifier: str | None = None  # second header line's words
    group: str | None = None  # a group row's words over it, above the header ('Sweden')
    unit: str | None = None
    lo: float = 0.0
    hi: float = 0.0
    span: Column | None = None  # the period column a sub-column sits under (rule 2b)


@dataclass
class Table:
    header_line: Line
    columns: list[Column]
    title: str | None
    title_unit: str | None
    cells: bool
    x_range: tuple[float, float]
    errors: list[RowError] = field(default_factory=list)
    spans: list[Column] = field(default_factory=list)  # periods split into sub-columns
    row_units: list[str | None] = field(default_factory=list)  # units of the values read
    conv: numbers.Convention | None = None  # the marks its values use (a pipe table's block)
    whole: str | None = None  # the column group that is the sum of the others
    unitless: list[tuple[RawValue, Column]] = field(default_factory=list)  # read with no unit


def _char_width(doc: Document) -> float:
    return layout.char_width(doc)


def _is_year_word(text: str) -> bool:
    return periods.classify(text) is not None and len(periods.year_labels(text)) == 1


def word_cells(
    line: Line, cw: float, lo: float = float("-inf"), hi: float = float("inf")
) -> list[Token]:
    """A line's cells within [lo, hi): cell tokens as they are; words joined where the gap is
    a single space, but a year after a year (or after a cell holding one) starts a cell."""
    tokens = [t for t in line.tokens if lo <= (t.x0 + t.x1) / 2 < hi]
    if line.cells:
        return tokens
    cells: list[Token] = []
    for t in tokens:
        if cells:
            prev = cells[-1]
            gap = t.x0 - prev.x1
            year_after_year = _is_year_word(t.text) and bool(periods.year_labels(prev.text))
            if gap < 1.6 * cw and not year_after_year:
                cells[-1] = Token(f"{prev.text} {t.text}", prev.x0, t.x1)
                continue
        cells.append(t)
    return cells


def _text(t: Token) -> str:
    return clean(_MARKUP.sub("", t.text))


def _is_number(text: str) -> bool:
    try:
        value = numbers.parse(text, numbers.Convention(False, False))
    except numbers.Unsafe:
        return True
    return value is not None and value.number is not None


def _header(cells: list[Token], line: Line, next_line: Line | None) -> list[Column] | None:
    """The period columns a line names, or None when it is no header (see the docstring)."""
    cols: list[Column] = []
    has_title = False
    for i, c in enumerate(cells):
        text = _text(c)
        if not text:
            continue
        if len(text.split()) > MAX_CAPTION_WORDS and not (line.cells and i == 0):
            return None  # prose, not a header (a pipe table's first cell is its title)
        p = periods.classify(text)
        if p is not None and p.role == periods.ACTUAL and len(text.split()) > MAX_PERIOD_WORDS:
            p = None
        if p is None:
            if i > 0 and _is_number(text):
                return None  # a value: a row, not a header
            has_title = True
            continue
        cols.append(Column(i, c.x0, c.x1, p, header=text))
    actual = [c for c in cols if c.period.actual]
    if not actual:
        return None
    with_years = [c for c in cols if c.period.label]
    if len(with_years) >= 2:
        return cols
    if line.cells:
        nxt = next_line
        return cols if nxt is not None and nxt.cells and not nxt.tokens else None
    return cols if not has_title and len(cells) == 1 else None


def _bands(cols: list[Column], cells: bool) -> None:
    """Each column's x-band: its cell index, or halfway to its neighbours' centres."""
    cols.sort(key=lambda c: c.x0)
    if cells:
        for c in cols:
            c.lo, c.hi = c.x0, c.x1
        return
    centres = [(c.x0 + c.x1) / 2 for c in cols]
    for k, c in enumerate(cols):
        width = c.x1 - c.x0
        left = (centres[k] - centres[k - 1]) / 2 if k else None
        right = (centres[k + 1] - centres[k]) / 2 if k + 1 < len(cols) else None
        half = max(left or right or width, width / 2 + 1)
        c.lo = centres[k] - (left if left is not None else half)
        c.hi = centres[k] + (right if right is not None else half)


def _split_side_by_side(cells: list[Token], cols: list[Column], line: Line) -> list[float]:
    """x positions where a second table starts on the same lines: a title cell after periods,
    followed by periods again."""
    cuts = []
    seen_period = False
    by_index = {c.index for c in cols}
    for i, cell in enumerate(cells):
        if i in by_index:
            seen_period = True
        elif seen_period and _text(cell) and any(c.index > i for c in cols):
            cuts.append(cell.x0 if not line.cells else i)
            seen_period = False
    return cuts


def _caption(lines: list[Line], at: int, step: int = -1) -> str | None:
    """A short line just above a table that names it ('GHG emissions, tCO2e'); with step=1,
    the line just under the table (`at` is the line after it)."""
    start, stop = (at - 1, max(at - 5, -1)) if step < 0 else (at, min(at + 4, len(lines)))
    for k in range(start, stop, step):
        line = lines[k]
        text = _MARKUP.sub("", clean(line.text)).lstrip("#").strip()
        if not text or text.startswith("```"):
            continue
        if line.cells or len(text.split()) > MAX_CAPTION_WORDS or text[-1] in ".:;":
            return None
        return text
    return None


def _strip_marks(label: str) -> str:
    """A label without its fused footnote mark (rule 6)."""
    cut = _LABEL_MARKS.sub("", label).strip()
    if cut.count("(") == cut.count(")"):
        label = cut
    if not label or mapping.best(label, None, None, strict=False):
        return label
    for cut in (re.sub(r"(?<=\d)\d$", "", label), re.sub(r"(?<=[a-z])[a-z]$", "", label)):
        if cut != label and mapping.best(cut, None, None, strict=False):
            return cut
    return label


class _Reader:
    def __init__(self, doc: Document, calendar: years.Calendar | None, skip: set[int]):
        self.doc = doc
        self.lines = doc.lines
        self.calendar = calendar
        self.skip = skip
        self.cw = _char_width(doc)
        self.values: list[RawValue] = []
        self.errors: list[RowError] = []
        self.used: set[int] = set()
        self.joined: set[int] = set()  # lines read as part of the line above
        self.doc_conv = numbers.Convention.of_document([ln.text for ln in doc.lines])
        # a value's own row label and (table, heading path), for the scale confirmations
        self.row_of: dict[int, tuple[RawValue, str, tuple]] = {}
        self.refused: list[tuple[RawValue, str, RowError]] = []  # (value, context unit, error)
        self._unit_rows: list[tuple[int, str, str, list[float]]] | None = None

    # -- finding tables ---------------------------------------------------------------
    def run(self) -> None:
        i = 0
        while i < len(self.lines):
            end = self._table_at(i, (float("-inf"), float("inf")))
            i = max(end, i + 1)
        self._headerless()

    def _table_at(self, i: int, x_range: tuple[float, float]) -> int:
        line = self.lines[i]
        if line.number in self.skip or not line.tokens:
            return i + 1
        if self._prose(line):
            return i + 1
        cells = word_cells(line, self.cw, *x_range)
        nxt = self.lines[i + 1] if i + 1 < len(self.lines) else None
        cols = _header(cells, line, nxt)
        if not cols or _period_heading(cells, line, self.lines[i + 1 : i + 4], self.cw):
            return i + 1
        cuts = _split_side_by_side(cells, cols, line)
        if cuts:
            bounds = [x_range[0], *cuts, x_range[1]]
            return max(self._read(i, (lo, hi)) for lo, hi in itertools.pairwise(bounds))
        return self._read(i, x_range)

    def _prose(self, line: Line) -> bool:
        """A line of words longer than a caption with no gap wider than a space: a sentence
        that names years ('... for FY23 in comparison to CY21, CY22 and ...'), no header."""
        if line.cells or len(line.tokens) <= MAX_CAPTION_WORDS:
            return False
        return all(b.x0 - a.x1 < 1.6 * self.cw for a, b in itertools.pairwise(line.tokens))

    def _footnote(self, line: Line) -> bool:
        """A line of words that starts with a footnote mark and has no gap wider than a space
        ('* Our base year is ...'): a footnote below the table, no row."""
        return (
            not line.cells
            and bool(line.tokens)
            and bool(_FOOTNOTE_MARK.match(line.tokens[0].text))
            and all(b.x0 - a.x1 < 1.6 * self.cw for a, b in itertools.pairwise(line.tokens))
        )

    def _read(self, i: int, x_range: tuple[float, float]) -> int:
        """Reads the table whose header is line i within x_range; returns the line after it."""
        line = self.lines[i]
        cells = word_cells(line, self.cw, *x_range)
        nxt = self.lines[i + 1] if i + 1 < len(self.lines) else None
        cols = _header(cells, line, nxt)
        if not cols:
            return i + 1
        _bands(cols, line.cells)
        first_title = next(
            (_text(c) for k, c in enumerate(cells) if _text(c) and k not in {c.index for c in cols}
             and c.x1 <= min(col.x0 for col in cols)),
            None,
        )  # fmt: skip
        labels = {c.index: c.period.label for c in cols if c.period.actual}
        fiscal = years.fiscal_years(labels, self.calendar)
        # a table of split years only ('2023/24') in a calendar-year report: each names the
        # year it ends in (FY2024); beside plain years a split year keeps its first year
        by_end = _calendar_year(self.calendar) and all(lb.split for lb in labels.values())
        for c in cols:
            c.year = fiscal.get(c.index)
            if c.year and by_end and c.period.label.split:
                c.year = c.period.label.year + 1
            if self.calendar and c.year and c.year > self.calendar.period_end.year:
                # a year after the report's period: a target or an outlook, never an actual
                c.period = periods.Period(periods.TARGET, c.period.label, c.header)
        top = i  # a pipe table's caption is above its header rows (column groups included)
        while (
            line.cells
            and top > 0
            and self.lines[top - 1].cells
            and (not self.lines[top - 1].tokens or not _values_row(self.lines[top - 1], cols))
        ):
            top -= 1
        caption = _caption(self.lines, top)
        title = " / ".join(t for t in (caption, first_title) if t) or None
        table = Table(
            line,
            cols,
            title,
            unit_in(first_title) or unit_in(caption, tail=True),
            line.cells,
            x_range,
        )
        if line.cells:
            _column_groups(self.lines, i, cols)
        j = self._after_header(i, table)
        read_before = len(self.values)
        end = self._rows(j, table)
        self._units_named_below(table, end)
        self._confirm_scales()  # before the caption and the note, which apply to what it reads
        self._check_caption_below(i, table, end, read_before)
        self._confirm_scales()
        note = self._method_note(end, first_title, caption)
        if note:
            for v in self.values[read_before:]:
                v.table_title = f"{v.table_title or ''} [{note}]".strip()
        else:
            self._method_would_be(end, read_before)
        self.used.update(ln.number for ln in self.lines[i:end])
        return end

    def _method_note(self, end: int, *titles: str | None) -> str | None:
        """The Scope 2 method a footnote under the table states for it: the note whose mark
        the title carries ('... i ton CO2e1' over '1 Redovisas med marknadsbaserad metod'),
        among the note lines right under the table, when it says the figures are reported by
        that method and names no other; as '<method> method (note N)', or None."""
        marks = {m for title in titles if (m := _title_mark(title or ""))}
        if not marks:
            return None
        for _, mark, body in self._notes_under(end):
            if mark not in marks:
                continue
            named = methods_named(body)
            if len(named) == 1 and _states_method(body):
                return f"{named[0]} method (note {mark})"
            return None
        return None

    def _notes_under(self, end: int) -> Iterator[tuple[Line, str, str]]:
        """(line, mark, text) of the note lines right under a table (`end`: the line after it),
        blank lines, pictures and code fences skipped; it ends at a line of cells, a line that
        is no note, or after MAX_NOTES_BEFORE notes within MARK_NOTE_LINES lines."""
        seen = 0
        for line in self.lines[end : end + MARK_NOTE_LINES]:
            if line.cells:
                return
            text = _MARKUP.sub("", clean(line.text)).strip()
            if not text or text.startswith("![") or text.startswith("```"):
                continue
            m = _NOTE_LINE.match(text)
            seen += 1
            if not m or seen > MAX_NOTES_BEFORE:
                return
            yield line, (m.group(1) or m.group(2)).translate(_SUPERSCRIPT), m.group(3)

    def _scope2_row(self, read_before: int) -> tuple[str, list[RawValue]] | None:
        """The table's one Scope 2 row that names no method (nor do its title and column) and no
        other scope: a row whose own words name Scope 2, or the only row under a heading that
        does and is no part of it (`of which`, a share, an intensity); as (its label, standing
        for its heading when it is under one, its values), or None."""
        rows: dict[int, list[RawValue]] = {}
        for v in self.values[read_before:]:
            rows.setdefault(v.line_number, []).append(v)
        found = []
        for values in rows.values():
            label = values[0].label
            *heads, leaf = label.split(mapping.PATH_SEP)
            named = [
                p for p in (*heads, leaf) if _SCOPE2_ALONE.search(p) and not _OTHER_SCOPE.search(p)
            ]
            said = " ".join([label, *(f"{v.table_title} {v.column_header}" for v in values)])
            if methods_named(said) or not named:
                continue
            if _SCOPE2_ALONE.search(leaf):
                found.append((label, values))
                continue
            heading = mapping.PATH_SEP.join(heads)
            under = {n for n, vs in rows.items() if vs[0].label.startswith(heading + " / ")}
            if len(under) == 1 and not _PART_OF.search(leaf):
                found.append((heading, values))
        return found[0] if len(found) == 1 else None

    def _method_would_be(self, end: int, read_before: int) -> None:
        """A note linked by its mark to the table's one Scope 2 row (_scope2_row) that says what
        the report year's figure would be by one named method ('If calculated by the
        location-based method, emissions in 2025 would be 2 110 tonnes'): the row prints the
        other method, and the note's figure, in the row's unit, is the named method's for the
        report year; both recorded with the note's line (`[... method (note N, line L)]`)."""
        row = self._scope2_row(read_before)
        if row is None or self.calendar is None:
            return
        label, values = row
        marks = set()
        for part in values[0].label.split(mapping.PATH_SEP):
            spaced = _SPACED_MARK.search(part.strip())
            if spaced and unit_in(part.strip()[: spaced.start()], tail=True):
                marks.add(spaced.group(1))
            elif mark := _title_mark(part):
                marks.add(mark)
        year = self.calendar.fiscal_year
        now = [v for v in values if v.year == year]
        if not marks or len(now) != 1 or not now[0].unit:
            return
        for line, mark, body in self._notes_under(end):
            if mark in marks:
                figure = _would_be(body, year, now[0].unit)
                if figure is not None:
                    self._by_other_method(line, mark, label, now[0], *figure)
                return

    def _by_other_method(
        self, line: Line, mark: str, label: str, printed: RawValue, named: str, figure: str
    ) -> None:
        note = f"note {mark}, line {line.number}"
        other = next(k for k in METHOD_WORDS if k != named)
        title = printed.table_title or ""
        self.values.append(
            replace(
                printed,
                line_number=line.number,
                label=label,
                value_text=figure,
                table_title=f"{title} [{named} method ({note})]".strip(),
                raw_text=line.text,
                page=line.page,
            )
        )
        printed.label = label
        printed.table_title = f"{title} [{other} method ({note})]".strip()
        self.errors.append(
            RowError(
                line.number,
                "method_by_note",
                f"{figure} read as the {named} Scope 2 of {printed.year}; the row's "
                f"{printed.value_text} (line {printed.line_number}) as the {other} one",
            )
        )

    def _texts_under(self, end: int, span: int) -> list[str]:
        """The texts of the first `span` lines under a table (`end`: the line after it),
        markup dropped ('' for a blank line), up to the first line of cells."""
        texts = []
        for line in self.lines[end : end + span]:
            if line.cells:
                break
            texts.append(_MARKUP.sub("", clean(line.text)).strip())
        return texts

    def _check_caption_below(self, i: int, table: Table, end: int, read_before: int) -> None:
        """A caption right under a table that repeats its title's or header's words ('Total
        emissions (kt CO2e)' under 'Total emissions, scopes 1-3') states its unit too: a value whose
        unit is of the same quantity at another scale is not read (units_disagree)."""
        below = _caption(self.lines, end, step=1)
        unit = unit_in(below) if below else None
        named = [table.title or "", self.lines[i].text]
        k = i - 1
        while k >= 0 and self.lines[k].cells:  # a pipe table's rows above its period header
            named.append(self.lines[k].text)
            k -= 1
        if not unit or not (_words(below) & _words(" ".join(named))):
            return
        kept = self.values[:read_before]
        for v in self.values[read_before:]:
            if v.unit and _scales_differ(v.unit, unit):
                self._refuse(v, unit, f"the caption under its table {unit!r}")
            else:
                kept.append(v)
        self.values[read_before:] = kept[read_before:]

    def _after_header(self, i: int, table: Table) -> int:
        """Skips a separator, a repeated header and reads the header lines below it (rule 2)."""
        j = i + 1
        header_text = self.lines[i].text
        while j < len(self.lines):
            line = self.lines[j]
            if line.cells and not line.tokens:
                j += 1
                continue
            if line.text == header_text or (not line.cells and not line.tokens and j == i + 1):
                j += 1
                continue
            break
        header = self.lines[i]
        own: dict[int, list[str]] = {id(c): [] for c in table.columns}  # words stacked under
        above: dict[int, list[str]] = {}  # a period's words stacked over its sub-columns
        left: list[str] = []
        top = {id(c): id(c) for c in table.columns}
        n_actual = max(len([c for c in table.columns if c.period.actual]), 1)
        depth = 1 if table.cells else MAX_HEADER_LINES
        split = False
        start = j
        while j < len(self.lines) and j - start < depth:
            line = self.lines[j]
            if line.page != header.page or line.cells != table.cells:
                break
            under = self._header_words(line, table, left)
            if under is None or len({top[k] for k in under}) * 2 < n_actual:
                break
            before = {c.index: id(c) for c in table.columns}
            subs = {k: cells for k, (_, cells) in under.items()}
            if not split and self._split_spans(table, subs):
                split = True
                for c in table.columns:
                    if c.span is not None:  # the period's words so far continue its header
                        key = before[c.index]
                        above[id(c)], own[id(c)], top[id(c)] = own[key], [c.qualifier], key
                        c.qualifier = None
            else:
                for key, (col, cells) in under.items():
                    own[key].append(" ".join(_text(t) for t in cells))
                    if col.span is not None:  # a sub-column spans the words stacked over it
                        col.x0 = min(col.x0, *(t.x0 for t in cells))
                        col.x1 = max(col.x1, *(t.x1 for t in cells))
            j += 1
        for c in table.columns:
            self._qualify(c, above.get(id(c), []), own.get(id(c), []))
        if split:
            self._units_named_above(i, table)
            # a period with a non-actual sub-column ('Target') has no one value for the period
            table.spans = [
                s for s in table.spans
                if all(c.period.actual for c in table.columns if c.span is s)
            ]  # fmt: skip
        actual = [c for c in table.columns if c.period.actual]
        shared = len(actual) > 1 and len({c.qualifier for c in actual}) == 1
        # a sub-column's own name stays ('Actual' beside 'Target') unless it goes with its unit
        if shared and (not split or all(c.unit for c in actual)):
            for c in actual:  # one word over every year ('Retrospective') tells none apart
                c.qualifier = None
        left_text = " ".join(left)
        if left_text and (u := unit_in(left_text)):
            table.title_unit = table.title_unit or u
        if left_text and not known(left_text) and j - start > 1:
            # the label column's title printed on the header lines below ('Emission' / 'Source')
            table.title = " / ".join(t for t in (table.title, left_text) if t)
        while j < len(self.lines) and self.lines[j].cells and not self.lines[j].tokens:
            j += 1
        return j

    def _header_words(
        self, line: Line, table: Table, left: list[str]
    ) -> dict[int, tuple[Column, list[Token]]] | None:
        """A header line's cells by the column they stand under (words left of the columns go
        to `left`), or None when the line holds a value (a row) or is prose."""
        under: dict[int, tuple[Column, list[Token]]] = {}
        lefts = []
        for cell in word_cells(line, self.cw, *table.x_range):
            text = _text(cell)
            if not text:
                continue
            col = self._column_of(cell, table)
            if col is not None:
                if _is_number(text) or numbers_like(text):
                    return None  # a value: a row, not a header line
                under.setdefault(id(col), (col, []))[1].append(cell)
            else:
                lefts.append(text)
        if len(" ".join(lefts).split()) > MAX_LABEL_WORDS:
            return None
        left.extend(lefts)
        return under

    def _under_sub(self, t: Token, col: Column, table: Table) -> bool:
        """A word under a sub-column overlaps its stacked header words and no other's."""
        over = [
            c
            for c in table.columns
            if c.span is not None and t.x0 < c.x1 + self.cw and c.x0 - self.cw < t.x1
        ]
        return over == [col]

    @staticmethod
    def _qualify(c: Column, above: list[str], own: list[str]) -> None:
        """A column's words stacked below its header: a role word makes it non-actual, a unit
        is its unit, other words qualify its values; words over a split column's sub-columns
        continue its header ('CY22' over '(recalculated)')."""
        if above:
            c.header = " ".join([c.header, *above])
        words = " ".join(w for w in own if w)
        stacked = periods.without_years(" ".join([*above, *own]))
        role = periods.classify(stacked) if stacked else None
        if role is not None and role.role != periods.ACTUAL:
            c.period = periods.Period(role.role, c.period.label, c.header)
            c.qualifier = None
        elif not words:
            return
        elif unit := unit_in(words) or known(words):
            c.unit = unit
            c.qualifier = None
            # words beside a unit in brackets ('Location-based (tCO2e)') still qualify
            rest = _BRACKETS_AT_END.sub("", words).strip()
            if rest and rest != words and not unit_in(rest) and not known(rest):
                c.qualifier = rest
        else:
            c.qualifier = words

    def _split_spans(self, table: Table, subs: dict[int, list[Token]]) -> bool:
        """Periods each spanning several sub-column headers (rule 2b: 'FY2023' over 'Scope 1
        Scope 2'): each period column becomes one column per sub-header, of the same period,
        named by it; the period itself is kept as the span a value centred under it fills."""
        actual = [c for c in table.columns if c.period.actual]
        counts = {len(subs.get(id(c), [])) for c in actual}
        if table.cells or len(actual) < 2 or len(counts) != 1 or min(counts) < 2:
            return False
        columns: list[Column] = []
        for c in table.columns:
            cells = subs.get(id(c))
            if not cells:
                columns.append(c)
                continue
            span = Column(c.index, cells[0].x0, cells[-1].x1, c.period, c.year, c.header)
            table.spans.append(span)
            for cell in cells:
                columns.append(Column(
                    c.index, cell.x0, cell.x1, c.period, c.year, c.header,
                    qualifier=_text(cell), span=span,
                ))  # fmt: skip
        _bands(columns, False)
        for span in table.spans:
            under = [c for c in columns if c.span is span]
            span.lo, span.hi = under[0].lo, under[-1].hi
        table.columns = columns
        return True

    def _units_named_above(self, i: int, table: Table) -> None:
        """A sub-column named with its unit in the lines just above the table ('Fuel in
        litres, Electricity in kWh') takes that unit."""
        header = self.lines[i]
        above = " ".join(
            clean(ln.text) for ln in self.lines[max(i - 3, 0) : i] if ln.page == header.page
        )
        for c in table.columns:
            if c.span is None or c.unit or not c.qualifier:
                continue
            m = re.search(rf"\b{re.escape(c.qualifier)}\s+(?:is\s+)?in\s+([^,;()]+)", above, re.I)
            words = m.group(1).split()[:4] if m else []
            for n in range(len(words), 0, -1):  # 'litres petrol': litres
                if unit := known(" ".join(words[:n])):
                    c.unit = unit
                    break

    def _units_named_below(self, table: Table, end: int) -> None:
        """A column qualifier that the note right under the table names with its unit
        ('Absolute emissions are stated in tonnes CO2e and intensity in kg CO2e per m2', a
        sentence, not a caption) gives that unit to the values read under it with no unit of
        their own; the qualifier must start the sentence, or a clause after one that names
        another ('... and intensity in kg CO2e'), and the whole phrase up to 'and', a comma or
        the sentence's end must be a known unit."""
        if not table.unitless or _caption(self.lines, end, step=1):
            return  # a short line under the table may be the next table's caption
        note = []
        for text in self._texts_under(end, MAX_NOTE_LINES):
            if text:
                note.append(text)
            elif note:
                break
        quals = {(col.qualifier or "").lower() for _, col in table.unitless}
        names = "|".join(re.escape(q) for q in sorted(quals, key=len, reverse=True))
        starts = re.compile(rf"\s*(?:the\s+)?({names}){_STATED_IN}", re.I)
        found: dict[str, str | None] = {}
        for sentence in _SENTENCE_END.split(" ".join(note)):
            for clause in _CLAUSE_BREAK.split(sentence):
                m = starts.match(clause)
                if m is None:
                    break  # a clause naming no qualifier ends what the sentence names
                found.setdefault(m.group(1).lower(), known(m.group(2)))
        for raw, col in table.unitless:
            if unit := found.get((col.qualifier or "").lower()):
                raw.unit = unit

    def _spanning(self, words: list[Token], table: Table) -> dict[int, Column]:
        """The words of a row that are the one value under a period's span and centred
        between its sub-columns (closer to the span's middle than to any sub-column's centre):
        the row's value for the whole period (rule 2b), by the word's id."""
        found: dict[int, Column] = {}
        for span in table.spans:
            inside = [
                t for t in words
                if span.lo <= (t.x0 + t.x1) / 2 < span.hi and numbers_like(_text(t))
            ]  # fmt: skip
            if len(inside) != 1:
                continue
            t = inside[0]
            centre = (t.x0 + t.x1) / 2
            middle = (span.x0 + span.x1) / 2
            subs = [c for c in table.columns if c.span is span]
            if all(abs(centre - middle) < abs(centre - (c.x0 + c.x1) / 2) for c in subs):
                found[id(t)] = span
        return found

    def _column_of(self, cell: Token, table: Table) -> Column | None:
        centre = (cell.x0 + cell.x1) / 2
        for c in table.columns:
            if table.cells:
                if c.x0 == cell.x0:
                    return c
            elif c.lo <= centre < c.hi:
                return c
        return None

    # -- rows -------------------------------------------------------------------------
    def _rows(self, j: int, table: Table) -> int:
        cols = table.columns
        first_x = min(c.lo for c in cols)
        actual = [c for c in cols if c.period.actual]
        seen_years: dict[int, list[Column]] = {}
        for c in actual:
            seen_years.setdefault(c.year, []).append(c)
        twice = {y for y, cs in seen_years.items() if len(cs) > 1 and
                 len({(c.group, c.qualifier or c.unit) for c in cs}) < len(cs)}  # fmt: skip
        unit_cols = [c for c in cols if c.period.role == periods.UNIT]
        described = self._descriptions(j, table) if table.cells else set()
        if table.cells:
            table.conv = self._block_convention(j, table)
            table.whole = self._whole_group(j, table)
            parts = sorted({c.group for c in cols if c.group and c.group != table.whole})
            if table.whole:
                self.errors.append(RowError(
                    table.header_line.number, "group_part",
                    f"columns of {', '.join(parts)} are parts of {table.whole} (their sum):"
                    " not read",
                ))  # fmt: skip
        names = {
            int(t.x0): _text(t)
            for t in table.header_line.tokens
            if table.cells and _text(t) and t.x0 < min(c.x0 for c in cols)
        }
        headings: list[tuple[float, str]] = []  # (indent, text)
        groups: dict[int, str] = {}
        unit_heading: str | None = None
        pending: list[Line] = []  # label-only lines of words above a row
        wrapped = ""  # a pipe row's label cut after a joiner ('Gross emissions scope 1,')
        quiet = blank = 0
        last_values_row = False
        end = j
        k = j
        while k < len(self.lines):
            line = self.lines[k]
            if line.number in self.skip:
                break
            if line.number in self.joined:  # read with the row above ('Not' / 'reported')
                k += 1
                continue
            if table.cells and not line.cells and not line.tokens:
                nxt = self._continued_block(k, table)
                if nxt is not None:  # the table goes on after blank lines (rule 4)
                    k = nxt
                    continue
            if table.cells != line.cells or (line.page != self.lines[j - 1].page):
                break
            if line.cells and not line.tokens:
                k += 1
                continue
            cells = word_cells(line, self.cw, *table.x_range)
            if not line.cells and not cells:
                # blank lines between the header and its first row (converters space them
                # apart) do not count toward the table's end; later ones do
                blank += 1
                quiet += end > j
                if quiet >= MAX_GAP_LINES or blank > MAX_BLANK_LINES:
                    break
                k += 1
                continue
            blank = 0
            if not line.cells and _prose_value(cells, first_x, max(c.hi for c in cols)):
                break  # a sentence whose words run into a number ('... stands at 75% which')
            if self._footnote(line):
                break
            if _header(
                cells, line, self.lines[k + 1] if k + 1 < len(self.lines) else None
            ) and not _period_heading(cells, line, self.lines[k + 1 : k + 4], self.cw):
                if line.text == table.header_line.text and not table.spans:
                    k += 1
                    end = k
                    continue
                break
            label_cells, by_col, stray = self._split_row(line, cells, table, first_x)
            # a description column's cell that is a unit is the row's unit ('ton/år')
            desc_unit = next((t for n, t in label_cells if n in described and known(t)), None)
            label_cells = [(n, t) for n, t in label_cells if n not in described]
            label_text = " ".join(t for _, t in label_cells).strip()
            if (
                not line.cells
                and label_text
                and len(label_text.split()) > MAX_LABEL_WORDS
                and not by_col
            ):
                break  # prose
            has_values = any(c.period.actual and t for c, t in by_col)
            if not has_values:
                if not any(t for _, t in by_col) and not label_text:
                    k += 1
                    continue
                # a label-only line: a heading, a unit heading, or a wrapped label (rule 5)
                quiet += 1
                if not line.cells and quiet > MAX_GAP_LINES:
                    break
                if line.cells:
                    self._group_cells(label_cells, groups, line, names)
                    raw = f"{wrapped} {label_cells[-1][1]}".strip() if label_cells else wrapped
                    wrapped = ""
                    if len(label_cells) == 1 and _JOINING.search(raw):
                        wrapped = raw  # the label goes on in the row below (rule 5)
                        k += 1
                        continue
                    text = _strip_marks(raw)
                    unit_only = known(text) or (
                        unit_in(text) if text.lower().startswith(("in ", "i ")) else None
                    )
                    if unit_only:
                        unit_heading = unit_only
                    elif text:
                        headings = self._push_heading(headings, (0.0, text), last_values_row)
                        last_values_row = False
                else:
                    pending.append(line)
                k += 1
                continue
            quiet = 0
            end = k + 1
            if line.cells:
                group_path = self._group_cells(label_cells, groups, line, names)
                label = _strip_marks(f"{wrapped} {label_cells[-1][1] if label_cells else ''}")
                wrapped = ""
            else:
                group_path = []
                label, headings, unit_heading = self._word_label(
                    label_text, pending, headings, unit_heading, line, k, table
                )
                label = _strip_marks(label)
                pending = []
            path = [*group_path, *(h for _, h in headings)]
            path = _path_above(path, label)
            row_unit_label = label
            if label and known(label):
                # a row whose label is only a unit ('tCO2e  2,476'): the title names it
                label = first_or(table.title, label)
            full = " / ".join([*path, label]) if label else " / ".join(path)
            if not full:
                self.errors.append(RowError(line.number, "row_unread", "values with no label"))
                k += 1
                continue
            unit_cell = next((t for c, t in by_col if c in unit_cols and t), None) or desc_unit
            context = [(0.0, g) for g in group_path] + headings
            self._emit(line, table, by_col, full, unit_cell, row_unit_label, context,
                       unit_heading, twice)  # fmt: skip
            for x, t in stray:
                self.errors.append(RowError(
                    line.number, "value_between_columns",
                    f"'{t}' at x={x:g} lies under no year column of the header on line "
                    f"{table.header_line.number}: not read",
                ))  # fmt: skip
            last_values_row = True
            k += 1
        self.errors.extend(table.errors)
        return max(end, j)

    def _block_convention(self, j: int, table: Table) -> numbers.Convention:
        """The marks of the values under a pipe table's year columns in its block (else the
        document's): '3,171' beside '36.2' groups thousands."""
        first = {c.x0 for c in table.columns if c.period.actual}
        texts = []
        for line in self.lines[j:]:
            if not line.cells:
                break
            texts += [_text(t) for t in line.tokens if t.x0 in first]
        return numbers.Convention.of(texts, fallback=self.doc_conv)

    def _whole_group(self, j: int, table: Table) -> str | None:
        """The column group whose values are, row by row, the sum of the other groups' values
        of the same year (within 1 %), in three rows of four at least ('Group' beside
        'Sweden' and 'Finland'); None when no group, or more than one, is."""
        groups = {c.group for c in table.columns if c.period.actual and c.group}
        if len(groups) < 3:
            return None
        rows: list[dict[tuple[str, int | None], float]] = []
        half = 0.0  # half the last printed digit: the rounding of one value
        for line in self.lines[j:]:
            if not line.cells:
                break
            cells = {t.x0: _text(t) for t in line.tokens}
            row = {}
            for c in table.columns:
                if not (c.period.actual and c.group):
                    continue
                try:
                    v = numbers.parse(cells.get(c.x0, ""), table.conv or self.doc_conv)
                except numbers.Unsafe:
                    continue
                if v is not None:
                    row[(c.group, c.year)] = v.number or 0.0
                    half = max(half, 0.5 * 10.0**-v.decimals)
            rows.append(row)
        found = []
        for g in sorted(groups):
            checked = agree = 0
            for row in rows:
                sums = [
                    (row[(g, y)], [v for (h, yy), v in row.items() if h != g and yy == y])
                    for (gg, y) in row
                    if gg == g
                ]
                sums = [(v, others) for v, others in sums if len(others) >= 2 and any(others)]
                if not sums:
                    continue
                checked += 1
                agree += all(
                    abs(v - sum(o)) <= max(0.01 * abs(v), half * (len(o) + 1)) for v, o in sums
                )
            if checked >= 3 and agree * 4 >= checked * 3:
                found.append(g)
        return found[0] if len(found) == 1 else None

    def _continued_block(self, k: int, table: Table) -> int | None:
        """The first row of a pipe block after the blank lines at k that goes on with the
        table: as many cells as its header, no separator of its own (not a new table) and no
        period header; else None."""
        n = k
        while n < len(self.lines) and not self.lines[n].cells and not self.lines[n].tokens:
            n += 1
        if n + 1 >= len(self.lines):
            return None
        first, second = self.lines[n], self.lines[n + 1]
        if (
            not first.cells
            or len(first.tokens) != len(table.header_line.tokens)
            or (second.cells and not second.tokens)
            or _header(word_cells(first, self.cw, *table.x_range), first, second)
        ):
            return None
        return n

    def _descriptions(self, j: int, table: Table) -> set[int]:
        """Label-area columns of a pipe table right of its label column: descriptions (a data
        source, a method), not part of the label. Columns left empty on some rows while a
        column right of them is filled are group columns (rule 5), and so are bare codes
        ('1', '3.1') and a cell repeated on the next row while a column right of it changes
        (a spanning cell a converter printed on every row); the first other column is the
        label column."""
        first = min(c.x0 for c in table.columns)
        rows = []
        texts: list[dict[int, str]] = []
        for line in self.lines[j:]:
            if not line.cells:
                break
            filled = {int(t.x0) for t in line.tokens if t.x0 < first and _text(t)}
            codes = {int(t.x0) for t in line.tokens if t.x0 < first and _CODE.match(_text(t))}
            if filled:
                rows.append((filled, codes))
                texts.append({int(t.x0): _text(t) for t in line.tokens if t.x0 < first})
        seen = sorted(set().union(*(f for f, _ in rows))) if rows else []
        repeated = {
            i for a, b in itertools.pairwise(texts) for i in seen
            if a.get(i) and a.get(i) == b.get(i)
            and any(b.get(k) and a.get(k) != b.get(k) for k in seen if k > i)
        }  # fmt: skip
        group = repeated | {
            i for i in seen
            if any(i not in f and any(k > i for k in f) for f, _ in rows)
            or all(i not in f or i in c for f, c in rows)
        }  # fmt: skip
        label = next((i for i in seen if i not in group), None)
        return {i for i in seen if label is not None and i > label}

    def _push_heading(self, headings, new, after_values: bool):
        _indent, text = new
        if not headings:
            return [new]
        if not after_values and headings and not self._sibling(headings, text):
            return [*headings, new]
        for n, (_ind, h) in enumerate(headings):
            if (
                h.split()[:1]
                and text.split()[:1]
                and h.split()[0].casefold() == text.split()[0].casefold()
            ):
                return [*headings[:n], new]
        return [*headings[:-1], new]

    @staticmethod
    def _sibling(headings, text: str) -> bool:
        first = text.split()[0].casefold() if text.split() else ""
        return any(h.split()[:1] and h.split()[0].casefold() == first for _, h in headings)

    @staticmethod
    def _group_cells(
        label_cells, groups: dict[int, str], line: Line, names: dict[int, str]
    ) -> list[str]:
        """A pipe row's label cells before its last one are group cells (rule 5); a row
        starting a group resets the deeper groups; a bare code in a column whose header names
        it ('Scope' over '1', '3.1') is read with that name ('Scope 1')."""
        if not label_cells:
            return [groups[i] for i in sorted(groups)]
        last_index = label_cells[-1][0]
        for idx, text in label_cells[:-1]:
            for deeper in [i for i in groups if i >= idx]:
                del groups[deeper]
            named = names.get(idx)
            groups[idx] = f"{named} {text}" if named and _CODE.match(text) else _strip_marks(text)
        if len(label_cells) == 1 and last_index in groups:
            for deeper in [i for i in groups if i >= last_index]:
                del groups[deeper]
        return [groups[i] for i in sorted(groups) if i < last_index]

    def _word_label(self, label_text, pending: list[Line], headings, unit_heading, line, k,
                    table):  # fmt: skip
        """A row of words: its label with wrapped lines joined, the headings above it."""
        label = label_text
        heads = list(headings)
        first_x = min(c.lo for c in table.columns)
        own = [t for t in line.tokens if (t.x0 + t.x1) / 2 < first_x and _text(t)]
        own = self._beside_prose(own)
        label_x0 = own[0].x0 if own else None
        for p in pending:
            text = self._label_line(p, table, label_x0)
            if not text:
                continue
            unit_only = known(text) or (
                unit_in(text) if text.lower().startswith(("in ", "i ")) else None
            )
            if unit_only:
                unit_heading = unit_only
                continue
            if p is pending[-1] and (not label or label[:1].islower() or _JOINING.search(text)):
                label = f"{text} {label}".strip()
            else:
                indent = p.x0
                while heads and heads[-1][0] >= indent:
                    heads.pop()
                heads.append((indent, text))
        # a continuation printed below the row ('(t CO2e)', 'e)', lower-case words), and the
        # line below it too while the label so far ends in a joining word ('transport and')
        below_at = k + 1
        while below_at < len(self.lines) and (below_at == k + 1 or _JOINING.search(label)):
            below = self.lines[below_at]
            btext = self._label_line(below, table, label_x0) if below.tokens else ""
            if not (
                btext
                and not below.cells
                and below.page == line.page
                and not any(numbers_like(t.text) for t in below.tokens)
                and (
                    btext[:1].islower()
                    or btext.startswith("(")
                    or label.count("(") > label.count(")")
                )
                and len(btext.split()) <= 4
            ):
                break
            glue = "" if label.count("(") > label.count(")") and len(btext) <= 3 else " "
            label = f"{label}{glue}{btext}"
            self.joined.add(below.number)
            below_at += 1
        label = self._joined_below(label, k, table, label_x0)
        return label, heads, unit_heading

    def _joined_below(self, label: str, k: int, table: Table, label_x0: float | None) -> str:
        """A row's label wrapped over the label-only lines below it in its label column
        ('Average Training' / 'Hours per' / 'Employee'): a line goes on into the next whatever
        its case when it ends in a joining word; the first line below joins the row when the
        label ends in one, or when it ends in one itself and a label-only line follows it."""
        if label_x0 is None:
            return label
        first_x = min(c.lo for c in table.columns)
        right = max(c.hi for c in table.columns)
        chain: list[tuple[Line, str]] = []
        n = k + 1
        while n < len(self.lines) and len(chain) < 3:
            ln = self.lines[n]
            if (
                ln.cells
                or not ln.tokens
                or ln.page != self.lines[k].page
                or ln.number in self.joined
            ):
                break
            mids = [((t.x0 + t.x1) / 2, t) for t in ln.tokens if _text(t)]
            words = [t for m, t in mids if m < first_x and t.x0 >= label_x0 - self.cw]
            if (
                any(first_x <= m < right for m, _ in mids)
                or not words
                or abs(words[0].x0 - label_x0) > 2 * self.cw
                or len(words) > 4
                or any(numbers_like(_text(t)) for t in words)
            ):
                break
            chain.append((ln, " ".join(_text(t) for t in words)))
            n += 1
        if not chain or chain[0][0].number in self.joined:
            return label
        if not (_JOINING.search(label) or (_JOINING.search(chain[0][1]) and len(chain) > 1)):
            return label
        for ln, text in chain:
            label = f"{label} {text}"
            self.joined.add(ln.number)
            if not _JOINING.search(text):
                break
        return label

    def _beside_prose(self, words: list[Token], label_x0: float | None = None) -> list[Token]:
        """A label's words without the sentence of a text column printed left of the table
        on the same line: words before a gutter (a gap of GUTTER_CHARS characters or more, to
        the next word or to where the row's label starts) that are MIN_PROSE_WORDS or more are
        prose, not part of the label."""
        gutter = GUTTER_CHARS * self.cw
        start = 0
        for n in range(1, len(words) + 1):
            nxt = words[n].x0 if n < len(words) else label_x0
            if nxt is not None and nxt - words[n - 1].x1 >= gutter and n - start >= MIN_PROSE_WORDS:
                start = n
        return words[start:]

    def _label_line(self, line: Line, table: Table, label_x0: float | None) -> str:
        """A label-only line of words as the table's label column holds it: without another
        text column's sentence left of it or of the row's label (_beside_prose), nor words
        right of the table's last column (a text column beside the table)."""
        right = max(c.hi for c in table.columns)
        words = [t for t in line.tokens if (t.x0 + t.x1) / 2 < right and _text(t)]
        return clean(" ".join(_text(t) for t in self._beside_prose(words, label_x0)))

    def _split_row(self, line: Line, cells: list[Token], table: Table, first_x: float):
        """(label cells as (index, text), [(column, text)], stray numbers) of a row."""
        label_cells: list[tuple[int, str]] = []
        by_col: dict[int, tuple[Column, list[str]]] = {}
        stray: list[tuple[float, str]] = []
        if line.cells:
            first_index = min(c.x0 for c in table.columns)
            for n, cell in enumerate(cells):
                text = _text(cell)
                if not text:
                    continue
                col = self._column_of(cell, table)
                if col is not None:
                    by_col.setdefault(id(col), (col, []))[1].append(text)
                elif cell.x0 < first_index:
                    label_cells.append((n, text))
        else:
            words = [
                t for t in line.tokens if table.x_range[0] <= (t.x0 + t.x1) / 2 < table.x_range[1]
            ]
            words = [  # a year after a month name ('May 2025', a page footer's date) is no value
                t for n, t in enumerate(words)
                if not (n and periods.is_date(_text(words[n - 1]), _text(t)))
            ]  # fmt: skip
            label_words: list[Token] = []
            spanning = self._spanning(words, table) if table.spans else {}
            for t in words:
                col = spanning.get(id(t)) or self._column_of(t, table)
                text = _text(t)
                if (
                    col is not None
                    and col.span is not None
                    and all(col.span is not s for s in table.spans)
                    and not self._under_sub(t, col, table)
                ):
                    col = None  # between sub-columns or across two (a total printed over both)
                if col is not None and (
                    numbers_like(text) or by_col.get(id(col)) or col.period.role == periods.UNIT
                ):
                    by_col.setdefault(id(col), (col, []))[1].append(text)
                elif (t.x0 + t.x1) / 2 < first_x:
                    label_words.append(t)
                elif numbers_like(text):
                    stray.append((t.x0, text))
            label_words = self._beside_prose(label_words)
            if label_words:
                label_cells.append((0, " ".join(_text(t) for t in label_words)))
        return label_cells, [(c, " ".join(ts)) for c, ts in by_col.values()], stray

    def _emit(
        self, line, table, by_col, label, unit_cell, row_label, headings, unit_heading, twice
    ):
        conv = numbers.Convention.of([t for _, t in by_col], fallback=table.conv or self.doc_conv)
        parsed: list[tuple[Column, numbers.Value]] = []
        for col, text in by_col:
            if not col.period.actual or not text:
                continue
            if (
                table.whole
                and col.group
                and col.group != table.whole
                and not mapping.stands_for_heading(row_label or "")
            ):
                continue  # a part of the group that is the whole (rule 2), but in a Total row
            if col.year in twice:
                self.errors.append(RowError(
                    line.number, "year_twice",
                    f"{col.year} heads two columns that nothing tells apart: '{text}' not read",
                ))  # fmt: skip
                continue
            if text.casefold() == "not" and self._reported_below(line, col, table):
                text = "not reported"
            try:
                value = numbers.parse(text, conv)
            except numbers.Unsafe as exc:
                self.errors.append(RowError(line.number, "value_unsafe", f"not read: {exc}"))
                continue
            if value is None:
                if any(ch.isdigit() for ch in text):
                    self.errors.append(RowError(
                        line.number, "row_unread", f"'{text}' under {col.header!r} is no number",
                    ))  # fmt: skip
                continue
            if value.note:
                self.errors.append(RowError(
                    line.number, "assumed_footnote_mark",
                    f"'{text}' read as {value.text} with footnote {value.note}) printed after it",
                ))  # fmt: skip
            parsed.append((col, value))
        row = [v for _, v in parsed]
        for n, (col, value) in enumerate(parsed):
            fused = numbers.fused_footnote(row, n)
            if fused:
                value, why = fused
                self.errors.append(RowError(line.number, "assumed_footnote_mark", why))
            heading_unit = next((unit_in(h) for _, h in reversed(headings) if unit_in(h)), None)
            unit = (
                value.unit
                or unit_cell
                or unit_in(row_label)
                or heading_unit
                or unit_heading
                or col.unit
                or table.title_unit
                or unit_named(row_label)
            )
            unit = known(unit) or unit if unit else None
            if unit is None and mapping.stands_for_heading(row_label or ""):
                # a Total row with no unit of its own: the one unit the rows above it print
                above = set(table.row_units)
                unit = above.pop() if len(above) == 1 else None
            context = heading_unit or unit_heading or col.unit or table.title_unit
            group = None if col.group == table.whole else col.group
            full = " / ".join(t for t in (label, group, col.qualifier) if t)
            plain = col.header.strip() == str(col.period.label.year) and not col.qualifier
            raw = RawValue(
                line_number=line.number,
                extractor=EXTRACTOR,
                label=full,
                unit=unit,
                year=col.year,
                value_text=value.text,
                table_title=table.title,
                column_header=None if plain and not group else " / ".join(
                    t for t in (col.header, group, col.qualifier) if t),
                raw_text=_printed(line),
                page=line.page,
                bbox_x0=line.x0 if line.top is not None else None,
                bbox_top=line.top,
                bbox_x1=line.x1 if line.top is not None else None,
                bbox_bottom=line.bottom,
            )  # fmt: skip
            where = (table.header_line.number, table.x_range[0], *(h for _, h in headings))
            self.row_of[id(raw)] = (raw, row_label or "", where)
            if unit and context and unit != context and _scales_differ(unit, context):
                self._refuse(raw, context, f"its heading or title {context!r}")
                continue
            table.row_units.append(unit)
            self.values.append(raw)
            if unit is None and col.qualifier:
                table.unitless.append((raw, col))  # a note under the table may name its unit

    def _refuse(self, raw: RawValue, context: str, where: str) -> None:
        """A value whose unit is another scale of its context's is not read (units_disagree),
        unless the document confirms the context's scale (_confirm_scales)."""
        error = RowError(
            raw.line_number, "units_disagree",
            f"'{raw.value_text}': the row prints {raw.unit!r}, {where}"
            " (same quantity, another scale): not read",
        )  # fmt: skip
        self.errors.append(error)
        self.refused.append((raw, context, error))

    def _confirm_scales(self) -> None:
        """A value refused for units_disagree is read in its context's unit (heading, title or
        caption) when the document confirms that scale: a sibling row (same table, same
        heading path) read in that unit prints the same figures in every column the refused
        row prints (two distinct non-zero figures at least), or another row of the document
        whose label is the same but for its unit, printed in that unit, prints two of the row's
        figures in the same order (the figures it prints are read). The reading is
        recorded as a row error `units_confirmed`. Run on each table's refusals as it is
        read, so what it reads passes the table's later steps (caption below, method note)."""
        by_row: dict[tuple[int, str], list[tuple[RawValue, str, RowError]]] = {}
        refused, self.refused = self.refused, []
        for item in refused:
            by_row.setdefault((item[0].line_number, item[1]), []).append(item)
        for (number, context), refused in by_row.items():
            own, key = self._row_of(refused[0][0])
            sibling = self._sibling_figures(number, key, context, [r for r, _, _ in refused])
            same = None if sibling else self._same_label_figures(number, own, context, refused)
            for raw, _, error in refused:
                why = sibling or (same[0] if same and raw.value in same[1] else None)
                if why is None:
                    continue
                self.values.append(replace(raw, unit=context))
                error.rule = "units_confirmed"
                error.message = (
                    f"'{raw.value_text}': the row prints {raw.unit!r}, read in {context!r}: {why}"
                )

    def _row_of(self, v: RawValue) -> tuple[str, tuple]:
        """A value's own row label and (table, heading path); ('', ()) when not a row's."""
        entry = self.row_of.get(id(v))
        return (entry[1], entry[2]) if entry and entry[0] is v else ("", ())

    def _sibling_figures(
        self, number: int, key: tuple, context: str, refused: list[RawValue]
    ) -> str | None:
        """Why the refused row on line `number` is in `context`'s unit: another row of its
        table under the same heading path, read in that unit, prints the same figure in every
        column the refused row prints, two distinct non-zero figures at least (zeros are the
        same at any scale); or None."""
        figures = {(r.year, r.column_header): r.value for r in refused}
        if not key or len({f for f in figures.values() if f}) < 2:
            return None
        rows: dict[int, dict[tuple, float | None]] = {}
        for v in self.values:
            if (
                v.line_number != number
                and self._row_of(v)[1] == key
                and v.unit
                and _same_scale(v.unit, context)
            ):
                rows.setdefault(v.line_number, {})[(v.year, v.column_header)] = v.value
        for ln, got in rows.items():
            if all(k in got and got[k] == f for k, f in figures.items()):
                return f"the row on line {ln} under the same heading prints the same figures"
        return None

    def _same_label_figures(
        self, number: int, own: str, context: str, refused: list[tuple[RawValue, str, RowError]]
    ) -> tuple[str, set[float]] | None:
        """Why the refused row on line `number` is in `context`'s unit, and the figures that
        confirm it: another line of the document whose label is the row's label (`own`) but
        for its unit, printed in that unit, prints two distinct non-zero figures of the row in
        the same order (the row's line as printed, else its refused values); or None."""
        bare = _bare_label(own)
        if not bare:
            return None
        rows = self._rows_with_units()
        mine = next((f for ln, _, _, f in rows if ln == number), None)
        if mine is None:
            mine = [r.value for r, _, _ in refused if r.value is not None]
        for ln, label, unit, figures in rows:
            if (
                ln != number
                and label == bare
                and _same_scale(unit, context)
                and _in_order(mine, figures) >= 2
            ):
                why = f"line {ln} prints the same figures for the same label in {unit!r}"
                return why, set(figures)
        return None

    def _rows_with_units(self) -> list[tuple[int, str, str, list[float]]]:
        """Every line whose first cell is a label printing its unit, followed by figures:
        (line number, label without its unit, unit, figures). A line of words that starts
        with a pipe is a pipe row whose closing pipe is missing, cut at its pipes."""
        if self._unit_rows is not None:
            return self._unit_rows
        self._unit_rows = []
        for line in self.lines:
            if not line.cells and line.text.startswith("|"):
                cells = [clean(c) for c in line.text.split("|") if clean(c)]
            else:
                cells = [t for t in (_text(c) for c in word_cells(line, self.cw)) if t]
            if len(cells) < 2 or _is_number(cells[0]) or not (unit := unit_in(cells[0])):
                continue
            conv = numbers.Convention.of(cells[1:], fallback=self.doc_conv)
            figures = []
            for text in cells[1:]:
                try:
                    v = numbers.parse(text, conv)
                except numbers.Unsafe:
                    continue
                if v is not None and v.number is not None:
                    figures.append(v.number)
            if figures:
                self._unit_rows.append((line.number, _bare_label(cells[0]), unit, figures))
        return self._unit_rows

    def _reported_below(self, line: Line, col: Column, table: Table) -> bool:
        """'Not' / 'reported' split over two lines in one column."""
        idx = self.lines.index(line)
        if idx + 1 >= len(self.lines):
            return False
        below = self.lines[idx + 1]
        for t in below.tokens:
            if self._column_of(t, table) is col and _text(t).casefold().startswith("reported"):
                self.joined.add(below.number)
                return True
        return False

    # -- rows outside any table (rule 8) ----------------------------------------------
    def _headerless(self) -> None:
        k = 0
        lines = self.lines
        while k < len(lines):
            line = lines[k]
            if line.number in self.used or line.number in self.skip or not line.tokens:
                k += 1
                continue
            if line.cells:
                start = k
                while k < len(lines) and lines[k].cells:
                    k += 1
                self._headerless_pipe(lines[start:k])
                continue
            self._label_value_line(line)
            k += 1

    def _headerless_pipe(self, block: list[Line]) -> None:
        rows = [ln for ln in block if ln.tokens and ln.number not in self.used]
        if not rows or any(ln.number in self.used for ln in block):
            return
        conv = numbers.Convention.of([ln.text for ln in rows], fallback=self.doc_conv)
        title = _caption(self.lines, self.lines.index(block[0]))
        read = []
        for ln in rows:
            texts = [_text(t) for t in ln.tokens]
            values = []
            for n, t in enumerate(texts):
                try:
                    v = numbers.parse(t, conv) if n else None
                except numbers.Unsafe:
                    v = None
                if v is not None and v.number is not None:
                    values.append((n, v))
            if len(values) > 1:
                return  # values in several columns under no header: their years are unknown
            if values and texts[0] and not any(ch.isdigit() for ch in texts[0][-1:]):
                read.append((ln, texts[0], values[0][1]))
        for ln, label, v in read:
            self._single(ln, _strip_marks(label), v, title)

    def _label_value_line(self, line: Line) -> None:
        cells = word_cells(line, self.cw)
        if len(cells) < 2 or len(cells) > 3:
            return
        label = _text(cells[0])
        words = label.split()
        if (
            not words
            or len(words) > MAX_LABEL_WORDS
            or label[-1] in ".:;"
            or not words[0][:1].isalpha()
        ):
            return
        if cells[1].x0 - cells[0].x1 < 3 * self.cw:
            return
        rest = " ".join(_text(c) for c in cells[1:])
        try:
            v = numbers.parse(rest, self.doc_conv)
        except numbers.Unsafe:
            return
        if v is None or v.number is None or periods.year_labels(rest):
            return
        if not mapping.best(label, None, None, strict=False):
            return  # a label the vocabulary does not know: likely not a KPI row
        self._single(line, _strip_marks(label), v, _caption(self.lines, self.lines.index(line)))

    def _single(self, line: Line, label: str, v: numbers.Value, title: str | None) -> None:
        unit = v.unit or unit_in(label) or unit_in(title) or unit_named(label)
        self.values.append(
            RawValue(
                line_number=line.number, extractor=EXTRACTOR, label=label,
                unit=known(unit) or unit if unit else None, year=None, value_text=v.text,
                table_title=title, raw_text=_printed(line), page=line.page,
                bbox_x0=line.x0 if line.top is not None else None, bbox_top=line.top,
                bbox_x1=line.x1 if line.top is not None else None, bbox_bottom=line.bottom,
            )
        )  # fmt: skip


def _period_heading(cells: list[Token], line: Line, below: list[Line], cw: float) -> bool:
    """A single period with words on a line of words ('FY2021 Performance') is a heading, not
    a table header, unless a number stands in a cell of its own under it in the next lines."""
    if line.cells or len(cells) != 1:
        return False
    text = _text(cells[0])
    if not re.search(r"[^\W\d]", periods.YEAR_IN.sub(" ", text)):
        return False  # the period alone ('2024', 'FY2023'): a header as before
    c = cells[0]
    for ln in below:
        for cell in word_cells(ln, cw):
            if numbers_like(_text(cell)) and c.x0 <= (cell.x0 + cell.x1) / 2 <= c.x1:
                return False
    return True


def _prose_value(cells: list[Token], first_x: float, right: float) -> bool:
    """A line of words whose run of MIN_PROSE_WORDS words or more printed a single space apart
    reaches from the label area into the year columns with a number in it ('which translates
    to a turnover rate of 30%') is a sentence, not a row; so is a line with two words or more
    and then a number in one cell under the columns (a running footer, 'Annual Report 2023')."""
    for c in cells:
        words = _text(c).split()
        lead = list(itertools.takewhile(lambda w: not numbers_like(w), words))
        under = first_x <= c.x0 and (c.x0 + c.x1) / 2 < right
        if under and len(lead) >= 2 and len(lead) < len(words):
            return True  # words then a number under the columns ('Sustainability Report 2023')
        if not c.x0 < first_x < c.x1:
            continue
        if len(words) < MIN_PROSE_WORDS or not any(numbers_like(w) for w in words[1:]):
            continue
        if sum(bool(re.match(r"[^\W\d]", w)) for w in words) >= MIN_PROSE_WORDS:
            return True
    return False


def _column_groups(lines: list[Line], i: int, cols: list[Column]) -> None:
    """Pipe rows right above a period header (a converter's header row, each group's name
    repeated over its columns: 'Sweden | Sweden | Group | Group') with words, no numbers, over
    every year column: their words name each column's group, unless one name is over all."""
    actual = [c for c in cols if c.period.actual]
    names: dict[int, list[str]] = {id(c): [] for c in actual}
    k = i - 1
    while k >= 0 and lines[k].cells:
        cells = {t.x0: _text(t) for t in lines[k].tokens}
        under = {id(c): cells.get(c.x0, "") for c in actual}
        if lines[k].tokens:
            if any(_is_number(t) for t in under.values() if t):
                break
            if not all(under.values()):
                break
            for c in actual:
                if under[id(c)]:
                    names[id(c)].insert(0, _strip_marks(under[id(c)]))
        k -= 1
    groups = {id(c): " ".join(names[id(c)]) or None for c in actual}
    if len(set(groups.values())) > 1:
        for c in actual:
            c.group = groups[id(c)]


def _values_row(line: Line, cols: list[Column]) -> bool:
    """A pipe row with a number under one of the period columns."""
    at = {c.x0 for c in cols}
    return any(t.x0 in at and _is_number(_text(t)) for t in line.tokens)


def _first_word(text: str) -> str:
    return text.split()[0].casefold() if text.split() else ""


def _path_above(path: list[str], label: str) -> list[str]:
    """The headings a row sits under: cut at a heading the row repeats or is a sibling of
    (the same first word: 'Scope 3' after the 'Scope 2' heading's rows)."""
    for n, heading in enumerate(path):
        if label.casefold().startswith(heading.casefold()) or (
            label and _first_word(heading) == _first_word(label)
        ):
            return path[:n]
    return path


def _calendar_year(calendar: years.Calendar | None) -> bool:
    return bool(
        calendar
        and (calendar.period_start.month, calendar.period_start.day) == (1, 1)
        and (calendar.period_end.month, calendar.period_end.day) == (12, 31)
    )


def _scale_ratio(a: str, b: str) -> float | None:
    """How many of `b` one `a` is, for two printed units of one quantity; else None."""
    pa, pb = units.parse_unit(a), units.parse_unit(b)
    if pa is None or pb is None:
        return None
    try:
        ratio = (units.quantity(1.0, pa) / units.quantity(1.0, pb)).to("dimensionless")
    except Exception:  # other dimensions (a row in MWh in a table of tCO2e): no conflict
        return None
    return float(ratio.magnitude)


def _scales_differ(a: str, b: str) -> bool:
    """Two printed units of one quantity at different scales ('tCO2e' beside 'MtCO2e')."""
    ratio = _scale_ratio(a, b)
    return ratio is not None and abs(ratio - 1.0) > 1e-9


def _same_scale(a: str, b: str) -> bool:
    """Two printed units of one quantity at the same scale ('kton CO2e', 'kt CO2e')."""
    ratio = _scale_ratio(a, b)
    return a == b or (ratio is not None and abs(ratio - 1.0) <= 1e-9)


_UNIT_BRACKETS = re.compile(r"\s*[(\[]([^()\[\]]{1,40})[)\]]")
_UNIT_AFTER_COMMA = re.compile(r",\s*([^,]{1,30})$")


def _in_order(mine: list[float], theirs: list[float]) -> int:
    """How many distinct non-zero figures of `mine` `theirs` prints in the same order."""
    found: set[float] = set()
    at = 0
    for f in mine:
        if f and f in theirs[at:]:
            at = theirs.index(f, at) + 1
            found.add(f)
    return len(found)


def _bare_label(label: str) -> str:
    """A row label without its unit ('Scope 1 (kt CO2e)', 'Scope 1, tCO2e': 'scope 1'), its
    footnote marks and case: what two rows of one quantity printed at two scales share."""
    text = _strip_marks(label)
    text = _UNIT_BRACKETS.sub(lambda m: "" if known(m.group(1)) else m.group(0), text)
    m = _UNIT_AFTER_COMMA.search(text)
    if m and known(m.group(1)):
        text = text[: m.start()]
    return " ".join(text.casefold().split())


def _words(text: str) -> set[str]:
    """A text's words of four letters or more, in lower case: what two captions share."""
    return {w for w in re.findall(r"[^\W\d_]{4,}", text.lower())}


def first_or(title: str | None, default: str) -> str:
    """The last part of a table title (its header's title cell), else the default."""
    return title.split(" / ")[-1] if title else default


_NUMBERISH = re.compile(r"^[-−–+(]?\d[\d,.\u00a0\u202f]*\)?[%¹²³⁴⁵⁶⁷⁸⁹⁰*]*$")


def numbers_like(text: str) -> bool:
    t = text.strip()
    return (
        bool(_NUMBERISH.match(t))
        or numbers.not_reported(t)
        or t.casefold() in ("not", "reported", "nil")
    )


def _printed(line: Line) -> str:
    if line.cells:
        return "| " + " | ".join(t.text for t in line.tokens) + " |"
    return line.text


def extract(
    doc: Document, calendar: years.Calendar | None = None, skip: set[int] | None = None
) -> tuple[list[RawValue], list[RowError], set[int]]:
    """Values of every table found in the document (lines in `skip` are left to other
    readers), the rows that could not be read, and the lines the tables cover."""
    from assets.extract import segments, transposed  # they read rows with these helpers

    reader = _Reader(doc, calendar, skip or set())
    reader.run()
    read = {v.line_number for v in reader.values} | reader.used | reader.skip
    free = {ln.number for ln in doc.lines} - read
    values, errors = reader.values, reader.errors
    for more in (transposed, segments):
        found = more.extract(doc.lines, reader.cw, calendar, free, reader.doc_conv)
        reader.used |= found[2]
        free -= found[2]
        values, errors = values + found[0], errors + found[1]
    return values, errors, reader.used
