"""An unseen issuer's report becomes correct canonical facts with no code change.

Two reports written for these tests (numbers chosen here), built into one warehouse:

- tests/fixtures/reports/harbour-2024.txt, HKEX layouts: a multi-year table with a change-%
  column, its header printed again after a page footer, footnotes fused to labels ('Scope 17'),
  units broken over two lines ('(tonnes CO2' / 'e)'), units in parentheses, N/A / - / '/' / blank
  for not reported, values in prose, chart-axis numbers, a single-year tab table, a fiscal year
  from April to March, parts to sum (diesel by use, kinds of waste) and totals to keep (energy in
  GJ, GHG).
- tests/fixtures/reports/maplestone-2024.txt, SSE layouts over a calendar year: the year header
  printed twice in a row and again on a continuation page, a running page header (with a page
  number) at the top of every page, Scope 1, 2 and 3 with their printed total, the units g, t,
  tons, kWh, L, liter, m³, ML and 'thousand ton' of water, per-tonne-of-product intensities
  (kWh/t, m³/t, L/t) beside the printed production tonnage, labels split over lines and mixed
  with prose, a single-year table, and a KPI named without its number.
"""

from pathlib import Path

import pytest

from orchestration.settings import REPO_ROOT
from tests.conftest import built_warehouse, needs_shared_reports

FIXTURES = Path(__file__).parent / "fixtures" / "reports"
H, M = "HARBOUR", "MAPLE"
DIESEL = 0.84 / 1000  # t per litre, the assumed density
GASOLINE = 0.74 / 1000  # t per litre, the assumed density
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
    (2024, "water.withdrawal", None, 45000, "m³", "reported", 38),  # "Water withdrawal", (m3 / )
    (2022, "water.withdrawal", None, 43900, "m³", "reported", 38),
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
# maplestone-2024.txt; table years print 2024 2023 2022 (lines 12-24), then 2022 2023 2024
# (lines 31-38), then 2024 alone (lines 42-44)
MAPLE_EXPECTED = [
    (2024, "production.output", None, 48000, "t", "reported", 12),  # 'tons'
    (2023, "production.output", None, 46500, "t", "reported", 12),
    (2022, "production.output", None, 47000, "t", "reported", 12),
    (2024, "ghg.scope1", None, 2150, "tCO2e", "reported", 13),
    (2022, "ghg.scope1", None, 2300, "tCO2e", "reported", 13),
    (2024, "ghg.scope2", None, 8420, "tCO2e", "reported", 14),
    (2023, "ghg.scope2", None, 8610, "tCO2e", "reported", 14),
    (2024, "ghg.scope3", None, 15300, "tCO2e", "reported", 15),
    (2023, "ghg.scope3", None, 14900, "tCO2e", "reported", 15),
    (2022, "ghg.scope3", None, 14100, "tCO2e", "reported", 15),
    (2024, "ghg.total", None, 25870, "tCO2e", "reported", 16),  # scopes 1+2+3, as printed
    (2023, "ghg.total", None, 25740, "tCO2e", "reported", 16),
    (2022, "ghg.total", None, 25300, "tCO2e", "reported", 16),
    (2024, "air.pm", None, 412, "kg", "reported", 17),  # 412,000 g
    (2023, "air.pm", None, 398, "kg", "reported", 17),
    (2024, "energy.electricity", None, 12480, "MWh", "reported", 20),  # 12,480,000 kWh
    (2022, "energy.electricity", None, 11750, "MWh", "reported", 20),
    (2024, "energy.electricity_intensity", None, 0.26, "MWh/t", "reported", 21),  # 260 kWh/t
    (2022, "energy.electricity_intensity", None, 0.25, "MWh/t", "reported", 21),
    (2024, "energy.natural_gas", None, 1820000, "m³", "reported", 22),  # 'm³' printed
    (2024, "energy.diesel", None, 56000 * DIESEL, "t", "reported", 23),  # 'L'
    (2023, "energy.diesel", None, 54200 * DIESEL, "t", "reported", 23),
    (2024, "energy.gasoline", None, 9500 * GASOLINE, "t", "reported", 24),  # 'liter'
    (2023, "energy.gasoline", None, 9800 * GASOLINE, "t", "reported", 24),
    (2024, "water.consumption", None, 596000, "m³", "reported", 31),  # 596 thousand ton
    (2022, "water.consumption", None, 574000, "m³", "reported", 31),
    (2024, "water.recycled", None, 410000, "m³", "reported", 34),  # 410 ML
    (2023, "water.recycled", None, 402000, "m³", "reported", 34),
    (2024, "water.consumption_intensity", None, 12.42, "m³/t", "reported", 36),
    (2023, "water.consumption_intensity", None, 12.54, "m³/t", "reported", 36),
    (2024, "waste.hazardous", None, 18.6, "t", "reported", 37),  # row after prose
    (2022, "waste.hazardous", None, 16.9, "t", "reported", 37),
    (2024, "waste.non_hazardous", None, 1240, "t", "reported", 38),
    (2022, "waste.non_hazardous", None, 1290, "t", "reported", 38),
    (2024, "workforce.employees", None, 1260, "persons", "reported", 42),  # single-year table
    (2024, "workforce.turnover_rate", None, 8.5, "%", "reported", 43),
    (2024, "energy.diesel_intensity", None, 1.17 * DIESEL, "t/t", "reported", 44),  # 1.17 L/t
]
MAPLE_NOT_PUBLISHED = [
    (2022, "energy.gasoline", None),  # printed '/'
    (2023, "workforce.employees", None),  # the single-year table gives 2024 only
    (2023, "energy.diesel_intensity", None),
    (2024, "air.nox", None),  # named above a chart, its number not printed as text
]


