"""Consistency checks on canonical facts: totals, ratios, relations, conflicts, plausibility.

Tolerances follow the printed precision (core.facts.rounding, see assets/precision.py), plus
the rounding carried by the other values in the computation.
"""

from __future__ import annotations

import itertools
import os
from functools import cache

import pandas as pd

from assets import reference, units
from assets.quality import ERROR, WARN, Check, Finding, findings_from_sql, issuer_scoped
from assets.scope import ensure_registered, in_scope
from assets.tables import sql_literal

FACTS = ("core", "facts")
# Every check below compares facts of one issuer: in a run that changed a few issuers it reads
# theirs only (the other issuers' findings carry over, see quality.issuer_scoped).
SCOPED_FACTS = in_scope("core.facts")
DEFAULT_YOY_FACTOR = 3.0
MAX_NOTES = 50  # rows of a check's notes shown in the UI


def _g(x: str) -> str:
    """SQL for Python's f'{x:g}' (six significant digits)."""
    return f"format('{{:g}}', {x})"


def target(a: str, breakdown: str | None = None) -> str:
    """SQL: the fact a row `a` of core.facts is, as a finding's also_withholds entry (keys of
    quality.SCOPE); `breakdown` overrides its breakdown (SQL)."""
    b = breakdown or f"{a}.breakdown"
    return (
        f"{{'issuer_id': {a}.issuer_id, 'fiscal_year': {a}.fiscal_year,"
        f" 'metric_id': {a}.metric_id, 'breakdown': ({b})::VARCHAR,"
        f" 'source_document': {a}.source_document, 'source_line': {a}.source_line}}"
    )


# A printed total beside printed parts that do not add up: the check cannot tell which figure is
# wrong, so the finding names the total and condemns every part too (docs/data-quality.md).
TOTALS_SQL = f"""
WITH grouped AS (
    SELECT issuer_id, fiscal_year, metric_id, source_document, any_value(unit) AS unit,
           arg_min(value, source_line) FILTER (WHERE breakdown IS NULL) AS total,
           arg_min(rounding, source_line) FILTER (WHERE breakdown IS NULL) AS total_tol,
           min(source_line) FILTER (WHERE breakdown IS NULL) AS total_line,
           sum(value) FILTER (WHERE breakdown IS NOT NULL) AS parts,
           sum(rounding) FILTER (WHERE breakdown IS NOT NULL) AS parts_tol,
           array_to_string(list_sort(list_distinct(
               list(source_line) FILTER (WHERE breakdown IS NOT NULL))), ',') AS lines,
           list({target("f")}) FILTER (WHERE breakdown IS NOT NULL) AS part_facts
    FROM {SCOPED_FACTS} f WHERE basis = 'reported'
    GROUP BY issuer_id, fiscal_year, metric_id, source_document
)
SELECT issuer_id, fiscal_year, metric_id, source_document, total_line AS source_line,
       metric_id || ': total ' || {_g("total")} || ' ' || unit || ' (line ' || total_line
       || ') != sum of its parts ' || {_g("parts")} || ' (lines ' || lines
       || '), tolerance ' || {_g("total_tol + parts_tol")} AS message,
       to_json(part_facts) AS also_withholds
FROM grouped
WHERE total IS NOT NULL AND parts IS NOT NULL
  AND abs(total - parts) > total_tol + parts_tol + 1e-12
ORDER BY ALL
"""


def totals_match_parts(conn) -> list[Finding]:
    return findings_from_sql(conn, TOTALS_SQL)


def _ratio_factor(num_metric: str, den_metric: str, ratio_metric: str) -> float:
    """numerator / denominator in the ratio's canonical unit, per canonical unit of each; across
    dimensions through an applied factor of either metric (a renewable share of energy in tce
    takes the calorific value of standard coal)."""
    metrics, reg = reference.metrics(), units.registry()
    q = reg.Quantity(1.0, metrics[num_metric].pint_unit) / reg.Quantity(
        1.0, metrics[den_metric].pint_unit
    )
    target = reg.parse_expression(metrics[ratio_metric].pint_unit)
    reached = units.reach(q, target, {num_metric, den_metric})
    # None: e.g. average hours printed as 'hours', not hours per person
    return 1.0 if reached is None else float(reached[0].magnitude)


