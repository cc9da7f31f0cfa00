"""A PDF's text layer -> words with their boxes -> lines (layout.Document), with PDFium.

PDFium (pypdfium2, Apache-2.0/BSD) gives a page's whole text in one call and a character's box
in another; a box call per character, from Python, costs as much as PDFium's own text
extraction (docs/pdf.md). So a word is cut from the page text at whitespace (PDFium puts a
generated space or line break where printed glyphs leave a gap or change line), and only its
first and last characters' boxes are asked for. A word whose box is wider than its characters
can be (two table cells printed with no space between them) is split at the gaps of its
characters' boxes.

Coordinates are points from the top-left of the page as displayed (crop box, /Rotate applied):
what a user sees and what the evidence picture shows.
"""

from __future__ import annotations

import bisect
import ctypes
import json
import re
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from assets.extract import layout
from assets.landing import RejectedReport

# Bumped whenever words or lines come out differently: cached parses of older versions are
# parsed again.
PARSER_VERSION = 4
# Acrobat's conventions: the header within the first 1,024 bytes, %%EOF within the last.
HEADER_WINDOW = 1024
EOF_WINDOW = 1024
# A word cut between characters whose boxes leave more than this many line heights between them.
SPLIT_GAP = 0.6
# A word whose width exceeds (characters x line height x WIDE) + one line height is looked at
# character by character (no font prints glyphs that wide).
WIDE = 1.2
# A word: a run of printed characters (PDFium's generated spaces and line breaks end it).
WORD = re.compile(r"[^\s\x00-\x1f\ufffe]+\ufffe?")
# PDFium marks a hyphen it removed at a line end (a word broken over two lines) with U+FFFE.
BROKEN_HYPHEN = "\ufffe"
# A character printed smaller than this share of a word's first character's height, with its
# bottom raised by more than RAISED of that height, is a superscript.
SMALLER = 0.8
RAISED = 0.15
SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹", ",")

WORD_COLUMNS = ("page", "line", "x0", "x1", "top", "bottom", "text")
WORD_SCHEMA = pa.schema(
    [
        ("page", pa.int32()),
        ("line", pa.int32()),
        ("x0", pa.float32()),
        ("x1", pa.float32()),
        ("top", pa.float32()),
        ("bottom", pa.float32()),
        ("text", pa.string()),
    ]
)
META_KEY = b"esg.pdf"
# The cache stores the six numbers of a word as one column (24 bytes: six float32): pyarrow
# reads a Parquet file's columns one by one, and one flat column instead of six reads a small
# PDF's cached words back in about a third of the time (docs/pdf.md).
GEOMETRY = WORD_COLUMNS[:-1]
GEOMETRY_TYPE = pa.binary(4 * len(GEOMETRY))


class PdfError(RejectedReport):
    """A PDF that cannot be read, with the rule it broke (raw.load_errors.rule): a landing
    rejection like any other, so the report is rejected alone by the same handler."""


@dataclass
class ParsedPdf:
    """A PDF's words (one row per word, WORD_SCHEMA: page, line number, box, text; read back
    from the cache, text and one `geometry` column of the other six), its page sizes (width,
    height in points, by 1-based page) and the pages that print only images."""

    words: pa.Table
    page_sizes: dict[int, tuple[float, float]]
    image_pages: list[int] = field(default_factory=list)

    def to_table(self) -> pa.Table:
        """The words with the rest in the schema's metadata: what the cache stores."""
        meta = {
            "version": PARSER_VERSION,
            "page_sizes": {str(k): list(v) for k, v in self.page_sizes.items()},
            "image_pages": self.image_pages,
        }
        w = self.words
        if "geometry" not in w.column_names:
            flat = np.column_stack([w.column(c).to_numpy() for c in GEOMETRY]).astype(np.float32)
            rows = [None, pa.py_buffer(np.ascontiguousarray(flat).tobytes())]
            geometry = pa.FixedSizeBinaryArray.from_buffers(GEOMETRY_TYPE, len(w), rows)
            w = pa.table({"text": w.column("text"), "geometry": geometry})
        return w.replace_schema_metadata({META_KEY: json.dumps(meta).encode()})

    @classmethod
    def from_table(cls, table: pa.Table) -> ParsedPdf | None:
        """A cached parse (its version and page sizes in the schema's metadata, which a cache
        file's key-value metadata becomes when read), or None when another parser version, or
        none, wrote it. The words keep that metadata: nothing reads it but this."""
        raw = (table.schema.metadata or {}).get(META_KEY)
        meta = json.loads(raw) if raw else {}
        if meta.get("version") != PARSER_VERSION:
            return None
        sizes = {int(k): (float(w), float(h)) for k, (w, h) in meta["page_sizes"].items()}
        return cls(table, sizes, list(meta["image_pages"]))

    def document(self) -> layout.Document:
        """The words as lines of tokens, numbered in reading order."""
        w = self.words
        if not len(w):
            return layout.Document([], dict(self.page_sizes))
        col = self._geometry()
        texts = w.column("text").to_pylist()
        tokens = list(map(layout.Token, texts, col["x0"].tolist(), col["x1"].tolist()))
        line = col["line"].astype(np.int64)
        starts = np.flatnonzero(np.r_[True, line[1:] != line[:-1]])
        top = np.minimum.reduceat(col["top"], starts).tolist()
        bottom = np.maximum.reduceat(col["bottom"], starts).tolist()
        page = col["page"].astype(np.int64)[starts].tolist()
        ends = [*starts[1:].tolist(), len(tokens)]
        lines = [
            layout.Line(n, tokens[a:b], p, t, bt)
            for n, a, b, p, t, bt in zip(
                line[starts].tolist(), starts.tolist(), ends, page, top, bottom, strict=True
            )
        ]
        return layout.Document(lines, dict(self.page_sizes))

    def _geometry(self) -> dict[str, np.ndarray]:
        """The words' page, line and box as arrays, from either form of `words` (parsed: a
        column each; cached: one `geometry` column of six)."""
        w = self.words
        if "geometry" not in w.column_names:
            return {c: w.column(c).to_numpy() for c in GEOMETRY}
        column = w.column("geometry").combine_chunks()
        width = len(GEOMETRY)
        flat = np.frombuffer(
            column.buffers()[1], np.float32, len(column) * width, column.offset * width * 4
        )
        grid = flat.reshape(-1, width)
        return {c: grid[:, k] for k, c in enumerate(GEOMETRY)}


