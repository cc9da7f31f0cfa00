"""Numbers in table cells, whatever the report's separators, and footnote marks fused to them.

- Thousands are grouped by commas, dots, spaces or no-break spaces; the decimal mark is a dot
  or a comma. A comma followed by exactly three digits ('1,150') is a thousands separator in a
  table whose other numbers use a decimal dot and a decimal mark in a table (or, failing that,
  a document) whose other numbers use a decimal comma ('0,5'); where both conventions are seen,
  or neither decides and the document prints decimal commas too, it is not guessed. In a
  document or a table, one or two marks of one kind against ten times as many of the other are
  strays.
- A value is printed as a number, a not-reported mark ('-', 'N/A', 'Not reported'), 'Nil'
  (zero), a number in parentheses (its sign is not guessed: an error), or a number followed by a
  unit ('37 tCO2e', '81%').
- A footnote reference closing a cell without an opening parenthesis ('181)', '5 7093)', '- 1)')
  is one digit (two after a space) and a parenthesis: the value is read without it, and the
  reading recorded.
- A footnote digit fused to a value is recognised from the row's other values only when it is
  safe: a value with one or two decimals more than all the others (two at least, printed with
  one number of decimals), or a small count with one digit more than all the others and five
  times their size, whose other digits fall among them. The value is then read without the
  digit and the assumption recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assets.extract.values import FOOTNOTE, is_nil, is_not_reported

_NUM = re.compile(
    rf"^(?P<sign>[-−–+]?)(?P<num>\d[\d,.\u00a0\u202f ]*?)(?P<marks>{FOOTNOTE})?"
    rf"\s*(?P<unit>%|‰|[A-Za-zµ°€$£¥³²\u00c0-\u024f][^()]{{0,24}})?$"
)
# A footnote reference closing a cell ('181)' is 18 with note 1, '- 1)'): one digit, or two
# after a space.
_NOTE_REF = re.compile(r"^(.*?\S)(?:(\d)|\s+(\d{1,2}))\)$")
_PARENS = re.compile(r"^\(\s*\d[\d,.\s]*\)$")
# A comma number fused to a word or a closing parenthesis ('diversity1,3', '($m)1,2') is a list
# of footnote references, not a decimal: the lookbehind leaves it out.
_COMMA_DECIMAL = re.compile(r"(?<![\w,.)])\d+,(?:\d{1,2}|\d{4,})(?![\d,])")
_DOT_DECIMAL = re.compile(r"(?<![\d,.])\d+\.(?:\d{1,2}|\d{4,})(?![\d.])")
_COMMA_GROUPS = re.compile(r"\d{1,3}(?:,\d{3}){2,}(?![\d])|\d,\d{3}\.\d")
_DOT_GROUPS = re.compile(r"\d{1,3}(?:\.\d{3}){2,}(?![\d])|\d\.\d{3},\d")


class Unsafe(Exception):
    """A printed number that cannot be read without a guess."""


@dataclass(frozen=True)
class Convention:
    """Which marks a table's numbers use: decimal comma seen, decimal dot seen."""

    comma_decimal: bool
    dot_decimal: bool

    @staticmethod
    def of(texts: list[str], fallback: Convention | None = None) -> Convention:
        """A table's convention (strays left out as in a document's); none seen: `fallback`."""
        conv = Convention.of_document(texts)
        if not (conv.comma_decimal or conv.dot_decimal) and fallback is not None:
            return fallback
        return conv

    @staticmethod
    def of_document(texts: list[str]) -> Convention:
        """A document's (or table's) convention: a mark seen at most twice against ten times as
        many of the other is a stray (a footnote fused to a number, a quoted figure, one cell
        typed with the other mark), not the convention."""
        joined = "  ".join(texts)
        comma = len(_COMMA_DECIMAL.findall(joined)) + len(_DOT_GROUPS.findall(joined))
        dot = len(_DOT_DECIMAL.findall(joined)) + len(_COMMA_GROUPS.findall(joined))
        if comma and comma <= 2 and dot >= 10 * comma:
            comma = 0
        elif dot and dot <= 2 and comma >= 10 * dot:
            dot = 0
        return Convention(bool(comma), bool(dot))


@dataclass(frozen=True)
class Value:
    text: str  # the number as the warehouse reads it ('3591.1', '16 113', '-'); see values.py
    unit: str | None = None  # a unit printed in the cell
    decimals: int = 0
    number: float | None = None
    note: str | None = None  # a footnote reference printed after the value ('181)': 18, '1)')


