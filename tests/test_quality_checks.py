"""One test per data-quality rule: mutate a copy of the bundled sample, assert the exact check
that fails, the issuer, metric and line it names, the facts it withholds (and only those:
docs/data-quality.md), and that the untouched issuer still publishes."""

from __future__ import annotations

import shutil
import threading

import duckdb
import pytest

from assets import quality
from assets.core import FACT_CHECKS, MAPPED_CHECKS
from assets.gx_validation import GreatExpectationsResource, suite_check
from assets.mart import GX_SUITE, MART_CHECKS
from assets.quality import ERROR, Check, Finding
from assets.raw import RAW_CHECKS
from assets.scope import Scope
from tests.conftest import (
    NRE_CSV,
    REMT_CSV,
    add_kpi_row,
    copy_sample,
    edit_kpi_table,
    failed_checks,
    failures,
    published,
    withheld,
    withheld_facts,
)

CHECKS = {c.name: c for c in [*RAW_CHECKS, *MAPPED_CHECKS, *FACT_CHECKS, *MART_CHECKS]}


@pytest.fixture
def landing(tmp_path):
    return copy_sample(tmp_path / "landing")


def withheld_by(con) -> set[tuple]:
    """(metric, breakdown, withheld_because) of each fact or row the mart withheld."""
    return {(m, b, why) for _, _, m, b, _, why, _ in withheld_facts(con)}


def evaluated(con, check) -> list[tuple]:
    """Evaluate one check on a warehouse, on its whole tables, after the step wrote them (a step
    runs the same evaluate on a cursor, two checks at a time): (issuer, year, metric, line,
    message) per finding."""
    check = CHECKS[check] if isinstance(check, str) else check
    return sorted(
        (f.issuer_id, f.fiscal_year, f.metric_id, f.source_line, f.message)
        for f in check.evaluate(con)
    )


@pytest.fixture
def tampered(sample_warehouse, tmp_path):
    """A writable copy of the warehouse built from the clean sample.

    For defence in depth: some checks guard tables that an upstream check or asset already keeps
    clean (pandera nullability on tables whose DDL says NOT NULL, allowed values the pipeline
    never writes, mart invariants the publish step guarantees), so no landing input can make them
    fail. Their tests tamper a table of this copy with SQL and evaluate the check on it."""
    query = "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ((path,),) = sample_warehouse.execute(query).fetchall()
    shutil.copy(path, tmp_path / "tampered.duckdb")
    con = duckdb.connect(str(tmp_path / "tampered.duckdb"))
    yield con
    con.close()


def test_clean_samples_raise_no_error(build, landing):
    con = build(landing)
    assert failed_checks(con) == {"no_unmapped_values"}  # a warning, explained in the README
    assert {s for (s,) in con.execute("SELECT severity FROM dq.current_check_results"
                                      " WHERE NOT passed").fetchall()} == {"warn"}  # fmt: skip
    assert withheld(con) == []
    statuses = con.execute("SELECT DISTINCT quality_status FROM mart.esg_facts").fetchall()
    assert statuses == [("pass",)]


def test_schema_negative_amount(build, landing):
    edit_kpi_table(landing / REMT_CSV, {"source_line": 124, "unit": "tonne"}, value="-24,221")
    con = build(landing)
    ((severity, issuer, year, metric, line, message),) = failures(con, "schema_facts")
    assert (severity, issuer, year, metric, line) == ("error", "REMT", 2024, "energy.coal", 124)
    assert "amount_not_negative" in message
    assert withheld(con) == []  # a fact's error withholds facts, not the issuer-year
    assert withheld_by(con) == {  # the coal intensity no longer matches either
        ("energy.coal", None, "named"),
        ("energy.coal_intensity", None, "named"),
        ("energy.coal_intensity", None, "numerator_withheld"),
    }
    assert published(con, "REMT") == 27 and published(con, "NRE") == 29


def test_schema_percentage_above_100(build, landing):
    edit_kpi_table(landing / REMT_CSV, {"source_line": 186}, value="170")
    con = build(landing)
    ((_, issuer, _, metric, line, message),) = failures(con, "schema_facts")
    assert (issuer, metric, line) == ("REMT", "workforce.turnover_rate", 186)
    assert "percentage_within_0_100" in message
    assert withheld_by(con) == {("workforce.turnover_rate", None, "named")}
    assert published(con, "REMT") == 28 and published(con, "NRE") == 29


# A known unit no metric of the label takes ('kWh' of water) leaves the row unmapped instead:
# tests/test_vocabulary.py::test_swedish_report_end_to_end.
@pytest.mark.parametrize(("unit", "why"), [("bananas", "not a known unit")])
def test_unit_unknown_or_incompatible(build, landing, unit, why):
    edit_kpi_table(landing / REMT_CSV, {"source_line": 125, "unit": "m³"}, unit=unit)
    con = build(landing)
    ((severity, issuer, year, metric, line, message),) = failures(con, "units_convertible")
    assert (severity, issuer, year, metric, line) == (
        "error",
        "REMT",
        2024,
        "water.consumption",
        125,
    )
    assert f"'{unit}'" in message and why in message and REMT_CSV.replace(".csv", ".txt") in message
    # the row's value, and the intensity its value was the numerator of
    assert withheld_by(con) == {
        ("water.consumption", None, "named"),
        ("water.consumption_intensity", None, "numerator_withheld"),
    }
    assert published(con, "REMT") == 27 and published(con, "NRE") == 29


def test_year_after_the_report_period(build, landing):
    edit_kpi_table(landing / NRE_CSV, {"source_line": 1657, "year": 2024}, year=2026)
    con = build(landing)
    ((severity, issuer, year, metric, line, message),) = failures(con, "years_in_range")
    # a raw check: the value is not mapped yet, so it names no metric
    assert (severity, issuer, year, metric, line) == ("error", "NRE", 2026, None, 1657)
    assert "after the report period end 2024-12-31" in message
    assert withheld(con) == [] and failures(con, "issuer_years_published") == []
    assert withheld_facts(con) == [
        ("NRE", 2026, "energy.steam", None, 1657, "named", "years_in_range")
    ]
    ((severity, _, year, metric, line, _),) = failures(con, "facts_published")
    assert (severity, year, metric, line) == ("warn", 2026, "energy.steam", 1657)
    # NRE 2022-2024 still publish, without the steam value moved to 2026
    assert published(con, "REMT") == 29 and published(con, "NRE") == 28


