"""What only the static site reads: run chunks and their versions, the runs table's compact index, batch versions and
configurations, a batch's downloads, and the dashboard's, evaluators' and costs pages' figures."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from ...models.run import (
    BATCHES,
    CONFIGURATION,
    CONFIGURATION_KEYS,
    DOWNLOAD_COLUMNS,
    RUNS,
    TELEMETRY,
    Column,
    Table,
)
from ...models.shapes import (
    BatchRunRowDict,
    CostRowDict,
    DailyTrendDict,
    EvaluatorByConfigurationDict,
    EvaluatorFiguresDict,
    HistogramBinDict,
)
from .. import figures
from ..rows import column_of, select_sql
from ..sql import counts_sql, sums_columns
from .common import _fetch


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


def _joined(columns: list[tuple[Table, Column]]) -> str:
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


_DOWNLOAD_SELECT = _joined(list(DOWNLOAD_COLUMNS))


def query_batch_run_rows(conn: sqlite3.Connection, batch_id: str) -> list[BatchRunRowDict]:
    """Every run of a batch with its telemetry totals, flat (a batch's CSV and JSON downloads)."""
    sql = (
        f"SELECT {_DOWNLOAD_SELECT} FROM benchmark_runs r LEFT JOIN run_telemetry t ON t.run_id = r.run_id "
        "WHERE r.batch_id = ? ORDER BY r.id"
    )
    return cast(list[BatchRunRowDict], _fetch(conn, sql, (batch_id,)))


def query_batch_versions(conn: sqlite3.Connection) -> dict[str, tuple[Any, ...]]:
    """Per batch: a version that changes when the batch or any of its runs changes (for incremental builds)."""
    runs = {
        batch_id: tuple(version)
        for batch_id, *version in conn.execute(
            "SELECT batch_id, COUNT(*), MAX(id), MAX(COALESCE(revision, 0)) FROM benchmark_runs GROUP BY batch_id"
        )
    }
    # the metadata by its digest: the build's state file (kept in the site folder) must not hold its host paths
    columns = [select_sql(BATCHES, c) if c.name != "metadata" else "sha256_hex(metadata)" for c in BATCHES.columns]
    with _sha256_function(conn):
        return {
            batch_id: (*rest, *runs.get(batch_id, ()))
            for batch_id, *rest in conn.execute(f"SELECT {', '.join(columns)} FROM batch_runs")
        }


@contextmanager
def _sha256_function(conn: sqlite3.Connection) -> Iterator[None]:
    """``sha256_hex(text)`` on ``conn`` for the duration (removed after: the connection may be Datasette's)."""

    def digest(value: Any) -> str | None:
        return None if value is None else hashlib.sha256(str(value).encode()).hexdigest()

    conn.create_function("sha256_hex", 1, digest, deterministic=True)
    try:
        yield
    finally:
        conn.create_function("sha256_hex", 1, None)


def query_batch_configurations(conn: sqlite3.Connection) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Per batch: its configuration, the sorted configurations it ran (their columns joined by "|") and its suites
    (batches with the same configuration are comparable run for run)."""
    configs: dict[str, tuple[set[str], set[str]]] = {}
    columns = " || '|' || ".join(f"COALESCE({c}, '')" for c in CONFIGURATION)
    sql = (
        f"SELECT DISTINCT batch_id, {columns}, suite FROM benchmark_runs "
        f"WHERE batch_id IS NOT NULL AND {counts_sql('runs')}"
    )
    for batch_id, configuration, suite in conn.execute(sql):
        configurations, suites = configs.setdefault(batch_id, (set(), set()))
        configurations.add(configuration)
        suites.add(suite)
    return {b: (tuple(sorted(a)), tuple(sorted(s))) for b, (a, s) in configs.items()}


def query_score_histogram(conn: sqlite3.Connection) -> list[HistogramBinDict]:
    """Scored runs per weighted-score bin of width 1 (0-1, ..., 9-10; 10 falls in the last bin)."""
    sql = (
        "SELECT MIN(CAST(weighted_score AS INTEGER), 9) AS bin, COUNT(*) AS runs FROM benchmark_runs "
        f"WHERE {counts_sql('scored')} GROUP BY 1 ORDER BY 1"
    )
    return [{"bin": low, "runs": runs} for low, runs in conn.execute(sql)]


#: The configuration's columns of a run (r) under their API keys ('' for an empty one).
_CONFIGURATION = ", ".join(f"COALESCE(r.{c}, '') AS {RUNS.column(c).key}" for c in CONFIGURATION)
#: The configuration's positions in a SELECT list that starts with it (or with one column before it).
_GROUPS = ", ".join(str(i + 1) for i in range(len(CONFIGURATION)))
_AFTER_DAY = ", ".join(str(i + 2) for i in range(len(CONFIGURATION)))


def query_daily_trends(conn: sqlite3.Connection, days: int = 180) -> list[DailyTrendDict]:
    """Per day (UTC, by start time) and configuration over the last ``days`` days that have runs: runs, success rate
    and mean weighted score."""
    rows = _fetch(
        conn,
        f"""
        SELECT substr(r.started_at, 1, 10) AS day, {_CONFIGURATION}, {sums_columns("r")}
        FROM benchmark_runs r
        WHERE {counts_sql("runs", "r")} AND r.started_at >= (SELECT date(MAX(started_at), ?) FROM benchmark_runs)
        GROUP BY 1, {_AFTER_DAY} ORDER BY 1, {_AFTER_DAY}""",
        (f"-{days} days",),
    )
    return [
        cast(
            DailyTrendDict,
            {
                "day": r["day"],
                **{k: r[k] for k in CONFIGURATION_KEYS},
                "runs": r["runs"],
                "successRate": figures.success_rate(r),
                "avgWeightedScore": figures.mean_weighted_score(r),
            },
        )
        for r in rows
    ]


#: Per configuration and evaluator, over the evaluations of the counted runs: what both tables of the evaluators
#: page are added up from.
_EVALUATOR_SUMS = f"""
    SELECT {_CONFIGURATION}, e.evaluator_name, MAX(e.kind) AS kind,
           SUM(e.weight) AS weight_sum, COUNT(*) AS evaluations, SUM(e.applicable) AS applicable,
           SUM(CASE WHEN e.applicable THEN e.normalized_score END) AS app_score_sum,
           COUNT(CASE WHEN e.applicable THEN e.normalized_score END) AS app_scores,
           SUM(CASE WHEN e.applicable THEN e.normalized_score = 1.0 END) AS app_full,
           SUM(e.error IS NOT NULL) AS errors, SUM(e.cost_usd) AS cost_usd,
           SUM(e.applicable OR e.error IS NOT NULL) AS ran,
           SUM(CASE WHEN e.applicable OR e.error IS NOT NULL THEN e.normalized_score END) AS ran_score_sum,
           COUNT(CASE WHEN e.applicable OR e.error IS NOT NULL THEN e.normalized_score END) AS ran_scores
    FROM benchmark_runs r CROSS JOIN evaluation_results e ON e.run_id = r.run_id WHERE {counts_sql("runs", "r")}
    GROUP BY {", ".join(str(i + 1) for i in range(len(CONFIGURATION) + 1))} ORDER BY {_GROUPS}, e.evaluator_name"""
_EVALUATOR_TOTALS = ("weight_sum", "evaluations", "applicable", "app_score_sum", "app_scores", "app_full", "errors")


def _evaluator_totals(rows: list[dict[str, Any]]) -> list[EvaluatorFiguresDict]:
    totals: dict[str, dict[str, Any]] = {}
    for row in rows:
        t = totals.setdefault(
            row["evaluator_name"], {"kind": None, "cost_usd": None, **dict.fromkeys(_EVALUATOR_TOTALS, 0)}
        )
        t["kind"] = row["kind"] if t["kind"] is None or (row["kind"] or "") > t["kind"] else t["kind"]
        for key in _EVALUATOR_TOTALS:
            t[key] += row[key] or 0
        if row["cost_usd"] is not None:
            t["cost_usd"] = (t["cost_usd"] or 0.0) + row["cost_usd"]
    return [
        {
            "evaluatorName": name,
            "kind": t["kind"],
            "avgWeight": t["weight_sum"] / t["evaluations"],
            "evaluations": t["evaluations"],
            "applicable": t["applicable"],
            "avgScore": figures.ratio(t["app_score_sum"], t["app_scores"]),
            "passRate": figures.ratio(t["app_full"], t["app_scores"]),
            "errors": t["errors"],
            "costUsd": t["cost_usd"],
        }
        for name, t in sorted(totals.items())
    ]


def query_evaluator_figures(
    conn: sqlite3.Connection,
) -> tuple[list[EvaluatorFiguresDict], list[EvaluatorByConfigurationDict]]:
    """The evaluators page's two tables from one pass over the evaluations of the counted runs (each pass reads every
    evaluation row, details included: one pass instead of two is most of an incremental site build's page time).

    First, per evaluator over every run (cancelled attempts excluded, as everywhere): evaluations, applicable ones,
    mean score, full-score rate, errors and cost (None when no evaluation's cost is known). Second, the mean score
    of each evaluator per configuration over the evaluations that ran (``applicable`` counts them, those that
    failed included; ``errors`` the ones that failed)."""
    rows = _fetch(conn, _EVALUATOR_SUMS)  # CROSS JOIN: runs first, 3.5x faster at 100k
    by_configuration = [
        cast(
            EvaluatorByConfigurationDict,
            {
                **{k: row[k] for k in CONFIGURATION_KEYS},
                "evaluatorName": row["evaluator_name"],
                "applicable": row["ran"],
                "avgScore": figures.ratio(row["ran_score_sum"], row["ran_scores"]),
                "errors": row["errors"],
            },
        )
        for row in rows
        if row["ran"]
    ]
    return _evaluator_totals(rows), by_configuration


def query_evaluator_stats(conn: sqlite3.Connection) -> list[EvaluatorFiguresDict]:
    """The per-evaluator table of ``query_evaluator_figures``."""
    return query_evaluator_figures(conn)[0]


def query_evaluator_by_agent(conn: sqlite3.Connection) -> list[EvaluatorByConfigurationDict]:
    """The per-configuration table of ``query_evaluator_figures``."""
    return query_evaluator_figures(conn)[1]


def query_costs_by_config(conn: sqlite3.Connection) -> list[CostRowDict]:
    """Per configuration: runs, solved runs, agent and judge cost, tokens (None when no run's is known)."""
    rows = _fetch(
        conn,
        f"""
        SELECT {_CONFIGURATION}, {sums_columns("r")},
               SUM(t.judge_cost_usd) AS judge_cost_usd, COUNT(t.judge_cost_usd) AS judge_cost_runs,
               SUM(t.tokens_in) AS tokens_in, SUM(t.tokens_out) AS tokens_out,
               SUM(t.cache_read_tokens) AS cache_read_tokens, SUM(t.cache_write_tokens) AS cache_write_tokens
        FROM benchmark_runs r LEFT JOIN run_telemetry t ON t.run_id = r.run_id
        WHERE {counts_sql("runs", "r")} GROUP BY {_GROUPS} ORDER BY {_GROUPS}""",
    )
    return [
        cast(
            CostRowDict,
            {
                **{k: r[k] for k in CONFIGURATION_KEYS},
                "runs": r["runs"],
                "solved": r["successful"],
                "costRuns": r["cost_runs"],
                "costUsd": figures.total_cost(r),
                "judgeCostUsd": r["judge_cost_usd"],
                "judgeCostRuns": r["judge_cost_runs"],
                "tokensIn": r["tokens_in"],
                "tokensOut": r["tokens_out"],
                "cacheReadTokens": r["cache_read_tokens"],
                "cacheWriteTokens": r["cache_write_tokens"],
                "costUnknownRuns": figures.cost_unknown_runs(r),
                "costPerSolvedUsd": figures.cost_per_solved(r),
                "meanCostUsd": figures.mean_cost(r),
            },
        )
        for r in rows
    ]