def check_bytes(data: bytes, name: str) -> None:
    """A file that is not a PDF (no %PDF- header) or was cut short (no %%EOF at its end) is
    rejected before PDFium sees it: PDFium rebuilds a damaged file silently, and a truncated
    report would load with its last pages missing."""
    if b"%PDF-" not in data[:HEADER_WINDOW]:
        raise PdfError("not_a_pdf", f"{name} is named .pdf but is not a PDF (no %PDF- header)")
    if b"%%EOF" not in data[-EOF_WINDOW:]:
        raise PdfError(
            "pdf_truncated", f"{name} is truncated or corrupt: no %%EOF marker at its end"
        )


def _open(data: bytes, name: str):
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise PdfError(
                "pdf_encrypted", f"{name} is encrypted (it needs a password to open)"
            ) from exc
        if exc.err_code == pdfium_c.FPDF_ERR_SECURITY:
            raise PdfError("pdf_encrypted", f"{name} uses an unsupported security handler") from exc
        raise PdfError("pdf_corrupt", f"{name} is corrupt: PDFium cannot open it ({exc})") from exc


def parse(data: bytes, name: str, max_pages: int) -> ParsedPdf:
    """Every page's words, grouped into lines. Raises PdfError for a file that is not a PDF,
    truncated, corrupt, encrypted, longer than max_pages, or without any text (a scan)."""
    check_bytes(data, name)
    doc = _open(data, name)
    try:
        pages = len(doc)
        if pages > max_pages:
            message = f"{name} has {pages} pages, over {max_pages} (ESG_MAX_PDF_PAGES)"
            raise PdfError("pdf_too_many_pages", message)
        if pages == 0:
            raise PdfError("pdf_corrupt", f"{name} has no pages")
        parts: list[dict] = []
        sizes: dict[int, tuple[float, float]] = {}
        image_pages: list[int] = []
        lines_before = 0
        for index in range(pages):
            page = doc[index]
            try:
                part, sizes[index + 1], has_image = _page_words(page)
            except Exception as exc:  # one page's failure names the page
                message = f"{name} page {index + 1} cannot be read: {exc}"
                raise PdfError("pdf_corrupt", message) from exc
            finally:
                page.close()
            if not part["text"] and has_image:
                image_pages.append(index + 1)
            if part["text"]:
                part["page"] = np.full(len(part["text"]), index + 1, np.int32)
                part["line"] = part["line"] + lines_before
                lines_before = int(part["line"][-1])
                parts.append(part)
    finally:
        doc.close()
    if not parts:
        raise PdfError("pdf_no_text", f"{name}: no text layer; OCR is not supported")
    columns = {
        c: [w for part in parts for w in part[c]]
        if c == "text"
        else np.concatenate([part[c] for part in parts])
        for c in WORD_COLUMNS
    }
    return ParsedPdf(pa.table(columns, schema=WORD_SCHEMA), sizes, image_pages)


