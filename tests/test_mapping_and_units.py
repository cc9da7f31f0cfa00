"""Label mapping and unit conversion, driven by the reference files."""

from __future__ import annotations

import pytest

from assets import mapping, units
from tests.conftest import copy_sample, failures

META = """issuer_id: ACME
issuer_name: Acme Materials Ltd
fiscal_year: 2024
period_start: 2024-04-01
period_end: 2025-03-31
"""


@pytest.mark.parametrize(
    ("value", "unit", "metric", "expected", "canonical"),
    [
        (29_843_800, "kWh", "energy.electricity", 29_843.8, "MWh"),
        (3.6, "GJ", "energy.electricity", 1.0, "MWh"),
        (6_106, "ML", "water.recycled", 6_106_000, "m³"),
        (2, "thousand ton", "water.consumption", 2_000, "m³"),
        (12, "Tons", "energy.coal", 12, "t"),
        (1_000, "litres", "energy.diesel", 0.84, "t"),
        (1_000, "kgce/tREO", "energy.total_tce_intensity", 1_000, "kgce/t"),
        (15, "m?/tREO", "water.consumption_intensity", 15, "m³/t"),
        (7, "%", "workforce.turnover_rate", 7, "%"),
        (4.82, "Mm³", "water.consumption", 4_820_000, "m³"),
        (6_420, "mt", "waste.hazardous", 6_420, "t"),
        (1.5, "ktCO2e", "ghg.scope1", 1_500, "tCO2e"),
        (3, "TONNES", "waste.hazardous", 3, "t"),
        (1_234, "MTCO2e", "ghg.scope1", 1_234, "tCO2e"),  # metric tonnes, as MT and mt are
        (2, "MtCO2e", "ghg.scope1", 2_000_000, "tCO2e"),  # megatonnes: the case is the prefix
        (5, "KWH", "energy.electricity", 0.005, "MWh"),
        (5, "Kg", "waste.hazardous", 0.005, "t"),
    ],
)
def test_conversion_to_canonical_unit(value, unit, metric, expected, canonical):
    conv = units.convert(value, unit, metric)
    assert conv.status == "ok"
    assert conv.value == pytest.approx(expected)
    assert conv.unit == canonical


def test_volume_to_mass_records_the_density_and_its_source():
    conv = units.convert(205, "liter", "energy.diesel")
    assert "diesel_density 0.84 kg/L" in conv.assumption and "EN 590" in conv.assumption


@pytest.mark.parametrize(
    ("unit", "status"),
    [("persons", "incompatible_unit"), ("bananas", "unknown_unit"), ("kWh", "incompatible_unit")],
)
def test_bad_units_are_reported_not_guessed(unit, status):
    assert units.convert(1, unit, "energy.coal").status == status


@pytest.mark.parametrize(
    ("unit", "metric"),
    [
        ("MWh 48 210", "energy.total"),  # a value's digits run into the unit: 10,080 MWh to pint
        ("furlongs", "energy.coal"),  # pint knows it; no ESG report means it
        ("Gt", "waste.hazardous"),  # gigatonnes to pint; no alias says what a report means
        ("ml", "water.consumption"),  # millilitres: not ML (megalitres), whose case is its prefix
        ("mL", "water.consumption"),
        ("mwh", "energy.total"),  # milliwatt-hours, not MWh
        ("Gtco2e", "ghg.scope1"),  # a mass nobody reviewed, before CO2e
        ("mL", "ghg.scope1"),
    ],
)
def test_only_reviewed_aliases_are_read(unit, metric):
    """pint alone parses these, wrongly by orders of magnitude for a report; a unit nobody
    reviewed is unknown (flagged by units_convertible) until unit_aliases.csv says what it is."""
    assert units.convert(1, unit, metric).status == "unknown_unit"


def test_standard_coal_becomes_energy_by_a_recorded_calorific_value():
    conv = units.convert(1_000, "tce", "energy.total")
    assert conv.value == pytest.approx(8_141, rel=1e-4)  # 29.3076 GJ per tce
    assert "tce_calorific 29.3076 GJ/tce" in conv.assumption and "GB/T 2589" in conv.assumption
    assert units.convert(1_000, "tce", "energy.total_tce").assumption == ""  # no reading needed


