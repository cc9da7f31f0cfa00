"""The label vocabulary (English and Swedish) and the units real reports print.

Every label and number here is made up for the test; docs/vocabulary.md describes the rules.
"""

from __future__ import annotations

import pytest

from assets import mapping, reference, units

# -- units ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "metric", "expected"),
    [
        (2.5, "kt", "waste.total", 2_500),
        (0.4, "Mt", "waste.total", 400_000),  # megatonnes (SI); metric tonnes are MT / mt
        (1.2, "MtCO2e", "ghg.scope1", 1_200_000),
        (7, "ktCO2-e", "ghg.scope1", 7_000),
        (3, "kton CO2e", "ghg.scope3", 3_000),
        (1_500, "kg CO2e", "ghg.scope1", 1.5),
        (1_500, "kgCO2e", "ghg.scope1", 1.5),
        (12, "tCO2-ekv", "ghg.scope1", 12),
        (12, "ton CO2-ekv", "ghg.scope2", 12),
        (12, "tCO 2 -ekv", "ghg.scope2", 12),  # split by a PDF converter
        (12, "CO 2 e", "ghg.scope2", None),  # no mass: not a unit of emissions
        (12, "tCO 2 e", "ghg.scope2_market", 12),
        (12, "Ton CO 2 e", "ghg.scope2_location", 12),
        (12, "tonnes CO₂e", "ghg.scope1", 12),
        (9, "thousands of tonnes CO2e", "ghg.scope1", 9_000),
        (1.4, "CO 2 -eq, million tonnes", "ghg.scope1", 1_400_000),  # the gas first
        (6, "CO2e (kt)", "ghg.total", 6_000),
        (4, "GWh", "energy.total", 4_000),
        (2, "PJ", "energy.total", 555_555.556),
        (36, "TJ", "energy.total", 10_000),
        (750, "'000 kWh", "energy.electricity", 750),
        (3.1, "million m3", "water.withdrawal", 3_100_000),
        (8, "ML", "water.discharge", 8_000),
        (8, "megalitres", "water.consumption", 8_000),
        (6, "1,000 tonnes", "waste.hazardous", 6_000),
    ],
)
def test_units_reports_print(value, unit, metric, expected):
    conv = units.convert(value, unit, metric)
    if expected is None:
        assert conv.status == "unknown_unit"
    else:
        assert conv.status == "ok", (unit, conv)
        assert conv.value == pytest.approx(expected)


def test_lower_case_ml_is_megalitres_only_under_a_heading_that_says_so():
    """A reader passes a row's unit with its heading's beside it: 'mL [in megalitres]'."""
    assert units.convert(5, "mL", "water.withdrawal").status == "unknown_unit"
    conv = units.convert(5, "mL [in megalitres]", "water.withdrawal")
    assert (conv.status, conv.value) == ("ok", 5_000)
    assert "'mL' read as ML" in conv.assumption and "in megalitres" in conv.assumption
    # a heading naming another unit, or none, never turns mL into megalitres
    assert units.convert(5, "mL [in tonnes]", "water.withdrawal").status == "unknown_unit"
    assert units.convert(5, "mL [Water use]", "water.withdrawal").status == "unknown_unit"
    # a row unit that agrees with its heading's is read; one that disagrees is not
    assert units.convert(5, "ML [megalitres]", "water.withdrawal").value == 5_000
    assert units.convert(5, "m3 [megalitres]", "water.withdrawal").status == "unknown_unit"


def test_co2_is_kept_apart_from_co2e_and_read_as_it_with_a_recorded_assumption():
    reg = units.registry()
    assert not reg.parse_expression("tCO2").is_compatible_with(reg.parse_expression("tCO2e"))
    conv = units.convert(640, "t CO2", "ghg.scope1")
    assert (conv.status, conv.value, conv.unit) == ("ok", 640, "tCO2e")
    assert conv.assumption.startswith("co2_as_co2e 1 tCO2e/tCO2")
    assert units.convert(640, "tCO2e", "ghg.scope1").assumption == ""
    assert units.convert(2, "kton CO2", "ghg.total").value == 2_000
    # CO2 is not a mass of anything else
    assert units.convert(640, "t CO2", "waste.total").status == "incompatible_unit"


