"""A finding withholds what it names, and what is computed from it; the rest publishes.

Each test builds a real warehouse from a landing folder of its own (the bundled sample, changed,
or KPI tables written here) and reads what the mart published and what it withheld."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from assets.core import FACT_CHECKS
from orchestration.settings import REPO_ROOT
from tests.conftest import (
    NRE_CSV,
    copy_sample,
    edit_kpi_table,
    failures,
    published,
    withheld,
    withheld_facts,
)

RULES = {c.name: c for c in FACT_CHECKS}
DOC = REPO_ROOT / "docs" / "data-quality.md"


@pytest.fixture
def landing(tmp_path):
    return copy_sample(tmp_path / "landing")


def current_facts(con, issuer: str) -> set[tuple]:
    return set(
        con.execute(
            """SELECT fiscal_year, metric_id, breakdown FROM core.facts
               WHERE is_current AND issuer_id = ?""",
            [issuer],
        ).fetchall()
    )


def mart_facts(con, issuer: str) -> set[tuple]:
    return set(
        con.execute(
            "SELECT fiscal_year, metric_id, breakdown FROM mart.esg_facts WHERE issuer_id = ?",
            [issuer],
        ).fetchall()
    )


def test_an_unknown_unit_withholds_that_rows_fact_alone(build, landing):
    """NRE's purchased steam of 2024 printed in 'bananas': that value is not published, every
    other fact of NRE 2024 is, and mart.withheld_facts names the row (no issuer-year is
    withheld)."""
    clean = build(landing)
    before = mart_facts(clean, "NRE")
    edit_kpi_table(landing / NRE_CSV, {"source_line": 1657, "year": 2024}, unit="bananas")
    con = build(landing)
    assert withheld(con) == []
    assert withheld_facts(con) == [
        ("NRE", 2024, "energy.steam", None, 1657, "named", "units_convertible")
    ]
    assert mart_facts(con, "NRE") == before - {(2024, "energy.steam", None)}
    assert mart_facts(con, "NRE") == current_facts(con, "NRE")  # every fact built publishes
    ((is_fact, printed, unit, message),) = con.execute(
        "SELECT is_fact, reported_value, reported_unit, message FROM mart.withheld_facts"
    ).fetchall()
    assert (is_fact, printed, unit) == (False, "41,225", "bananas")
    assert "line 1657: unit 'bananas'" in message
    assert published(con, "REMT") == 29


# ACME's KPI tables (a report text of its own, its numbers invented for these tests).
META = """issuer_id: ACME
issuer_name: Acme Materials Ltd
fiscal_year: {year}
period_start: {year}-01-01
period_end: {year}-12-31
"""
HEADER = "label,unit,year,value,source_line,table_title,metric_hint\n"


def acme(landing, rows: str, year: int = 2024, name: str = "acme-2024") -> None:
    landing.mkdir(exist_ok=True)
    (landing / f"{name}.yaml").write_text(META.format(year=year))
    (landing / f"{name}.csv").write_text(HEADER + rows)


WASTE = "Types of hazardous waste"


@pytest.mark.parametrize(("total", "passes"), [("1,548", True), ("1,549", True), ("1,551", False)])
def test_rounded_parts_beside_their_printed_total_are_not_an_error(build, tmp_path, total, passes):
    """212 t and 1,337 t printed beside a total of 1,548 t: each figure is rounded to the tonne
    (212 stands for 211.5-212.5), so the parts may sum to 1,549 and the total still be right.
    3 t off is more than the three roundings allow: then the total and both parts are withheld
    (the check cannot tell which figure is wrong)."""
    landing = tmp_path / "landing"
    acme(
        landing,
        f"Waste engine oil,tonnes,2024,212,10,{WASTE},\n"
        f'Tar,tonnes,2024,"1,337",11,{WASTE},\n'
        f'Total,tonnes,2024,"{total}",12,{WASTE},\n',
    )
    con = build(landing)
    found = failures(con, "totals_match_parts")
    if passes:
        assert found == [] and withheld_facts(con) == [] and published(con, "ACME") == 3
        return
    ((_, _, _, metric, line, message),) = found
    assert (metric, line) == ("waste.hazardous", 12) and "(lines 10,11)" in message
    assert {(m, b, n) for _, _, m, b, n, *_ in withheld_facts(con)} == {
        ("waste.hazardous", None, 12),
        ("waste.hazardous", "Tar", 11),
        ("waste.hazardous", "Waste engine oil", 10),
    }
    assert published(con, "ACME") == 0


SCOPES = (
    'Scope 1,tCO2e,2024,"1,000",20,,ghg.scope1\n'
    'Scope 2 location-based,tCO2e,2024,"2,000",21,,ghg.scope2_location\n'
    "Scope 2 market-based,tCO2e,2024,500,22,,ghg.scope2_market\n"
)


@pytest.mark.parametrize(
    ("rows", "held"),
    [
        ('Total scope 1 and 2,tCO2e,2024,"1,500",23,,ghg.scope1_2\n', "ghg.scope2_market"),
        ('Total scope 1 and 2,tCO2e,2024,"3,000",23,,ghg.scope1_2\n', "ghg.scope2_location"),
        ('Total emissions,tCO2e,2024,"3,000",23,,ghg.total\n', "ghg.scope2_location"),
    ],
)
def test_a_total_of_scopes_1_and_2_may_use_either_scope_2_method(build, tmp_path, rows, held):
    """A printed total of scopes 1 and 2 is scope 1 plus Scope 2 by the location-based or the
    market-based method: either passes, and the check's notes say which one held."""
    landing = tmp_path / "landing"
    acme(landing, SCOPES + rows)
    con = build(landing)
    rule = "rule_ghg_total_is_sum_of_scopes" if "ghg.total" in rows else (
        "rule_ghg_scope1_2_is_sum_of_scopes"
    )  # fmt: skip
    assert failures(con, rule) == [] and withheld_facts(con) == []
    notes = RULES[rule].notes(con)
    assert f"holds with ghg.scope1 + {held}" in notes
    assert published(con, "ACME") == 4


