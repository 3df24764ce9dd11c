"""The original project's read shapes and definitions (the unversioned /api/* paths; models.Original*): its keys,
JSON text for metadata and details, evaluations as sent, batch times in epoch ms, completed-only statistics."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ...constants import ORIGINAL_RUN_FILTERS
from ...models import (
    OriginalAgentStats,
    OriginalStats,
    epoch_ms,
)
from ..sql import dumps, loads
from .common import _checked, _fetch, _shape

_ORIGINAL_RUN_COLUMNS = (
    "id, run_id, batch_id, suite, scenario, tier, agent, model, status, started_at, completed_at, "
    "total_score, weighted_score, is_successful, success_metric, specialist_enabled, "
    "specialist_name, specialist_version, metadata, error"
)


_ORIGINAL_RUN_KEYS = (
    "id",
    "runId",
    "batchId",
    "suite",
    "scenario",
    "tier",
    "agent",
    "model",
    "status",
    "startedAt",
    "completedAt",
    "totalScore",
    "weightedScore",
    "isSuccessful",
    "successMetric",
    "specialistEnabled",
    "specialistName",
    "specialistVersion",
    "metadata",
)


def _original_run(row: tuple[Any, ...]) -> dict[str, Any]:
    """A run row (a tuple of _ORIGINAL_RUN_COLUMNS; tuples, as these answers reach 10,000 rows) in the original's
    shape. metadata is the stored JSON text; a zebench failure's message is added as metadata.error (where the
    original's dashboard looks for it) when the metadata has none."""
    out = dict(zip(_ORIGINAL_RUN_KEYS, row, strict=False))  # row ends with error, not a key
    out["isSuccessful"], out["specialistEnabled"] = bool(row[13]), bool(row[15])
    error = row[19]
    if error is not None:
        parsed = loads(row[18]) if row[18] else {}
        if isinstance(parsed, dict) and "error" not in parsed:
            out["metadata"] = dumps({**parsed, "error": error})
    return out


def query_original_runs(
    conn: sqlite3.Connection, filters: dict[str, str] | None = None, *, limit: int = 50
) -> list[dict[str, Any]]:
    """The original's GET /api/runs: newest startedAt first (ties: newest row), exact-match filters on
    ORIGINAL_RUN_FILTERS. Indexes (status|agent|suite|scenario, started_at) keep a filtered page an index walk."""
    where, params = [], []
    for key, value in (filters or {}).items():
        if key not in ORIGINAL_RUN_FILTERS:
            raise ValueError(f"unknown filter {key!r}")
        where.append(f"{key} = ?")
        params.append(value)
    sql = (
        f"SELECT {_ORIGINAL_RUN_COLUMNS} FROM benchmark_runs {'WHERE ' + ' AND '.join(where) if where else ''} "
        "ORDER BY started_at DESC, id DESC LIMIT ?"
    )
    return [_original_run(r) for r in conn.execute(sql, (*params, limit))]


def _original_evaluation(row: dict[str, Any]) -> dict[str, Any]:
    details = row["details"]
    if details is not None and details.startswith('"'):
        details = json.loads(details)  # text, as it was sent
    elif details == "null":
        details = None  # else: an object or list, as its JSON text
    return {
        "id": row["id"],
        "runId": row["run_id"],
        "evaluatorName": row["evaluator_name"],
        "score": row["score"],
        "maxScore": row["max_score"],
        "details": details,
        "createdAt": row["created_at"],
    }


#: Evaluations the original's shape can hold: a numeric score (its dashboard calls score.toFixed()).
_ORIGINAL_EVALUATIONS = (
    "SELECT id, run_id, evaluator_name, score, max_score, details, created_at FROM "
    "evaluation_results WHERE run_id = ? AND applicable AND score IS NOT NULL ORDER BY id"
)


def query_original_evaluations(conn: sqlite3.Connection, run_id: str) -> list[dict[str, Any]]:
    """A run's evaluations as sent (score out of maxScore, details as text); not-applicable ones left out.
    [] for an unknown run, as the original."""
    return [_original_evaluation(r) for r in _fetch(conn, _ORIGINAL_EVALUATIONS, (run_id,))]


def query_original_telemetry(conn: sqlite3.Connection, run_id: str) -> dict[str, Any] | None:
    rows = _fetch(
        conn,
        "SELECT id, run_id, tool_calls, tokens_in, tokens_out, cost_usd, duration_ms, workspace_dir, "
        "prompt_sent FROM run_telemetry WHERE run_id = ?",
        (run_id,),
    )
    return _shape(rows[0]) if rows else None


