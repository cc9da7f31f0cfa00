"""Tables in text squeezed to single spaces by a PDF converter (assets/extract/squeezed.py).
Every fixture is made up for these tests."""

from __future__ import annotations

from datetime import date

from assets.extract import document, squeezed
from assets.extract.years import Calendar

CAL = Calendar(2023, date(2023, 1, 1), date(2023, 12, 31))


def _read(text: str) -> dict[tuple[str, int], tuple[str, str | None]]:
    values = squeezed.extract(text.split("\n"), CAL)
    return {(v.label, v.year): (v.value_text, v.unit) for v in values}


def test_a_row_ends_in_one_value_per_period_of_the_header_above():
    got = _read(
        "Fleet emissions FY2021 FY2022 FY2023\n"
        "Direct fuel use tCO2e 4,120 3,980 3,455\n"
        "Waste sent to landfill (t) 88 71 64 A\n"
        "Share recycled 41% 45% 52%\n"
    )
    assert got[("Direct fuel use", 2021)] == ("4,120", "tCO2e")
    assert got[("Direct fuel use", 2023)] == ("3,455", "tCO2e")
    assert got[("Waste sent to landfill (t)", 2022)] == ("71", "t")  # 'A' mark dropped
    assert got[("Share recycled", 2023)] == ("52", "%")


def test_label_lines_above_values_alone_and_a_lost_subscript_are_joined():
    got = _read(
        "2021 2022 2023\n"
        "Scope 2 purchased power\n"
        "(t CO2\n"
        "e)\n"
        "610 575 530\n"
        "All scopes (t CO2\n"
        "e) 1,200 1,150 1,010\n"
    )
    assert got[("Scope 2 purchased power (t CO2e)", 2022)] == ("575", "t CO2e")
    assert got[("All scopes (t CO2e)", 2023)] == ("1,010", "t CO2e")


def test_a_label_number_before_the_values_and_a_unit_line_under_the_header():
    got = _read("Kind FY22 FY23\nktCO2e ktCO2e\nScope 1 12 9\n")
    assert got[("Scope 1", 2022)] == ("12", "ktCO2e")
    assert got[("Scope 1", 2023)] == ("9", "ktCO2e")


def test_rows_with_more_or_fewer_values_than_periods_are_not_read():
    got = _read("2021 2022 2023\nWater drawn (m3) 5,000 4,100 3,900 3,800\nSites 12 14\n")
    assert got == {}


def test_targets_roles_sentences_and_later_years_are_no_actuals():
    assert _read("Target 2025 2030\nEnergy (MWh) 900 800\n") == {}
    got = _read("2022 2023 2024\nPower bought (MWh) 300 280 250\n")
    assert set(got) == {("Power bought (MWh)", 2022), ("Power bought (MWh)", 2023)}
    assert _read("We grew from 2021 2022\nto a new level 300 280\n") == {}


def test_a_table_ends_at_a_page_break_and_after_lines_without_rows():
    lines = ["2022 2023", "Heat (MWh) 40 44", "Power (MWh) 10 12"]
    values = squeezed.extract(lines, CAL, pages=[1, 1, 2])
    assert {v.label for v in values} == {"Heat (MWh)"}
    gap = "2022 2023\nnote one\nnote two\nnote three\nnote four\nGas (MWh) 5 6\n"
    assert _read(gap) == {}


def test_only_texts_are_read_this_way_and_aligned_tables_stay_the_grids():
    text = "2022 2023\nScope 1 emissions (tCO2e) 120 110\n"
    values, _ = document.extract_text(text, CAL)
    assert {(v.extractor, v.year, v.value_text) for v in values} >= {
        ("squeezed", 2022, "120"),
        ("squeezed", 2023, "110"),
    }
    aligned = "                      2022      2023\nScope 1 emissions (tCO2e)    120       110\n"
    values, _ = document.extract_text(aligned, CAL)
    assert all(v.extractor != "squeezed" for v in values)


def test_periods_over_sub_columns_and_a_total_across_each_span():
    got = _read(
        "Emissions by scope\n"
        "2022 2023\n"
        "Direct Indirect Direct Indirect\n"
        "Plant emissions (kgCO2e) 1,500 9,000 1,400 8,700\n"
        "Grand total 10,500 10,100\n"
    )
    assert got[("Plant emissions (kgCO2e) / Direct", 2022)] == ("1,500", "kgCO2e")
    assert got[("Plant emissions (kgCO2e) / Indirect", 2023)] == ("8,700", "kgCO2e")
    assert got[("Grand total", 2023)] == ("10,100", "kgCO2e")  # the rows' unit above it


def test_a_share_sub_column_is_not_read_and_a_marked_not_reported_is_not_reported():
    got = _read("FY2022 FY2023\ntCO2e % tCO2e %\nScope 2 NA* 0.0 310 4.5\n")
    assert got == {("Scope 2", 2022): ("NA", "tCO2e"), ("Scope 2", 2023): ("310", "tCO2e")}


def test_rows_go_under_the_heading_above_them_unless_they_are_its_sibling():
    got = _read(
        "2022 2023\n"
        "Water drawn\n"
        "From wells (m3) 400 380\n"
        "From the city (m3) 900 870\n"
        "Water drawn in total (m3) 1,300 1,250\n"
    )
    assert ("Water drawn / From wells (m3)", 2022) in got
    assert ("Water drawn / From the city (m3)", 2023) in got
    assert ("Water drawn in total (m3)", 2023) in got


