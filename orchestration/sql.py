"""`make sql`: the published warehouse, read-only, for a SQL user.

    python -m orchestration.sql                 # interactive: end a statement with ';'
    python -m orchestration.sql -c "FROM mart.issuer_year"

Read-only connections never block a refresh: the pipeline writes a separate working file and
swaps the published one in atomically, so this session keeps the mart it opened.
"""

import argparse
import sys

import duckdb

from orchestration import settings


def run_sql(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    try:
        result = con.sql(sql)
    except duckdb.Error as exc:
        print(f"error: {exc}", file=sys.stderr)
        return
    if result is not None:
        result.show(max_rows=200, max_width=200)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--command", help="run this SQL and exit")
    args = parser.parse_args(argv)
    path = settings.warehouse_path()
    if not path.exists():
        print(f"no published warehouse at {path}: run `make run` first", file=sys.stderr)
        return 1
    with duckdb.connect(str(path), read_only=True) as con:
        if args.command:
            run_sql(con, args.command)
            return 0
        print(f"{path} (read-only). Tables: mart.esg_facts, mart.issuer_year, dq.*; ';' ends.")
        buffer = ""
        while True:
            try:
                line = input("sql> " if not buffer else "...> ")
            except EOFError:
                return 0
            buffer += line + "\n"
            if buffer.rstrip().endswith(";"):
                run_sql(con, buffer)
                buffer = ""


if __name__ == "__main__":
    sys.exit(main())
