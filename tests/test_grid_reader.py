"""The general table reader (assets/extract/grid.py) on one fixture per layout, each written for
these tests with numbers chosen here (tests/fixtures/layouts/)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assets import mapping
from assets.extract import document, layout, numbers, periods, years
from assets.extract.document import extract_text

LAYOUTS = Path(__file__).parent / "fixtures" / "layouts"
CALENDAR_2024 = years.Calendar(2024, date(2024, 1, 1), date(2024, 12, 31))


def _read(name: str, calendar: years.Calendar | None = None):
    return extract_text((LAYOUTS / name).read_text(), calendar)


def _facts(name: str, calendar: years.Calendar | None = None) -> set[tuple]:
    """(line, label, unit, year, value text) of every value read."""
    values, _ = _read(name, calendar)
    return {(v.line_number, v.label, v.unit, v.year, v.value_text) for v in values}


def test_year_header_forms_keep_only_actual_columns():
    """'2019 baseline', 'FY2024', 'FY2023', 'Change (%)', 'Target 2030': two actual years."""
    got = _facts("year_forms.txt")
    assert got == {
        (4, "Scope 1 emissions (tCO2e)", "tCO2e", 2024, "4120"),
        (4, "Scope 1 emissions (tCO2e)", "tCO2e", 2023, "4380"),
        (5, "Scope 2 emissions (tCO2e)", "tCO2e", 2024, "6050"),
        (5, "Scope 2 emissions (tCO2e)", "tCO2e", 2023, "6600"),
    }
    values, _ = _read("year_forms.txt")
    assert {v.column_header for v in values} == {"FY2024", "FY2023"}


def test_years_alone_printed_twice_with_a_unit_subheading():
    got = _facts("years_alone_twice.txt")
    assert (6, "Water withdrawal", "megalitres", 2024, "288") in got
    assert (6, "Water withdrawal", "megalitres", 2022, "310") in got
    assert (7, "Water discharge", "megalitres", 2023, "118") in got
    assert len(got) == 6  # the repeated header line is no row


def test_wrapped_labels_broken_units_and_fused_footnotes():
    values, errors = _read("wrapped_and_fused.txt")
    got = {(v.line_number, v.label, v.unit, v.year, v.value_text) for v in values}
    label = "Total energy consumed within the organisation (MWh)"
    assert (5, label, "MWh", 2024, "18250") in got  # label wrapped over two lines
    assert (9, "Scope 3 emissions (tCO2e)", "tCO2e", 2023, "48500") in got  # '(tCO2' / 'e)'
    assert (7, "Energy intensityb (MWh/employee)", "MWh/employee", 2024, "12.34") in got
    assert (8, "Lost-time injuries", None, 2024, "30") in got  # '301': 30 with note 1
    assumed = {(e.line_number, e.rule) for e in errors}
    assert {(7, "assumed_footnote_mark"), (8, "assumed_footnote_mark")} <= assumed


def test_units_from_cell_column_and_title():
    got = _facts("units_in_context.txt")
    assert (4, "Hazardous waste", "t", 2024, "14.2") in got  # unit column
    assert (5, "Electricity purchased", "MWh", 2023, "790") in got  # unit column over title
    assert (6, "Non-hazardous waste", "tonnes", 2024, "410") in got  # the title's unit


def test_single_year_table_and_a_label_value_row_without_header():
    got = _facts("single_year_and_rows.txt")
    assert (4, "Employees at year end", 2024, "212") in {(a, b, d, e) for a, b, _, d, e in got}
    assert (8, "Scope 1 emissions (tCO2e)", "tCO2e", None, "1150") in got  # report's year


def test_rows_per_method_under_a_heading_in_a_pipe_table():
    values, _ = _read("methods_pipe.txt")
    got = {(v.label, v.year, v.value_text) for v in values}
    assert ("Scope 2 / Location-based", 2024, "3400") in got
    assert ("Scope 2 / Market-based", 2023, "910") in got
    assert ("Scope 1", 2024, "1020") in got
    assert ("Scope 3", 2024, "20100") in got  # a sibling of the heading, not under it
    assert {v.table_title for v in values} == {"Greenhouse gas emissions / GHG emissions (tCO2e)"}
    assert {v.unit for v in values} == {"tCO2e"}


def test_side_by_side_tables_sharing_lines():
    got = {
        (v.line_number, v.label, v.unit, v.year, v.value_text) for v in _read("side_by_side.txt")[0]
    }
    assert (2, "Scope 1", "tCO2e", 2024, "1500") in got
    assert (2, "Electricity", "MWh", 2024, "9800") in got
    assert (3, "District heating", "MWh", 2023, "1260") in got
    assert len(got) == 8


def test_not_reported_marks_including_one_split_over_two_lines():
    values, _ = _read("not_reported.txt")
    marks = {(v.line_number, v.year): v for v in values}
    assert marks[(4, 2024)].value == 410
    for key in [(4, 2023), (4, 2022), (5, 2024), (5, 2023), (5, 2022)]:
        assert marks[key].not_reported and marks[key].value is None, key
    assert len(values) == 6  # 'reported' on its own line is no row


def test_prose_values():
    values, _ = _read("prose_values.txt")
    got = {(v.metric_hint, v.value, v.unit) for v in values}
    assert ("workforce.employees", 212, "persons") in got
    assert ("training.average_hours", 18.5, "hours") in got


def test_split_years_in_a_calendar_year_report_are_named_by_their_end():
    text = "\n".join(
        [
            "|                      | 2024/2025 | 2023/2024 |",
            "|----------------------|-----------|-----------|",
            "| Scope 1 (tCO2e)      | 1,764     | 1,931     |",
        ]
    )
    values, _ = extract_text(text, CALENDAR_2024)
    # '2023/2024' ends in the report's year; '2024/2025' ends after its period: no actual
    assert [(v.year, v.value_text, v.column_header) for v in values] == [
        (2024, "1931", "2023/2024")
    ]


def test_a_row_unit_at_another_scale_than_its_heading_is_not_read():
    text = "\n".join(
        [
            "| Emissions           | 2024 | 2023 |",
            "|---------------------|------|------|",
            "| Scope 2, MtCO2e     |      |      |",
            "| Market-based (tCO2e)| 0.04 | 0.03 |",
        ]
    )
    values, errors = extract_text(text)
    assert values == []
    assert {e.rule for e in errors} == {"units_disagree"}


def test_future_year_columns_are_never_actuals():
    text = "\n".join(
        [
            "| Scope 1 (tCO2e) | 2024 | 2023 | 2025 |",
            "|-----------------|------|------|------|",
            "| Own vehicles    | 120  | 140  | 100  |",
        ]
    )
    values, _ = extract_text(text, CALENDAR_2024)
    assert {v.year for v in values} == {2023, 2024}


@pytest.mark.parametrize(
    ("printed", "conv", "expected"),
    [
        ("16 113", (False, False), 16113),
        ("1,150", (False, True), 1150),  # decimal dots elsewhere: a thousands comma
        ("1,150", (True, False), 1.15),  # decimal commas elsewhere: a decimal comma
        ("0,5", (False, False), 0.5),
        ("1.234,5", (False, False), 1234.5),
        ("181)", (False, False), 18),  # note 1) after the value
    ],
)
def test_number_conventions(printed, conv, expected):
    assert numbers.parse(printed, numbers.Convention(*conv)).number == pytest.approx(expected)


@pytest.mark.parametrize("printed", ["1,150", "(38)", "97 .4"])
def test_unsafe_numbers_raise(printed):
    with pytest.raises(numbers.Unsafe):
        numbers.parse(printed, numbers.Convention(True, True))


@pytest.mark.parametrize(
    ("cell", "role"),
    [
        ("2019 baseline", periods.BASE),
        ("Base year (2020)", periods.BASE),
        ("2020(basår)", periods.BASE),
        ("Target 2030", periods.TARGET),
        ("Change (%)", periods.CHANGE),
        ("2024 vs 2023", periods.CHANGE),
        ("FY2024", periods.ACTUAL),
        ("Innevarande år 2024", periods.ACTUAL),
        ("Unit", periods.UNIT),
    ],
)
def test_period_header_cells(cell, role):
    assert periods.classify(cell).role == role


def test_a_sentence_naming_a_year_is_no_header_cell():
    assert periods.classify("Performance highlights of the year 2024") is None


def test_pipe_rows_become_cell_lines():
    doc = layout.from_text("| a | 1 |\n|---|---|\nplain  words")
    assert [t.text for t in doc.lines[0].tokens] == ["a", "1"] and doc.lines[0].cells
    assert doc.lines[1].cells and doc.lines[1].tokens == []
    assert not doc.lines[2].cells


def test_extract_document_reads_a_layout_document_of_positioned_words():
    """A PDF-like document (x in points, a page per line) is read like a text."""
    lines = [
        layout.Line(1, [layout.Token("2024", 300, 320), layout.Token("2023", 380, 400)], page=3,
                    top=100, bottom=110),
        layout.Line(2, [layout.Token("Scope", 50, 75), layout.Token("1", 78, 82),
                        layout.Token("(tCO2e)", 85, 120), layout.Token("1,250", 298, 322),
                        layout.Token("1,310", 378, 402)], page=3, top=112, bottom=122),
    ]  # fmt: skip
    values, _ = document.extract_document(layout.Document(lines, {3: (595, 842)}))
    got = {(v.label, v.unit, v.year, v.value_text, v.page) for v in values}
    assert got == {
        ("Scope 1 (tCO2e)", "tCO2e", 2024, "1250", 3),
        ("Scope 1 (tCO2e)", "tCO2e", 2023, "1310", 3),
    }


def test_a_pdf_converted_to_text_with_page_breaks_blank_rows_and_a_dated_footer():
    """pdftotext-style text: form feeds start pages (line numbers still count line feeds only),
    rows spaced by blank lines stay one table, fused footnote lists ('diversity1,3') are no
    decimal commas, and the page footer's 'May 2025' is a date, not a 2024 value."""
    values, errors = _read("converted_pdf_text.txt")
    got = {(v.line_number, v.page, v.year, v.value_text) for v in values}
    assert (14, 2, 2022, "1215") in got  # '1,215': the footnote lists decide nothing
    assert (15, 2, 2024, "2655") in got
    assert (19, 2, 2023, "11.8") in got  # after a blank line and a heading, still the table
    assert not any(v.value_text == "2025" for v in values)
    assert not errors
    lines = (LAYOUTS / "converted_pdf_text.txt").read_text().split("\n")
    assert lines[14 - 1].split()[:2] == ["Purchased", "electricity"]  # line 14 as grep counts


