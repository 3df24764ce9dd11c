"""What only the static site reads: run chunks and their versions, the runs table's compact index, batch versions and
configurations, a batch's downloads, and the dashboard's, evaluators' and costs pages' figures."""

from __future__ import annotations

import sqlite3
from typing import Any

from pydantic.alias_generators import to_camel

from ...models.run import BATCHES, RUNS, TELEMETRY
from ..rows import column_of, select_list, select_sql
from ..sql import counts_sql
from .common import _fetch


def _shape(row: dict[str, Any]) -> dict[str, Any]:
    return {to_camel(k): v for k, v in row.items()}


def query_chunk_versions(conn: sqlite3.Connection, size: int) -> dict[int, tuple[Any, ...]]:
    """For runs grouped by ``id // size``: a version that changes whenever a run of the group is added, removed or
    rewritten (count, id range and the newest write revision, see m007). One pass over the runs."""
    sql = (
        "SELECT id / ? AS chunk, COUNT(*), MIN(id), MAX(id), MAX(COALESCE(revision, 0)) FROM benchmark_runs "
        "GROUP BY chunk"
    )
    return {chunk: tuple(version) for chunk, *version in conn.execute(sql, (size,))}


#: The compact columns of the static site's runs table, one array per run (see query_run_index_range).
RUN_INDEX_COLUMNS = (
    "id",
    "runId",
    "batchId",
    "suite",
    "scenario",
    "tier",
    "agent",
    "model",
    "status",
    "successful",
    "weightedScore",
    "costUsd",
    "startedAt",
    "durationMs",
    "failureCategory",
)


def _joined(columns: list[tuple[Any, Any]]) -> str:
    """A SELECT list over a run (r) and its telemetry (t)."""
    return ", ".join(select_sql(table, column, "r" if table is RUNS else "t") for table, column in columns)


_INDEX_SELECT = _joined([column_of(key, (RUNS, TELEMETRY)) for key in RUN_INDEX_COLUMNS])


def query_run_index_range(conn: sqlite3.Connection, first_id: int, last_id: int) -> list[list[Any]]:
    """Runs first_id..last_id as compact arrays in RUN_INDEX_COLUMNS order (the site's runs table loads all)."""
    sql = (
        f"SELECT {_INDEX_SELECT} FROM benchmark_runs r LEFT JOIN run_telemetry t ON t.run_id = r.run_id "
        "WHERE r.id BETWEEN ? AND ? ORDER BY r.id"
    )
    return [list(r) for r in conn.execute(sql, (first_id, last_id))]


#: The columns of a batch's CSV and JSON downloads: a run's own (with its agent's cost) and its telemetry totals.
BATCH_RUN_COLUMNS = (
    "run_id",
    "suite",
    "scenario",
    "tier",
    "agent",
    "model",
    "repeat_index",
    "status",
    "is_successful",
    "weighted_score",
    "total_score",
    "success_metric",
    "failure_category",
    "failure_stage",
    "error",
    "cost_usd",
    "judge_cost_usd",
    "tokens_in",
    "tokens_out",
    "tool_calls",
    "duration_ms",
    "started_at",
    "completed_at",
)
_BATCH_RUNS_SELECT = _joined(
    [(RUNS, RUNS.column(n)) if n in RUNS.by_name else (TELEMETRY, TELEMETRY.column(n)) for n in BATCH_RUN_COLUMNS]
)


def query_batch_run_rows(conn: sqlite3.Connection, batch_id: str) -> list[dict[str, Any]]:
    """Every run of a batch with its telemetry totals, flat (a batch's CSV and JSON downloads)."""
    return _fetch(
        conn,
        f"SELECT {_BATCH_RUNS_SELECT} FROM benchmark_runs r LEFT JOIN run_telemetry t ON t.run_id = r.run_id "
        "WHERE r.batch_id = ? ORDER BY r.id",
        (batch_id,),
    )


