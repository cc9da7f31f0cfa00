"""An unseen issuer's report becomes correct canonical facts with no code change.

tests/fixtures/reports/harbour-2024.txt is a report written for these tests (numbers chosen
here) in the layouts real HKEX reports use: a multi-year table with a change-% column, its header
printed again after a page footer, footnotes fused to labels ('Scope 17'), units broken over two
lines ('(tonnes CO2' / 'e)'), units in parentheses, N/A / - / '/' / blank for not reported,
values in prose, chart-axis numbers, a single-year tab table, a fiscal year from April to March,
parts to sum (diesel by use, kinds of waste) and totals to keep (energy in GJ, GHG).
"""

from pathlib import Path

import pytest

from orchestration.settings import REPO_ROOT
from tests.conftest import built_warehouse, needs_shared_reports

FIXTURES = Path(__file__).parent / "fixtures" / "reports"
H = "HARBOUR"
DIESEL = 0.84 / 1000  # t per litre, the assumed density
# year, metric, breakdown, value (canonical), unit, basis, line
EXPECTED = [
    (2024, "ghg.scope1", None, 1250, "tCO2e", "reported", 16),
    (2023, "ghg.scope1", None, 1310, "tCO2e", "reported", 16),
    (2022, "ghg.scope1", None, 1400, "tCO2e", "reported", 16),
    (2024, "ghg.scope2", None, 3400, "tCO2e", "reported", 18),
    (2024, "ghg.total", None, 4650, "tCO2e", "reported", 19),
    (2022, "ghg.total", None, 4900, "tCO2e", "reported", 19),
    (2024, "ghg.intensity_per_employee", None, 1.1, "tCO2e/person", "reported", 20),
    (2024, "ghg.intensity_per_site", None, 332.1, "tCO2e/site", "reported", 21),
    (2022, "ghg.intensity_per_revenue_hkd", None, 2.6, "tCO2e/HK$ million", "reported", 22),
    (2024, "waste.hazardous", None, 12.4, "t", "reported", 25),
    (2023, "waste.hazardous", None, 11.9, "t", "reported", 25),
    (2024, "waste.non_hazardous", "General waste", 820, "t", "reported", 26),
    (2024, "waste.non_hazardous", "Construction waste", 1100, "t", "reported", 27),
    (2024, "waste.non_hazardous", None, 1920, "t", "derived", 26),
    (2023, "waste.non_hazardous", None, 1770, "t", "derived", 26),
    (2022, "waste.non_hazardous", "General waste", 760, "t", "reported", 26),
    (2024, "energy.total", None, 10000, "MWh", "reported", 32),  # 36,000 GJ
    (2023, "energy.total", None, 9800, "MWh", "reported", 32),  # 35,280 GJ
    (2024, "energy.electricity", None, 7200, "MWh", "reported", 33),  # 'Megawatt-hour'
    (2024, "energy.diesel", "Diesel - vehicles", 12000 * DIESEL, "t", "reported", 34),
    (2024, "energy.diesel", "Diesel - generators", 3000 * DIESEL, "t", "reported", 35),
    (2024, "energy.diesel", None, 15000 * DIESEL, "t", "derived", 34),
    (2022, "energy.diesel", None, 14600 * DIESEL, "t", "derived", 34),
    (2024, "energy.natural_gas", None, 41000, "m³", "reported", 36),  # 'thousand m3'
    (2024, "water.consumption", None, 45000, "m³", "reported", 38),  # '(m3' / ')'
    (2022, "water.consumption", None, 43900, "m³", "reported", 38),
    (2024, "materials.packaging", "Cardboard", 5.4, "t", "reported", 43),  # kg
    (2024, "materials.packaging", None, 5.4, "t", "reported", 45),  # the printed Total
    (2024, "workforce.employees", None, 4210, "persons", "reported", 48),  # prose
    (2024, "workforce.turnover_rate", None, 11.2, "%", "reported", 48),  # prose
]
NOT_PUBLISHED = [  # not reported ('N/A', '-', '/', blank), or a sum with a missing part
    (2022, "waste.hazardous", None),
    (2022, "waste.non_hazardous", "Construction waste"),
    (2022, "waste.non_hazardous", None),
    (2022, "energy.total", None),
    (2024, "materials.packaging", "Plastic film"),
]


