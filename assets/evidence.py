"""Evidence pictures: the region of the PDF page a published fact was read from, its row
highlighted, so a user can see where a number came from.

`make evidence ISSUER=.. YEAR=.. METRIC=..` draws one (orchestration/evidence.py); the mart step
draws those of the published PDF facts (up to a limit) and lists them in mart/esg_facts'
metadata, in the UI. A picture's file name carries a digest of the PDF's content, page and
boxes: an unchanged fact is never drawn twice, a changed one gets a new picture.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

MARGIN = 60.0  # points of the page shown above and below the highlighted rows
SCALE = 2.0  # pixels per point (144 dpi)
PAD = 2.0  # points between a row's text and its highlight
DEFAULT_UI_PICTURES = 100


def ui_pictures() -> int:
    """Evidence pictures the mart step draws and lists per run (`ESG_EVIDENCE_PICTURES`; 0:
    none)."""
    return int(os.environ.get("ESG_EVIDENCE_PICTURES") or DEFAULT_UI_PICTURES)


def evidence_dir(warehouse: Path) -> Path:
    """Pictures live in an `evidence` folder beside the warehouse file."""
    return warehouse.parent / "evidence"


@dataclass
class FactSource:
    """Where a published fact was printed in a PDF: its page and the boxes of its rows there."""

    issuer_id: str
    fiscal_year: int
    metric_id: str
    breakdown: str | None
    document: str  # the landing file
    sha256: str
    page: int
    boxes: list[tuple[float, float, float, float]]  # x0, top, x1, bottom in points

    @property
    def file_name(self) -> str:
        key = f"{self.sha256}:{self.page}:{self.boxes}".encode()
        parts = [self.issuer_id, str(self.fiscal_year), self.metric_id, self.breakdown or ""]
        stem = re.sub(r"[^\w.-]+", "-", "_".join(p for p in parts if p))
        return f"{stem}_p{self.page}_{hashlib.sha256(key).hexdigest()[:10]}.png"


SOURCES_SQL = """
SELECT f.issuer_id, f.fiscal_year, f.metric_id, f.breakdown, d.document, d.sha256,
       f.source_page,
       list(DISTINCT [v.bbox_x0, v.bbox_top, v.bbox_x1, v.bbox_bottom]
            ORDER BY [v.bbox_x0, v.bbox_top, v.bbox_x1, v.bbox_bottom])
FROM mart.esg_facts f
JOIN raw.report_documents d
  ON d.source_document = f.source_document AND d.status = 'loaded' AND d.format = 'pdf'
JOIN raw.reported_values v
  ON v.document = d.document AND v.page = f.source_page AND v.bbox_x0 IS NOT NULL
 AND (v.line_number = f.source_line  -- a derived fact: every part's row on that page
      OR list_contains(string_split(f.derived_from_lines, ','), v.line_number::VARCHAR))
WHERE f.source_page IS NOT NULL {where}
GROUP BY ALL
ORDER BY f.issuer_id, f.fiscal_year, f.metric_id, f.breakdown NULLS FIRST
"""


def fact_sources(conn: duckdb.DuckDBPyConnection, where: str = "", params=None) -> list[FactSource]:
    rows = conn.execute(SOURCES_SQL.format(where=where), params or []).fetchall()
    return [FactSource(*row[:7], [tuple(b) for b in row[7]]) for row in rows]


def find(
    conn: duckdb.DuckDBPyConnection,
    issuer: str,
    year: int,
    metric: str,
    breakdown: str | None = None,
) -> FactSource | None:
    """The PDF source of one published fact (its total when no breakdown is given)."""
    where = "AND f.issuer_id = ? AND f.fiscal_year = ? AND f.metric_id = ?"
    where += " AND f.breakdown IS NOT DISTINCT FROM ?"
    found = fact_sources(conn, where, [issuer, year, metric, breakdown])
    return found[0] if found else None


def render(pdf_path: Path, source: FactSource, out: Path) -> Path:
    """Draw the page region around the fact's rows, each row outlined and shaded, as a PNG."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    doc = pdfium.PdfDocument(pdf_path.read_bytes())
    try:
        page = doc[source.page - 1]
        height = page.get_size()[1]  # as displayed (/Rotate applied)
        top = max(0.0, min(b[1] for b in source.boxes) - MARGIN)
        bottom = min(height, max(b[3] for b in source.boxes) + MARGIN)
        crop = (0, height - bottom, 0, top)  # cut off left, bottom, right, top
        picture = page.render(scale=SCALE, crop=crop).to_pil().convert("RGBA")
        page.close()
    finally:
        doc.close()
    shade = Image.new("RGBA", picture.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(shade)
    for x0, y0, x1, y1 in source.boxes:
        box = [(x0 - PAD) * SCALE, (y0 - top - PAD) * SCALE, (x1 + PAD) * SCALE,
               (y1 - top + PAD) * SCALE]  # fmt: skip
        draw.rectangle(box, fill=(255, 214, 0, 90), outline=(220, 30, 30, 255), width=3)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    Image.alpha_composite(picture, shade).convert("RGB").save(partial, format="PNG")
    os.replace(partial, out)
    return out


def picture(source: FactSource, landing: Path, folder: Path) -> Path:
    """The fact's evidence picture, drawn unless it exists. Raises FileNotFoundError when the
    PDF has left the landing folder, ValueError when it changed since it was loaded."""
    out = folder / source.file_name
    if out.is_file():
        return out
    pdf_path = landing / source.document
    data = pdf_path.read_bytes()
    if hashlib.sha256(data).hexdigest() != source.sha256:
        raise ValueError(
            f"{source.document} changed since it was loaded: refresh the warehouse first"
        )
    return render(pdf_path, source, out)


def published_pictures(warehouse: Path, landing: Path, limit: int) -> list[tuple[FactSource, Path]]:
    """Evidence pictures of the published PDF facts (the first `limit`), drawn where missing.
    A fact whose PDF left or changed, or whose page cannot be drawn, is skipped: the pictures
    are an aid, drawn after the mart is published, and never fail it."""
    if limit <= 0:
        return []
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        names = {r[0] for r in conn.execute("SELECT schema_name || '.' || table_name "
                                            "FROM duckdb_tables()").fetchall()}  # fmt: skip
        if not {"mart.esg_facts", "raw.reported_values"} <= names:
            return []
        sources = fact_sources(conn)[:limit]
    out = []
    for source in sources:
        try:
            out.append((source, picture(source, landing, evidence_dir(warehouse))))
        except Exception:  # a picture that cannot be drawn never fails the mart
            continue
    return out


def metadata_markdown(pictures: list[tuple[FactSource, Path]]) -> str:
    """The pictures as a markdown table for the asset's metadata in the UI."""
    lines = [
        "| issuer | year | metric | breakdown | page | evidence picture |",
        "|---|---|---|---|---|---|",
    ]
    for s, path in pictures:
        lines.append(f"| {s.issuer_id} | {s.fiscal_year} | {s.metric_id} | {s.breakdown or ''} "
                     f"| {s.page} | `{path}` |")  # fmt: skip
    return "\n".join(lines)