@pytest.mark.parametrize(("total", "passes"), [("494", True), ("500", False)])
def test_total_equals_sum_of_parts(build, landing, total, passes):
    add_kpi_row(landing / REMT_CSV, source_line=93, extractor="tab_table", label="Total",
                table_title="Types of hazardous waste", unit="tonnes", value=total)  # fmt: skip
    con = build(landing)
    found = failures(con, "totals_match_parts")
    if passes:  # 3.6 + 490.8 = 494.4, and '494' stands for 493.5..494.5
        assert found == []
        return
    ((severity, issuer, year, metric, line, message),) = found
    assert (severity, issuer, year, metric, line) == ("error", "REMT", 2024, "waste.hazardous", 93)
    assert "total 500 t" in message and "494.4" in message
    # which figure is wrong is not known: the total and both parts are withheld
    assert withheld_by(con) == {
        ("waste.hazardous", None, "named"),
        ("waste.hazardous", "Tar", "named"),
        ("waste.hazardous", "Waste engine oil", "named"),
    }
    assert published(con, "REMT") == 26 and published(con, "NRE") == 29


def test_intensity_must_match_value_over_denominator(build, landing):
    edit_kpi_table(landing / REMT_CSV, {"source_line": 122, "value": "2,366"}, value="3,366")
    con = build(landing)
    ((severity, issuer, year, metric, line, message),) = failures(con, "ratios_match_their_parts")
    assert (severity, issuer, year, metric, line) == (
        "error",
        "REMT",
        2024,
        "energy.electricity_intensity",
        122,
    )
    assert "3,366 kWh/tonne" in message and "2.36611" in message
    # the ratio and its numerator; the production it divides by holds in three other ratios
    assert withheld_by(con) == {
        ("energy.electricity_intensity", None, "named"),
        ("energy.electricity_intensity", None, "numerator_withheld"),
        ("energy.electricity", None, "named"),
    }
    assert published(con, "NRE") == 29


def test_a_numerator_of_zero_is_judged_too(build, landing):
    """Coal printed as 0 beside a printed 1.92 t of coal per tonne of product: once skipped (the
    tolerance divided by the numerator), so the 0 was published as passing."""
    edit_kpi_table(landing / REMT_CSV, {"source_line": 124, "value": "24,221"}, value="0")
    con = build(landing)
    ((_, issuer, year, metric, line, message),) = failures(con, "ratios_match_their_parts")
    assert (issuer, year, metric, line) == ("REMT", 2024, "energy.coal_intensity", 124)
    assert "1.92 tonnes/tonne" in message and "= 0 t/t" in message
    assert {m for m, _, _ in withheld_by(con)} == {"energy.coal", "energy.coal_intensity"}


def test_rounded_intensity_passes_within_printed_precision(build, landing):
    """REMT prints 0.02 L/t of diesel for a true 205 / 12,613 = 0.0163: that is not an error."""
    con = build(landing)
    assert failures(con, "ratios_match_their_parts") == []
    (value,) = con.execute(
        "SELECT reported_value FROM mart.esg_facts WHERE metric_id = 'energy.diesel_intensity'"
    ).fetchall()[0]
    assert value == "0.02"


def test_average_must_match_total_over_count(build, landing):
    edit_kpi_table(landing / REMT_CSV, {"source_line": 221, "value": "32"}, value="30")
    con = build(landing)
    ((_, issuer, year, metric, line, message),) = failures(con, "ratios_match_their_parts")
    assert (issuer, year, metric, line) == ("REMT", 2024, "training.average_hours", 221)
    assert "= 32 h" in message
    # the average, its numerator and denominator (no other ratio vouches for them), and the
    # totals derived from those two parts
    managers = "Managers and senior management"
    assert withheld_by(con) == {
        ("training.average_hours", managers, "named"),
        ("training.average_hours", managers, "numerator_withheld"),
        ("training.hours", managers, "named"),
        ("training.employees_trained", managers, "named"),
        ("training.hours", None, "part_withheld"),
        ("training.employees_trained", None, "part_withheld"),
    }
    assert published(con, "NRE") == 29


def test_renewable_share_uses_total_energy_as_base(build, landing):
    """4 % of total energy (285,000 tce = 2,320,185 MWh) is 93,750 MWh: no false alarm, although
    93,750 / 819,687 MWh of purchased electricity would be 11.4 %."""
    add_kpi_row(
        landing / NRE_CSV,
        source_line=1700,
        label="Comprehensive energy consumption",
        unit="tce",
        year=2024,
        value="285,000",
    )
    con = build(landing)
    assert failures(con, "ratios_match_their_parts") == []
    edit_kpi_table(landing / NRE_CSV, {"source_line": 1700}, value="800,000")
    con = build(landing)
    ((_, issuer, year, metric, line, _),) = failures(con, "ratios_match_their_parts")
    assert (issuer, year, metric, line) == ("NRE", 2024, "energy.renewable_share", 1681)
    assert {m for m, _, _ in withheld_by(con)} == {
        "energy.renewable_share",
        "energy.renewable",
        "energy.total_tce",
        "energy.total_tce_intensity",  # a ratio whose numerator is withheld
    }
    assert published(con, "REMT") == 29


# The rule finding on REMT 2024's people trained (302, source line 219).
REMT_TRAINED_2024 = ("error", "REMT", 2024, "training.employees_trained", 219)
RULE = "rule_trained_within_employees"


def test_people_trained_cannot_exceed_employees(build, landing):
    edit_kpi_table(landing / REMT_CSV, {"source_line": 178}, value="250")
    con = build(landing)
    ((severity, issuer, year, metric, line, _),) = failures(con, "rule_trained_within_employees")
    assert (severity, issuer, year, metric, line) == REMT_TRAINED_2024
    assert withheld_by(con) == {
        ("training.employees_trained", None, "named"),
        ("workforce.employees", None, "named"),
    }
    assert published(con, "NRE") == 29


