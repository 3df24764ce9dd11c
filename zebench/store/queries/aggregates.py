"""Statistics over every counted run (/api/v2/stats...) from the summary tables, and the per-item sums the
leaderboard and comparisons read. Counts and sums are store.sql.SUMS; means and rates store.figures."""

from __future__ import annotations

import itertools
import sqlite3
from typing import Any, cast

from ...models.run import CONFIGURATION, CONFIGURATION_KEYS, ITEM, RUNS, SUM_TYPES, nullable
from ...models.shapes import AgentStatsDict, EchoBaselineDict, ItemCountsDict, ScenarioStatsDict, StatsDict
from .. import figures
from ..sql import ITEM_COLUMNS, counts_sql, sums_columns
from .common import _fetch, _time_window

#: A summary with no runs: every sum 0.
_NO_RUNS = dict.fromkeys(SUM_TYPES, 0)


def _aggregate(keys: dict[str, Any], s: dict[str, Any]) -> dict[str, Any]:
    """A summary row (store.sql.SUMMARIES) in the shape of models.AggregateRow, after its grouping keys."""
    return {
        **keys,
        "runs": s["runs"],
        "successfulRuns": s["successful"],
        "failedRuns": s["failed"],
        "scoredRuns": s["scored"],
        "successRate": figures.success_rate(s),
        "avgScore": figures.mean_total_score(s),
        "avgWeightedScore": figures.mean_weighted_score(s),
        "minWeightedScore": s["min_weighted"],
        "maxWeightedScore": s["max_weighted"],
        # the same two figures under the names earlier versions of /api/v2 served (store.figures)
        "minScore": s["min_weighted"],
        "maxScore": s["max_weighted"],
        "totalCostUsd": figures.total_cost(s),
        "meanCostUsd": figures.mean_cost(s),
        "costUnknownRuns": figures.cost_unknown_runs(s),
    }


def _keys(row: dict[str, Any], columns: tuple[str, ...]) -> dict[str, Any]:
    """A summary row's grouping columns as served: under their API keys, an empty one None, not ''."""
    return {RUNS.column(c).key: None if row[c] == "" and nullable(RUNS.column(c).type) else row[c] for c in columns}


def query_stats(conn: sqlite3.Connection) -> StatsDict:
    """Totals over every counted run (all configurations pooled, as the key ``pooled`` says)."""
    rows = _fetch(conn, "SELECT * FROM agg_totals WHERE grp = 'all'")
    s = rows[0] if rows else _NO_RUNS
    batches, configurations, scenarios = conn.execute(
        "SELECT (SELECT COUNT(*) FROM batch_runs), (SELECT COUNT(*) FROM agg_agents WHERE runs > 0), "
        "(SELECT COUNT(DISTINCT suite || '/' || scenario) FROM agg_scenarios WHERE runs > 0)"
    ).fetchone()
    (cancelled,) = conn.execute(f"SELECT COUNT(*) FROM benchmark_runs WHERE {counts_sql('cancelled')}").fetchone()
    return {
        "totalRuns": s["runs"],
        "successfulRuns": s["successful"],
        "failedRuns": s["failed"],
        "completedRuns": s["completed"],
        "agentFailures": s["agent_failed"],
        "infraFailures": s["infra_failed"],
        "cancelledAttempts": cancelled,
        "evaluatorErrorRuns": s["evaluator_errors"],
        "findingRuns": s["findings"],
        "successRate": figures.success_rate(s),
        "avgScore": figures.mean_total_score(s),
        "avgWeightedScore": figures.mean_weighted_score(s),
        "totalCostUsd": figures.total_cost(s),
        "costUnknownRuns": figures.cost_unknown_runs(s),
        "totalBatches": batches,
        "agentModels": configurations,
        "scenarios": scenarios,
        "pooled": True,
    }


def query_stats_agents(conn: sqlite3.Connection) -> list[AgentStatsDict]:
    """Per configuration (agg_agents), in the configuration's order."""
    order = ", ".join(CONFIGURATION)
    rows = _fetch(conn, f"SELECT * FROM agg_agents WHERE runs > 0 ORDER BY {order}")
    return [cast(AgentStatsDict, _aggregate(_keys(r, CONFIGURATION), r)) for r in rows]


def query_stats_scenarios(conn: sqlite3.Connection) -> list[ScenarioStatsDict]:
    """Per item (agg_scenarios), in the item's order."""
    rows = _fetch(conn, f"SELECT * FROM agg_scenarios WHERE runs > 0 ORDER BY {', '.join(ITEM)}")
    return [cast(ScenarioStatsDict, _aggregate(_keys(r, ITEM), r)) for r in rows]


