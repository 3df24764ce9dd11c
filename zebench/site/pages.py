"""The pages of the report site, one unit each: its file, title and template, and the function that gathers what
the template shows from the build's data. The builder renders every registered page, and the navigation lists
them in the order they are registered here.

A new page is one function here and one template in site_templates/::

    @page("flaky.html", "Flaky")
    def flaky(data: SiteData) -> dict[str, Any]:
        return {"items": ...}  # the template's variables (besides those every page gets: see _Builder.page)

The per-batch pages (``batches/<batch>.html``) are made by the batch units of the build, from :func:`batch_page`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from .. import store
from ..models.shapes import (
    BatchDetailDict,
    BatchRowDict,
    BreakdownRowDict,
    BreakdownsDict,
    CostRowDict,
    EchoBaselineDict,
    EvaluatorByConfigurationDict,
    EvaluatorFiguresDict,
    ItemCountsDict,
    StatsDict,
    UnsuccessfulRowDict,
)
from ..report import analysis

#: Items listed on the scenarios page (hardest first); the chart shows the 30 hardest.
SCENARIO_ROWS = 200


class SiteData:
    """What the pages are made from: read once per build, from the build's snapshot (every page shows the same
    state), and shared by the pages that show it."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        stats: StatsDict,
        batches: list[BatchRowDict],
        previous_batch: dict[str, str],
        batch_configs: dict[str, list[str]],
        batch_files: dict[str, str],
    ):
        self.conn, self.stats, self.batches = conn, stats, batches
        self.previous_batch, self.batch_configs, self.batch_files = previous_batch, batch_configs, batch_files

    @cached_property
    def board(self) -> list[dict[str, Any]]:
        """The leaderboard, each row with its configuration's name as "config" (the charts' field)."""
        board = analysis.leaderboard(self.conn)
        for row in board:
            row["config"] = row["configuration"]
        return board

    @cached_property
    def items(self) -> list[ItemCountsDict]:
        """Counts per configuration and item (suite, scenario, tier)."""
        return store.query_item_counts(self.conn)

    @cached_property
    def costs(self) -> list[CostRowDict]:
        return store.query_costs_by_config(self.conn)

    @cached_property
    def evaluator_figures(self) -> tuple[list[EvaluatorFiguresDict], list[EvaluatorByConfigurationDict]]:
        """Per evaluator, and per evaluator and configuration."""
        return store.query_evaluator_figures(self.conn)

    @cached_property
    def configurations(self) -> list[dict[str, Any]]:
        return query_configurations(self.conn)

    @cached_property
    def echo_baseline(self) -> dict[str, EchoBaselineDict]:
        """What echo (doing nothing) scores on each configuration's items, by configuration name."""
        return echo_by_config(store.query_echo_baseline(self.conn))


PageContext = Callable[[SiteData], dict[str, Any]]


@dataclass(frozen=True)
class Page:
    file: str
    title: str
    template: str
    context: PageContext
    #: Listed in the navigation (the run and batch views are reached from other pages).
    nav: bool = True


#: Every page, in the navigation's order.
ALL_PAGES: list[Page] = []


def page(
    file: str, title: str, *, template: str | None = None, nav: bool = True
) -> Callable[[PageContext], PageContext]:
    """Registers a page: ``file`` rendered from ``template`` (default: the same name) with the variables the
    decorated function returns."""

    def register(context: PageContext) -> PageContext:
        ALL_PAGES.append(Page(file, title, template or file, context, nav))
        return context

    return register


# --------------------------------------------------------------------------------------------------------------
# The pages, in the navigation's order
# --------------------------------------------------------------------------------------------------------------


@page("index.html", "Dashboard")
def dashboard(data: SiteData) -> dict[str, Any]:
    from . import charts

    stats, board = data.stats, data.board
    specs = {}
    if stats["totalRuns"]:
        specs["histogram"] = charts.score_histogram(store.query_score_histogram(data.conn))
        specs["leaderboard"] = charts.leaderboard(board)
        specs["trends"] = charts.trends(store.query_daily_trends(data.conn))
    return {
        "stats": stats,
        "board": board,
        "echo": data.echo_baseline,
        "specs": specs,
        "batches": data.batches[:10],
        "figures": {
            "stats": stats,
            "leaderboard": leaderboard_figures(board),
            "batches": [{"batchId": b["batchId"], **(b["denominators"] or {})} for b in data.batches[:10]],
        },
    }


