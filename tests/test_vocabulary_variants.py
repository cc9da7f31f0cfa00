"""Common printed phrasings of the canonical metrics (GRI, GHG Protocol, ESRS, HKEX, US and
Swedish usage), run through the real mapping and unit code. The phrasings are in
tests/fixtures/vocabulary_variants.csv and unit_variants.csv (written for this test, not
copied from any report); '-' means the row must not be published as any metric (an intensity,
a target, a part, a unit left unread)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from assets import mapping, units

FIXTURES = Path(__file__).parent / "fixtures"


def _rows(name: str) -> list[dict[str, str]]:
    with open(FIXTURES / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


LABELS = _rows("vocabulary_variants.csv")
UNITS = _rows("unit_variants.csv")


@pytest.mark.parametrize("row", LABELS, ids=[f"{r['label']} [{r['unit']}]" for r in LABELS])
def test_label_variant_maps_to_its_metric(row):
    res = mapping.resolve(row["label"], row["table_title"] or None, None, row["unit"] or None)
    assert (res.metric_id or "-") == row["expected"], (res, row["note"])


@pytest.mark.parametrize("row", UNITS, ids=[f"{r['printed']} {r['metric']}" for r in UNITS])
def test_unit_variant_converts(row):
    conv = units.convert(float(row["value"]), row["printed"], row["metric"])
    if row["expected"] == "-":
        assert conv.status != "ok", (conv, row["note"])
    else:
        assert conv.status == "ok", (conv, row["note"])
        assert math.isclose(conv.value, float(row["expected"]), rel_tol=1e-6)


def test_fixtures_cover_every_expectation_kind():
    """Both fixtures hold rows that must map and rows that must stay unpublished."""
    assert {r["expected"] == "-" for r in LABELS} == {True, False}
    assert {r["expected"] == "-" for r in UNITS} == {True, False}


@pytest.mark.parametrize(
    ("label", "stripped"),
    [
        ("302-1 Energy use within the organisation", "Energy use within the organisation"),
        ("Number of employees GRI 2-7", "Number of employees"),
        ("EM-MM-110a.1 Gross global Scope 1 emissions", "Gross global Scope 1 emissions"),
        ("KPI A1.2 Scope 1", "Scope 1"),
        ("Scope 1-2", "Scope 1-2"),
        ("2023-24 Scope 1", "2023-24 Scope 1"),
    ],
)  # fmt: skip
def test_disclosure_codes_are_not_label_words(label, stripped):
    assert mapping._strip_code(label) == stripped
