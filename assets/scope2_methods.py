"""Scope 2 by method from its purchased-energy carriers, when a report prints no method total.

The GHG Protocol reports Scope 2 twice: each method's total is the sum over every purchased
energy carrier (electricity, district heating, cooling, steam), and a carrier printed without a
method split counts the same in both. A report that prints only the carriers ('El (market
based) 0', 'El (location based) 290', 'Fjärrvärme (market based) 571', ...) gives the method
totals by that sum, but only when the block is whole. A block is the run of consecutive rows of
one table under one heading that holds a carrier row with a method (label_map rules
`scope2_carrier_location`, `scope2_carrier_market`, `scope2_carrier_alone`); a row that is a
total over other scopes ('Summa scope 1 och 2') closes it. A method's total is derived only when
every row of the block is a carrier row, every carrier has a value by that method or one value
without a method, and none of them is a not-reported mark ('-' is not zero). core.facts then
drops the derived total when the issuer-year prints a Scope 2 total of that method, or one
without a method (assets/core.py), unless that total is the block's head and names the
method by its sum (below).

A Scope 2 total printed without a method on a row of its own, with the carriers in the rows
right below it ('Scope 2 280', 'Electricity (market-based) 188', 'Electricity (location-based)
95', 'District heating 93'), heads them as a label-only heading would: they are its block. When
that total equals one method's sum within the printed rounding and not the other's, it is that
method's total, and both derived totals are kept beside it (`confirmed_by_total`).
"""

from __future__ import annotations

import pandas as pd

from assets import mapping, reference, units

METHOD_RULES = {"scope2_carrier_location": "location", "scope2_carrier_market": "market"}
ALONE_RULE = "scope2_carrier_alone"
CARRIER_RULES = (*METHOD_RULES, ALONE_RULE)
METRIC = {"location": "ghg.scope2_location", "market": "ghg.scope2_market"}
ASSUMPTION = (
    "Scope 2 ({method}-based) derived as the sum of its purchased-energy carriers ({carriers}); "
    "a carrier printed without a method counts the same by either method"
)
# A block whose carriers all lack a method, under a heading naming Scope 2: its sum is Scope 2.
ASSUMPTION_NO_METHOD = (
    "Scope 2 derived as the sum of its purchased-energy carriers ({carriers}), each printed "
    "without a method under a Scope 2 heading"
)
ASSUMPTION_HEAD = (
    "; the Scope 2 total printed without a method on line {line} ({value:g}) equals the "
    "{method}-based sum, so it is {method}-based"
)
COLUMNS = (
    "issuer_id", "fiscal_year", "metric_id", "value", "unit", "source_document", "source_line",
    "source_page", "derived_from_lines", "assumption", "printed_rounding", "confirmed_by_total",
)  # fmt: skip

# The rows a block is read from (every row of a table that holds a carrier row).
CANDIDATES_SQL = """
SELECT v.source_document, v.issuer_id, v.fiscal_year, v.table_title, v.label, v.line_number,
       v.page, v.unit, v.value_text, v.value, v.not_reported, v.mapping_status, v.mapping_rule,
       v.metric_id
FROM {mapped} v
SEMI JOIN (SELECT DISTINCT source_document, table_title FROM {mapped}
           WHERE mapping_rule IN ({rules})) t
  ON t.source_document = v.source_document AND t.table_title IS NOT DISTINCT FROM v.table_title
ORDER BY v.source_document, v.table_title, v.line_number
"""


def _rule(rule_id: str) -> reference.LabelRule:
    return next(r for r in reference.label_rules() if r.rule_id == rule_id)


def _carrier(row) -> tuple[str, str] | None:
    """A carrier row's heading (the path before the carrier) and carrier (lower-case word)."""
    if row.mapping_rule not in CARRIER_RULES:
        return None
    label = mapping.normalise(row.label)
    m = _rule(row.mapping_rule).label_pattern.search(label)
    if m is None or m.group("carrier") is None:
        return None
    heading = label[: m.start("carrier")].rstrip(" /")
    return heading, m.group("carrier").lower()


def _heading(row) -> str:
    found = _carrier(row)
    if found:
        return found[0]
    parts = mapping.normalise(row.label).split(mapping.PATH_SEP)
    return mapping.PATH_SEP.join(parts[:-1])


def _closes_block(row) -> bool:
    """A total over other scopes (Scope 1 and 2, all scopes) ends the parts above it."""
    metric = row.metric_id or ""
    return row.mapping_status == "mapped" and metric.startswith("ghg.") and "scope2" not in metric


def _is_total(row) -> bool:
    """A printed Scope 2 total without a method: it heads the carrier rows right below it."""
    return row.mapping_status == "mapped" and row.metric_id == "ghg.scope2"


def blocks(table: pd.DataFrame) -> list[tuple[list[int], int | None]]:
    """The blocks of one table (rows in line order): (line numbers, the line of the Scope 2
    total printed right above them, or None)."""
    lines: list[tuple[int, str, bool, bool, bool]] = []  # + closes, has a method row, a total
    for line, rows in table.groupby("line_number", sort=True):
        heads = {_heading(r) for r in rows.itertuples()}
        closes = any(_closes_block(r) for r in rows.itertuples())
        method = rows["mapping_rule"].isin(list(CARRIER_RULES)).any()
        total = any(_is_total(r) for r in rows.itertuples())
        lines.append((line, heads.pop() if len(heads) == 1 else "\0", closes, method, total))
    found, run, head, top = [], [], None, None
    for line, heading, closes, method, total in [*lines, (None, "\0", True, False, False)]:
        if closes or total or not _same_group(head, heading):
            if any(m for _, m in run):
                found.append(([ln for ln, _ in run], top))
            run, head, top = [], heading, line if total else None
            if closes:
                head = None
            if closes or total:
                continue
        head = min(head, heading, key=len)
        run.append((line, method))
    return found


