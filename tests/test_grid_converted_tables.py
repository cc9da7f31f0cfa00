"""Pipe tables as PDF-to-markdown converters print them (assets/extract/grid.py): a long title
cell, a table cut into blocks by blank lines, a unit in a description column. Each fixture is
written here with numbers chosen for the test."""

from __future__ import annotations

from datetime import date

from assets import mapping
from assets.extract import years
from assets.extract.document import extract_text

CALENDAR_2024 = years.Calendar(2024, date(2024, 1, 1), date(2024, 12, 31))


def _read(lines: list[str]):
    return extract_text("\n".join(lines), CALENDAR_2024)


def _got(values) -> set[tuple]:
    return {(v.line_number, v.label, v.unit, v.year, v.value_text) for v in values}


LONG_TITLE = (
    "| Direct and indirect greenhouse gas emissions of the group and its subsidiaries in all "
    "markets, tonnes | 2024 | 2023 |"
)


def test_a_pipe_header_with_a_long_title_cell_is_a_header():
    values, _ = _read([LONG_TITLE, "|---|---|---|", "| Scope 1 | 710.5 | 655.0 |"])
    assert _got(values) == {
        (3, "Scope 1", "tonnes", 2024, "710.5"),
        (3, "Scope 1", "tonnes", 2023, "655.0"),
    }


def test_a_table_goes_on_in_a_pipe_block_after_blank_lines():
    values, _ = _read(
        [
            LONG_TITLE,
            "|---|---|---|",
            "| Scope 1 |  |  |",
            "| Boilers | 400.0 | 380.0 |",
            "| Total | 710.5 | 655.0 |",
            "",
            "| Scope 2 |  |  |",
            "| Electricity | 90.0 | 95.0 |",
            "| Total | 1,204.0 | 1,318.5 |",
            "",
            "Some prose after the table.",
            "",
            "| Other table | 2024 | 2023 |",
            "|---|---|---|",
            "| Scope 3 | 1 | 2 |",
        ]
    )
    got = _got(values)
    assert (5, "Scope 1 / Total", "tonnes", 2024, "710.5") in got
    assert (9, "Scope 2 / Total", "tonnes", 2024, "1204.0") in got  # the block goes on
    assert (15, "Scope 3", None, 2024, "1") in got  # a block with its own separator: new table


def test_a_block_with_a_separator_or_other_cells_is_a_new_table():
    values, _ = _read(
        [
            "| Emissions, tonnes | 2024 | 2023 |",
            "|---|---|---|",
            "| Scope 1 | 710.5 | 655.0 |",
            "",
            "| Site | Area | Employees | Country |",
            "| Plant A | 12 | 40 | SE |",
        ]
    )
    assert {v.line_number for v in values} == {3}


def test_a_total_under_a_heading_is_that_headings_total_not_the_tables():
    title = "Greenhouse gas emissions, tonnes"
    assert mapping.resolve("Total", title, None, "t").metric_id == "ghg.total"
    assert mapping.resolve("Scope 1 / Total", title, None, "t").metric_id == "ghg.scope1"
    assert mapping.resolve("Leased buildings / Total", title, None, "t").metric_id is None


def test_a_unit_in_a_description_column_is_the_rows_unit():
    values, _ = _read(
        [
            "| EMISSIONS |  |  |  |",
            "|---|---|---|---|",
            "|  |  | 2024 | 2023 |",
            "| Scope 1 | t/yr | 1 250 | 1 310 |",
            "| Scope 2 | ton/år | 880 | 905 |",
            "| Share renewable | % | 97 | 96 |",
        ]
    )
    got = _got(values)
    assert (4, "Scope 1", "t/yr", 2024, "1250") in got
    assert (5, "Scope 2", "ton/år", 2023, "905") in got
    assert (6, "Share renewable", "%", 2024, "97") in got