class _Boxes:
    """Characters' loose boxes (font ascent to descent), many per call from Python, in display
    coordinates: points from the top-left of the page as shown (crop box, /Rotate applied)."""

    def __init__(self, page, textpage) -> None:
        import pypdfium2.raw as pdfium_c

        # The C function called with plain integers (addresses): a ctypes struct per call and
        # its attribute reads cost more than PDFium's own work.
        proto = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)
        self.call = proto(ctypes.cast(pdfium_c.FPDFText_GetLooseCharBox, ctypes.c_void_p).value)
        self.textpage = ctypes.cast(textpage, ctypes.c_void_p).value
        self.crop = page.get_cropbox()  # left, bottom, right, top
        self.rotation = page.get_rotation()
        left, bottom, right, top = self.crop
        w, h = right - left, top - bottom
        w, h = round(w, 2), round(h, 2)
        self.size = (w, h) if self.rotation in (0, 180) else (h, w)

    def __call__(self, indices: np.ndarray) -> np.ndarray:
        """(n, 4) array of x0, x1, top, bottom for the characters at `indices`."""
        n = len(indices)
        out = (ctypes.c_float * (4 * n))()
        base = ctypes.addressof(out)
        list(map(self.call, [self.textpage] * n, indices.tolist(), range(base, base + 16 * n, 16)))
        r = np.frombuffer(out, np.float32).reshape(n, 4).astype(np.float64)
        left, bottom, right, top = self.crop
        x_a, y_a, x_b, y_b = r[:, 0], r[:, 1], r[:, 2], r[:, 3]  # left, top, right, bottom
        if self.rotation == 0:
            xs, ys = (x_a - left, x_b - left), (top - y_a, top - y_b)
        elif self.rotation == 90:
            xs, ys = (y_a - bottom, y_b - bottom), (x_a - left, x_b - left)
        elif self.rotation == 180:
            xs, ys = (right - x_a, right - x_b), (y_a - bottom, y_b - bottom)
        else:
            xs, ys = (top - y_a, top - y_b), (right - x_a, right - x_b)
        return np.column_stack((np.minimum(*xs), np.maximum(*xs), np.minimum(*ys), np.maximum(*ys)))


def _page_text(c, textpage, count: int) -> str:
    """The page's characters as one string, character k at index k."""
    buffer = ctypes.create_string_buffer((count + 1) * 2)
    written = c.FPDFText_GetText(
        textpage, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort))
    )
    text = buffer.raw[: max(written - 1, 0) * 2].decode("utf-16-le", "replace")
    if len(text) != count:  # characters beyond 16 bits: ask for each one
        text = "".join(chr(c.FPDFText_GetUnicode(textpage, k) or 0xFFFD) for k in range(count))
    return text


def _page_words(page) -> tuple[dict, tuple[float, float], bool]:
    """A page's horizontal words as columns (line: the line within the page, from 1), its
    displayed size, and whether it prints an image."""
    import pypdfium2.raw as pdfium_c

    textpage = page.get_textpage()
    try:
        boxes = _Boxes(page, textpage.raw)
        count = pdfium_c.FPDFText_CountChars(textpage.raw)
        text = _page_text(pdfium_c, textpage.raw, count) if count > 0 else ""
        found = list(WORD.finditer(text))
        words = [m.group().replace(BROKEN_HYPHEN, "-") for m in found]
        starts = np.fromiter((m.start() for m in found), np.int64, len(found))
        ends = np.fromiter((m.end() - 1 for m in found), np.int64, len(found))
        first, last = boxes(starts), boxes(ends)
        h = first[:, 3] - first[:, 2]
        wide = (last[:, 1] - first[:, 0] > (ends - starts + 1) * h * WIDE + h) | (
            last[:, 0] < first[:, 0] - h / 2
        )
        level = np.abs((last[:, 2] + last[:, 3]) - (first[:, 2] + first[:, 3])) / 2 <= h / 2
        keep = ~wide & level  # not level: printed vertically (a chart's axis), in no line
        for i in np.flatnonzero(keep & _raised(first, last)).tolist():
            words[i], ends[i], last[i] = _superscript(boxes, int(starts[i]), words[i], first[i])
        x0, x1 = first[keep, 0], last[keep, 1]
        top = np.minimum(first[keep, 2], last[keep, 2])
        bottom = np.maximum(first[keep, 3], last[keep, 3])
        kept = [w for w, k in zip(words, keep.tolist(), strict=True) if k]
        for i in np.flatnonzero(wide).tolist():
            for piece in _split(boxes, int(starts[i]), words[i]):
                x0, x1 = np.append(x0, piece[0]), np.append(x1, piece[1])
                top, bottom = np.append(top, piece[2]), np.append(bottom, piece[3])
                kept.append(piece[4])
    finally:
        textpage.close()
    has_image = False
    if not kept:
        has_image = any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]))
    return _lines(x0, x1, top, bottom, kept), boxes.size, has_image


