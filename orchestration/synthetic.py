"""Synthetic ESG reports for the benchmark and the generality tests, deterministic by seed.

Each report is written in one of the layouts the extractor reads (HKEX tab tables, SSE-style
multi-year text, HK-style multi-year text with a change column and broken units, or a raw KPI
table as CSV), with prose for headcount, turnover and output. An issuer's numbers come from one
series, so consecutive reports repeat earlier years as real ones do. A few reports carry a bad
value on purpose (a total that is not the sum of its parts, an unknown unit, an unmapped label).

Every value a report prints is listed in `SyntheticReport.printed`, so a test can compare what
the extractor reads with what was written.

    python -m orchestration.synthetic --reports 100 --out /tmp/landing
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

LAYOUTS = ("hkex_tabs", "sse_text", "hk_text", "kpi_csv")
FIRST_YEAR, YEARS_PER_ISSUER = 2015, 10
BAD_VALUE_RATE = 0.02  # share of reports with one deliberate error

# metric_id, label variants, (printed unit, printed units per canonical unit) variants, base range
SERIES = [
    (
        "ghg.scope1",
        ["Scope 1 emissions", "Scope 1 GHG emissions"],
        [("tonnes CO2e", 1)],
        (1e3, 9e4),
    ),
    ("ghg.scope2", ["Scope 2 emissions", "Scope 2 GHG emissions"], [("tCO2e", 1)], (1e3, 9e4)),
    ("ghg.scope3", ["Scope 3 emissions"], [("tCO2e", 1)], (5e2, 5e4)),
    ("air.nox", ["NOx emissions", "Nitrogen oxides"], [("kg", 1), ("tonnes", 1e-3)], (1e3, 9e5)),
    ("air.sox", ["SOx emissions", "Sulphur dioxide"], [("kg", 1)], (1e2, 9e4)),
    ("air.pm", ["Particulate matter", "PM emissions"], [("kg", 1)], (1e2, 5e4)),
    (
        "energy.electricity",
        ["Purchased electricity", "Electricity consumption"],
        [("MWh", 1), ("kWh", 1e3), ("'000 kWh", 1)],
        (1e3, 9e5),
    ),
    ("energy.renewable", ["Renewable energy"], [("MWh", 1)], (1e2, 5e4)),
    ("energy.steam", ["Purchased steam", "Steam"], [("tonnes", 1)], (1e3, 5e5)),
    (
        "energy.coal",
        ["Coal consumption", "Coal"],
        [("tonnes", 1), ("thousand tonnes", 1e-3)],
        (1e4, 9e5),
    ),
    ("energy.diesel", ["Diesel", "Diesel oil"], [("litres", 1190.5), ("tonnes", 1)], (10, 2e3)),
    ("energy.gasoline", ["Gasoline", "Petrol"], [("litres", 1351.4)], (5, 500)),
    ("energy.natural_gas", ["Natural gas"], [("m3", 1), ("thousand m3", 1e-3)], (1e4, 9e6)),
    ("energy.total", ["Total energy consumption"], [("MWh", 1), ("GJ", 3.6)], (1e4, 2e6)),
    (
        "water.consumption",
        ["Water consumption", "Fresh water withdrawal"],
        [("m3", 1), ("m³", 1), ("ML", 1e-3)],
        (1e4, 5e6),
    ),
    ("water.recycled", ["Recycled water", "Reused water"], [("m3", 1)], (1e3, 1e6)),
    ("safety.fatalities", ["Work-related fatalities"], [("persons", 1)], (0, 2)),
]
HAZARDOUS = [
    "Waste oil",
    "Spent solvents",
    "Waste batteries",
    "Lamp tubes",
    "Chemical sludge",
    "Used filters",
    "Waste paint",
    "Contaminated rags",
]
NON_HAZARDOUS = [
    "General refuse",
    "Scrap metal",
    "Waste paper",
    "Food scraps",
    "Slag",
    "Timber",
    "Glass",
    "Rubble",
]
PACKAGING = ["Cardboard", "Plastic film", "Wooden pallets", "Steel drums"]
STAFF = ["Senior management", "Middle management", "General staff", "Frontline workers"]
# Sentences between tables and rows (each printed once: a repeated line reads as a page footer).
PROSE_FILLER = [
    "Our sites replaced ageing lighting and compressors during the year; {topic} is shown below.",
    "The figures for {topic} cover all operating subsidiaries under our financial control.",
    "Emission factors for {topic} follow the latest guidance issued by the local authority.",
    "We keep monitoring {topic} at every site and report it to the board each quarter.",
]


def _filler(topic: str, k: int) -> str:
    return PROSE_FILLER[k % len(PROSE_FILLER)].format(topic=topic.lower())


@dataclass
class SyntheticReport:
    name: str
    layout: str
    issuer_id: str
    fiscal_year: int
    text: str  # the document (.txt, or .csv for kpi_csv)
    metadata: str  # the .yaml beside it
    printed: list[tuple[str, str | None, int | None, str]] = field(default_factory=list)
    defect: str | None = None  # the deliberate error, if any

    @property
    def suffix(self) -> str:
        return ".csv" if self.layout == "kpi_csv" else ".txt"

    def write(self, folder: Path, pdf: bool = False) -> None:
        """The document and its metadata; with `pdf`, a report text is written as a PDF
        (`make bench BENCH_PDF=1`; a KPI table stays CSV)."""
        if pdf and self.suffix == ".txt":
            write_pdf(self.text, folder / f"{self.name}.pdf")
        else:
            (folder / f"{self.name}{self.suffix}").write_text(self.text)
        (folder / f"{self.name}.yaml").write_text(self.metadata)


PDF_FONT = ("Helvetica", 8.0)
PDF_LINE = 11.0  # points from baseline to baseline
PDF_MARGIN = 50.0
_PAGE_FOOTER = re.compile(r"\| Page \d+$")


def write_pdf(text: str, path: Path) -> None:
    """A report text as an A4 PDF (reportlab, BSD): a line per line; tab-separated cells at
    fixed columns, as a table is laid out; a new page after each running footer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    font, size = PDF_FONT
    width, height = A4
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    y = PDF_MARGIN
    for line in text.splitlines():
        if y > height - PDF_MARGIN:
            c.showPage()
            y = PDF_MARGIN
        cells = line.split("\t")
        if len(cells) == 1:
            c.setFont(font, size)
            c.drawString(PDF_MARGIN - 10, height - y, line)
        else:  # the first cell at the left, the others spread right of it
            step = (width - PDF_MARGIN - 150) / (len(cells) - 1)
            for k, cell in enumerate(cells):
                x = PDF_MARGIN - 10 if k == 0 else 150 + (k - 1) * step
                fit = step - 4 if k else 150 - PDF_MARGIN
                cell_size = min(size, size * fit / max(stringWidth(cell, font, size), 1))
                c.setFont(font, cell_size)
                c.drawString(x, height - y, cell)
        y += PDF_LINE
        if _PAGE_FOOTER.search(line):
            c.showPage()
            y = PDF_MARGIN
    c.save()


