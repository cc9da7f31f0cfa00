"""The bundled KPI tables are exactly what the extractor reads from the real report texts."""

from __future__ import annotations

import yaml

from assets.extract import document, kpi_csv, years
from orchestration.settings import SAMPLE_LANDING_DIR
from tests.conftest import SHARED_REPORTS, needs_shared_reports


@needs_shared_reports
def test_bundled_tables_match_extraction_of_the_reports():
    reports = sorted(SHARED_REPORTS.glob("*.txt"))
    assert len(reports) == 2
    for report in reports:
        meta = yaml.safe_load(report.with_suffix(".yaml").read_text(encoding="utf-8"))
        text = report.read_text(encoding="utf-8")
        extracted, unread = document.extract_text(text, years.calendar_of(meta))
        assert unread == [], f"{report.name}: rows a KPI table would leave out"
        bundled = (SAMPLE_LANDING_DIR / f"{report.stem}.csv").read_text(encoding="utf-8")
        assert kpi_csv.write(extracted) == bundled, f"{report.name}: regenerate the sample"


@needs_shared_reports
def test_bundled_metadata_names_its_report():
    for report in SHARED_REPORTS.glob("*.txt"):
        bundled = yaml.safe_load((SAMPLE_LANDING_DIR / f"{report.stem}.yaml").read_text())
        original = yaml.safe_load(report.with_suffix(".yaml").read_text())
        assert bundled.pop("source_document") == report.name
        assert bundled == original


def test_sample_and_report_marts_agree(shared_warehouse, sample_warehouse):
    """Both entry paths (report text, KPI table) end in the same facts."""
    query = "SELECT * EXCLUDE (issuer_name) FROM mart.esg_facts ORDER BY ALL"
    assert shared_warehouse.execute(query).fetchall() == sample_warehouse.execute(query).fetchall()
