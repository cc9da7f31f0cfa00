"""Turn report texts into KPI tables (NAME.csv + NAME.yaml): how the bundled sample is made.

    python -m assets.extract.export_sample ../shared/reports warehouse/sample_landing

The CSV holds facts only (labels, units, years, values, line numbers), never report prose; its
metadata names the report it was read from, so provenance still points at the report's lines.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from assets.extract import document, kpi_csv, years


def export(source: Path, dest: Path) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for doc in sorted([*source.glob("*.txt"), *source.glob("*.md")]):
        meta_path = doc.with_suffix(".yaml")
        if not meta_path.exists():
            continue
        meta = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
        meta["source_document"] = doc.name
        text = doc.read_text(encoding="utf-8")
        values, errors = document.extract_text(text, years.calendar_of(meta))
        for e in errors:  # a KPI table holds values only: say what it leaves out
            print(f"{doc.name} line {e.line_number} [{e.rule}]: {e.message}", file=sys.stderr)
        (dest / f"{doc.stem}.csv").write_text(kpi_csv.write(values), encoding="utf-8")
        header = f"# Metadata of the KPI table {doc.stem}.csv, read from {doc.name}.\n"
        (dest / f"{doc.stem}.yaml").write_text(
            header + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
        written.append(dest / f"{doc.stem}.csv")
    return written


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    for path in export(Path(sys.argv[1]), Path(sys.argv[2])):
        print(f"wrote {path}")