def test_emissions_in_plain_tonnes_are_read_as_co2e_with_a_recorded_assumption():
    conv = units.convert(3.5, "tusen ton", "ghg.scope1")
    assert (conv.status, conv.value, conv.unit) == ("ok", 3_500, "tCO2e")
    assert conv.assumption.startswith("emissions_mass_as_co2e 1 tCO2e/t")
    res = mapping.resolve("Scope 1 CO2 emissions, metric tons", None, None, "metric tons")
    assert res.metric_id == "ghg.scope1"
    assert units.convert(3.5, "tonnes", "waste.total").assumption == ""  # waste is a mass


@pytest.mark.parametrize(
    ("unit", "base"),
    [
        ("per 200,000 hours worked", "per 200,000 hours worked"),
        ("per 1 000 000 arbetade timmar", "per 1,000,000 hours worked"),
        ("per million hours worked", "per 1,000,000 hours worked"),
        ("/100,000 hours", "per 100,000 hours worked"),
    ],
)
def test_injury_rates_keep_the_reports_base(unit, base):
    conv = units.convert(0.37, unit, "safety.ltifr")
    assert (conv.status, conv.value, conv.unit) == ("ok", 0.37, "rate")
    assert base in conv.assumption


@pytest.mark.parametrize(
    ("unit", "status"),
    [("%", "incompatible_unit"), (None, "unknown_unit"), ("per 200,000 widgets", "unknown_unit")],
)
def test_a_rate_without_a_base_of_hours_is_not_published(unit, status):
    assert units.convert(0.37, unit, "safety.trifr").status == status


def test_a_share_never_crosses_a_dimension_through_a_factor():
    """1 m³/t (water_mass_to_volume) times a percentage is m³/t: a share is not an intensity."""
    assert units.convert(1.2, "%", "water.consumption_intensity").status == "incompatible_unit"
    assert units.convert(1.2, "%", "ghg.scope1").status == "incompatible_unit"


def test_a_count_needs_no_unit_but_an_amount_does():
    assert units.convert(212, None, "workforce.employees").status == "ok"
    assert units.convert(212, "", "safety.fatalities").value == 212
    assert units.convert(212, None, "ghg.scope1").status == "unknown_unit"