def query_original_run_detail(conn: sqlite3.Connection, run_id: str) -> dict[str, Any] | None:
    row = conn.execute(f"SELECT {_ORIGINAL_RUN_COLUMNS} FROM benchmark_runs WHERE run_id = ?", (run_id,)).fetchone()
    if row is None:
        return None
    return {
        "run": _original_run(row),
        "evaluations": query_original_evaluations(conn, run_id),
        "telemetry": query_original_telemetry(conn, run_id),
    }


def _original_batch(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "batchId": row["batch_id"],
        "createdAt": epoch_ms(row["created_at"]) or 0,
        "completedAt": epoch_ms(row["completed_at"]),
        "totalRuns": row["total_runs"] or 0,
        "successfulRuns": row["successful_runs"] or 0,
        "avgScore": row["avg_score"],
        "avgWeightedScore": row["avg_weighted_score"],
        "metadata": row["metadata"],
    }


_ORIGINAL_BATCH_COLUMNS = (
    "batch_id, created_at, completed_at, total_runs, successful_runs, avg_score, avg_weighted_score, metadata"
)


def query_original_batches(conn: sqlite3.Connection, *, limit: int = 20) -> list[dict[str, Any]]:
    """The original's GET /api/batches: newest createdAt first; createdAt/completedAt in epoch ms."""
    return [
        _original_batch(r)
        for r in _fetch(
            conn,
            f"SELECT {_ORIGINAL_BATCH_COLUMNS} FROM batch_runs ORDER BY created_at DESC, batch_id DESC LIMIT ?",
            (limit,),
        )
    ]


def query_original_batch_detail(conn: sqlite3.Connection, batch_id: str) -> dict[str, Any] | None:
    """The original's GET /api/batches/<id>: the batch row and every one of its runs, oldest startedAt first."""
    rows = _fetch(conn, f"SELECT {_ORIGINAL_BATCH_COLUMNS} FROM batch_runs WHERE batch_id = ?", (batch_id,))
    if not rows:
        return None
    runs = conn.execute(
        f"SELECT {_ORIGINAL_RUN_COLUMNS} FROM benchmark_runs WHERE batch_id = ? ORDER BY started_at, id", (batch_id,)
    )
    return {**_original_batch(rows[0]), "runs": [_original_run(r) for r in runs]}


def query_original_stats(conn: sqlite3.Connection) -> dict[str, Any]:
    """The original's GET /api/stats, over completed runs only: their count, successful ones, mean totalScore
    and mean weightedScore (null without runs). From the agg_status_agents summary (m009)."""
    runs, successful, total_scored, sum_total, scored, sum_weighted = conn.execute(
        "SELECT COALESCE(SUM(runs), 0), COALESCE(SUM(CASE WHEN is_successful = 1 THEN runs END), 0), "
        "COALESCE(SUM(total_scored), 0), COALESCE(SUM(sum_total_score), 0), COALESCE(SUM(scored), 0), "
        "COALESCE(SUM(sum_weighted), 0) FROM agg_status_agents WHERE status = 'completed'"
    ).fetchone()
    return _checked(
        OriginalStats,
        {
            "totalRuns": runs,
            "successfulRuns": successful,
            "avgScore": sum_total / total_scored if total_scored else None,
            "avgWeightedScore": sum_weighted / scored if scored else None,
        },
    )


def query_original_agent_stats(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """The original's GET /api/stats/agents: per agent over its completed and successful runs, their count and
    mean, min and max weightedScore; highest mean first."""
    rows = [
        _checked(
            OriginalAgentStats,
            {
                "agent": agent,
                "runs": runs,
                "avgScore": sum_weighted / scored if scored else None,
                "minScore": low,
                "maxScore": high,
            },
        )
        for agent, runs, scored, sum_weighted, low, high in conn.execute(
            "SELECT agent, runs, scored, sum_weighted, min_weighted, max_weighted FROM agg_status_agents "
            "WHERE status = 'completed' AND is_successful = 1 AND runs > 0"
        )
    ]
    # SQLite's ORDER BY avgScore DESC puts NULL last; so does this (then by agent, for a stable order)
    return sorted(rows, key=lambda r: (r["avgScore"] is None, -(r["avgScore"] or 0), r["agent"]))
