"""What a run must rebuild: every issuer (a full refresh), or the issuers whose reports changed.

The raw step knows which reports a run loaded; core and mart run later (in the same run or,
after a failure, in a later one) and rebuild only those issuers' rows. Every table below raw
is built issuer by issuer (an issuer's facts, checks and mart rows depend on its own reports
and the reference data only), so replacing an issuer's rows equals rebuilding everything.

The issuers wait in dq.pending_scope until the mart has published them: a run that fails
half-way leaves them there, and the next run rebuilds them too. A row with no issuer means
"everything": a refresh of every report, or reference data that changed since the last build.
A row with an empty issuer id means a run that changed no issuer (say, it only rejected a new
report that names none): core and mart re-check and rebuild nothing. Nothing pending means
core or mart were materialised on their own: they rebuild everything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
import pandas as pd
import polars as pl

from assets.tables import append_rows, tables, transaction, write_select
from orchestration.settings import REF_DIR, TABLES_FILE

PENDING = "dq.pending_scope"
STATE = "dq.build_state"
REF_STATE = "ref data fingerprint"
NO_ISSUER = ""  # dq.pending_scope: a run changed no issuer


@dataclass(frozen=True)
class Scope:
    """Rows whose `column` is in `values`; `values=None` means the whole table."""

    column: str
    values: tuple[str, ...] | None = None

    @property
    def everything(self) -> bool:
        return self.values is None

    def where(self, alias: str = "") -> str:
        """SQL predicate on a table with `column` (the scope registered, unless everything)."""
        return "TRUE" if self.everything else f"_in_scope({alias}{self.column})"

    def macro(self) -> str:
        """The temp macro `_in_scope(v)` that `where()` and IN_SCOPE call. The values are
        literals, not a lookup table: DuckDB then pushes the filter into scans and through
        views and aggregates (a semi-join on a temp table kept them reading every issuer)."""
        if self.everything:
            return "CREATE OR REPLACE TEMP MACRO _in_scope(v) AS TRUE"
        if not self.values:
            return "CREATE OR REPLACE TEMP MACRO _in_scope(v) AS FALSE"
        values = ", ".join("'" + v.replace("'", "''") + "'" for v in sorted(set(self.values)))
        return f"CREATE OR REPLACE TEMP MACRO _in_scope(v) AS v IN ({values})"

    @contextmanager
    def registered(self, conn: duckdb.DuckDBPyConnection) -> Iterator[Scope]:
        """Make `where()` and IN_SCOPE usable on this connection for the duration of the
        block."""
        conn.execute(self.macro())
        try:
            yield self
        finally:
            conn.execute("DROP MACRO IF EXISTS _in_scope")


# For SQL written once and evaluated with or without a registered scope: rows of the issuers
# in scope, or every row when no scope is registered (a check run on its own).
IN_SCOPE = "_in_scope(issuer_id)"


def in_scope(table: str) -> str:
    """A subquery of the table's rows in scope (see IN_SCOPE), to use in place of the table."""
    return f"(SELECT * FROM {table} WHERE {IN_SCOPE})"


def ensure_registered(conn: duckdb.DuckDBPyConnection) -> None:
    """Everything in scope, unless a step has registered a scope."""
    conn.execute("CREATE TEMP MACRO IF NOT EXISTS _in_scope(v) AS TRUE")


def ref_fingerprint() -> str:
    """The reference data and table metadata every mapping and check is built from."""
    digest = hashlib.sha256()
    for path in [*sorted(REF_DIR.glob("*")), TABLES_FILE]:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def add_pending(conn: duckdb.DuckDBPyConnection, run_id: str, issuers: list[str] | None) -> None:
    """Issuers a run changed (None: every issuer) wait here until the mart publishes them."""
    rows = [None] if issuers is None else sorted(set(issuers)) or [NO_ISSUER]
    frame = pd.DataFrame({"issuer_id": rows, "run_id": run_id})
    frame["added_at"] = pd.Timestamp.now(tz="UTC").tz_localize(None)
    append_rows(conn, PENDING, frame)


def pending(conn: duckdb.DuckDBPyConnection) -> Scope:
    """The issuers to rebuild; everything when nothing is pending or a full refresh is."""
    append_rows(conn, PENDING, pd.DataFrame(columns=["issuer_id", "run_id", "added_at"]))
    rows = conn.execute(f"SELECT DISTINCT issuer_id FROM {PENDING}").fetchall()
    if not rows or any(issuer is None for (issuer,) in rows):
        return Scope("issuer_id")
    return Scope("issuer_id", tuple(sorted(i for (i,) in rows if i != NO_ISSUER)))


