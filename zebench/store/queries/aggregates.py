"""Statistics over every counted run (/api/v2/stats...) and the per-item counts the leaderboard and comparisons read."""

from __future__ import annotations

import sqlite3
from typing import Any

from pydantic.alias_generators import to_camel

from ..sql import ITEM_COLUMNS, counts_sql, item_sums_columns
from .common import _fetch, _time_window


def _aggregate_row(row: dict[str, Any]) -> dict[str, Any]:
    runs, scored = row.pop("runs"), row.pop("scored")
    successful, failed = row.pop("successful"), row.pop("failed")
    sum_total, sum_weighted = row.pop("sum_total_score"), row.pop("sum_weighted")
    cost_runs, sum_cost = row.pop("cost_runs"), row.pop("sum_cost")
    min_w, max_w = row.pop("min_weighted"), row.pop("max_weighted")
    out = {to_camel(k): v for k, v in row.items()}
    out.update(
        {
            "runs": runs,
            "successfulRuns": successful,
            "failedRuns": failed,
            "scoredRuns": scored,
            "successRate": successful / runs if runs else None,
            "avgScore": sum_total / scored if scored else None,
            "avgWeightedScore": sum_weighted / scored if scored else None,
            "minWeightedScore": min_w,
            "maxWeightedScore": max_w,
            # the original's names for the same figures (0-10 scale)
            "minScore": min_w,
            "maxScore": max_w,
            "totalCostUsd": sum_cost if cost_runs else None,
            "meanCostUsd": sum_cost / cost_runs if cost_runs else None,
            "costUnknownRuns": runs - cost_runs,
        }
    )
    return out


def query_stats(conn: sqlite3.Connection) -> dict[str, Any]:
    """Totals over every counted run (all configurations pooled, as the key ``pooled`` says)."""
    rows = _fetch(conn, "SELECT * FROM agg_totals WHERE grp = 'all'")
    base = (
        _aggregate_row(rows[0])
        if rows
        else _aggregate_row(
            {
                "grp": "all",
                "runs": 0,
                "successful": 0,
                "failed": 0,
                "scored": 0,
                "sum_total_score": 0,
                "sum_weighted": 0,
                "min_weighted": None,
                "max_weighted": None,
                "cost_runs": 0,
                "sum_cost": 0,
            }
        )
    )
    base.pop("grp", None)
    counts = conn.execute(
        "SELECT (SELECT COUNT(*) FROM batch_runs), (SELECT COUNT(*) FROM agg_agents WHERE runs > 0), "
        "(SELECT COUNT(DISTINCT suite || '/' || scenario) FROM agg_scenarios WHERE runs > 0)"
    ).fetchone()
    completed, agent_failed, infra_failed, evaluator_errors = conn.execute(
        "SELECT COALESCE(SUM(completed), 0), COALESCE(SUM(agent_failed), 0), COALESCE(SUM(infra_failed), 0), "
        "COALESCE(SUM(evaluator_errors), 0) FROM agg_items"
    ).fetchone()
    (cancelled,) = conn.execute(f"SELECT COUNT(*) FROM benchmark_runs WHERE {counts_sql('cancelled')}").fetchone()
    return {
        "totalRuns": base["runs"],
        "successfulRuns": base["successfulRuns"],
        "failedRuns": base["failedRuns"],
        "completedRuns": completed,
        "agentFailures": agent_failed,
        "infraFailures": infra_failed,
        "cancelledAttempts": cancelled,
        "evaluatorErrorRuns": evaluator_errors,
        "successRate": base["successRate"],
        "avgScore": base["avgScore"],
        "avgWeightedScore": base["avgWeightedScore"],
        "totalCostUsd": base["totalCostUsd"],
        "costUnknownRuns": base["costUnknownRuns"],
        "totalBatches": counts[0],
        "agentModels": counts[1],
        "scenarios": counts[2],
        "pooled": True,
    }


def query_stats_agents(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = [_aggregate_row(r) for r in _fetch(conn, "SELECT * FROM agg_agents WHERE runs > 0 ORDER BY agent, model")]
    for row in rows:
        row["model"] = row["model"] or None
    return rows


def query_stats_scenarios(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return [
        _aggregate_row(r)
        for r in _fetch(conn, "SELECT * FROM agg_scenarios WHERE runs > 0 ORDER BY suite, scenario, tier")
    ]


SELECTION_FILTERS = ("agent", "model", "suite", "scenario", "tier", "batchId")


def query_item_counts(
    conn: sqlite3.Connection,
    filters: dict[str, str] | None = None,
    *,
    since: str | None = None,
    until: str | None = None,
) -> list[dict[str, Any]]:
    """Counts per (agent, model, suite, scenario, tier): from the summary table when unfiltered, else grouped
    from the runs (filters: agent, model, suite, scenario, tier, batchId; since/until on startedAt)."""
    filters = {k: v for k, v in (filters or {}).items() if v is not None}
    unknown = set(filters) - set(SELECTION_FILTERS)
    if unknown:
        raise ValueError(f"unknown filter(s): {', '.join(sorted(unknown))}; use {', '.join(SELECTION_FILTERS)}")
    if not filters and not since and not until:
        return _fetch(conn, "SELECT * FROM agg_items WHERE runs > 0")
    where, params = [counts_sql("runs")], []
    for key, value in filters.items():
        column = "batch_id" if key == "batchId" else key
        if column == "model" and value == "":
            where.append("model IS NULL")
        else:
            where.append(f"{column} = ?")
            params.append(value)
    _time_window(where, params, since, until)
    group = ", ".join(f"COALESCE({c}, '') AS {c}" for c in ITEM_COLUMNS)
    return _fetch(
        conn,
        f"SELECT {group}, {item_sums_columns()} FROM benchmark_runs WHERE {' AND '.join(where)} "
        f"GROUP BY {', '.join(f'COALESCE({c}, {chr(39)}{chr(39)})' for c in ITEM_COLUMNS)}",
        params,
    )


def query_configurations(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """Every configuration with runs, (agent, model) with '' for no model, in order."""
    return [(a, m) for a, m in conn.execute("SELECT agent, model FROM agg_agents WHERE runs > 0 ORDER BY agent, model")]