@pytest.fixture(scope="module")
def harbour(tmp_path_factory):
    yield from built_warehouse(tmp_path_factory, "harbour", FIXTURES)


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda e: f"{e[0]}-{e[1]}-{e[2]}")
def test_written_report_gives_its_facts(harbour, expected):
    year, metric, breakdown, value, unit, basis, line = expected
    rows = harbour.execute(
        """SELECT value, unit, basis, source_line FROM mart.esg_facts
           WHERE issuer_id = ? AND fiscal_year = ? AND metric_id = ?
             AND breakdown IS NOT DISTINCT FROM ?""",
        [H, year, metric, breakdown],
    ).fetchall()
    assert len(rows) == 1, rows
    got_value, got_unit, got_basis, got_line = rows[0]
    assert got_value == pytest.approx(value)
    assert (got_unit, got_basis, got_line) == (unit, basis, line)


@pytest.mark.parametrize("missing", NOT_PUBLISHED, ids=str)
def test_not_reported_values_are_not_facts(harbour, missing):
    year, metric, breakdown = missing
    rows = harbour.execute(
        """SELECT value FROM mart.esg_facts WHERE issuer_id = ? AND fiscal_year = ?
           AND metric_id = ? AND breakdown IS NOT DISTINCT FROM ?""",
        [H, year, metric, breakdown],
    ).fetchall()
    assert rows == []


def test_chart_axis_numbers_and_change_column_are_not_data(harbour):
    lines = {n for (n,) in harbour.execute(
        "SELECT DISTINCT line_number FROM raw.reported_values").fetchall()}  # fmt: skip
    assert 10 not in lines and 11 not in lines  # '0 2,000 4,000 ...' and '2022 2023 2024'
    changes = harbour.execute(
        "SELECT count(*) FROM raw.reported_values WHERE value_text IN ('-4.6', '0.6', '-0.9')"
    ).fetchall()[0][0]
    assert changes == 0


def test_written_report_passes_every_error_check(harbour):
    errors = harbour.execute(
        "SELECT check_name, message FROM dq.current_check_results"
        " WHERE NOT passed AND severity = 'error'"
    ).fetchall()
    assert errors == []
    assert harbour.execute("FROM core.unmapped_values").fetchall() == []


def test_coverage_view_counts_what_was_found_and_mapped(harbour):
    row = harbour.execute(
        """SELECT numeric_rows, mapped, unmapped, not_reported, labels_without_numbers
           FROM core.document_coverage WHERE report = 'harbour-2024'"""
    ).fetchall()
    assert row == [(18, 49, 0, 3, None)]


def test_kpi_disclosure_per_issuer_year(harbour):
    status = dict(
        harbour.execute(
            "SELECT kpi, status FROM mart.kpi_disclosure"
            " WHERE issuer_id = 'HARBOUR' AND fiscal_year = 2022"
        ).fetchall()
    )
    assert status["A1.2"] == "disclosed"  # scopes 1 and 2
    assert status["A1.3"] == "disclosed_unreadable"  # hazardous waste printed N/A
    assert status["B1.1"] == "absent"  # the headcount is given for 2024 only
    assert status["A1.5"] == "not_tracked"  # a narrative KPI


@needs_shared_reports
def test_samples_unmapped_view_is_short_and_explained(shared_warehouse):
    rows = shared_warehouse.execute(
        "SELECT DISTINCT source_document, line_number, label FROM core.unmapped_values"
    ).fetchall()
    assert rows == [("northern-rare-earth-2024-esg-report.txt", 1662, "Petroleum")]
    readme = (REPO_ROOT / "README.md").read_text()
    assert "Petroleum" in readme and "1662" in readme
