"""A Scope 2 method stated by a footnote under a table, or by the table's title. Fixtures are
our own words and numbers."""

from __future__ import annotations

import datetime

import pytest

from assets import mapping
from assets.extract import document, grid, years

_CAL = years.Calendar(2025, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))


def _metrics(text: str) -> dict[str, tuple[float, str | None]]:
    values, _ = document.extract_text(text, _CAL)
    out = {}
    for v in values:
        if v.year != 2025:
            continue
        metric = mapping.resolve(v.label, v.table_title, v.column_header, v.unit).metric_id
        if metric:
            out[metric] = (v.value, v.unit)
    return out


def _table(title: str, notes: list[str]) -> str:
    return "\n".join(
        [
            f"| {title} | 2025 | 2024 |",
            "| --- | --- | --- |",
            "| Scope 1 | 41 | 38 |",
            "| Scope 2 | 27 | 30 |",
            "| Scope 3 | 112 | 97 |",
            "",
            *notes,
            "",
        ]
    )


@pytest.mark.parametrize(
    ("title", "note", "metric"),
    [
        (
            "Vår klimatpåverkan i ton CO2e2",
            "2 Beräknas enligt marknadsbaserad metod, exklusive tjänsteresor.",
            "ghg.scope2_market",
        ),
        (
            "Utsläpp i ton CO2e1",
            "1 Redovisas med marknadsbaserad metod och inkluderar inte köpta tjänster.",
            "ghg.scope2_market",
        ),
        (
            "Operational emissions, tCO2e¹",
            "¹ Scope 2 emissions are reported using the location-based method.",
            "ghg.scope2_location",
        ),
    ],
)
def test_a_footnote_on_the_title_stating_the_method_qualifies_scope_2(title, note, metric):
    found = _metrics(_table(title, ["* Figures are rounded.", note]))
    assert found[metric][0] == 27.0
    assert "ghg.scope2" not in found
    assert found["ghg.scope1"][0] == 41.0 and found["ghg.scope3"][0] == 112.0


@pytest.mark.parametrize(
    ("title", "note"),
    [
        # a condition: the other method's figure, not the table's method
        ("Emissions, tCO2e1", "1 Had the location-based method been used, Scope 2 would be 55."),
        ("Utsläpp i ton CO2e1", "1 Om platsbaserad metod används skulle scope 2 bli 55 ton."),
        # both methods named
        ("Emissions, tCO2e1", "1 Reported using the market-based method; location-based: 80."),
        # a negation
        ("Emissions, tCO2e1", "1 Not calculated using the market-based method."),
        # the note is not the title's
        ("Emissions, tCO2e2", "1 Reported using the market-based method."),
        # no mark on the title
        ("Emissions, tCO2e", "1 Reported using the market-based method."),
        # another figure, a condition or a year anywhere in the note
        ("Emissions, tCO2e1", "1 Calculated using the market-based method, Scope 2 would be 64 t."),
        ("Emissions, tCO2e1", "1 Reported under the market-based method, Scope 2 is 64 t."),
        ("Emissions, tCO2e1", "1 Scope 2 is reported using the market-based method from 2025."),
        ("Emissions, tCO2e1", "1 Reported using the market-based method since FY24."),
        ("Utsläpp i ton CO2e1", "1 Redovisas med marknadsbaserad metod om inget annat anges."),
        # the note speaks of one carrier, not of the figures as a whole
        ("Emissions, tCO2e1", "1 Heat for the depot is reported using the market-based method."),
        # the title's last word is a unit with its digit, no mark
        ("Emissions in tCO2", "2 Reported using the market-based method."),
    ],
)
def test_other_footnotes_leave_scope_2_without_a_method(title, note):
    found = _metrics(_table(title, [note]))
    assert found["ghg.scope2"][0] == 27.0
    assert not {"ghg.scope2_market", "ghg.scope2_location"} & set(found)


def test_a_unit_or_formula_ending_in_a_digit_is_no_note_mark():
    assert grid._title_mark("Heat use, kWh/m2") is None
    assert grid._title_mark("Land use in km2") is None
    assert grid._title_mark("Releases of CH4") is None
    assert grid._title_mark("Utsläpp i ton CO2e1") == "1"
    assert grid._title_mark("Emissions, tCO2e³") == "3"


def test_a_title_naming_one_method_qualifies_a_scope_2_row_without_one():
    def metric(label: str, title: str) -> str | None:
        return mapping.resolve(label, title, None, "tCO2e").metric_id

    assert metric("Scope 2", "GHG emissions (market-based)") == "ghg.scope2_market"
    assert metric("Scope 2", "Utsläpp, platsbaserad metod") == "ghg.scope2_location"
    assert metric("Scope 2", "Market-based and location-based emissions") == "ghg.scope2"
    # the row's own method wins over the title's
    assert metric("Scope 2 location-based", "GHG emissions (market-based)") == (
        "ghg.scope2_location"
    )
    assert metric("Scope 1", "GHG emissions (market-based)") == "ghg.scope1"
