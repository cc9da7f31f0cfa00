"""Layout readers on short texts written for these tests (numbers chosen here)."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from assets import mapping
from assets.extract import kpi_csv, multi_year_text, prose, tab_tables, years
from assets.extract.document import extract_text
from assets.precision import PRINTED_DIGITS_SQL, ROUNDING_SQL


def test_tab_table_with_unit_column_and_intensity_column():
    lines = [
        "Resources\t\tUnit\tAmount\tIntensity (per tonne of product)",
        "\tElectricity\tMWh\t1,200\t0.5 MWh/tonne",
        "\tDiesel\tlitres\t/\t",
    ]
    got = [(v.label, v.unit, v.value_text, v.column_header) for v in tab_tables.extract(lines)[0]]
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
    got = [(v.label, v.unit, v.year, v.value_text) for v in tab_tables.extract(lines)[0]]
    assert got == [
        ("Hazardous waste", "tonnes", 2024, "12.5"),
        ("Hazardous waste", "tonnes", 2023, "11"),
        ("Non-hazardous waste", "tonnes", 2024, "80"),
        ("Non-hazardous waste", "tonnes", 2023, "-"),
    ]


def test_tab_table_right_aligns_rows_shorter_than_header():
    lines = ["\t\tOperators\tOffice staff", " The total training hours\t40 hours\t12 hours"]
    got = [(v.column_header, v.unit, v.value_text) for v in tab_tables.extract(lines)[0]]
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
        for v in multi_year_text.extract(lines)[0]
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
    assert [v.label for v in multi_year_text.extract(lines)[0]] == ["Diesel", "Diesel"]


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
    got = [(v.line_number, v.year, v.value_text) for v in multi_year_text.extract(lines)[0]]
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
        for v in tab_tables.extract(lines)[0]
    ]
    title = "Resource use / Indicator"
    assert got == [
        (5, "Purchased electricity", "MWh", 2024, "1,850", title),
        (5, "Purchased electricity", "MWh", 2023, "1,790", title),
        (6, "Water", "m³", 2024, "12,400", title),
        (6, "Water", "m³", 2023, "N/A", title),
    ]
    assert tab_tables.extract(lines)[0][0].raw_text == lines[4]  # the line as printed


def test_prose_values_carry_their_metric():
    lines = ["During the year the Group had a total of approximately **1,204** employees."]
    (value,) = prose.extract(lines)
    assert (value.metric_hint, value.value, value.unit) == (
        "workforce.employees",
        1204.0,
        "employees",
    )


def test_full_time_and_part_time_employees_is_the_headcount():
    lines = ["Our people: 1,870 full-time and part-time employees; 95 temporary employees."]
    (value,) = prose.extract(lines)
    assert (value.metric_hint, value.value) == ("workforce.employees", 1870.0)


def test_a_respectively_list_never_gives_its_first_figure():
    """In 'hiring and turnover rate of X% and Y% respectively' the first figure is the hiring
    rate: the generic turnover rule must not take it (the list rule in prose_patterns.csv may
    take Y, the figure in the metric's own place); a plain sentence is still read."""
    one_line = ["Hires and leavers gave a hiring and turnover rate of 12% and 9% respectively."]
    assert 12.0 not in [v.value for v in prose.extract(one_line)]
    two_lines = ["Our hiring and turnover rate of 14.5% and", "11.2% respectively. More text."]
    assert 14.5 not in [v.value for v in prose.extract(two_lines)]
    plain = ["The turnover rate was 9% in the year.", "Figures are respectively shown."]
    (value,) = prose.extract(plain)
    assert (value.metric_hint, value.value) == ("workforce.turnover_rate", 9.0)


def test_every_value_keeps_its_line_and_text():
    text = "Intro\n\nResources\tUnit\tAmount\nCoal\ttonnes\t12\n"
    (value,) = extract_text(text)[0]
    assert (value.line_number, value.raw_text) == (4, "Coal\ttonnes\t12")


def _tab(lines, calendar=None):
    values, errors = tab_tables.extract(lines, calendar)
    got = [(v.line_number, v.label, v.unit, v.year, v.value_text, v.value) for v in values]
    return got, [(e.line_number, e.rule) for e in errors]


def _text(lines, calendar=None):
    values, errors = multi_year_text.extract(lines, calendar)
    got = [(v.line_number, v.label, v.unit, v.year, v.value_text, v.value) for v in values]
    return got, [(e.line_number, e.rule) for e in errors]


def _csv_values(value: str) -> list:
    values, errors = kpi_csv.read(f'label,unit,year,value,source_line\nCoal,t,2024,"{value}",7\n')
    return [(v.value_text, v.value) for v in values] + [e.rule for e in errors]


def test_footnote_marks_after_numbers_are_dropped_in_every_layout():
    tab = ["Indicator\tUnit\t2024\t2023", "Water consumption\tm³\t9,100\t9,350²"]
    assert _tab(tab) == (
        [
            (2, "Water consumption", "m³", 2024, "9,100", 9100.0),
            (2, "Water consumption", "m³", 2023, "9,350", 9350.0),  # not unit '²'
        ],
        [],
    )
    text = ["Indicator Unit 2022 value 2023 value 2024 value", "Green power MWh 310 420† 515*"]
    got, errors = _text(text)
    assert [(v[3], v[4], v[5]) for v in got] == [
        (2022, "310", 310.0), (2023, "420", 420.0), (2024, "515", 515.0),
    ]  # fmt: skip
    assert errors == []
    assert extract_text("\n".join(text))[0][0].raw_text == text[1]  # printed marks kept there
    assert _csv_values("1,250‡") == [("1,250‡", 1250.0)]


def test_nil_is_zero_and_keeps_the_other_years_in_every_layout():
    tab = ["Indicator\tUnit\t2024\t2023", "Lost-time injuries\tcases\t3\tNil"]
    assert _tab(tab) == (
        [
            (2, "Lost-time injuries", "cases", 2024, "3", 3.0),
            (2, "Lost-time injuries", "cases", 2023, "Nil", 0.0),
        ],
        [],
    )
    text = ["Indicator Unit 2022 value 2023 value 2024 value", "Fatal accidents persons 2 None Nil"]
    got, _ = _text(text)
    assert [(v[3], v[4], v[5]) for v in got] == [
        (2022, "2", 2.0), (2023, "None", 0.0), (2024, "Nil", 0.0),
    ]  # fmt: skip
    assert not any(v.not_reported for v in multi_year_text.extract(text)[0])
    assert _csv_values("Nil") == [("Nil", 0.0)]


def test_number_in_parentheses_in_a_tab_table_is_recorded_not_guessed():
    lines = ["Indicator\tUnit\t2024\t2023", "Net change in headcount\tpersons\t12\t(7)"]
    got, errors = _tab(lines)
    assert got == [(2, "Net change in headcount", "persons", 2024, "12", 12.0)]
    assert errors == [(2, "value_in_parentheses")]
    (error,) = tab_tables.extract(lines)[1]
    assert "'(7)'" in error.message and "'2023'" in error.message


def test_space_grouped_thousands_in_a_tab_cell():
    lines = ["Material\tUnit\t2024\t2023", "Glass jars\ttonnes\t2 340\t12 005 100"]
    assert _tab(lines)[0] == [
        (2, "Glass jars", "tonnes", 2024, "2 340", 2340.0),
        (2, "Glass jars", "tonnes", 2023, "12 005 100", 12005100.0),
    ]


def test_space_grouped_multi_year_rows_are_read_only_when_unambiguous():
    lines = [
        "Indicator Unit 2024 2023",
        "Fuel oil litres 2 304 500 2 118 000",
        "Heat purchased MWh 31 420 29 980",
        "Steam tonnes 1 250 980",  # 1 250 | 980 or 1 | 250 980: not guessed
    ]
    got, errors = _text(lines)
    assert got == [
        (2, "Fuel oil", "litres", 2024, "2 304 500", 2304500.0),
        (2, "Fuel oil", "litres", 2023, "2 118 000", 2118000.0),
        (3, "Heat purchased", "MWh", 2024, "31 420", 31420.0),  # not unit 'MWh 31 420'
        (3, "Heat purchased", "MWh", 2023, "29 980", 29980.0),
    ]
    assert errors == [(4, "ambiguous_number_grouping")]


def test_unread_rows_of_a_multi_year_table_are_recorded_but_prose_is_not():
    lines = [
        "Indicator Unit 2022 value 2023 value 2024 value",
        "Coal tonnes 410 395 380",
        "Landfilled waste tonnes 52 48",  # two values for three years
        "In 2024 we opened a 40 MW solar farm, which",
        "supplied 12 sites and cut our emissions by 8.",
        "Water m³ 1,200 1,150 1,090",
        "Acme Holdings Limited | ESG Report 2024 | Page 2",  # running footers on short pages
        "Acme Holdings Limited | ESG Report 2024 | Page 3",
        "Acme Holdings Limited | ESG Report 2024 | Page 4",
    ]
    got, errors = _text(lines)
    assert [v[1] for v in got] == ["Coal"] * 3 + ["Water"] * 3
    assert errors == [(3, "row_unread")]


@pytest.mark.parametrize(
    ("header", "fiscal_year", "start", "end", "want"),
    [
        # April-March report named by its start year: '2024/25' is 2024
        ("FY2024/25\tFY2023/24", 2024, date(2024, 4, 1), date(2025, 3, 31), [2024, 2023]),
        ("2024/25\t2023/24", 2024, date(2024, 4, 1), date(2025, 3, 31), [2024, 2023]),
        # ... named by its end year: '2024/25' is 2025
        ("FY2024/25\tFY2023/24", 2025, date(2024, 4, 1), date(2025, 3, 31), [2025, 2024]),
        ("FY24/25\tFY23/24", 2024, date(2024, 4, 1), date(2025, 3, 31), [2024, 2023]),
        ("FY24/25\tFY23/24", 2025, date(2024, 4, 1), date(2025, 3, 31), [2025, 2024]),
        # a table labelled by end year in a report named by start year: shifted back
        ("FY2025\tFY2024", 2024, date(2024, 4, 1), date(2025, 3, 31), [2024, 2023]),
        ("FY25\tFY24", 2024, date(2024, 4, 1), date(2025, 3, 31), [2024, 2023]),
        # the same table labelled by start year already: kept
        ("FY2024\tFY2023", 2024, date(2024, 4, 1), date(2025, 3, 31), [2024, 2023]),
        # plain years, a calendar year, or metadata naming the end year: kept as printed
        ("2025\t2024", 2024, date(2024, 4, 1), date(2025, 3, 31), [2025, 2024]),
        ("FY2024\tFY2023", 2024, date(2024, 1, 1), date(2024, 12, 31), [2024, 2023]),
        ("FY2025\tFY2024", 2025, date(2024, 4, 1), date(2025, 3, 31), [2025, 2024]),
    ],
)
def test_year_headers_map_to_the_report_fiscal_year(header, fiscal_year, start, end, want):
    lines = [f"Indicator\tUnit\t{header}", "Training hours\thours\t12,400\t11,900"]
    values, _ = tab_tables.extract(lines, years.Calendar(fiscal_year, start, end))
    assert [v.year for v in values] == want
    printed = header.split("\t")
    shown = [None, None] if printed[0].isdigit() else printed
    assert [v.column_header for v in values] == shown  # the printed label stays visible


def test_split_year_header_is_a_year_in_multi_year_text_and_never_a_breakdown():
    april = years.Calendar(2024, date(2024, 4, 1), date(2025, 3, 31))
    lines = ["Indicator Unit FY2024/25 FY2023/24", "Training hours hours 12,400 11,900"]
    values, _ = multi_year_text.extract(lines, april)
    assert [(v.year, v.column_header) for v in values] == [
        (2024, "FY2024/25"), (2023, "FY2023/24"),
    ]  # fmt: skip
    assert tab_tables.extract(["Indicator\t2024/25", "Training hours\t12"])[0][0].year == 2024
    assert mapping.resolve("Training hours", None, "FY2024/25", "hours").breakdown is None
    short = ["Indicator Unit FY24/25 FY23/24", "Training hours hours 12,400 11,900"]
    assert [v.year for v in multi_year_text.extract(short, april)[0]] == [2024, 2023]
    assert mapping.resolve("Training hours", None, "FY24/25", "hours").breakdown is None
    assert years.parse("FY24/23") is None and years.parse("24/25") is None  # no split year


def test_a_header_that_looks_like_years_but_names_none_is_no_header():
    """'2024/23' is no split year: once a crash that rejected the whole report."""
    lines = ["Indicator Unit 2024/23 2023/22", "Electricity consumption MWh 1,000 900"]
    assert multi_year_text.extract(lines) == ([], [])


@pytest.mark.parametrize(
    ("printed", "value", "unit", "tolerance"),
    [("1.4¹", 1_400.0, "tCO2e", 50.0),  # 1.4 ktCO2e: footnote mark dropped, as the reader does
     ("1\u00a0400.4", 1_400_400.0, "tCO2e", 50.0),  # 1 400.4 ktCO2e, no-break space grouped
     ("Nil", 0.0, "t", 0.0), ("2,366", 2.366, "MWh/t", 0.0005), ("341", 341.0, "persons", 0.0)],
)  # fmt: skip
def test_the_printed_precision_reads_numbers_as_the_readers_do(printed, value, unit, tolerance):
    """A tolerance taken from a number the readers understood but this rule did not was
    0.005 t for 1.4 ktCO2e: valid totals failed."""
    con = duckdb.connect()
    row = f"SELECT *, {PRINTED_DIGITS_SQL} AS printed_digits FROM (SELECT $1 AS reported_value)"
    query = f"SELECT {ROUNDING_SQL} FROM (SELECT *, $2 AS value, $3 AS unit FROM ({row})) f"
    (got,) = con.execute(query, [printed, value, unit]).fetchone()
    assert got == pytest.approx(tolerance)


def test_prose_reads_a_sentence_on_within_its_text_column():
    """Two text columns on the same lines: each column's sentence is read on across its line
    break (the piece of the next line at the same x), never into the other column; a value is
    read once, on the line where its match starts."""
    from assets.extract import layout

    text = "\n".join(
        [
            "At year end we had a total of 2,045        Hires and leavers gave a hiring",
            "employees in nine countries, most of       and turnover rate of 18% and 13%",
            "them in engineering roles.                 respectively, both lower than before.",
        ]
    )
    lines = text.splitlines()
    got = {
        (v.line_number, v.metric_hint, v.value)
        for v in prose.extract(lines, layout.from_text(text))
    }
    assert got == {(1, "workforce.employees", 2045.0), (2, "workforce.turnover_rate", 13.0)}
    assert not prose.extract(lines)  # line by line neither sentence is whole


def test_a_line_keeps_the_page_its_text_starts_on_when_a_page_break_follows_it():
    from assets.extract import layout

    text = "Our staff turnover rate was\n7.5% in the year.\fREVIEW 2024\nNext page text\n"
    assert [ln.page for ln in layout.from_text(text).lines] == [1, 1, 2]
    values, _ = extract_text(text)
    assert [(v.value_text, v.page) for v in values if v.metric_hint] == [("7.5", 1)]