def test_a_rows_ambiguous_commas_follow_the_marks_of_its_table_not_of_the_document():
    values, errors = _read(
        [
            "Elsewhere the report prints decimal commas: 12,5 and 3,25.",
            "",
            "| Emissions | Unit | 2024 | 2023 |",
            "|---|---|---|---|",
            "| Scope 1 | 1,000 tonnes | 3,171 | 3,081 |",
            "| Biogenic | 1,000 tonnes | 36.2 | 19.1 |",
        ]
    )
    got = {(v.line_number, v.year, v.value_text) for v in values}
    assert (5, 2024, "3171") in got and (5, 2023, "3081") in got
    assert not [e for e in errors if e.rule == "value_unsafe"]


GROUPED = [
    "| | North | North | South | South | Group | Group | Group |",
    "|---|---|---|---|---|---|---|---|",
    "| EMISSIONS, tCO2e | 2024 | 2023 | 2024 | 2023 | 2024 | 2023 | 2022 |",
    "| Scope 1 | 120 | 110 | 30 | 25 | 150 | 135 | 160 |",
    "| Scope 2 | 400 | 420 | 1 000 | 980 | 1 400 | 1 400 | 1 510 |",
    "| Scope 3 | 2 | - | 7 | 9 | 9 | 9 | 11 |",
]


def test_column_groups_over_repeated_years_read_only_the_group_that_sums_the_others():
    values, errors = _read(GROUPED)
    got = {(v.label, v.year, v.value_text, v.column_header) for v in values}
    assert ("Scope 1", 2024, "150", None) in got
    assert ("Scope 2", 2023, "1400", None) in got
    assert ("Scope 1", 2022, "160", None) in got
    assert not [v for v in values if v.value_text in ("120", "30", "1000")]  # parts: not read
    assert "group_part" in {e.rule for e in errors}
    assert "year_twice" not in {e.rule for e in errors}


SITES_BY_SCOPE = [
    "FOOTPRINT, kt CO2e",
    "",
    "| Site | Own | Own | Travel | Travel | All | All |",
    "|---|---|---|---|---|---|---|",
    "| | (Scope 1 and 2) | (Scope 1 and 2) | (part of Scope 3) | (part of Scope 3) | (sum) "
    "| (sum) |",
    "| | 2024 | 2023 | 2024 | 2023 | 2024 | 2023 |",
    "| Harbour | 1.5 | 1.7 | 40.0 | 42.0 | 41.5 | 43.7 |",
    "| Depot | 0.4 | 0.6 | 12.0 | 11.0 | 12.4 | 11.6 |",
    "| Yard | 0.3 | 0.2 | 8.0 | 9.0 | 8.3 | 9.2 |",
    "| Total | 2.2 | 2.5 | 60.0 | 62.0 | 62.2 | 64.5 |",
]


def test_a_total_row_is_read_under_every_group_when_one_group_is_the_sum():
    """Beside the group that sums the others, a part group's value in a row that only says
    Total is that group's total (its name decides the metric); its other rows stay unread."""
    values, errors = _read(SITES_BY_SCOPE)
    got = {(v.label, v.year, v.value_text) for v in values}
    assert ("Total / Own (Scope 1 and 2)", 2024, "2.2") in got
    assert ("Total / Travel (part of Scope 3)", 2023, "62.0") in got
    assert ("Total", 2024, "62.2") in got
    assert not [v for v in values if v.value_text in ("1.5", "40.0", "0.4")]  # parts: not read
    assert "group_part" in {e.rule for e in errors}
    by_label = {v.label: v for v in values if v.year == 2024}
    own = by_label["Total / Own (Scope 1 and 2)"]
    assert mapping.resolve(own.label, own.table_title, None, own.unit).metric_id == "ghg.scope1_2"
    travel = by_label["Total / Travel (part of Scope 3)"]  # a part of Scope 3, not its total
    assert mapping.resolve(travel.label, travel.table_title, None, travel.unit).metric_id is None


def test_column_groups_that_no_group_sums_qualify_their_columns():
    values, errors = _read(
        [
            "| | Market-based | Market-based | Location-based | Location-based |",
            "|---|---|---|---|---|",
            "| Scope 2, tCO2e | 2024 | 2023 | 2024 | 2023 |",
            "| Electricity | 70.5 | 80.0 | 260.0 | 250.0 |",
        ]
    )
    got = {(v.label, v.year, v.value_text, v.column_header) for v in values}
    assert got == {
        ("Electricity / Market-based", 2024, "70.5", "2024 / Market-based"),
        ("Electricity / Market-based", 2023, "80.0", "2023 / Market-based"),
        ("Electricity / Location-based", 2024, "260.0", "2024 / Location-based"),
        ("Electricity / Location-based", 2023, "250.0", "2023 / Location-based"),
    }
    assert not errors


