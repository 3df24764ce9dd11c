"""zebench's batches (/api/v2/batches): pages of batches, a batch's detail with its denominators and breakdowns."""

from __future__ import annotations

import sqlite3
from typing import Any

from ...constants import MAX_PAGE
from ...models import (
    BatchDetail,
    BatchRow,
)
from ..sql import counts_sql, run_counts_columns
from .common import _RUN_COLUMNS, _checked, _fetch, _run_row, _shape, batch_complete, decode_cursor, encode_cursor

_BATCH_COLUMNS = (
    "batch_id, created_at, completed_at, total_runs, successful_runs, failed_runs, expected_runs, "
    "avg_score, avg_weighted_score, metadata, agent_failed_runs, infra_failed_runs, scored_runs, "
    "cancelled_runs, evaluator_error_runs"
)


_DENOMINATOR_COLUMNS = (
    "agent_failed_runs",
    "infra_failed_runs",
    "scored_runs",
    "cancelled_runs",
    "evaluator_error_runs",
)


def _batch_row(row: dict[str, Any]) -> dict[str, Any]:
    denominators = batch_denominators(row)
    shaped = _shape({k: v for k, v in row.items() if k not in _DENOMINATOR_COLUMNS}, ("metadata",))
    shaped["metadata"] = shaped.get("metadata") or {}
    shaped["complete"] = denominators["complete"]
    shaped["denominators"] = denominators
    return shaped


def batch_denominators(row: dict[str, Any]) -> dict[str, Any]:
    """Expected, stored, completed, agent-failed, infrastructure-failed and missing runs of a batch, its cancelled
    attempts and runs with evaluator errors, whether it is complete (batch_complete), and success and score with
    infrastructure failures (counted as unsuccessful, score 0) and without them (left out). Read from the batch
    row, which refresh_batch_aggregates keeps up to date with the counts of COUNT_CONDITIONS."""
    runs, infra = row.get("total_runs") or 0, row.get("infra_failed_runs") or 0
    scored, agent_failed = row.get("scored_runs") or 0, row.get("agent_failed_runs") or 0
    successful, expected, avg = row.get("successful_runs") or 0, row.get("expected_runs"), row.get("avg_weighted_score")
    return {
        "expectedRuns": expected,
        "runs": runs,
        "missingRuns": max(0, expected - runs) if expected else 0,
        "completedRuns": runs - agent_failed - infra,
        "agentFailures": agent_failed,
        "infraFailures": infra,
        "successfulRuns": successful,
        "cancelledAttempts": row.get("cancelled_runs") or 0,
        "evaluatorErrorRuns": row.get("evaluator_error_runs") or 0,
        "complete": batch_complete(expected, runs, row.get("completed_at")),
        "successRate": successful / runs if runs else None,
        "successRateExclInfra": successful / (runs - infra) if runs - infra else None,
        "avgWeightedScore": avg,
        "avgWeightedScoreWithInfra": avg * scored / (scored + infra) if avg is not None and scored + infra else None,
    }