#: The filters of a selection of runs (zebench leaderboard --filter, compare): the configuration's, the item's and
#: the batch, as API keys.
SELECTION_FILTERS = tuple(RUNS.column(c).key for c in (*CONFIGURATION, *ITEM, "batch_id"))


def selection_where(
    filters: dict[str, str], since: str | None = None, until: str | None = None, ref: str = "benchmark_runs"
) -> tuple[list[str], list[Any]]:
    """The conditions (and their parameters) of the counted runs a selection picks: exact matches on
    SELECTION_FILTERS ('' for an empty name: the runs without one), since/until on startedAt."""
    where, params = [counts_sql("runs", ref)], []
    for key, value in filters.items():
        if key not in SELECTION_FILTERS:
            raise ValueError(f"unknown filter {key!r}; use {', '.join(SELECTION_FILTERS)}")
        column = RUNS.by_key[key]
        if value == "" and nullable(column.type):  # an empty name: the runs without one
            where.append(f"{ref}.{column.name} IS NULL")
        else:
            where.append(f"{ref}.{column.name} = ?")
            params.append(value)
    window: list[str] = []
    _time_window(window, params, since, until)
    where += [f"{ref}.{w}" for w in window]
    return where, params


#: The agent whose scores are the baseline: it changes nothing (zebench.agents.echo).
BASELINE_AGENT = "echo"


#: What echo scored on each item it ran, by (suite, scenario, tier): its runs, mean weighted score (None: none was
#: scored) and success rate (query_echo_items).
EchoItems = dict[tuple[str, str, str], tuple[int, float | None, float]]


def query_echo_items(
    conn: sqlite3.Connection,
    filters: dict[str, str] | None = None,
    *,
    since: str | None = None,
    until: str | None = None,
) -> EchoItems:
    """Per item, the echo runs of a selection: their number, mean weighted score and success rate. Without filters,
    every counted echo run of the database, from agg_items (their sums, kept by triggers: the same figures at any
    number of runs); that one is the same for every selection without echo runs of its own, so a caller that asks for
    many (the site's batch pages) reads it once and gives it to query_echo_baseline."""
    filters = {k: v for k, v in (filters or {}).items() if v is not None}
    if not filters and not since and not until:  # every echo run: their sums per item are in agg_items
        sums = ", ".join(f"SUM({name}) AS {name}" for name in ("runs", "sum_weighted", "scored", "successful"))
        rows = _fetch(
            conn,
            f"SELECT suite, scenario, tier, {sums} FROM agg_items WHERE agent = ? GROUP BY suite, scenario, tier "
            "HAVING SUM(runs) > 0",
            (BASELINE_AGENT,),
        )
        return {(r["suite"], r["scenario"], r["tier"]): _echo_item(r) for r in rows}
    where, params = selection_where(filters, since, until, "r")
    sql = f"""
        SELECT r.suite, r.scenario, r.tier, COUNT(*), AVG(r.weighted_score), AVG({counts_sql("successful", "r")})
        FROM benchmark_runs r WHERE {" AND ".join(where)} AND r.agent = ? GROUP BY r.suite, r.scenario, r.tier"""
    return {
        (suite, scenario, tier): (runs, score, rate)
        for suite, scenario, tier, runs, score, rate in conn.execute(sql, (*params, BASELINE_AGENT))
        if suite is not None and scenario is not None and tier is not None  # NULL names match no item
    }


def _echo_item(sums: dict[str, Any]) -> tuple[int, float | None, float]:
    return sums["runs"], figures.mean_weighted_score(sums), sums["successful"] / sums["runs"]