def test_a_document_convention_ignores_a_stray_mark():
    dots = [f"{n}.5" for n in range(20)]
    assert numbers.Convention.of_document([*dots, "1,0891"]) == numbers.Convention(False, True)
    assert numbers.Convention.of_document([*dots, "1,5", "2,5", "3,5"]) == numbers.Convention(
        True, True
    )
    assert numbers.Convention.of(["diversity1,3", "($m)1,2"]) == numbers.Convention(False, False)
    assert numbers.Convention.of(["0,5"]) == numbers.Convention(True, False)


def test_a_table_convention_ignores_a_stray_decimal_comma():
    """One cell typed with a decimal comma ('2,35') in a table of a dozen decimal dots: a stray,
    so '4,260' beside it groups thousands; two commas against three dots decide nothing."""
    rows = "".join(f"| Gas {n} | t | {n}.4 | {n}.6 |\n" for n in range(1, 7))
    text = (
        "Air emissions\n\n| | Unit | 2024 | 2023 |\n|---|---|---|---|\n"
        "| Carbon dioxide | 1,000 t | 4,260 | 4,105 |\n"
        + rows
        + "| Noise area | km2 | 2,35 | 2.61 |\n"
    )
    values, _ = extract_text(text)
    got = {(v.label, v.year): v.value_text for v in values}
    assert got[("Carbon dioxide", 2024)] == "4260" and got[("Carbon dioxide", 2023)] == "4105"
    assert got[("Noise area", 2024)] == "2.35"
    assert numbers.Convention.of(["1,5", "2,5", "1.5", "2.5", "3.5"]) == numbers.Convention(
        True, True
    )


