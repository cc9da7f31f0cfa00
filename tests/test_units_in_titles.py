"""A unit printed after Swedish 'i', or with a note mark fused to it. Fixtures are our own
words."""

from __future__ import annotations

import pytest

from assets.extract.units_in_text import known, unit_in


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("Utsläpp i ton CO2e", "ton CO2e"),
        ("Energianvändning i MWh", "MWh"),
        ("Vår klimatpåverkan i ton CO2e3", "ton CO2e"),  # note 3 fused to the unit
        ("Operational emissions, tCO2e¹", "tCO2e"),
        ("Andel kvinnor i styrelsen", None),
    ],
)
def test_a_unit_after_swedish_i_or_with_a_fused_note_is_read(text, unit):
    assert unit_in(text, tail=True) == unit


def test_a_unit_ending_in_a_digit_keeps_it():
    assert known("m3") == "m3"
    assert known("ton CO2e4") == "ton CO2e"
