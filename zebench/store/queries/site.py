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
from ..sql import SUMS, TELEMETRY_AMOUNTS
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
    """Per batch: a version that changes when the batch or any of its runs changes (for incremental builds), ending
    with its runs' count, lowest and highest row id and newest revision (one pass over an index, m014)."""
    runs = {
        batch_id: tuple(version)
        for batch_id, *version in conn.execute(
            "SELECT batch_id, COUNT(*), MIN(id), MAX(id), MAX(COALESCE(revision, 0)) FROM benchmark_runs "
            "INDEXED BY idx_benchmark_runs_batch_id_revision GROUP BY batch_id"
        )
    }
    # the metadata by its digest: the build's state file (kept in the site folder) must not hold its host paths
    columns = [select_sql(BATCHES, c) if c.name != "metadata" else "sha256_hex(metadata)" for c in BATCHES.columns]
    with _sha256_function(conn):
        return {
            batch_id: (*rest, *runs.get(batch_id, (0, None, None, 0)))
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
    (batches with the same configuration are comparable run for run). From agg_batch_groups."""
    configs: dict[str, tuple[set[str], set[str]]] = {}
    columns = " || '|' || ".join(CONFIGURATION)
    sql = f"SELECT DISTINCT batch_id, {columns}, suite FROM agg_batch_groups WHERE batch_id != '' AND runs > 0"
    for batch_id, configuration, suite in conn.execute(sql):
        configurations, suites = configs.setdefault(batch_id, (set(), set()))
        configurations.add(configuration)
        suites.add(suite)
    return {b: (tuple(sorted(a)), tuple(sorted(s))) for b, (a, s) in configs.items()}


def query_score_histogram(conn: sqlite3.Connection) -> list[HistogramBinDict]:
    """Scored runs per weighted-score bin of width 1 (0-1, ..., 9-10; 10 falls in the last bin): agg_score_bins."""
    sql = "SELECT score_bin, scored FROM agg_score_bins WHERE score_bin >= 0 AND scored > 0 ORDER BY 1"
    return [{"bin": low, "runs": runs} for low, runs in conn.execute(sql)]


#: The configuration's columns of a run (r) under their API keys ('' for an empty one).
_CONFIGURATION = ", ".join(f"COALESCE(r.{c}, '') AS {RUNS.column(c).key}" for c in CONFIGURATION)
#: The configuration's positions in a SELECT list that starts with it (or with one column before it).
_GROUPS = ", ".join(str(i + 1) for i in range(len(CONFIGURATION)))
_AFTER_DAY = ", ".join(str(i + 2) for i in range(len(CONFIGURATION)))


def query_daily_trends(conn: sqlite3.Connection, days: int = 180) -> list[DailyTrendDict]:
    """Per day (UTC, by start time) and configuration over the last ``days`` days that have runs: runs, success rate
    and mean weighted score (agg_days)."""
    config = ", ".join(f"{c} AS {RUNS.column(c).key}" for c in CONFIGURATION)
    rows = _fetch(
        conn,
        f"""
        SELECT day, {config}, {", ".join(SUMS)} FROM agg_days
        WHERE runs > 0 AND day >= (SELECT date(MAX(started_at), ?) FROM benchmark_runs)
        ORDER BY day, {", ".join(CONFIGURATION)}""",
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
#: page are added up from. Summed from agg_evaluations (per batch, configuration and evaluator; kept by triggers),
#: so the evaluators page costs the same at any number of runs.
_EVALUATOR_SUMS = f"""
    SELECT {", ".join(f"{c} AS {RUNS.column(c).key}" for c in CONFIGURATION)}, evaluator_name, MAX(kind) AS kind,
           SUM(weight_sum) AS weight_sum, SUM(evaluations) AS evaluations, SUM(applicable) AS applicable,
           SUM(app_score_sum) AS app_score_sum, SUM(app_scores) AS app_scores, SUM(app_full) AS app_full,
           SUM(errors) AS errors, CASE WHEN SUM(cost_rows) > 0 THEN SUM(cost_usd) END AS cost_usd,
           SUM(ran) AS ran, SUM(ran_score_sum) AS ran_score_sum, SUM(ran_scores) AS ran_scores
    FROM agg_evaluations GROUP BY {_GROUPS}, evaluator_name HAVING SUM(evaluations) > 0
    ORDER BY {_GROUPS}, evaluator_name"""
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
    """The evaluators page's two tables.

    First, per evaluator over every run (cancelled attempts excluded, as everywhere): evaluations, applicable ones,
    mean score, full-score rate, errors and cost (None when no evaluation's cost is known). Second, the mean score
    of each evaluator per configuration over the evaluations that ran (``applicable`` counts them, those that
    failed included; ``errors`` the ones that failed). Both read agg_evaluations (store.sql.EVALUATION_SUMS)."""
    rows = _fetch(conn, _EVALUATOR_SUMS)
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
    """Per configuration: runs, solved runs, agent and judge cost, tokens (None when no run's is known). The runs'
    sums from agg_agents, the telemetry's from agg_telemetry (both kept by triggers)."""
    config = ", ".join(f"a.{c} AS {RUNS.column(c).key}" for c in CONFIGURATION)
    match = " AND ".join(f"t.{c} = a.{c}" for c in CONFIGURATION)
    amounts = ", ".join(
        f"CASE WHEN t.{c}_rows > 0 THEN t.{c} END AS {c}, COALESCE(t.{c}_rows, 0) AS {c}_rows"
        for c in TELEMETRY_AMOUNTS
    )
    rows = _fetch(
        conn,
        f"SELECT {config}, {', '.join(f'a.{n} AS {n}' for n in SUMS)}, {amounts} FROM agg_agents a "
        f"LEFT JOIN agg_telemetry t ON {match} WHERE a.runs > 0 ORDER BY {_GROUPS}",
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
                "judgeCostRuns": r["judge_cost_usd_rows"],
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
