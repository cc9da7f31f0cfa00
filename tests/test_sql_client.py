"""`make sql` behaves like a database client: exit codes, listing, wide rows, history."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import REPO_ROOT
from orchestration.sql import render

WIDE = 36  # as many columns as mart.issuer_year


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """A small DuckDB file of our own: a commented table 36 columns wide, and a view."""
    path = tmp_path / "w.duckdb"
    columns = ", ".join(f"metric_number_{i:02d} VARCHAR" for i in range(WIDE))
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA mart")
        con.execute(f"CREATE TABLE mart.wide (issuer_id VARCHAR, {columns})")
        values = ", ".join(f"'value-{i:02d}-of-a-long-row'" for i in range(WIDE))
        con.execute(f"INSERT INTO mart.wide VALUES ('ACME', {values})")
        con.execute("COMMENT ON TABLE mart.wide IS 'A table wider than any terminal.'")
        con.execute("CREATE VIEW mart.acme AS SELECT issuer_id FROM mart.wide")
    return path


def sql(
    warehouse: Path, *args: str, stdin: str | None = None, **env
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "orchestration.sql", *args],
        cwd=REPO_ROOT, input=stdin, capture_output=True, text=True, check=False,
        env=os.environ | {"ESG_WAREHOUSE": str(warehouse), "COLUMNS": "80"} | env,
    )  # fmt: skip


def test_an_sql_error_exits_non_zero(warehouse):
    out = sql(warehouse, "-c", "SELECT nope")
    assert out.returncode == 1 and out.stderr.startswith("error: Binder Error")
    assert sql(warehouse, "-c", "SELECT 1; SELECT nope; SELECT 2").returncode == 1
    assert sql(warehouse, stdin="SELECT 1;\nSELECT nope;\n").returncode == 1
    assert sql(warehouse, "-c", "SELECT 1").returncode == 0


def test_tables_lists_tables_and_views_with_their_comments(warehouse):
    out = sql(warehouse, "-c", ".tables")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert any("mart.wide" in x and "table" in x and "wider than any" in x for x in lines)
    assert any("mart.acme" in x and "view" in x for x in lines)
    described = sql(warehouse, "-c", ".schema mart.wide").stdout
    assert "A table wider than any terminal." in described and "metric_number_35" in described


def test_a_wide_row_shows_every_column_and_value(warehouse):
    out = sql(warehouse, "-c", "FROM mart.wide").stdout
    for i in range(WIDE):
        assert f"metric_number_{i:02d} | value-{i:02d}-of-a-long-row" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_render_keeps_a_narrow_result_as_a_table_and_shows_null():
    text = render(["a", "b"], [(1, None)], width=80)
    assert text.splitlines()[1] == "| a | b    |" and "| 1 | NULL |" in text


def test_a_last_statement_without_semicolon_runs(warehouse):
    out = sql(warehouse, stdin="SELECT 'first' AS x;\nSELECT 'last' AS y")
    assert out.returncode == 0 and "first" in out.stdout and "last" in out.stdout
    assert "last" in sql(warehouse, "-c", "SELECT 'last' AS y").stdout


def _until(fd: int, prompt: bytes | None, deadline_s: float = 60) -> bytes:
    """What the terminal shows until `prompt` appears (None: until it closes)."""
    out, end = b"", time.monotonic() + deadline_s
    while time.monotonic() < end:
        if not select.select([fd], [], [], 0.5)[0]:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the client exited and the terminal closed
            return out
        if not chunk:
            return out
        out += chunk
        if prompt is not None and out.rstrip(b" ").endswith(prompt.rstrip(b" ")):
            return out
    return out


def test_interactive_session_has_history_and_runs_the_unterminated_last_statement(
    warehouse, tmp_path
):
    """In a terminal: readline (history written to ESG_SQL_HISTORY), dot commands, and a
    statement left without ';' when the session ends (Ctrl-D) is run, not dropped."""
    history = tmp_path / "history"
    master, slave = pty.openpty()
    env = os.environ | {"ESG_WAREHOUSE": str(warehouse), "ESG_SQL_HISTORY": str(history)}
    process = subprocess.Popen(
        [sys.executable, "-m", "orchestration.sql"],
        cwd=REPO_ROOT, env=env, stdin=slave, stdout=slave, stderr=slave, close_fds=True,
    )  # fmt: skip
    os.close(slave)
    output = _until(master, b"sql> ")
    for line in (b".tables\n", b"SELECT 40 + 2 AS answer;\n", b"SELECT 'unterminated' AS z\n"):
        os.write(master, line)  # typed at the prompt, as a user does
        output += _until(master, b"> ")
    os.write(master, b"\x04")  # Ctrl-D ends the session
    output += _until(master, None)
    os.close(master)
    assert process.wait(timeout=60) == 0
    text = output.decode(errors="replace")
    assert "mart.wide" in text and "| 42" in text
    assert "| unterminated |" in text
    assert "SELECT 40 + 2 AS answer;" in history.read_text()
