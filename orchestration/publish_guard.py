"""No empty publish: a refresh that would take away most of what SQL users read is not published.

A wrong or emptied landing folder marks every report removed; published as usual, it would
replace a good mart with an empty one, and the checks that notice judge the new file only after
readers have it. Before the file swap this guard compares the built warehouse with the
published one: if no report is left loaded, or mart.esg_facts would shrink by more than
ESG_MAX_SHRINK (a share, default 0.5), the run fails naming the landing folder and the numbers,
and the published file stays as it was. `ESG_ALLOW_SHRINK=1`, or the run tag
`esg/allow_shrink=1`, publishes it on purpose.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

ALLOW_ENV = "ESG_ALLOW_SHRINK"
ALLOW_TAG = "esg/allow_shrink"
MAX_SHRINK_ENV = "ESG_MAX_SHRINK"
DEFAULT_MAX_SHRINK = 0.5
YES = {"1", "true", "yes"}


class ShrinkRefused(Exception):
    """The refresh would remove most of what is published; the published file is unchanged."""


@dataclass(frozen=True)
class Counts:
    """What a warehouse file offers its readers: reports loaded and facts in the mart."""

    loaded_reports: int
    facts: int


def counts(path: Path) -> Counts | None:
    """The counts of a warehouse file (None when it has no mart yet)."""
    if not path.exists():
        return None
    with duckdb.connect(str(path), read_only=True) as con:
        tables = {
            r[0]
            for r in con.execute(
                "SELECT schema_name || '.' || table_name FROM duckdb_tables()"
            ).fetchall()
        }
        if "mart.esg_facts" not in tables:
            return None
        facts = con.execute("SELECT count(*) FROM mart.esg_facts").fetchall()[0][0]
        loaded = 0
        if "raw.report_documents" in tables:
            query = "SELECT count(*) FROM raw.report_documents WHERE status = 'loaded'"
            loaded = con.execute(query).fetchall()[0][0]
    return Counts(loaded, facts)


def max_shrink() -> float:
    """The largest share of published facts a refresh may remove without being allowed."""
    return float(os.environ.get(MAX_SHRINK_ENV) or DEFAULT_MAX_SHRINK)


def allowed(tags: Mapping[str, str] | None) -> bool:
    return (os.environ.get(ALLOW_ENV) or "").lower() in YES or (
        (tags or {}).get(ALLOW_TAG, "").lower() in YES
    )


def refusal(before: Counts | None, after: Counts | None, landing: str) -> str | None:
    """Why publishing `after` over `before` is refused, or None when it may be published."""
    if before is None or before.facts == 0 or after is None:
        return None
    limit = max_shrink()
    gone = 1 - after.facts / before.facts
    if after.loaded_reports > 0 and gone <= limit:
        return None
    why = (
        "no report is left loaded"
        if after.loaded_reports == 0
        else f"mart.esg_facts would shrink by {gone:.0%}, more than {MAX_SHRINK_ENV}={limit:g}"
    )
    return (
        f"not published: landing folder {landing or '(unknown)'} leaves {after.loaded_reports}"
        f" of {before.loaded_reports} reports loaded and {after.facts} of {before.facts} facts"
        f" in mart.esg_facts ({why}); the published warehouse is unchanged. If this is meant,"
        f" run again with {ALLOW_ENV}=1 (or the run tag {ALLOW_TAG}=1)."
    )


def check(built: Path, published: Path, landing: str, tags: Mapping[str, str] | None) -> None:
    """Raise ShrinkRefused when the built warehouse may not replace the published one."""
    if allowed(tags):
        return
    reason = refusal(counts(published), counts(built), landing)
    if reason:
        raise ShrinkRefused(reason)