@page("runs.html", "Runs")
def runs(data: SiteData) -> dict[str, Any]:
    return {"stats": data.stats}


@page("batches.html", "Batches")
def batches(data: SiteData) -> dict[str, Any]:
    return {"batches": data.batches}


@page("agents.html", "Agents")
def agents(data: SiteData) -> dict[str, Any]:
    """Success over scenarios (all tiers) and per tier, cost versus score."""
    from . import charts

    specs = _success_charts(data.items)
    pareto = _pareto(data.board, data.costs)
    if pareto:
        specs["pareto"] = charts.cost_vs_score(pareto)
    return {
        "board": data.board,
        "echo": data.echo_baseline,
        "specs": specs,
        "pareto": pareto,
        "figures": {"leaderboard": leaderboard_figures(data.board)},
    }


@page("scenarios.html", "Scenarios")
def scenarios(data: SiteData) -> dict[str, Any]:
    """Per item and configuration (never pooled); hardest first by the mean over configurations."""
    from . import charts

    items = data.items
    hardest = _hardest(items)
    flaky: list[dict[str, Any]] = sorted(
        (
            {**i, "config": analysis.config_label(i), "rate": i["successful"] / i["runs"]}
            for i in items
            if 0 < i["successful"] < i["runs"]
        ),
        key=lambda i: (abs(0.5 - i["rate"]), -i["runs"]),
    )
    specs = {}
    if hardest:
        top = hardest[:30]
        specs["hardest"] = charts.heatmap(
            [
                {"item": f"{r['suite']}/{r['scenario']} {r['tier']}", "config": c, "rate": ok / n, "runs": n}
                for r in top
                for c, (ok, n) in r["cells"].items()
            ],
            "config",
            "item",
            "rate",
            title="success rate",
            x_title=charts.CONFIG_TITLE,
            y_title="scenario and tier (hardest first)",
            y_sort=[f"{r['suite']}/{r['scenario']} {r['tier']}" for r in top],
        )
    return {
        "hardest": hardest[:SCENARIO_ROWS],
        "hardest_total": len(hardest),
        "configs": sorted({analysis.config_label(i) for i in items}),
        "flaky": flaky[:100],
        "flaky_total": len(flaky),
        "specs": specs,
    }


@page("evaluators.html", "Evaluators")
def evaluators(data: SiteData) -> dict[str, Any]:
    from . import charts

    per_evaluator, by_agent = data.evaluator_figures
    specs = {}
    if per_evaluator:
        specs["scores"] = charts.bars(
            [
                {"evaluator": e["evaluatorName"], "score": e["avgScore"]}
                for e in per_evaluator
                if e["avgScore"] is not None
            ],
            "evaluator",
            "score",
            title="Mean score by evaluator (0-1, applicable runs; all configurations)",
            category_title="evaluator",
            value_title="mean score",
            domain=(0, 1),
        )
    if by_agent:
        specs["matrix"] = charts.heatmap(
            [
                {
                    "config": analysis.config_label(r),
                    "evaluator": r["evaluatorName"],
                    "score": r["avgScore"],
                    "runs": r["applicable"],
                }
                for r in by_agent
            ],
            "evaluator",
            "config",
            "score",
            title="mean score",
            x_title="evaluator",
            y_title=charts.CONFIG_TITLE,
        )
    return {"evaluators": per_evaluator, "specs": specs}