def test_a_total_of_scopes_matching_neither_method_withholds_it_and_its_scopes(build, tmp_path):
    landing = tmp_path / "landing"
    acme(landing, SCOPES + 'Total scope 1 and 2,tCO2e,2024,"4,000",23,,ghg.scope1_2\n')
    con = build(landing)
    ((severity, _, _, metric, line, message),) = failures(con, "rule_ghg_scope1_2_is_sum_of_scopes")
    assert (severity, metric, line) == ("error", "ghg.scope1_2", 23)
    assert "= ghg.scope1 + ghg.scope2_location 3000" in message
    assert "= ghg.scope1 + ghg.scope2_market 1500" in message
    assert {m for _, _, m, *_ in withheld_facts(con)} == {
        "ghg.scope1_2",
        "ghg.scope1",
        "ghg.scope2_location",
        "ghg.scope2_market",
    }


@pytest.mark.parametrize(("total", "passes"), [('"9,000"', True), ('"1,400"', False)])
def test_a_total_beside_a_scope_the_report_gives_no_fact_for_may_exceed_the_others(
    build, tmp_path, total, passes
):
    """ACME prints Scope 1, Scope 2 and a total of scopes 1-3, but no Scope 3 figure was read:
    a total above scopes 1 and 2 is no inconsistency (Scope 3 adds to it), so everything
    publishes; a total below them is one (no missing scope can lower a sum)."""
    landing = tmp_path / "landing"
    rows = 'Scope 1,tCO2e,2024,"1,000",20,,ghg.scope1\nScope 2,tCO2e,2024,500,21,,ghg.scope2\n'
    acme(landing, rows + f"Total emissions scope 1-3,tCO2e,2024,{total},23,,ghg.total\n")
    con = build(landing)
    found = failures(con, "rule_ghg_total_is_sum_of_scopes")
    if passes:
        assert found == [] and withheld_facts(con) == [] and published(con, "ACME") == 3
        return
    assert [(m, n) for _, _, _, m, n, _ in found] == [("ghg.total", 23)]
    assert {m for _, _, m, *_ in withheld_facts(con)} == {"ghg.total", "ghg.scope1", "ghg.scope2"}


