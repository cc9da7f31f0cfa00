"""General rules added while measuring the corpus texts: emissions in sentences, per-year units,
the ESRS Scope 3 total of significant categories. Fixtures are our own words and numbers."""

from __future__ import annotations

import pytest

from assets import mapping, units
from assets.extract import prose


def _ghg(lines: list[str]) -> list[tuple[str, float, int | None]]:
    return [
        (v.metric_hint, v.value, v.year)
        for v in prose.extract(lines)
        if (v.metric_hint or "").startswith("ghg.")
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Totalt uppgår våra utsläpp inom scope 1 och 2 till 12 345 ton under 2025.",
            [("ghg.scope1_2", 12345.0, 2025)],
        ),
        (
            "Scope 1: utsläppen från koncernen (egna fordon och pannor) uppgick till 58 tCO2e.",
            [("ghg.scope1", 58.0, None)],
        ),
        (
            "Our Scope 2 emissions amounted to 1,250 tonnes CO2e in 2025.",
            [("ghg.scope2", 1250.0, 2025)],
        ),
        (
            "Scope 2 emissions by the location-based method: 812 tonnes 2025 (900 tonnes 2024).",
            [("ghg.scope2_location", 812.0, 2025)],
        ),
        ("- 432 ton CO2e utsläpp (Scope 1 och 2).", [("ghg.scope1_2", 432.0, None)]),
        ("In 2023 our Scope 1 emissions were 77 tCO2e.", [("ghg.scope1", 77.0, 2023)]),
    ],
)
def test_emissions_stated_in_a_sentence_are_read(line, expected):
    assert _ghg([line]) == expected


@pytest.mark.parametrize(
    "line",
    [
        "Scope 2 emissions were 0,031 ton CO2e/ kvm for both methods.",  # an intensity
        "Scope 1 emissions fell by 12% and amounted to 40 tCO2e.",  # digits between: unsure
        "Scope 1, 2 and 3 emissions amounted to 9 000 tonnes.",  # not Scope 1 alone
        "Scope 1 and 2 emissions in 2019 were compared with 2024 and were 500 tonnes.",
        "Scope 1 intensity was 3 tCO2e.",
    ],
)
def test_sentences_that_are_not_one_scopes_amount_are_not_read(line):
    assert _ghg([line]) == []


def test_two_years_before_the_value_leave_it_unread():
    assert _ghg(["Between 2020 and 2025 Scope 1 emissions amounted to 60 tCO2e."]) == []


@pytest.mark.parametrize(
    ("printed", "expected"),
    [("ton/år", "t"), ("tonnes/year", "t"), ("kWh per year", "kWh"), ("tCO2e/år", "tCO2e")],
)
def test_an_amount_per_year_is_the_years_amount(printed, expected):
    assert units.parse_unit(printed).expression == expected


@pytest.mark.parametrize("printed", ["%/år", "ton/anställd/år"])
def test_a_rate_per_year_is_not_an_amount(printed):
    assert units.parse_unit(printed) is None


def test_the_scope_3_total_of_significant_categories_is_scope_3():
    label = "Gross Scope 3 GHG emissions (significant categories)"
    assert mapping.resolve(label, "GHG", None, "ktCO2e").metric_id == "ghg.scope3"
    named = mapping.resolve("Scope 3 categories 1, 4 and 6", "GHG", None, "ktCO2e")
    assert named.status == "ignored"


def test_a_source_tagged_scope_1_under_a_scope_1_heading_is_a_part():
    """'Service vans (scope 1)' under 'Scope 1 emissions' names its scope as a tag: it is one
    source among its siblings, not the heading's total; alone, the tag still reads Scope 1."""
    part = mapping.resolve("Scope 1 emissions (t) / Service vans (scope 1)", "GHG", None, "tCO2e")
    assert (part.metric_id, part.rule_id, part.breakdown) == (
        "ghg.scope1",
        "scope1_parts",
        "Service vans (scope 1)",
    )
    total = mapping.resolve("Scope 1 emissions (t) / Total scope 1", "GHG", None, "tCO2e")
    assert total.breakdown is None
