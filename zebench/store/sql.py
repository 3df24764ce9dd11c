"""The SQL fragments every query shares, generated from the status groups and failure categories of the models
(zebench.models.record: SCORED_STATUSES, CANCELLED_STATUSES, INFRA_CATEGORIES, checked there against the
``RunStatus`` and ``FailureCategory`` Literal types), and the JSON text columns' encoding.

Each count is defined once, as a condition on a benchmark_runs row. The migrations do not use these (their SQL is
frozen in ``schema``); tests check that these still say what the frozen SQL says.
"""

from __future__ import annotations

import json
from typing import Any

from ..models import CANCELLED_STATUSES, INFRA_CATEGORIES, SCORED_STATUSES


def _quoted(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


_NOT_COUNTED = _quoted(CANCELLED_STATUSES)
_UNSCORED = _quoted(SCORED_STATUSES + CANCELLED_STATUSES)
_INFRA = f"COALESCE({{r}}.failure_category IN {_quoted(INFRA_CATEGORIES)}, 0)"
#: A run that failed: it counts (not cancelled) and was not scored. Written out once; every count of failures
#: (agent, infrastructure) is this and a condition on the category.
_FAILED = f"{{r}}.status NOT IN {_UNSCORED}"

#: The one definition of each count, as a condition on a benchmark_runs row ("{r}": the row's name, a table alias
#: or NEW/OLD in a trigger). Runs are the attempts that were not cancelled, and every run is exactly one of
#: completed (validated and scored), an agent failure or an infrastructure failure. A run is successful only when
#: it completed. The CLI, the API (v2), the static site, the summary tables' triggers and the ``runs_counted`` view
#: all count with these (the original project's /api/* paths keep the original's own definitions).
COUNT_CONDITIONS: dict[str, str] = {
    "attempts": "1",
    "cancelled": f"{{r}}.status IN {_NOT_COUNTED}",
    "runs": f"{{r}}.status NOT IN {_NOT_COUNTED}",
    "completed": f"{{r}}.status IN {_quoted(SCORED_STATUSES)}",
    "failed": _FAILED,
    "agent_failures": f"{_FAILED} AND NOT {_INFRA}",
    "infra_failures": f"{_FAILED} AND {_INFRA}",
    "successful": f"{{r}}.status IN {_quoted(SCORED_STATUSES)} AND {{r}}.is_successful = 1",
    "scored": f"{{r}}.status NOT IN {_NOT_COUNTED} AND {{r}}.weighted_score IS NOT NULL",
    "evaluator_errors": f"{{r}}.status NOT IN {_NOT_COUNTED} AND {{r}}.evaluator_errors > 0",
}


def counts_sql(name: str, ref: str = "benchmark_runs") -> str:
    """The condition of count ``name`` (COUNT_CONDITIONS) on the row called ``ref``, parenthesised (0 or 1)."""
    return "(" + COUNT_CONDITIONS[name].format(r=ref) + ")"


def runs_counted_view_sql(counts: dict[str, str]) -> str:
    """The runs_counted view: every run that counts (cancelled attempts left out) with one 0/1 column per count
    (m010 made it with the counts of its time; tests check that the current counts make the same)."""

    def c(name: str) -> str:
        return "(" + counts[name].format(r="r") + ")"

    return (
        "CREATE VIEW runs_counted AS SELECT r.id, r.run_id, r.batch_id, r.suite, r.scenario, r.tier, r.agent, "
        "r.model, r.status, r.failure_category, r.started_at, r.completed_at, r.total_score, r.weighted_score, "
        "r.success_metric, r.cost_usd, r.evaluator_errors, "
        f"{c('completed')} AS completed, {c('agent_failures')} AS agent_failure, "
        f"{c('infra_failures')} AS infra_failure, {c('successful')} AS successful, "
        f"{c('evaluator_errors')} AS evaluator_error FROM benchmark_runs r WHERE {c('runs')}"
    )


def run_counts_columns(ref: str = "benchmark_runs") -> str:
    """The per-group counts as SELECT columns (over rows already restricted to counted runs)."""
    return (
        f"COUNT(*) AS runs, SUM({counts_sql('successful', ref)}) AS successful_runs, "
        f"SUM({counts_sql('failed', ref)}) AS failed_runs, SUM({counts_sql('completed', ref)}) AS completed_runs, "
        f"SUM({counts_sql('agent_failures', ref)}) AS agent_failures, "
        f"SUM({counts_sql('infra_failures', ref)}) AS infra_failures, "
        f"SUM({counts_sql('evaluator_errors', ref)}) AS evaluator_error_runs"
    )


#: The columns that identify an item (a configuration on a scenario): agg_items' key.
ITEM_COLUMNS = ("agent", "model", "suite", "scenario", "tier")


def item_sums_columns() -> str:
    """agg_items' columns computed from benchmark_runs (for filtered selections)."""
    r = "benchmark_runs"
    return (
        f"COUNT(*) AS runs, SUM({counts_sql('successful', r)}) AS successful, "
        f"SUM({counts_sql('completed', r)}) AS completed, SUM({counts_sql('agent_failures', r)}) AS agent_failed, "
        f"SUM({counts_sql('infra_failures', r)}) AS infra_failed, SUM({counts_sql('scored', r)}) AS scored, "
        "COALESCE(SUM(weighted_score), 0) AS sum_weighted, COUNT(cost_usd) AS cost_runs, "
        f"COALESCE(SUM(cost_usd), 0) AS sum_cost, SUM({counts_sql('evaluator_errors', r)}) AS evaluator_errors"
    )


def batch_figures_sql() -> str:
    """The figures of the runs of one batch (``?``), as the batch row keeps them."""
    r = "benchmark_runs"
    runs = counts_sql("runs", r)
    return f"""SELECT COALESCE(SUM({runs}), 0) AS total, COALESCE(SUM({counts_sql("successful", r)}), 0) AS successful,
                 COALESCE(SUM({counts_sql("failed", r)}), 0) AS failed,
                 COALESCE(SUM({counts_sql("agent_failures", r)}), 0) AS agent_failed,
                 COALESCE(SUM({counts_sql("infra_failures", r)}), 0) AS infra_failed,
                 COALESCE(SUM({counts_sql("scored", r)}), 0) AS scored,
                 COALESCE(SUM({counts_sql("cancelled", r)}), 0) AS cancelled,
                 COALESCE(SUM({counts_sql("evaluator_errors", r)}), 0) AS evaluator_errors,
                 AVG(CASE WHEN {runs} THEN total_score END) AS avg_score,
                 AVG(CASE WHEN {runs} THEN weighted_score END) AS avg_weighted,
                 MAX(CASE WHEN {runs} THEN COALESCE(completed_at, started_at) END) AS last_completed
          FROM benchmark_runs WHERE batch_id = ?"""


def dumps(value: Any) -> str | None:
    """A JSON text column's value (compact, UTF-8 kept; None stays NULL)."""
    return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)
