"""Label rows for parts that are not the metric's total (own labels and units)."""

from __future__ import annotations

import pytest

from assets import mapping


@pytest.mark.parametrize(
    ("label", "unit", "metric", "breakdown"),
    [
        ("Total hazardous waste sent to landfill", "t", None, None),
        ("Total waste recovered via a circular route (kt)", "kt", None, None),
        ("Total non-hazardous waste incinerated", "t", None, None),
        ("Total hazardous waste (kt)", "kt", "waste.hazardous", None),
        ("Total waste generated", "t", "waste.total", None),
        ("Exported electricity (MWh)", "MWh", None, None),
        ("Purchased non-renewable electricity", "MWh", None, None),
        ("On-site generated electricity", "MWh", None, None),
        ("Electricity consumed (MWh)", "MWh", "energy.electricity", None),
        ("Lost time illness rate (per 200,000 hours worked)", "per 200,000 hours worked",
         None, None),
        ("Lost time injury rate (per 200,000 hours worked)", "per 200,000 hours worked",
         "safety.ltifr", None),
        ("Water use / Ground water", "ML", "water.withdrawal", "label"),
        # a discharge by destination is ignored (docs/vocabulary.md), never summed into a total
        ("Water discharge / Effluent to sewers", "ML", None, None),
        ("Water discharge / Total effluent discharged", "ML", "water.discharge", None),
        ("Water withdrawn in water-stressed areas", "ML", None, None),
        # direct emissions from one kind of source are a part of Scope 1, not its total
        ("Direct emissions from company vehicles", "t CO2", None, None),
        ("Direct emissions from stationary combustion", "tCO2e", None, None),
        ("Direct emissions from owned or controlled sources", "tCO2e", "ghg.scope1", None),
        ("GHG: Scope 1 and 2 / Scope 2 location-based emissions (t CO2e)", "t CO2e",
         "ghg.scope2_location", None),
        # a row that calls itself a part of one scope is not that scope's total
        ("Total / Ferries (part of Scope 3)", "kt CO2e", None, None),
        ("Totalt / Tjänsteresor (del av scope 3)", "ton CO2e", None, None),
        ("Scope 3 (total)", "kt CO2e", "ghg.scope3", None),
    ],
)  # fmt: skip
def test_parts_are_told_from_totals(label, unit, metric, breakdown):
    res = mapping.resolve(label, None, None, unit)
    assert res.metric_id == metric
    if metric:
        assert (res.breakdown is not None) == (breakdown == "label")