@pytest.mark.parametrize(
    ("before", "text", "date"),
    [("May", "2025", True), ("mars", "2024", True), ("Sep.", "2023", True),
     ("tonnes", "2025", False), ("May", "12,5", False)],
)  # fmt: skip
def test_a_year_after_a_month_name_is_a_date(before, text, date):
    assert periods.is_date(before, text) is date


def test_periods_spanning_sub_columns_and_a_value_centred_under_a_whole_period():
    """'FY2023' over 'Direct  Indirect': each value is read under its sub-column, labelled with
    the row label and the sub-column's name; a single value centred under a period is the row's
    value for the whole period; an identical period header below starts a new table."""
    values, _ = _read("period_spans.txt")
    got = {(v.line_number, v.label, v.unit, v.year, v.value_text) for v in values}
    assert (5, "Emissions (kgCO2e) / Direct", "kgCO2e", 2022, "4310") in got
    assert (5, "Emissions (kgCO2e) / Indirect", "kgCO2e", 2022, "612480") in got
    assert (5, "Emissions (kgCO2e) / Indirect", "kgCO2e", 2024, "587260") in got
    # the total row prints no unit: it takes the one unit the rows above it print
    assert (6, "Sum", "kgCO2e", 2022, "616790") in got
    assert (6, "Sum", "kgCO2e", 2024, "591165") in got
    assert (12, "Water drawn (m3) / Recycled", "m3", 2023, "9120") in got
    assert (13, "Total", "m3", 2023, "78970") in got
    assert not any(v.line_number in (4, 11) for v in values)  # sub-headers are no rows
    by_line = {}
    for v in values:
        by_line.setdefault(v.line_number, []).append(v)
    assert [v.value_text for v in by_line[5] if v.year == 2023] == ["n/a", "598120"]
    assert {v.column_header for v in by_line[6] if v.value_text != "n/a"} == {"FY2022", "FY2024"}
    assert {v.column_header for v in by_line[5] if v.year == 2022} == {
        "FY2022 / Direct",
        "FY2022 / Indirect",
    }
    # 'Goal' under a year is no actual value; the actual sub-column still is
    assert {(v.label, v.year, v.value_text) for v in by_line[19]} == {
        ("Staff on payroll / Actual", 2023, "412"),
        ("Staff on payroll / Actual", 2024, "436"),
    }
    # the caption names each sub-column's unit
    assert {(v.label, v.unit, v.year) for v in by_line[25]} == {
        ("Energy bought / Diesel", "litres", 2023),
        ("Energy bought / Power", "MWh", 2023),
        ("Energy bought / Diesel", "litres", 2024),
        ("Energy bought / Power", "MWh", 2024),
    }


