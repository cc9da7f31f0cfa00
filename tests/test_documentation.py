"""Every table and view of a built warehouse is documented, in SCHEMA.md and in DuckDB's
comments, both from warehouse/tables.yaml."""

from __future__ import annotations

from assets.tables import TABLES_FILE, documented


def test_every_table_view_and_column_has_a_comment(sample_warehouse):
    objects = sample_warehouse.execute(
        """SELECT schema_name || '.' || table_name, comment FROM duckdb_tables()
           WHERE NOT internal AND NOT temporary
           UNION ALL SELECT schema_name || '.' || view_name, comment FROM duckdb_views()
           WHERE NOT internal AND NOT temporary"""
    ).fetchall()
    assert {"mart.issuer_year", "mart.kpi_disclosure", "ref.metrics", "core.unmapped_values"} <= {
        name for name, _ in objects
    }
    assert [name for name, comment in objects if not comment] == []
    assert {name for name, _ in objects} <= set(documented())
    uncommented = sample_warehouse.execute(
        """SELECT schema_name || '.' || table_name || '.' || column_name FROM duckdb_columns()
           WHERE NOT internal AND (comment IS NULL OR comment = '')
             AND schema_name IN ('raw', 'core', 'mart', 'dq', 'ref')"""
    ).fetchall()
    assert uncommented == []


def test_schema_md_lists_every_documented_table_and_view():
    schema = (TABLES_FILE.parent / "SCHEMA.md").read_text()
    for name in documented():
        assert f"\n## {name}\n" in schema
