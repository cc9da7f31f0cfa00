"""Scope 2 by method derived from its purchased-energy carriers (assets/scope2_methods.py).

Synthetic tables only: rows are mapped by the reviewed vocabulary, then summed per method when
the block is whole; the pipeline test checks that a printed Scope 2 total wins and that the
mart shows the derived total with its parts."""

from pathlib import Path

import pandas as pd
import pytest

from assets import mapping, scope2_methods

UNIT = "tCO2e"


def _table(rows, title="Greenhouse gas emissions", doc="x-2024-report.txt"):
    """rows: (line, label, {year: printed value}) -> candidate rows as core.mapped_values has."""
    out = []
    for line, label, values in rows:
        res = mapping.resolve(label, title, None, UNIT)
        for year, text in values.items():
            nil = text.strip() == "-"
            out.append(
                {
                    "source_document": doc, "issuer_id": "X", "fiscal_year": year,
                    "table_title": title, "label": label, "line_number": line, "page": None,
                    "unit": UNIT, "value_text": text, "value": None if nil else float(text),
                    "not_reported": nil, "mapping_status": res.status,
                    "mapping_rule": res.rule_id, "metric_id": res.metric_id,
                }
            )  # fmt: skip
    return pd.DataFrame(out)


def _derived(rows, **kw) -> dict:
    df = scope2_methods.derive(_table(rows, **kw))
    return {(r.fiscal_year, r.metric_id): (r.value, r.derived_from_lines) for r in df.itertuples()}


SPLIT = [
    (10, "Scope 1 / Company cars", {2024: "3"}),
    (11, "Scope 2", {}),
    (12, "Scope 2 / El (market based)", {2024: "5", 2023: "6"}),
    (13, "Scope 2 / El (location based)", {2024: "40", 2023: "44"}),
    (14, "Scope 2 / Fjärrvärme (market based)", {2024: "300", 2023: "310"}),
    (15, "Scope 2 / Fjärrvärme (location based)", {2024: "410", 2023: "420"}),
    (16, "Scope 2 / Summa scope 1 och 2", {2024: "308", 2023: "319"}),
    (17, "Scope 2 / Offsets bought", {2024: "308", 2023: "319"}),
]


def test_carriers_split_by_method_sum_to_each_method():
    """A sum over other scopes closes the block: the row after it does not count."""
    assert _derived(SPLIT) == {
        (2024, "ghg.scope2_market"): (305.0, "12,14"),
        (2024, "ghg.scope2_location"): (450.0, "13,15"),
        (2023, "ghg.scope2_market"): (316.0, "12,14"),
        (2023, "ghg.scope2_location"): (464.0, "13,15"),
    }


def test_method_in_a_column_and_a_carrier_without_method():
    """Electricity by method in two columns; cooling printed once counts in both methods."""
    rows = [
        (20, "Scope 2 / Electricity / Market-based", {2024: "7.5"}),
        (20, "Scope 2 / Electricity / Location-based", {2024: "60.5"}),
        (21, "Scope 2 / District cooling", {2024: "2.0"}),
    ]
    got = _derived(rows)
    assert got[(2024, "ghg.scope2_market")] == (9.5, "20,21")
    assert got[(2024, "ghg.scope2_location")] == (62.5, "20,21")


def test_a_not_reported_mark_is_not_zero():
    """El (market based) '-': no market-based total; location-based still sums."""
    rows = [
        (30, "Scope 2 emissions / El (market based)", {2024: "-"}),
        (31, "Scope 2 emissions / El (location based)", {2024: "70"}),
        (32, "Scope 2 emissions / Fjärrvärme", {2024: "500"}),
    ]
    assert _derived(rows) == {(2024, "ghg.scope2_location"): (570.0, "31,32")}


@pytest.mark.parametrize(
    "extra",
    [
        (44, "Scope 2 / Solar panels leased", {2024: "9"}),  # unknown row in the block
        (44, "Scope 2 / Heating oil (market-based)", {2024: "9"}),  # a fuel, not purchased
        (44, "Scope 2 / El", {2024: "9"}),  # a carrier both with and without a method
    ],
)
def test_a_block_that_is_not_only_carriers_derives_nothing(extra):
    rows = [
        (41, "Scope 2 / El (market based)", {2024: "5"}),
        (42, "Scope 2 / El (location based)", {2024: "40"}),
        (43, "Scope 2 / Fjärrvärme", {2024: "300"}),
        extra,
    ]
    assert _derived(rows) == {}