def test_period_spans_in_a_pdf():
    """The same layout printed in a PDF (x in points): sub-column values and the total centred
    under each year."""
    from assets.extract import pdf
    from tests import pdf_fixtures as fx

    doc = pdf.parse(fx.pdf_bytes([fx.period_span_page()]), "t.pdf", 10).document()
    values, _ = document.extract_document(doc, CALENDAR_2024)
    got = {(v.label, v.unit, v.year, v.value_text) for v in values}
    assert got == {
        ("Emissions (tCO2e) / On-site", "tCO2e", 2022, "212"),
        ("Emissions (tCO2e) / Grid", "tCO2e", 2022, "1540"),
        ("Emissions (tCO2e) / On-site", "tCO2e", 2023, "198"),
        ("Emissions (tCO2e) / Grid", "tCO2e", 2023, "1475"),
        ("Emissions (tCO2e) / On-site", "tCO2e", 2024, "187"),
        ("Emissions (tCO2e) / Grid", "tCO2e", 2024, "1390"),
        ("Total", "tCO2e", 2022, "1752"),
        ("Total", "tCO2e", 2023, "1673"),
        ("Total", "tCO2e", 2024, "1577"),
    }


def test_a_caption_under_a_table_naming_another_scale_withholds_its_rows():
    """Rows printing 't CO2e' under a caption repeating the table's words in 'kt CO2e' are not
    read (which is right is not guessed); a caption of other words below a table is no unit."""
    values, errors = _read("caption_below.txt")
    assert {(v.line_number, v.year, v.value_text) for v in values} == {
        (12, 2024, "5400"), (12, 2023, "5900"),
    }  # fmt: skip
    assert {e.line_number for e in errors if e.rule == "units_disagree"} == {5, 6}


