"""Table metadata (warehouse/tables.yaml) -> DDL, comments, and transactional writes to DuckDB."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import yaml

from orchestration.settings import TABLES_FILE


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool
    description: str
    checks: dict[str, Any]


@dataclass(frozen=True)
class Table:
    name: str  # schema.table
    description: str
    columns: tuple[Column, ...]

    @property
    def schema(self) -> str:
        return self.name.split(".")[0]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def ddl(self, replace: bool = True, name: str | None = None) -> str:
        cols = ",\n  ".join(
            f"{c.name} {c.type}{'' if c.nullable else ' NOT NULL'}" for c in self.columns
        )
        create = "CREATE OR REPLACE TABLE" if replace else "CREATE TABLE IF NOT EXISTS"
        return f"{create} {name or self.name} (\n  {cols}\n)"


# DuckDB column types as Arrow types, for tables built column by column (the raw tables).
ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
}


def arrow_table(name: str, columns: dict[str, list]) -> pa.Table:
    """Columns of Python values (None for NULL) as an Arrow table with the table's column types.
    Cheaper than a DataFrame of row dicts to build, to pickle from a worker and for DuckDB to
    insert. NaN is NULL, as DuckDB reads it from a DataFrame; a value of another type in a text
    column is written as its str()."""
    arrays = {}
    for col in tables()[name].columns:
        values, kind = columns[col.name], ARROW_TYPES[col.type]
        try:
            arrays[col.name] = pa.array(values, kind, from_pandas=True)  # NaN -> NULL
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            if kind != pa.string():
                raise
            arrays[col.name] = pa.array([v if v is None else str(v) for v in values], kind)
    return pa.table(arrays)


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


COLUMN_KEYS = {"type", "nullable", "description", "checks"}


def _column_spec(table: str, column: str, spec: dict) -> dict:
    """A column's spec, refusing keys nobody reads: in a YAML flow mapping an unquoted comma
    ends the description, and the rest of it would silently become such a key."""
    unknown = set(spec) - COLUMN_KEYS
    if unknown:
        raise ValueError(
            f"{TABLES_FILE.name}: {table}.{column} has unknown keys {sorted(unknown)}"
            " (quote a description that contains a comma)"
        )
    return spec


@cache
def tables() -> dict[str, Table]:
    spec = yaml.safe_load(TABLES_FILE.read_text())
    return {
        name: Table(
            name,
            t["description"],
            tuple(
                Column(
                    col,
                    c["type"],
                    c.get("nullable", True),
                    c.get("description", ""),
                    c.get("checks", {}),
                )
                for col, c in ((k, _column_spec(name, k, v)) for k, v in t["columns"].items())
            ),
        )
        for name, t in spec.items()
        if t.get("kind", "table") == "table"
    }


DOCUMENTED_KINDS = {"table": "table", "derived": "table", "ref": "table", "view": "view"}


@cache
def documented() -> dict[str, tuple[str, str, dict[str, str]]]:
    """Every table and view tables.yaml describes, created from it or not: name -> (kind,
    description, column -> description)."""
    spec = yaml.safe_load(TABLES_FILE.read_text())
    return {
        name: (
            t.get("kind", "table"),
            t["description"],
            {col: c.get("description", "") for col, c in t["columns"].items()},
        )
        for name, t in spec.items()
    }


def documentation_comments(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """COMMENT statements for every documented table and view present in `conn`, and those of
    its columns that exist (a derived table's generated columns keep their own comments)."""
    present = {
        (s + "." + n): cols.split("\x1f")
        for s, n, cols in conn.execute(
            "SELECT schema_name, table_name, string_agg(column_name, chr(31))"
            " FROM duckdb_columns() GROUP BY ALL"
        ).fetchall()
    }
    stmts = []
    for name, (kind, description, columns) in documented().items():
        if name not in present:
            continue
        stmts.append(
            f"COMMENT ON {DOCUMENTED_KINDS[kind].upper()} {name} IS {sql_literal(description)}"
        )
        stmts += [
            f"COMMENT ON COLUMN {name}.{col} IS {sql_literal(text)}"
            for col, text in columns.items()
            if col in present[name]
        ]
    return stmts


def comment_statements(table: Table) -> list[str]:
    stmts = [f"COMMENT ON TABLE {table.name} IS {sql_literal(table.description)}"]
    stmts += [
        f"COMMENT ON COLUMN {table.name}.{c.name} IS {sql_literal(c.description)}"
        for c in table.columns
    ]
    return stmts


def _conform(table: Table, df: pd.DataFrame | pa.Table) -> pd.DataFrame | pa.Table:
    names = df.column_names if isinstance(df, pa.Table) else df.columns
    missing = [c for c in table.column_names if c not in names]
    if missing:
        raise ValueError(f"{table.name}: frame lacks columns {missing}")
    if isinstance(df, pa.Table):
        return df.select(table.column_names)
    # No conversion: DuckDB reads NaN, None and pd.NA in a frame as NULL (tests/test_tables.py).
    return df[table.column_names]


@contextmanager
def transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One DuckDB transaction: committed if the block succeeds, rolled back if it raises."""
    conn.execute("BEGIN TRANSACTION")
    try:
        yield
    except Exception:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def write_select(conn: duckdb.DuckDBPyConnection, name: str, select_sql: str) -> None:
    """Replace a table with the rows of a query, in one transaction, columns as tables.yaml."""
    table = tables()[name]
    cols = ", ".join(table.column_names)
    with transaction(conn):
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {table.schema}")
        conn.execute(table.ddl())
        conn.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM ({select_sql})")
        for stmt in comment_statements(table):
            conn.execute(stmt)


def existing_tables(conn: duckdb.DuckDBPyConnection) -> set[str]:
    """schema.table of every table in the database."""
    rows = conn.execute("SELECT schema_name || '.' || table_name FROM duckdb_tables()").fetchall()
    return {name for (name,) in rows}


def _column_types(conn: duckdb.DuckDBPyConnection, name: str) -> list[tuple[str, str]]:
    """(column, DuckDB type) of a table as it is, in order; empty when it does not exist."""
    schema, table = name.split(".")
    query = (
        "SELECT column_name, data_type FROM duckdb_columns()"
        " WHERE schema_name = ? AND table_name = ? ORDER BY column_index"
    )
    return conn.execute(query, [schema, table]).fetchall()


def _columns(conn: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    return [c for c, _ in _column_types(conn, name)]


def replace_partitions(
    conn: duckdb.DuckDBPyConnection,
    frames: dict[str, pd.DataFrame],
    key: str,
    values: list[str],
) -> None:
    """Replace the rows whose `key` is in `values`, in one transaction; other rows stay.

    A table whose columns or their types no longer match tables.yaml is recreated (its other
    partitions come back with the next full refresh).
    """
    with transaction(conn):
        for name, df in frames.items():
            table = tables()[name]
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {table.schema}")
            if _column_types(conn, name) != [(c.name, c.type) for c in table.columns]:
                conn.execute(table.ddl())
                for stmt in comment_statements(table):
                    conn.execute(stmt)
            conn.execute(
                f"DELETE FROM {name} WHERE {key} IN (SELECT unnest(?::VARCHAR[]))", [values]
            )
            conn.register("_frame", _conform(table, df))
            cols = ", ".join(table.column_names)
            conn.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM _frame")
            conn.unregister("_frame")


def append_rows(conn: duckdb.DuckDBPyConnection, name: str, df: pd.DataFrame) -> None:
    """Append to a history table, creating it (with comments) the first time and adding the
    columns tables.yaml gained since (history is kept, so it is never recreated)."""
    table = tables()[name]
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {table.schema}")
    present = _columns(conn, name)
    if not present:  # the first time
        conn.execute(table.ddl(replace=False))
        for stmt in comment_statements(table):
            conn.execute(stmt)
    for col in table.columns:  # a column added to tables.yaml since the table was created
        if present and col.name not in present:
            conn.execute(f"ALTER TABLE {name} ADD COLUMN {col.name} {col.type}")
            conn.execute(f"COMMENT ON COLUMN {name}.{col.name} IS {sql_literal(col.description)}")
    if len(df):
        conn.register("_rows", _conform(table, df))
        cols = ", ".join(table.column_names)
        conn.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM _rows")
        conn.unregister("_rows")


def schema_markdown() -> str:
    """warehouse/SCHEMA.md: every table, view and column, from tables.yaml."""
    out = [
        "# Warehouse tables and views",
        "",
        "Generated from `warehouse/tables.yaml` by `python -m assets.tables`; do not edit.",
        "The same descriptions are DuckDB comments (`.tables` and `.schema NAME` in `make sql`).",
    ]
    for name, (kind, description, columns) in documented().items():
        out += ["", f"## {name}", "", f"*{kind}.* {description}", ""]
        typed = {c.name: c for c in tables()[name].columns} if name in tables() else {}
        out += ["| column | type | description |", "|---|---|---|"]
        for col, text in columns.items():
            c = typed.get(col)
            kind_text = "" if c is None else c.type + ("" if c.nullable else ", not null")
            out.append(f"| `{col}` | {kind_text} | {text} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    (TABLES_FILE.parent / "SCHEMA.md").write_text(schema_markdown())
