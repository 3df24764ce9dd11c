"""zebench's batches (/api/v2/batches): pages of batches, a batch's detail with its denominators and breakdowns."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from ...constants import MAX_PAGE
from ...models.run import BATCHES, CONFIGURATION, RUNS, SUM_TYPES, nullable
from ...models.shapes import (
    BatchDetailDict,
    BatchListRowDict,
    BatchRowDict,
    BreakdownRowDict,
    DenominatorsDict,
    UnsuccessfulRowDict,
)
from .. import figures
from ..rows import Reader, decoder, select_list
from ..sql import BATCH_FIGURES, EVALUATOR_ERROR, SUMS, causes_select_sql, counts_sql
from .aggregates import selection_where
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
    attempts and runs with evaluator errors or findings, whether it is complete (batch_complete), and success and
    score with infrastructure failures (counted as unsuccessful, score 0) and without them (left out). Read from the
    batch row, which refresh_batch_aggregates keeps up to date with store.sql.SUMS (BATCH_FIGURES)."""
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
        "findingRuns": s["findings"],
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


#: A batch that is not complete is running while a run of it was stored or started this recently, else incomplete
#: (stopped or killed: `zebench run --resume` finishes it).
RUNNING_WINDOW = timedelta(hours=1)


def batch_status(complete: bool, last_activity: str, now: datetime | None = None) -> str:
    """complete, running or incomplete (RUNNING_WINDOW): the status `zebench batches` shows."""
    if complete:
        return "complete"
    try:
        last = datetime.fromisoformat(last_activity)
    except ValueError:
        return "incomplete"
    if last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    return "running" if (now or datetime.now(UTC)) - last < RUNNING_WINDOW else "incomplete"


def query_batch_list(
    conn: sqlite3.Connection,
    filters: dict[str, str] | None = None,
    *,
    since: str | None = None,
    until: str | None = None,
    limit: int | None = None,
) -> list[BatchListRowDict]:
    """Batches newest first with their configurations, runs stored of expected, successful runs and status. Filters
    as the leaderboard's (SELECTION_FILTERS): a batch is listed when it has a counted run matching every one of them
    (batchId: that batch); since/until compare the batch's creation time."""
    filters = {k: v for k, v in (filters or {}).items() if v is not None}
    where: list[str] = ["1"]
    params: list[Any] = []
    if filters:
        runs, params = selection_where(filters, ref="r")
        where = [
            f"EXISTS (SELECT 1 FROM benchmark_runs r WHERE r.batch_id = batch_runs.batch_id AND {' AND '.join(runs)})"
        ]
    if since:
        where.append("created_at >= ?")
        params.append(since)
    if until:
        where.append("created_at < ?")
        params.append(until)
    sql = f"SELECT {_BATCH_SELECT} FROM batch_runs WHERE {' AND '.join(where)} ORDER BY created_at DESC, batch_id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    rows = [_batch_row(r) for r in conn.execute(sql, params)]
    ids = [r["batchId"] for r in rows]
    configs: dict[str, list[dict[str, str | None]]] = {}
    last: dict[str, str] = {}
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        marks = ", ".join("?" * len(chunk))
        for batch_id, agent, model, newest in conn.execute(
            f"SELECT batch_id, agent, model, MAX(COALESCE(completed_at, started_at)) FROM benchmark_runs "
            f"WHERE batch_id IN ({marks}) GROUP BY batch_id, agent, model ORDER BY batch_id, agent, model",
            chunk,
        ):
            configs.setdefault(batch_id, []).append({"agent": agent, "model": model})
            last[batch_id] = max(last.get(batch_id, ""), newest or "")
    out: list[BatchListRowDict] = []
    for r in rows:
        d = r["denominators"] or batch_denominators({})
        activity = max(last.get(r["batchId"], ""), r["createdAt"])
        out.append(
            {
                "batchId": r["batchId"],
                "createdAt": r["createdAt"],
                "completedAt": r["completedAt"],
                "configurations": configs.get(r["batchId"], []),
                "runs": d["runs"],
                "expectedRuns": r["expectedRuns"],
                "successfulRuns": d["successfulRuns"],
                "complete": r["complete"],
                "status": batch_status(r["complete"], activity),
                "lastActivityAt": activity,
            }
        )
    return out