def test_a_title_over_one_year_column_is_no_column_group():
    values, _ = _read(
        [
            "| KPI | Emissions of all scopes |  |",
            "|---|---|---|",
            "|  | 2024 | 2023 |",
            "| Scope 1 (tCO2e) | 510 | 470 |",
        ]
    )
    assert {(v.label, v.column_header) for v in values} == {("Scope 1 (tCO2e)", None)}


def test_a_pipe_label_cut_after_a_comma_goes_on_in_the_row_below():
    values, _ = _read(
        [
            "| Greenhouse gas emissions | 2024 | 2023 |",
            "| --- | --- | --- |",
            "| Direct emissions |",
            "| Gross scope 1 emissions, |",
            "| MtCO2e 4, 7 | 2,6 | 2,9 |",
            "| Share under trading schemes (%) | 99,1 | 98,7 |",
        ]
    )
    got = {(v.label, v.unit, v.year, v.value_text) for v in values}
    assert ("Direct emissions / Gross scope 1 emissions, MtCO2e", "MtCO2e", 2024, "2.6") in got
    assert ("Direct emissions / Share under trading schemes (%)", "%", 2023, "98.7") in got


def test_a_label_cell_repeated_on_every_row_of_its_group_is_a_group_cell():
    values, _ = _read(
        [
            "| Scope | Source | 2024 | 2023 |",
            "|---|---|---|---|",
            "| Scope 1, tCO2e | Company cars | 12 | 15 |",
            "| Scope 1, tCO2e | Refrigerants | 3 | 4 |",
            "| Scope 3, tCO2e | Category 6: Business travel | 40 | 38 |",
        ]
    )
    got = {(v.label, v.unit, v.year, v.value_text) for v in values}
    assert ("Scope 1, tCO2e / Company cars", "tCO2e", 2024, "12") in got
    assert ("Scope 1, tCO2e / Refrigerants", "tCO2e", 2024, "3") in got
    assert ("Scope 3, tCO2e / Category 6: Business travel", "tCO2e", 2023, "38") in got


def test_a_pipe_tables_caption_is_above_its_header_rows():
    values, _ = _read(
        [
            "Energy and emissions of our own offices",
            "",
            "|  |  | Outcome | Outcome |",
            "|---|---|---|---|",
            "|  | Measure | 2024 | 2023 |",
            "| Scope 1 | tCO2e | 4 | 6 |",
        ]
    )
    assert {v.table_title for v in values} == {"Energy and emissions of our own offices / Measure"}
    assert mapping.resolve(values[0].label, values[0].table_title, None, "tCO2e").status == (
        "ignored"
    )


def test_a_total_naming_its_quantity_totals_a_one_scope_table_across_its_sections():
    values, _ = _read(
        [
            "DIRECT EMISSIONS OF THE GROUP, SCOPE 1",
            "",
            "|  | Unit | FY 2024 | FY 2023 |",
            "|---|---|---|---|",
            "| Shipping |  |  |  |",
            "| CO2 total | 1,000 tonnes | 812 | 790 |",
            "| CO2e total Shipping | 1,000 tonnes | 820 | 801 |",
            "| Warehouses |  |  |  |",
            "| Gas boilers | tonnes | 1,450 | 1,510 |",
            "| Total | tonnes | 1,450 | 1,510 |",
            "| Total CO2e 2) | 1,000 tonnes | 822 | 803 |",
        ]
    )

    def metric(line: int) -> set[str | None]:
        return {
            mapping.resolve(v.label, v.table_title, None, v.unit).metric_id
            for v in values
            if v.line_number == line
        }

    assert metric(11) == {"ghg.scope1"}  # after the last section's rows, still the table's
    assert metric(10) == {None}  # a bare Total under a section heading is the section's
    assert metric(6) == {None} and metric(7) == {None}  # a section's totals name no scope