def test_one_value_per_source(build, landing):
    add_kpi_row(landing / REMT_CSV, source_line=140, extractor="tab_table", label="Coal",
                table_title="Resources", unit="tonne", value="25,000")  # fmt: skip
    con = build(landing)
    ((_, issuer, _, metric, line, message),) = failures(con, "one_value_per_source")
    assert (issuer, metric, line) == ("REMT", "energy.coal", 124)
    assert "24,221" in message and "25,000" in message
    assert {m for m, _, _ in withheld_by(con)} == {"energy.coal", "energy.coal_intensity"}
    assert published(con, "REMT") == 27 and published(con, "NRE") == 29


def test_a_table_of_a_wider_boundary_gives_way_to_the_unqualified_figures(build, landing):
    # REMT prints Coal 24,221 t; a table titled with an inclusion phrase prints it otherwise:
    # that table (all its rows) is another boundary's, so the one value per source holds
    wider = "Resources (including joint ventures)"
    add_kpi_row(landing / REMT_CSV, source_line=140, extractor="tab_table", label="Coal",
                table_title=wider, unit="tonne", value="26,500")  # fmt: skip
    add_kpi_row(landing / REMT_CSV, source_line=141, extractor="tab_table", table_title=wider,
                label="Scope 1 emissions", unit="tCO2e", value="910")  # fmt: skip
    # a qualified table alone (NRE prints no Scope 1 elsewhere) is read as usual
    add_kpi_row(landing / NRE_CSV, source_line=1700, extractor="tab_table", year="2024",
                label="Scope 1 emissions", table_title="GHG, incl. leased sites", unit="tCO2e",
                value="1,230")  # fmt: skip
    con = build(landing)
    assert failed_checks(con) == {"no_unmapped_values"}
    rows = con.execute(
        """SELECT issuer_id, fiscal_year, metric_id, value FROM mart.esg_facts
           WHERE metric_id = 'ghg.scope1' OR (issuer_id, metric_id) = ('REMT', 'energy.coal')
           ORDER BY ALL"""
    ).fetchall()
    assert rows == [("NRE", 2024, "ghg.scope1", 1230.0), ("REMT", 2024, "energy.coal", 24221.0)]
    apart = con.execute(
        """SELECT line_number, metric_id, mapping_status, mapping_rule FROM core.mapped_values
           WHERE line_number IN (140, 141) AND issuer_id = 'REMT' ORDER BY ALL"""
    ).fetchall()
    assert apart == [
        (140, "energy.coal", "ignored", "other_boundary_table"),
        (141, "ghg.scope1", "ignored", "other_boundary_table"),
    ]
    assert published(con, "REMT") == 29 and published(con, "NRE") == 30


def test_a_wider_boundary_table_against_a_sentence_still_conflicts(build, landing):
    # a figure in a sentence may be a subset: it does not set the qualified table apart
    add_kpi_row(landing / REMT_CSV, source_line=150, extractor="tab_table", label="Scope 1",
                table_title="Emissions (incl. contractors)", unit="tCO2e", value="905")  # fmt: skip
    add_kpi_row(landing / REMT_CSV, source_line=160, extractor="prose", label="direct emissions",
                unit="tCO2e", value="870", metric_hint="ghg.scope1")  # fmt: skip
    con = build(landing)
    ((_, issuer, _, metric, line, _),) = failures(con, "one_value_per_source")
    assert (issuer, metric, line) == ("REMT", "ghg.scope1", 150)


def test_duplicate_file_with_different_values_is_flagged_not_overwritten(build, landing):
    shutil.copy(landing / REMT_CSV, landing / "remt-copy.csv")
    meta = (landing / "remt-2024-esg-report.yaml").read_text()
    (landing / "remt-copy.yaml").write_text(
        meta.replace("remt-2024-esg-report.txt", "remt-copy.txt")
    )
    edit_kpi_table(landing / "remt-copy.csv", {"source_line": 124, "unit": "tonne"}, value="24,000")
    con = build(landing)
    ((severity, issuer, year, metric, line, message),) = failures(con, "conflicting_sources")
    assert (severity, issuer, year, metric, line) == ("error", "REMT", 2024, "energy.coal", 124)
    assert "24221" in message and "24000" in message and "remt-copy.txt line 124" in message
    both = con.execute("SELECT count(*) FROM core.facts WHERE metric_id = 'energy.coal'"
                       " AND issuer_id = 'REMT'").fetchall()[0][0]  # fmt: skip
    assert both == 2
    assert withheld_by(con) == {
        ("energy.coal", None, "named"),
        ("energy.coal_intensity", None, "numerator_withheld"),
    }
    assert published(con, "REMT") == 27 and published(con, "NRE") == 29


def test_restatement_in_a_later_report_warns_and_latest_wins(build, landing):
    (landing / "nre-2025.yaml").write_text(
        (landing / "northern-rare-earth-2024-esg-report.yaml").read_text()
        .replace("northern-rare-earth-2024-esg-report.txt", "nre-2025.txt")
        .replace("fiscal_year: 2024", "fiscal_year: 2025").replace("2024-", "2025-")
    )  # fmt: skip
    (landing / "nre-2025.csv").write_text(
        'label,unit,year,value,source_line\nPurchased electricity,MWh,2024,"820,000",40\n'
    )
    con = build(landing)
    ((severity, issuer, year, metric, line, message),) = failures(con, "restated_values")
    assert (severity, issuer, year, metric, line) == (
        "warn",
        "NRE",
        2024,
        "energy.electricity",
        1654,
    )
    assert "819687" in message and "820000" in message and "nre-2025.txt line 40" in message
    ((value, doc, status),) = con.execute(
        """SELECT value, source_document, quality_status FROM mart.esg_facts
           WHERE issuer_id = 'NRE' AND fiscal_year = 2024 AND metric_id = 'energy.electricity'"""
    ).fetchall()
    assert (value, doc, status) == (820000.0, "nre-2025.txt", "warn")
    assert published(con, "REMT") == 29


