"""The original project's read shapes and definitions (the unversioned /api/* paths; models.Original*): its keys,
JSON text for metadata and details, evaluations as sent, batch times in epoch ms, completed-only statistics."""

from __future__ import annotations

import json
import sqlite3
from typing import Any, cast

from ...constants import ORIGINAL_RUN_FILTERS
from ...models import epoch_ms
from ...models.run import BATCHES, EVALUATIONS, RUNS, TELEMETRY
from ...models.shapes import (
    OriginalAgentStatsDict,
    OriginalBatchDetailDict,
    OriginalBatchDict,
    OriginalEvaluationDict,
    OriginalRunDetailDict,
    OriginalRunDict,
    OriginalStatsDict,
    OriginalTelemetryDict,
)
from ..rows import Reader, select_list, shape_reader
from ..sql import dumps, loads
from .common import public_metadata_text

#: The original's run keys (RUNS.keys("original")) and, after them, the failure message (see _original_run).
_RUN_COLUMNS = (*RUNS.shape("original"), RUNS.column("error"))
_RUN_SELECT = select_list(RUNS, _RUN_COLUMNS)
_read_run = Reader(_RUN_COLUMNS, "original")


def _original_run(row: Any) -> OriginalRunDict:
    """A run row in the original's shape (read as tuples: these answers reach 10,000 rows). metadata is the stored
    JSON text; a zebench failure's message is added as metadata.error (where the original's dashboard looks for
    it) when the metadata has none."""
    out = _read_run(row)
    error = out.pop("error")
    if error is not None:
        parsed = loads(out["metadata"]) if out["metadata"] else {}
        if isinstance(parsed, dict) and "error" not in parsed:
            out["metadata"] = dumps({**parsed, "error": error})
    return cast(OriginalRunDict, out)


def query_original_runs(
    conn: sqlite3.Connection, filters: dict[str, str] | None = None, *, limit: int = 50
) -> list[OriginalRunDict]:
    """The original's GET /api/runs: newest startedAt first (ties: newest row), exact-match filters on
    ORIGINAL_RUN_FILTERS. Indexes (status|agent|suite|scenario, started_at) keep a filtered page an index walk."""
    where, params = [], []
    for key, value in (filters or {}).items():
        if key not in ORIGINAL_RUN_FILTERS:
            raise ValueError(f"unknown filter {key!r}")
        where.append(f"{key} = ?")
        params.append(value)
    sql = (
        f"SELECT {_RUN_SELECT} FROM benchmark_runs {'WHERE ' + ' AND '.join(where) if where else ''} "
        "ORDER BY started_at DESC, id DESC LIMIT ?"
    )
    return [_original_run(r) for r in conn.execute(sql, (*params, limit))]


_EVALUATION_SELECT, _read_evaluation = shape_reader(EVALUATIONS, "original")


def _original_evaluation(row: Any) -> OriginalEvaluationDict:
    out = _read_evaluation(row)
    details = out["details"]
    if details is not None and details.startswith('"'):
        out["details"] = json.loads(details)  # text, as it was sent
    elif details == "null":
        out["details"] = None  # else: an object or list, as its JSON text
    return cast(OriginalEvaluationDict, out)


def query_original_evaluations(conn: sqlite3.Connection, run_id: str) -> list[OriginalEvaluationDict]:
    """A run's evaluations as sent (score out of maxScore, details as text); not-applicable ones left out (the
    original's shape holds a numeric score: its dashboard calls score.toFixed()). [] for an unknown run, as the
    original."""
    sql = (
        f"SELECT {_EVALUATION_SELECT} FROM evaluation_results WHERE run_id = ? AND applicable AND score IS NOT NULL "
        "ORDER BY id"
    )
    return [_original_evaluation(r) for r in conn.execute(sql, (run_id,))]


_TELEMETRY_SELECT, _read_telemetry = shape_reader(TELEMETRY, "original")


def query_original_telemetry(conn: sqlite3.Connection, run_id: str) -> OriginalTelemetryDict | None:
    row = conn.execute(f"SELECT {_TELEMETRY_SELECT} FROM run_telemetry WHERE run_id = ?", (run_id,)).fetchone()
    return None if row is None else cast(OriginalTelemetryDict, _read_telemetry(row))


