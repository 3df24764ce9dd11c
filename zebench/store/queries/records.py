"""Runs and batches read back as the records they were written from (the Store, resume, the batch summary)."""

from __future__ import annotations

import sqlite3
from typing import Any, cast

from ...models import (
    BatchRecord,
    DependencyChange,
    Diff,
    DiffFile,
    Evaluation,
    Failure,
    Manifest,
    Message,
    RunRecord,
    Telemetry,
    ToolCallRecord,
    Transcript,
    ValidationResult,
)
from ...models.run import (
    BASELINE,
    BATCHES,
    DEPENDENCY_CHANGES,
    DIFF_FILES,
    EVALUATIONS,
    MANIFESTS,
    MESSAGES,
    RUNS,
    TELEMETRY,
    TOOL_CALLS,
    VALIDATION,
    Table,
)
from ...models.shapes import RunRowDict
from ..rows import Reader, record_fields, select_list
from ..sql import counts_sql
from .runs import _RUN_SELECT, StoredRun, _run_row, read_runs


def _failure(row: dict[str, Any]) -> Failure | None:
    """The failure the run's failure columns hold (those written from ``failure.*``)."""
    parts = {str(c.source).split(".")[1]: row[c.name] for c in RUNS.written() if str(c.source).startswith("failure.")}
    if not parts["category"]:
        return None
    return Failure(category=parts["category"], stage=parts["stage"] or "", message=parts["message"] or "")


def _record(stored: StoredRun) -> RunRecord:
    """The RunRecord a run was written from (writes.run_rows in reverse)."""
    row, parts = stored.run, stored.parts

    def rows(table: Table, model: Any) -> list[Any]:
        return [model.model_validate(record_fields(table, r, model)) for r in parts.get(table.name, [])]

    def one(table: Table, model: Any) -> Any:
        found = rows(table, model)
        return found[0] if found else None

    diff = transcript = None
    if row["has_diff"]:
        diff = Diff(files=rows(DIFF_FILES, DiffFile), dependency_changes=rows(DEPENDENCY_CHANGES, DependencyChange))
    if row["has_transcript"]:
        transcript = Transcript(messages=rows(MESSAGES, Message), tool_calls=rows(TOOL_CALLS, ToolCallRecord))
    return RunRecord.model_validate(
        {
            **record_fields(RUNS, row, RunRecord),
            "failure": _failure(row),
            "evaluations": rows(EVALUATIONS, Evaluation),
            "telemetry": one(TELEMETRY, Telemetry),
            "validation": rows(VALIDATION, ValidationResult),
            "baseline": rows(BASELINE, ValidationResult),
            "diff": diff,
            "transcript": transcript,
            "manifest": one(MANIFESTS, Manifest),
        }
    )


def read_run(conn: sqlite3.Connection, run_id: str) -> RunRecord | None:
    """A stored run as the RunRecord it was written from."""
    stored = read_runs(conn, "run_id = ?", (run_id,), shape=None, transcripts=True)
    return _record(stored[0]) if stored else None


_BATCH_COLUMNS = BATCHES.written()
_read_batch = Reader(_BATCH_COLUMNS, None)


def read_batch(conn: sqlite3.Connection, batch_id: str) -> BatchRecord | None:
    row = conn.execute(
        f"SELECT {select_list(BATCHES, _BATCH_COLUMNS)} FROM batch_runs WHERE batch_id = ?", (batch_id,)
    ).fetchone()
    if row is None:
        return None
    return BatchRecord.model_validate(record_fields(BATCHES, _read_batch(row), BatchRecord))


def batch_keys(conn: sqlite3.Connection, batch_id: str) -> set[tuple[str, str, str, str, str, str, int]]:
    """Matrix keys of the runs of a batch that count as done (every status but cancelled); the specialist as
    ``name@version`` ("" without one)."""
    rows = conn.execute(
        "SELECT suite, scenario, tier, agent, COALESCE(model, ''), "
        "CASE WHEN specialist_enabled THEN COALESCE(specialist_name || '@' || specialist_version, '') ELSE '' END, "
        f"repeat_index FROM benchmark_runs WHERE batch_id = ? AND {counts_sql('runs')}",
        (batch_id,),
    )
    return {cast(tuple[str, str, str, str, str, str, int], tuple(r)) for r in rows}


def run_ids(conn: sqlite3.Connection, batch_id: str | None = None) -> list[str]:
    """Run ids in the order they were first stored (of one batch, with ``batch_id``)."""
    if batch_id is None:
        return [run_id for (run_id,) in conn.execute("SELECT run_id FROM benchmark_runs ORDER BY id")]
    sql = "SELECT run_id FROM benchmark_runs WHERE batch_id = ? ORDER BY id"
    return [run_id for (run_id,) in conn.execute(sql, (batch_id,))]


def run_summaries(conn: sqlite3.Connection, batch_id: str) -> list[RunRowDict]:
    """The runs the batch summary table shows: the counted runs of the batch (cancelled attempts are not runs), by
    item, configuration and repeat."""
    sql = (
        f"SELECT {_RUN_SELECT} FROM benchmark_runs WHERE batch_id = ? AND {counts_sql('runs')} "
        "ORDER BY suite, scenario, tier, agent, model, repeat_index"
    )
    return [_run_row(r) for r in conn.execute(sql, (batch_id,))]