def later_remt_report(landing, rows: str) -> str:
    """A 2025 REMT KPI table restating 2024 values (`rows`: CSV lines); its document name."""
    (landing / "remt-2025.yaml").write_text(
        "issuer_id: REMT\nissuer_name: Rare Earth Magnesium Technology Group Holdings Limited\n"
        "fiscal_year: 2025\nperiod_start: 2025-01-01\nperiod_end: 2025-12-31\n"
    )
    (landing / "remt-2025.csv").write_text("label,unit,year,value,source_line,metric_hint\n" + rows)
    return "remt-2025.csv"


def test_relation_rules_judge_the_value_the_mart_publishes(build, landing):
    """REMT 2024 prints 341 employees and 302 trained; its 2025 report restates 2024's
    employees as 290. The mart would publish 290 beside 302 trained: the rule judges those two
    values and names both lines; both are withheld rather than published inconsistent (the
    rule used to judge the first document's 341), the rest of REMT 2024 publishes."""
    doc = later_remt_report(landing, "Total employees,persons,2024,290,10,workforce.employees\n")
    con = build(landing)
    ((severity, issuer, year, metric, line, message),) = failures(
        con, "rule_trained_within_employees"
    )
    assert (severity, issuer, year, metric, line) == REMT_TRAINED_2024
    assert "302 <= workforce.employees 290" in message and f"{doc} line 10" in message
    current = con.execute(
        """SELECT value, source_document, source_line FROM core.facts WHERE is_current
           AND issuer_id = 'REMT' AND fiscal_year = 2024 AND metric_id = 'workforce.employees'"""
    ).fetchall()
    assert current == [(290.0, doc, 10)]
    assert withheld_facts(con) == [
        ("REMT", 2024, "training.employees_trained", None, 219, "named", RULE),
        ("REMT", 2024, "workforce.employees", None, 10, "named", RULE),
    ]
    assert published(con, "REMT") == 27 and published(con, "NRE") == 29


def test_ratio_is_judged_in_its_report_and_a_restated_part_warns(build, landing):
    """REMT's 2025 report restates only 2024's production (14,000 t, printed 12,613 t). The
    2024 report's intensities (2,366 kWh/t = 29,843,800 kWh / 12,613 t) still hold in that
    report: no error, REMT 2024 publishes. The mart shows the restated production beside the
    intensities as printed; restated_values names each such intensity and what the published
    parts give now, and marks it warn."""
    doc = later_remt_report(
        landing, 'Production of magnesium products,tonnes,2024,"14,000",11,production.output\n'
    )
    con = build(landing)
    assert failures(con, "ratios_match_their_parts") == []
    assert withheld(con) == [] and published(con, "REMT") == 29
    warned = {(m, line): msg for (_, _, _, m, line, msg) in failures(con, "restated_values")}
    electricity = warned[("energy.electricity_intensity", 122)]
    assert "29843.8 (remt-2024-esg-report.txt line 122)" in electricity
    assert f"production.output 14000 ({doc} line 11) = 2.1317 MWh/t, not 2.366" in electricity
    assert {m for (m, _) in warned} == {
        "production.output",
        "energy.electricity_intensity",
        "energy.diesel_intensity",
        "energy.coal_intensity",
        "water.consumption_intensity",
    }
    rows = con.execute(
        """SELECT metric_id, value, source_document, quality_status FROM mart.esg_facts
           WHERE issuer_id = 'REMT' AND fiscal_year = 2024
             AND metric_id IN ('production.output', 'energy.electricity_intensity')
           ORDER BY ALL"""
    ).fetchall()
    assert rows == [
        ("energy.electricity_intensity", 2.366, "remt-2024-esg-report.txt", "warn"),
        ("production.output", 14000.0, doc, "warn"),
    ]


def test_value_printed_twice_alike_is_one_fact(build, landing):
    """341 employees in the prose and again in a table, and Tar's 490.8 t repeated on another
    line: one fact each, sourced at the first line, every line kept in derived_from_lines; the
    derived hazardous-waste total counts Tar once. Nothing is withheld."""
    add_kpi_row(landing / REMT_CSV, source_line=300, extractor="prose",
                label="the Group had 341 employees", unit="employees", value="341",
                metric_hint="workforce.employees")  # fmt: skip
    add_kpi_row(landing / REMT_CSV, source_line=240, extractor="tab_table",
                table_title="Types of hazardous waste", column_header="Emission: tonnes",
                label="Tar", unit="tonnes", value="490.8")  # fmt: skip
    con = build(landing)
    assert failed_checks(con) == {"no_unmapped_values"} and withheld(con) == []
    assert published(con, "REMT") == 29
    rows = con.execute(
        """SELECT metric_id, breakdown, value, basis, source_line, derived_from_lines
           FROM core.facts WHERE issuer_id = 'REMT'
             AND metric_id IN ('workforce.employees', 'waste.hazardous')
           ORDER BY metric_id, breakdown NULLS FIRST"""
    ).fetchall()
    assert rows == [
        ("waste.hazardous", None, 494.4, "derived", 91, "91,92,240"),
        ("waste.hazardous", "Tar", 490.8, "reported", 92, "92,240"),
        ("waste.hazardous", "Waste engine oil", 3.6, "reported", 91, None),
        ("workforce.employees", None, 341.0, "reported", 178, "178,300"),
    ]


def test_value_printed_twice_differently_fails_naming_both_lines(build, landing):
    add_kpi_row(landing / REMT_CSV, source_line=240, extractor="tab_table",
                table_title="Types of hazardous waste", column_header="Emission: tonnes",
                label="Tar", unit="tonnes", value="409.8")  # fmt: skip
    con = build(landing)
    ((_, issuer, year, metric, line, message),) = failures(con, "one_value_per_source")
    assert (issuer, year, metric, line) == ("REMT", 2024, "waste.hazardous", 92)
    assert "490.8 tonnes (line 92), 409.8 tonnes (line 240)" in message
    gx = failures(con, "gx_core_facts")
    assert [f[4] for f in gx] == [92, 240]
    key = "('REMT', 2024, 'waste.hazardous', 'Tar', 'remt-2024-esg-report.txt')"
    for _, _, _, _, line, message in gx:
        assert "expect_compound_columns_to_be_unique" in message and key in message
        assert message.endswith(f"in remt-2024-esg-report.txt line {line}")
    # the key is withheld (its message names both lines), and the total derived from it
    assert withheld_by(con) == {
        ("waste.hazardous", "Tar", "named"),
        ("waste.hazardous", None, "part_withheld"),
    }
    assert published(con, "REMT") == 27 and published(con, "NRE") == 29


