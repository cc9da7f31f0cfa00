"""A row printing another scale than its heading or caption (units_disagree) is read in the
context's unit only when the document confirms that scale (grid.py `_confirm_scales`).
Fixtures written for these tests, numbers chosen here."""

from __future__ import annotations

from assets.extract.document import extract_text


def _read(lines: list[str]):
    values, errors = extract_text("\n".join(lines))
    read = {(v.line_number, v.unit, v.year, v.value_text) for v in values}
    return read, {(e.line_number, e.rule) for e in errors}


def _heading_table(market: str, location: str = "1.7  | 1.9  | 2.2") -> list[str]:
    return [
        "| Emissions              | 2024 | 2023 | 2022 |",
        "|------------------------|------|------|------|",
        "| Scope 2, kt CO2e       |      |      |      |",
        f"| Location-based         | {location} |",
        f"| Market-based (t CO2e)  | {market} |",
    ]


def test_a_sibling_printing_the_same_figures_in_the_headings_unit_confirms_its_scale():
    read, errors = _read(_heading_table("1.7  | 1.9  | 2.2"))
    assert {r for r in read if r[0] == 5} == {
        (5, "kt CO2e", 2024, "1.7"), (5, "kt CO2e", 2023, "1.9"), (5, "kt CO2e", 2022, "2.2"),
    }  # fmt: skip
    assert errors == {(5, "units_confirmed")}


def test_a_sibling_with_other_figures_confirms_nothing():
    read, errors = _read(_heading_table("1.7  | 1.8  | 2.2"))
    assert not {r for r in read if r[0] == 5}
    assert errors == {(5, "units_disagree")}


def test_one_figure_in_common_is_no_confirmation():
    read, errors = _read(
        [
            "| Emissions              | 2024 |",
            "|------------------------|------|",
            "| Scope 2, kt CO2e       |      |",
            "| Location-based         | 3.1  |",
            "| Market-based (t CO2e)  | 3.1  |",
        ]
    )
    assert {r[0] for r in read} == {4}
    assert errors == {(5, "units_disagree")}


def _caption_table(other: list[str]) -> list[str]:
    return [
        "| Indicator               | 2024 | 2023 |",
        "|-------------------------|------|------|",
        "| Direct (tonnes CO2e)    | 2.6  | 2.8  |",
        "| Indirect (tonnes CO2e)  | 4.1  | 4.4  |",
        "",
        "Emissions by indicator (kt CO2e)",
        "",
        "Some words between the two tables.",
        "",
        *other,
    ]


def test_the_same_label_printed_in_the_captions_unit_with_the_figure_confirms_it():
    """The other rows have no period header (and one misses its closing pipe): they are not
    read themselves, but one that prints two of the row's figures in the same order confirms
    the scale of the figures it prints; one figure in common (4,1) confirms nothing."""
    read, errors = _read(
        _caption_table(
            [
                "| Direct (kt CO2e) | 2,6 | 2,8 | 3,0",
                "| Indirect (kt CO2e) | 4,1 | 4,0 | 3,9 |",
            ]
        )
    )
    assert read == {(3, "kt CO2e", 2024, "2.6"), (3, "kt CO2e", 2023, "2.8")}
    assert errors == {(3, "units_confirmed"), (4, "units_disagree")}


def test_another_label_or_another_unit_confirms_nothing():
    read, errors = _read(
        _caption_table(
            [
                "| Direct total (kt CO2e) | 2,6 | 2,8 |",
                "| Indirect (tonnes CO2e) | 4,1 | 4,4 |",
            ]
        )
    )
    assert read == set()
    assert errors == {(3, "units_disagree"), (4, "units_disagree")}


def test_a_confirmed_row_takes_the_method_its_tables_footnote_states():
    """Confirmation happens as the table is read, so the title's footnote method reaches the
    confirmed row as it does the others."""
    values, _ = extract_text(
        "\n".join(
            [
                "| Emissions, kt CO2e2    | 2024 | 2023 | 2022 |",
                "|------------------------|------|------|------|",
                "| Scope 2, kt CO2e       |      |      |      |",
                "| Purchased heat         | 0.8  | 0.6  | 0.9  |",
                "| Total (t CO2e)         | 0.8  | 0.6  | 0.9  |",
                "",
                "2 Reported using the location-based method.",
            ]
        )
    )
    titles = {v.table_title for v in values if v.line_number == 5}
    assert titles == {"Emissions, kt CO2e2 [location-based method (note 2)]"}


def test_the_same_label_must_print_two_of_the_figures_in_their_order():
    """A five-year row of the same label in the caption's unit that shares one figure, or two
    in the other order, confirms nothing."""
    for other in (
        "| Direct (kt CO2e) | 0,3 | 0,9 | 2,6 | 1,1 |",
        "| Direct (kt CO2e) | 2,8 | 2,6 |",
    ):
        read, errors = _read(_caption_table([other]))
        assert read == set()
        assert errors == {(3, "units_disagree"), (4, "units_disagree")}


def test_zeros_in_common_with_a_sibling_confirm_nothing():
    """0 is the same figure at any scale: a sibling printing 0 | 0.6 | 0 beside a row printing
    the same confirms one figure only."""
    read, errors = _read(_heading_table("0  | 0.6  | 0", location="0  | 0.6  | 0"))
    assert {r[0] for r in read} == {4}
    assert errors == {(5, "units_disagree")}