def test_a_carrier_without_the_method_blocks_that_method():
    rows = [
        (51, "Scope 2 / El (market based)", {2024: "5"}),
        (52, "Scope 2 / El (location based)", {2024: "40"}),
        (53, "Scope 2 / Fjärrvärme (market based)", {2024: "300"}),
    ]
    assert _derived(rows) == {(2024, "ghg.scope2_market"): (305.0, "51,53")}


def test_carriers_without_a_method_under_a_scope_2_heading_sum_to_scope_2():
    """Every carrier printed without a method under 'Scope 2': their sum is the Scope 2 the
    report names no method for; the Scope 3 heading after them ends the block."""
    rows = [
        (60, "Scope 1 / Company cars", {2024: "0"}),
        (62, "Scope 2 / Electricity", {2024: "0"}),
        (63, "Scope 2 / District heating", {2024: "1.25"}),
        (64, "Scope 2 / District cooling", {2024: "0.5"}),
        (66, "Scope 3 / Business travel", {2024: "40"}),
    ]
    assert _derived(rows) == {(2024, "ghg.scope2"): (1.75, "62,63,64")}
    # an unknown row among them: the block is not Scope 2 alone
    assert _derived([*rows[1:4], (65, "Scope 2 / Leased vans", {2024: "3"})]) == {}


def test_a_printed_method_total_inside_the_block_stops_it():
    rows = [*SPLIT[2:6], (16, "Scope 2 / Summa (market based)", {2024: "305"})]
    assert _derived(rows) == {}


REPORT = """Climate data

| tCO2e                           | 2024   | 2023   |
|---------------------------------|--------|--------|
| Scope 1                         | 12     | 14     |
| Scope 2                         |        |        |
| Electricity (market-based)      | 4      | 5      |
| Electricity (location-based)    | 90     | 95     |
| District heating (market-based) | 200    | 210    |
| District heating (location-based) | 250  | 260    |
{extra}
"""
META = """issuer_id: {issuer}
issuer_name: {issuer}
fiscal_year: 2024
period_start: 2024-01-01
period_end: 2024-12-31
"""


def _report(landing: Path, name: str, issuer: str, extra: str = "", prose: str = "") -> None:
    (landing / f"{name}-2024-report.txt").write_text(REPORT.format(extra=extra) + prose)
    (landing / f"{name}-2024-report.yaml").write_text(META.format(issuer=issuer))