def query_batches(
    conn: sqlite3.Connection, *, limit: int = 20, cursor: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """Batches newest first, keyset-paginated on (created_at, batch_id)."""
    where, params = "", []
    if cursor:
        values = decode_cursor(cursor)
        if len(values) != 2 or not all(isinstance(v, str) for v in values):
            raise ValueError("invalid cursor")
        where, params = "WHERE (created_at, batch_id) < (?, ?)", values
    limit = max(1, min(limit, MAX_PAGE))
    rows = _fetch(
        conn,
        f"SELECT {_BATCH_COLUMNS} FROM batch_runs {where} ORDER BY created_at DESC, batch_id DESC LIMIT ?",
        [*params, limit + 1],
    )
    last = rows[limit - 1] if len(rows) > limit else None
    next_cursor = encode_cursor(last["created_at"], last["batch_id"]) if last else None
    return [_checked(BatchRow, _batch_row(r)) for r in rows[:limit]], next_cursor


def _breakdown(conn: sqlite3.Connection, batch_id: str, columns: list[str]) -> list[dict[str, Any]]:
    """The batch's counted runs grouped by ``columns``: always per configuration (agent and model), so that no
    figure pools configurations."""
    columns = [*columns, *(c for c in ("agent", "model") if c not in columns)]
    cols = ", ".join(columns)
    rows = _fetch(
        conn,
        f"""
        SELECT {cols}, {run_counts_columns()},
               AVG(weighted_score) AS avg_weighted_score, AVG(total_score) AS avg_score,
               SUM(cost_usd) AS total_cost_usd, COUNT(cost_usd) AS cost_runs
        FROM benchmark_runs WHERE batch_id = ? AND {counts_sql("runs")} GROUP BY {cols} ORDER BY {cols}""",
        (batch_id,),
    )
    out = []
    for r in rows:
        cost_runs = r.pop("cost_runs")
        shaped = _shape(r)
        shaped["successRate"] = r["successful_runs"] / r["runs"] if r["runs"] else None
        # the total of the runs whose cost is known; "unknown" (None) only when none is
        shaped["totalCostUsd"] = r["total_cost_usd"] if cost_runs else None
        shaped["costUnknownRuns"] = r["runs"] - cost_runs
        out.append(shaped)
    return out


#: Runs embedded in a batch's detail; the rest are paged from /api/runs?batchId=...
BATCH_RUNS_EMBEDDED = 100


def query_batch_detail(
    conn: sqlite3.Connection, batch_id: str, runs_limit: int = BATCH_RUNS_EMBEDDED
) -> dict[str, Any] | None:
    rows = _fetch(conn, f"SELECT {_BATCH_COLUMNS} FROM batch_runs WHERE batch_id = ?", (batch_id,))
    if not rows:
        return None
    batch = _batch_row(rows[0])
    runs = _fetch(
        conn,
        f"SELECT {_RUN_COLUMNS} FROM benchmark_runs WHERE batch_id = ? ORDER BY id LIMIT ?",
        (batch_id, runs_limit),
    )
    evaluators = _fetch(
        conn,
        f"""
        SELECT e.evaluator_name, COUNT(*) AS runs, SUM(e.applicable) AS applicable_runs,
               AVG(CASE WHEN e.applicable THEN e.normalized_score END) AS avg_score,
               AVG(CASE WHEN e.applicable THEN e.normalized_score = 1.0 END) AS pass_rate,
               SUM(e.error IS NOT NULL) AS errors
        FROM evaluation_results e JOIN benchmark_runs r ON r.run_id = e.run_id
        WHERE r.batch_id = ? AND {counts_sql("runs", "r")} GROUP BY e.evaluator_name ORDER BY e.evaluator_name""",
        (batch_id,),
    )
    failures = _fetch(
        conn,
        f"""
        SELECT failure_category AS category, COUNT(*) AS runs FROM benchmark_runs
        WHERE batch_id = ? AND {counts_sql("failed")} GROUP BY failure_category ORDER BY runs DESC""",
        (batch_id,),
    )
    errors = _fetch(
        conn,
        f"""
        SELECT e.evaluator_name, COUNT(*) AS runs, MIN(e.error) AS example FROM evaluation_results e
        JOIN benchmark_runs r ON r.run_id = e.run_id
        WHERE r.batch_id = ? AND {counts_sql("runs", "r")} AND e.error IS NOT NULL
        GROUP BY e.evaluator_name ORDER BY runs DESC, e.evaluator_name""",
        (batch_id,),
    )
    batch["runs"] = [_run_row(r) for r in runs]
    batch["runsIncluded"] = len(runs)
    batch["runsTotal"] = conn.execute("SELECT COUNT(*) FROM benchmark_runs WHERE batch_id = ?", (batch_id,)).fetchone()[
        0
    ]
    batch["breakdowns"] = {
        "bySuite": _breakdown(conn, batch_id, ["suite"]),
        "byAgent": _breakdown(conn, batch_id, ["agent", "model"]),
        "byTier": _breakdown(conn, batch_id, ["tier"]),
        "byEvaluator": [_shape(r) for r in evaluators],
        "failuresByCategory": [{**_shape(r), "category": r["category"] or "unknown"} for r in failures],
        "evaluatorErrors": [_shape(r) for r in errors],
    }
    return _checked(BatchDetail, batch)