def _fmt(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


def _decimals(value: float) -> int:
    return 0 if value >= 1000 else 1 if value >= 10 else 2


class _Issuer:
    """An issuer's choices and its true yearly series, shared by all its reports."""

    def __init__(self, index: int, seed: int) -> None:
        rng = random.Random(f"{seed}:{index}")
        self.rng = rng
        self.id = f"SYN{index:05d}"
        self.name = f"Synthetic Holdings {index:05d} Limited"
        self.layout = LAYOUTS[index % len(LAYOUTS)]
        self.n_years = rng.randint(4, 6)
        self.april_year = rng.random() < 0.3  # fiscal years from April to March
        rows = rng.sample(SERIES, rng.randint(13, len(SERIES)))
        self.rows = [
            (metric, rng.choice(labels), rng.choice(unit_choices), rng.uniform(*base))
            for metric, labels, unit_choices, base in rows
        ]
        self.hazardous = rng.sample(HAZARDOUS, rng.randint(4, len(HAZARDOUS)))
        self.non_hazardous = rng.sample(NON_HAZARDOUS, rng.randint(4, len(NON_HAZARDOUS)))
        self.packaging = rng.sample(PACKAGING, rng.randint(2, len(PACKAGING)))
        self.staff = rng.sample(STAFF, rng.randint(2, len(STAFF)))
        self.waste_total_row = rng.random() < 0.5
        self._growth = {y: rng.uniform(0.9, 1.12) for y in range(FIRST_YEAR - 6, FIRST_YEAR + 12)}
        self.employees = rng.randint(300, 20000)

    def steady(self, key: str, year: int, low: float, high: float) -> float:
        """A per-issuer value in [low, high), within ±10% of it from one year to the next."""
        base = random.Random(f"{self.id}:{key}").uniform(low, high)
        return base * random.Random(f"{self.id}:{key}:{year}").uniform(0.95, 1.05)

    def level(self, key: str, year: int) -> float:
        """A deterministic value of series `key` in `year` (a random walk per issuer)."""
        rng = random.Random(f"{self.id}:{key}")
        value = rng.uniform(0.5, 1.5)
        for y in range(FIRST_YEAR - 6, year + 1):
            value *= self._growth[y] * rng.uniform(0.97, 1.03)
        return value


def _metadata(issuer: _Issuer, year: int, layout: str) -> str:
    start, end = (
        (f"{year}-04-01", f"{year + 1}-03-31")
        if issuer.april_year
        else (f"{year}-01-01", f"{year}-12-31")
    )
    return (
        "# A synthetic report generated by orchestration/synthetic.py (not a real issuer).\n"
        f"issuer_id: {issuer.id}\nissuer_name: {issuer.name}\nexchange: HKEX\n"
        f"sector: Industrials\nfiscal_year: {year}\nperiod_start: {start}\nperiod_end: {end}\n"
        f"currency: HKD\nframework: HKEX ESG Reporting Guide\nlanguage: en\n"
        + (f"source_document: {issuer.id.lower()}-{year}.pdf\n" if layout == "kpi_csv" else "")
    )


class _Writer:
    """Collects report lines and the values printed on them."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.printed: list[tuple[str, str | None, int | None, str]] = []
        self.csv_rows: list[dict] = []
        self.pages = 0

    def line(self, text: str = "") -> None:
        self.lines.append(text)

    def value(self, label: str, unit: str | None, year: int | None, text: str, **csv) -> None:
        """A value printed on the line written last."""
        self.printed.append((label, unit, year, text))
        row = {"label": label, "unit": unit or "", "year": year or "", "value": text}
        self.csv_rows.append(row | {"source_line": len(self.lines)} | csv)

    def footer(self, template: str) -> None:
        self.pages += 1
        self.line(template.format(page=self.pages))


def _series_rows(issuer: _Issuer, years: list[int], defect: str | None):
    """(label, unit, {year: printed}) for the multi-year environmental table."""
    out = []
    for metric, label, (unit, per_canonical), base in issuer.rows:
        values = {}
        for y in years:
            v = base * issuer.level(metric, y) * per_canonical
            if metric == "energy.renewable":  # stays well within total energy
                v = min(v, 0.2 * issuer.level("energy.total", y) * 1e4)
            values[y] = "0" if metric == "safety.fatalities" else _fmt(v, _decimals(v))
        if years[0] < FIRST_YEAR + 1 and issuer.rng.random() < 0.2:
            values[years[0]] = issuer.rng.choice(["/", "N/A", "-"])  # not reported: never 0
        out.append((metric, label, unit, values))
    scopes = [r for r in out if r[0] in ("ghg.scope1", "ghg.scope2", "ghg.scope3")]
    if scopes:  # a printed total equals the sum of its printed parts
        total = {}
        for y in years:
            parts = [r[3][y] for r in scopes]
            if any(not p[0].isdigit() for p in parts):
                total[y] = "/"
                continue
            total[y] = _fmt(sum(float(p.replace(",", "")) for p in parts), 0)
        out.append(("ghg.total", "Total GHG emissions", "tCO2e", total))
    if defect == "unknown_unit":
        out.append(("?", "Electricity generated on site", "kWhe", {y: "1,000" for y in years}))
    if defect == "unmapped_label":
        out.append(("?", "Widget throughput", "tonnes", {y: "12,345" for y in years}))
    return out


def _waste_rows(issuer: _Issuer, kinds: list[str], key: str, years: list[int], bad: bool):
    rows = []
    for kind in kinds:
        rows.append((kind, "tonnes", {y: _fmt(issuer.level(key + kind, y) * 50, 1) for y in years}))
    if issuer.waste_total_row or bad:
        total = {
            y: _fmt(sum(float(v[y].replace(",", "")) for *_, v in rows) * (1.1 if bad else 1), 1)
            for y in years
        }
        rows.append(("Total", "tonnes", total))
    return rows


def _tab_table(w: _Writer, title: str, years: list[int], rows) -> None:
    """HKEX style: tab cells, a Unit column, one column per year; rows (label, unit, values)."""
    w.line(_filler(title, len(w.lines)))
    w.line("\t".join([title, "", "Unit", *map(str, years)]))
    for label, unit, values in rows:
        w.line("\t".join(["", label, unit, *(values[y] for y in years)]))
        for y in years:
            w.value(label, unit, y, values[y], table_title=title)
    w.line()


def _text_table(w: _Writer, years: list[int], rows, style: str, footer: str) -> None:
    """SSE style ('2022 value 2023 value ...') or HK style (descending, with a change column)."""
    shown = years if style == "sse" else years[::-1]
    if style == "sse":
        w.line("Indicator Unit " + " ".join(f"{y} value" for y in shown))
    else:
        w.line("Indicator Unit " + " ".join(map(str, shown)) + " Change (%)")
    for k, (_metric, label, unit, values) in enumerate(rows):
        if k and k % 6 == 0:
            w.line(_filler(label, k // 6))
        cells = " ".join(values[y] for y in shown)
        printed_unit = unit
        if style == "hk" and unit.startswith("tonnes CO2"):
            w.line(f"{label} (tonnes CO2")  # a subscript breaks the unit over two lines
            w.line(f"e) {cells} 1.5")
            printed_unit = "tonnes CO2e"
        elif style == "hk":
            w.line(f"{label} ({unit}) {cells} -2.0")
        else:
            sse_unit = "m?" if unit in ("m3", "m³") else unit  # a lost superscript
            w.line(f"{label} {sse_unit} {cells}")
            printed_unit = sse_unit
        for y in shown:
            w.value(label, printed_unit, y, values[y])
    w.footer(footer)


def generate(index: int, seed: int = 0) -> SyntheticReport:
    """Report `index`: issuer index // 10, fiscal year 2015 + index % 10."""
    issuer = _Issuer(index // YEARS_PER_ISSUER, seed)
    fy = FIRST_YEAR + index % YEARS_PER_ISSUER
    rng = random.Random(f"{seed}:{index}:report")
    defect = None
    if rng.random() < BAD_VALUE_RATE:
        defect = rng.choice(["waste_total", "unknown_unit", "unmapped_label"])
    years = list(range(fy - issuer.n_years + 1, fy + 1))
    layout = issuer.layout
    w = _Writer()
    footer = f"{issuer.name} | ESG Report {fy} | Page {{page}}"
    w.line(issuer.name)
    w.line(f"Environmental, Social and Governance Report {fy}")
    w.line()
    output_t = issuer.level("output", fy) * 40000
    w.line(
        f"Intensities are based on the production of {_fmt(output_t, 0)} tonnes of finished"
        " products."
    )
    w.value(
        f"production of {_fmt(output_t, 0)} tonnes of finished products",
        "tonnes",
        None,
        _fmt(output_t, 0),
        metric_hint="production.output",
    )
    series = _series_rows(issuer, years, defect)
    if layout in ("sse_text", "hk_text"):
        half = len(series) // 2
        for part in (series[:half], series[half:]):
            _text_table(w, years, part, layout.removesuffix("_text"), footer)
    else:
        _tab_table(w, "Environmental performance", years, [row[1:] for row in series])
    w.footer(footer)
    haz = _waste_rows(issuer, issuer.hazardous, "haz", years, defect == "waste_total")
    non = _waste_rows(issuer, issuer.non_hazardous, "non", years, False)
    _tab_table(w, "Hazardous waste by type", years, haz)
    _tab_table(w, "Non-hazardous waste by type", years, non)
    pack = [
        (m, "tonnes", {fy: _fmt(issuer.level("pack" + m, fy) * 20, 1)}) for m in issuer.packaging
    ]
    _tab_table(w, "Packaging material used", [fy], pack)
    w.footer(footer)
    employees = round(issuer.employees * issuer.level("employees", fy))
    w.line("Training by staff category is set out below.")
    w.line("\t".join(["Development and training", *issuer.staff]))
    # Shares and hours per person are the issuer's own, varying a little from year to year.
    trained = [
        max(1, round(employees / len(issuer.staff) * issuer.steady(f"share {s}", fy, 0.3, 0.8)))
        for s in issuer.staff
    ]
    hours = [
        round(n * issuer.steady(f"hours {s}", fy, 4, 40))
        for n, s in zip(trained, issuer.staff, strict=True)
    ]
    for label, cells in (
        ("Employees trained", [(f"{n:,}", "people") for n in trained]),
        ("Total training hours", [(f"{h:,}", "hours") for h in hours]),
        (
            "Average training hours",
            [(f"{h / n:.1f}", "hours") for h, n in zip(hours, trained, strict=True)],
        ),
    ):
        w.line("\t".join([label, *(f"{v} {u}" for v, u in cells)]))
        for staff, (v, u) in zip(issuer.staff, cells, strict=True):
            w.value(label, u, None, v, column_header=staff)
    w.line()
    turnover = f"{issuer.steady('turnover', fy, 3, 25):.1f}"
    w.line(
        f"As at the end of the year, the total headcount was {employees:,}, and the turnover"
        f" rate stood at {turnover}%."
    )
    w.value(
        f"headcount was {employees:,}",
        "persons",
        None,
        f"{employees:,}",
        metric_hint="workforce.employees",
    )
    w.value(
        f"turnover rate stood at {turnover}%",
        "%",
        None,
        turnover,
        metric_hint="workforce.turnover_rate",
    )
    w.footer(footer)
    name = f"{issuer.id.lower()}-{fy}"
    meta = _metadata(issuer, fy, layout)
    text = _as_csv(w) if layout == "kpi_csv" else "\n".join(w.lines) + "\n"
    return SyntheticReport(name, layout, issuer.id, fy, text, meta, w.printed, defect)


def _as_csv(w: _Writer) -> str:
    out = io.StringIO()
    columns = ["source_line", "table_title", "column_header", "label", "unit", "year", "value"]
    columns.append("metric_hint")
    writer = csv.DictWriter(out, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in w.csv_rows:
        writer.writerow({"table_title": "", "column_header": "", "metric_hint": ""} | row)
    return out.getvalue()


def write_landing(
    folder: Path, n: int, seed: int = 0, start: int = 0, pdf: bool = False
) -> list[SyntheticReport]:
    folder.mkdir(parents=True, exist_ok=True)
    reports = [generate(i, seed) for i in range(start, start + n)]
    for report in reports:
        report.write(folder, pdf)
    return reports


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    reports = write_landing(args.out, args.reports, args.seed)
    print(f"{len(reports)} reports, {sum(len(r.printed) for r in reports)} values -> {args.out}")


if __name__ == "__main__":
    main()
