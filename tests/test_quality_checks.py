"""One test per data-quality rule: mutate a copy of the bundled sample, assert the exact check
that fails, the issuer, metric and line it names, and that the untouched issuer still publishes."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import NRE_CSV, REMT_CSV, add_kpi_row, copy_sample, edit_kpi_table


@pytest.fixture
def landing(tmp_path):
    return copy_sample(tmp_path / "landing")


def failures(con, check: str) -> list[tuple]:
    return con.execute(
        """SELECT severity, issuer_id, fiscal_year, metric_id, source_line, message
           FROM dq.current_check_results WHERE check_name = ? AND NOT passed ORDER BY ALL""",
        [check],
    ).fetchall()


def failed_checks(con) -> set[str]:
    rows = con.execute("SELECT check_name FROM dq.current_check_results WHERE NOT passed")
    return {name for (name,) in rows.fetchall()}


def published(con, issuer: str) -> int:
    query = "SELECT count(*) FROM mart.esg_facts WHERE issuer_id = ?"
    return con.execute(query, [issuer]).fetchall()[0][0]


def withheld(con) -> list[tuple]:
    query = "SELECT issuer_id, fiscal_year, failed_checks FROM mart.withheld_issuer_years"
    return con.execute(query).fetchall()


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
    ((issuer, year, checks),) = withheld(con)  # the coal intensity no longer matches either
    assert (issuer, year) == ("REMT", 2024) and "schema_facts" in checks
    assert published(con, "REMT") == 0 and published(con, "NRE") == 29


def test_schema_percentage_above_100(build, landing):
    edit_kpi_table(landing / REMT_CSV, {"source_line": 186}, value="170")
    con = build(landing)
    ((_, issuer, _, metric, line, message),) = failures(con, "schema_facts")
    assert (issuer, metric, line) == ("REMT", "workforce.turnover_rate", 186)
    assert "percentage_within_0_100" in message
    assert published(con, "NRE") == 29


@pytest.mark.parametrize(("unit", "why"), [("bananas", "not a known unit"),
                                           ("kWh", "not convertible")])  # fmt: skip
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
    assert published(con, "NRE") == 29


def test_year_after_the_report_period(build, landing):
    edit_kpi_table(landing / NRE_CSV, {"source_line": 1657, "year": 2024}, year=2026)
    con = build(landing)
    ((severity, issuer, year, _, line, message),) = failures(con, "years_in_range")
    assert (severity, issuer, year, line) == ("error", "NRE", 2026, 1657)
    assert "after the report period end 2024-12-31" in message
    assert withheld(con) == [("NRE", 2026, "years_in_range")]
    assert published(con, "REMT") == 29


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
    assert published(con, "NRE") == 29


def test_intensity_must_match_value_over_denominator(build, landing):
    edit_kpi_table(landing / REMT_CSV, {"source_line": 122, "value": "2,366"}, value="3,366")
    con = build(landing)
    ((severity, issuer, _, metric, line, message),) = failures(con, "ratios_match_their_parts")
    assert (severity, issuer, metric, line) == (
        "error",
        "REMT",
        "energy.electricity_intensity",
        122,
    )
    assert "3,366 kWh/tonne" in message and "2.36611" in message
    assert published(con, "NRE") == 29


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
    ((_, issuer, _, metric, line, message),) = failures(con, "ratios_match_their_parts")
    assert (issuer, metric, line) == ("REMT", "training.average_hours", 221)
    assert "= 32 h" in message


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


def test_people_trained_cannot_exceed_employees(build, landing):
    edit_kpi_table(landing / REMT_CSV, {"source_line": 178}, value="250")
    con = build(landing)
    ((_, issuer, _, metric, line, _),) = failures(con, "rule_trained_within_employees")
    assert (issuer, metric, line) == ("REMT", "training.employees_trained", 219)


def test_one_value_per_source(build, landing):
    add_kpi_row(landing / REMT_CSV, source_line=140, extractor="tab_table", label="Coal",
                table_title="Resources", unit="tonne", value="25,000")  # fmt: skip
    con = build(landing)
    ((_, issuer, _, metric, line, message),) = failures(con, "one_value_per_source")
    assert (issuer, metric, line) == ("REMT", "energy.coal", 124)
    assert "24,221" in message and "25,000" in message
    assert published(con, "NRE") == 29


def test_duplicate_file_with_different_values_is_flagged_not_overwritten(build, landing):
    shutil.copy(landing / REMT_CSV, landing / "remt-copy.csv")
    meta = (landing / "remt-2024-esg-report.yaml").read_text()
    (landing / "remt-copy.yaml").write_text(
        meta.replace("remt-2024-esg-report.txt", "remt-copy.txt")
    )
    edit_kpi_table(landing / "remt-copy.csv", {"source_line": 124, "unit": "tonne"}, value="24,000")
    con = build(landing)
    ((severity, issuer, year, metric, _, message),) = failures(con, "conflicting_sources")
    assert (severity, issuer, year, metric) == ("error", "REMT", 2024, "energy.coal")
    assert "24221" in message and "24000" in message and "remt-copy.txt" in message
    both = con.execute("SELECT count(*) FROM core.facts WHERE metric_id = 'energy.coal'"
                       " AND issuer_id = 'REMT'").fetchall()[0][0]  # fmt: skip
    assert both == 2
    assert published(con, "REMT") == 0 and published(con, "NRE") == 29


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
    ((severity, issuer, year, metric, _, message),) = failures(con, "restated_values")
    assert (severity, issuer, year, metric) == ("warn", "NRE", 2024, "energy.electricity")
    assert "819687" in message and "820000" in message
    ((value, doc, status),) = con.execute(
        """SELECT value, source_document, quality_status FROM mart.esg_facts
           WHERE issuer_id = 'NRE' AND fiscal_year = 2024 AND metric_id = 'energy.electricity'"""
    ).fetchall()
    assert (value, doc, status) == (820000.0, "nre-2025.txt", "warn")


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
    assert published(con, "REMT") == 29


def test_great_expectations_passes_clean_data_and_writes_data_docs(build, landing, tmp_path):
    con = build(landing)
    assert failures(con, "gx_core_facts") == [] and failures(con, "gx_mart_esg_facts") == []
    index = tmp_path / "gx" / "data_docs" / "index.html"
    assert index.exists() and "core_facts" in index.read_text()