def query_batch_versions(conn: sqlite3.Connection) -> dict[str, tuple[Any, ...]]:
    """Per batch: a version that changes when the batch or any of its runs changes (for incremental builds)."""
    runs = {
        batch_id: tuple(version)
        for batch_id, *version in conn.execute(
            "SELECT batch_id, COUNT(*), MAX(id), MAX(COALESCE(revision, 0)) FROM benchmark_runs GROUP BY batch_id"
        )
    }
    return {
        batch_id: (*rest, *runs.get(batch_id, ()))
        for batch_id, *rest in conn.execute(f"SELECT {select_list(BATCHES, BATCHES.columns)} FROM batch_runs")
    }


def query_batch_configurations(conn: sqlite3.Connection) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Per batch: its configuration, the sorted (agent, model) pairs and suites it ran (batches with the same
    configuration are comparable run for run)."""
    configs: dict[str, tuple[set[str], set[str]]] = {}
    for batch_id, agent, model, suite in conn.execute(
        "SELECT DISTINCT batch_id, agent, COALESCE(model, ''), suite FROM benchmark_runs "
        f"WHERE batch_id IS NOT NULL AND {counts_sql('runs')}"
    ):
        agents, suites = configs.setdefault(batch_id, (set(), set()))
        agents.add(f"{agent}|{model}")
        suites.add(suite)
    return {b: (tuple(sorted(a)), tuple(sorted(s))) for b, (a, s) in configs.items()}


def query_score_histogram(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Scored runs per weighted-score bin of width 1 (0-1, ..., 9-10; 10 falls in the last bin)."""
    return [
        _shape(r)
        for r in _fetch(
            conn,
            "SELECT MIN(CAST(weighted_score AS INTEGER), 9) AS bin, COUNT(*) AS runs FROM benchmark_runs "
            f"WHERE {counts_sql('scored')} GROUP BY 1 ORDER BY 1",
        )
    ]


def query_daily_trends(conn: sqlite3.Connection, days: int = 180) -> list[dict[str, Any]]:
    """Per day (UTC, by start time) and agent/model over the last ``days`` days that have runs: runs, success rate
    and mean weighted score."""
    rows = _fetch(
        conn,
        f"""
        SELECT substr(started_at, 1, 10) AS day, agent, COALESCE(model, '') AS model, COUNT(*) AS runs,
               AVG({counts_sql("successful")}) AS success_rate, AVG(weighted_score) AS avg_weighted_score
        FROM benchmark_runs
        WHERE {counts_sql("runs")} AND started_at >= (
            SELECT date(MAX(started_at), ?) FROM benchmark_runs)
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""",
        (f"-{days} days",),
    )
    return [_shape(r) for r in rows]