def mark_ref_data(conn: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Reference data changed since the last build: every issuer must be rebuilt."""
    fingerprint = ref_fingerprint()
    append_rows(conn, STATE, pd.DataFrame(columns=["name", "value"]))
    known = conn.execute(f"SELECT value FROM {STATE} WHERE name = ?", [REF_STATE]).fetchall()
    if known != [(fingerprint,)]:
        add_pending(conn, run_id, None)
        conn.execute(f"DELETE FROM {STATE} WHERE name = ?", [REF_STATE])
        conn.execute(f"INSERT INTO {STATE} VALUES (?, ?)", [REF_STATE, fingerprint])


def clear_pending(conn: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    """The mart published these issuers: they no longer wait."""
    if scope.everything:
        conn.execute(f"DELETE FROM {PENDING}")
    else:
        conn.execute(f"DELETE FROM {PENDING} WHERE issuer_id = ? OR {scope.where()}", [NO_ISSUER])


def replace_rows(conn: duckdb.DuckDBPyConnection, name: str, select_sql: str, scope: Scope) -> None:
    """Replace a table's rows in scope with a query's rows (the query limits itself to the
    scope), in one transaction. With every issuer in scope the table is recreated from
    tables.yaml, as a first build does."""
    if scope.everything:
        write_select(conn, name, select_sql)
        return
    cols = ", ".join(tables()[name].column_names)
    with transaction(conn):
        conn.execute(f"DELETE FROM {name} WHERE {scope.where()}")
        conn.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM ({select_sql})")


def _relation(conn: duckdb.DuckDBPyConnection, sql: str, **params) -> duckdb.DuckDBPyRelation:
    """A query as a relation, whose Arrow output streams: a DB-API execute() result is held
    whole first (1.6 M mapped values: 1.0 GB at peak that way, 0.4 GB streamed).

    DuckDB runs a relation only once no execute() result is left unread on the connection.
    One a caller left (after a fetchone(), say) is run to its end without fetching its rows:
    unlike cancelling, that never fails a pending write's open transaction. (The next
    execute() would discard it; no caller here leaves one.)"""
    conn.complete()
    return conn.sql(sql, params=params or None)


def record_batches(
    conn: duckdb.DuckDBPyConnection, table: str, scope: Scope, max_rows: int
) -> Iterator[pl.DataFrame]:
    """A table's rows in scope as Polars frames of at most `max_rows`, streamed from one query
    through Arrow: row-wise checks (pandera's) need no particular grouping."""
    rows = _relation(conn, f"SELECT * FROM {table} WHERE {scope.where()}")
    for batch in rows.to_arrow_reader(max_rows):
        yield pl.from_arrow(batch)


def chunks(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    scope: Scope,
    max_rows: int,
    columns: list[str] | None = None,
) -> Iterator[pd.DataFrame]:
    """A table's rows in scope (all columns, or the named ones) as pandas DataFrames of whole
    reports or issuers, about `max_rows` each: a check that compares rows of one issuer (GX's
    compound uniqueness) reads a large table without holding all of it at once.

    The rows come through Arrow, text as categoricals (GX's fast path): pandas builds no
    Python string per value (1.7 M facts: 0.5 s instead of 1.6 s)."""
    select = ", ".join(columns) if columns else "*"
    col = scope.column
    counts = conn.execute(
        f"SELECT {col}, count(*) FROM {table} WHERE {scope.where()} GROUP BY ALL ORDER BY 1"
    ).fetchall()
    groups: list[list] = [[]]
    size = 0
    for value, n in counts:
        if groups[-1] and size + n > max_rows:
            groups.append([])
            size = 0
        groups[-1].append(value)
        size += n
    for group in groups:
        if not group and not scope.everything:
            continue  # nothing of this table in scope
        keys = [v for v in group if v is not None]
        null = f" OR {col} IS NULL" if None in group else ""
        rows = _relation(
            conn,
            f"SELECT {select} FROM {table} WHERE list_contains($keys::VARCHAR[], {col}){null}",
            keys=keys,
        )
        yield rows.to_arrow_table().to_pandas(strings_to_categorical=True)
