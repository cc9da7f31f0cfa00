"""Resources: the DuckDB warehouse and the landing folder, configured from the environment."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from assets.gx_validation import GreatExpectationsResource
from orchestration import settings


class LandingFolder(dg.ConfigurableResource):
    """Where reports arrive, and how large a single file may be before it is rejected unread."""

    path: str
    max_document_bytes: int = settings.DEFAULT_MAX_DOCUMENT_BYTES

    @property
    def folder(self) -> Path:
        return Path(self.path)


class WarehouseResource(DuckDBResource):
    """DuckDBResource whose connection is closed even when the step fails.

    dagster-duckdb 0.29 closes it only on success; a leaked connection then blocks the next
    connection in the same process ("different configuration").
    """

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with super().get_connection() as conn:
            try:
                yield conn
            finally:
                conn.close()


def build_resources(landing_dir: Path | None = None, warehouse: Path | None = None) -> dict:
    warehouse = warehouse or settings.warehouse_path()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    return {
        "duckdb": WarehouseResource(database=str(warehouse)),
        "gx": GreatExpectationsResource(root=str(settings.gx_dir(warehouse))),
        "landing": LandingFolder(
            path=str(landing_dir or settings.landing_dir()),
            max_document_bytes=settings.max_document_bytes(),
        ),
    }
