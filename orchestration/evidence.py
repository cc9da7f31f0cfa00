"""`make evidence ISSUER=.. YEAR=.. METRIC=.. [BREAKDOWN=..]`: a PNG of the PDF page region a
published fact was read from, its row highlighted; prints the picture's path.

    python -m orchestration.evidence UMS 2023 ghg.scope1 [--breakdown ...]

Reads the published warehouse ($ESG_WAREHOUSE) read-only and the PDF from the landing folder
($ESG_LANDING_DIR); the picture goes to the `evidence` folder beside the warehouse.
"""

import argparse
import sys

import duckdb

from assets import evidence
from orchestration import settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("issuer")
    parser.add_argument("year", type=int)
    parser.add_argument("metric")
    parser.add_argument("--breakdown", default=None, help="a component (default: the total)")
    args = parser.parse_args(argv)
    warehouse = settings.warehouse_path()
    if not warehouse.exists():
        print(f"no published warehouse at {warehouse}: run `make run` first", file=sys.stderr)
        return 1
    with duckdb.connect(str(warehouse), read_only=True) as con:
        fact = con.execute(
            "SELECT source_document, source_line, source_page FROM mart.esg_facts"
            " WHERE issuer_id = ? AND fiscal_year = ? AND metric_id = ?"
            " AND breakdown IS NOT DISTINCT FROM ?",
            [args.issuer, args.year, args.metric, args.breakdown],
        ).fetchone()
        source = evidence.find(con, args.issuer, args.year, args.metric, args.breakdown)
    what = f"{args.issuer} {args.year} {args.metric}" + (
        f" ({args.breakdown})" if args.breakdown else ""
    )
    if fact is None:
        print(f"mart.esg_facts has no fact {what}", file=sys.stderr)
        return 1
    if source is None:
        print(f"{what} was not read from a PDF: {fact[0]} line {fact[1]}", file=sys.stderr)
        return 1
    try:
        path = evidence.picture(source, settings.landing_dir(), evidence.evidence_dir(warehouse))
    except (OSError, ValueError) as exc:
        print(f"{what}: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