def _under(rows: pd.DataFrame, total) -> pd.DataFrame:
    """The rows below a printed Scope 2 total, named as if under a heading of its label."""
    out = []
    for r in rows.itertuples(index=False):
        label = f"{total.label}{mapping.PATH_SEP}{r.label}"
        res = mapping.resolve(label, r.table_title, None, r.unit)
        out.append(r._replace(label=label, mapping_rule=res.rule_id, metric_id=res.metric_id))
    return pd.DataFrame(out, columns=rows.columns)


def _named_by_total(derived: list[dict], total) -> None:
    """Keep both method totals beside a printed total that equals exactly one of them."""
    if total is None or pd.isna(total.value) or len(derived) != 2:
        return
    conv = units.unit_conversion(total.unit, "ghg.scope2")
    if conv.status != "ok" or conv.unit != derived[0]["unit"]:
        return
    printed = total.value * conv.value
    slack = _rounding(total.value_text, conv.value)
    agree = [d for d in derived if abs(d["value"] - printed) <= d["printed_rounding"] + slack]
    if len(agree) != 1:
        return
    method = next(m for m, metric in METRIC.items() if metric == agree[0]["metric_id"])
    note = ASSUMPTION_HEAD.format(line=int(total.line_number), value=printed, method=method)
    for d in derived:
        d["confirmed_by_total"] = True
        d["assumption"] += note


def _same_group(head: str | None, heading: str) -> bool:
    """One heading group: the same heading, or one under the other ('Scope 2 / Summa')."""
    if head is None or "\0" in (head, heading) or not head or not heading:
        return head == heading
    short, long = sorted((head, heading), key=len)
    return long == short or long.startswith(short + mapping.PATH_SEP)


def _rounding(value_text: str, factor: float) -> float:
    digits = (value_text or "").strip().replace(",", "").replace(" ", "")
    decimals = len(digits.split(".", 1)[1]) if "." in digits else 0
    return 0.5 * 10.0**-decimals * factor


def derive_block(rows: pd.DataFrame, total=None) -> list[dict]:
    """The method totals one block's rows of one issuer-year give (none when it is not whole);
    total: the Scope 2 total printed right above the block, if any."""
    if total is not None:
        rows = _under(rows, total)
    parts: dict[str, dict[str, object]] = {}  # carrier -> method (or None) -> row
    for r in rows.itertuples():
        found = _carrier(r)
        if found is None:
            return []  # a row that is no carrier: the block is not Scope 2 alone
        method = METHOD_RULES.get(r.mapping_rule)
        by_method = parts.setdefault(found[1], {})
        if method in by_method or None in by_method or (method is None and by_method):
            return []  # a carrier twice, or both with and without a method
        by_method[method] = r
    heading = _carrier(rows.iloc[0:1].itertuples().__next__())[0]
    if len(parts) < 2 and not _rule("scope2").label_pattern.search(heading):
        return []  # one carrier under no Scope 2 heading: the table may hold only that carrier
    derived = []
    if all(set(p) == {None} for p in parts.values()):  # no carrier has a method
        if not _rule("scope2").label_pattern.search(heading):
            return []
        methods = {None: ("ghg.scope2", ASSUMPTION_NO_METHOD)}
    else:
        methods = {m: (metric, ASSUMPTION) for m, metric in METRIC.items()}
    for method, (metric, assumption) in methods.items():
        if not any(method in p for p in parts.values()):
            continue
        chosen = [p.get(method, p.get(None)) for p in parts.values()]
        if any(r is None or r.not_reported or pd.isna(r.value) for r in chosen):
            continue  # a carrier without this method, or printed as not reported
        convs = [units.unit_conversion(r.unit, metric) for r in chosen]
        if any(c.status != "ok" for c in convs) or len({c.unit for c in convs}) != 1:
            continue
        first = min(chosen, key=lambda r: r.line_number)
        derived.append(
            {
                "issuer_id": first.issuer_id,
                "fiscal_year": int(first.fiscal_year),
                "metric_id": metric,
                "value": round(
                    sum(r.value * c.value for r, c in zip(chosen, convs, strict=True)), 9
                ),
                "unit": convs[0].unit,
                "source_document": first.source_document,
                "source_line": int(first.line_number),
                "source_page": first.page,
                "derived_from_lines": ",".join(
                    str(n) for n in sorted({int(r.line_number) for r in chosen})
                ),
                "assumption": assumption.format(method=method, carriers=", ".join(parts)),
                "printed_rounding": sum(
                    _rounding(r.value_text, c.value) for r, c in zip(chosen, convs, strict=True)
                ),
                "confirmed_by_total": False,
            }
        )
    _named_by_total(derived, total)
    return derived


def derive(candidates: pd.DataFrame) -> pd.DataFrame:
    """Derived Scope 2 method totals from the candidate rows (CANDIDATES_SQL)."""
    out: list[dict] = []
    for _, table in candidates.groupby(["source_document", "table_title"], dropna=False):
        for lines, top in blocks(table):
            block = table[table["line_number"].isin(lines)]
            for fy, year in block.groupby("fiscal_year"):
                if set(year["line_number"]) == set(lines):  # every row has this year's value
                    heads = table[(table["line_number"] == top) & (table["fiscal_year"] == fy)]
                    heads = [r for r in heads.itertuples(index=False) if _is_total(r)]
                    out += derive_block(year, heads[0] if len(heads) == 1 else None)
    return pd.DataFrame(out, columns=list(COLUMNS))
