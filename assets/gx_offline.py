"""Great Expectations Data Docs that work offline, with no dead link.

GX's own index page draws its list with scripts from a CDN (empty offline), and its validation
pages load styles and scripts from CDNs and link a suite page GX never writes here. After each
build this replaces the index with a static page of every kept validation (suite, time, outcome,
counts, link), and strips every remote script, style sheet and image from the validation pages
and points their dead links at the index: every page reads offline, and every link resolves.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

REMOTE_SCRIPT = re.compile(r'<script[^>]*\ssrc="https?://[^"]*"[^>]*>\s*</script>', re.I)
REMOTE_TAG = re.compile(r'<(?:link|img)[^>]*\s(?:href|src)="https?://[^"]*"[^>]*/?>', re.I)
REMOTE_HREF = re.compile(r'\shref="https?://[^"]*"', re.I)
LOCAL_HREF = re.compile(r'href="(?!https?:|#|mailto:)([^"#]+)(#[^"]*)?"', re.I)


def _offline_page(text: str, page: Path, index: Path) -> str:
    """A validation page without remote resources, its dead local links sent to the index."""
    text = REMOTE_TAG.sub("", REMOTE_SCRIPT.sub("", text))
    text = REMOTE_HREF.sub("", text)

    def local(match: re.Match) -> str:
        target = (page.parent / match.group(1)).resolve()
        if target.exists():
            return match.group(0)
        return f'href="{os.path.relpath(index, page.parent)}"'

    return LOCAL_HREF.sub(local, text)


def _row(result_file: Path, results: Path, docs: Path) -> dict:
    data = json.loads(result_file.read_text())
    stats = data.get("statistics", {})
    page = docs / "validations" / result_file.relative_to(results).with_suffix(".html")
    return {
        "suite": data.get("suite_name", result_file.relative_to(results).parts[0]),
        "time": str(data.get("meta", {}).get("validation_time", result_file.parent.name)),
        "success": bool(data.get("success")),
        "evaluated": stats.get("evaluated_expectations", 0),
        "failed": stats.get("unsuccessful_expectations", 0),
        "page": page.relative_to(docs).as_posix() if page.exists() else None,
    }


def index_html(rows: list[dict]) -> str:
    """The static index: one row per kept validation, newest first within each suite."""
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><title>Data Docs: validations</title>',
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}"
        ".passed{color:#060}.failed{color:#a00;font-weight:bold}</style></head><body>",
        "<h1>Great Expectations validations</h1>",
        "<p>Every kept validation of the warehouse's suites (this page needs no network).</p>",
        "<table><thead><tr><th>suite</th><th>validated at</th><th>status</th>"
        "<th>expectations</th><th>failed</th><th>details</th></tr></thead><tbody>",
    ]
    for r in sorted(rows, key=lambda r: (r["suite"], r["time"]), reverse=True):
        status = "passed" if r["success"] else "failed"
        link = f'<a href="{html.escape(r["page"])}">open</a>' if r["page"] else "(no page)"
        lines.append(
            f"<tr><td>{html.escape(r['suite'])}</td><td>{html.escape(r['time'])}</td>"
            f'<td class="{status}">{status}</td><td>{r["evaluated"]}</td><td>{r["failed"]}</td>'
            f"<td>{link}</td></tr>"
        )
    if not rows:
        lines.append('<tr><td colspan="6">no validation yet</td></tr>')
    lines += ["</tbody></table>", "</body></html>"]
    return "\n".join(lines) + "\n"


def finish(docs: Path, results: Path) -> Path:
    """Make the Data Docs under `docs` offline-ready; returns the index page."""
    index = docs / "index.html"
    for page in (docs / "validations").rglob("*.html"):
        page.write_text(_offline_page(page.read_text(), page, index))
    rows = [_row(f, results, docs) for f in sorted(results.rglob("*.json"))]
    index.write_text(index_html(rows))
    return index
