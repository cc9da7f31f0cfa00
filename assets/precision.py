"""How precisely a number was printed: the tolerance every consistency check allows.

A value printed as 0.02 stands for anything in [0.015, 0.025): half a unit of its last printed
digit, converted to the canonical unit. Whole counts of persons or items are exact. A derived
total carries the rounding of its parts (core.facts sums them, see assets/core.py).
"""

from assets.extract.values import FOOTNOTE, NIL

EXACT_UNITS = ("persons", "count")  # whole counts are exact, not rounded


# What the readers drop from a printed number (assets/extract/values.py): thousands separators
# (commas, spaces, no-break spaces: '1 150') and footnote marks ('14,900¹').
_DROPPED = "[,\\s\\x{00a0}\\x{202f}" + FOOTNOTE.strip("[]+") + "]"
# The printed number's characters as the readers read them, from a column `reported_value`.
# The caller computes it once per row as `printed_digits`: the rule below reads it three times
# (a regular expression per value is most of the rule's cost).
PRINTED_DIGITS_SQL = f"regexp_replace(trim(reported_value), '{_DROPPED}', '', 'g')"
_NUMBER = "TRY_CAST(f.printed_digits AS DOUBLE)"
_NIL = ", ".join(f"'{word}'" for word in sorted(NIL))
# The rule in SQL over the columns `reported_value`, `printed_digits`, `value` and `unit` of a
# row `f`: half a step of the printed digits, scaled from the printed unit to the canonical one.
ROUNDING_SQL = f"""CASE
    WHEN f.reported_value IS NULL OR trim(f.reported_value) = '' THEN 0.0
    WHEN lower(trim(f.reported_value)) IN ({_NIL}) THEN 0.0  -- 'Nil' is an exact zero
    WHEN f.unit IN {EXACT_UNITS} AND {_NUMBER} % 1 = 0 THEN 0.0
    ELSE 0.5 * pow(10, -length(coalesce(split_part(f.printed_digits, '.', 2), '')))
         * coalesce(CASE WHEN abs({_NUMBER}) > 0 THEN abs(f.value / {_NUMBER}) END, 1.0)
END"""
