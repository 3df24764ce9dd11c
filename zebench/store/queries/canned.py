"""Named queries offered on Datasette's database page (zebench serve)."""

from __future__ import annotations

from ...models.run import CONFIGURATION, RUNS, nullable
from ..sql import SUMS, mean_sql

#: A configuration's columns in a summary table, an empty one as NULL.
_CONFIGURATION = ", ".join(f"NULLIF({c}, '') AS {c}" if nullable(RUNS.column(c).type) else c for c in CONFIGURATION)
#: The sums of a summary table added up over its rows.
_TOTALS = {name: f"SUM({name})" for name in SUMS}

#: Named queries offered on Datasette's database page (zebench serve).
CANNED_QUERIES: dict[str, dict[str, str]] = {
    "leaderboard": {
        "title": "Leaderboard by agent and model",
        "sql": f"SELECT {_CONFIGURATION}, runs, successful AS successful_runs, "
        f"ROUND({mean_sql('success_rate')}, 3) AS success_rate, ROUND({mean_sql('mean_weighted_score')}, 2) "
        "AS avg_weighted_score, ROUND(sum_cost, 4) AS total_cost_usd FROM agg_agents WHERE runs > 0 "
        "ORDER BY success_rate DESC, avg_weighted_score DESC",
    },
    "agent_scenario_matrix": {
        "title": "Agent x scenario: success rate and mean score",
        "sql": "SELECT suite || '/' || scenario AS scenario, agent, COALESCE(model, '') AS model, COUNT(*) AS runs, "
        "ROUND(AVG(successful), 3) AS success_rate, ROUND(AVG(weighted_score), 2) AS avg_weighted_score "
        "FROM runs_counted GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 LIMIT 1000",
    },
    "tier_breakdown": {
        "title": "Success and score per tier",
        "sql": f"SELECT tier, SUM(runs) AS runs, ROUND({mean_sql('success_rate', _TOTALS)}, 3) AS success_rate, "
        f"ROUND({mean_sql('mean_weighted_score', _TOTALS)}, 2) AS avg_weighted_score FROM agg_scenarios "
        "GROUP BY tier ORDER BY tier",
    },
    "cost_per_solved_task": {
        "title": "Cost per solved task by agent and model",
        "sql": f"SELECT {_CONFIGURATION}, ROUND(sum_cost, 4) AS total_cost_usd, successful AS solved, "
        "ROUND(sum_cost / NULLIF(successful, 0), 4) AS cost_per_solved_usd, runs - cost_runs AS "
        "runs_with_unknown_cost FROM agg_agents WHERE runs > 0 ORDER BY cost_per_solved_usd",
    },
    "failures_by_category": {
        "title": "Failed runs by category and stage",
        "sql": "SELECT failure_category, failure_stage, COUNT(*) AS runs, MAX(started_at) AS last_seen "
        "FROM benchmark_runs WHERE failure_category IS NOT NULL GROUP BY 1, 2 ORDER BY runs DESC",
    },
    "recent_batches": {
        "title": "Recent batches",
        "sql": "SELECT batch_id, created_at, completed_at, total_runs, expected_runs, successful_runs, failed_runs, "
        "ROUND(avg_weighted_score, 2) AS avg_weighted_score FROM batch_runs ORDER BY created_at DESC LIMIT 50",
    },
}
