"""Dagster's SQLite event log, writing a batch of asset events in one transaction.

A run over many report partitions emits one *materialization* event per partition and asset
(and, unless told otherwise, one *materialization planned* event each too: here one per asset
names its partitions, see the property below). Dagster tags these as batches, but its SQLite
storage writes each one in a transaction of its own (two connections, two commits each),
which costs more than the work at 10,000 reports (dagster-io/dagster#18789). dagster-postgres
writes such batches at once; this does the same for the SQLite files of a DAGSTER_HOME. Rows
and indexes are exactly those `store_event` writes, in the same order, and the files are
Dagster's own (same place, same schema). Enabled in `orchestration/dagster.yaml` (storage:
custom); Dagster hands batches to storage only when `DAGSTER_EVENT_BATCH_SIZE` is set, so this
module sets a default.

It also keeps one SQLAlchemy engine per shard instead of creating and disposing one per event
(a quarter of each event's cost in Dagster's own storage); connections still close after use.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Self

import sqlalchemy as db
from dagster._core.events import DagsterEventType
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log import SqlEventLogStorageTable, SqliteEventLogStorage
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage, _event_logs_directory
from dagster._serdes.config_class import ConfigurableClassData

# Dagster groups batch-tagged events into lists of this size before storing them.
DEFAULT_BATCH_SIZE = "1000"
os.environ.setdefault("DAGSTER_EVENT_BATCH_SIZE", DEFAULT_BATCH_SIZE)

BATCHED = {
    DagsterEventType.ASSET_MATERIALIZATION,
    DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
    DagsterEventType.ASSET_OBSERVATION,
}


def _batchable(event: EventLogEntry) -> bool:
    return event.is_dagster_event and event.dagster_event_type in BATCHED


class BatchingSqliteEventLogStorage(SqliteEventLogStorage):
    """SqliteEventLogStorage whose `store_event_batch` uses one transaction per shard, and
    which keeps its SQLAlchemy engines."""

    KEPT_ENGINES = 8  # the index shard and the runs in progress; NullPool holds no connection

    @property
    def supports_partition_subset_in_asset_materialization_planned_events(self) -> bool:
        """A run over many partitions announces each asset's planned partitions in one event,
        not one event per partition (40,000 of them for 10,000 reports, 10 s before the first
        step). Dagster's own option (DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS), on here.
        The price: a run that fails does not mark its partitions failed in the UI (they keep
        their last status; the run shows failed). A bad report never fails a run here (it is
        recorded as rejected and its check fails), so such a failure is the run's, not the
        report's."""
        return True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._engines: OrderedDict[str, db.Engine] = OrderedDict()

    @contextmanager
    def _connect(self, shard: str) -> Iterator[db.Connection]:
        """As Dagster's, but the shard's engine is kept: Dagster creates and disposes one per
        event, and with it SQLAlchemy's cache of compiled statements. Connections are still
        opened and closed per use (NullPool), so nothing stays open between events."""
        with self._db_lock:
            engine = self._engines.pop(shard, None)
            if engine is None:
                engine = db.create_engine(
                    self.conn_string_for_shard(shard),
                    poolclass=db.pool.NullPool,
                    connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
                )
                if shard not in self._initialized_dbs:
                    self._initdb(engine)
                    self._initialized_dbs.add(shard)
            self._engines[shard] = engine  # most recently used last
            while len(self._engines) > self.KEPT_ENGINES:
                self._engines.popitem(last=False)[1].dispose()
            with engine.connect() as conn, conn.begin():
                yield conn

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        run_ids = {e.run_id for e in events}
        if len(events) < 2 or len(run_ids) != 1 or not all(map(_batchable, events)):
            for event in events:  # e.g. check-planned events: their own path, in order
                self.store_event(event)
            return
        rows = [self._event_to_row(e) for e in events]
        insert = SqlEventLogStorageTable.insert()
        with self.run_connection(run_ids.pop()) as conn:
            conn.execute(insert, rows)
        with self.index_transaction() as conn:
            conn.execute(insert, rows)
            # The transaction holds SQLite's write lock, so the rows got consecutive ids in
            # order, ending at the largest (tags and the asset's row need each event's id).
            last = conn.execute(db.select(db.func.max(SqlEventLogStorageTable.c.id))).scalar()
            ids = list(range(last - len(rows) + 1, last + 1))
            self._store_asset_event_tags(conn, events, ids)
            # Each asset's row keeps the values of its latest event of each kind: writing only
            # those, in order, leaves the row as writing every event would.
            latest = {
                (e.dagster_event.asset_key, e.dagster_event_type): i for i, e in enumerate(events)
            }
            for i in sorted(latest.values()):
                self._store_asset_event(conn, events[i], ids[i])


class BatchingSqliteStorage(DagsterSqliteStorage):
    """Dagster's default SQLite storage under `base_dir`, with the batching event log."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        super().__init__(base_dir, inst_data)
        self._event_log_storage = BatchingSqliteEventLogStorage(_event_logs_directory(base_dir))

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None, config_value) -> Self:
        return cls.from_local(inst_data=inst_data, **config_value)
