"""zebench's batches (/api/v2/batches): pages of batches, a batch's detail with its denominators and breakdowns."""

from __future__ import annotations

import sqlite3
from typing import Any, cast

from ...constants import MAX_PAGE
from ...models.run import BATCHES, CONFIGURATION, RUNS, SUM_TYPES
from ...models.shapes import BatchDetailDict, BatchRowDict, BreakdownRowDict, DenominatorsDict
from .. import figures
from ..rows import Reader, decoder, select_list
from ..sql import BATCH_FIGURES, EVALUATOR_ERROR, counts_sql, sums_columns
from .common import _fetch, batch_complete, decode_cursor, encode_cursor, public_batch_metadata
from .runs import _RUN_SELECT, _run_row

#: Every column of the batch row: zebench's shape, and the counts its denominators are made of.
_BATCH_SELECT = select_list(BATCHES, BATCHES.columns)
_read_batch = Reader(BATCHES.columns, None)
_BATCH_SHAPE = [(c.key, c.name, decoder(c, "v2")) for c in BATCHES.shape("v2")]


def _batch_row(values: Any) -> BatchRowDict:
    row = _read_batch(values)
    out = {key: decode(row[name]) if decode else row[name] for key, name, decode in _BATCH_SHAPE}
    out["metadata"] = public_batch_metadata(out.get("metadata") or {})
    denominators = batch_denominators(row)
    out["complete"] = denominators["complete"]
    out["denominators"] = denominators
    return cast(BatchRowDict, out)


def _batch_sums(row: dict[str, Any]) -> dict[str, Any]:
    """A batch row's figures (by column name) as the sums they are (store.sql.BATCH_FIGURES in reverse). The row
    keeps its mean weighted score, not the sum: the sum is the mean times the scored runs."""
    sums = {name: row.get(column) or 0 for column, name in BATCH_FIGURES.items() if name in SUM_TYPES}
    mean = row.get("avg_weighted_score")
    sums["sum_weighted"] = 0.0 if mean is None else mean * sums["scored"]
    return sums


def batch_denominators(row: dict[str, Any]) -> DenominatorsDict:
    """Expected, stored, completed, agent-failed, infrastructure-failed and missing runs of a batch, its cancelled
    attempts and runs with evaluator errors, whether it is complete (batch_complete), and success and score with
    infrastructure failures (counted as unsuccessful, score 0) and without them (left out). Read from the batch
    row, which refresh_batch_aggregates keeps up to date with store.sql.SUMS (BATCH_FIGURES)."""
    s = _batch_sums(row)
    runs, expected = s["runs"], row.get("expected_runs")
    return {
        "expectedRuns": expected,
        "runs": runs,
        "missingRuns": max(0, expected - runs) if expected else 0,
        "completedRuns": runs - s["agent_failed"] - s["infra_failed"],
        "agentFailures": s["agent_failed"],
        "infraFailures": s["infra_failed"],
        "successfulRuns": s["successful"],
        "cancelledAttempts": row.get("cancelled_runs") or 0,
        "evaluatorErrorRuns": s["evaluator_errors"],
        "complete": batch_complete(expected, runs, row.get("completed_at")),
        "successRate": figures.success_rate(s),
        "successRateExclInfra": figures.success_rate_excl_infra(s),
        "avgWeightedScore": row.get("avg_weighted_score"),
        "avgWeightedScoreWithInfra": figures.mean_weighted_score_with_infra(s),
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
    """The batch's counted runs grouped by ``columns``: always per configuration, so that no figure pools
    configurations."""
    columns = [*columns, *(c for c in CONFIGURATION if c not in columns)]
    cols, keys = ", ".join(columns), [RUNS.column(c).key for c in columns]
    sql = (
        f"SELECT {', '.join(f'{c} AS {k}' for c, k in zip(columns, keys, strict=True))}, {sums_columns()} "
        f"FROM benchmark_runs WHERE batch_id = ? AND {counts_sql('runs')} GROUP BY {cols} ORDER BY {cols}"
    )
    return [
        cast(
            BreakdownRowDict,
            {
                **{k: r[k] for k in keys},
                **figures.counts(r),
                "avgWeightedScore": figures.mean_weighted_score(r),
                "avgScore": figures.mean_total_score(r),
                "totalCostUsd": figures.total_cost(r),
                "successRate": figures.success_rate(r),
                "costUnknownRuns": figures.cost_unknown_runs(r),
            },
        )
        for r in _fetch(conn, sql, (batch_id,))
    ]


#: A batch's evaluators (models.EvaluatorBreakdownRow): mean 0-1 score and full-score rate of the applicable ones.
_BY_EVALUATOR = f"""
    SELECT e.evaluator_name AS evaluatorName, COUNT(*) AS runs, SUM(e.applicable) AS applicableRuns,
           AVG(CASE WHEN e.applicable THEN e.normalized_score END) AS avgScore,
           AVG(CASE WHEN e.applicable THEN e.normalized_score = 1.0 END) AS passRate,
           SUM(e.error IS NOT NULL) AS errors
    FROM evaluation_results e JOIN benchmark_runs r ON r.run_id = e.run_id
    WHERE r.batch_id = ? AND {counts_sql("runs", "r")} GROUP BY e.evaluator_name ORDER BY e.evaluator_name"""
_FAILURES = f"""
    SELECT failure_category AS category, COUNT(*) AS runs FROM benchmark_runs
    WHERE batch_id = ? AND {counts_sql("failed")} GROUP BY failure_category ORDER BY runs DESC"""
#: The evaluator errors of a batch (store.sql.EVALUATOR_ERROR: the ones that make their runs unsuccessful).
_EVALUATOR_ERRORS = f"""
    SELECT e.evaluator_name AS evaluatorName, COUNT(*) AS runs, MIN(e.error) AS example FROM evaluation_results e
    JOIN benchmark_runs r ON r.run_id = e.run_id
    WHERE r.batch_id = ? AND {counts_sql("runs", "r")} AND {EVALUATOR_ERROR.format(e="e")}
    GROUP BY e.evaluator_name ORDER BY runs DESC, e.evaluator_name"""

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
    batch["runs"] = runs
    batch["runsIncluded"] = len(runs)
    (batch["runsTotal"],) = conn.execute(
        "SELECT COUNT(*) FROM benchmark_runs WHERE batch_id = ?", (batch_id,)
    ).fetchone()
    batch["breakdowns"] = {
        "bySuite": _breakdown(conn, batch_id, ["suite"]),
        "byAgent": _breakdown(conn, batch_id, list(CONFIGURATION)),
        "byTier": _breakdown(conn, batch_id, ["tier"]),
        "byEvaluator": _fetch(conn, _BY_EVALUATOR, (batch_id,)),
        "failuresByCategory": [
            {**r, "category": r["category"] or "unknown"} for r in _fetch(conn, _FAILURES, (batch_id,))
        ],
        "evaluatorErrors": _fetch(conn, _EVALUATOR_ERRORS, (batch_id,)),
    }
    return cast(BatchDetailDict, batch)
