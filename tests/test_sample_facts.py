"""Every table value of both sample reports arrives in mart.esg_facts with the right number.

The expected figures below were read off the report texts by hand (file, line, printed value)
and converted by hand; they are not the pipeline's output. Both the real report texts
(../shared/reports, when present) and the bundled KPI tables must yield them.
"""

from __future__ import annotations

import pytest

REMT, NRE = "REMT", "NRE"
# issuer, year, metric_id, breakdown, canonical value, unit, basis, source line
EXPECTED = [
    (REMT, 2024, "waste.hazardous", "Waste engine oil", 3.6, "t", "reported", 91),
    (REMT, 2024, "waste.hazardous", "Tar", 490.8, "t", "reported", 92),
    (REMT, 2024, "waste.hazardous", None, 494.4, "t", "derived", 91),
    (REMT, 2024, "waste.non_hazardous", "Solid waste", 62445, "t", "reported", 95),
    (REMT, 2024, "waste.non_hazardous", "Recycled dust", 720, "t", "reported", 96),
    (REMT, 2024, "waste.non_hazardous", "Domestic waste", 192, "t", "reported", 97),
    (REMT, 2024, "waste.non_hazardous", "Mud", 30, "t", "reported", 98),
    (REMT, 2024, "waste.non_hazardous", None, 63387, "t", "derived", 95),
    (REMT, 2024, "production.output", None, 12613, "t", "reported", 121),
    (REMT, 2024, "energy.electricity", None, 29843.8, "MWh", "reported", 122),
    (REMT, 2024, "energy.electricity_intensity", None, 2.366, "MWh/t", "reported", 122),
    (REMT, 2024, "energy.diesel", None, 205 * 0.84 / 1000, "t", "reported", 123),
    # printed '0.02 liter/tonne', read with the assumed density 0.84 kg/L
    (REMT, 2024, "energy.diesel_intensity", None, 0.02 * 0.84 / 1000, "t/t", "reported", 123),
    (REMT, 2024, "energy.coal", None, 24221, "t", "reported", 124),
    (REMT, 2024, "energy.coal_intensity", None, 1.92, "t/t", "reported", 124),
    (REMT, 2024, "water.consumption", None, 144825, "m³", "reported", 125),
    (REMT, 2024, "water.consumption_intensity", None, 11.48, "m³/t", "reported", 125),
    (REMT, 2024, "materials.packaging", "Wrap", 3, "t", "reported", 128),
    (REMT, 2024, "materials.packaging", None, 3, "t", "derived", 128),
    (REMT, 2024, "workforce.employees", None, 341, "persons", "reported", 178),
    (REMT, 2024, "workforce.turnover_rate", None, 7, "%", "reported", 186),
    (REMT, 2024, "training.employees_trained", "Managers and senior management", 6, "persons",
     "reported", 219),
    (REMT, 2024, "training.employees_trained", "General employees", 296, "persons", "reported",
     219),
    (REMT, 2024, "training.employees_trained", None, 302, "persons", "derived", 219),
    (REMT, 2024, "training.hours", "Managers and senior management", 192, "h", "reported", 220),
    (REMT, 2024, "training.hours", "General employees", 2368, "h", "reported", 220),
    (REMT, 2024, "training.hours", None, 2560, "h", "derived", 220),
    (REMT, 2024, "training.average_hours", "Managers and senior management", 32, "h",
     "reported", 221),
    (REMT, 2024, "training.average_hours", "General employees", 8, "h", "reported", 221),
]  # fmt: skip
NRE_SERIES = {  # metric: (line, unit, {year: canonical value})
    "energy.electricity": (1654, "MWh", {2022: 643017, 2023: 739771, 2024: 819687}),
    "energy.steam": (1657, "t", {2022: 79318, 2023: 119186, 2024: 41225}),
    "energy.natural_gas": (1660, "m³", {2022: 95983976, 2023: 73386298, 2024: 69759526}),
    "energy.diesel": (1665, "t", {2022: 944, 2023: 1065, 2024: 931}),
    "energy.coke_oven_gas": (1667, "m³", {2022: 27951160, 2023: 22052458, 2024: 20456292}),
    "energy.coal": (1670, "t", {2022: 91856, 2023: 102459, 2024: 90899}),
    "energy.renewable": (1676, "MWh", {2024: 93750}),  # 2022 and 2023 print '/'
    "energy.renewable_share": (1681, "%", {2024: 4}),
    "water.recycled": (1730, "m³", {2022: 6106e3, 2023: 6039e3, 2024: 8030e3}),  # ML
    # 'Comprehensive energy consumption per unit of output', printed in kgce/tREO
    "energy.total_tce_intensity": (1650, "kgce/t", {2022: 1175, 2023: 997, 2024: 919}),
    # 'Fresh water consumption per unit in rare earth smelting and separation', 'm?/tREO'
    "water.consumption_intensity": (1725, "m³/t", {2022: 15.71, 2023: 13.99, 2024: 13.47}),
}
EXPECTED += [
    (NRE, year, metric, None, value, unit, "reported", line)
    for metric, (line, unit, by_year) in NRE_SERIES.items()
    for year, value in by_year.items()
]
SOURCES = {REMT: "remt-2024-esg-report.txt", NRE: "northern-rare-earth-2024-esg-report.txt"}