@pytest.fixture(scope="module")
def harbour(tmp_path_factory):
    """One warehouse built from every written report (harbour and maplestone together)."""
    yield from built_warehouse(tmp_path_factory, "written", FIXTURES)


def _ids(e) -> str:
    return "-".join(str(part) for part in e[:4])


@pytest.mark.parametrize(
    "expected", [(H, *e) for e in EXPECTED] + [(M, *e) for e in MAPLE_EXPECTED], ids=_ids
)
def test_written_report_gives_its_facts(harbour, expected):
    issuer, year, metric, breakdown, value, unit, basis, line = expected
    rows = harbour.execute(
        """SELECT value, unit, basis, source_line FROM mart.esg_facts
           WHERE issuer_id = ? AND fiscal_year = ? AND metric_id = ?
             AND breakdown IS NOT DISTINCT FROM ?""",
        [issuer, year, metric, breakdown],
    ).fetchall()
    assert len(rows) == 1, rows
    got_value, got_unit, got_basis, got_line = rows[0]
    assert got_value == pytest.approx(value)
    assert (got_unit, got_basis, got_line) == (unit, basis, line)


@pytest.mark.parametrize(
    "missing", [(H, *m) for m in NOT_PUBLISHED] + [(M, *m) for m in MAPLE_NOT_PUBLISHED], ids=_ids
)
def test_not_reported_values_are_not_facts(harbour, missing):
    issuer, year, metric, breakdown = missing
    rows = harbour.execute(
        """SELECT value FROM mart.esg_facts WHERE issuer_id = ? AND fiscal_year = ?
           AND metric_id = ? AND breakdown IS NOT DISTINCT FROM ?""",
        [issuer, year, metric, breakdown],
    ).fetchall()
    assert rows == []


def test_chart_axis_numbers_and_change_column_are_not_data(harbour):
    lines = {n for (n,) in harbour.execute(
        "SELECT DISTINCT line_number FROM raw.reported_values"
        " WHERE source_document = 'harbour-2024.txt'").fetchall()}  # fmt: skip
    assert 10 not in lines and 11 not in lines  # '0 2,000 4,000 ...' and '2022 2023 2024'
    changes = harbour.execute(
        "SELECT count(*) FROM raw.reported_values WHERE value_text IN ('-4.6', '0.6', '-0.9')"
    ).fetchall()[0][0]
    assert changes == 0


