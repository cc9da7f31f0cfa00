"""Printed units -> pint quantities -> a metric's canonical unit.

pint does the arithmetic; the reviewed alias table (ref/unit_aliases.csv) says what a printed
unit means, and ref/conversion_factors.csv supplies densities where a dimension must change.
Only a reviewed alias is read: pint alone would read any string it can parse, and in report
text that is often wrong by orders of magnitude ('Mm³' as cubic megametres, 'mt' as millitonnes,
'MWh 48 210' as 10,080 MWh). An unknown unit is flagged (`units_convertible`) and a line in
unit_aliases.csv fixes it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import pint

from assets import reference
from orchestration.settings import REF_DIR


@cache
def registry() -> pint.UnitRegistry:
    ureg = pint.UnitRegistry()
    ureg.load_definitions(str(REF_DIR / "unit_definitions.txt"))
    return ureg


@dataclass(frozen=True)
class ParsedUnit:
    expression: str  # pint expression
    note: str  # assumption behind the reading, if any


_WORD = re.compile(r"[a-z]{3,}")


def case_free(printed: str) -> bool:
    """Is case irrelevant in this alias? In a spelled-out name ('tonnes', 'Megalitres', 'HK$
    million') it is; in a symbol case is an SI prefix: ML is not ml, MWh is not mWh, MtCO2e
    (megatonnes) is not MTCO2e (metric tonnes). A name has a run of three lower-case letters."""
    return bool(_WORD.search(printed))


@cache
def _folded_aliases() -> dict[str, tuple[str, str]]:
    """Aliases of spelled-out names, matched whatever their case ('Tons', 'TONNES'); left out
    when two aliases differing only in case mean different things."""
    folded: dict[str, list[tuple[str, str]]] = {}
    for printed, value in reference.unit_aliases().items():
        if case_free(printed):
            folded.setdefault(printed.casefold(), []).append(value)
    return {k: v[0] for k, v in folded.items() if len(set(v)) == 1}


_GLYPHS = {"zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5"}
_GLYPH = re.compile(r"\s*/(" + "|".join(_GLYPHS) + r")(?:\.\w+)*\s*")
_CO2_SPLIT = re.compile(r"CO\s+2", re.IGNORECASE)


def normalise(printed: str) -> str:
    """The printed unit as a PDF converter should have given it: compatibility characters
    folded (CO₂ -> CO2, m³ -> m3), 'CO 2' rejoined, a glyph name ('/two.tf') read as its digit,
    spaces around a hyphen and runs of spaces dropped ('tCO 2 -ekv' -> 'tCO2-ekv')."""
    text = unicodedata.normalize("NFKC", printed).replace("\u00ad", "")
    text = _GLYPH.sub(lambda m: _GLYPHS[m.group(1)], text)
    text = _CO2_SPLIT.sub("CO2", text)
    text = re.sub(r"\s*-\s*", "-", text)
    return " ".join(text.split())


def _alias(text: str) -> ParsedUnit | None:
    hit = reference.unit_aliases().get(text) or _folded_aliases().get(text.casefold())
    return ParsedUnit(*hit) if hit else None


# A magnitude printed before a unit: "'000 kWh", '1,000 tonnes', 'thousand m3', 'million
# litres'. pint does the arithmetic; the words are the ones reports use (English, Swedish).
_MAGNITUDES = {"000": 1e3, "1000": 1e3, "thousand": 1e3, "thousands": 1e3, "tusen": 1e3,
               "million": 1e6, "millions": 1e6, "miljon": 1e6, "miljoner": 1e6}  # fmt: skip
_MAGNITUDE = re.compile(
    r"^(?:'|’)?(?P<mag>1[ ,.]?000|000|thousands?|millions?|tusen|miljon(?:er)?)"
    r"(?:\s+of)?\s*(?P<rest>.+)$",
    re.IGNORECASE,
)
# A mass of carbon dioxide, or of its equivalent: 'tCO2e', 'kton CO2e', 'ton CO2-ekv',
# 'Mt CO2-eq', 'tonnes of CO2 equivalent', 'kg CO2'. The mass is read by its alias.
_CO2_MASS = re.compile(
    r"^(?P<mass>.*?)\s*(?:of\s+)?CO2(?P<eq>-?\s*(?:e|eq|ekv|equivalents?|ekvivalenter)\.?)?$",
    re.IGNORECASE,
)
# An injury frequency rate's base: 'per 1,000,000 hours worked', 'per 200 000 arbetade timmar',
# '/ million hours'. The hours are read by their alias ('hours worked' is an alias of hour).
_RATE_BASE = re.compile(
    r"^(?:per|/)\s*(?P<n>\d{1,3}(?:[ ,.]?\d{3})*|million|miljon(?:er)?)\s+(?P<hours>.+)$",
    re.IGNORECASE,
)
# A unit with its heading's unit beside it, as a reader passes it: 'mL [megalitres]'.
# 'ton/år', 'tCO2e/year': an amount per year in an annual report is the year's amount.
_PER_YEAR = re.compile(
    r"^(?P<num>.+?)\s*(?:/|\bper\s+)\s*(?:år|year|yr|annum|a)\.?$", re.IGNORECASE
)
_WITH_CONTEXT = re.compile(r"^(?P<printed>.+?)\s*\[(?P<context>[^\[\]]+)\]$")
_CONTEXT_WORDS = re.compile(
    r"^\W*(?:(?:all\s+)?(?:figures|values|amounts)\s+)?(?:in|i|unit|enhet)\b\W*", re.IGNORECASE
)


# The gas first and the mass after it: 'CO2-eq, million tonnes', 'CO2e (kt)'.
_CO2_FIRST = re.compile(
    r"^CO2(?P<eq>-?\s*(?:e|eq|ekv|equivalents?)\.?)?\s*[,(]?\s*(?P<mass>[^,()]+?)\s*\)?$",
    re.IGNORECASE,
)


def _is_mass(expression: str) -> bool:
    return registry().parse_expression(expression).dimensionality == {"[mass]": 1}


def _co2(text: str) -> ParsedUnit | None:
    """A mass of CO2 or CO2e: kept apart, since tCO2 is not tCO2e (a report that gives CO2
    only is read as CO2e through a recorded factor, conversion_factors.csv co2_as_co2e)."""
    m = _CO2_MASS.match(text)
    if not m or not m.group("mass"):
        m = _CO2_FIRST.match(text)
    if not m or not m.group("mass"):
        return None
    mass = _one(m.group("mass"))
    if mass is None or not _is_mass(mass.expression):
        return None
    gas = "tCO2e" if m.group("eq") else "tCO2"
    return ParsedUnit(f"({mass.expression}) * {gas} / t", mass.note)


def _magnitude(text: str) -> ParsedUnit | None:
    m = _MAGNITUDE.match(text)
    if not m:
        return None
    rest = _one(m.group("rest"))
    if rest is None:
        return None
    factor = _MAGNITUDES[re.sub(r"[ ,.]", "", m.group("mag")).casefold()]
    return ParsedUnit(f"{factor:g} * ({rest.expression})", rest.note)


def _rate(text: str) -> ParsedUnit | None:
    """'per 200,000 hours worked' -> 1 / (200000 hour): a frequency rate's base."""
    m = _RATE_BASE.match(text)
    if not m:
        return None
    hours = _one(m.group("hours"))
    if hours is None or registry().parse_expression(hours.expression).dimensionality != {
        "[time]": 1
    }:
        return None
    n = m.group("n")
    base = 1e6 if n[0].isalpha() else float(re.sub(r"[ ,.]", "", n))
    return ParsedUnit(f"1 / ({base:g} * ({hours.expression}))", hours.note)


def _one(printed: str) -> ParsedUnit | None:
    text = " ".join(printed.split())
    if not any(ch.isalpha() or ch in "%³²" for ch in text):
        return None  # a bare number is not a unit
    hit = _alias(text)
    if hit is not None:
        return hit
    norm = normalise(text)
    if norm != text:
        hit = _alias(norm)
        if hit is not None:
            return hit
    return _magnitude(norm) or _co2(norm)


def _in_context(printed: str, context: str) -> ParsedUnit | None:
    """A row's unit read beside its heading's unit ('mL [megalitres]'): the row's own unit
    when it agrees with the heading's or the heading names none; the heading's when the row's
    is the same symbol in the wrong case (a lower-case 'mL' under 'in megalitres' is
    megalitres, recorded as an assumption); None when the two disagree."""
    own, heading = parse_unit(printed), parse_unit(_CONTEXT_WORDS.sub("", context).strip(" )"))
    if heading is None:
        return own
    if own is not None:
        q, h = quantity(1.0, own), quantity(1.0, heading)
        same = q.is_compatible_with(h) and math.isclose(q.to(h.units).magnitude, h.magnitude)
        return own if same else None
    symbols = [p for p, (expr, _) in reference.unit_aliases().items() if expr == heading.expression]
    if any(p.casefold() == printed.strip().casefold() for p in symbols):
        note = f"'{printed.strip()}' read as {heading.expression}: the report's heading says"
        return ParsedUnit(heading.expression, f"{note} '{context.strip()}'")
    return None


@cache
def parse_unit(printed: str | None) -> ParsedUnit | None:
    """Read a printed unit ('kWh', 'liter/tonne', 'm?/tREO', 'tCO 2 -ekv', "'000 kWh") by its
    reviewed alias, a magnitude before one, a mass of CO2 or CO2e, an injury rate's base, or a
    ratio of two; None when unknown. 'unit [heading unit]' reads a unit beside its heading's.

    Cached: readers ask about the same few units on every line (reference data is read once
    per process, as `reference` does)."""
    if printed is None or not printed.strip():
        return None
    ctx = _WITH_CONTEXT.match(printed.strip())
    if ctx:
        return _in_context(ctx.group("printed"), ctx.group("context"))
    whole = _one(printed)
    if whole is not None:
        return whole
    norm = normalise(printed)
    per_year = _PER_YEAR.match(" ".join(printed.split()))
    if per_year and not set("/%") & set(per_year.group("num")):
        return _one(per_year.group("num"))
    rate = _rate(norm)
    if rate is not None or "/" not in norm:
        return rate
    num, _, den = norm.partition("/")
    pn, pd_ = _one(num), _one(den)
    if pn is None or pd_ is None:
        return None
    note = "; ".join(n for n in (pn.note, pd_.note) if n)
    return ParsedUnit(f"({pn.expression}) / ({pd_.expression})", note)


def quantity(value: float, unit: ParsedUnit) -> pint.Quantity:
    return value * registry().parse_expression(unit.expression)


def is_known(printed: str | None) -> bool:
    return parse_unit(printed) is not None


@dataclass(frozen=True)
class Conversion:
    value: float | None
    unit: str | None
    status: str  # ok | unknown_unit | incompatible_unit | not_converted
    assumption: str


def _clean(x: float) -> float:
    """Drop binary floating-point noise (6106 ML -> 6106000.000000001 m³)."""
    return float(f"{x:.12g}")


def clean_sql(x: str) -> str:
    """_clean in SQL, for values converted in the warehouse: 12 significant digits."""
    return (
        f"CASE WHEN {x} IS NULL OR {x} = 0 THEN {x}"
        f" ELSE round({x}, 11 - CAST(floor(log10(abs({x}))) AS INTEGER)) END"
    )


def reach(
    q: pint.Quantity, target: pint.Quantity, metric_ids: set[str]
) -> tuple[pint.Quantity, reference.Factor | None] | None:
    """q in the target's unit: directly, or across dimensions through one applied factor of
    these metrics (a density, a calorific value), times or divided; None when neither works."""
    if q.is_compatible_with(target):
        return q.to(target), None
    if q.dimensionless:
        return None  # a share or a count times a density is no amount ('1.2 %' is not 1.2 m³/t)
    for f in reference.factors():
        if f.applied and metric_ids & set(f.metrics):
            fq = registry().parse_expression(f.factor)
            for candidate in (q * fq, q / fq):
                if candidate.is_compatible_with(target):
                    return candidate.to(target), f
    return None


@cache
def unit_conversion(printed: str | None, metric_id: str) -> Conversion:
    """One of this printed unit in the metric's canonical unit: the factor every value in it
    is multiplied by (all units here are linear). Cached: thousands of wordings share a few
    dozen units."""
    return convert(1.0, printed, metric_id)


def convertible(printed: str | None, metric_id: str) -> bool:
    """Can a value in this printed unit become the metric's canonical unit?"""
    return unit_conversion(printed, metric_id).status == "ok"


CURRENCY = "currency"  # metrics.csv pint_unit of an amount kept in its printed currency
RATE = "rate"  # metrics.csv pint_unit of a frequency rate kept on its printed base
KEPT_AS_PRINTED = (CURRENCY, RATE)
# Metrics counted in these units take a row that prints no unit ('Number of employees 1,438'):
# a headcount or a count of suppliers has only one unit.
COUNTED = ("person", "count")  # pint units that are markers, not pint expressions


@cache
def currency_code(printed: str | None) -> str | None:
    """The currency a printed unit or metadata field names, as the base unit money is kept in
    ('RMB million' -> 'CNY', 'HK$' -> 'HKD'); None when it names no known currency.

    Cached: every report's metadata names one of a few currencies (pint's conversion costs
    0.3 ms, about half of reading a report's metadata)."""
    parsed = parse_unit(printed)
    if parsed is None:
        return None
    conv = _in_currency(quantity(1.0, parsed), "")
    return conv.unit if conv.status == "ok" else None


def _in_currency(q: pint.Quantity, note: str) -> Conversion:
    """An amount in the base unit of its printed currency (RMB million -> CNY): no exchange
    rate is assumed, so the unit is the report's currency (checked against its metadata)."""
    base = q.to_base_units()
    dims = dict(base.dimensionality)
    if len(dims) == 1 and next(iter(dims)).startswith("[currency_") and 1 in dims.values():
        return Conversion(_clean(base.magnitude), str(base.units), "ok", note)
    return Conversion(None, None, "incompatible_unit", "")


def _on_its_base(value: float, unit: ParsedUnit) -> Conversion:
    """A frequency rate (injuries per N hours worked) kept on the report's base: rates per
    200,000 and per 1,000,000 hours are both in use (GRI 403-9 allows either) and converting
    one to the other would publish a figure the report never printed. The value is as printed,
    the unit 'rate', and the base is recorded beside it."""
    one = quantity(1.0, unit)
    if not one.check("1/[time]"):
        return Conversion(None, None, "incompatible_unit", "")
    base = 1 / one.to("1 / hour").magnitude
    kept = f"rate per {base:,.0f} hours worked (the report's base, kept)"
    return Conversion(_clean(value), RATE, "ok", "; ".join(n for n in (unit.note, kept) if n))


def convert(value: float, printed: str | None, metric_id: str) -> Conversion:
    metric = reference.metrics()[metric_id]
    if not metric.pint_unit:
        return Conversion(value, printed, "not_converted", "kept in the reported unit")
    parsed = parse_unit(printed)
    if parsed is None and not (printed or "").strip() and metric.pint_unit in COUNTED:
        return Conversion(value, metric.canonical_unit, "ok", "")  # a count needs no unit
    if parsed is None:
        return Conversion(None, None, "unknown_unit", "")
    q = quantity(value, parsed)
    if metric.pint_unit == CURRENCY:
        return _in_currency(q, parsed.note)
    if metric.pint_unit == RATE:
        return _on_its_base(value, parsed)
    reached = reach(q, registry().parse_expression(metric.pint_unit), {metric_id})
    if reached is None:
        return Conversion(None, None, "incompatible_unit", "")
    converted, f = reached
    notes = [parsed.note] if parsed.note else []
    if f is not None:
        notes.append(f"{f.factor_id} {f.factor} ({f.source}; {f.edition})".strip())
    return Conversion(_clean(converted.magnitude), metric.canonical_unit, "ok", "; ".join(notes))