# -- labels -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "unit", "metric"),
    [
        # Scope 1, 2, 3 in English and Swedish, flat and as heading paths
        ("Scope 1 emissions (tCO2e)", "tCO2e", "ghg.scope1"),
        ("Scope 17", "tCO2e", "ghg.scope1"),  # footnote 7 fused
        ("Summascope1", "ton CO2e", "ghg.scope1"),
        ("Direkta utsläpp av växthusgaser", "ton CO2-ekv", "ghg.scope1"),
        ("Direct GHG emissions", "tCO2e", "ghg.scope1"),
        ("Indirekta utsläpp från inköpt energi", "ton CO2-ekv", "ghg.scope2"),
        ("Energy indirect emissions", "tCO2e", "ghg.scope2"),
        ("Scope 2 (no method named)", "tCO2e", "ghg.scope2"),
        ("Övriga indirekta utsläpp", "ton CO2-ekv", "ghg.scope3"),
        ("Scope 3 emissions", "tCO2e", "ghg.scope3"),
        # Scope 2 by method
        ("Scope 2 / Location-based", "tCO2e", "ghg.scope2_location"),
        ("Scope 2 / Market based method", "tCO2e", "ghg.scope2_market"),
        ("Scope 2 – utsläpp / Brutto platsbaserade Scope 2-utsläpp (tCO2-ekv)", "tCO2-ekv",
         "ghg.scope2_location"),
        ("Marknadsbaserade scope 2-utsläpp", "tCO2e", "ghg.scope2_market"),
        ("Scope 2, anläggningsbaserad metod", "tCO2e", "ghg.scope2_location"),
        ("Scope 2 market-based", "tCO2e", "ghg.scope2_market"),
        ("Indirect emissions / Scope 2 / Marknads\u00ad baserad", "tCO2e", "ghg.scope2_market"),
        ("Scope 2 / Summa / Platsbaserad", "tCO2e", "ghg.scope2_location"),
        # combined and total
        ("Scope 1 and 2", "tCO2e", "ghg.scope1_2"),
        ("Scope 1+2 (market-based)", "tCO2e", "ghg.scope1_2"),
        ("Totalt scope 1 och 2", "ton CO2e", "ghg.scope1_2"),
        ("Total Scope 1-2 emissions", "tCO2e", "ghg.scope1_2"),
        ("Total (Scope 1 &amp; 2)", "tCO2e", "ghg.scope1_2"),
        ("Totala utsläpp av växthusgaser", "ton CO2e", "ghg.total"),
        ("Total GHG emissions", "tCO2e", "ghg.total"),
        ("Scope 1, 2 och 3", "tCO2e", "ghg.total"),
        ("Summa scope 1+2+3", "tCO2e", "ghg.total"),
        ("Totala utsläpp scope 1-3", "tCO2e", "ghg.total"),
        ("Total emissions (market-based)", "tCO2e", "ghg.total"),
        # energy, water, waste, people, safety
        ("Total energy use", "GWh", "energy.total"),
        ("Energianvändning", "MWh", "energy.total"),
        ("Energianvändning total", "GWh", "energy.total"),
        ("Energy consumption from renewable sources", "MWh", "energy.renewable"),
        ("Elförbrukning", "MWh", "energy.electricity"),
        ("Electricity purchased", "kWh", "energy.electricity"),
        ("Water withdrawal", "m3", "water.withdrawal"),
        ("Vattenuttag", "m3", "water.withdrawal"),
        ("Total water use", "million m3", "water.withdrawal"),
        ("Water consumption", "ML", "water.consumption"),
        ("Vattenförbrukning", "m3", "water.consumption"),
        ("Water discharged", "ML", "water.discharge"),
        ("Avloppsvatten", "m3", "water.discharge"),
        ("Total waste generated", "t", "waste.total"),
        ("Metrics and targets / Scope 1", "tCO2e", "ghg.scope1"),  # a section, not a target
        ("Totalt avfall", "ton", "waste.total"),
        ("Farligt avfall", "ton", "waste.hazardous"),
        ("Icke-farligt avfall", "ton", "waste.non_hazardous"),
        ("Lost time injury frequency rate", "per 1,000,000 hours worked", "safety.ltifr"),
        ("LTIFR", "per 200,000 hours worked", "safety.ltifr"),
        ("Total recordable injury rate", "per 200,000 hours worked", "safety.trifr"),
        ("TRIFR", "per million hours worked", "safety.trifr"),
        ("Number of employees", None, "workforce.employees"),
        ("Antal anställda", "personer", "workforce.employees"),
        ("Personalomsättning", "%", "workforce.turnover_rate"),
        ("Average hours of training per employee", "hours", "training.average_hours"),
        ("Number of suppliers", None, "supply_chain.suppliers"),
        ("Antal leverantörer", "st", "supply_chain.suppliers"),
    ],
)  # fmt: skip
def test_labels_in_english_and_swedish(label, unit, metric):
    res = mapping.resolve(label, None, None, unit)
    assert (res.status, res.metric_id) == ("mapped", metric), res


