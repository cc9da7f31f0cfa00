"""A note linked by its mark to a table's one Scope 2 row that says what the report year's
figure would be by one named method: the row prints the other method, the note's figure is the
named method's. Fixtures are our own words and numbers."""

from __future__ import annotations

import datetime

import pytest

from assets import core, mapping
from assets.extract import document, years

_CAL = years.Calendar(2025, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))


def _facts(text: str) -> dict[tuple[str, int], str]:
    values, _ = document.extract_text(text, _CAL)
    out = {}
    for v in values:
        metric = mapping.resolve(v.label, v.table_title, v.column_header, v.unit).metric_id
        if metric and metric.startswith("ghg.scope2"):
            out[(metric, v.year)] = v.value_text
    return out


def _flat(scope2_label: str, note: str) -> str:
    return "\n".join(
        [
            "| Emissions | 2025 | 2024 |",
            "| --- | --- | --- |",
            "| Scope 1, tonnes CO2e | 41 | 38 |",
            f"| {scope2_label} | 27 | 30 |",
            "",
            note,
            "",
        ]
    )


def _grouped(rows: list[str], note: str) -> str:
    return "\n".join(
        [
            "| Omfattning | | 2025 | 2024 |",
            "| --- | --- | --- | --- |",
            "| Scope 1, ton CO2e | Tjänstebilar | 12 | 14 |",
            "| Scope 1, ton CO2e | Reservkraft | 3 | 2 |",
            *rows,
            "| Scope 3, ton CO2e | Tjänsteresor | 90 | 80 |",
            "",
            note,
            "",
        ]
    )


_ONE_ROW = ["| Scope 2, ton CO2e 1 | Köpt el och fjärrvärme | 140 | 150 |"]


def test_flat_row_with_english_note():
    text = _flat(
        "Scope 2, tonnes CO2e 1",
        "1 If calculated by the location-based method, our 2025 emissions from purchased "
        "energy would be 35 tonnes CO2e.",
    )
    facts = _facts(text)
    assert facts[("ghg.scope2_market", 2025)] == "27"
    assert facts[("ghg.scope2_location", 2025)] == "35"
    assert ("ghg.scope2_market", 2024) not in facts  # the note speaks of the report year only


def test_only_row_under_a_scope2_heading_with_swedish_note():
    text = _grouped(
        _ONE_ROW,
        "1 Om elen för 2025 räknades enligt platsbaserad metod (faktorer från AIB (2021)) "
        "skulle utsläppen i stället bli 410 ton koldioxidekvivalenter.",
    )
    facts = _facts(text)
    assert facts == {("ghg.scope2_market", 2025): "140", ("ghg.scope2_location", 2025): "410"}


def test_assumption_names_the_note_line():
    title = "Omfattning [location-based method (note 1, line 9)]"
    assumption = core.resolve_wording("Scope 2, ton CO2e 1", title, None, "ton CO2e", None)
    assert "note 1 on line 9" in assumption["assumption"]


@pytest.mark.parametrize(
    "note",
    [
        # no year, another year, no condition, a negation, another scale, two figures
        "1 Om elen räknades enligt platsbaserad metod skulle utsläppen bli 410 ton CO2e.",
        "1 Om elen för 2024 räknades enligt platsbaserad metod skulle utsläppen bli 410 ton CO2e.",
        "1 Enligt platsbaserad metod blev utsläppen 2025 410 ton CO2e.",
        "1 För 2025 skulle platsbaserad metod inte ge mer än 410 ton CO2e.",
        "1 Om elen för 2025 räknades enligt platsbaserad metod skulle utsläppen bli 4 kt CO2e.",
        "1 Om elen för 2025 räknades platsbaserat (410 ton) skulle el ge 380 ton CO2e.",
        # both methods named
        "1 Om 2025 räknades platsbaserat och inte marknadsbaserat skulle det bli 410 ton CO2e.",
    ],
)
def test_notes_that_state_no_other_method_figure(note):
    assert not [k for k in _facts(_grouped(_ONE_ROW, note)) if k[0] != "ghg.scope2"]


def test_two_rows_under_the_scope2_heading_are_parts():
    rows = [
        "| Scope 2, ton CO2e 1 | Köpt el | 100 | 110 |",
        "| Scope 2, ton CO2e 1 | Fjärrvärme | 40 | 40 |",
    ]
    note = (
        "1 Om elen för 2025 räknades enligt platsbaserad metod skulle utsläppen bli 410 ton CO2e."
    )
    assert _facts(_grouped(rows, note)) == {}


def test_a_part_alone_under_the_heading_is_no_scope2():
    rows = ["| Scope 2, ton CO2e 1 | varav förnybar el | 100 | 110 |"]
    note = (
        "1 Om elen för 2025 räknades enligt platsbaserad metod skulle utsläppen bli 410 ton CO2e."
    )
    assert _facts(_grouped(rows, note)) == {}
