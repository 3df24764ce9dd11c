"""Runs and batches read back as the records they were written from (the Store, resume, the batch summary)."""

from __future__ import annotations

import sqlite3
from typing import Any

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
from ..sql import counts_sql, loads
from .common import _fetch
from .runs import _read_runs, _StoredRun


def _record(stored: _StoredRun) -> RunRecord:
    """The RunRecord a run was written from (writes.run_rows in reverse)."""
    row = stored.run
    failure = (
        Failure(category=row["failure_category"], stage=row["failure_stage"] or "", message=row["error"] or "")
        if row["failure_category"]
        else None
    )
    evaluations = [
        Evaluation(
            evaluator_name=e["evaluator_name"],
            score=e["score"],
            max_score=e["max_score"] or 1.0,
            applicable=bool(e["applicable"]),
            weight=e["weight"],
            kind=e["kind"],
            details=loads(e["details"]),
            error=e["error"],
            cost_usd=e["cost_usd"],
        )
        for e in stored.evaluations
    ]
    telemetry = None
    if stored.telemetry is not None:
        stage_ms = loads(stored.telemetry["stage_ms"]) or {}
        telemetry = Telemetry.model_validate({**stored.telemetry, "stage_ms": stage_ms})
    diff = None
    if row["has_diff"]:
        diff = Diff(
            files=[
                DiffFile(
                    path=f["path"],
                    change=f["change"],
                    binary=bool(f["binary"]),
                    additions=f["additions"],
                    deletions=f["deletions"],
                    patch=f["patch"],
                    patch_truncated=bool(f["patch_truncated"]),
                )
                for f in stored.files
            ],
            dependency_changes=[
                DependencyChange(
                    manifest=c["manifest"], section=c["section"], name=c["name"], before=c["before"], after=c["after"]
                )
                for c in stored.dependency_changes
            ],
        )
    transcript = None
    if row["has_transcript"]:
        transcript = Transcript(
            messages=[Message(role=m["role"], content=loads(m["content"])) for m in stored.messages or []],
            tool_calls=[
                ToolCallRecord(
                    seq=c["seq"],
                    name=c["name"],
                    input=loads(c["input"]) or {},
                    output=c["output"],
                    is_error=bool(c["is_error"]),
                    duration_ms=c["duration_ms"],
                )
                for c in stored.tool_calls or []
            ],
        )
    manifest = None
    if stored.manifest is not None:
        manifest = Manifest.model_validate({**stored.manifest, "settings": loads(stored.manifest["settings"]) or {}})
    return RunRecord(
        run_id=row["run_id"],
        batch_id=row["batch_id"],
        suite=row["suite"],
        scenario=row["scenario"],
        tier=row["tier"],
        agent=row["agent"],
        model=row["model"],
        status=row["status"],
        started_at=row["started_at"],
        completed_at=row["completed_at"],
        total_score=row["total_score"],
        weighted_score=row["weighted_score"],
        is_successful=bool(row["is_successful"]),
        success_metric=row["success_metric"],
        specialist_enabled=bool(row["specialist_enabled"]),
        specialist_name=row["specialist_name"],
        specialist_version=row["specialist_version"],
        repeat_index=row["repeat_index"],
        failure=failure,
        metadata=loads(row["metadata"]) or {},
        evaluations=evaluations,
        telemetry=telemetry,
        validation=[ValidationResult.model_validate(v) for v in stored.validation],
        baseline=[ValidationResult.model_validate(v) for v in stored.baseline],
        diff=diff,
        transcript=transcript,
        manifest=manifest,
    )


def read_run(conn: sqlite3.Connection, run_id: str) -> RunRecord | None:
    """A stored run as the RunRecord it was written from."""
    stored = _read_runs(conn, "run_id = ?", (run_id,), transcripts=True)
    return _record(stored[0]) if stored else None


def read_batch(conn: sqlite3.Connection, batch_id: str) -> BatchRecord | None:
    rows = _fetch(
        conn,
        "SELECT batch_id, created_at, completed_at, total_runs, successful_runs, failed_runs, "
        "expected_runs, avg_score, avg_weighted_score, metadata FROM batch_runs WHERE batch_id = ?",
        (batch_id,),
    )
    if not rows:
        return None
    row = rows[0]
    row["metadata"] = loads(row["metadata"]) or {}
    return BatchRecord.model_validate(row)


def batch_keys(conn: sqlite3.Connection, batch_id: str) -> set[tuple[str, str, str, str, str, int]]:
    """Matrix keys of the runs of a batch that count as done (every status but cancelled)."""
    rows = conn.execute(
        "SELECT suite, scenario, tier, agent, COALESCE(model, ''), repeat_index FROM benchmark_runs "
        f"WHERE batch_id = ? AND {counts_sql('runs')}",
        (batch_id,),
    ).fetchall()
    return {(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows}


def run_ids(conn: sqlite3.Connection, batch_id: str | None = None) -> list[str]:
    """Run ids in the order they were first stored (of one batch, with ``batch_id``)."""
    if batch_id is None:
        return [r[0] for r in conn.execute("SELECT run_id FROM benchmark_runs ORDER BY id")]
    return [r[0] for r in conn.execute("SELECT run_id FROM benchmark_runs WHERE batch_id = ? ORDER BY id", (batch_id,))]


def run_summaries(conn: sqlite3.Connection, batch_id: str) -> list[dict[str, Any]]:
    """The columns the batch summary table shows, one row per counted run of the batch (cancelled attempts are
    not runs); ``successful`` as COUNT_CONDITIONS defines it."""
    return _fetch(
        conn,
        "SELECT r.run_id, r.suite, r.scenario, r.tier, r.agent, r.model, r.status, r.weighted_score, "
        f"{counts_sql('successful', 'r')} AS is_successful, r.success_metric, r.failure_category, r.error, "
        "r.evaluator_errors, t.cost_usd, t.judge_cost_usd "
        "FROM benchmark_runs r LEFT JOIN run_telemetry t ON t.run_id = r.run_id "
        f"WHERE r.batch_id = ? AND {counts_sql('runs', 'r')} "
        "ORDER BY r.suite, r.scenario, r.tier, r.agent, r.model, r.repeat_index",
        (batch_id,),
    )
