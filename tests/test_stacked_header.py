"""Period headers whose cells are stacked over several lines of words (grid.py rule 2), with
layouts and figures written for these tests: a text fixture and a PDF written by reportlab."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from assets.extract import document, pdf, years
from assets.extract.document import extract_text
from tests import pdf_fixtures as fx

LAYOUTS = Path(__file__).parent / "fixtures" / "layouts"
CALENDAR_2024 = years.Calendar(2024, date(2024, 1, 1), date(2024, 12, 31))
JULY_JUNE = years.Calendar(2024, date(2023, 7, 1), date(2024, 6, 30))


def test_sub_columns_stacked_under_period_names_are_read_by_their_own_unit():
    """'FY24' and 'CY23' over '(restated)', each over 'Gross amount [t CO2e]' and 'Share [%]'
    stacked over three lines: the amounts are read, the shares and the base year are not; the
    sentence naming years above is no header and the footnote below no row."""
    values, errors = extract_text((LAYOUTS / "stacked_header.txt").read_text(), CALENDAR_2024)
    got = {(v.line_number, v.label, v.unit, v.year, v.value_text) for v in values}
    assert got == {
        (8, "Scope 1", "t CO2e", 2024, "1510"),
        (8, "Scope 1", "t CO2e", 2023, "1620"),
        (9, "Scope 2", "t CO2e", 2024, "2200"),
        (9, "Scope 2", "t CO2e", 2023, "2310"),
        # a label wrapped over three lines below its values
        (10, "Upstream freight and warehousing and distribution", "t CO2e", 2024, "640"),
        (10, "Upstream freight and warehousing and distribution", "t CO2e", 2023, "700"),
        (13, "Scope 3", "t CO2e", 2024, "8210"),
        (13, "Scope 3", "t CO2e", 2023, "8350"),
        (14, "Total", "t CO2e", 2024, "12560"),
        (14, "Total", "t CO2e", 2023, "12980"),
    }
    assert {v.column_header for v in values} == {"FY24", "CY23 (restated)"}
    assert {v.table_title for v in values} == {"Source"}  # the label column's stacked title
    assert not any(e.line_number == 15 for e in errors)  # the footnote is read as no row


def test_a_calendar_year_column_keeps_its_year_in_a_july_to_june_report():
    """'CY23' is calendar 2023 whatever the fiscal year; 'FY24' is the report's own year."""
    values, _ = extract_text((LAYOUTS / "stacked_header.txt").read_text(), JULY_JUNE)
    assert {(v.column_header, v.year) for v in values} == {
        ("FY24", 2024),
        ("CY23 (restated)", 2023),
    }
    assert years.parse("CY2021") == years.YearLabel(2021, fy=False, split=False, calendar=True)
    assert years.parse("CY22/23") is None


def _method_page() -> fx.Page:
    """Two years, each over 'Location- / based / (tCO2e)' and 'Market- / based / (tCO2e)', and
    a total printed across both methods of a year."""
    subs = (280, 350, 440, 510)  # right edges at x + 40
    texts = [fx.Text(50, 100, "Energy-indirect emissions by method", 12)]
    texts += [fx.Text(338, 130, "2024"), fx.Text(498, 130, "2023")]
    texts += fx.row(145, "Emission", ["Location-", "Market-", "Location-", "Market-"], x_cells=subs)
    texts += fx.row(157, "source", ["based", "based", "based", "based"], x_cells=subs)
    texts += fx.row(169, "", ["(tCO2e)"] * 4, x_cells=subs)
    texts += fx.row(190, "Scope 2", ["3,410", "1,275", "3,620", "1,390"], x_cells=subs)
    texts += [
        fx.Text(50, 205, "Both methods"),
        fx.Text(300, 205, "19,999,999"),
        fx.Text(460, 205, "18,888,888"),
    ]
    return fx.Page(texts)


def test_a_pdf_period_header_over_stacked_sub_columns():
    doc = pdf.parse(fx.pdf_bytes([_method_page()]), "t.pdf", 10).document()
    values, _ = document.extract_document(doc, CALENDAR_2024)
    across = [v for v in values if v.label == "Both methods"]
    got = {(v.label, v.unit, v.year, v.value_text) for v in values if v not in across}
    assert got == {
        ("Scope 2 / Location- based", "tCO2e", 2024, "3410"),
        ("Scope 2 / Market- based", "tCO2e", 2024, "1275"),
        ("Scope 2 / Location- based", "tCO2e", 2023, "3620"),
        ("Scope 2 / Market- based", "tCO2e", 2023, "1390"),
    }
    # a figure centred across both sub-columns of a year is the row's value for the year
    # (rule 2b); it belongs to neither method
    assert {(v.label, v.unit, v.year, v.value_text) for v in across} == {
        ("Both methods", None, 2024, "19999999"),
        ("Both methods", None, 2023, "18888888"),
    }


def _share_page() -> fx.Page:
    """Two years, each over 'Gross / amount / (tCO2e)' and 'Share / [%]': a year with a
    share sub-column has no one value of its own, so a figure printed across both
    sub-columns of a year belongs to neither."""
    subs = (280, 350, 440, 510)
    texts = [fx.Text(50, 100, "Emissions and their shares", 12)]
    texts += [fx.Text(338, 130, "2024"), fx.Text(498, 130, "2023")]
    texts += fx.row(145, "Emission", ["Gross", "Share", "Gross", "Share"], x_cells=subs)
    texts += fx.row(157, "source", ["amount", "[%]", "amount", "[%]"], x_cells=subs)
    texts += fx.row(169, "", ["(tCO2e)", "", "(tCO2e)", ""], x_cells=subs)
    texts += fx.row(190, "Scope 1", ["3,410", "12.5", "3,620", "13.0"], x_cells=subs)
    texts += [
        fx.Text(50, 205, "Scope 2"),
        fx.Text(315, 205, "19,999,999"),
        fx.Text(475, 205, "18,888,888"),
    ]
    return fx.Page(texts)


def test_a_figure_across_sub_columns_of_a_year_without_a_value_of_its_own_is_not_read():
    doc = pdf.parse(fx.pdf_bytes([_share_page()]), "t.pdf", 10).document()
    values, _ = document.extract_document(doc, CALENDAR_2024)
    got = {(v.label, v.unit, v.year, v.value_text) for v in values}
    assert got == {
        ("Scope 1", "tCO2e", 2024, "3410"),
        ("Scope 1", "tCO2e", 2023, "3620"),
    }
