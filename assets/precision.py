"""How precisely a number was printed: the tolerance every consistency check allows.

A value printed as 0.02 stands for anything in [0.015, 0.025): half a unit of its last printed
digit, converted to the canonical unit. Whole counts of persons or items are exact. A derived
total carries the rounding of its parts (core.facts sums them, see assets/core.py).
"""

from assets.extract.values import FOOTNOTE, NIL

EXACT_UNITS = ("persons", "count")  # whole counts are exact, not rounded


# The rule in SQL over core.facts' columns `reported_value`, `value` and `unit`: half a step
# of the printed digits, scaled from the printed unit to the canonical one.
# What the readers drop from a printed number (assets/extract/values.py): thousands separators
# (commas, spaces, no-break spaces: '1 150') and footnote marks ('14,900¹').
_DROPPED = "[,\\s\\x{00a0}\\x{202f}" + FOOTNOTE.strip("[]+") + "]"
_PRINTED = f"regexp_replace(trim(f.reported_value), '{_DROPPED}', '', 'g')"
_NUMBER = f"TRY_CAST({_PRINTED} AS DOUBLE)"
_NIL = ", ".join(f"'{word}'" for word in sorted(NIL))
ROUNDING_SQL = f"""CASE
    WHEN f.reported_value IS NULL OR trim(f.reported_value) = '' THEN 0.0
    WHEN lower(trim(f.reported_value)) IN ({_NIL}) THEN 0.0  -- 'Nil' is an exact zero
    WHEN f.unit IN {EXACT_UNITS} AND {_NUMBER} % 1 = 0 THEN 0.0
    ELSE 0.5 * pow(10, -length(coalesce(split_part({_PRINTED}, '.', 2), '')))
         * coalesce(CASE WHEN abs({_NUMBER}) > 0 THEN abs(f.value / {_NUMBER}) END, 1.0)
END"""