def test_written_reports_pass_every_error_check(harbour):
    errors = harbour.execute(
        "SELECT check_name, message FROM dq.current_check_results"
        " WHERE NOT passed AND severity = 'error'"
    ).fetchall()
    assert errors == []
    assert harbour.execute("FROM core.unmapped_values").fetchall() == []


def test_coverage_view_counts_what_was_found_and_mapped(harbour):
    rows = harbour.execute(
        """SELECT report, numeric_rows, values_found, mapped, unmapped, not_reported,
                  unit_errors, unmapped_labels, labels_without_numbers
           FROM core.document_coverage ORDER BY report"""
    ).fetchall()
    assert rows == [
        ("harbour-2024", 18, 49, 49, 0, 3, 0, None, None),
        # 6 + 5 rows of three years, 5 rows of three years, 3 single-year rows; gasoline 2022
        # is '/'; 'NOx emissions (kg)' (line 26) is a chart title whose numbers are not text
        ("maplestone-2024", 19, 51, 51, 0, 1, 0, None, "air.nox (line 26)"),
    ]


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


def test_kpi_disclosure_of_the_sse_report(harbour):
    rows = harbour.execute(
        "SELECT kpi, status, metrics FROM mart.kpi_disclosure"
        " WHERE issuer_id = 'MAPLE' AND fiscal_year = 2024"
    ).fetchall()
    status = {kpi: (st, metrics) for kpi, st, metrics in rows}
    assert status["A1.2"] == ("disclosed", "ghg.scope1, ghg.scope2, ghg.scope3, ghg.total")
    assert status["A1.1"] == ("disclosed", "air.pm")  # NOx is named without a number
    assert status["A2.5"] == ("absent", None)  # no packaging anywhere
    older = dict(
        harbour.execute(
            "SELECT kpi, status FROM mart.kpi_disclosure"
            " WHERE issuer_id = 'MAPLE' AND fiscal_year = 2023"
        ).fetchall()
    )
    assert older["B1.1"] == "absent"  # employees are in the single-year (2024) table only


def test_ghg_total_of_three_scopes_is_kept_as_printed(harbour):
    """MAPLE prints Scope 1, 2, 3 and their total: the total is the printed one (not a derived
    sum) and the consistency rule total = scope 1 + 2 + 3 ran and held."""
    rows = harbour.execute(
        """SELECT fiscal_year, metric_id, value, basis FROM mart.esg_facts
           WHERE issuer_id = 'MAPLE' AND metric_id LIKE 'ghg.%' ORDER BY ALL"""
    ).fetchall()
    by_year: dict[int, dict[str, float]] = {}
    for year, metric, value, basis in rows:
        assert basis == "reported"
        by_year.setdefault(year, {})[metric] = value
    assert sorted(by_year) == [2022, 2023, 2024]
    for values in by_year.values():
        scopes = values["ghg.scope1"] + values["ghg.scope2"] + values["ghg.scope3"]
        assert values["ghg.total"] == scopes
    results = harbour.execute(
        "SELECT passed FROM dq.current_check_results"
        " WHERE check_name = 'rule_ghg_total_is_sum_of_scopes'"
    ).fetchall()
    assert results == [(True,)]


def test_page_headers_and_repeated_year_headers_are_not_data(harbour):
    """Lines 1, 18, 45 are the running page header ('... | ESG Report 2024 | 2'); 10, 11 and 19
    the year header (printed twice, then again on the continuation page). Line 45 follows the
    single-year table and ends in a number: read as a row, it would be a value."""
    lines = {n for (n,) in harbour.execute(
        "SELECT DISTINCT line_number FROM raw.reported_values"
        " WHERE source_document = 'maplestone-2024.txt'").fetchall()}  # fmt: skip
    value_rows = {12, 13, 14, 15, 16, 17, 20, 21, 22, 23, 24, 31, 34, 36, 37, 38, 42, 43, 44}
    assert lines == value_rows