@pytest.mark.parametrize(
    ("label", "unit"),
    [
        ("Scope 1 reduction target 2030", "tCO2e"),
        ("Kortsiktigt mål scope 1 och 2", "%"),
        ("Scope 2 base year 2019", "tCO2e"),
        ("Scope 1 emissions / Basår", "tCO2e"),  # a base-year column passed in the path
        ("Change in scope 3 emissions", "tCO2e"),
        ("Förändring scope 1", "tCO2e"),
        ("Scope 1 and 2 intensity", "tCO2e/MSEK"),
        ("Utsläpp scope 1 per anställd", "ton CO2e/anställd"),
        ("Andel av scope 1-utsläpp från handelssystem", "%"),
        ("Biogenic CO2 emissions (outside the scopes)", "tCO2"),
        ("Transport (not included in Scope 1 or 2)", "tCO2e"),
        ("Carbon offsets retired", "tCO2e"),
        ("Scope 1, like-for-like", "tCO2e"),
        ("Scope 3 category 6 Business travel", "tCO2e"),
        ("Scope 3.4 Upstream transport", "tCO2e"),
        ("Scope 2 / District heating (location-based)", "tCO2e"),  # a part by carrier
        ("Electricity (market-based)", "tCO2e"),
        ("Scope 1 and 2 (location-based)", "tCO2e"),  # the market-based one is kept
        ("Total GHG emissions (platsbaserade)", "tCO2e"),
        ("Average number of employees", None),
        ("Fuel consumption from renewable sources", "MWh"),  # a part of renewable energy
        ("Purchased or acquired electricity, heat, steam and cooling", "MWh"),  # a mix
        ("Self-generated non-fuel renewable energy", "MWh"),
        ("Total energy consumption from fossil sources", "MWh"),  # a part
        ("Total renewable energy produced", "MWh"),  # produced, not consumed
        ("Scope 3 - Use of sold products", "tCO2e"),  # a named category
        ("Alla övriga scope 3-kategorier", "tCO2e"),
        ("Total waste sent to landfill", "t"),  # waste by route is a part
        ("Hazardous waste recovered for reuse", "t"),
        ("Återvunnet avfall", "ton"),
        ("Wastewater to the municipal sewer", "m3"),  # by destination
        ("Water withdrawn from ground water", "ML"),  # by source
        ("Water use at water-stressed sites", "m3"),
        ("Non-renewable electricity purchased", "MWh"),  # by origin
        ("Electricity exported to the grid", "MWh"),
        ("Approved targets / Scope 1 and 2", "tCO2e"),  # a heading that says target
        ("Lost time illness rate", "per 200,000 hours worked"),  # illness, not injury
        ("CO 2 company cars, petrol", "tonnes"),  # CO2 from petrol, not petrol
        ("Fuel consumption from renewable energy sources", "MWh"),
        ("Number of suppliers with a negative social impact", None),  # a subset
        ("Antal leverantörer som granskats", None),
    ],
)
def test_targets_base_years_changes_ratios_and_parts_are_never_amounts(label, unit):
    assert mapping.resolve(label, None, None, unit).metric_id is None


@pytest.mark.parametrize(
    ("label", "unit"),
    [
        ("Scope 1 emissions", "%"),  # a known unit no matching metric takes: a share or change
        ("Total energy use", "tCO2e"),
        ("Scope 1 emissions", None),  # no unit: only a count can take it
        ("Scope 1 / Refrigerant leaks", "%"),
        ("Totalt (Scope 1, 2 &", "tCO2e"),  # cut short: which scopes is unknown
    ],
)
def test_a_metric_that_cannot_take_the_unit_is_never_chosen(label, unit):
    assert mapping.resolve(label, None, None, unit).status == "unmapped"


def test_a_total_row_stands_for_its_heading_and_sources_under_scope_1_are_its_parts():
    total = mapping.resolve("Scope 1 / Totalt", "Växthusgasutsläpp", None, "ton CO2e")
    assert (total.metric_id, total.breakdown) == ("ghg.scope1", None)
    part = mapping.resolve("Scope 1 / Company vans", "Emissions", None, "tCO2e")
    assert (part.metric_id, part.breakdown) == ("ghg.scope1", "Company vans")
    # a row under the heading that names the scope itself is its total, not a part
    gross = mapping.resolve("SCOPE 1 EMISSIONS / Gross Scope 1 emissions", None, None, "tCO2e")
    assert (gross.metric_id, gross.breakdown) == ("ghg.scope1", None)
    kind = mapping.resolve("Hazardous waste / Total hazardous waste", None, None, "t")
    assert (kind.metric_id, kind.breakdown) == ("waste.hazardous", None)
    assert mapping.resolve("Hazardous waste / Solvents", None, None, "t").breakdown == "Solvents"
    # parts of Scope 2 and 3 are not summed (siblings may carry a method or be categories)
    assert mapping.resolve("Scope 2 / Heat pumps", None, None, "tCO2e").metric_id is None
    assert mapping.resolve("Scope 3 / Commuting", None, None, "tCO2e").metric_id is None
    # a Total row in a table of one scope is that scope; in a GHG table, the total
    assert mapping.resolve("Total", "Scope 3 emissions by category", None, "tCO2e").metric_id == (
        "ghg.scope3"
    )
    assert mapping.resolve("Grand total", "GHG emissions", None, "tCO2e").metric_id == "ghg.total"
    # a row that starts with 'Total' and names something else is that thing, not the table's total
    res = mapping.resolve("Totalt brutto (Scope 3) utsläpp", "Växthusgaser", None, "tCO2e")
    assert res.metric_id == "ghg.scope3"


