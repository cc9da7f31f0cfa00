"""Where things live. Every path a run touches is derived here, from two environment variables."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
REF_DIR = REPO_ROOT / "warehouse" / "ref"
SQL_DIR = REPO_ROOT / "warehouse" / "sql"
TABLES_FILE = REPO_ROOT / "warehouse" / "tables.yaml"
SAMPLE_LANDING_DIR = REPO_ROOT / "warehouse" / "sample_landing"
DEFAULT_WAREHOUSE = REPO_ROOT / "warehouse" / "esg.duckdb"

# A landing file larger than this is rejected unread (bytes).
DEFAULT_MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


def landing_dir() -> Path:
    """The landing folder: `ESG_LANDING_DIR`, else the bundled sample."""
    return Path(os.environ.get("ESG_LANDING_DIR") or SAMPLE_LANDING_DIR).resolve()


def warehouse_path() -> Path:
    """The DuckDB file: `ESG_WAREHOUSE`, else warehouse/esg.duckdb."""
    return Path(os.environ.get("ESG_WAREHOUSE") or DEFAULT_WAREHOUSE).resolve()


def max_document_bytes() -> int:
    return int(os.environ.get("ESG_MAX_DOCUMENT_BYTES") or DEFAULT_MAX_DOCUMENT_BYTES)


def gx_dir(warehouse: Path | None = None) -> Path:
    """Great Expectations results and Data Docs: a `gx` folder beside the warehouse file."""
    return (warehouse or warehouse_path()).parent / "gx"
