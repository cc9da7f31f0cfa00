"""One form for every document before any table logic runs: lines of positioned tokens.

A PDF's text layer gives words with their boxes (x in points, page, top/bottom of the line); a
text document gives its lines, each token at its character columns. The table readers work on
tokens and their x-spans, whatever the input was, and every value they read keeps the page and
box of its line for its provenance and its evidence picture.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Token:
    """A word (or a table cell) and its horizontal span: points for PDFs, character columns
    for text."""

    text: str
    x0: float
    x1: float


@dataclass
class Line:
    """One printed line. `number` is 1-based and unique in its document: a text's line number;
    for a PDF, the line's position in the document's reading order (pages in order, lines top
    to bottom), which is also its line in the PDF's plain text (`Document.text`)."""

    number: int
    tokens: list[Token]
    page: int | None = None  # 1-based physical page (PDFs)
    top: float | None = None  # the line's box on its page, points from the page's top (PDFs)
    bottom: float | None = None
    cells: bool = False  # tokens are table cells (markdown pipe or tab row), not words

    @property
    def text(self) -> str:
        return " ".join(t.text for t in self.tokens)

    @property
    def x0(self) -> float:
        return min((t.x0 for t in self.tokens), default=0.0)

    @property
    def x1(self) -> float:
        return max((t.x1 for t in self.tokens), default=0.0)


@dataclass
class Document:
    """A document's lines in reading order, and its page sizes (PDFs: width, height in
    points)."""

    lines: list[Line]
    page_sizes: dict[int, tuple[float, float]] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """Plain text, a line per Line: line k of it is the Line numbered k."""
        return "\n".join(line.text for line in self.lines)


def char_width(doc: Document) -> float:
    """A word's width per character: 1 for text (columns), points per character for PDFs."""
    widths = [
        (t.x1 - t.x0) / len(t.text)
        for line in doc.lines[:4000]
        if not line.cells
        for t in line.tokens
        if len(t.text) >= 3
    ]
    return statistics.median(widths) if widths else 1.0


GUTTER_CHARS = 3  # a gap this many characters wide between words separates text columns


def column_pieces(line: Line, cw: float) -> list[list[Token]]:
    """A line of words cut at its gutters (gaps of GUTTER_CHARS characters or more): the
    pieces of the text columns it crosses, left to right. A line of cells is one piece."""
    pieces: list[list[Token]] = []
    for t in line.tokens:
        if pieces and (line.cells or t.x0 - pieces[-1][-1].x1 < GUTTER_CHARS * cw):
            pieces[-1].append(t)
        else:
            pieces.append([t])
    return pieces


_WORD = re.compile(r"\S+")


def text_line(number: int, text: str) -> Line:
    """A text line as whitespace-separated tokens at their character columns."""
    return Line(number, [Token(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)])


_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_PIPE_SEPARATOR = re.compile(r"^[\s|:-]*-[\s|:-]*$")


def cell_line(number: int, cells: list[str]) -> Line:
    """A table row whose cells are known (pipe or tab row): a token per cell, x = its index, so
    that columns line up by position whatever the cells' widths."""
    return Line(number, [Token(c.strip(), i, i + 1) for i, c in enumerate(cells)], cells=True)


def table_line(number: int, text: str) -> Line:
    """A text line: a markdown pipe row or a tab-separated row as cells (a pipe table's
    '|---|' separator as a row of no cells), any other line as words at their columns."""
    if _PIPE_ROW.match(text):
        if _PIPE_SEPARATOR.match(text):
            return Line(number, [], cells=True)
        return cell_line(number, text.strip()[1:-1].split("|"))
    if "\t" in text.strip("\n"):
        return cell_line(number, text.split("\t"))
    return text_line(number, text)


def text_lines(text: str) -> list[str]:
    """A text's lines as editors and grep number them: broken at line feeds only (a form feed,
    a converted PDF's page break, starts a page, not a line; it is dropped from the text)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [ln.removesuffix("\r").replace("\f", "") for ln in lines]


def from_text(text: str) -> Document:
    """A text document's lines, numbered from 1 as the file's lines are; where the text marks
    page breaks with form feeds (pdftotext does), each line keeps its page too: the page its
    text starts on (a form feed after a line's text, 'respectively.<FF>Page 2', starts the next
    line's page: the sentence it ends is read on from the line above)."""
    lines = [table_line(k, line) for k, line in enumerate(text_lines(text), start=1)]
    if "\f" in text:
        page = 1
        for line, raw in zip(lines, text.split("\n"), strict=False):
            lead = len(raw) - len(raw.lstrip("\f \t\r"))
            page += raw[:lead].count("\f")
            line.page = page
            page += raw[lead:].count("\f")
    return Document(lines)