@page("costs.html", "Costs")
def costs(data: SiteData) -> dict[str, Any]:
    """A judge's cost only where a judge ran (an llm_judge evaluation that ran, errors included)."""
    from . import charts

    by_agent = data.evaluator_figures[1]
    judge_runs = {analysis.config_key(r): r["applicable"] for r in by_agent if r["evaluatorName"] == "llm_judge"}
    rows = [
        {
            **c,
            "config": analysis.config_label(c),
            "judgeRuns": judge_runs.get(analysis.config_key(c), 0),
        }
        for c in data.costs
    ]
    specs = {}
    solved = [c for c in rows if c["costPerSolvedUsd"] is not None]
    if solved:
        specs["per_solved"] = charts.bars(
            [{"config": c["config"], "usd": c["costPerSolvedUsd"]} for c in solved],
            "config",
            "usd",
            title="Cost per solved task (USD)",
            category_title=charts.CONFIG_TITLE,
            value_title="USD",
            fmt="$.4f",
        )
    if rows:
        specs["tokens"] = charts.grouped_bars(
            [
                {"config": c["config"], "kind": kind, "tokens": c[key], "runs": c["runs"]}
                for c in rows
                for kind, key in (("input", "tokensIn"), ("output", "tokensOut"), ("cache read", "cacheReadTokens"))
            ],
            "config",
            "kind",
            "tokens",
            title="Tokens by agent and model",
            category_title=charts.CONFIG_TITLE,
            group_title="tokens",
            percent=False,
        )
    return {"costs": rows, "stats": data.stats, "specs": specs}


@page("compare.html", "Compare")
def compare(data: SiteData) -> dict[str, Any]:
    """The newest batch against the previous comparable one, one comparison per configuration; the page compares
    any two selections in the browser."""
    latest: list[dict[str, Any]] = []
    latest_pair = None
    if data.batches:
        newest = data.batches[0]["batchId"]
        previous = data.previous_batch.get(newest)
        if previous:  # the same configurations ran in both: one comparison per configuration
            latest_pair = (previous, newest)
            for config in data.batch_configs.get(newest, []):
                side = analysis.config_filters(config_parts(data.configurations, config))
                latest.append(
                    {
                        "config": config,
                        **analysis.compare(data.conn, {"batchId": previous, **side}, {"batchId": newest, **side}),
                    }
                )
    files = data.batch_files
    return {
        "latest": latest,
        "latest_pair": latest_pair,
        "latest_files": (files[latest_pair[0]], files[latest_pair[1]]) if latest_pair else None,
    }


@page("run.html", "Run", nav=False)
def run_view(data: SiteData) -> dict[str, Any]:
    """A run's details, drawn in the browser from data/runs/<chunk>.js."""
    return {}


@page("batch.html", "Batch", template="batch_view.html", nav=False)
def batch_view(data: SiteData) -> dict[str, Any]:
    """A batch newer than the build, drawn in the browser from the live API."""
    return {}


# --------------------------------------------------------------------------------------------------------------
# A batch's own page (batches/<batch>.html)
# --------------------------------------------------------------------------------------------------------------


def batch_page(
    detail: BatchDetailDict, *, name: str, previous: str | None, echo: list[EchoBaselineDict] | None = None
) -> dict[str, Any]:
    """The variables of batch.html for a batch's detail (store.query_batch_detail); ``echo``: what echo scores on
    each configuration's items (store.query_echo_baseline of the batch)."""
    batch_id, b = detail["batchId"], detail["breakdowns"]
    return {
        "snapshot": batch_snapshot(detail),
        "echo": echo_by_config(echo or []),
        "unsuccessful": _causes_by_config(b.get("unsuccessful", [])),
        "title": f"Batch {batch_id}",
        "batch": detail,
        "configs": sorted({analysis.config_label(r) for r in b["byAgent"]}),
        "name": name,
        "specs": _batch_specs(b),
        "previous": previous,
        "figures": {
            "batchId": batch_id,
            "denominators": detail["denominators"],
            "breakdowns": {k: b[k] for k in ("byAgent", "bySuite", "byTier")},
        },
    }


