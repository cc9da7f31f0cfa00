"""Time PDF text readers on a folder of PDFs (docs/pdf.md records the results).

    .venv/bin/python bench/pdf_readers.py ../shared/corpus/landing [--repeat 3] [--plumber 4]

Each reader reads every file in turn in this one process (pdftotext: one process per file, as
the pipeline's baseline runs it); the best of --repeat runs is printed, against pdftotext.
pdfplumber is timed on the first --plumber files only, and only if it is installed (it is not a
dependency of the project).
"""

from __future__ import annotations

import argparse
import ctypes
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assets.extract import pdf


def pdftotext(files: list[Path]) -> None:
    for f in files:
        subprocess.run(["pdftotext", "-layout", str(f), "-"], check=True, capture_output=True)


def project(files: list[Path]) -> None:
    for f in files:
        pdf.parse(f.read_bytes(), f.name, 100_000).document()


def every_char(files: list[Path]) -> None:
    """The simple way: one box call per character, through ctypes structs."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as c

    rect = c.FS_RECTF()
    ref = ctypes.byref(rect)
    for f in files:
        doc = pdfium.PdfDocument(f.read_bytes())
        for i in range(len(doc)):
            page = doc[i]
            tp = page.get_textpage()
            n = tp.count_chars()
            tp.get_text_range(0, n)
            boxes = []
            for k in range(n):
                c.FPDFText_GetLooseCharBox(tp.raw, k, ref)
                boxes.append((rect.left, rect.top, rect.right, rect.bottom))
            tp.close()
            page.close()
        doc.close()


def pdfium_floor(files: list[Path]) -> None:
    """PDFium's own work: load each page and its text, no boxes."""
    import pypdfium2 as pdfium

    for f in files:
        doc = pdfium.PdfDocument(f.read_bytes())
        for i in range(len(doc)):
            page = doc[i]
            tp = page.get_textpage()
            tp.get_text_range(0, tp.count_chars())
            tp.close()
            page.close()
        doc.close()


def plumber(files: list[Path]) -> None:
    import pdfplumber

    for f in files:
        with pdfplumber.open(f) as doc:
            for page in doc.pages:
                page.extract_words()


def best(fn, files: list[Path], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(files)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--plumber", type=int, default=4)
    args = parser.parse_args()
    files = sorted(args.folder.glob("*.pdf"))
    import pypdfium2 as pdfium

    pages = sum(len(pdfium.PdfDocument(f.read_bytes())) for f in files)
    print(f"{len(files)} PDFs, {pages} pages")
    rows = []
    base = best(pdftotext, files, args.repeat) if shutil.which("pdftotext") else None
    if base:
        rows.append(("poppler pdftotext -layout", len(files), base))
    rows.append(("pypdfium2: page load + text only (PDFium's floor)", len(files),
                 best(pdfium_floor, files, args.repeat)))  # fmt: skip
    rows.append(("pypdfium2: this project (assets/extract/pdf.py)", len(files),
                 best(project, files, args.repeat)))  # fmt: skip
    rows.append(("pypdfium2: a box call per character", len(files),
                 best(every_char, files, args.repeat)))  # fmt: skip
    try:
        import pdfplumber  # noqa: F401

        few = files[: args.plumber]
        rows.append(("pdfplumber extract_words()", len(few), best(plumber, few, 1)))
        if base:
            rows.append(("pdftotext -layout on the same files", len(few), best(pdftotext, few, 1)))
    except ImportError:
        pass
    print("| reader | files | seconds | vs pdftotext |\n|---|---|---|---|")
    for name, n, seconds in rows:
        ratio = f"{seconds / base:.2f}x" if base and n == len(files) else ""
        print(f"| {name} | {n} | {seconds:.2f} | {ratio} |")


if __name__ == "__main__":
    main()
