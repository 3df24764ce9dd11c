"""zebench's batches (/api/v2/batches): pages of batches, a batch's detail with its denominators and breakdowns."""

from __future__ import annotations

import sqlite3
from typing import Any, cast

from pydantic.alias_generators import to_camel

from ...constants import MAX_PAGE
from ...models.run import BATCHES
from ...models.shapes import BatchDetailDict, BatchRowDict, BreakdownRowDict, DenominatorsDict
from ..rows import Reader, decoder, select_list
from ..sql import counts_sql, run_counts_columns
from .common import _fetch, batch_complete, decode_cursor, encode_cursor
from .runs import _RUN_SELECT, _run_row

#: Every column of the batch row: zebench's shape, and the counts its denominators are made of.
_BATCH_SELECT = select_list(BATCHES, BATCHES.columns)
_read_batch = Reader(BATCHES.columns, None)
_BATCH_SHAPE = [(c.key, c.name, decoder(c, "v2")) for c in BATCHES.shape("v2")]


def _batch_row(values: Any) -> BatchRowDict:
    row = _read_batch(values)
    out = {key: decode(row[name]) if decode else row[name] for key, name, decode in _BATCH_SHAPE}
    denominators = batch_denominators(row)
    out["complete"] = denominators["complete"]
    out["denominators"] = denominators
    return cast(BatchRowDict, out)


def batch_denominators(row: dict[str, Any]) -> DenominatorsDict:
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
) -> tuple[list[BatchRowDict], str | None]:
    """Batches newest first, keyset-paginated on (created_at, batch_id)."""
    where, params = "", []
    if cursor:
        values = decode_cursor(cursor)
        if len(values) != 2 or not all(isinstance(v, str) for v in values):
            raise ValueError("invalid cursor")
        where, params = "WHERE (created_at, batch_id) < (?, ?)", values
    limit = max(1, min(limit, MAX_PAGE))
    sql = f"SELECT {_BATCH_SELECT} FROM batch_runs {where} ORDER BY created_at DESC, batch_id DESC LIMIT ?"
    rows = [_batch_row(r) for r in conn.execute(sql, (*params, limit + 1))]
    last = rows[limit - 1] if len(rows) > limit else None
    next_cursor = encode_cursor(last["createdAt"], last["batchId"]) if last else None
    return rows[:limit], next_cursor


def _breakdown(conn: sqlite3.Connection, batch_id: str, columns: list[str]) -> list[BreakdownRowDict]:
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
        shaped = {to_camel(k): v for k, v in r.items()}
        shaped["successRate"] = r["successful_runs"] / r["runs"] if r["runs"] else None
        # the total of the runs whose cost is known; "unknown" (None) only when none is
        shaped["totalCostUsd"] = r["total_cost_usd"] if cost_runs else None
        shaped["costUnknownRuns"] = r["runs"] - cost_runs
        out.append(cast(BreakdownRowDict, shaped))
    return out


#: Runs embedded in a batch's detail; the rest are paged from /api/runs?batchId=...
BATCH_RUNS_EMBEDDED = 100


def query_batch_detail(
    conn: sqlite3.Connection, batch_id: str, runs_limit: int = BATCH_RUNS_EMBEDDED
) -> BatchDetailDict | None:
    row = conn.execute(f"SELECT {_BATCH_SELECT} FROM batch_runs WHERE batch_id = ?", (batch_id,)).fetchone()
    if row is None:
        return None
    batch: dict[str, Any] = dict(_batch_row(row))
    sql = f"SELECT {_RUN_SELECT} FROM benchmark_runs WHERE batch_id = ? ORDER BY id LIMIT ?"
    runs = [_run_row(r) for r in conn.execute(sql, (batch_id, runs_limit))]
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
    batch["runs"] = runs
    batch["runsIncluded"] = len(runs)
    (batch["runsTotal"],) = conn.execute(
        "SELECT COUNT(*) FROM benchmark_runs WHERE batch_id = ?", (batch_id,)
    ).fetchone()
    batch["breakdowns"] = {
        "bySuite": _breakdown(conn, batch_id, ["suite"]),
        "byAgent": _breakdown(conn, batch_id, ["agent", "model"]),
        "byTier": _breakdown(conn, batch_id, ["tier"]),
        "byEvaluator": [{to_camel(k): v for k, v in r.items()} for r in evaluators],
        "failuresByCategory": [{**r, "category": r["category"] or "unknown"} for r in failures],
        "evaluatorErrors": [{to_camel(k): v for k, v in r.items()} for r in errors],
    }
    return cast(BatchDetailDict, batch)