def test_a_table_of_biogenic_or_like_for_like_emissions_gives_no_scope():
    title = "Biogenic CO2 from burning biomass"
    assert mapping.resolve("Scope 1 CO2, tonnes", title, None, "tonnes").status == "ignored"
    title = "Emissions by property type, like-for-like"
    assert mapping.resolve("Scope 2 (market-based)", title, None, "tCO2e").status == "ignored"
    title = "Energy use and emissions of our own offices"
    assert mapping.resolve("Scope 1", title, None, "tCO2e").status == "ignored"


@pytest.mark.parametrize(
    ("title", "wider"),
    [
        ("Carbon footprint (includes associated companies)", True),
        ("Water withdrawn (including partly owned mills)", True),
        ("Emissions 2023, incl. divested units", True),
        ("Energi (inklusive dotterbolag)", True),
        ("Energy use - including leased sites", True),
        ("Scope 1 and 2 emissions", False),
        ("Emissions included in the target", False),  # no inclusion phrase qualifying the title
        ("Inclusion and diversity", False),
    ],
)
def test_a_title_that_widens_the_boundary_is_marked_but_its_rows_map_as_usual(title, wider):
    """core.set_apart_other_boundaries ignores such a table only when it disagrees with the
    document's unqualified figures (tests/test_quality_checks.py); the row maps as usual."""
    marked = any(r.table_pattern.search(title) for r in reference.boundary_rules())
    assert marked == wider
    assert mapping.resolve("Scope 1", title, None, "tCO2e").metric_id == "ghg.scope1"


@pytest.mark.parametrize(
    ("title", "metric"),
    [
        ("Scope 1 emissions of the fleet", "ghg.scope1"),
        ("Scope 2 emissions, tCO2e", "ghg.scope2"),
        ("Scope 3 emissions by category", "ghg.scope3"),
        ("Scope 1 and 2 emissions", "ghg.scope1_2"),
        # a title naming scopes one by one is no one scope's table: its Total is the total
        ("Direct emissions (Scope 1) and indirect emissions (Scope 2)", "ghg.total"),
    ],
)
def test_the_total_row_of_a_table_is_the_scope_its_title_names_alone(title, metric):
    assert mapping.resolve("Total", title, None, "tCO2e").metric_id == metric


@pytest.mark.parametrize(
    ("label", "title", "metric"),
    [
        ("Total CO2e", "Scope 1 emissions of the fleet", "ghg.scope1"),
        ("Depots / TotalCO 2 e", "Scope 1 emissions of the fleet", "ghg.scope1"),  # fused
        ("Total GHG emissions (t)", "Scope 2 emissions", "ghg.scope2"),
        ("Totala utsläpp", "Utsläpp i scope 3", "ghg.scope3"),
        ("Totalt CO2-ekv", "Scope 1 och 2", "ghg.scope1_2"),
        # a title naming several scopes one by one, or none: not one scope's table
        ("Total CO2e", "Scope 1, 2 and 3 emissions", None),
        ("Total GHG emissions", "Emissions by source", "ghg.total"),
        # a method, or more words than the quantity, is not the table's plain total
        ("Total emissions (market-based)", "Scope 2 emissions", "ghg.total"),
        ("CO2e total Depots", "Scope 1 emissions of the fleet", None),
    ],
)
def test_a_total_naming_the_ghg_quantity_is_the_scope_its_title_names_alone(label, title, metric):
    assert mapping.resolve(label, title, None, "tCO2e").metric_id == metric