def _ratio_pairs(facts: str, same_document: bool) -> str:
    """SQL: each printed ratio among `facts` beside its numerator and denominator (the
    denominator's matching breakdown, else its total) and the ratio they give."""
    doc = "AND {a}.source_document = r.source_document" if same_document else ""
    return f"""
    SELECT r.*, n.value AS num_value, n.rounding AS num_tol, n.source_line AS num_line,
           n.source_document AS num_doc, n.metric_id AS num_metric,
           coalesce(db.value, dt.value) AS den_value, coalesce(db.rounding, dt.rounding) AS den_tol,
           coalesce(db.source_line, dt.source_line) AS den_line,
           coalesce(db.source_document, dt.source_document) AS den_doc, s.denominator AS den_metric,
           CASE WHEN db.value IS NOT NULL THEN r.breakdown END AS den_breakdown,
           s.factor AS ratio_factor,
           n.value / coalesce(db.value, dt.value) * s.factor AS expected
    FROM {facts} r
    JOIN _ratio_specs s ON s.metric_id = r.metric_id
    JOIN {facts} n ON n.issuer_id = r.issuer_id AND n.fiscal_year = r.fiscal_year
              AND n.metric_id = s.numerator AND n.breakdown IS NOT DISTINCT FROM r.breakdown
              {doc.format(a="n")}
    LEFT JOIN {facts} db ON db.issuer_id = r.issuer_id AND db.fiscal_year = r.fiscal_year
              AND db.metric_id = s.denominator AND db.breakdown IS NOT DISTINCT FROM r.breakdown
              {doc.format(a="db")}
    LEFT JOIN {facts} dt ON dt.issuer_id = r.issuer_id AND dt.fiscal_year = r.fiscal_year
              AND dt.metric_id = s.denominator AND dt.breakdown IS NULL {doc.format(a="dt")}
    WHERE r.basis = 'reported' AND coalesce(db.value, dt.value) <> 0
    """


# A ratio and its parts may be rounded: the tolerance carries each one's printed rounding
# (n / d moves by factor * dn / d and by n / d * dd / d; a numerator of 0 is judged too).
RATIO_TOLERANCE = (
    "rounding + (abs(ratio_factor) * num_tol + abs(expected) * den_tol) / abs(den_value)"
)

# A printed ratio asserts a relation between the numerator and denominator printed in the same
# report: judged there. (A later report restating a part is restated_values' warning.) When it
# fails, the ratio is withheld, and so are its numerator and denominator unless another printed
# ratio of theirs holds (a part that gives another ratio right is not the wrong figure).
RATIOS_SQL = f"""
WITH one AS (  -- one fact per key and document
    SELECT * FROM {SCOPED_FACTS}
    QUALIFY row_number() OVER (
        PARTITION BY issuer_id, fiscal_year, metric_id, breakdown, source_document
        ORDER BY source_line) = 1
), judged AS (
    SELECT *, {RATIO_TOLERANCE} AS tolerance FROM ({_ratio_pairs("one", same_document=True)})
), confirmed AS (
    SELECT *, abs(value - expected) <= tolerance + 1e-12 AS holds,
           bool_or(abs(value - expected) <= tolerance + 1e-12) OVER (
               PARTITION BY fiscal_year, num_doc, num_line, num_metric, breakdown) AS num_ok,
           bool_or(abs(value - expected) <= tolerance + 1e-12) OVER (
               PARTITION BY fiscal_year, den_doc, den_line, den_metric, den_breakdown) AS den_ok
    FROM judged
)
SELECT issuer_id, fiscal_year, metric_id, breakdown, source_document, source_line, expected,
       tolerance,
       metric_id || ' printed ' || reported_value || ' ' || reported_unit || ' is '
       || {_g("value")} || ' ' || unit || ', but ' || num_metric || ' / ' || den_metric
       || ' = ' || {_g("expected")} || ' ' || unit || ' (lines ' || num_line || '/'
       || den_line || ' of ' || source_document || '), tolerance ' || {_g("tolerance")}
       AS message,
       to_json(list_concat(
           CASE WHEN NOT num_ok THEN [{{'issuer_id': issuer_id, 'fiscal_year': fiscal_year,
               'metric_id': num_metric, 'breakdown': breakdown::VARCHAR,
               'source_document': num_doc, 'source_line': num_line}}] ELSE [] END,
           CASE WHEN NOT den_ok THEN [{{'issuer_id': issuer_id, 'fiscal_year': fiscal_year,
               'metric_id': den_metric, 'breakdown': den_breakdown::VARCHAR,
               'source_document': den_doc, 'source_line': den_line}}] ELSE [] END))
       AS also_withholds
FROM confirmed
WHERE NOT holds
ORDER BY ALL
"""