def query_original_run_detail(conn: sqlite3.Connection, run_id: str) -> OriginalRunDetailDict | None:
    row = conn.execute(f"SELECT {_RUN_SELECT} FROM benchmark_runs WHERE run_id = ?", (run_id,)).fetchone()
    if row is None:
        return None
    return {
        "run": _original_run(row),
        "evaluations": query_original_evaluations(conn, run_id),
        "telemetry": query_original_telemetry(conn, run_id),
    }


_BATCH_SELECT, _read_batch = shape_reader(BATCHES, "original")


def _original_batch(row: Any) -> OriginalBatchDict:
    out = _read_batch(row)
    out["createdAt"] = epoch_ms(out["createdAt"]) or 0
    out["completedAt"] = epoch_ms(out["completedAt"])
    out["totalRuns"] = out["totalRuns"] or 0
    out["successfulRuns"] = out["successfulRuns"] or 0
    out["metadata"] = public_metadata_text(out["metadata"])
    return cast(OriginalBatchDict, out)


def query_original_batches(conn: sqlite3.Connection, *, limit: int = 20) -> list[OriginalBatchDict]:
    """The original's GET /api/batches: newest createdAt first; createdAt/completedAt in epoch ms."""
    sql = f"SELECT {_BATCH_SELECT} FROM batch_runs ORDER BY created_at DESC, batch_id DESC LIMIT ?"
    return [_original_batch(r) for r in conn.execute(sql, (limit,))]


def query_original_batch_detail(conn: sqlite3.Connection, batch_id: str) -> OriginalBatchDetailDict | None:
    """The original's GET /api/batches/<id>: the batch row and every one of its runs, oldest startedAt first."""
    row = conn.execute(f"SELECT {_BATCH_SELECT} FROM batch_runs WHERE batch_id = ?", (batch_id,)).fetchone()
    if row is None:
        return None
    runs = conn.execute(
        f"SELECT {_RUN_SELECT} FROM benchmark_runs WHERE batch_id = ? ORDER BY started_at, id", (batch_id,)
    )
    return cast(OriginalBatchDetailDict, {**_original_batch(row), "runs": [_original_run(r) for r in runs]})


def query_original_stats(conn: sqlite3.Connection) -> OriginalStatsDict:
    """The original's GET /api/stats, over completed runs only: their count, successful ones, mean totalScore
    and mean weightedScore (null without runs). From the agg_status_agents summary (m009)."""
    runs, successful, total_scored, sum_total, scored, sum_weighted = conn.execute(
        "SELECT COALESCE(SUM(runs), 0), COALESCE(SUM(CASE WHEN is_successful = 1 THEN runs END), 0), "
        "COALESCE(SUM(total_scored), 0), COALESCE(SUM(sum_total_score), 0), COALESCE(SUM(scored), 0), "
        "COALESCE(SUM(sum_weighted), 0) FROM agg_status_agents WHERE status = 'completed'"
    ).fetchone()
    return {
        "totalRuns": runs,
        "successfulRuns": successful,
        "avgScore": sum_total / total_scored if total_scored else None,
        "avgWeightedScore": sum_weighted / scored if scored else None,
    }


def query_original_agent_stats(conn: sqlite3.Connection) -> list[OriginalAgentStatsDict]:
    """The original's GET /api/stats/agents: per agent over its completed and successful runs, their count and
    mean, min and max weightedScore; highest mean first."""
    rows: list[OriginalAgentStatsDict] = [
        {
            "agent": agent,
            "runs": runs,
            "avgScore": sum_weighted / scored if scored else None,
            "minScore": low,
            "maxScore": high,
        }
        for agent, runs, scored, sum_weighted, low, high in conn.execute(
            "SELECT agent, runs, scored, sum_weighted, min_weighted, max_weighted FROM agg_status_agents "
            "WHERE status = 'completed' AND is_successful = 1 AND runs > 0"
        )
    ]
    # SQLite's ORDER BY avgScore DESC puts NULL last; so does this (then by agent, for a stable order)
    return sorted(rows, key=lambda r: (r["avgScore"] is None, -(r["avgScore"] or 0), r["agent"]))