def test_a_column_qualifier_in_the_path_absolute_or_intensity():
    """A reader may append a column's qualifier to the path: 'Absolute' adds nothing, an
    intensity column is never the amount."""
    label = "Scope 1 / Direkta utsläpp / Absoluta utsläpp"
    assert mapping.resolve(label, None, None, "tCO2e").metric_id == "ghg.scope1"
    label = "Scope 1 / Direkta utsläpp / Intensitet"
    assert mapping.resolve(label, None, None, "tCO2e").metric_id is None
    # 'Absolute' dropped, the row above it must take part: a category is no Scope 3 total
    label = "Scope 3 / 7. Employee commuting / Absolute emissions"
    assert mapping.resolve(label, None, "2024 / Absolute emissions", "tCO2e").metric_id is None
    label = "Scope 3 / Absolute emissions"
    assert mapping.resolve(label, None, "2024 / Absolute emissions", "tCO2e").metric_id == (
        "ghg.scope3"
    )


def test_a_method_in_the_column_header_qualifies_the_row():
    res = mapping.resolve("Scope 2", None, "Market-based", "tCO2e")
    assert res.metric_id == "ghg.scope2_market"


def test_swedish_report_end_to_end(tmp_path, build):
    """Own Swedish rows through the whole pipeline: method-split Scope 2, CO2-only Scope 3
    published with its assumption, a rate on its base, mL under a megalitres heading."""
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "fjord.yaml").write_text(
        "issuer_id: FJORD\nissuer_name: Fjord Verkstad AB\nfiscal_year: 2024\n"
        "period_start: 2024-01-01\nperiod_end: 2024-12-31\n"
    )
    (landing / "fjord.csv").write_text(
        "label,unit,year,value,source_line\n"
        "Scope 1 - direkta utsläpp,tCO 2 -ekv,2024,1234,3\n"
        "Scope 2 / Platsbaserade,ton CO2-ekv,2024,560,4\n"
        "Scope 2 / Marknadsbaserade,ton CO2-ekv,2024,78,5\n"
        "Totala utsläpp av växthusgaser (platsbaserade),kton CO2e,2024,9.9,6\n"
        "Scope 3,t CO2,2024,4000,7\n"
        'LTIFR,"per 200,000 hours worked",2024,0.42,8\n'
        "Vattenuttag,mL [i megaliter],2024,12.5,9\n"
        "Vattenförbrukning,kWh,2024,77,10\n"
    )
    con = build(landing)
    facts = dict(
        con.execute(
            "SELECT metric_id, (value, unit, coalesce(assumption, '')) FROM mart.esg_facts"
            " WHERE issuer_id = 'FJORD' AND breakdown IS NULL"
        ).fetchall()
    )
    assert facts["ghg.scope1"][:2] == (1234, "tCO2e")
    assert facts["ghg.scope2_location"][:2] == (560, "tCO2e")
    assert facts["ghg.scope2_market"][:2] == (78, "tCO2e")
    assert "ghg.total" not in facts and "ghg.scope2" not in facts
    assert facts["ghg.scope3"][0] == 4000 and "co2_as_co2e" in facts["ghg.scope3"][2]
    assert facts["safety.ltifr"][:2] == (0.42, "rate")
    assert "per 200,000 hours worked" in facts["safety.ltifr"][2]
    assert facts["water.withdrawal"][:2] == (12_500, "m³")
    # a known unit that no matching metric takes: listed as unmapped, never published
    assert "water.consumption" not in facts
    assert con.execute(
        "SELECT line_number, unit FROM core.unmapped_values WHERE issuer_id = 'FJORD'"
    ).fetchall() == [(10, "kWh")]


def test_prose_turnover_rate_is_the_second_of_two_rates_given_respectively():
    """'a hiring and turnover rate of 12% and 9% respectively': the turnover is 9 %, not 12 %."""
    text = "We hired 80 and lost 60: a new hire and turnover rate of 12% and 9% respectively."
    found = {
        r.rule_id: m.group("value")
        for r in reference.prose_rules()
        if r.metric_id == "workforce.turnover_rate" and (m := r.pattern.search(text))
    }
    assert found == {"turnover_rate_respectively": "9"}
