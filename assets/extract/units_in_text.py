"""Where a table prints its unit, and the unit found there.

A unit is looked for, in order, in a text's last parentheses or brackets ('Scope 1 (tCO2e)',
'[t CO2]'), an unclosed parenthesis at its end (a unit broken over lines: '(tonnes CO2'), after
its last comma ('GHG emissions, tCO2e'), after a leading or trailing 'in' or Swedish 'i'
('In tonnes', 'Emissions in MWh', 'Utsläpp i ton CO2e'), a trailing '%', or the whole short
text ('tCO2e'). A candidate is a unit when the reviewed unit vocabulary (assets/units.py) knows
it, as printed or with the spaces a PDF conversion puts around subscripts closed up ('tCO 2 e'
-> 'tCO2e'), and without a note number after it, spaced ('ton CO 2 e 1') or fused to a final
letter ('ton CO2e1') when only the unit without it is known ('m3' stays cubic metres).

As a last resort a label's own last words may name its unit (`unit_named`): 'Average training
hours per employee' is counted in hours, 'Total hours worked' in hours worked.
"""

from __future__ import annotations

import re
from functools import lru_cache

from assets import units

_SUBSCRIPT_SPACE = re.compile(r"(?<=[A-Za-z])\s+(\d)(?:\s+(?=[A-Za-z-])|(?=\s*$)|(?=-))")
_CANDIDATES = (
    re.compile(r"\(([^()]{1,40})\)[^()]*$"),  # last parentheses
    re.compile(r"\[([^\[\]]{1,40})\][^\[\]]*$"),  # last brackets
    re.compile(r"\(([^()]{1,30})$"),  # an unclosed parenthesis at the end
    re.compile(r",\s*([^,]{1,30})$"),  # after the last comma
    re.compile(r"^(?:in|i)\s+(.{1,30})$", re.I),  # 'In tonnes'
    re.compile(r"\b(?:in|i)\s+(\S.{0,24})$", re.I),  # 'Emissions in tCO2e', 'Utsläpp i ton'
)


@lru_cache(maxsize=4096)
def known(text: str) -> str | None:
    """The unit as the vocabulary knows it (subscript spaces closed up), or None."""
    text = text.strip().strip(":;").strip()
    if not text or len(text) > 40:
        return None
    bare = re.sub(r"\s+\d{1,2}$", "", text)  # a note number after the unit ('ton CO 2 e 1')
    fused = re.sub(r"(?<=[^\W\d])[\d¹²³⁴⁵⁶⁷⁸⁹]$", "", text)  # fused to a letter ('ton CO2e1')
    for candidate in (
        text,
        _SUBSCRIPT_SPACE.sub(r"\1", text),
        _SUBSCRIPT_SPACE.sub(r"\1", bare),
        fused,
    ):
        if units.is_known(candidate):
            return candidate
    return None


def unit_in(text: str | None, tail: bool = False) -> str | None:
    """The unit a label, heading or title prints (see the module docstring), or None; with
    `tail` (a table's title) also its last two words or last word ('EMISSIONS TON CO2E')."""
    if not text:
        return None
    text = text.strip()
    for pattern in _CANDIDATES:
        m = pattern.search(text)
        if m and (unit := known(m.group(1))):
            return unit
    if text.endswith("%"):
        return "%"
    if len(text.split()) <= 4 and (unit := known(text)):
        return unit
    if tail:
        words = text.split()
        for n in (2, 1):
            if len(words) > n and (unit := known(" ".join(words[-n:]))):
                return unit
    return None


_PER_TAIL = re.compile(r"\s+per\s+[^\W\d]+(?:\s+[^\W\d]+)?$", re.I)


def unit_named(label: str | None) -> str | None:
    """The unit a label's last one or two words name, before an optional 'per <noun>' tail
    ('Average training hours per employee' -> 'hours'), or None. A unit after 'per', '/' or
    a number is a denominator or a base ('per tonne', 'per 200,000 hours'), never the unit."""
    if not label:
        return None
    words = _PER_TAIL.sub("", label.strip()).split()
    for n in (2, 1):
        if len(words) <= n:
            continue  # the whole label a unit: unit_in reads that
        before = words[-n - 1]
        candidate = " ".join(words[-n:])
        if before.casefold() in ("per", "/") or any(ch.isdigit() for ch in before + candidate):
            continue
        if unit := known(candidate):
            return unit
    return None
