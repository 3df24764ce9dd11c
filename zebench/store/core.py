"""The Store: one connection to a zebench database, its migrations, and transactions around the writes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from ..constants import DEFAULT_DB_PATH
from ..models import BatchRecord, RunRecord
from ..models.shapes import RunRowDict
from . import queries
from .schema import migrations
from .writes import (
    WriteCounts,
    complete_ingested_batches,
    prepare_writes,
    refresh_batch_aggregates,
    write_batch,
    write_runs,
)


def pending_migrations(conn: sqlite3.Connection) -> list[str]:
    """The migrations this zebench has that the database lacks, by name: empty when its schema is up to date (a
    read: nothing is written)."""
    return [m.name for m in migrations.pending(sqlite_utils.Database(conn))]


class Store:
    """A zebench database. Not thread-safe: use one Store per thread (the batch runner keeps one writer thread)."""

    def __init__(self, path: Path | str = DEFAULT_DB_PATH, *, migrate: bool = True):
        self.path = Path(path)
        if self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
        self.db = sqlite_utils.Database(conn)
        self.conn = conn
        self.conn.execute("PRAGMA busy_timeout = 30000")
        prepare_writes(self.conn)
        if migrate:
            self.migrate()

    def migrate(self) -> None:
        if self.db.journal_mode != "wal":
            self.db.enable_wal()
        migrations.apply(self.db)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writes -----------------------------------------------------------------------------------------------

    def save_run(self, record: RunRecord) -> None:
        """Insert or replace one run with all its parts, in one transaction."""
        self.save_runs([record])

    def save_runs(self, records: Iterable[RunRecord]) -> int:
        """Insert or replace runs (one transaction); batches they name are created if missing and refreshed.
        Returns the number of distinct runs now stored as given."""
        with self.db.atomic():
            return write_runs(self.conn, list(records)).total

    def save_runs_chunked(self, records: list[RunRecord], chunk: int, *, ingested: bool = False) -> WriteCounts:
        """Many runs in one transaction, written ``chunk`` at a time; batch aggregates refreshed once at the end.
        Returns how many were new, updated (stored before with other content) and unchanged. ``ingested``: the
        runs come from result files (`zebench ingest`): their batches without a known matrix are complete
        (writes.complete_ingested_batches)."""
        last = {r.run_id: r for r in records}  # the last copy of a runId wins, whichever chunk it is in
        counts = WriteCounts(duplicates=len(records) - len(last))
        records = list(last.values())
        with self.db.atomic():
            for start in range(0, len(records), chunk):
                counts += write_runs(self.conn, records[start : start + chunk], refresh=False)
            batch_ids = sorted({r.batch_id for r in records if r.batch_id})
            if counts.new or counts.updated:
                for batch_id in sorted(set(batch_ids) | counts.batches_before):
                    refresh_batch_aggregates(self.conn, batch_id)
            if ingested and batch_ids:  # unchanged runs too: re-ingesting completes batches of older zebench
                complete_ingested_batches(self.conn, batch_ids)
        return counts

    def save_batch(self, batch: BatchRecord) -> None:
        with self.db.atomic():
            write_batch(self.conn, batch)

    def refresh_batch(self, batch_id: str, completed_at: str | None = None) -> BatchRecord | None:
        """Recompute a batch's aggregates from its stored runs (cancelled attempts excluded)."""
        with self.db.atomic():
            refresh_batch_aggregates(self.conn, batch_id, completed_at)
        return self.get_batch(batch_id)

    # -- reads (queries has them all, on a connection) ---------------------------------------------------------

    def get_run(self, run_id: str) -> RunRecord | None:
        """A stored run as the RunRecord it was written from (queries.read_run)."""
        return queries.read_run(self.conn, run_id)

    def get_batch(self, batch_id: str) -> BatchRecord | None:
        return queries.read_batch(self.conn, batch_id)

    def batch_keys(self, batch_id: str) -> set[tuple[str, str, str, str, str, str, int]]:
        """Matrix keys of the runs of a batch that count as done (every status but cancelled)."""
        return queries.batch_keys(self.conn, batch_id)

    def run_ids(self, batch_id: str | None = None) -> list[str]:
        return queries.run_ids(self.conn, batch_id)

    def run_summaries(self, batch_id: str) -> list[RunRowDict]:
        """The runs the batch summary table shows: the counted runs of the batch."""
        return queries.run_summaries(self.conn, batch_id)

    def checkpoint(self) -> None:
        """Write the WAL into the database file and empty it (an immutable reader ignores the WAL)."""
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@contextmanager
def read_snapshot(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One read transaction: every query inside sees the same state, even while runs are being written."""
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        conn.rollback()
