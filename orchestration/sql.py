"""`make sql`: the published warehouse, read-only, in a small database client.

    python -m orchestration.sql                      # interactive (history, line editing)
    python -m orchestration.sql -c "FROM mart.issuer_year WHERE issuer_id = 'REMT'"
    python -m orchestration.sql < queries.sql        # a script; the last ';' is optional

Statements end with ';' (the last one of a -c text, a script or a session needs none). Dot
commands: .tables (every table and view, with its comment), .schema NAME (columns and their
comments), .mode auto|table|line, .help, .quit. In `auto` mode (the default) a result too wide
for the terminal is shown one column per line, so no column is cut. An SQL error exits
non-zero (-c or a script); interactively it is printed and the session goes on.

Read-only connections never block a refresh: the pipeline writes a separate working file and
swaps the published one in atomically, so this session keeps the mart it opened.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import sys
from pathlib import Path

import duckdb

from orchestration import settings

MODES = ("auto", "table", "line")
MAX_ROWS = 1000
HISTORY = Path(os.environ.get("ESG_SQL_HISTORY") or Path.home() / ".esg_sql_history")

TABLES_SQL = """
SELECT name, kind, CASE WHEN length(comment) > 90 THEN left(comment, 89) || '…'
                        ELSE comment END AS comment  -- in full: .schema NAME
FROM (SELECT schema_name || '.' || table_name AS name, 'table' AS kind, comment
      FROM duckdb_tables() WHERE NOT internal AND NOT temporary
      UNION ALL
      SELECT schema_name || '.' || view_name, 'view', comment
      FROM duckdb_views() WHERE NOT internal AND NOT temporary)