def test_table_beside_prose_columns_reads_only_its_own_label_column():
    """A sentence of a text column left of the table (six words or more before a gutter) is
    not part of a label, nor is a text column right of the table in a wrapped label line: the
    wrapped '(t CO2e)' and 'per employee' join their rows; a label ending in a unit word gives
    the unit when nothing else does ('hours', 'employees')."""
    assert _facts("beside_prose.txt") == {
        (3, "Mean training hours per employee", "hours", 2022, "12"),
        (3, "Mean training hours per employee", "hours", 2023, "14"),
        (5, "Scope 1 emissions (t CO2e)", "t CO2e", 2022, "310"),
        (5, "Scope 1 emissions (t CO2e)", "t CO2e", 2023, "295"),
        (7, "Number of employees", "employees", 2022, "880"),
        (7, "Number of employees", "employees", 2023, "905"),
    }


@pytest.mark.parametrize(
    ("label", "unit"),
    [
        ("Average training hours per employee", "hours"),
        ("Total hours worked", "hours worked"),
        ("Emissions per tonne", None),
        ("Injury rate per 200,000 hours", None),
        ("Scope 1 emissions", None),
        ("hours", None),
    ],
)
def test_unit_named_by_a_label_s_last_words(label, unit):
    from assets.extract.units_in_text import unit_named

    assert unit_named(label) == unit


def test_a_period_with_words_over_prose_is_a_heading_and_prose_is_no_row():
    """'FY2023 Performance' over a sentence is a heading, so the year header below it is read;
    a sentence whose number falls under a year column and a footer ending in a year are not
    rows."""
    got = _facts("period_heading_and_prose.txt")
    assert got == {
        (5, "Water withdrawal (m3)", "m3", 2022, "1200"),
        (5, "Water withdrawal (m3)", "m3", 2023, "1150"),
        (6, "Customer score", "%", 2022, "71"),
        (6, "Customer score", "%", 2023, "74"),
        (9, "Energy use (MWh)", "MWh", 2022, "120"),
        (9, "Energy use (MWh)", "MWh", 2023, "130"),
    }


def test_a_table_with_periods_as_rows_reads_column_headers_as_labels():
    """Stacked column headers over rows that start with a period: each cell is (header, the
    row's year); rows of unequal values and a one-cell header stay unread."""
    got = _facts("years_as_rows.txt")
    assert got == {
        (5, "Number of fatalities", None, 2022, "0"),
        (5, "Rate of fatalities", "%", 2022, "0"),
        (5, "Recordable injuries", None, 2022, "7"),
        (6, "Number of fatalities", None, 2023, "1"),
        (6, "Rate of fatalities", "%", 2023, "0.1"),
        (6, "Recordable injuries", None, 2023, "10"),
    }


def test_a_label_wrapped_below_its_row_over_a_joining_word_goes_on_in_upper_case():
    """'Average Training' / 'Hours per' / 'Employee' is one label; a line ending in 'per' over
    a row is that row's label; a title-case line without a joining word stays a heading."""
    got = _facts("wrapped_title_case.txt")
    assert got == {
        (4, "Average Training Hours per Employee", "Hours", 2022, "12"),
        (4, "Average Training Hours per Employee", "Hours", 2023, "14"),
        (8, "Water use per Site", None, 2022, "5"),
        (8, "Water use per Site", None, 2023, "6"),
        (9, "Waste (t)", "t", 2022, "30"),
        (9, "Waste (t)", "t", 2023, "28"),
        (11, "Hazardous / Landfill", None, 2022, "3"),
        (11, "Hazardous / Landfill", None, 2023, "4"),
    }