def _batch_specs(b: BreakdownsDict) -> dict[str, Any]:
    """A batch page's charts, from its breakdowns: one bar per configuration (rates of different agents are never
    pooled)."""
    from . import charts

    specs = {}
    by: list[tuple[str, list[BreakdownRowDict], Literal["suite", "tier"]]]
    by = [("suite", b["bySuite"], "suite"), ("tier", b["byTier"], "tier")]
    for key, rows, label in by:
        if rows:
            specs[key] = charts.grouped_bars(
                [
                    {
                        label: r[label],
                        "config": analysis.config_label(r),
                        "rate": r["successRate"],
                        "runs": r["runs"],
                    }
                    for r in rows
                ],
                label,
                "config",
                "rate",
                title=f"Success rate by {label} and configuration",
                category_title=label,
                group_title=charts.CONFIG_TITLE,
            )
    if b["byAgent"]:
        specs["agent"] = charts.bars(
            [{"config": analysis.config_label(r), "rate": r["successRate"]} for r in b["byAgent"]],
            "config",
            "rate",
            title="Success rate by agent and model",
            category_title=charts.CONFIG_TITLE,
            value_title="success rate",
            percent=True,
        )
    if b["byEvaluator"]:
        specs["evaluator"] = charts.bars(
            [
                {"evaluator": r["evaluatorName"], "score": r["avgScore"]}
                for r in b["byEvaluator"]
                if r["avgScore"] is not None
            ],
            "evaluator",
            "score",
            title="Mean score by evaluator (0-1)",
            category_title="evaluator",
            value_title="mean score",
            domain=(0, 1),
        )
    if b["failuresByCategory"]:
        specs["failures"] = charts.bars(
            [{"category": r["category"], "runs": r["runs"]} for r in b["failuresByCategory"]],
            "category",
            "runs",
            title="Failed runs by category",
            category_title="category",
            value_title="runs",
            fmt=",d",
        )
    return specs


# --------------------------------------------------------------------------------------------------------------
# Live mode: what a page is current to
# --------------------------------------------------------------------------------------------------------------

#: Batches in a page's snapshot: the newest ones, as views.js asks /api/v2/batches?limit= for them when live.
LIVE_BATCHES = 10


def live_snapshot(stats: StatsDict, batches: Sequence[BatchRowDict]) -> str:
    """What a page is current to (its ``data-snapshot``), in the form views.js makes from /api/v2/stats and the
    newest LIVE_BATCHES of /api/v2/batches when the site is served live: when the two differ, the page's figures
    are behind the database and the page fetches itself again (the server builds before it answers). Counts and
    texts only (a float could print differently in JSON from Python and from JavaScript)."""
    return _json(
        [
            stats["totalRuns"],
            stats["successfulRuns"],
            stats["totalBatches"],
            [[b["batchId"], b["totalRuns"], b["completedAt"]] for b in batches[:LIVE_BATCHES]],
        ]
    )


def batch_snapshot(batch: BatchRowDict | BatchDetailDict) -> str:
    """A batch page's snapshot: its own runs and finish (views.js: from /api/v2/batches/<id>)."""
    return _json([batch["batchId"], batch["totalRuns"], batch["completedAt"]])


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# --------------------------------------------------------------------------------------------------------------
# What several pages share
# --------------------------------------------------------------------------------------------------------------