# The published ratio beside published parts from another report (a later one restated a part,
# or restated the ratio alone): not an error of either report, but the mart's row no longer
# equals its parts, so the warning names the ratio, both parts and what they give now.
PUBLISHED_RATIOS_SQL = f"""
WITH judged AS (
    SELECT *, {RATIO_TOLERANCE} AS tolerance
    FROM ({_ratio_pairs(f"(SELECT * FROM {SCOPED_FACTS} WHERE is_current)", same_document=False)})
    WHERE num_doc <> source_document OR den_doc <> source_document
)
SELECT issuer_id, fiscal_year, metric_id, source_document, source_line,
       metric_id || ' ' || reported_value || ' ' || reported_unit || ' ('
       || source_document || ' line ' || source_line || ') is published beside parts from'
       || ' another report: ' || num_metric || ' ' || {_g("num_value")} || ' (' || num_doc
       || ' line ' || num_line || ') / ' || den_metric || ' ' || {_g("den_value")} || ' ('
       || den_doc || ' line ' || den_line || ') = ' || {_g("expected")} || ' ' || unit
       || ', not ' || {_g("value")} || ' (tolerance ' || {_g("tolerance")} || ')' AS message
FROM judged
WHERE abs(value - expected) > tolerance + 1e-12
ORDER BY ALL
"""


@cache
def _ratio_specs() -> pd.DataFrame:
    """Numerator, denominator and unit factor of every ratio metric in ref.metrics (read once
    per process, as `reference` reads the reference data)."""
    metrics = reference.metrics()
    return pd.DataFrame(
        [
            {
                "metric_id": m.metric_id,
                "numerator": m.numerator_metric,
                "denominator": m.denominator_metric,
                "factor": _ratio_factor(m.numerator_metric, m.denominator_metric, m.metric_id),
            }
            for m in metrics.values()
            if m.numerator_metric and m.denominator_metric
        ],
        columns=["metric_id", "numerator", "denominator", "factor"],
    )


def _with_ratio_specs(conn, sql: str) -> list[Finding]:
    """Findings of a query that joins `_ratio_specs`."""
    conn.register("_ratio_specs", _ratio_specs())
    try:
        return findings_from_sql(conn, sql)
    finally:
        conn.unregister("_ratio_specs")


def ratios_match_their_parts(conn) -> list[Finding]:
    """An intensity, share or average equals numerator / denominator within printed rounding."""
    return _with_ratio_specs(conn, RATIOS_SQL)


def _combinations(rule: reference.ConsistencyRule) -> list[tuple[tuple[str, ...], list]]:
    """Each choice of metrics the right-hand side may be (one alternative per term, an optional
    term with or without), with the alternatives of each optional term it leaves out."""
    choices = [
        [(m, None) for m in alts] + ([("", alts)] if optional else [])
        for alts, optional in rule.terms
    ]
    return [
        (tuple(m for m, _ in combo if m), [alts for m, alts in combo if not m])
        for combo in itertools.product(*choices)
    ]


# A total may be off its scopes by a gap a compared fact is too large to explain as misread: a
# fact the whole gap would change by at most this share of its value is not condemned with the
# total (the scoring tolerance of the gold values, ../shared/corpus/README.md).
NEAR_MISS_SHARE = 0.01
# A total off the sum of two or more scopes (read from different lines) by a unit prefix: the
# total rescaled by one of these makes the sum hold, so its unit is the misread one (one misread
# prefix on the total is likelier than the same one on every scope): the total alone is withheld.
PREFIX_SCALES = (1e3, 1e6, 1e-3, 1e-6)
# Beside a term the report gives no fact for, the rescaled total must land between the sum and
# this many times it (the missing terms may add much, but not without bound).
PREFIX_OPEN_FACTOR = 100


