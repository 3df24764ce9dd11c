"""The figures of a group of runs that are not counts, from its sums (store.sql.SUMS: the summary tables' columns,
the grouped queries' columns, the leaderboard's per-item counts): one function per concept, one name each. Every
mean and rate zebench shows (the CLI, /api/v2, the site) is computed here or by store.sql.mean_sql from the same
definition (store.sql.MEANS).

Each shape serves them under its own keys (the served names below); the original project's shapes (/api/*) keep
its names and definitions (queries/original.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .sql import MEANS

#: A group's sums by SUMS name (a summary table's row, a grouped query's row, or sums added up in Python).
Sums = Mapping[str, Any]


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator; None when the denominator is 0 (nothing to average)."""
    return numerator / denominator if denominator else None


def mean(name: str, sums: Sums) -> float | None:
    """A mean of store.sql.MEANS."""
    numerator, denominator = MEANS[name]
    return ratio(sums[numerator], sums[denominator])


def success_rate(sums: Sums) -> float | None:
    """Successful runs / runs (infrastructure failures count as unsuccessful)."""
    return mean("success_rate", sums)


def success_rate_excl_infra(sums: Sums) -> float | None:
    """Successful runs / runs that were not infrastructure failures."""
    return ratio(sums["successful"], sums["runs"] - sums["infra_failed"])


def mean_weighted_score(sums: Sums) -> float | None:
    """The mean weighted score (0-10) of the scored runs."""
    return mean("mean_weighted_score", sums)


def mean_weighted_score_with_infra(sums: Sums) -> float | None:
    """The mean weighted score counting infrastructure failures as 0; None when no run was scored (as the mean)."""
    return ratio(sums["sum_weighted"], sums["scored"] + sums["infra_failed"]) if sums["scored"] else None


def mean_total_score(sums: Sums) -> float | None:
    """The mean totalScore (0-1) of the runs that have one."""
    return mean("mean_total_score", sums)


def total_cost(sums: Sums) -> float | None:
    """The cost of the runs whose cost is known; None (unknown) only when none is."""
    return sums["sum_cost"] if sums["cost_runs"] else None


def mean_cost(sums: Sums) -> float | None:
    return mean("mean_cost", sums)


def cost_unknown_runs(sums: Sums) -> int:
    return int(sums["runs"] - sums["cost_runs"])


def cost_per_solved(sums: Sums) -> float | None:
    """Cost / successful runs, only when every run's cost is known (otherwise it would look cheaper than it was)."""
    return ratio(sums["sum_cost"], sums["successful"]) if sums["cost_runs"] == sums["runs"] else None


def added(rows: list[Sums], names: tuple[str, ...]) -> dict[str, Any]:
    """The sums of several groups (items of one configuration, one side of a comparison)."""
    return {name: sum(r[name] for r in rows) for name in names}


# The served names (zebench's shapes, /api/v2 and the CLI's JSON) of the counts and figures a group shows. Two
# concepts keep a second served name from earlier versions of /api/v2 (the leaderboard's meanScore and the
# aggregates' minScore/maxScore): renaming a served key breaks clients, so they stay, declared here.


def counts(sums: Sums) -> dict[str, Any]:
    """A group's counts under their served names."""
    return {
        "runs": sums["runs"],
        "successfulRuns": sums["successful"],
        "failedRuns": sums["failed"],
        "completedRuns": sums["completed"],
        "agentFailures": sums["agent_failed"],
        "infraFailures": sums["infra_failed"],
        "evaluatorErrorRuns": sums["evaluator_errors"],
        "findingRuns": sums["findings"],
    }