def _breakdown(conn: sqlite3.Connection, batch_id: str, columns: list[str]) -> list[BreakdownRowDict]:
    """The batch's counted runs grouped by ``columns``: always per configuration, so that no figure pools
    configurations. Summed from agg_batch_groups (per batch, configuration, suite and tier; kept by triggers): a
    batch's breakdowns cost the same at any number of runs."""
    columns = [*columns, *(c for c in CONFIGURATION if c not in columns)]
    cols, keys = ", ".join(columns), [RUNS.column(c).key for c in columns]
    sums = ", ".join(f"SUM({name}) AS {name}" for name in SUMS)
    sql = (
        f"SELECT {cols}, {sums} FROM agg_batch_groups WHERE batch_id = ? GROUP BY {cols} HAVING SUM(runs) > 0 "
        f"ORDER BY {cols}"
    )
    return [
        cast(
            BreakdownRowDict,
            {
                **{
                    k: None if r[c] == "" and nullable(RUNS.column(c).type) else r[c]
                    for c, k in zip(columns, keys, strict=True)
                },
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


#: A batch's evaluators (models.EvaluatorBreakdownRow): mean 0-1 score and full-score rate of the applicable ones,
#: from agg_evaluations (per batch, configuration and evaluator, over the evaluations of counted runs).
_BY_EVALUATOR = """
    SELECT evaluator_name AS evaluatorName, SUM(evaluations) AS runs, SUM(applicable) AS applicableRuns,
           1.0 * SUM(app_score_sum) / NULLIF(SUM(app_scores), 0) AS avgScore,
           1.0 * SUM(app_full) / NULLIF(SUM(app_scores), 0) AS passRate, SUM(errors) AS errors
    FROM agg_evaluations WHERE batch_id = ? GROUP BY evaluator_name HAVING SUM(evaluations) > 0
    ORDER BY evaluator_name"""
#: A batch's failed runs by category (agg_batch_failures).
_FAILURES = """
    SELECT failure_category AS category, failed AS runs FROM agg_batch_failures
    WHERE batch_id = ? AND failed > 0 ORDER BY runs DESC, category"""
#: The evaluator errors of a batch (store.sql.EVALUATOR_ERROR: the ones that make their runs unsuccessful), read
#: from the runs that have some (a partial index holds only those).
_EVALUATOR_ERRORS = f"""
    SELECT e.evaluator_name AS evaluatorName, COUNT(*) AS runs, MIN(e.error) AS example FROM benchmark_runs r
    JOIN evaluation_results e ON e.run_id = r.run_id
    WHERE r.batch_id = ? AND r.evaluator_errors > 0 AND {counts_sql("runs", "r")} AND {EVALUATOR_ERROR.format(e="e")}
    GROUP BY e.evaluator_name ORDER BY runs DESC, e.evaluator_name"""

#: Why a batch's runs (or one run) were not successful: read from agg_batch_causes (run_causes for a run), kept by
#: triggers (store.sql.causes_select_sql).
_CAUSES_OF_BATCH = causes_select_sql("batch")
_CAUSES_OF_RUN = causes_select_sql("run")


def query_unsuccessful(
    conn: sqlite3.Connection, batch_id: str | None = None, *, run_id: str | None = None
) -> list[UnsuccessfulRowDict]:
    """Why the batch's runs (or one run's, with ``run_id``) were not successful: per configuration, each cause (a
    failure category, an evaluator that failed, a gate, a task evaluator below its full score, a heuristic check)
    with the number of runs it made unsuccessful and one of its messages (the least; for a score, the mean score).
    A run with several causes counts under each (store.sql.CAUSES_TABLE and BATCH_CAUSES_TABLE, kept by triggers: a
    batch's causes cost the same at any size of the database). Empty for successful runs."""
    if run_id is not None:
        return cast(list[UnsuccessfulRowDict], _fetch(conn, _CAUSES_OF_RUN, (run_id,)))
    return cast(list[UnsuccessfulRowDict], _fetch(conn, _CAUSES_OF_BATCH, (batch_id,)))


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
        ],  # '' is a failure with no category, as NULL was
        "evaluatorErrors": _fetch(conn, _EVALUATOR_ERRORS, (batch_id,)),
        "unsuccessful": query_unsuccessful(conn, batch_id),
    }
    return cast(BatchDetailDict, batch)