def test_unit_readings_are_recorded_as_assumptions(harbour):
    notes = dict(
        harbour.execute(
            """SELECT metric_id, assumption FROM mart.esg_facts
               WHERE issuer_id = 'MAPLE' AND fiscal_year = 2024 AND metric_id IN
                     ('water.consumption', 'production.output', 'energy.gasoline')"""
        ).fetchall()
    )
    assert "'thousand ton' read as 1,000 metric tonnes" in notes["water.consumption"]
    assert "water_mass_to_volume" in notes["water.consumption"]  # 1 t of water = 1 m³
    assert "metric tonnes" in notes["production.output"]  # 'tons'
    assert "0.74 kg/L" in notes["energy.gasoline"]  # 'liter'


@needs_shared_reports
def test_samples_unmapped_view_is_short_and_explained(shared_warehouse):
    rows = shared_warehouse.execute(
        "SELECT DISTINCT source_document, line_number, label FROM core.unmapped_values"
    ).fetchall()
    assert rows == [("northern-rare-earth-2024-esg-report.txt", 1662, "Petroleum")]
    explained = (REPO_ROOT / "docs" / "checks.md").read_text()
    assert "Petroleum" in explained and "1662" in explained


@pytest.mark.parametrize("source", ["shared_warehouse", "sample_warehouse"])
def test_samples_coverage_names_their_unmapped_labels(request, source):
    con = request.getfixturevalue(source)
    rows = con.execute(
        "SELECT report, unmapped, unmapped_labels FROM core.document_coverage ORDER BY report"
    ).fetchall()
    assert rows == [
        ("northern-rare-earth-2024-esg-report", 3, "Petroleum"),  # line 1662, 2022-2024
        ("remt-2024-esg-report", 0, None),
    ]


@needs_shared_reports
def test_nre_coverage_lists_kpi_labels_whose_numbers_were_lost(shared_warehouse):
    """Read in the report text: line 1803 names SO2 / NOx emissions above the units
    'Tons kg/tREO Tons' with no numbers; line 1915 'Gasoline consumption' above 'Tons L', no
    numbers; line 2657 'Total employees' in a staff-composition chart, no number. The values
    were printed as graphics."""
    (listed,) = shared_warehouse.execute(
        """SELECT labels_without_numbers FROM core.document_coverage
           WHERE report = 'northern-rare-earth-2024-esg-report'"""
    ).fetchall()[0]
    assert listed
    named = set(listed.split("; "))
    assert {
        "air.nox (line 1803)",
        "energy.gasoline (line 1915)",
        "workforce.employees (line 2657)",
    } <= named
    # metrics read as numbers elsewhere in the report are not listed as lost
    assert not any(n.startswith(("energy.electricity ", "water.recycled ")) for n in named)


@needs_shared_reports
def test_nre_kpi_disclosed_but_number_lost(shared_warehouse):
    rows = shared_warehouse.execute(
        """SELECT kpi, status, unreadable_because FROM mart.kpi_disclosure
           WHERE issuer_id = 'NRE' AND fiscal_year = 2024 AND kpi IN ('A1.1', 'B1.1', 'A2.1')"""
    ).fetchall()
    status = {kpi: (st, why) for kpi, st, why in rows}
    assert status["B1.1"] == (
        "disclosed_unreadable",
        "label without number: workforce.employees line 2657",
    )
    assert status["A1.1"] == ("disclosed_unreadable", "label without number: air.nox line 1803")
    assert status["A2.1"][0] == "disclosed"  # energy read from the table at lines 1650-1681
    # a label on a line of its own is not 'without number' when its metric was read elsewhere
    assert "energy.renewable" not in (status["A2.1"][1] or "")


def test_a_derived_total_carries_its_parts_assumptions_once(harbour):
    """Diesel by use, printed in litres, sums to a total that notes the assumed density once;
    kinds of waste, printed in tonnes, to a total with no assumption."""
    notes = dict(
        harbour.execute(
            """SELECT metric_id, assumption FROM mart.esg_facts
               WHERE issuer_id = 'HARBOUR' AND fiscal_year = 2024 AND basis = 'derived'"""
        ).fetchall()
    )
    assert notes["energy.diesel"].startswith("diesel_density 0.84 kg/L (EN 590")
    assert notes["energy.diesel"].count("diesel_density") == 1
    assert notes["waste.non_hazardous"] is None
