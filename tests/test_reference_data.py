"""The reviewed reference files are consistent: a bad line fails here, not in a nightly run."""

import pandas as pd
import pytest

from assets import reference, units
from assets.reference import REF_TABLES, read_ref_csv


def test_every_reference_file_loads_and_is_loaded_into_ref():
    for name in REF_TABLES:
        assert len(read_ref_csv(name)) > 0, name
    # the parsing accessors validate regexes, metric ids, kinds and severities
    assert reference.label_rules() and reference.prose_rules() and reference.consistency_rules()


def test_metric_ids_are_unique_and_units_parse():
    metrics = read_ref_csv("metrics")
    assert metrics["metric_id"].is_unique
    for m in reference.metrics().values():
        if m.pint_unit and m.pint_unit not in units.KEPT_AS_PRINTED:  # money, rates: as printed
            units.registry().parse_expression(m.pint_unit)  # raises if pint cannot read it
        for ref in (m.numerator_metric, m.denominator_metric):
            assert not ref or ref in reference.metrics(), f"{m.metric_id}: unknown {ref}"
    wide = metrics.loc[metrics["wide_column"] != "", "wide_column"]
    assert wide.is_unique


@pytest.mark.parametrize(
    "alias", read_ref_csv("unit_aliases").itertuples(), ids=lambda a: a.printed
)
def test_every_unit_alias_is_a_pint_expression(alias):
    assert units.parse_unit(alias.printed) is not None
    units.registry().parse_expression(alias.pint_unit)


def test_conversion_factors_name_known_metrics_and_parse():
    for f in reference.factors():
        units.registry().parse_expression(f.factor)
        assert f.source, f.factor_id
        assert all(m in reference.metrics() for m in f.metrics), f.factor_id


def test_hkex_kpis_cover_the_metrics():
    kpis = set(read_ref_csv("hkex_kpis")["kpi"])
    used = {m for m in read_ref_csv("metrics")["hkex_kpi"] if m}
    assert used <= kpis


def test_a_bad_regex_names_its_file_and_line(tmp_path, monkeypatch):
    bad = read_ref_csv("label_map")
    bad.loc[3, "label_pattern"] = "(unclosed"
    bad.to_csv(tmp_path / "label_map.csv", index=False)
    monkeypatch.setattr(
        reference, "read_ref_csv", lambda name: pd.read_csv(tmp_path / f"{name}.csv", dtype=str,
                                                           keep_default_na=False)
        if name == "label_map" else read_ref_csv(name)
    )  # fmt: skip
    reference.label_rules.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"label_map.csv line 5: invalid regular expression"):
            reference.label_rules()
    finally:
        reference.label_rules.cache_clear()


def test_schema_document_is_current():
    from assets.tables import schema_markdown
    from orchestration.settings import TABLES_FILE

    committed = (TABLES_FILE.parent / "SCHEMA.md").read_text()
    assert committed == schema_markdown(), "run: python -m assets.tables"


def test_every_metric_reads_its_own_canonical_unit():
    """Only reviewed aliases are read: a metric whose canonical unit (as SQL users see it) has no
    alias could take no printed value at all, e.g. supply_chain.suppliers in 'count'."""
    for m in reference.metrics().values():
        if m.pint_unit and m.pint_unit not in units.KEPT_AS_PRINTED:
            conv = units.convert(1, m.canonical_unit, m.metric_id)
            assert (conv.status, conv.value) == ("ok", 1.0), m.metric_id
