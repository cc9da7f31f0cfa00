"""The GX resource on frames: a clean frame passes, a dirty one fails the right expectations."""

from __future__ import annotations

import pandas as pd

from assets.gx_validation import SUITES_DIR, GreatExpectationsResource, load_suite


def _facts(rows: list[tuple]) -> pd.DataFrame:
    cols = ["issuer_id", "fiscal_year", "metric_id", "breakdown", "value", "unit", "basis",
            "source_document", "source_line"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


CLEAN = [
    ("A", 2024, "energy.coal", None, 10.0, "t", "reported", "a.txt", 3),
    ("A", 2024, "waste.hazardous", "Tar", 1.0, "t", "reported", "a.txt", 4),
    ("A", 2024, "waste.hazardous", None, 1.0, "t", "derived", "a.txt", 4),
]


def test_every_suite_file_loads():
    for path in SUITES_DIR.glob("*.json"):
        assert len(load_suite(path).expectations) > 0


def test_clean_frame_passes_and_dirty_frame_fails(tmp_path):
    gx = GreatExpectationsResource(root=str(tmp_path))
    assert all(r["success"] for r in gx.validate(_facts(CLEAN), "core_facts", "clean"))
    dirty = [
        *CLEAN,
        ("A", 2024, "energy.coal", None, 12.0, "t", "reported", "a.txt", 9),  # duplicate key
        ("A", 2300, "energy.coal", None, None, "t", "guessed", "a.txt", 10),
        ("A", 2024, "Energy Coal", None, 1.0, None, "reported", "a.txt", 11),
        ("A", 2024, "energy.gas", None, 1.0, "t", "reported", "a.txt", 0),
    ]
    failed = {
        (r["expectation"], r["column"]): r["unexpected_index_list"]
        for r in gx.validate(_facts(dirty), "core_facts", "dirty")
        if not r["success"]
    }
    assert failed == {
        ("expect_column_values_to_not_be_null", "value"): [4],
        ("expect_column_values_to_not_be_null", "unit"): [5],
        ("expect_column_values_to_match_regex", "metric_id"): [5],
        ("expect_column_values_to_be_in_set", "basis"): [4],
        ("expect_column_values_to_be_between", "fiscal_year"): [4],
        ("expect_column_values_to_be_between", "source_line"): [6],
        (
            "expect_compound_columns_to_be_unique",
            "issuer_id,fiscal_year,metric_id,breakdown,source_document",
        ): [0, 3],
    }
    assert gx.docs_index.exists()


def test_data_docs_keep_the_latest_validations_only(tmp_path, monkeypatch):
    """Data Docs are rebuilt from every stored result: the store is kept bounded, pruned pages
    go with their results, and a session renders only its own pages yet the index lists all."""
    from assets import gx_validation

    monkeypatch.setattr(gx_validation, "KEPT_RESULTS", 3)
    gx = GreatExpectationsResource(root=str(tmp_path))
    for run in ("first", "second", "third"):
        session = gx.session("core_facts")
        session.validate(_facts(CLEAN), run)
        if run == "third":  # two chunks in one evaluation
            session.validate(_facts(CLEAN), run)
        session.build_docs()
    stored = sorted((tmp_path / "results" / "core_facts").glob("*/*"))
    assert [p.parent.name for p in stored] == ["second", "third", "third"]
    docs = gx.docs_index.parent
    pages = sorted(p.relative_to(docs).as_posix() for p in docs.glob("validations/**/*.html"))
    assert [p.split("/")[2] for p in pages] == ["second", "third", "third"]
    index = gx.docs_index.read_text()
    assert all(page in index for page in pages)
    assert "/first/" not in index


def test_a_run_starts_importing_gx_in_the_background(tmp_path):
    """GX takes seconds to import: a run's resource set-up starts the import at once, before
    any suite is evaluated (checked in a fresh interpreter, where GX is not loaded yet)."""
    import subprocess
    import sys

    script = f"""
import sys, threading, dagster as dg
from assets.gx_validation import GreatExpectationsResource
assert "great_expectations" not in sys.modules
with dg.build_resources({{"gx": GreatExpectationsResource(root={str(tmp_path)!r})}}):
    for t in threading.enumerate():
        if t is not threading.current_thread() and t.daemon:
            t.join()
print("great_expectations" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "True"


def test_sqlalchemy_works_while_gx_imports_in_the_background(tmp_path):
    """Dagster's storage keeps using SQLAlchemy while GX's import runs: no query may meet a
    half-imported SQLAlchemy ORM (without importing it first, thousands of `select` calls
    failed during the import; checked in a fresh interpreter)."""
    import subprocess
    import sys

    script = f"""
import sys, threading, dagster as dg, sqlalchemy as db
from assets.gx_validation import GreatExpectationsResource
errors = 0
with dg.build_resources({{"gx": GreatExpectationsResource(root={str(tmp_path)!r})}}):
    others = [t for t in threading.enumerate() if t is not threading.current_thread() and t.daemon]
    while any(t.is_alive() for t in others):
        try:
            db.select(1)
        except Exception:
            errors += 1
print(errors, "great_expectations" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "0 True"


def test_integer_columns_with_nulls_are_validated_not_broken(tmp_path):
    """DuckDB hands an INTEGER column holding NULLs over as pandas' nullable Int32: GX still
    runs on it and names the row."""
    gx = GreatExpectationsResource(root=str(tmp_path))
    mart = _facts(CLEAN).assign(quality_status="pass")
    mart["source_line"] = pd.array([3, None, 4], dtype="Int32")
    failed = [
        (r["expectation"], r["column"], r["unexpected_index_list"])
        for r in gx.validate(mart, "mart_esg_facts", "nulls")
        if not r["success"]
    ]
    assert failed == [("expect_column_values_to_not_be_null", "source_line", [1])]
