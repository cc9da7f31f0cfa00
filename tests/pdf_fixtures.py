"""PDFs the tests write themselves (reportlab, BSD), with their own wording and figures.

A page is a list of strings placed at (x, y) in points from the page's top-left (as the
reader reports them), in Helvetica of a given size.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

A4 = (595.0, 842.0)


@dataclass
class Text:
    x: float
    y: float  # baseline, points from the top of the page
    text: str
    size: float = 10
    angle: float = 0  # degrees counter-clockwise (90: printed upwards, as a chart's axis)


@dataclass
class Page:
    texts: list[Text] = field(default_factory=list)
    image: bool = False  # an image covering part of the page (a scan has nothing else)
    rotate: int = 0  # the page's /Rotate (degrees clockwise, as displayed)
    size: tuple[float, float] = A4


def pdf_bytes(pages: list[Page], password: str | None = None) -> bytes:
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=pages[0].size, encrypt=password, invariant=1, pageCompression=0)
    for page in pages:
        c.setPageSize(page.size)
        height = page.size[1]
        c.setPageRotation(page.rotate)
        if page.image:
            picture = Image.new("RGB", (40, 30), (200, 120, 40))
            c.drawImage(ImageReader(picture), 50, height - 400, width=400, height=300)
        for t in page.texts:
            c.setFont("Helvetica", t.size)
            if t.angle:
                c.saveState()
                c.translate(t.x, height - t.y)
                c.rotate(t.angle)
                c.drawString(0, 0, t.text)
                c.restoreState()
            else:
                c.drawString(t.x, height - t.y, t.text)
        c.showPage()
    c.save()
    return out.getvalue()


def write_pdf(path: Path, pages: list[Page], password: str | None = None) -> Path:
    path.write_bytes(pdf_bytes(pages, password))
    return path


def row(y: float, label: str, cells: list[str], x_label: float = 50,
        x_cells: tuple[float, ...] = (300, 380, 460), size: float = 10) -> list[Text]:  # fmt: skip
    """A table row: the label at x_label, cell k right-aligned to end at x_cells[k] + 40."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    texts = [Text(x_label, y, label, size)]
    for x, cell in zip(x_cells, cells, strict=True):
        texts.append(Text(x + 40 - stringWidth(cell, "Helvetica", size), y, cell, size))
    return texts


# Figures of an invented company, Fjordlight Components (issuer FJL).
YEARS = ["2022", "2023", "2024"]
SCOPE1 = ["1,204", "1,166", "1,093"]
ELECTRICITY = ["8,310", "8,125", "7,902"]
WATER = ["41,200", "39,870", "38,015"]

META = """issuer_id: FJL
issuer_name: Fjordlight Components
fiscal_year: 2024
period_start: 2024-01-01
period_end: 2024-12-31
"""


def multi_year_page() -> Page:
    """A table of three years: a header of years, rows of label, unit and one value a year."""
    texts = [Text(50, 80, "Environmental performance", 14)]
    texts += row(120, "Indicator", ["2022", "2023", "2024"])
    texts.append(Text(220, 120, "Unit"))
    texts += row(140, "Scope 1 emissions", SCOPE1)
    texts.append(Text(220, 140, "tCO2e"))
    texts += row(160, "Electricity consumption", ELECTRICITY)
    texts.append(Text(220, 160, "MWh"))
    texts += row(180, "Water withdrawal", WATER)
    texts.append(Text(220, 180, "m3"))
    return Page(texts)


def side_by_side_page() -> Page:
    """Two tables sharing their rows' heights, separated by a wide gap."""
    left, right = (130, 190), (450, 500)
    texts = row(100, "Waste", ["2023", "2024"], 50, left)
    texts += row(100, "Staff", ["2023", "2024"], 340, right)
    texts += row(120, "Landfill (t)", ["310", "287"], 50, left)
    texts += row(120, "Employees", ["1,480", "1,512"], 340, right)
    texts += row(140, "Recycled (t)", ["922", "1,004"], 50, left)
    texts += row(140, "Women (%)", ["38", "41"], 340, right)
    return Page(texts)


def wrapped_label_page() -> Page:
    """A row whose label is printed over two lines, the values beside its second line."""
    texts = row(100, "Item", ["2023", "2024"], 50, (380, 460))
    texts.append(Text(50, 120, "Energy used by the company-owned"))
    texts += row(132, "vehicle fleet (MWh)", ["2,716", "2,488"], 50, (380, 460))
    return Page(texts)


def centred(mid: float, y: float, text: str, size: float = 10) -> Text:
    """A text centred on x = mid."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return Text(mid - stringWidth(text, "Helvetica", size) / 2, y, text, size)


def period_span_page() -> Page:
    """Years each centred over two sub-columns ('On-site  Grid'); a row of two values a year,
    and a total row whose one value a year is centred under the year."""
    mids = {"2022": 250, "2023": 370, "2024": 490}
    texts = [Text(50, 80, "Energy and emissions of the workshops", 12)]
    for year, mid in mids.items():
        texts.append(centred(mid, 110, year))
        texts += [centred(mid - 28, 125, "On-site"), centred(mid + 28, 125, "Grid")]
    rows = {
        "Emissions (tCO2e)": [("212", "1,540"), ("198", "1,475"), ("187", "1,390")],
        "Total": ["1,752", "1,673", "1,577"],
    }
    for (label, cells), y in zip(rows.items(), (145, 165), strict=True):
        texts.append(Text(50, y, label))
        for mid, cell in zip(mids.values(), cells, strict=True):
            if isinstance(cell, tuple):
                texts += [centred(mid - 28, y, cell[0]), centred(mid + 28, y, cell[1])]
            else:
                texts.append(centred(mid, y, cell))
    return Page(texts)