def test_a_segment_table_is_read_through_its_whole_column_in_the_caption_s_period():
    """Regions side by side and a column that sums them: only that column is read, in the
    period the caption names; a row whose whole is not the sum is not read; a table with no
    period above it gives nothing."""
    values, errors = _read("segment_whole_column.txt", CALENDAR_2024)
    got = {(v.line_number, v.label, v.unit, v.year, v.value_text) for v in values}
    assert got == {
        (4, "Electricity use (MWh)", "MWh", 2024, "2000"),
        (6, "Water withdrawal (m3)", "m3", 2024, "600"),
    }
    assert [(e.line_number, e.rule) for e in errors] == [(8, "whole_not_sum")]


def test_a_note_under_the_table_names_the_unit_of_a_column_qualifier():
    """'Absolute emissions are stated in tonnes CO2e' under a table with no unit of its own:
    the 'Absolute emissions' columns take that unit; 'intensity in kg CO2e per sq m' is no
    known unit as a whole, so the intensity columns stay without one; 'Absolute energy is
    stated in MWh' names no column ('Absolute' is followed by 'energy'), so that table's
    mixed rows stay without a unit."""
    values, _ = _read("units_in_note_below.txt", CALENDAR_2024)
    got = {(v.line_number, v.column_header, v.value_text): v.unit for v in values}
    assert got[(7, "2024 / Absolute emissions", "812")] == "tonnes CO2e"
    assert got[(10, "2023 / Absolute emissions", "9615")] == "tonnes CO2e"
    assert got[(13, "2024 / Absolute emissions", "41230")] == "tonnes CO2e"
    assert got[(7, "2024 / Intensity", "0.3")] is None
    assert got[(22, "2024 / Absolute", "51200")] is None
    assert got[(23, "2024 / Absolute", "905")] is None
    assert got[(22, "2024 / Intensity", "88")] is None


def test_an_absolute_qualifier_in_the_path_leaves_the_row_to_be_matched():
    """Read end to end: the rows take their method and scope; a Scope 3 category under the
    Scope 3 heading with 'Absolute emissions' after it is no Scope 3 total."""
    values, _ = _read("units_in_note_below.txt", CALENDAR_2024)
    got = {}
    for v in values:
        res = mapping.resolve(v.label, v.table_title, v.column_header, v.unit)
        if res.metric_id and v.year == 2024:
            got[res.metric_id] = v.value_text
    assert got == {
        "ghg.scope1": "812",
        "ghg.scope2_market": "3075",
        "ghg.scope2_location": "9140",
        "ghg.scope3": "41230",
    }


def test_a_caption_under_a_table_names_no_unit_for_its_columns():
    """A short line under a table is a caption (of the table below it), not a note on this one."""
    text = (
        "| | 2024 | 2024 |\n|---|---|---|\n| | Absolute | Intensity |\n| Scope 1 | 420 | 0,2 |\n"
        "\nAbsolute in tCO2e\n\n| | 2024 |\n|---|---|\n| Scope 1 | 0,4 |\n"
    )
    values, _ = extract_text(text, CALENDAR_2024)
    assert {(v.value_text, v.unit) for v in values if v.line_number == 4} == {
        ("420", None),
        ("0.2", None),
    }


def test_a_note_names_a_column_unit_only_from_the_start_of_its_sentence():
    """'In the summary that follows, absolute emissions are stated in kilotonnes' speaks of
    the next table: the qualifier does not start the sentence, so the columns above keep no
    unit; a sentence that starts with it names the unit."""
    table = (
        "| | 2024 | 2024 |\n|---|---|---|\n| | Absolute emissions | Intensity |\n"
        "| Scope 1 | 640 | 0,4 |\n\n"
    )
    later = "In the summary that follows, absolute emissions are stated in kilotonnes CO2e.\n"
    values, _ = extract_text(table + later, CALENDAR_2024)
    assert {v.unit for v in values if v.line_number == 4} == {None}
    first = "Absolute emissions are stated in kilotonnes CO2e, as in the summary that follows.\n"
    values, _ = extract_text(table + first, CALENDAR_2024)
    assert {(v.value_text, v.unit) for v in values if v.line_number == 4} == {
        ("640", "kilotonnes CO2e"),
        ("0.4", None),
    }