def test_cells_printed_one_per_paragraph_are_read_as_one_row():
    got = _read(
        "FY2022\n\nFY2023\n\nSteam bought (MWh)\n\n1,250\n\n1,180\n\nB\n\n"
        "Fuel oil (MWh)\n\n40\n\n35\n"
    )
    assert got[("Steam bought (MWh)", 2022)] == ("1,250", "MWh")
    assert got[("Fuel oil (MWh)", 2023)] == ("35", "MWh")


def test_label_lines_that_do_not_go_on_into_each_other_leave_the_row_unread():
    got = _read(
        "2022 2023\n"
        "Boilers on site (MWh)\n"
        "Company cars (MWh)\n"
        "70 65\n"
        "Solar\n"
        "Panels on the roof (MWh)\n"
        "12 15\n"
        "8 9\n"
    )
    assert ("Boilers on site (MWh) Company cars (MWh)", 2022) not in got
    assert not any(label.startswith(("Company", "Boilers")) for label, _ in got)
    assert got[("Solar / Panels on the roof (MWh)", 2023)] == ("15", "MWh")
    assert len(got) == 2  # '8 9' has no label


def test_rows_reporting_nothing_keep_the_table_and_footnote_signs_are_dropped():
    got = _read(
        "FY2022 FY2023\n"
        "Landfill (t) 30 25 *\n"
        "Incineration (t) - -\n"
        "Composting (t) - -\n"
        "Deep well (t) n/a n/a\n"
        "Export (t) - -\n"
        "All waste (t) 130 120\n"
    )
    assert got[("Landfill (t)", 2023)] == ("25", "t")
    assert got[("All waste (t)", 2022)] == ("130", "t")
    assert not any(label.startswith(("Incineration", "Export")) for label, _ in got)


def test_a_bare_total_under_a_heading_is_not_read():
    got = _read(
        "2022 2023\n"
        "Direct\n"
        "Boilers (tCO2e) 50 45\n"
        "Indirect\n"
        "Grid power (tCO2e) 80 70\n"
        "Total (tCO2e) 130 115\n"
    )
    assert got[("Indirect / Grid power (tCO2e)", 2023)] == ("70", "tCO2e")
    assert not any(label.endswith("Total (tCO2e)") for label, _ in got)


def test_a_row_whose_label_is_lost_and_its_marks_keep_the_table():
    got = _read(
        "2021\n\n2022\n\n2023\n\nHeat pumps (MWh)\n\n14\n\n16\n\n18\n\n"
        "Recycled share\n\n30%\n\n35%\n\n40%\n\n"
        "610\n\n620\n\n630\n\nB\n\nB\n\nB\n\n"
        "Fleet\n\nDiesel vans (MWh)\n\nPetrol cars (MWh)\n\n5\n\n6\n\n7\n\n"
        "Hydrogen trucks (MWh)\n\n2\n\n3\n\n4\n\nB\n"
    )
    assert got[("Recycled share", 2023)] == ("40", "%")  # '610 620 630' not joined to it
    assert got[("Hydrogen trucks (MWh)", 2022)] == ("3", "MWh")
    assert not any(v == "610" or label.startswith(("Fleet", "Diesel", "Petrol"))
                   for (label, _), (v, _u) in got.items())  # fmt: skip


def test_a_line_with_a_grouped_figure_is_no_label_of_the_row_below():
    got = _read(
        "FY2022 FY2023\n"
        "Scope 1,2 heat (tCO2e) 40 45\n"
        "Paper bought (t) 2,4107\n"
        "1,380\n"
        "7\n"
        "Water drawn\n"
        "(m3) 900 950\n"
        "Injury rate (per 100,000\n"
        "hours) 0.4 0.3\n"
    )
    assert got[("Scope 1,2 heat (tCO2e)", 2023)] == ("45", "tCO2e")
    assert not any(label.startswith("Paper") for label, _ in got)  # '1,380 7' is no row of it
    assert got[("Water drawn (m3)", 2022)] == ("900", "m3")
    assert got[("Injury rate (per 100,000 hours)", 2023)][0] == "0.3"


def test_a_one_row_table_takes_the_label_printed_above_its_header():
    got = _read(
        "Staff trained on safety (%)\n\nFY2022\n\nFY2023\n\n71%\n\n80%\n\n"
        "Our people grew this year and so did the team.\n\n"
        "Site visits\n\n2022\n\n2023\n\n12\n\n14\n\n9 11\n"
    )
    assert got[("Staff trained on safety (%)", 2023)] == ("80", "%")
    assert not any(label.startswith("Site visits") for label, _ in got)  # two rows: not lone


def test_the_label_lines_of_a_one_row_table_are_all_its_label():
    got = _read("FY2021 FY2022\nAverage Staff\nHours per\nWorker\n31 35\nOur staff learned more.\n")
    assert got[("Average Staff Hours per Worker", 2022)][0] == "35"
    two = _read("2022 2023\nWater use\nDrawn from\nwells (m3) 5 6\nTaken from rivers (m3) 7 8\n")
    assert ("Water use / Drawn from wells (m3)", 2023) in two  # two rows: a heading