@pytest.mark.parametrize(
    ("total", "withheld_scopes"),
    [
        ('"546,015"', set()),  # 15 t off: no scope is 100 times as large as the gap
        ('"546,100"', {"ghg.scope1"}),  # 100 t off: scope 1 (2,000 t) could be the misread one
        ('"556,000"', {"ghg.scope1", "ghg.scope2", "ghg.scope3"}),  # 10,000 t off: any scope
    ],
)
def test_a_total_near_its_scopes_withholds_only_what_the_gap_could_be_in(
    build, tmp_path, total, withheld_scopes
):
    """Scopes 1-3 of 2,000 t, 44,000 t and 500,000 t beside a total a little off their sum: the
    total is withheld; a scope is withheld with it only when the whole gap would change it by
    more than 1 % (it might be the misread figure); the others publish."""
    landing = tmp_path / "landing"
    acme(
        landing,
        'Scope 1,tCO2e,2024,"2,000",20,,ghg.scope1\n'
        'Scope 2,tCO2e,2024,"44,000",21,,ghg.scope2\n'
        'Scope 3,tCO2e,2024,"500,000",22,,ghg.scope3\n'
        f"Total emissions,tCO2e,2024,{total},23,,ghg.total\n",
    )
    con = build(landing)
    assert [(m, n) for _, _, _, m, n, _ in failures(con, "rule_ghg_total_is_sum_of_scopes")] == [
        ("ghg.total", 23)
    ]
    assert {m for _, _, m, *_ in withheld_facts(con)} == {"ghg.total"} | withheld_scopes
    assert published(con, "ACME") == 3 - len(withheld_scopes)


SCOPE_3 = 'Scope 3,tCO2e,2024,"21,270,000",22,,ghg.scope3\n'


@pytest.mark.parametrize(
    ("total", "scope3", "withheld_scopes"),
    [
        ("24.6", SCOPE_3, set()),  # a million times too small: the total's prefix was misread
        ('"24,600,000,000"', SCOPE_3, set()),  # a thousand times too large
        ('"5,000"', SCOPE_3, {"ghg.scope1", "ghg.scope2", "ghg.scope3"}),  # no prefix fits
        ("24.6", "", set()),  # Scope 3 not given: 24.6 Mt lies between 3.33 Mt and 100 times it
        ("0.5", "", {"ghg.scope1", "ghg.scope2"}),  # 0.5 Mt is below the scopes it totals
    ],
)
def test_a_total_off_its_scopes_by_a_unit_prefix_withholds_the_total_alone(
    build, tmp_path, total, scope3, withheld_scopes
):
    """Scopes 1-3 of 3,300,000 t, 30,000 t and 21,270,000 t (24.6 Mt together) beside a total
    printed as tonnes that a factor of 1,000 or 1,000,000 brings to their sum: the total's unit
    is the misread one, so it alone is withheld; a gap no unit prefix explains withholds all."""
    landing = tmp_path / "landing"
    acme(
        landing,
        'Scope 1,tCO2e,2024,"3,300,000",20,,ghg.scope1\n'
        'Scope 2,tCO2e,2024,"30,000",21,,ghg.scope2\n'
        + scope3
        + f"Total emissions,tCO2e,2024,{total},23,,ghg.total\n",
    )
    con = build(landing)
    assert [(m, n) for _, _, _, m, n, _ in failures(con, "rule_ghg_total_is_sum_of_scopes")] == [
        ("ghg.total", 23)
    ]
    assert {m for _, _, m, *_ in withheld_facts(con)} == {"ghg.total"} | withheld_scopes
    assert published(con, "ACME") == 2 + bool(scope3) - len(withheld_scopes)