def _rule_sql(rule: reference.ConsistencyRule) -> str:
    """SQL: per issuer-year, the rule on the facts the mart publishes (is_current), tried for
    each combination of its terms the report gives; `holds` tells whether any held, `held`
    which, `tried` every comparison with its lines, `terms` the facts compared."""
    named = rule.named_metrics
    col = {m: f"m{i}" for i, m in enumerate(named)}
    wide = ",\n".join(
        f"max(value) FILTER (WHERE metric_id = {sql_literal(m)}) AS {c}_v, "
        f"max(rounding) FILTER (WHERE metric_id = {sql_literal(m)}) AS {c}_t, "
        f"max(source_document || ' line ' || source_line) FILTER "
        f"(WHERE metric_id = {sql_literal(m)}) AS {c}_w, "
        f"list({{'fact': {target('t')}, 'value': t.value}}) FILTER "
        f"(WHERE metric_id = {sql_literal(m)}) AS {c}_f"
        for m, c in col.items()
    )
    exact = (
        "l.value <= c.rhs + l.rounding + c.tol"
        if rule.kind == "at_most"
        else "abs(l.value - c.rhs) <= l.rounding + c.tol + 1e-12"
    )
    # a term the report gives no fact for can only add to the sum: the total may exceed it
    at_least = "c.open AND l.value >= c.rhs - l.rounding - c.tol - 1e-12"
    bounded = f"{at_least} AND l.value <= {PREFIX_OPEN_FACTOR} * (c.rhs + c.tol)"
    scaled = (
        " OR ".join(
            f"({exact} OR ({bounded}))".replace("l.value", f"(l.value * {k!r})").replace(
                "l.rounding", f"(l.rounding * {k!r})"
            )
            for k in PREFIX_SCALES
        )
        if rule.kind == "sum_of"
        else "FALSE"
    )
    many_lines = (
        "len(list_distinct([x.fact.source_document || ' ' || x.fact.source_line"
        " FOR x IN c.facts])) >= 2"
    )
    # What a failure condemns besides the total: every fact compared, but for a sum only those
    # the smallest gap could have been misread in (docs/data-quality.md).
    condemned = (
        "x.value IS NULL OR abs(x.value) * "
        f"{NEAR_MISS_SHARE if rule.kind == 'sum_of' else 0.0} < gap + 1e-12"
    )
    relation = "<=" if rule.kind == "at_most" else "="
    combos = "\nUNION ALL\n".join(
        f"""SELECT issuer_id, fiscal_year, {sql_literal(" + ".join(combo))} AS combo,
               {_open(omitted, col)} AS open,
               {" + ".join(f"{col[m]}_v" for m in combo)} AS rhs,
               {" + ".join(f"{col[m]}_t" for m in combo)} AS tol,
               concat_ws(', ', {", ".join(f"{col[m]}_w" for m in combo)}) AS lines,
               list_concat({", ".join(f"{col[m]}_f" for m in combo)}) AS facts
           FROM wide WHERE {" AND ".join(f"{col[m]}_v IS NOT NULL" for m in combo)}"""
        for combo, omitted in _combinations(rule)
    )
    return f"""
    WITH totals AS (  -- one total per issuer, year and metric: the one the mart publishes
        SELECT * FROM {SCOPED_FACTS} WHERE breakdown IS NULL AND is_current
    ), wide AS (
        SELECT issuer_id, fiscal_year, {wide}
        FROM totals t WHERE metric_id IN ({", ".join(sql_literal(m) for m in named)})
        GROUP BY issuer_id, fiscal_year
    ), combos AS ({combos}
    ), judged AS (
        SELECT l.issuer_id, l.fiscal_year, l.metric_id, l.source_document, l.source_line,
               l.value, c.combo, c.rhs, c.lines, c.facts, {exact} AS exact,
               {exact} OR ({at_least}) AS holds, {many_lines} AND ({scaled}) AS prefix_off
        FROM totals l JOIN combos c USING (issuer_id, fiscal_year)
        WHERE l.metric_id = {sql_literal(rule.metric_id)}
    ), grouped AS (
        SELECT issuer_id, fiscal_year, metric_id, source_document, source_line,
               bool_or(holds) AS holds,
               coalesce(string_agg(combo, ' or ' ORDER BY combo) FILTER (WHERE exact),
                        string_agg(combo || ' + a term not given', ' or ' ORDER BY combo)
                        FILTER (WHERE holds)) AS held,
               string_agg(' {relation} ' || combo || ' ' || {_g("rhs")} || ' (' || lines
                          || ')', ';' ORDER BY combo) AS tried,
               min(abs(value - rhs)) AS gap, bool_or(prefix_off) AS prefix_off,
               flatten(list(facts)) AS compared,
               {_g("any_value(value)")} AS shown
        FROM judged GROUP BY ALL
    )
    SELECT * EXCLUDE (gap, compared, prefix_off),
           to_json(CASE WHEN prefix_off THEN []
                        ELSE list_distinct([x.fact FOR x IN compared IF {condemned}])
                   END) AS also_withholds
    FROM grouped
    """