def _raised(first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Words whose last character is a superscript (smaller, its bottom raised)."""
    h, last_h = first[:, 3] - first[:, 2], last[:, 3] - last[:, 2]
    return (last_h < SMALLER * h) & (first[:, 3] - last[:, 3] > RAISED * h)


def _superscript(boxes: _Boxes, start: int, word: str, first: np.ndarray) -> tuple:
    """A word ending in superscript digits (a footnote reference fused to a value or a label,
    '1,518' with note 6 read '1,5186'), those digits written as superscript characters ('1,518⁶'),
    so that no reader takes them for the value's digits; other superscripts are kept as
    printed. Returns the word, its last base character's index and that character's box."""
    b = boxes(np.arange(start, start + len(word)))
    h = first[3] - first[2]
    k = len(word)
    while k > 1 and b[k - 1, 3] - b[k - 1, 2] < SMALLER * h and first[3] - b[k - 1, 3] > RAISED * h:
        k -= 1
    raised = word[k:]
    if not raised or not re.fullmatch(r"\d[\d,]*", raised) or raised.endswith(","):
        return word, start + len(word) - 1, b[-1]
    return word[:k] + raised.translate(SUPERSCRIPT_DIGITS), start + k - 1, b[-1]


def _split(boxes: _Boxes, start: int, word: str) -> list[tuple]:
    """A word wider than its characters can print, cut where its characters' boxes leave a gap
    (or go back left); a word printed vertically is dropped."""
    b = boxes(np.arange(start, start + len(word))).tolist()
    pieces: list[tuple] = []
    begin = 0
    for k in range(1, len(word) + 1):
        if k < len(word):
            prev, cur = b[k - 1], b[k]
            h = max(prev[3] - prev[2], 1e-6)
            level = abs((cur[2] + cur[3]) - (prev[2] + prev[3])) / 2 <= h / 2
            if not level:
                return []  # printed vertically
            if prev[0] - h / 2 <= cur[0] <= prev[1] + SPLIT_GAP * h:
                continue
        part = b[begin:k]
        x1, top, bottom = (max(p[1] for p in part), min(p[2] for p in part),
                           max(p[3] for p in part))  # fmt: skip
        pieces.append((part[0][0], x1, top, bottom, word[begin:k]))
        begin = k
    return pieces


def _collision(starts: list[float], rest: list[tuple], a: float, b: float) -> int | None:
    """The word of a line (x0s sorted, no two overlapping) that overlaps a..b, if any."""
    k = bisect.bisect(starts, a)
    if k and rest[k - 1][0] - a > 0.5:
        return rest[k - 1][1]
    if k < len(starts) and b - starts[k] > 0.5:
        return rest[k][1]
    return None


def _lines(x0, x1, top, bottom, text: list[str]) -> dict:
    """Words grouped into lines, top to bottom, each left to right, as columns.

    Words are taken in the order of their vertical centres. A word joins the latest line whose
    band (the top..bottom of its tallest word) holds its centre and where no word already stands
    at its x; otherwise it starts a line. So a footnote mark raised above a value stays on the
    value's line, two tables side by side share their lines (their words keep x), and two lines
    of small print beside one tall heading stay two lines. The same word printed twice at one
    place (fake bold) is kept once."""
    centre = (top + bottom) / 2
    order = np.argsort(centre, kind="stable").tolist()
    line = np.zeros(len(text), np.int32)  # 0: a duplicate, dropped
    open_lines: list[list] = []  # [top, bottom, number, sorted x0s, their (x1, word index)]
    number = 0
    xs0, xs1, tops, bottoms, cs = (a.tolist() for a in (x0, x1, top, bottom, centre))
    for i in order:
        c, a, b = cs[i], xs0[i], xs1[i]
        open_lines = [ln for ln in open_lines if ln[1] >= c]
        target = None
        for ln in reversed(open_lines):
            if not ln[0] <= c <= ln[1]:
                continue
            hit = _collision(ln[3], ln[4], a, b)
            if hit is None:
                target = ln
                break
            if text[hit] == text[i] and abs(xs0[hit] - a) < 1:
                target = False  # the same word again at the same place
                break
        if target is False:
            continue
        if target is None:
            number += 1
            target = [tops[i], bottoms[i], number, [], []]
            open_lines.append(target)
        elif bottoms[i] - tops[i] > target[1] - target[0]:
            target[0], target[1] = tops[i], bottoms[i]
        k = bisect.bisect(target[3], a)
        target[3].insert(k, a)
        target[4].insert(k, (b, i))
        line[i] = target[2]
    keep = np.flatnonzero(line)
    keep = keep[np.lexsort((x0[keep], line[keep]))]
    return {
        "line": line[keep],
        "x0": x0[keep].round(2),
        "x1": x1[keep].round(2),
        "top": top[keep].round(2),
        "bottom": bottom[keep].round(2),
        "text": [text[i] for i in keep.tolist()],
    }