ORDER BY name
"""


def _text(value: object) -> str:
    return "NULL" if value is None else str(value)


def render(columns: list[str], rows: list[tuple], mode: str = "auto", width: int = 0) -> str:
    """Rows as an aligned table, or one `column | value` line per column and row ("line", or
    "auto" when the table is wider than `width`): no column is ever cut."""
    cells = [[_text(v) for v in row] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    table_width = sum(widths) + 3 * len(widths) + 1
    width = width or shutil.get_terminal_size((120, 40)).columns
    if mode == "line" or (mode == "auto" and table_width > width and len(columns) > 1):
        name_width = max(len(c) for c in columns)
        out = []
        for n, row in enumerate(cells, 1):
            out.append(f"-[ row {n} ]" + "-" * max(0, min(width, 40) - 10))
            out += [f"{c:<{name_width}} | {v}" for c, v in zip(columns, row, strict=True)]
        return "\n".join(out)

    def line(values: list[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    return "\n".join([rule, line(columns), rule, *(line(r) for r in cells), rule])


class Client:
    """One read-only session: runs statements and dot commands, prints results."""

    def __init__(self, con: duckdb.DuckDBPyConnection, mode: str = "auto"):
        self.con, self.mode = con, mode

    def show(self, columns: list[str]) -> None:
        """The current result of the connection, up to MAX_ROWS rows."""
        rows = self.con.fetchmany(MAX_ROWS + 1)
        more = len(rows) > MAX_ROWS
        print(render(columns, rows[:MAX_ROWS], self.mode))
        n = min(len(rows), MAX_ROWS)
        print(f"({n} row{'s' * (n != 1)}{', more not shown: add LIMIT/OFFSET' if more else ''})")

    def statements(self, text: str) -> bool:
        """Run every statement in `text` in order; False (after printing it) on the first
        error."""
        try:
            for statement in self.con.extract_statements(text):
                self.con.execute(statement.query)
                if self.con.description:
                    self.show([d[0] for d in self.con.description])
        except duckdb.Error as exc:
            print(f"error: {exc}", file=sys.stderr)
            return False
        return True

    def dot(self, command: str) -> bool:
        """A dot command; False if unknown or failed."""
        name, _, arg = command.strip().rstrip(";").partition(" ")
        arg = arg.strip()
        if name == ".tables":
            return self._query(TABLES_SQL, [], "table")
        if name in (".schema", ".describe") and arg:
            schema, _, table = arg.rpartition(".")
            where = [table, schema or "main"]
            comment = self.con.execute(
                "SELECT comment FROM duckdb_tables() WHERE table_name = ? AND schema_name = ?"
                " UNION ALL SELECT comment FROM duckdb_views() WHERE view_name = ?"
                " AND schema_name = ?",
                where * 2,
            ).fetchall()
            if comment and comment[0][0]:
                print(comment[0][0])
            return self._query(
                """SELECT column_name AS column, data_type AS type, comment
                   FROM duckdb_columns() WHERE table_name = ? AND schema_name = ?
                   ORDER BY column_index""",
                where,
                "table",
            )
        if name == ".mode" and arg in MODES:
            self.mode = arg
            return True
        if name == ".help":
            print(__doc__.split("\n\n")[2])
            return True
        print(f"error: unknown command {command.strip()!r}; try .help", file=sys.stderr)
        return False

    def _query(self, sql: str, params: list, mode: str) -> bool:
        rows = self.con.execute(sql, params).fetchall()
        if not rows:
            print("(nothing found)", file=sys.stderr)
            return False
        columns = [d[0] for d in self.con.description]
        print(render(columns, rows, mode if self.mode == "auto" else self.mode))
        return True

    def script(self, text: str) -> bool:
        """A -c text or script: dot commands on lines of their own, SQL between them; stops
        at the first error."""
        buffer: list[str] = []
        for line in [*text.splitlines(), None]:
            if line is not None and not line.startswith("."):
                buffer.append(line)
                continue
            if "\n".join(buffer).strip() and not self.statements("\n".join(buffer)):
                return False
            buffer = []
            if line is not None and not self.dot(line):
                return False
        return True

    def interactive(self, path: Path) -> int:
        _readline()
        print(f"{path} (read-only). End statements with ';'. .tables lists them, .help, .quit.")
        buffer: list[str] = []
        while True:
            try:
                line = input("...> " if buffer else "sql> ")
            except EOFError:
                print()
                break
            except KeyboardInterrupt:  # drop the statement being typed
                print()
                buffer = []
                continue
            if not buffer and line.strip() in (".quit", ".exit", "\\q"):
                break
            if not buffer and line.startswith("."):
                self.dot(line)
                continue
            buffer.append(line)
            if line.rstrip().endswith(";"):
                self.statements("\n".join(buffer))
                buffer = []
        if "".join(buffer).strip():  # a last statement without ';'
            self.statements("\n".join(buffer))
        return 0


def _readline() -> None:
    """Line editing and a history kept across sessions (ESG_SQL_HISTORY)."""
    try:
        import atexit
        import readline
    except ImportError:  # not on every platform; the client works without it
        return
    with contextlib.suppress(OSError):
        readline.read_history_file(HISTORY)
    readline.set_history_length(1000)
    atexit.register(_save_history, readline)


def _save_history(readline) -> None:
    with contextlib.suppress(OSError):
        readline.write_history_file(HISTORY)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--command", help="run this SQL (or dot command) and exit")
    parser.add_argument("-m", "--mode", choices=MODES, default="auto", help="result display")
    args = parser.parse_args(argv)
    path = settings.warehouse_path()
    if not path.exists():
        print(f"no published warehouse at {path}: run `make run` first", file=sys.stderr)
        return 1
    if args.command is not None or not sys.stdin.isatty():
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `... | head` ends quietly
    with duckdb.connect(str(path), read_only=True) as con:
        client = Client(con, args.mode)
        if args.command is not None:
            return 0 if client.script(args.command) else 1
        if not sys.stdin.isatty():
            return 0 if client.script(sys.stdin.read()) else 1
        return client.interactive(path)


if __name__ == "__main__":
    sys.exit(main())