def query_echo_baseline(
    conn: sqlite3.Connection,
    filters: dict[str, str] | None = None,
    *,
    since: str | None = None,
    until: str | None = None,
    database_echo: EchoItems | None = None,
) -> list[EchoBaselineDict]:
    """What doing nothing scores on each configuration's items: per configuration of the selection (agent, model,
    specialist; echo aside), its items and the echo runs on the same items, their mean weighted score (the mean over
    the items of each item's mean) and success rate. The echo runs are the selection's own when it has any
    (``source``: selection), else every echo run in the database (``source``: database; ``database_echo``:
    query_echo_items(conn), when the caller has it). A configuration whose items echo never ran has ``echoItems``
    0 and no score: no baseline."""
    configured = len(CONFIGURATION)
    filters = {k: v for k, v in (filters or {}).items() if v is not None}
    where, params = selection_where(filters, since, until, "r")
    selected = " AND ".join(where)
    (own,) = conn.execute(
        f"SELECT COUNT(*) FROM benchmark_runs r WHERE {selected} AND r.agent = ?", (*params, BASELINE_AGENT)
    ).fetchone()
    if own:
        echo = query_echo_items(conn, filters, since=since, until=until)
    else:
        echo = query_echo_items(conn) if database_echo is None else database_echo
    conf_r = ", ".join(f"r.{c}" for c in ITEM_COLUMNS)
    if filters or since or until:
        items = conn.execute(
            f"SELECT DISTINCT {conf_r} FROM benchmark_runs r WHERE {selected} AND r.agent != ? ORDER BY {conf_r}",
            (*params, BASELINE_AGENT),
        ).fetchall()
    else:  # every run's items: agg_items ('' there for an empty name, as in every summary table)
        conf = ", ".join(ITEM_COLUMNS)
        items = [
            (*(value or None for value in row[:configured]), *row[configured:])
            for row in conn.execute(
                f"SELECT DISTINCT {conf} FROM agg_items WHERE runs > 0 AND agent != ? ORDER BY {conf}",
                (BASELINE_AGENT,),
            )
        ]
    source = "selection" if own else "database"
    out: list[EchoBaselineDict] = []
    for configuration, group in itertools.groupby(items, key=lambda row: tuple(row[:configured])):
        names = [tuple(row[configured:]) for row in group]
        matched = [echo[name] for name in names if name in echo]
        scores = [score for _, score, _ in matched if score is not None]
        out.append(
            cast(
                EchoBaselineDict,
                {
                    **dict(zip(CONFIGURATION_KEYS, configuration, strict=True)),
                    "items": len(names),
                    "echoItems": len(matched),
                    "echoRuns": sum(runs for runs, _, _ in matched),
                    "echoMeanScore": sum(scores) / len(scores) if scores else None,
                    "echoSuccessRate": sum(rate for _, _, rate in matched) / len(matched) if matched else None,
                    "source": source,
                },
            )
        )
    return out


def query_echo_version(conn: sqlite3.Connection) -> tuple[Any, ...]:
    """Changes when echo runs are written (what every echo baseline drawn from the database depends on)."""
    return tuple(
        conn.execute(
            "SELECT COUNT(*), MAX(id), MAX(revision) FROM benchmark_runs WHERE agent = ?", (BASELINE_AGENT,)
        ).fetchone()
    )


def query_item_counts(
    conn: sqlite3.Connection,
    filters: dict[str, str] | None = None,
    *,
    since: str | None = None,
    until: str | None = None,
) -> list[ItemCountsDict]:
    """The sums per item of each configuration (store.sql.ITEM_COLUMNS): from the summary table when unfiltered,
    else grouped from the runs (SELECTION_FILTERS; since/until on startedAt). Empty names are ''."""
    filters = {k: v for k, v in (filters or {}).items() if v is not None}
    unknown = set(filters) - set(SELECTION_FILTERS)
    if unknown:
        raise ValueError(f"unknown filter(s): {', '.join(sorted(unknown))}; use {', '.join(SELECTION_FILTERS)}")
    keys = [RUNS.column(c).key for c in ITEM_COLUMNS]
    if not filters and not since and not until:
        columns = ", ".join([*(f"{c} AS {k}" for c, k in zip(ITEM_COLUMNS, keys, strict=True)), *SUM_TYPES])
        return cast(list[ItemCountsDict], _fetch(conn, f"SELECT {columns} FROM agg_items WHERE runs > 0"))
    where, params = selection_where(filters, since, until)
    group = [f"COALESCE({c}, '')" for c in ITEM_COLUMNS]
    sql = (
        f"SELECT {', '.join(f'{g} AS {k}' for g, k in zip(group, keys, strict=True))}, {sums_columns()} "
        f"FROM benchmark_runs WHERE {' AND '.join(where)} GROUP BY {', '.join(group)}"
    )
    return cast(list[ItemCountsDict], _fetch(conn, sql, params))


def query_configurations(conn: sqlite3.Connection) -> list[tuple[str, ...]]:
    """Every configuration with runs, as a tuple of the configuration's columns ('' for an empty one), in order."""
    order = ", ".join(CONFIGURATION)
    return [tuple(row) for row in conn.execute(f"SELECT {order} FROM agg_agents WHERE runs > 0 ORDER BY {order}")]