def _success_charts(items: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The agents page's success rates: a heatmap over scenarios (all tiers) and bars per tier."""
    from . import charts

    by_scenario: dict[tuple[str, str], list[int]] = {}
    by_tier: dict[tuple[str, str], list[int]] = {}
    for i in items:
        config = analysis.config_label(i)
        for acc, key in ((by_scenario, (config, f"{i['suite']}/{i['scenario']}")), (by_tier, (config, i["tier"]))):
            counts = acc.setdefault(key, [0, 0])
            counts[0] += i["runs"]
            counts[1] += i["successful"]
    specs = {}
    if items:
        specs["heatmap"] = charts.heatmap(
            [
                {"config": c, "scenario": s, "rate": ok / n, "runs": n}
                for (c, s), (n, ok) in sorted(by_scenario.items())
            ],
            "scenario",
            "config",
            "rate",
            title="success rate",
            x_title="scenario",
            y_title=charts.CONFIG_TITLE,
        )
        specs["tiers"] = charts.grouped_bars(
            [{"config": c, "tier": t, "rate": ok / n, "runs": n} for (c, t), (n, ok) in sorted(by_tier.items())],
            "tier",
            "config",
            "rate",
            title="Success rate by tier",
            category_title="tier",
            group_title=charts.CONFIG_TITLE,
        )
    return specs


def _pareto(board: list[dict[str, Any]], costs: Sequence[CostRowDict]) -> list[dict[str, Any]]:
    """Mean cost against mean score per configuration, and whether it is on the Pareto frontier."""
    cost_of = {analysis.config_key(c): c for c in costs}
    points = [
        (r, cost_of[analysis.config_key(r)])
        for r in board
        if r["meanScore"] is not None
        and analysis.config_key(r) in cost_of
        and cost_of[analysis.config_key(r)]["meanCostUsd"] is not None
    ]
    frontier = analysis.pareto_frontier([(c["meanCostUsd"] or 0.0, r["meanScore"]) for r, c in points])
    return [
        {"config": r["config"], "cost": c["meanCostUsd"], "score": r["meanScore"], "frontier": "yes" if on else "no"}
        for (r, c), on in zip(points, frontier, strict=True)
    ]


def _hardest(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each item with its success per configuration, hardest first (by the mean rate over configurations)."""
    by_item: dict[tuple[str, str, str], dict[str, tuple[int, int]]] = {}
    for i in items:
        cell = by_item.setdefault((i["suite"], i["scenario"], i["tier"]), {})
        cell[analysis.config_label(i)] = (i["successful"], i["runs"])
    return sorted(
        (
            {
                "suite": k[0],
                "scenario": k[1],
                "tier": k[2],
                "cells": cells,
                "mean": sum(ok / n for ok, n in cells.values()) / len(cells),
                "runs": sum(n for _, n in cells.values()),
            }
            for k, cells in by_item.items()
        ),
        key=lambda r: (r["mean"], -r["runs"], r["suite"], r["scenario"], r["tier"]),
    )


def echo_by_config(rows: list[EchoBaselineDict]) -> dict[str, EchoBaselineDict]:
    return {analysis.config_label(r): r for r in rows}


#: What each kind of cause of unsuccessful runs is called on a batch's page (store.query_unsuccessful).
CAUSE_KINDS = {
    "failure": "the run failed",
    "error": "evaluator error",
    "gate": "gate did not hold",
    "score": "below its full score",
    "check": "heuristic check failed",
}


def _causes_by_config(causes: Sequence[UnsuccessfulRowDict]) -> dict[str, list[dict[str, Any]]]:
    """A batch's causes of unsuccessful runs per configuration name, each with what its kind means."""
    out: dict[str, list[dict[str, Any]]] = {}
    for c in causes:
        out.setdefault(analysis.config_label(c), []).append({**c, "what": CAUSE_KINDS.get(c["kind"], c["kind"])})
    return out


def item_rows(items: Sequence[Mapping[str, Any]]) -> list[list[Any]]:
    """Per configuration and item counts for the compare page: [configuration (its name, analysis.config_label:
    every column of the configuration), suite, scenario, tier, runs, successful, scored, sum of weighted scores]."""
    return [
        [
            analysis.config_label(i),
            i["suite"],
            i["scenario"],
            i["tier"],
            i["runs"],
            i["successful"],
            i["scored"],
            i["sum_weighted"],
        ]
        for i in items
        if i["runs"]
    ]


def leaderboard_figures(board: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The leaderboard's figures as a page shows them (its data block; tests compare it with the CLI and API)."""
    return [{k: v for k, v in r.items() if k != "config"} for r in board]


def query_configurations(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every configuration with runs: its columns and its name."""
    return [
        {**analysis.config_fields(key), "name": analysis.config_name(*key)} for key in store.query_configurations(conn)
    ]


def config_parts(configurations: list[dict[str, Any]], name: str) -> tuple[str, ...]:
    """The key (analysis.config_key) of the configuration named ``name``."""
    for c in configurations:
        if c["name"] == name:
            return analysis.config_key(c)
    raise KeyError(name)