def _open(omitted: list[tuple[str, ...]], col: dict[str, str]) -> str:
    """SQL: a combination leaves out optional terms, and only terms the report gives no fact
    for, so the total may exceed the sum of the others (a missing term adds to it)."""
    missing = [" AND ".join(f"{col[m]}_v IS NULL" for m in alts) for alts in omitted]
    return " AND ".join(f"({m})" for m in missing) or "FALSE"


def _rule_check(rule: reference.ConsistencyRule) -> Check:
    """A rule of warehouse/ref/consistency_rules.csv: an error names the left-hand fact and
    condemns every fact compared with it (which one is wrong is not known); a pass says which
    combination held (Scope 2 by which method) in the check's notes."""
    sql = _rule_sql(rule)
    failing = f"""
        SELECT issuer_id, fiscal_year, metric_id, source_document, source_line,
               {sql_literal(rule.note + ": ")} || metric_id || ' ' || shown || tried
               || ' does not hold (' || source_document || ' line ' || source_line || ')'
               AS message, also_withholds
        FROM ({sql}) WHERE NOT holds ORDER BY ALL"""
    held = f"""
        SELECT issuer_id, fiscal_year, metric_id, source_document, source_line,
               'holds with ' || held AS held
        FROM ({sql}) WHERE holds ORDER BY ALL"""

    def notes(conn) -> str | None:
        ensure_registered(conn)  # every issuer, unless a step registered its scope
        df = conn.execute(held).df()
        return df.head(MAX_NOTES).to_markdown(index=False) if len(df) else None

    return Check(
        f"rule_{rule.rule_id}",
        FACTS,
        rule.severity,
        f"{rule.note} (warehouse/ref/consistency_rules.csv)",
        lambda conn: findings_from_sql(conn, failing),
        notes=notes,
    )


def _where(a: str) -> str:
    """SQL: 'doc line N' of a fact `a`, with ', page P' when its raw row has a page (PDFs)."""
    page = (
        f"(SELECT any_value(p.page) FROM raw.reported_values p WHERE p.source_document ="
        f" {a}.source_document AND p.line_number = {a}.source_line)"
    )
    return (
        f"{a}.source_document || ' line ' || {a}.source_line || coalesce(', page ' || {page}, '')"
    )


CONFLICTS_SQL = f"""
SELECT a.issuer_id, a.fiscal_year, a.metric_id, a.breakdown, a.source_document, a.source_line,
       a.metric_id || coalesce(' [' || a.breakdown || ']', '') || ': '
       || a.value || ' ' || a.unit || ' in ' || {_where("a")} || ' vs ' || b.value || ' '
       || b.unit || ' in ' || {_where("b")} AS message,
       to_json([{target("b")}]) AS also_withholds
FROM {SCOPED_FACTS} a JOIN {SCOPED_FACTS} b
  ON a.issuer_id = b.issuer_id AND a.fiscal_year = b.fiscal_year
 AND a.metric_id = b.metric_id AND a.breakdown IS NOT DISTINCT FROM b.breakdown
 AND a.source_document < b.source_document AND a.report_fiscal_year = b.report_fiscal_year
WHERE abs(a.value - b.value) > a.rounding + b.rounding + 1e-12
ORDER BY ALL
"""

