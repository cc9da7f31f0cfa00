"""Where things live. Every path a run touches is derived here, from a few environment variables."""

import hashlib
import os
import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
REF_DIR = REPO_ROOT / "warehouse" / "ref"
TABLES_FILE = REPO_ROOT / "warehouse" / "tables.yaml"
SAMPLE_LANDING_DIR = REPO_ROOT / "warehouse" / "sample_landing"
DEFAULT_WAREHOUSE = REPO_ROOT / "warehouse" / "esg.duckdb"

# A landing file larger than this is rejected unread (bytes).
DEFAULT_MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
# Every asset that opens the DuckDB file: one writer at a time (set the pool's limit to 1 in
# dagster.yaml wherever runs may overlap; see docs/operations.md, "Beyond one machine").
WAREHOUSE_POOL = "duckdb_warehouse"


def landing_dir() -> Path:
    """The landing folder: `ESG_LANDING_DIR`, else the bundled sample."""
    return Path(os.environ.get("ESG_LANDING_DIR") or SAMPLE_LANDING_DIR).resolve()


def warehouse_path() -> Path:
    """The published DuckDB file SQL users read: `ESG_WAREHOUSE`, else warehouse/esg.duckdb."""
    return Path(os.environ.get("ESG_WAREHOUSE") or DEFAULT_WAREHOUSE).resolve()


def reports_partition(warehouse: Path | None = None) -> str:
    """The name of one warehouse's report partitions in DAGSTER_HOME: its file's stem and a
    digest of its path, so warehouses sharing a DAGSTER_HOME never see each other's reports."""
    path = Path(warehouse or warehouse_path()).resolve()
    stem = re.sub(r"[^A-Za-z0-9_]", "_", path.stem)[:40]
    return f"reports_{stem}_{hashlib.sha256(str(path).encode()).hexdigest()[:8]}"


# Bound once per process, from the environment the process started with (`make run`, and each
# process `make ui` starts, inherit the same ESG_WAREHOUSE).
REPORTS_PARTITION = reports_partition()


def build_path(published: Path | None = None) -> Path:
    """The working DuckDB file the pipeline writes; published by an atomic file swap."""
    published = published or warehouse_path()
    return published.with_name(f"{published.stem}.build{published.suffix}")


def gx_dir(warehouse: Path | None = None) -> Path:
    """Great Expectations results and Data Docs: a `gx` folder beside the warehouse file."""
    return (warehouse or warehouse_path()).parent / "gx"


def pdf_cache_dir(warehouse: Path | None = None) -> Path:
    """PDFs' parsed words, one Parquet file per content (SHA-256): a `pdf_cache` folder beside
    the warehouse file, so a refresh never parses an unchanged PDF again."""
    return (warehouse or warehouse_path()).parent / "pdf_cache"


def max_document_bytes() -> int:
    return int(os.environ.get("ESG_MAX_DOCUMENT_BYTES") or DEFAULT_MAX_DOCUMENT_BYTES)


DEFAULT_DUCKDB_MEMORY_LIMIT = "1GB"


def duckdb_memory_limit() -> str:
    """Memory DuckDB may use while building (`ESG_DUCKDB_MEMORY_LIMIT`); beyond it, DuckDB
    spills to disk. Its own default is 80 % of the machine's memory."""
    return os.environ.get("ESG_DUCKDB_MEMORY_LIMIT") or DEFAULT_DUCKDB_MEMORY_LIMIT