@pytest.mark.parametrize(
    ("label", "table", "column", "unit", "metric", "breakdown"),
    [
        ("Electricity", None, None, "kWh", "energy.electricity", None),
        ("Electricity", None, None, "kWh/tonne", "energy.electricity_intensity", None),
        ("The average training hours per person", None, "Operators", "hours",
         "training.average_hours", "Operators"),
        ("The total training hours", None, "Operators", "hours", "training.hours", "Operators"),
        ("Tar", "Types of hazardous waste", None, "tonnes", "waste.hazardous", "Tar"),
        ("Mud", "Types of non-hazardous waste", None, "tonnes", "waste.non_hazardous", "Mud"),
        # a table of both kinds: its rows are totals named by their label, not parts of one kind
        ("Hazardous waste", "A1.3 and A1.4 Hazardous and non-hazardous waste", None, "tonnes",
         "waste.hazardous", None),
        ("Non-hazardous waste", "Hazardous and non-hazardous waste", None, "t",
         "waste.non_hazardous", None),
        ("Hazardous waste", "Non-hazardous & hazardous waste", None, "t", "waste.hazardous", None),
        ("Recycled water", None, None, "ML", "water.recycled", None),
    ],
)  # fmt: skip
def test_label_rules_pick_metric_by_label_table_and_unit(
    label, table, column, unit, metric, breakdown
):
    res = mapping.resolve(label, table, column, unit)
    assert (res.status, res.metric_id, res.breakdown) == ("mapped", metric, breakdown)


@pytest.mark.parametrize(
    ("label", "unit"),
    [("Electricity consumption target", "MWh"), ("Water intensity target for 2030", "m3/t"),
     ("Scope 1 emissions reduction target", "tCO2e")],
)  # fmt: skip
def test_targets_are_never_taken_for_actual_values(label, unit):
    assert mapping.resolve(label, None, None, unit).status == "ignored"


def test_unknown_label_is_kept_in_raw_and_listed_as_unmapped(tmp_path, build):
    landing = copy_sample(tmp_path / "landing")
    (landing / "acme.yaml").write_text(META)
    (landing / "acme.csv").write_text(
        "label,unit,year,value,source_line\n"
        "Widgets polished,pieces,2024,120,7\n"
        "Electricity,MWh,2024,50,8\n"
    )
    con = build(landing)
    unmapped = con.execute(
        "SELECT document, line_number, label, unit, value_text FROM core.unmapped_values"
        " WHERE issuer_id = 'ACME'"
    ).fetchall()
    assert unmapped == [("acme.csv", 7, "Widgets polished", "pieces", "120")]
    assert con.execute(
        "SELECT metric_id, value FROM mart.esg_facts WHERE issuer_id = 'ACME'"
    ).fetchall() == [("energy.electricity", 50.0)]


def test_community_investment_is_published_in_the_reports_currency(tmp_path, build):
    """An amount of money keeps its printed currency, in base units (no exchange rate is
    assumed); a currency other than the one the report's metadata names is flagged."""
    landing = copy_sample(tmp_path / "landing")
    (landing / "acme.yaml").write_text(META + "currency: RMB\n")  # read as CNY
    (landing / "acme.csv").write_text(
        "label,unit,year,value,source_line,metric_hint\n"
        "Donations,RMB million,2024,1.5,9,community.investment\n"
    )
    (landing / "bolt.yaml").write_text(META.replace("ACME", "BOLT") + "currency: CNY\n")
    (landing / "bolt.csv").write_text(
        "label,unit,year,value,source_line,metric_hint\n"
        "Donations,HK$'000,2024,800,4,community.investment\n"
    )
    con = build(landing)
    facts = con.execute(
        "SELECT issuer_id, value, unit, source_line FROM mart.esg_facts"
        " WHERE metric_id = 'community.investment' ORDER BY issuer_id"
    ).fetchall()
    assert facts == [("ACME", 1_500_000.0, "CNY", 9)]
    ((_, issuer, year, metric, line, message),) = failures(con, "units_convertible")
    assert (issuer, year, metric, line) == ("BOLT", 2024, "community.investment", 4)
    assert "unit 'HK$'000' of 'Donations' is not the currency its metadata names" in message
    assert con.execute(
        "SELECT status FROM mart.kpi_disclosure WHERE issuer_id = 'ACME' AND kpi = 'B8.2'"
    ).fetchall() == [("disclosed",)]