def test_year_on_year_jump_is_a_warning(build, landing):
    edit_kpi_table(landing / NRE_CSV, {"source_line": 1657, "year": 2024}, value="4,122")
    con = build(landing)
    ((severity, issuer, year, metric, line, _),) = failures(con, "year_on_year_jumps")
    assert (severity, issuer, year, metric, line) == ("warn", "NRE", 2024, "energy.steam", 1657)
    assert withheld(con) == []
    status = con.execute(
        """SELECT quality_status FROM mart.esg_facts WHERE issuer_id = 'NRE'
           AND fiscal_year = 2024 AND metric_id = 'energy.steam'"""
    ).fetchall()
    assert status == [("warn",)]


def test_year_on_year_factor_is_configurable(build, landing, monkeypatch):
    monkeypatch.setenv("ESG_YOY_FACTOR", "2.5")  # steam fell 119,186 -> 41,225 t: a factor 2.9
    con = build(landing)
    ((_, issuer, year, metric, _, _),) = failures(con, "year_on_year_jumps")
    assert (issuer, year, metric) == ("NRE", 2024, "energy.steam")


def test_unreadable_document_is_a_failing_row(build, landing):
    (landing / "acme.txt").write_bytes(b"\xff\xfe\x00\x00")
    (landing / "acme.yaml").write_text("issuer_id: ACME\n")
    con = build(landing)
    ((severity, _, _, _, _, message),) = failures(con, "documents_readable")
    assert severity == "error" and message.startswith("acme.txt: metadata_field")
    assert published(con, "REMT") == 29 and published(con, "NRE") == 29


def test_unread_table_cell_is_a_warning_named_by_line_and_the_rest_publishes(build, landing):
    """A cell the reader sees as table data but cannot read ('(7)': a sign it will not guess)
    is recorded in raw.load_errors and shown by table_rows_read and the coverage view; it
    does not withhold the report's other values."""
    (landing / "acme.yaml").write_text(
        "issuer_id: ACME\nissuer_name: Acme Ltd\nfiscal_year: 2024\n"
        "period_start: 2024-01-01\nperiod_end: 2024-12-31\n"
    )
    (landing / "acme.txt").write_text(
        "Resources\nIndicator\tUnit\t2024\t2023\nPurchased electricity\tMWh\t1,850\t(1,790)\n"
    )
    con = build(landing)
    ((severity, issuer, year, _, line, message),) = failures(con, "table_rows_read")
    assert (severity, issuer, year, line) == ("warn", "ACME", 2024, 3)
    assert "acme.txt line 3 [value_in_parentheses]" in message and "'(1,790)'" in message
    assert failures(con, "rows_readable") == [] and withheld(con) == []
    assert published(con, "ACME") == 1
    coverage = "SELECT numeric_rows, unread_rows FROM core.document_coverage WHERE report = 'acme'"
    assert con.execute(coverage).fetchall() == [(1, 1)]


def test_failing_rows_are_kept_in_failure_cases(build, landing):
    edit_kpi_table(landing / REMT_CSV, {"source_line": 124, "unit": "tonne"}, value="-24,221")
    con = build(landing)
    rows = con.execute(
        "SELECT source_line, column_name, failure_case FROM dq.failure_cases"
        " WHERE check_name = 'schema_facts'"
    ).fetchall()
    assert rows == [(124, "value", "-24221.0")]


def test_great_expectations_suite_fails_on_bad_rows(build, landing):
    edit_kpi_table(landing / NRE_CSV, {"source_line": 1654, "year": 2022}, year=1980)
    con = build(landing)
    found = failures(con, "gx_core_facts")
    assert ("error", "NRE", 1980, "energy.electricity", 1654) in [f[:5] for f in found]
    assert any("expect_column_values_to_be_between on fiscal_year" in f[5] for f in found)
    assert withheld_by(con) == {("energy.electricity", None, "named")}
    assert published(con, "REMT") == 29 and published(con, "NRE") == 28


def test_great_expectations_passes_clean_data_and_writes_data_docs(build, landing, tmp_path):
    con = build(landing)
    assert failures(con, "gx_core_facts") == [] and failures(con, "gx_mart_esg_facts") == []
    index = tmp_path / "gx" / "data_docs" / "index.html"
    assert index.exists() and "core_facts" in index.read_text()


def test_year_far_before_the_report_tables_is_an_error(build, landing):
    """NRE's 2024 report prints 2022-2024; a header misread as 2010 lies more than
    ESG_MAX_YEARS_BACK (default 10: a ten-year series) years before the report's fiscal
    year. Only that value is withheld."""
    edit_kpi_table(landing / NRE_CSV, {"source_line": 1657, "year": 2022}, year=2010)
    con = build(landing)
    ((severity, issuer, year, metric, line, message),) = failures(con, "years_in_range")
    assert (severity, issuer, year, metric, line) == ("error", "NRE", 2010, None, 1657)
    assert "more than 10 years before the report's fiscal year 2024" in message
    assert withheld(con) == []
    assert withheld_facts(con) == [
        ("NRE", 2010, "energy.steam", None, 1657, "named", "years_in_range")
    ]
    assert published(con, "REMT") == 29 and published(con, "NRE") == 28


def test_years_back_is_configurable(build, landing, monkeypatch):
    monkeypatch.setenv("ESG_MAX_YEARS_BACK", "1")  # NRE's 2022 column is now too old
    con = build(landing)
    found = failures(con, "years_in_range")
    assert {(issuer, year) for (_, issuer, year, *_) in found} == {("NRE", 2022)}
    printed_2022 = (  # 'not reported' marks put no value in 2022: they are not judged
        "SELECT line_number FROM raw.reported_values WHERE year = 2022 AND NOT not_reported"
        " ORDER BY 1"
    )
    assert [line for (*_, line, _) in found] == [n for (n,) in con.execute(printed_2022).fetchall()]
    assert len(found) == 10
    assert {y for _, y, *_ in withheld_facts(con)} == {2022}
    assert published(con, "REMT") == 29


