"""Writes: runs with all their parts, batches, and the batch figures kept on the batch row.

Every write goes through the same gate: the record is checked for consistency (models.record_problems) and
redacted (zebench.redact) right before the database, whoever made it (the runner, ingest, the API).
The caller owns the transaction (Store's methods open one; the API runs them in Datasette's write thread).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..isolation.redact import default_redactor, public_path, public_settings, redact
from ..models import BatchRecord, RunRecord, record_problems
from ..models.run import BATCHES, RUN_PARTS, RUNS
from .rows import write_rows
from .sql import batch_refresh_sql, counts_sql

#: Child tables of a run, deleted and rewritten together with it.
RUN_CHILD_TABLES = tuple(table.name for table in RUN_PARTS)


def _insert(conn: sqlite3.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    sql = f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) VALUES ({', '.join('?' for _ in columns)})"
    conn.executemany(sql, [tuple(row[c] for c in columns) for row in rows])


def run_rows(r: RunRecord) -> dict[str, list[dict[str, Any]]]:
    """The rows of every table for one run record, by table and column name (models.run declares them;
    scripts/bench/api.py writes them directly, to build large databases fast), as published: no host paths."""
    published = _published(r)
    return {table.name: write_rows(table, published) for table in (RUNS, *RUN_PARTS)}


def _published(r: RunRecord) -> RunRecord:
    """The record with the host paths it keeps for its user (telemetry's workspaceDir, manifest settings such as
    --replay-file) by their last component (isolation.redact.public_path): the store's rows are published."""
    update: dict[str, Any] = {}
    if r.telemetry is not None and r.telemetry.workspace_dir:
        update["telemetry"] = r.telemetry.model_copy(update={"workspace_dir": public_path(r.telemetry.workspace_dir)})
    if r.manifest is not None and r.manifest.settings:
        update["manifest"] = r.manifest.model_copy(update={"settings": public_settings(r.manifest.settings)})
    return r.model_copy(update=update) if update else r


class InconsistentRecord(ValueError):
    """A run record whose fields contradict each other (models.record_problems): the store refuses it."""