def query_evaluator_figures(conn: sqlite3.Connection) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The evaluators page's two tables from one pass over the evaluations of the counted runs (each pass reads every
    evaluation row, details included: one pass instead of two is most of an incremental site build's page time).

    First, per evaluator over every run (cancelled attempts excluded, as everywhere): evaluations, applicable ones,
    mean score, full-score rate, errors and cost (None when no evaluation's cost is known). Second, the mean score
    of each evaluator per agent and model over the evaluations that ran (``applicable`` counts them, those that
    failed included; ``errors`` the ones that failed)."""
    rows = _fetch(
        conn,
        f"""
        SELECT r.agent, COALESCE(r.model, '') AS model, e.evaluator_name, MAX(e.kind) AS kind,
               SUM(e.weight) AS weight_sum, COUNT(*) AS evaluations, SUM(e.applicable) AS applicable,
               SUM(CASE WHEN e.applicable THEN e.normalized_score END) AS app_score_sum,
               COUNT(CASE WHEN e.applicable THEN e.normalized_score END) AS app_scores,
               SUM(CASE WHEN e.applicable THEN e.normalized_score = 1.0 END) AS app_full,
               SUM(e.error IS NOT NULL) AS errors, SUM(e.cost_usd) AS cost_usd,
               SUM(e.applicable OR e.error IS NOT NULL) AS ran,
               SUM(CASE WHEN e.applicable OR e.error IS NOT NULL THEN e.normalized_score END) AS ran_score_sum,
               COUNT(CASE WHEN e.applicable OR e.error IS NOT NULL THEN e.normalized_score END) AS ran_scores
        FROM benchmark_runs r CROSS JOIN evaluation_results e ON e.run_id = r.run_id WHERE {counts_sql("runs", "r")}
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""",
    )  # CROSS JOIN: runs first, 3.5x faster at 100k
    totals: dict[str, dict[str, Any]] = {}
    by_configuration: list[dict[str, Any]] = []
    for row in rows:
        name = row["evaluator_name"]
        t = totals.setdefault(
            name,
            {
                "kind": None,
                "weight_sum": 0.0,
                "evaluations": 0,
                "applicable": 0,
                "app_score_sum": 0.0,
                "app_scores": 0,
                "app_full": 0,
                "errors": 0,
                "cost_usd": None,
            },
        )
        t["kind"] = row["kind"] if t["kind"] is None or (row["kind"] or "") > t["kind"] else t["kind"]
        for key in ("weight_sum", "evaluations", "applicable", "app_score_sum", "app_scores", "app_full", "errors"):
            t[key] += row[key] or 0
        if row["cost_usd"] is not None:
            t["cost_usd"] = (t["cost_usd"] or 0.0) + row["cost_usd"]
        if row["ran"]:
            by_configuration.append(
                _shape(
                    {
                        "agent": row["agent"],
                        "model": row["model"],
                        "evaluator_name": name,
                        "applicable": row["ran"],
                        "avg_score": row["ran_score_sum"] / row["ran_scores"] if row["ran_scores"] else None,
                        "errors": row["errors"],
                    }
                )
            )
    per_evaluator = [
        _shape(
            {
                "evaluator_name": name,
                "kind": t["kind"],
                "avg_weight": t["weight_sum"] / t["evaluations"],
                "evaluations": t["evaluations"],
                "applicable": t["applicable"],
                "avg_score": t["app_score_sum"] / t["app_scores"] if t["app_scores"] else None,
                "pass_rate": t["app_full"] / t["app_scores"] if t["app_scores"] else None,
                "errors": t["errors"],
                "cost_usd": t["cost_usd"],
            }
        )
        for name, t in sorted(totals.items())
    ]
    return per_evaluator, by_configuration


def query_evaluator_stats(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """The per-evaluator table of ``query_evaluator_figures``."""
    return query_evaluator_figures(conn)[0]


def query_evaluator_by_agent(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """The per-configuration table of ``query_evaluator_figures``."""
    return query_evaluator_figures(conn)[1]


def query_costs_by_config(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Per agent and model: runs, solved runs, agent and judge cost, tokens (None when no run's is known)."""
    rows = _fetch(
        conn,
        f"""
        SELECT r.agent, COALESCE(r.model, '') AS model, COUNT(*) AS runs,
               SUM({counts_sql("successful", "r")}) AS solved,
               COUNT(r.cost_usd) AS cost_runs, TOTAL(r.cost_usd) AS cost_usd, SUM(t.judge_cost_usd) AS judge_cost_usd,
               COUNT(t.judge_cost_usd) AS judge_cost_runs,
               SUM(t.tokens_in) AS tokens_in, SUM(t.tokens_out) AS tokens_out,
               SUM(t.cache_read_tokens) AS cache_read_tokens, SUM(t.cache_write_tokens) AS cache_write_tokens
        FROM benchmark_runs r LEFT JOIN run_telemetry t ON t.run_id = r.run_id
        WHERE {counts_sql("runs", "r")} GROUP BY 1, 2 ORDER BY 1, 2""",
    )
    out = []
    for r in rows:
        shaped = _shape(r)
        known = r["cost_runs"]
        shaped["costUsd"] = r["cost_usd"] if known else None
        shaped["costUnknownRuns"] = r["runs"] - known
        # per solved task only when every run's cost is known: otherwise it would look cheaper than it was
        shaped["costPerSolvedUsd"] = r["cost_usd"] / r["solved"] if known == r["runs"] and r["solved"] else None
        shaped["meanCostUsd"] = r["cost_usd"] / known if known else None
        out.append(shaped)
    return out