@pytest.mark.parametrize(
    ("label", "unit", "year", "title", "value"),
    [
        ("Carbon neutrality target", "%", 2030, "", "100"),
        ("Electricity consumption (base year)", "MWh", 2005, "", "100"),
        ("Electricity consumption", "MWh", 2005, "Base year and progress", "100"),
        ("Electricity consumption", "MWh", 2015, "", "100"),  # a ten-year series: 2015-2024
        ("Electricity consumption", "MWh", 2029, "", "n.a."),  # a column that holds no value
    ],
)
def test_targets_may_lie_ahead_and_baselines_behind(
    build, landing, label, unit, year, title, value
):
    """A target may lie after the period and a base year before the ten years a series
    covers, whether the row's label or its table's title says so; a cell marked not reported
    puts no value in its year."""
    add_kpi_row(
        landing / NRE_CSV,
        source_line=1740,
        extractor="multi_year_text",
        table_title=title,
        label=label,
        unit=unit,
        year=year,
        value=value,
    )
    con = build(landing)
    assert failures(con, "years_in_range") == []
    assert withheld(con) == []
    assert published(con, "NRE") >= 29 and published(con, "REMT") == 29


def test_schema_collects_every_failure_lazily(build, landing):
    """Two different violations of one schema in one refresh: both are reported, not the first."""
    edit_kpi_table(landing / REMT_CSV, {"source_line": 124, "unit": "tonne"}, value="-24,221")
    edit_kpi_table(landing / REMT_CSV, {"source_line": 186}, value="170")
    con = build(landing)
    found = failures(con, "schema_facts")
    assert [f[1:5] for f in found] == [
        ("REMT", 2024, "energy.coal", 124),
        ("REMT", 2024, "workforce.turnover_rate", 186),
    ]
    assert "amount_not_negative" in found[0][5] and "percentage_within_0_100" in found[1][5]
    assert published(con, "NRE") == 29


def test_schema_reported_values_line_numbers_start_at_one(build, landing):
    edit_kpi_table(landing / REMT_CSV, {"source_line": 128}, source_line=0)
    con = build(landing)
    ((severity, issuer, year, metric, line, message),) = failures(con, "schema_reported_values")
    # a raw value names no metric yet; its year is the report's (none printed)
    assert (severity, issuer, year, metric, line) == ("error", "REMT", 2024, None, 0)
    assert "column line_number fails greater_than_or_equal_to(1)" in message
    assert withheld(con) == []  # the row's facts are withheld, and the total derived from them
    assert withheld_by(con) == {
        ("materials.packaging", "Wrap", "named"),
        ("materials.packaging", None, "named"),  # the derived total starts on line 0 too
        ("materials.packaging", None, "part_withheld"),
    }
    assert published(con, "REMT") == 27 and published(con, "NRE") == 29


@pytest.mark.parametrize(("total", "passes"), [("3,000", True), ("2,500", False)])
def test_ghg_total_is_the_sum_of_its_scopes(build, landing, total, passes):
    """Scopes are separate metrics (not breakdowns of ghg.total), so their sum is checked by the
    consistency rule ghg_total_is_sum_of_scopes rather than by totals_match_parts. No Scope 3
    is printed, so a total above scopes 1 and 2 could include it; one below them cannot be."""
    for line, label, value in [
        (60, "Scope 1 emissions", "1,000"),
        (61, "Scope 2 emissions", "2,000"),
        (62, "Total GHG emissions", total),
    ]:
        add_kpi_row(
            landing / REMT_CSV,
            source_line=line,
            extractor="tab_table",
            label=label,
            table_title="Greenhouse gas emissions",
            unit="tonnes CO2e",
            value=value,
        )
    con = build(landing)
    found = failures(con, "rule_ghg_total_is_sum_of_scopes")
    if passes:
        assert found == [] and withheld(con) == []
        return
    ((severity, issuer, year, metric, line, message),) = found
    assert (severity, issuer, year, metric, line) == ("error", "REMT", 2024, "ghg.total", 62)
    assert "2500" in message and "ghg.scope1 + ghg.scope2 3000" in message
    assert {m for m, _, _ in withheld_by(con)} == {"ghg.total", "ghg.scope1", "ghg.scope2"}
    assert published(con, "NRE") == 29


@pytest.mark.parametrize(("total", "passes"), [("600", True), ("400", False)])
def test_renewable_energy_within_total_energy(build, landing, total, passes):
    add_kpi_row(
        landing / REMT_CSV,
        source_line=126,
        extractor="tab_table",
        label="Renewable energy",
        table_title="Resources",
        unit="MWh",
        value="500",
    )
    add_kpi_row(
        landing / REMT_CSV,
        source_line=127,
        extractor="tab_table",
        label="Total energy consumption",
        table_title="Resources",
        unit="MWh",
        value=total,
    )
    con = build(landing)
    found = failures(con, "rule_energy_share_within_total")
    if passes:
        assert found == [] and withheld(con) == []
        return
    ((severity, issuer, year, metric, line, message),) = found
    assert (severity, issuer, year, metric, line) == (
        "error",
        "REMT",
        2024,
        "energy.renewable",
        126,
    )
    assert "500 <= energy.total 400" in message
    assert {m for m, _, _ in withheld_by(con)} == {"energy.renewable", "energy.total"}
    assert published(con, "NRE") == 29


def test_staff_categories_must_add_up_to_the_total(build, landing):
    """Training by staff category: 6 + 296 = 302 people, printed total 310 (counts are exact)."""
    add_kpi_row(
        landing / REMT_CSV,
        source_line=222,
        extractor="tab_table",
        label="The number of staff receiving training",
        unit="people",
        value="310",
    )
    con = build(landing)
    ((severity, issuer, year, metric, line, message),) = failures(con, "totals_match_parts")
    assert (severity, issuer, year, metric, line) == (
        "error",
        "REMT",
        2024,
        "training.employees_trained",
        222,
    )
    assert "total 310" in message and "302" in message and "lines 219)" in message
    assert {(m, b) for m, b, _ in withheld_by(con)} == {
        ("training.employees_trained", None),
        ("training.employees_trained", "General employees"),
        ("training.employees_trained", "Managers and senior management"),
    }
    assert published(con, "NRE") == 29


