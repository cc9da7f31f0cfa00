"""pandera schemas generated from warehouse/tables.yaml: one per table, validated lazily.

Column types, nullability and allowed values come from the table metadata; the quantity rules
(non-negative amounts, percentages within 0-100) apply to every table of facts.
"""

from __future__ import annotations

from functools import cache

import pandas as pd
import pandera.pandas as pa

from assets import reference
from assets.tables import Table, tables

_DTYPES = {"VARCHAR": "string", "INTEGER": "Int64", "BIGINT": "Int64", "DOUBLE": float}
FACT_TABLES = {"core.facts", "mart.esg_facts"}


def _column(col) -> pa.Column:
    checks = []
    if "isin" in col.checks:
        checks.append(pa.Check.isin(col.checks["isin"]))
    if "ge" in col.checks:
        checks.append(pa.Check.ge(col.checks["ge"]))
    return pa.Column(_DTYPES.get(col.type), checks=checks, nullable=col.nullable, coerce=True)


def _amount_kinds() -> set[str]:
    return {m for m, spec in reference.metrics().items() if spec.kind in {"flow", "stock"}}


def _non_negative(df: pd.DataFrame) -> pd.Series:
    return ~df["metric_id"].isin(_amount_kinds()) | (df["value"] >= 0)


def _percent_in_range(df: pd.DataFrame) -> pd.Series:
    return (df["unit"] != "%") | df["value"].between(0, 100)


@cache
def schema(name: str) -> pa.DataFrameSchema:
    table: Table = tables()[name]
    checks = []
    if name in FACT_TABLES:
        checks = [
            pa.Check(_non_negative, name="amount_not_negative"),
            pa.Check(_percent_in_range, name="percentage_within_0_100"),
        ]
    return pa.DataFrameSchema(
        {c.name: _column(c) for c in table.columns}, checks=checks, name=name, strict=False
    )


def failure_cases(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """All failure cases (lazy validation), one per failing row and check.

    pandera reports a failed table-level check once per column of the row; the fact rules are
    about `value`, so that column's case is kept.
    """
    try:
        schema(name).validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        table_level = cases["schema_context"] == "DataFrameSchema"
        rows = cases[table_level & (cases["column"] == "value")]
        return pd.concat([cases[~table_level], rows], ignore_index=True)
    return pd.DataFrame(columns=["column", "check", "failure_case", "index"])