# Two reports of one issuer giving one year different values: the earlier report's fact is
# named, both values and where each was printed are in the message; the mart publishes the
# later report's (core.facts.is_current).
RESTATED_SQL = f"""
SELECT a.issuer_id, a.fiscal_year, a.metric_id, a.breakdown, a.source_document, a.source_line,
       a.metric_id || coalesce(' [' || a.breakdown || ']', '') || ' ' || a.fiscal_year
       || ' restated: ' || a.value || ' ' || a.unit || ' in the FY' || a.report_fiscal_year
       || ' report (' || {_where("a")} || ', printed ' || coalesce(a.reported_value, 'derived')
       || '), ' || b.value || ' ' || b.unit || ' in the FY' || b.report_fiscal_year
       || ' report (' || {_where("b")} || ', printed ' || coalesce(b.reported_value, 'derived')
       || CASE WHEN b.is_current THEN '; the later report''s value is published)'
               ELSE ')' END AS message
FROM {SCOPED_FACTS} a JOIN {SCOPED_FACTS} b
  ON a.issuer_id = b.issuer_id AND a.fiscal_year = b.fiscal_year
 AND a.metric_id = b.metric_id AND a.breakdown IS NOT DISTINCT FROM b.breakdown
 AND a.report_fiscal_year < b.report_fiscal_year
WHERE abs(a.value - b.value) > a.rounding + b.rounding + 1e-12
ORDER BY ALL
"""


def conflicting_sources(conn) -> list[Finding]:
    """Facts given by two documents of one report year with different values (outside printed
    rounding): each names the other, both are withheld."""
    return findings_from_sql(conn, CONFLICTS_SQL)


def restated_values(conn) -> list[Finding]:
    """Later reports' restatements, and published ratios that no longer equal their published
    parts because of one."""
    return findings_from_sql(conn, RESTATED_SQL) + _with_ratio_specs(conn, PUBLISHED_RATIOS_SQL)


def year_on_year_factor() -> float:
    return float(os.environ.get("ESG_YOY_FACTOR") or DEFAULT_YOY_FACTOR)


def year_on_year_jumps(conn) -> list[Finding]:
    factor = year_on_year_factor()
    return findings_from_sql(
        conn,
        f"""
        WITH latest AS (SELECT * FROM {SCOPED_FACTS} WHERE is_current), pairs AS (
            SELECT *, lag(value) OVER w AS prev_value, lag(fiscal_year) OVER w AS prev_year
            FROM latest
            WINDOW w AS (PARTITION BY issuer_id, metric_id, breakdown ORDER BY fiscal_year)
        )
        SELECT issuer_id, fiscal_year, metric_id, source_document, source_line,
               metric_id || coalesce(' [' || breakdown || ']', '') || ' moved from '
               || prev_value || ' (' || prev_year || ') to ' || value || ' ' || unit
               || ', beyond a factor of {factor:g}' AS message
        FROM pairs
        WHERE prev_year = fiscal_year - 1
          AND (least(value, prev_value) = 0 AND greatest(value, prev_value) > 0
               OR greatest(value, prev_value) > {factor} * least(value, prev_value))
        ORDER BY ALL
        """,
    )


CORE_FACT_CHECKS = [
    issuer_scoped(check)
    for check in (
        Check(
            "totals_match_parts",
            FACTS,
            ERROR,
            "A printed total equals the sum of its printed parts (waste by type, staff categories,"
            " diesel by use...) within the printed precision.",
            totals_match_parts,
        ),
        Check(
            "ratios_match_their_parts",
            FACTS,
            ERROR,
            "A printed intensity, share or average equals numerator / denominator (as ref.metrics"
            " defines them) within the rounding of the printed digits.",
            ratios_match_their_parts,
        ),
        *[_rule_check(rule) for rule in reference.consistency_rules()],
        Check(
            "conflicting_sources",
            FACTS,
            ERROR,
            "Two documents for the same report year give different values for one fact (e.g. a"
            " duplicate file): both are kept and flagged, neither overwrites the other.",
            conflicting_sources,
        ),
        Check(
            "restated_values",
            FACTS,
            WARN,
            "A later report restates an earlier year's value: the mart shows the latest report's"
            " value, both stay in core.facts. A published ratio whose published parts come from"
            " another report and no longer give it is named too.",
            restated_values,
        ),
        Check(
            "year_on_year_jumps",
            FACTS,
            WARN,
            "A value moves by more than ESG_YOY_FACTOR (default 3) from one year to the next.",
            year_on_year_jumps,
        ),
    )
]
