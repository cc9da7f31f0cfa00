"""Resources: the DuckDB warehouse (built, then published) and the landing folder."""

import os
import shutil
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from assets.gx_validation import GreatExpectationsResource
from assets.tables import documentation_comments
from orchestration import publish_guard, settings


class LandingFolder(dg.ConfigurableResource):
    """Where reports arrive, how large a single file may be before it is rejected unread, and
    where PDFs' parsed words are kept (beside the warehouse; empty: parsed on every read)."""

    path: str
    max_document_bytes: int = settings.DEFAULT_MAX_DOCUMENT_BYTES
    pdf_cache: str = ""

    @property
    def folder(self) -> Path:
        return Path(self.path)

    @property
    def pdf_cache_dir(self) -> Path | None:
        return Path(self.pdf_cache) if self.pdf_cache else None


class WarehouseResource(DuckDBResource):
    """The working DuckDB file (`database`) and the published copy SQL users read.

    Steps write the working file only. `publish` swaps a copy of it into place with an atomic
    rename, so a reader holding the published file keeps reading the mart it opened, a new
    reader gets the new one, and a refresh never waits for readers (DuckDB lets no writer in
    while readers hold a file). A run that dies before publishing leaves the published file as
    it was.
    """

    published_path: str
    landing_dir: str = ""  # named when a publish is refused (publish_guard)

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        # dagster-duckdb 0.29 closes its connection only on success; a leaked connection then
        # blocks the next one in the same process ("different configuration").
        with super().get_connection() as conn:
            try:
                # A setting, not connection config: readers of the file in this process may
                # open it with other options.
                conn.execute(f"SET memory_limit = '{settings.duckdb_memory_limit()}'")
                yield conn
            finally:
                conn.close()

    def publish(self, tags: Mapping[str, str] | None = None) -> Path:
        """Swap the working file in, unless it would remove most of what is published
        (publish_guard; the run tags may allow that)."""
        with self.get_connection() as conn:
            for stmt in documentation_comments(conn):  # views and derived tables too
                conn.execute(stmt)
            conn.execute("CHECKPOINT")  # everything in the main file, nothing left in the WAL
        target = Path(self.published_path)
        try:
            publish_guard.check(Path(self.database), target, self.landing_dir, tags)
        except publish_guard.ShrinkRefused as refused:
            raise dg.Failure(description=str(refused), allow_retries=False) from None
        partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.partial")
        try:
            shutil.copyfile(self.database, partial)
            with partial.open("rb") as f:
                os.fsync(f.fileno())
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        for stale in target.parent.glob(f".{target.name}.*.partial"):  # from killed runs
            stale.unlink(missing_ok=True)
        return target


def build_resources(landing_dir: Path | None = None, warehouse: Path | None = None) -> dict:
    warehouse = warehouse or settings.warehouse_path()
    landing_dir = landing_dir or settings.landing_dir()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    return {
        "duckdb": WarehouseResource(
            database=str(settings.build_path(warehouse)),
            published_path=str(warehouse),
            landing_dir=str(landing_dir),
        ),
        "gx": GreatExpectationsResource(root=str(settings.gx_dir(warehouse))),
        "landing": LandingFolder(
            path=str(landing_dir),
            max_document_bytes=settings.max_document_bytes(),
            pdf_cache=str(settings.pdf_cache_dir(warehouse)),
        ),
    }
