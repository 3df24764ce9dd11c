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
from dataclasses import dataclass
from typing import Any

from ..isolation.redact import default_redactor, public_path, public_settings, redact
from ..models import BatchRecord, RunRecord, record_problems
from .sql import batch_figures_sql, counts_sql, dumps

#: Child tables of a run, deleted and rewritten together with it.
RUN_CHILD_TABLES = (
    "evaluation_results",
    "run_telemetry",
    "validation_results",
    "baseline_results",
    "run_diff_files",
    "run_dependency_changes",
    "run_messages",
    "run_tool_calls",
    "run_manifests",
)


def _insert(conn: sqlite3.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    sql = f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) VALUES ({', '.join('?' for _ in columns)})"
    conn.executemany(sql, [tuple(row[c] for c in columns) for row in rows])


def run_rows(r: RunRecord) -> dict[str, list[dict[str, Any]]]:
    """The rows of every table for one run record (scripts/bench/api.py writes them directly, to build large
    databases fast)."""
    rows: dict[str, list[dict[str, Any]]] = {}
    rows["benchmark_runs"] = [
        {
            "run_id": r.run_id,
            "batch_id": r.batch_id,
            "suite": r.suite,
            "scenario": r.scenario,
            "tier": r.tier,
            "agent": r.agent,
            "model": r.model,
            "status": r.status,
            "started_at": r.started_at,
            "completed_at": r.completed_at,
            "total_score": r.total_score,
            "weighted_score": r.weighted_score,
            "is_successful": int(r.is_successful),
            "success_metric": r.success_metric,
            "specialist_enabled": int(r.specialist_enabled),
            "specialist_name": r.specialist_name,
            "specialist_version": r.specialist_version,
            "repeat_index": r.repeat_index,
            "failure_category": r.failure.category if r.failure else None,
            "failure_stage": r.failure.stage if r.failure else None,
            "error": r.failure.message if r.failure else None,
            "has_diff": int(r.diff is not None),
            "has_transcript": int(r.transcript is not None),
            "metadata": dumps(r.metadata),
            "cost_usd": r.telemetry.cost_usd if r.telemetry else None,
            "evaluator_errors": sum(e.error is not None for e in r.evaluations),
        }
    ]
    rows["evaluation_results"] = [
        {
            "run_id": r.run_id,
            "evaluator_name": e.evaluator_name,
            "score": e.score,
            "max_score": e.max_score,
            "normalized_score": e.normalized_score,
            "applicable": int(e.applicable),
            "weight": e.weight,
            "kind": e.kind,
            "details": dumps(e.details),
            "error": e.error,
            "created_at": r.completed_at or r.started_at,
            "cost_usd": e.cost_usd,
        }
        for e in r.evaluations
    ]
    if r.telemetry is not None:
        t = r.telemetry
        rows["run_telemetry"] = [
            {
                "run_id": r.run_id,
                "tool_calls": t.tool_calls,
                "tokens_in": t.tokens_in,
                "tokens_out": t.tokens_out,
                "cache_read_tokens": t.cache_read_tokens,
                "cache_write_tokens": t.cache_write_tokens,
                "cost_usd": t.cost_usd,
                "judge_cost_usd": t.judge_cost_usd,
                "duration_ms": t.duration_ms,
                "workspace_dir": public_path(t.workspace_dir),  # no host paths published
                "stage_ms": dumps(t.stage_ms),
                "prompt_sent": t.prompt_sent,
            }
        ]
    rows["validation_results"] = [
        {
            "run_id": r.run_id,
            "seq": i,
            "kind": v.kind,
            "command": v.command,
            "status": v.status,
            "exit_code": v.exit_code,
            "duration_ms": v.duration_ms,
            "output_tail": v.output_tail,
            "baseline_status": v.baseline_status,
        }
        for i, v in enumerate(r.validation)
    ]
    rows["baseline_results"] = [
        {
            "run_id": r.run_id,
            "seq": i,
            "kind": v.kind,
            "command": v.command,
            "status": v.status,
            "exit_code": v.exit_code,
            "duration_ms": v.duration_ms,
            "output_tail": v.output_tail,
        }
        for i, v in enumerate(r.baseline)
    ]
    if r.diff is not None:
        rows["run_diff_files"] = [
            {
                "run_id": r.run_id,
                "seq": i,
                "path": f.path,
                "change": f.change,
                "binary": int(f.binary),
                "additions": f.additions,
                "deletions": f.deletions,
                "patch": f.patch,
                "patch_truncated": int(f.patch_truncated),
            }
            for i, f in enumerate(r.diff.files)
        ]
        rows["run_dependency_changes"] = [
            {
                "run_id": r.run_id,
                "seq": i,
                "manifest": c.manifest,
                "section": c.section,
                "name": c.name,
                "before": c.before,
                "after": c.after,
            }
            for i, c in enumerate(r.diff.dependency_changes)
        ]
    if r.transcript is not None:
        rows["run_messages"] = [
            {
                "run_id": r.run_id,
                "seq": i,
                "role": m.role,
                "content": dumps(m.content),
            }
            for i, m in enumerate(r.transcript.messages)
        ]
        rows["run_tool_calls"] = [
            {
                "run_id": r.run_id,
                "seq": c.seq,
                "name": c.name,
                "input": dumps(c.input),
                "output": c.output,
                "is_error": int(c.is_error),
                "duration_ms": c.duration_ms,
            }
            for c in r.transcript.tool_calls
        ]
    if r.manifest is not None:
        m = r.manifest
        rows["run_manifests"] = [
            {
                "run_id": r.run_id,
                "format_version": m.format_version,
                "zebench_version": m.zebench_version,
                "git_commit": m.git_commit,
                "scenario_hash": m.scenario_hash,
                "prompt_hash": m.prompt_hash,
                "agent": m.agent,
                "model": m.model,
                "settings": dumps(public_settings(m.settings)),
                "python_version": m.python_version,
                "platform": m.platform,
            }
        ]
    return rows


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
    revision = conn.execute("SELECT COALESCE(MAX(revision), 0) + 1 FROM benchmark_runs").fetchone()[0]
    if existing:
        payload = json.dumps(list(existing))
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
    """Recompute a batch's figures from its stored runs, with the counts of COUNT_CONDITIONS (cancelled attempts
    are counted apart, never as runs). A batch whose expected runs are all stored is complete: without a
    completion time, it gets its latest run's (the original's dashboard shows a batch without one as running)."""
    conn.execute(
        f"""
        UPDATE batch_runs SET
          total_runs = agg.total, successful_runs = agg.successful, failed_runs = agg.failed,
          avg_score = agg.avg_score, avg_weighted_score = agg.avg_weighted,
          agent_failed_runs = agg.agent_failed, infra_failed_runs = agg.infra_failed, scored_runs = agg.scored,
          cancelled_runs = agg.cancelled, evaluator_error_runs = agg.evaluator_errors,
          completed_at = COALESCE(
            ?, completed_at,
            CASE WHEN expected_runs IS NOT NULL AND agg.total >= expected_runs THEN agg.last_completed END
          )
        FROM ({batch_figures_sql()}) AS agg
        WHERE batch_id = ?
        """,
        (completed_at, batch_id, batch_id),
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
_BATCH_WRITE_FIELDS = (
    "completed_at",
    "total_runs",
    "successful_runs",
    "failed_runs",
    "expected_runs",
    "avg_score",
    "avg_weighted_score",
    "metadata",
)


def write_batch(conn: sqlite3.Connection, batch: BatchRecord) -> None:
    """Insert a batch row, or update the stored one with the fields the record was given (``model_fields_set``:
    a field left out keeps its value). ``created_at`` stays the first one written: the original's client posts a
    batch at its start and again at its end with a later createdAt. When runs of the batch are stored, its
    aggregates are then recomputed from them (the stored runs are the truth)."""
    batch = redact(batch)
    row = {
        "batch_id": batch.batch_id,
        "created_at": batch.created_at,
        "completed_at": batch.completed_at,
        "total_runs": batch.total_runs,
        "successful_runs": batch.successful_runs,
        "failed_runs": batch.failed_runs,
        "expected_runs": batch.expected_runs,
        "avg_score": batch.avg_score,
        "avg_weighted_score": batch.avg_weighted_score,
        "metadata": dumps(batch.metadata),
    }
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
