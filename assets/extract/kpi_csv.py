"""Raw KPI tables: NAME.csv, one row per reported value, as the report printed it.

Required columns: label, unit, year, value, source_line. Optional: extractor (the layout the
values were read from), table_title, column_header, metric_hint. Rows that break a rule are
reported with their CSV line and skipped; the rest of the file still loads.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator

from assets.extract.values import RawValue, RowError, is_not_reported, parse_number

REQUIRED = ("label", "unit", "year", "value", "source_line")
EXTRACTORS = {"tab_table", "multi_year_text", "squeezed", "prose", "kpi_csv"}


# What raw.reported_values can store (INTEGER): a value outside it would fail the whole write.
# Within it, the checks judge (schema_reported_values: line >= 1; years_in_range).
INTEGER = range(-(2**31), 2**31)


def _int_or_none(text: str) -> int | None:
    text = text.strip()
    return int(text) if text else None


def _integers(row: dict) -> tuple[int, int | None] | tuple[str, str]:
    """(source_line, year), or a (rule, message) problem naming the bad value."""
    try:
        source_line, year = int(row["source_line"]), _int_or_none(row["year"])
    except (TypeError, ValueError):
        bad = {k: row[k] for k in ("source_line", "year")}
        return "csv_integer", f"source_line and year must be integers, not {bad}"
    if source_line not in INTEGER or (year is not None and year not in INTEGER):
        return "csv_integer", f"source_line {source_line} or year {year} is out of range"
    return source_line, year


def _rows(text: str) -> Iterator[tuple[int, dict | None, str]]:
    """(CSV line, row, problem) for each row; a row the csv module cannot read ends the file
    there with its problem (what follows cannot be told apart reliably)."""
    reader = csv.DictReader(io.StringIO(text, newline=None))  # a bare CR ends a line too
    try:
        for row in reader:
            yield reader.line_num, row, ""
    except csv.Error as exc:  # raised before the failing line is counted
        yield reader.line_num + 1, None, f"unreadable CSV from here on: {exc}"


def read(text: str) -> tuple[list[RawValue], list[RowError]]:
    header = next(csv.reader(io.StringIO(text, newline=None)), [])
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [RowError(1, "csv_columns", f"missing required columns {missing}")]
    values, errors = [], []
    for line, row, unreadable in _rows(text):
        if row is None:
            errors.append(RowError(line, "csv_format", unreadable))
            break
        label, value = (row.get("label") or "").strip(), (row.get("value") or "").strip()
        extractor = (row.get("extractor") or "kpi_csv").strip()
        problem = None
        if not label:
            problem = ("csv_label", "label is empty")
        elif (number := parse_number(value)) is None and not is_not_reported(value):
            problem = (
                "csv_value",
                f"value {value!r} is neither a number, 'Nil' nor a not-reported mark",
            )
        elif number is not None and not math.isfinite(number):
            problem = ("csv_value", f"value {value[:20]}... has {len(value)} digits: out of range")
        elif extractor not in EXTRACTORS:
            problem = (
                "csv_extractor",
                f"extractor {extractor!r} is not one of {sorted(EXTRACTORS)}",
            )
        else:
            integers = _integers(row)
            if isinstance(integers[0], str):
                problem = integers
            else:
                source_line, year = integers
        if problem:
            errors.append(RowError(line, *problem))
            continue
        values.append(
            RawValue(
                line_number=source_line,
                extractor=extractor,
                label=label,
                unit=(row.get("unit") or "").strip() or None,
                year=year,
                value_text=value,
                table_title=(row.get("table_title") or "").strip() or None,
                column_header=(row.get("column_header") or "").strip() or None,
                metric_hint=(row.get("metric_hint") or "").strip() or None,
            )
        )
    return values, errors


CSV_COLUMNS = (
    "source_line",
    "extractor",
    "table_title",
    "column_header",
    "label",
    "unit",
    "year",
    "value",
    "metric_hint",
)


def write(values: list[RawValue]) -> str:
    """The KPI-table form of extracted values (no report text, only facts and line numbers)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for v in values:
        writer.writerow(
            [
                v.line_number,
                v.extractor,
                v.table_title or "",
                v.column_header or "",
                v.label,
                v.unit or "",
                v.year if v.year is not None else "",
                v.value_text,
                v.metric_hint or "",
            ]
        )
    return out.getvalue()
