"""How precisely a number was printed: the tolerance every consistency check allows.

A value printed as 0.02 stands for anything in [0.015, 0.025): half a unit of its last printed
digit, converted to the canonical unit. Whole counts of persons or items are exact. A derived
total carries the rounding of its parts (core.facts sums them, see assets/core.py).
"""

EXACT_UNITS = ("persons", "count")  # whole counts are exact, not rounded


# The rule in SQL over core.facts' columns `reported_value`, `value` and `unit`: half a step
# of the printed digits, scaled from the printed unit to the canonical one.
# Thousands separators dropped: commas and spaces ('1 150').
_PRINTED = "regexp_replace(trim(f.reported_value), '[,\\s]', '', 'g')"
_NUMBER = f"TRY_CAST({_PRINTED} AS DOUBLE)"
ROUNDING_SQL = f"""CASE
    WHEN f.reported_value IS NULL OR trim(f.reported_value) = '' THEN 0.0
    WHEN f.unit IN {EXACT_UNITS} AND {_NUMBER} % 1 = 0 THEN 0.0
    ELSE 0.5 * pow(10, -length(coalesce(split_part({_PRINTED}, '.', 2), '')))
         * coalesce(CASE WHEN abs({_NUMBER}) > 0 THEN abs(f.value / {_NUMBER}) END, 1.0)
END"""