def not_reported(text: str) -> bool:
    return is_not_reported(text)


def _digits(num: str, conv: Convention) -> tuple[str, int]:
    """(canonical digits with a decimal dot, number of decimals) of a printed number."""
    num = re.sub(r"[\u00a0\u202f ]+", " ", num.strip())
    m = re.fullmatch(r"(\d{1,3}(?: \d{3})+|\d+)(?:([.,])(\d+))?", num)
    if m:
        whole, sep, dec = m.group(1).replace(" ", ""), m.group(2), m.group(3) or ""
        if sep and len(dec) == 3 and len(m.group(1)) <= 3 and whole != "0":
            decimal_seen = conv.comma_decimal if sep == "," else conv.dot_decimal
            grouping_seen = conv.dot_decimal if sep == "," else conv.comma_decimal
            if decimal_seen == grouping_seen and (decimal_seen or sep == ","):
                if decimal_seen:
                    raise Unsafe(f"'{num}': '{sep}' may group thousands or mark decimals")
                return whole + dec, 0  # no decimal comma seen: '1,150' groups thousands
            if grouping_seen and not decimal_seen:
                return whole + dec, 0
        return (f"{whole}.{dec}" if dec else whole), len(dec)
    for sep, dec_sep in ((",", "."), (".", ",")):
        g = re.fullmatch(
            rf"\d{{1,3}}(?:{re.escape(sep)}\d{{3}})+(?:{re.escape(dec_sep)}(\d+))?", num
        )
        if g:
            whole = num.split(dec_sep)[0].replace(sep, "")
            return (f"{whole}.{g.group(1)}" if g.group(1) else whole), len(g.group(1) or "")
    raise Unsafe(f"'{num}' is not a number in any grouping")


def parse(text: str, conv: Convention) -> Value | None:
    """The value a cell prints, None when it prints none; Unsafe when it cannot be read."""
    cell = text.strip()
    if not cell:
        return None
    ref = _NOTE_REF.match(cell)
    if ref and "(" not in cell:
        value = parse(ref.group(1), conv)
        if value is not None:
            note = ref.group(2) or ref.group(3)
            return Value(value.text, value.unit, value.decimals, value.number, note)
    if not_reported(cell):
        return Value(cell)
    if is_nil(cell):
        return Value(cell, number=0.0)
    if _PARENS.match(cell):
        raise Unsafe(f"'{cell}': a number in parentheses may be negative or a note")
    m = _NUM.match(cell)
    if not m:
        return None
    digits, decimals = _digits(m.group("num"), conv)
    sign = "-" if m.group("sign") in ("-", "−", "–") else ""
    unit = m.group("unit")
    return Value(sign + digits, unit.strip() if unit else None, decimals, float(sign + digits))


def fused_footnote(row: list[Value], k: int) -> tuple[Value, str] | None:
    """(value without the mark, the assumption) when row[k] carries a footnote digit fused to
    it, judged from the row's other values (see the module docstring); else None."""
    v = row[k]
    others = [o for i, o in enumerate(row) if i != k and o.number is not None]
    if v.number is None or len(others) < 2:
        return None
    places = {o.decimals for o in others}
    if len(places) == 1 and (d := places.pop()) > 0 and 0 < v.decimals - d <= 2:
        cut = v.decimals - d
        kept = v.text[:-cut]
        note = v.text[-cut:]
        return (
            Value(kept, v.unit, d, float(kept)),
            f"'{v.text}' read as {kept} with footnote {note}: the row's other values print"
            f" {d} decimals",
        )
    if v.decimals == 0 and all(o.decimals == 0 and o.number < 1000 for o in others):
        biggest = max(abs(o.number) for o in others)
        smallest = min(abs(o.number) for o in others)
        kept = v.text[:-1]
        if (
            kept
            and len(v.text.lstrip("-")) == len(str(int(biggest))) + 1
            and abs(v.number) >= 5 * max(biggest, 1)
            and smallest / 2 <= abs(float(kept)) <= biggest * 2
        ):
            return (
                Value(kept, v.unit, 0, float(kept)),
                f"'{v.text}' read as {kept} with footnote {v.text[-1]}: the row's other values"
                f" are {', '.join(o.text for o in others)}",
            )
    return None