@dataclass
class WriteCounts:
    """What a write of runs did, per distinct runId: stored for the first time, rewritten with other content, or
    already stored exactly so (left as it was). ``duplicates``: earlier copies of a runId given twice in one
    write (the last copy counts)."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    #: Batches that held a rewritten run before the write (their figures are refreshed too: a run may move). Not a
    #: count: left out of comparisons and repr.
    batches_before: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    @property
    def total(self) -> int:
        """Distinct runs now stored as given."""
        return self.new + self.updated + self.unchanged

    def __add__(self, other: WriteCounts) -> WriteCounts:
        return WriteCounts(
            self.new + other.new,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.duplicates + other.duplicates,
            self.batches_before | other.batches_before,
        )


def _stored_rows(conn: sqlite3.Connection, ids: list[str]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """The rows stored for these runs, per run and table, in the order they were written."""
    out: dict[str, dict[str, list[dict[str, Any]]]] = {}
    payload = json.dumps(ids)
    for table in ("benchmark_runs", *RUN_CHILD_TABLES):
        cursor = conn.execute(
            f"SELECT * FROM [{table}] WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY rowid", (payload,)
        )
        names = [d[0] for d in cursor.description]
        for row in cursor:
            record = dict(zip(names, row, strict=True))
            out.setdefault(record["run_id"], {}).setdefault(table, []).append(record)
    return out


def _same_rows(new: dict[str, list[dict[str, Any]]], stored: dict[str, list[dict[str, Any]]]) -> bool:
    """Whether a run's rows are already stored as they are (columns the write does not set, such as the row id and
    the revision, are not compared)."""
    for table in ("benchmark_runs", *RUN_CHILD_TABLES):
        rows, old = new.get(table, []), stored.get(table, [])
        if len(rows) != len(old):
            return False
        for row, kept in zip(rows, old, strict=True):
            if any(kept.get(column) != value for column, value in row.items()):
                return False
    return True


def write_runs(conn: sqlite3.Connection, records: list[RunRecord], *, refresh: bool = True) -> WriteCounts:
    """Insert or replace runs with all their parts. The caller owns the transaction.

    Rows are grouped per table and written with one executemany each; runs already stored (same runId) are
    deleted first, so writing a run twice leaves one copy. A run already stored exactly as given is left alone
    (no rewrite, no new revision). Batches named by the runs are created if missing and, with ``refresh``, their
    aggregates recomputed. Returns what was new, updated and unchanged.
    """
    counts = WriteCounts()
    if not records:
        return counts
    for record in records:  # validated when made, but a record may have been changed since
        problems = record_problems(record)
        if problems:
            loc, message = problems[0]
            raise InconsistentRecord(f"run {record.run_id}: {'.'.join(map(str, loc))}: {message}; nothing was written")
    # The last gate before the database: runs from ingest and the API were made elsewhere (zebench.redact).
    redactor = default_redactor()
    records = [redactor.model(r) for r in records]
    ids = [r.run_id for r in records]
    if len(set(ids)) != len(ids):  # the last copy of a runId wins, as it would one request at a time
        last = {r.run_id: r for r in records}
        counts.duplicates = len(records) - len(last)
        records = list(last.values())
        ids = list(last)
    rows_by_run = {r.run_id: run_rows(r) for r in records}
    existing = dict(
        conn.execute(
            "SELECT run_id, id FROM benchmark_runs WHERE run_id IN (SELECT value FROM json_each(?))", (json.dumps(ids),)
        )
    )
    if existing:
        stored = _stored_rows(conn, list(existing))
        same = {run_id for run_id in existing if _same_rows(rows_by_run[run_id], stored.get(run_id, {}))}
        counts.unchanged = len(same)
        records = [r for r in records if r.run_id not in same]
        existing = {run_id: row_id for run_id, row_id in existing.items() if run_id not in same}
    counts.updated = len(existing)
    counts.new = len(records) - len(existing)
    if not records:
        return counts
    # read before any delete: a rewrite of the newest run must still get a higher revision (indexed MAX)
    (revision,) = conn.execute("SELECT COALESCE(MAX(revision), 0) + 1 FROM benchmark_runs").fetchone()
    if existing:
        payload = json.dumps(list(existing))
        counts.batches_before = frozenset(
            batch_id
            for (batch_id,) in conn.execute(
                "SELECT DISTINCT batch_id FROM benchmark_runs WHERE batch_id IS NOT NULL "
                "AND run_id IN (SELECT value FROM json_each(?))",
                (payload,),
            )
        )
        for table in ("benchmark_runs", *RUN_CHILD_TABLES):
            conn.execute(f"DELETE FROM [{table}] WHERE run_id IN (SELECT value FROM json_each(?))", (payload,))
    tables: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        for table, rows in rows_by_run[record.run_id].items():
            tables.setdefault(table, []).extend(rows)
    for row in tables["benchmark_runs"]:
        row["revision"] = revision
    if existing:  # a rewritten run keeps its row id, so the order of runs (and their pages) does not change
        rows_with_ids = [r for r in tables["benchmark_runs"] if r["run_id"] in existing]
        _insert(conn, "benchmark_runs", [{"id": existing[r["run_id"]], **r} for r in rows_with_ids])
        tables["benchmark_runs"] = [r for r in tables["benchmark_runs"] if r["run_id"] not in existing]
    for table, rows in tables.items():
        _insert(conn, table, rows)
    batch_ids = sorted({r.batch_id for r in records if r.batch_id})
    if refresh:  # a batch a rewritten run left (moved to another batch, or to none) loses it
        for batch_id in sorted(counts.batches_before - set(batch_ids)):
            refresh_batch_aggregates(conn, batch_id)
    if batch_ids:
        first_seen: dict[str, str] = {}
        for r in records:
            if r.batch_id and (r.batch_id not in first_seen or r.started_at < first_seen[r.batch_id]):
                first_seen[r.batch_id] = r.started_at
        conn.executemany(
            "INSERT OR IGNORE INTO batch_runs (batch_id, created_at, metadata) VALUES (?, ?, '{}')",
            [(b, first_seen[b]) for b in batch_ids],
        )
        if refresh:
            for batch_id in batch_ids:
                refresh_batch_aggregates(conn, batch_id)
    return counts


def refresh_batch_aggregates(conn: sqlite3.Connection, batch_id: str, completed_at: str | None = None) -> None:
    """Recompute a batch's figures from its stored runs (store.sql.BATCH_FIGURES: the sums of SUMS over its counted
    runs, read from the summary the triggers keep, and its cancelled attempts apart, never as runs). A batch whose
    expected runs are all stored is complete: without a completion time, it gets its latest run's (the original's
    dashboard shows a batch without one as running)."""
    conn.execute(batch_refresh_sql(), (batch_id, batch_id, batch_id))
    if completed_at is not None:
        conn.execute("UPDATE batch_runs SET completed_at = ? WHERE batch_id = ?", (completed_at, batch_id))
        return
    conn.execute(
        f"""
        UPDATE batch_runs SET completed_at = (
          SELECT MAX(COALESCE(r.completed_at, r.started_at)) FROM benchmark_runs r
          WHERE r.batch_id = batch_runs.batch_id AND {counts_sql("runs", "r")}
        )
        WHERE batch_id = ? AND completed_at IS NULL AND expected_runs IS NOT NULL AND total_runs >= expected_runs
        """,
        (batch_id,),
    )


def complete_ingested_batches(conn: sqlite3.Connection, batch_ids: list[str]) -> None:
    """Batches loaded by ingest whose matrix is unknown (no expected_runs: shards of a batch run elsewhere, or the
    original's result files) are complete once ingested, their completion time their latest run's (moved on
    when a later ingest brings a later run)."""
    runs = counts_sql("runs", "r")
    conn.execute(
        f"""
        UPDATE batch_runs SET completed_at = (
          SELECT MAX(COALESCE(r.completed_at, r.started_at)) FROM benchmark_runs r
          WHERE r.batch_id = batch_runs.batch_id AND {runs}
        )
        WHERE batch_id IN (SELECT value FROM json_each(?)) AND expected_runs IS NULL
          AND EXISTS (SELECT 1 FROM benchmark_runs r WHERE r.batch_id = batch_runs.batch_id AND {runs})
        """,
        (json.dumps(batch_ids),),
    )


#: batch_runs columns a write of a BatchRecord may set (created_at only when the row is new).
_BATCH_WRITE_FIELDS = tuple(c.name for c in BATCHES.written() if c.name not in ("batch_id", "created_at"))


def write_batch(conn: sqlite3.Connection, batch: BatchRecord) -> None:
    """Insert a batch row, or update the stored one with the fields the record was given (``model_fields_set``:
    a field left out keeps its value). ``created_at`` stays the first one written: the original's client posts a
    batch at its start and again at its end with a later createdAt. When runs of the batch are stored, its
    aggregates are then recomputed from them (the stored runs are the truth, as the summaries' triggers keep them)."""
    batch = redact(batch)
    (row,) = write_rows(BATCHES, batch)
    given = [c for c in _BATCH_WRITE_FIELDS if c in batch.model_fields_set]
    columns = ", ".join(row)
    update = ", ".join(f"{c} = excluded.{c}" for c in given) or "batch_id = excluded.batch_id"
    conn.execute(
        f"INSERT INTO batch_runs ({columns}) VALUES ({', '.join('?' for _ in row)}) "
        f"ON CONFLICT(batch_id) DO UPDATE SET {update}",
        tuple(row.values()),
    )
    if conn.execute("SELECT 1 FROM benchmark_runs WHERE batch_id = ? LIMIT 1", (batch.batch_id,)).fetchone():
        refresh_batch_aggregates(conn, batch.batch_id)


def prepare_writes(conn: sqlite3.Connection) -> None:
    """Settings of a connection that writes runs: statement journals in memory (``temp_store``). A write of a run or
    an evaluation fires the summaries' and the causes' triggers, whose first changes to each page are journalled
    for the statement; past 64 KiB SQLite spills that journal to a temporary file, once per row: ingest spent about
    a sixth of its time there (docs/performance.md). Temporary tables and sorts of this connection are then kept in
    memory too. Left as it was when it cannot be changed (in a transaction holding temporary objects)."""
    (temp_store,) = conn.execute("PRAGMA temp_store").fetchone()
    if temp_store != 2:  # 2: MEMORY
        try:
            conn.execute("PRAGMA temp_store = MEMORY")
        except sqlite3.OperationalError:
            pass


@contextmanager
def savepoint(conn: sqlite3.Connection, name: str = "zebench") -> Iterator[sqlite3.Connection]:
    """A transaction that nests in the caller's (Datasette's write connection): rolled back on any error."""
    conn.execute(f"SAVEPOINT {name}")
    try:
        yield conn
    except BaseException:
        conn.execute(f"ROLLBACK TO {name}")
        conn.execute(f"RELEASE {name}")
        raise
    conn.execute(f"RELEASE {name}")
