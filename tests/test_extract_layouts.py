"""Layout readers on short texts written for these tests (numbers chosen here)."""

from __future__ import annotations

from assets.extract import multi_year_text, prose, tab_tables
from assets.extract.document import extract_text


def test_tab_table_with_unit_column_and_intensity_column():
    lines = [
        "Resources\t\tUnit\tAmount\tIntensity (per tonne of product)",
        "\tElectricity\tMWh\t1,200\t0.5 MWh/tonne",
        "\tDiesel\tlitres\t/\t",
    ]
    got = [(v.label, v.unit, v.value_text, v.column_header) for v in tab_tables.extract(lines)]
    assert got == [
        ("Electricity", "MWh", "1,200", "Amount"),
        ("Electricity", "MWh/tonne", "0.5", "Intensity (per tonne of product)"),
        ("Diesel", "litres", "/", "Amount"),
    ]


def test_tab_table_with_year_columns_and_header_unit():
    lines = [
        "Waste (tonnes)\t2024\t2023",
        "Hazardous waste\t12.5\t11",
        "Non-hazardous waste\t80\t-",
    ]
    got = [(v.label, v.unit, v.year, v.value_text) for v in tab_tables.extract(lines)]
    assert got == [
        ("Hazardous waste", "tonnes", 2024, "12.5"),
        ("Hazardous waste", "tonnes", 2023, "11"),
        ("Non-hazardous waste", "tonnes", 2024, "80"),
        ("Non-hazardous waste", "tonnes", 2023, "-"),
    ]


def test_tab_table_right_aligns_rows_shorter_than_header():
    lines = ["\t\tOperators\tOffice staff", " The total training hours\t40 hours\t12 hours"]
    got = [(v.column_header, v.unit, v.value_text) for v in tab_tables.extract(lines)]
    assert got == [("Operators", "hours", "40"), ("Office staff", "hours", "12")]


def test_multi_year_rows_split_over_lines_and_mixed_with_prose():
    lines = [
        "Indicator Unit 2021 value 2022 value 2023 value",
        "Purchased",
        "Our plants keep improving how they use power, and MWh 10 20 30",
        "electricity",
        "the left column keeps talking here while the table goes on Natural gas m3 5 / 7",
        "Mystery fuel Tons 1 2 3",
    ]
    got = [
        (v.line_number, v.label, v.unit, v.year, v.value_text)
        for v in multi_year_text.extract(lines)
    ]
    assert got == [
        (3, "electricity", "MWh", 2021, "10"),
        (3, "electricity", "MWh", 2022, "20"),
        (3, "electricity", "MWh", 2023, "30"),
        (5, "Natural gas", "m3", 2021, "5"),
        (5, "Natural gas", "m3", 2022, "/"),
        (5, "Natural gas", "m3", 2023, "7"),
        (6, "Mystery fuel", "Tons", 2021, "1"),
        (6, "Mystery fuel", "Tons", 2022, "2"),
        (6, "Mystery fuel", "Tons", 2023, "3"),
    ]  # fmt: skip


def test_multi_year_table_ends_at_a_running_page_footer():
    footer = "Example Holdings Ltd. 2023 Sustainability Report"
    lines = [
        footer,
        "x",
        "y",
        "z",
        footer,
        "Indicator Unit 2022 2023",
        "Diesel Tons 4 5",
        "",
        footer,
        "Coal Tons 1 2",
    ]
    assert [v.label for v in multi_year_text.extract(lines)] == ["Diesel", "Diesel"]


def test_rows_alike_but_for_their_digits_are_not_a_page_footer():
    """Three rows with one shape once digits are masked ('Scope # ... #,# #,#') sit on
    neighbouring lines: a table, not a running footer printed once a page."""
    lines = [
        "Indicator Unit 2024 2023",
        "Scope 1 GHG emissions tCO2e 2,150 2,230",
        "Scope 2 GHG emissions tCO2e 8,420 8,610",
        "Scope 3 GHG emissions tCO2e 15,300 14,900",
        "Natural gas m³ 1,820 1,790",
    ]
    got = [(v.line_number, v.year, v.value_text) for v in multi_year_text.extract(lines)]
    assert got == [
        (2, 2024, "2,150"), (2, 2023, "2,230"),
        (3, 2024, "8,420"), (3, 2023, "8,610"),
        (4, 2024, "15,300"), (4, 2023, "14,900"),
        (5, 2024, "1,820"), (5, 2023, "1,790"),
    ]  # fmt: skip


def test_markdown_pipe_table_is_read_like_a_tab_table():
    lines = [
        "## Resource use",
        "",
        "| Indicator | Unit | 2024 | 2023 |",
        "|:----------|------|-----:|-----:|",
        "| Purchased electricity | MWh | 1,850 | 1,790 |",
        "| Water | m³ | 12,400 | N/A |",
    ]
    got = [
        (v.line_number, v.label, v.unit, v.year, v.value_text, v.table_title)
        for v in tab_tables.extract(lines)
    ]
    title = "Resource use / Indicator"
    assert got == [
        (5, "Purchased electricity", "MWh", 2024, "1,850", title),
        (5, "Purchased electricity", "MWh", 2023, "1,790", title),
        (6, "Water", "m³", 2024, "12,400", title),
        (6, "Water", "m³", 2023, "N/A", title),
    ]
    assert tab_tables.extract(lines)[0].raw_text == lines[4]  # the line as printed


def test_prose_values_carry_their_metric():
    lines = ["During the year the Group had a total of approximately **1,204** employees."]
    (value,) = prose.extract(lines)
    assert (value.metric_hint, value.value, value.unit) == (
        "workforce.employees",
        1204.0,
        "employees",
    )


def test_every_value_keeps_its_line_and_text():
    text = "Intro\n\nResources\tUnit\tAmount\nCoal\ttonnes\t12\n"
    (value,) = extract_text(text)
    assert (value.line_number, value.raw_text) == (4, "Coal\ttonnes\t12")