@pytest.fixture(params=["shared_warehouse", "sample_warehouse"])
def warehouse(request):
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda e: f"{e[0]}-{e[1]}-{e[2]}-{e[3]}")
def test_fact_has_the_reported_number(warehouse, expected):
    issuer, year, metric, breakdown, value, unit, basis, line = expected
    rows = warehouse.execute(
        """SELECT value, unit, basis, source_document, source_line FROM mart.esg_facts
           WHERE issuer_id = ? AND fiscal_year = ? AND metric_id = ?
             AND breakdown IS NOT DISTINCT FROM ?""",
        [issuer, year, metric, breakdown],
    ).fetchall()
    assert len(rows) == 1, f"expected one fact, found {rows}"
    got_value, got_unit, got_basis, document, got_line = rows[0]
    assert got_value == pytest.approx(value, rel=1e-9)
    assert (got_unit, got_basis, got_line) == (unit, basis, line)
    assert document == SOURCES[issuer]


def test_not_reported_is_never_zero(warehouse):
    """NRE prints '/' for renewable energy in 2022 and 2023: no fact, and never a 0."""
    raw = warehouse.execute(
        """SELECT year, value, not_reported FROM raw.reported_values
           WHERE source_document = ? AND line_number = 1676 ORDER BY year""",
        [SOURCES[NRE]],
    ).fetchall()
    assert raw == [(2022, None, True), (2023, None, True), (2024, 93750.0, False)]
    facts = warehouse.execute(
        "SELECT fiscal_year FROM mart.esg_facts WHERE metric_id = 'energy.renewable'"
    ).fetchall()
    assert facts == [(2024,)]


def test_assumptions_are_recorded_beside_the_value(warehouse):
    (assumption,) = warehouse.execute(
        """SELECT assumption FROM mart.esg_facts
           WHERE issuer_id = 'REMT' AND metric_id = 'energy.diesel'"""
    ).fetchall()[0]
    assert "0.84 kg/L" in assumption and "EN 590" in assumption
    (note,) = warehouse.execute(
        """SELECT assumption FROM mart.esg_facts WHERE issuer_id = 'NRE'
           AND metric_id = 'water.consumption_intensity' AND fiscal_year = 2024"""
    ).fetchall()[0]
    assert "m?" in note


def test_issuer_year_is_one_wide_row_per_issuer_and_year(warehouse):
    rows = warehouse.execute(
        """SELECT issuer_id, fiscal_year, electricity_mwh, waste_hazardous_t, water_recycled_m3,
                  employees FROM mart.issuer_year ORDER BY ALL"""
    ).fetchall()
    assert rows == [
        ("NRE", 2022, 643017.0, None, 6106000.0, None),
        ("NRE", 2023, 739771.0, None, 6039000.0, None),
        ("NRE", 2024, 819687.0, None, 8030000.0, None),
        ("REMT", 2024, 29843.8, 494.4, None, 341.0),
    ]


def test_mart_columns_carry_comments(warehouse):
    comments = dict(
        warehouse.execute(
            """SELECT column_name, comment FROM duckdb_columns()
               WHERE schema_name = 'mart' AND table_name = 'esg_facts'"""
        ).fetchall()
    )
    assert set(comments) >= {"issuer_id", "value", "unit", "basis", "source_line"}
    assert all(comments.values()), "every mart column has a comment"