def test_diesel_by_use_must_add_up_to_the_total(build, landing):
    """REMT prints 205 L of diesel (line 123); parts by use of 150 L + 40 L fall 15 L short."""
    for line, label, value in [(130, "Diesel - vehicles", 150), (131, "Diesel - generators", 40)]:
        add_kpi_row(
            landing / REMT_CSV,
            source_line=line,
            extractor="tab_table",
            label=label,
            table_title="Resources",
            unit="liter",
            value=value,
        )
    con = build(landing)
    ((severity, issuer, year, metric, line, message),) = failures(con, "totals_match_parts")
    assert (severity, issuer, year, metric, line) == ("error", "REMT", 2024, "energy.diesel", 123)
    assert "(lines 130,131)" in message
    assert withheld_by(con) == {
        ("energy.diesel", None, "named"),
        ("energy.diesel", "Diesel - vehicles", "named"),
        ("energy.diesel", "Diesel - generators", "named"),
        ("energy.diesel_intensity", None, "numerator_withheld"),
    }
    assert published(con, "NRE") == 29


def test_withheld_facts_keep_their_earlier_publish_marked_fail(build, landing):
    """A refresh that withholds REMT 2024's coal (and the coal intensity it is the numerator
    of) keeps those facts as the earlier publish gave them, with quality_status = 'fail', so
    SQL users can filter them out; every other fact of REMT 2024 is republished."""
    build(landing)  # a clean publish
    edit_kpi_table(landing / REMT_CSV, {"source_line": 124, "unit": "tonne"}, value="-24,221")
    con = build(landing)
    assert withheld(con) == []
    statuses = dict(
        con.execute(
            """SELECT metric_id, quality_status FROM mart.esg_facts
           WHERE issuer_id = 'REMT' AND breakdown IS NULL"""
        ).fetchall()
    )
    assert published(con, "REMT") == 29  # two carried over, with the earlier publish's values
    assert statuses["energy.coal"] == "fail" and statuses["energy.coal_intensity"] == "fail"
    assert statuses["water.consumption"] == "pass"
    coal = "SELECT value FROM mart.esg_facts WHERE issuer_id = 'REMT' AND metric_id = 'energy.coal'"
    assert con.execute(coal).fetchall() == [(24221.0,)]
    previously = con.execute(
        "SELECT DISTINCT metric_id FROM mart.withheld_facts WHERE previously_published"
    ).fetchall()
    assert sorted(previously) == [("energy.coal",), ("energy.coal_intensity",)]
    assert {
        s
        for (s,) in con.execute(
            "SELECT DISTINCT quality_status FROM mart.esg_facts WHERE issuer_id = 'NRE'"
        ).fetchall()
    } == {"pass"}
    assert published(con, "NRE") == 29


REMT_COAL = "issuer_id = 'REMT' AND metric_id = 'energy.coal'"


@pytest.mark.parametrize(
    ("check", "tamper", "named", "says"),
    [
        pytest.param(
            "schema_report_documents",
            ["UPDATE raw.report_documents SET status = 'archived' WHERE issuer_id = 'REMT'"],
            ("REMT", 2024, None, None),
            "column status fails isin",
            id="report_documents",
        ),
        pytest.param(
            "schema_label_mentions",
            [
                "ALTER TABLE raw.label_mentions ALTER COLUMN metric_id DROP NOT NULL",
                "INSERT INTO raw.label_mentions VALUES ('remt-2024-esg-report',"
                " 'remt-2024-esg-report.csv', 'REMT', 2024, 57, 'Scope 1 emissions', NULL)",
            ],
            ("REMT", 2024, None, 57),
            "column metric_id fails not_nullable",
            id="label_mentions",
        ),
        pytest.param(
            "schema_load_errors",
            [
                "ALTER TABLE raw.load_errors ALTER COLUMN rule DROP NOT NULL",
                "INSERT INTO raw.load_errors VALUES ('remt-2024-esg-report',"
                " 'remt-2024-esg-report.csv', 7, NULL, 'label is empty')",
            ],
            (None, None, None, 7),
            "column rule fails not_nullable",
            id="load_errors",
        ),
        pytest.param(
            "schema_mapped_values",
            [
                "UPDATE core.mapped_values SET conversion_status = 'guessed'"
                " WHERE issuer_id = 'REMT' AND line_number = 125 AND unit = 'm³'"
            ],
            ("REMT", 2024, "water.consumption", 125),
            "column conversion_status fails isin",
            id="mapped_values",
        ),
        pytest.param(
            "unique_fact_key",
            [f"INSERT INTO mart.esg_facts SELECT * FROM mart.esg_facts WHERE {REMT_COAL}"],
            ("REMT", 2024, "energy.coal", 124),
            "duplicated key (2 rows: remt-2024-esg-report.txt line 124, remt-2024-esg-report.txt"
            " line 124)",
            id="unique_fact_key",
        ),
        pytest.param(
            "canonical_units",
            [
                "UPDATE mart.esg_facts SET unit = 'kWh'"
                " WHERE issuer_id = 'REMT' AND metric_id = 'energy.electricity'"
            ],
            ("REMT", 2024, "energy.electricity", 122),
            "unit kWh is not the canonical MWh",
            id="canonical_units",
        ),
        pytest.param(
            "traceable_to_source",
            [f"UPDATE mart.esg_facts SET reported_value = NULL WHERE {REMT_COAL}"],
            ("REMT", 2024, "energy.coal", 124),
            "fact without its source",
            id="traceable_reported",
        ),
        pytest.param(
            "traceable_to_source",
            [
                "UPDATE mart.esg_facts SET derived_from_lines = NULL WHERE issuer_id = 'REMT'"
                " AND metric_id = 'waste.hazardous' AND breakdown IS NULL"
            ],
            ("REMT", 2024, "waste.hazardous", 91),
            "fact without its source",
            id="traceable_derived",
        ),
    ],
)
def test_defence_in_depth_checks_fail_on_a_tampered_table(tampered, check, tamper, named, says):
    """Checks no landing input can make fail (an upstream check or the DDL prevents it) are
    evaluated on a tampered copy of the clean sample warehouse: they pass before, and after the
    tampering name exactly the tampered row (never the untouched issuer)."""
    assert evaluated(tampered, check) == []
    for statement in tamper:
        tampered.execute(statement)
    ((*where, message),) = evaluated(tampered, check)
    assert tuple(where) == named and says in message
    assert CHECKS[check].severity == "error"