def test_a_restatement_names_both_reports_and_the_later_one_publishes(build, tmp_path):
    """ACME's 2023 report prints Scope 2 of 2022 and 2023; its 2024 report restates 2023 (450
    t, was 400 t) and repeats 2022 alike. restated_values names the 2023 value with both
    reports' values, documents and lines (and page, when the raw row has one); the mart
    publishes the later report's 450; nothing is withheld."""
    landing = tmp_path / "landing"
    acme(
        landing,
        "Scope 2,tCO2e,2022,380,30,,ghg.scope2\nScope 2,tCO2e,2023,400,30,,ghg.scope2\n",
        year=2023,
        name="acme-2023",
    )
    acme(
        landing,
        "Scope 2,tCO2e,2023,450,41,,ghg.scope2\nScope 2,tCO2e,2022,380,42,,ghg.scope2\n",
    )
    con = build(landing)
    ((severity, issuer, year, metric, line, message),) = failures(con, "restated_values")
    assert (severity, issuer, year, metric, line) == ("warn", "ACME", 2023, "ghg.scope2", 30)
    assert "400.0 tCO2e in the FY2023 report (acme-2023.csv line 30, printed 400)" in message
    assert (
        "450.0 tCO2e in the FY2024 report (acme-2024.csv line 41, printed 450; the later"
        " report's value is published)"
    ) in message
    rows = con.execute(
        """SELECT fiscal_year, value, source_document FROM mart.esg_facts
           WHERE issuer_id = 'ACME' ORDER BY fiscal_year"""
    ).fetchall()
    assert rows == [(2022, 380.0, "acme-2024.csv"), (2023, 450.0, "acme-2024.csv")]
    assert withheld_facts(con) == []
    # a PDF's rows carry their page: the message names it (tampered here, a KPI table has none)
    query = "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ((path,),) = con.execute(query).fetchall()
    shutil.copy(path, tmp_path / "paged.duckdb")
    with duckdb.connect(str(tmp_path / "paged.duckdb")) as paged:
        paged.execute("UPDATE raw.reported_values SET page = 7 WHERE line_number = 41")
        (finding,) = RULES["restated_values"].evaluate(paged)
    assert "acme-2024.csv line 41, page 7, printed 450" in finding.message


def doc_queries() -> list[str]:
    """The SQL blocks of docs/data-quality.md."""
    return re.findall(r"```sql\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_why_is_this_fact_missing_queries_run_and_answer(build, landing):
    """Every query of docs/data-quality.md runs on a built warehouse; the first finds the
    steam value withheld above, with the finding that withheld it."""
    edit_kpi_table(landing / NRE_CSV, {"source_line": 1657, "year": 2024}, unit="bananas")
    con = build(landing)
    queries = doc_queries()
    assert len(queries) >= 3
    results = [con.execute(q).fetchall() for q in queries]
    assert any("units_convertible" in str(row) for row in results[0])


# ../shared/corpus beside the clone, or where ESG_CORPUS_LANDING says (a worktree elsewhere)
CORPUS = Path(
    os.environ.get("ESG_CORPUS_LANDING") or REPO_ROOT.parent / "shared" / "corpus" / "landing"
)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside this clone")
def test_on_the_corpus_texts_every_fact_no_finding_names_is_published(build, tmp_path):
    """The corpus report texts (their PDFs are left out: read elsewhere): every current fact
    of core.facts is either in the mart or in mart.withheld_facts with the finding that
    withheld it, and no issuer-year is withheld whole (no report-level finding)."""
    landing = tmp_path / "corpus"
    landing.mkdir()
    for text in CORPUS.glob("*.txt"):
        shutil.copy(text, landing)
        shutil.copy(text.with_suffix(".yaml"), landing)
    con = build(landing)
    missing = con.execute(
        """SELECT f.issuer_id, f.fiscal_year, f.metric_id, f.breakdown, f.source_line
           FROM core.facts f
           WHERE f.is_current
             AND NOT EXISTS (SELECT 1 FROM mart.esg_facts m
                             WHERE m.issuer_id = f.issuer_id AND m.fiscal_year = f.fiscal_year
                               AND m.metric_id = f.metric_id
                               AND m.breakdown IS NOT DISTINCT FROM f.breakdown)
             AND NOT EXISTS (SELECT 1 FROM mart.withheld_facts w
                             WHERE w.is_fact AND w.issuer_id = f.issuer_id
                               AND w.fiscal_year = f.fiscal_year AND w.metric_id = f.metric_id
                               AND w.breakdown IS NOT DISTINCT FROM f.breakdown
                               AND w.source_line = f.source_line)"""
    ).fetchall()
    assert missing == []
    assert withheld(con) == []
    assert con.execute("SELECT count(*) FROM mart.esg_facts").fetchone()[0] > 0
