"""How precisely a number was printed: the tolerance every consistency check allows.

A value printed as 0.02 stands for anything in [0.015, 0.025): half a unit of its last printed
digit, converted to the canonical unit. Whole counts of persons or items are exact. A derived
total carries the rounding of its parts.
"""

import pandas as pd


def half_step(printed: str | None) -> float:
    """Half a unit of the last printed digit ('2,366' -> 0.5, '0.02' -> 0.005)."""
    if not printed:
        return 0.0
    text = printed.replace(",", "").strip()
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10**-decimals


EXACT_UNITS = {"persons", "count"}  # whole counts are exact, not rounded


def with_rounding(facts: pd.DataFrame) -> pd.DataFrame:
    """Add `rounding`: the printed rounding of each fact, in its canonical unit."""
    facts = facts.copy()
    reported = pd.to_numeric(facts["reported_value"].str.replace(",", ""), errors="coerce")
    scale = (facts["value"] / reported).where(reported.abs() > 0, 1.0).abs().fillna(1.0)
    exact = facts["unit"].isin(EXACT_UNITS) & (reported % 1 == 0)
    facts["rounding"] = facts["reported_value"].map(half_step) * scale * ~exact
    parts = facts[facts["breakdown"].notna()]
    part_rounding = parts.groupby(["issuer_id", "fiscal_year", "metric_id", "source_document"])[
        "rounding"
    ]
    sums = part_rounding.sum().rename("parts_rounding").reset_index()
    facts = facts.merge(sums, how="left", on=list(sums.columns[:-1]))
    derived = facts["basis"] == "derived"
    facts.loc[derived, "rounding"] = facts.loc[derived, "parts_rounding"]
    facts["rounding"] = facts["rounding"].fillna(0.0)
    return facts.drop(columns="parts_rounding")
