"""Printed units -> pint quantities -> a metric's canonical unit.

pint does the arithmetic; the reviewed alias table (ref/unit_aliases.csv) says what a printed
unit means, and ref/conversion_factors.csv supplies densities where a dimension must change.
Only a reviewed alias is read: pint alone would read any string it can parse, and in report
text that is often wrong by orders of magnitude ('Mm³' as cubic megametres, 'mt' as millitonnes,
'MWh 48 210' as 10,080 MWh). An unknown unit is flagged (`units_convertible`) and a line in
unit_aliases.csv fixes it.
"""

from __future__ import annotations

import re
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


def _one(printed: str) -> ParsedUnit | None:
    text = " ".join(printed.split())
    if not any(ch.isalpha() or ch in "%³²" for ch in text):
        return None  # a bare number is not a unit
    hit = reference.unit_aliases().get(text) or _folded_aliases().get(text.casefold())
    return ParsedUnit(*hit) if hit else None


@cache
def parse_unit(printed: str | None) -> ParsedUnit | None:
    """Read a printed unit ('kWh', 'liter/tonne', 'm?/tREO') by its reviewed alias, or a ratio
    of two; None when unknown.

    Cached: readers ask about the same few units on every line (reference data is read once
    per process, as `reference` does)."""
    if printed is None or not printed.strip():
        return None
    whole = _one(printed)
    if whole is not None or "/" not in printed:
        return whole
    num, _, den = printed.partition("/")
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


def convert(value: float, printed: str | None, metric_id: str) -> Conversion:
    metric = reference.metrics()[metric_id]
    if not metric.pint_unit:
        return Conversion(value, printed, "not_converted", "kept in the reported unit")
    parsed = parse_unit(printed)
    if parsed is None:
        return Conversion(None, None, "unknown_unit", "")
    q = quantity(value, parsed)
    if metric.pint_unit == CURRENCY:
        return _in_currency(q, parsed.note)
    reached = reach(q, registry().parse_expression(metric.pint_unit), {metric_id})
    if reached is None:
        return Conversion(None, None, "incompatible_unit", "")
    converted, f = reached
    notes = [parsed.note] if parsed.note else []
    if f is not None:
        notes.append(f"{f.factor_id} {f.factor} ({f.source}; {f.edition})".strip())
    return Conversion(_clean(converted.magnitude), metric.canonical_unit, "ok", "; ".join(notes))
