"""Frames written to DuckDB: missing values arrive as NULL whatever pandas calls them."""

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml

from assets.tables import _column_spec, append_rows, arrow_table, replace_partitions, tables


def _values(report: str) -> pd.DataFrame:
    """Two raw.reported_values rows; the second has every nullable column missing, each in a
    different pandas spelling (NaN, None, pd.NA, NaN in an object column)."""
    row = {c: None for c in tables()["raw.reported_values"].column_names}
    row |= {"report": report, "document": report, "source_document": report, "issuer_id": "X",
            "report_fiscal_year": 2024, "line_number": 3, "extractor": "kpi_csv", "label": "Coal",
            "value_text": "1", "not_reported": False}  # fmt: skip
    df = pd.DataFrame([row | {"unit": "t", "year": 2024, "value": 1.0}, row])
    df["value"] = [1.0, np.nan]
    df["year"] = pd.array([2024, pd.NA], dtype="Int64")
    df["unit"] = pd.Series(["t", np.nan], dtype=object)
    return df


def test_missing_values_are_written_as_null(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        append_rows(con, "raw.reported_values", _values("a"))
        replace_partitions(con, {"raw.reported_values": _values("b")}, "report", ["b"])
        rows = con.execute(
            "SELECT report, value, year, unit, table_title FROM raw.reported_values ORDER BY ALL"
        ).fetchall()
    assert rows == [
        ("a", 1.0, 2024, "t", None),
        ("a", None, None, None, None),
        ("b", 1.0, 2024, "t", None),
        ("b", None, None, None, None),
    ]


def test_a_raw_table_whose_column_types_drift_from_tables_yaml_is_recreated(tmp_path):
    """replace_partitions recreates a table whose column names or types no longer match
    tables.yaml (say, a type changed there), so its schema check judges the table it builds."""
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        replace_partitions(con, {"raw.reported_values": _values("a")}, "report", ["a"])
        con.execute("ALTER TABLE raw.reported_values ALTER COLUMN line_number TYPE BIGINT")
        replace_partitions(con, {"raw.reported_values": _values("b")}, "report", ["b"])
        (line_type,) = con.execute(
            "SELECT data_type FROM duckdb_columns() WHERE table_name = 'reported_values'"
            " AND column_name = 'line_number'"
        ).fetchone()
        reports = con.execute("SELECT DISTINCT report FROM raw.reported_values").fetchall()
    assert line_type == "INTEGER"
    assert reports == [("b",)]  # the other partitions come back with the next full refresh


def test_a_description_cut_at_an_unquoted_comma_is_refused():
    """In a YAML flow mapping an unquoted comma ends the value: the rest of the description
    becomes a key nobody reads, and the DuckDB comment a SQL user sees is cut short."""
    spec = yaml.safe_load("c: {type: VARCHAR, description: Waste type, NULL for the total.}")["c"]
    with pytest.raises(ValueError, match=r"t\.c has unknown keys \['NULL for the total\.'\]"):
        _column_spec("t", "c", spec)
    breakdown = next(c for c in tables()["mart.esg_facts"].columns if c.name == "breakdown")
    assert breakdown.description.endswith("NULL for the metric's total.")


def test_arrow_tables_the_readers_build_write_nan_as_null_and_other_types_as_text(tmp_path):
    """The reading workers' Arrow tables keep the DataFrame path's rules: NaN is NULL, and a
    number in a text column (a ticker read as 700) is its text."""
    columns = {c: [] for c in tables()["raw.reported_values"].column_names}
    for row in _values("c").to_dict("records"):
        for name, value in row.items():
            columns[name].append(None if value is pd.NA else value)
    columns["table_title"] = [700, None]
    table = arrow_table("raw.reported_values", columns)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        replace_partitions(con, {"raw.reported_values": table}, "report", ["c"])
        rows = con.execute(
            "SELECT value, value IS NULL, table_title FROM raw.reported_values ORDER BY value"
        ).fetchall()
    assert rows == [(1.0, False, "700"), (None, True, None)]