def test_pipeline_publishes_derived_method_totals_unless_a_total_is_printed(build, tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    _report(landing, "carra", "CARRA")
    _report(
        landing, "carrb", "CARRB",
        prose="\nSummary\n\n| tCO2e | 2024 |\n|---|---|\n| Scope 2 (location-based) | 345 |\n",
    )  # fmt: skip
    con = build(landing)
    rows = con.execute(
        """SELECT issuer_id, fiscal_year, metric_id, value, basis, derived_from_lines,
                  assumption LIKE 'Scope 2 (%-based) derived as the sum%'
           FROM mart.esg_facts WHERE metric_id LIKE 'ghg.scope2%'
           ORDER BY issuer_id, fiscal_year, metric_id"""
    ).fetchall()
    lines = {r[5] for r in rows if r[0] == "CARRA"}
    assert [r[:5] for r in rows if r[0] == "CARRA"] == [
        ("CARRA", 2023, "ghg.scope2_location", 355.0, "derived"),
        ("CARRA", 2023, "ghg.scope2_market", 215.0, "derived"),
        ("CARRA", 2024, "ghg.scope2_location", 340.0, "derived"),
        ("CARRA", 2024, "ghg.scope2_market", 204.0, "derived"),
    ]
    assert len(lines) == 2 and all(r[6] for r in rows if r[0] == "CARRA")
    # CARRB prints its location-based total for 2024: that one is the printed value
    carrb = {(r[1], r[2]): (r[3], r[4]) for r in rows if r[0] == "CARRB"}
    assert carrb[(2024, "ghg.scope2_location")] == (345.0, "reported")
    assert carrb[(2024, "ghg.scope2_market")] == (204.0, "derived")


def test_pipeline_derives_scope_2_from_carriers_without_a_method_unless_one_is_printed(
    build, tmp_path
):
    landing = tmp_path / "landing"
    landing.mkdir()
    table = (
        "Emissions\n\n| tCO2e | 2024 |\n|---|---|\n| Scope 2 | |\n| Electricity | 2 |\n"
        "| District heating | 30 |\n"
    )
    by_method = (
        "\nOther\n\n| tCO2e | 2024 |\n|---|---|\n| Scope 2 / Electricity (market-based) | 2 |\n"
    )
    for name, extra in (("carrc", ""), ("carrd", "| Total | 33 |\n"), ("carre", by_method)):
        (landing / f"{name}-2024-report.txt").write_text(table + extra)
        (landing / f"{name}-2024-report.yaml").write_text(META.format(issuer=name.upper()))
    con = build(landing)
    rows = con.execute(
        """SELECT issuer_id, value, basis FROM mart.esg_facts
           WHERE metric_id = 'ghg.scope2' AND breakdown IS NULL ORDER BY issuer_id"""
    ).fetchall()
    assert rows == [("CARRC", 32.0, "derived"), ("CARRD", 33.0, "reported")]


def test_a_carrier_in_energy_units_under_scope_2_stays_energy():
    """'Scope 2 / Electricity' in MWh is electricity used, not a Scope 2 part."""
    assert mapping.resolve("Scope 2 / Electricity", "T", None, "MWh").metric_id == (
        "energy.electricity"
    )
    assert mapping.resolve("Scope 2 / Electricity", "T", None, UNIT).rule_id == (
        "scope2_carrier_alone"
    )


HEADED = [
    (70, "Scope 1", {2024: "40"}),
    (71, "Scope 2", {2024: "57", 2023: "61"}),
    (72, "Purchased electricity (market-based)", {2024: "12", 2023: "15"}),
    (73, "Purchased electricity (location-based)", {2024: "65", 2023: "70"}),
    (74, "District heating", {2024: "45", 2023: "47"}),
    (75, "Scope 3", {2024: "900", 2023: "950"}),
]


def _confirmed(rows) -> dict:
    df = scope2_methods.derive(_table(rows))
    return {(r.fiscal_year, r.metric_id): (r.value, r.confirmed_by_total) for r in df.itertuples()}


def test_a_total_printed_above_its_carriers_names_its_method_by_its_sum():
    """'Scope 2 57' over flat carrier rows: they are its block (district heating counts in
    both methods); 57 is the market-based sum (12 + 45), not the location-based one (110)."""
    assert _confirmed(HEADED) == {
        (2024, "ghg.scope2_market"): (57.0, True),
        (2024, "ghg.scope2_location"): (110.0, True),
        (2023, "ghg.scope2_market"): (62.0, True),  # 61 printed: within the rounding
        (2023, "ghg.scope2_location"): (117.0, True),
    }


def test_a_total_above_its_carriers_that_equals_neither_sum_names_no_method():
    rows = [
        *HEADED[:1],
        (71, "Scope 2", {2024: "80"}),
        *[(n, lab, {2024: v[2024]}) for n, lab, v in HEADED[2:]],
    ]
    assert _confirmed(rows) == {
        (2024, "ghg.scope2_market"): (57.0, False),
        (2024, "ghg.scope2_location"): (110.0, False),
    }


def test_pipeline_keeps_both_methods_beside_a_total_that_names_one(build, tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    table = "".join(f"| {label} | {v[2024]} |\n" for _, label, v in HEADED)
    (landing / "carrf-2024-report.txt").write_text(
        f"Emissions\n\n| tCO2e | 2024 |\n|---|---|\n{table}"
    )
    (landing / "carrf-2024-report.yaml").write_text(META.format(issuer="CARRF"))
    con = build(landing)
    rows = con.execute(
        """SELECT metric_id, value, basis FROM mart.esg_facts
           WHERE metric_id LIKE 'ghg.scope2%' AND breakdown IS NULL ORDER BY metric_id"""
    ).fetchall()
    assert rows == [
        ("ghg.scope2", 57.0, "reported"),
        ("ghg.scope2_location", 110.0, "derived"),
        ("ghg.scope2_market", 57.0, "derived"),
    ]