def test_schema_of_the_mart_collects_every_failure(tampered):
    """Two different violations of mart.esg_facts' schema at once (an unknown quality status, a
    negative amount): both are reported, each naming its fact."""
    assert evaluated(tampered, "schema_esg_facts") == []
    tampered.execute(f"UPDATE mart.esg_facts SET quality_status = 'unknown' WHERE {REMT_COAL}")
    tampered.execute(
        "UPDATE mart.esg_facts SET value = -1 WHERE issuer_id = 'REMT' AND metric_id ="
        " 'water.consumption'"
    )
    found = evaluated(tampered, "schema_esg_facts")
    assert [f[:4] for f in found] == [
        ("REMT", 2024, "energy.coal", 124),
        ("REMT", 2024, "water.consumption", 125),
    ]
    assert "column quality_status fails isin" in found[0][4]
    assert "amount_not_negative" in found[1][4]


def test_schema_fails_a_column_whose_type_drifts_from_tables_yaml(tampered, monkeypatch):
    """The schemas check DuckDB's own types (nothing is coerced): a column retyped behind
    tables.yaml's back fails its schema, once, however many batches pandera reads."""
    monkeypatch.setenv("ESG_CHECK_CHUNK_ROWS", "7")
    assert evaluated(tampered, "schema_mapped_values") == []
    tampered.execute("ALTER TABLE core.mapped_values ALTER COLUMN line_number TYPE BIGINT")
    ((*where, message),) = evaluated(tampered, "schema_mapped_values")
    assert where == [None, None, None, None]  # the column fails, not a row
    assert message.startswith("core.mapped_values: column line_number fails dtype('Int32')")


def test_schema_fact_rules_leave_a_nan_to_the_nullability_check(tampered):
    """A NaN value is a missing value, as pandas treated it: core.facts.value is NOT NULL, so
    it fails `not_nullable`, and neither fact rule judges it as a number."""
    tampered.execute(
        "UPDATE core.facts SET value = 'NaN'::DOUBLE WHERE issuer_id = 'REMT' AND metric_id ="
        " 'workforce.turnover_rate' AND breakdown IS NULL"
    )
    ((*where, message),) = evaluated(tampered, "schema_facts")
    assert where[:3] == ["REMT", 2024, "workforce.turnover_rate"]
    assert "column value fails not_nullable" in message


def test_schema_names_the_failing_row_in_any_record_batch(tampered, monkeypatch):
    """pandera reads the table in record batches: a failure in a later batch still names its
    own row, not the row at the same position of the first batch."""
    monkeypatch.setenv("ESG_CHECK_CHUNK_ROWS", "7")
    last_energy = (
        "SELECT max(rowid) FROM core.facts WHERE metric_id = 'energy.electricity'"
        " AND breakdown IS NULL"
    )
    (rowid,) = tampered.execute(last_energy).fetchone()
    assert rowid >= 7  # not in the first batch
    tampered.execute("UPDATE core.facts SET value = -1 WHERE rowid = ?", [rowid])
    expected = tampered.execute(
        "SELECT issuer_id, fiscal_year, metric_id, source_line FROM core.facts WHERE rowid = ?",
        [rowid],
    ).fetchone()
    ((*where, message),) = evaluated(tampered, "schema_facts")
    assert tuple(where) == expected
    assert "amount_not_negative (value '-1.0')" in message


def test_great_expectations_mart_suite_fails_on_a_tampered_mart(tampered, tmp_path):
    """The publish step never writes an unknown quality status: tamper it to see the GX suite
    on mart.esg_facts fail, naming the fact."""
    check = suite_check(GX_SUITE, GreatExpectationsResource(root=str(tmp_path / "gx")))
    assert evaluated(tampered, check) == []
    tampered.execute(f"UPDATE mart.esg_facts SET quality_status = 'unknown' WHERE {REMT_COAL}")
    ((issuer, year, metric, line, message),) = evaluated(tampered, check)
    assert (issuer, year, metric, line) == ("REMT", 2024, "energy.coal", 124)
    assert type(year) is int and type(line) is int  # as recorded, whatever pandas made of them
    assert "expect_column_values_to_be_in_set on quality_status" in message
    assert check.name == "gx_mart_esg_facts" and check.severity == "error"


def test_a_steps_checks_run_two_at_a_time_on_cursors_that_see_its_scope(tmp_path):
    """quality.evaluate runs checks concurrently, each on a cursor with the step's scope
    registered, and reports them in the declared order; a check that raises fails the step."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("CREATE TABLE t AS SELECT * FROM (VALUES ('A'), ('B')) v(issuer_id)")
    both_running = threading.Barrier(2, timeout=10)  # broken unless two checks run at once

    def check(name: str, together: bool = True) -> Check:
        def evaluate(cursor, scope=None):
            if together:
                both_running.wait()
            rows = cursor.execute("SELECT issuer_id FROM t WHERE _in_scope(issuer_id)").fetchall()
            return [Finding(issuer) for (issuer,) in rows]

        return Check(name, ("t",), ERROR, name, evaluate, scoped=True)

    scope = Scope("issuer_id", ("A",))
    with scope.registered(con):
        results = list(quality.evaluate(con, [check("first"), check("second")], "r", scope=scope))
    assert [r.check_name for r in results] == ["first", "second"]  # as declared
    assert [r.metadata["failures"].value for r in results] == [1, 1]  # only issuer A, in scope

    def broken(cursor, scope=None):
        raise RuntimeError("check crashed")

    checks = [Check("broken", ("t",), ERROR, "broken", broken), check("fine", together=False)]
    with scope.registered(con), pytest.raises(RuntimeError, match="check crashed"):
        list(quality.evaluate(con, checks, "r", scope=scope))
