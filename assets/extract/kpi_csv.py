"""Raw KPI tables: NAME.csv, one row per reported value, as the report printed it.

Required columns: label, unit, year, value, source_line. Optional: extractor (the layout the
values were read from), table_title, column_header, metric_hint. Rows that break a rule are
reported with their CSV line and skipped; the rest of the file still loads.
"""

from __future__ import annotations

import csv
import io

from assets.extract.values import RawValue, RowError, is_nil, is_not_reported, is_number

REQUIRED = ("label", "unit", "year", "value", "source_line")
EXTRACTORS = {"tab_table", "multi_year_text", "prose", "kpi_csv"}


def _int_or_none(text: str) -> int | None:
    text = text.strip()
    return int(text) if text else None


def read(text: str) -> tuple[list[RawValue], list[RowError]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        return [], [RowError(1, "csv_columns", f"missing required columns {missing}")]
    values, errors = [], []
    for row in reader:
        line = reader.line_num
        label, value = (row.get("label") or "").strip(), (row.get("value") or "").strip()
        extractor = (row.get("extractor") or "kpi_csv").strip()
        problem = None
        if not label:
            problem = ("csv_label", "label is empty")
        elif not (is_number(value) or is_nil(value) or is_not_reported(value)):
            problem = (
                "csv_value",
                f"value {value!r} is neither a number, 'Nil' nor a not-reported mark",
            )
        elif extractor not in EXTRACTORS:
            problem = (
                "csv_extractor",
                f"extractor {extractor!r} is not one of {sorted(EXTRACTORS)}",
            )
        else:
            try:
                source_line = int(row["source_line"])
                year = _int_or_none(row["year"])
            except ValueError:
                problem = ("csv_integer", "source_line and year must be integers")
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
