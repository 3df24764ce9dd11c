"""Trustworthy numbers: the leaderboard with intervals and tie groups, and paired comparisons of two selections.

Both read per-item counts (an item is a suite/scenario/tier) from the store, so the CLI, the API and the site
compute the same figures with the same functions. Every figure is per configuration (agent, model and specialist): a
comparison whose side mixes configurations is refused unless pooling is asked for, and then it says so.
Repeats of an item (within a batch or across batches) are not independent, so intervals are clustered on the
item and paired tests pair items, comparing their success rates.

Denominators are explicit: runs, completed runs, agent failures and infrastructure failures (one definition of
each: store.COUNT_CONDITIONS), and scores with infrastructure failures (counted as unsuccessful, score 0) and
without them (left out).
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable, Mapping
from typing import Any, cast

from ..constants import plural
from ..models.run import CONFIGURATION, CONFIGURATION_KEYS, ITEM_KEYS, RUNS, SUM_TYPES, nullable
from ..models.shapes import AgentStatsDict, EchoBaselineDict, ItemCountsDict
from ..store import (
    SELECTION_FILTERS,
    batch_exists,
    figures,
    query_batch_configurations,
    query_echo_baseline,
    query_item_counts,
    query_stats_agents,
)
from . import stats

DEFAULT_ALPHA = 0.05
DEFAULT_MIN_SHARED_ITEMS = stats.DEFAULT_MIN_SHARED_ITEMS
#: Bounds of a run's weighted score (the mean score's interval is clipped to them).
SCORE_BOUNDS = (0.0, 10.0)


def item_key(row: Mapping[str, Any]) -> str:
    """An item as text: its columns (models.run.ITEM, by API key) joined by "/"."""
    return "/".join(str(row[k]) for k in ITEM_KEYS)


def item_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row's item (models.run.ITEM) as the fields every shape per item serves."""
    return {k: row[k] for k in ITEM_KEYS}


def config_key(row: Mapping[str, Any]) -> tuple[str, ...]:
    """A configuration (models.run.CONFIGURATION) as a key: its values (by API key), '' for an empty or absent one."""
    return tuple(row.get(k) or "" for k in CONFIGURATION_KEYS)


def config_fields(key: tuple[str, ...]) -> dict[str, Any]:
    """A configuration key as the fields every shape per configuration serves (None for an empty column)."""
    pairs = zip(CONFIGURATION, key, strict=True)
    return {RUNS.column(c).key: (value or None) if nullable(RUNS.column(c).type) else value for c, value in pairs}


def config_filters(key: tuple[str, ...]) -> dict[str, str]:
    """A configuration key as the filters (store.SELECTION_FILTERS) that select its runs ('' for an empty
    column: the runs without one)."""
    return {RUNS.column(c).key: value for c, value in zip(CONFIGURATION, key, strict=True)}


def config_name(name: str, *qualifiers: str | None) -> str:
    """A configuration as shown everywhere: its first column (the agent) and the others in brackets (the model;
    none for agents without)."""
    given = [q for q in qualifiers if q]
    return f"{name} [{', '.join(given)}]" if given else name


def config_label(row: Mapping[str, Any]) -> str:
    """The configuration of a row per configuration, as shown everywhere (config_name)."""
    return config_name(*config_key(row))


def item_succeeded(counts: Mapping[str, Any]) -> bool:
    """An item's outcome for a configuration: success when at least half of its runs succeeded."""
    return bool(2 * counts["successful"] >= counts["runs"])


# --------------------------------------------------------------------------------------------------------------
# Leaderboard
# --------------------------------------------------------------------------------------------------------------


def _config_row(key: tuple[str, ...], items: list[ItemCountsDict], alpha: float) -> dict[str, Any]:
    """A configuration's row of the leaderboard from its items' sums (store.figures for every mean and rate)."""
    s = figures.added(cast(list[figures.Sums], items), tuple(SUM_TYPES))
    per_item_runs = [i["runs"] for i in items]
    low, high, method = stats.clustered_proportion_interval([i["successful"] for i in items], per_item_runs, alpha)
    low_ex, high_ex, _ = stats.clustered_proportion_interval(
        [i["successful"] for i in items], [i["runs"] - i["infra_failed"] for i in items], alpha
    )
    score_interval = stats.clustered_mean_interval(
        [i["sum_weighted"] for i in items], [i["scored"] for i in items], alpha, SCORE_BOUNDS
    )
    curve = stats.pass_at_k_curve(per_item_runs, [i["successful"] for i in items])
    flaky = stats.flakiness(
        {item_key(i): [True] * i["successful"] + [False] * (i["runs"] - i["successful"]) for i in items}
    )
    excluding_infra = s["runs"] - s["infra_failed"]
    return {
        **config_fields(key),
        "configuration": config_name(*key),
        "items": len(items),
        "runs": s["runs"],
        "completedRuns": s["completed"],
        "agentFailures": s["agent_failed"],
        "infraFailures": s["infra_failed"],
        "successfulRuns": s["successful"],
        "evaluatorErrorRuns": s["evaluator_errors"],
        "findingRuns": s["findings"],
        "runsPerItemMin": min(per_item_runs),
        "runsPerItemMax": max(per_item_runs),
        "repeatsPerItem": max(per_item_runs),
        "successRate": figures.success_rate(s),
        "successRateLow": low,
        "successRateHigh": high,
        "successRateInterval": method,
        "successRateExclInfra": figures.success_rate_excl_infra(s),
        "successRateExclInfraLow": low_ex if excluding_infra else None,
        "successRateExclInfraHigh": high_ex if excluding_infra else None,
        # the mean weighted score: avgWeightedScore in the aggregates, meanScore here (store.figures)
        "meanScore": figures.mean_weighted_score(s),
        "meanScoreLow": score_interval[0] if score_interval else None,
        "meanScoreHigh": score_interval[1] if score_interval else None,
        "meanScoreWithInfra": figures.mean_weighted_score_with_infra(s),
        "passAtK": {
            key: value for c in curve for key, value in ((f"pass@{c.k}", c.pass_at_k), (f"pass^{c.k}", c.pass_hat_k))
        },
        "passAtKItems": {str(c.k): c.items for c in curve},
        "totalCostUsd": figures.total_cost(s),
        "costUnknownRuns": figures.cost_unknown_runs(s),
        "costPerSolvedUsd": figures.cost_per_solved(s),
        "flakyItems": sum(1 for v in flaky.values() if v > 0),
        "flakiness": figures.ratio(sum(flaky.values()), len(flaky)),
    }


def leaderboard(
    conn: sqlite3.Connection,
    filters: dict[str, str] | None = None,
    *,
    since: str | None = None,
    until: str | None = None,
    alpha: float = DEFAULT_ALPHA,
    min_shared_items: int = DEFAULT_MIN_SHARED_ITEMS,
    items: list[ItemCountsDict] | None = None,
) -> list[dict[str, Any]]:
    """One row per configuration (agent, model, specialist), best first (success rate, then mean score), with
    clustered intervals, pass@k, cost per solved task and tie groups (stats.tie_groups). ``items``: the selection's
    query_item_counts, when the caller has read them."""
    by_config: dict[tuple[str, ...], list[ItemCountsDict]] = {}
    if items is None:
        items = query_item_counts(conn, filters, since=since, until=until)
    for row in items:
        if row["runs"] > 0:
            by_config.setdefault(config_key(row), []).append(row)
    rows = [_config_row(key, items, alpha) for key, items in by_config.items()]
    rows.sort(
        key=lambda r: (
            r["successRate"] is None,
            -(r["successRate"] or 0),
            r["meanScore"] is None,
            -(r["meanScore"] or 0),
            *config_key(r),
        )
    )
    ties = stats.tie_groups(
        [
            stats.TieRow(
                r["configuration"], {item_key(i): (i["successful"], i["runs"]) for i in by_config[config_key(r)]}
            )
            for r in rows
        ],
        alpha,
        min_shared_items,
    )
    for rank, (entry, tie) in enumerate(zip(rows, ties, strict=True), 1):
        entry.update(
            {
                "rank": rank,
                "tieGroup": tie.group,
                "tieLeader": tie.leader,
                "tieP": tie.p_value,
                "tieSharedItems": tie.shared_items,
                "notComparableWith": list(tie.not_comparable),
            }
        )
    return rows


#: Leaderboard fields merged into the per-agent statistics (/api/stats/agents and the site's agents page).
LEADERBOARD_FIELDS = (
    "rank",
    "tieGroup",
    "tieLeader",
    "tieP",
    "tieSharedItems",
    "notComparableWith",
    "configuration",
    "items",
    "completedRuns",
    "agentFailures",
    "infraFailures",
    "evaluatorErrorRuns",
    "findingRuns",
    "successRateLow",
    "successRateHigh",
    "successRateInterval",
    "successRateExclInfra",
    "successRateExclInfraLow",
    "successRateExclInfraHigh",
    "meanScore",
    "meanScoreLow",
    "meanScoreHigh",
    "meanScoreWithInfra",
    "passAtK",
    "passAtKItems",
    "repeatsPerItem",
    "runsPerItemMin",
    "runsPerItemMax",
    "costPerSolvedUsd",
    "flakyItems",
    "flakiness",
)


def merge_leaderboard(rows: list[AgentStatsDict], board: list[dict[str, Any]]) -> list[AgentStatsDict]:
    """Per-configuration statistics (store.query_stats_agents) with the leaderboard's fields, best first."""
    by_config = {config_key(r): r for r in board}
    for row in rows:
        extra = by_config.get(config_key(row), {})
        cast(dict[str, Any], row).update({k: extra.get(k) for k in LEADERBOARD_FIELDS})
    rows.sort(key=lambda r: (r.get("rank") is None, r.get("rank") or 0))
    return rows


def agent_stats(conn: sqlite3.Connection, board: list[dict[str, Any]] | None = None) -> list[AgentStatsDict]:
    """The /api/stats/agents rows."""
    return merge_leaderboard(query_stats_agents(conn), leaderboard(conn) if board is None else board)


def pareto_frontier(points: list[tuple[float, float]]) -> list[bool]:
    """For (cost, score) points: True where no other point is at most as costly and scores at least as high with
    one of the two strictly better (lower cost and higher score are better)."""
    order = sorted(range(len(points)), key=lambda i: (points[i][0], -points[i][1]))
    on_front = [False] * len(points)
    best = -math.inf
    for i in order:
        if points[i][1] > best:
            on_front[i] = True
            best = points[i][1]
    return on_front


# --------------------------------------------------------------------------------------------------------------
# Paired comparison
# --------------------------------------------------------------------------------------------------------------


class SelectionError(ValueError):
    pass


def parse_selection(conn: sqlite3.Connection, text: str) -> tuple[dict[str, str], str | None, str | None, str]:
    """A batch id, or filters ``key=value[,key=value...]`` (agent, model, specialistName, specialistVersion, suite,
    scenario, tier, batchId, since, until). Returns (filters, since, until, label)."""
    if "=" not in text:
        if not batch_exists(conn, text):
            raise SelectionError(f"no batch {text!r} (give a batch id or filters like agent=echo,tier=L1)")
        return {"batchId": text}, None, None, text
    filters: dict[str, str] = {}
    since = until = None
    for part in text.split(","):
        key, _, value = part.partition("=")
        key = key.strip()
        if key == "since":
            since = value.strip()
        elif key == "until":
            until = value.strip()
        elif key in SELECTION_FILTERS or key == "batch":
            filters["batchId" if key == "batch" else key] = value.strip()
        else:
            raise SelectionError(
                f"unknown filter {key!r} in {text!r} (valid keys: {', '.join(SELECTION_FILTERS)}, since, until)"
            )
    return filters, since, until, text


def leaderboard_of(conn: sqlite3.Connection, selection: str | None = None, **options: Any) -> list[dict[str, Any]]:
    """The leaderboard of the runs ``selection`` picks (a batch id or filter text, see parse_selection; None or
    empty: every run); ``options`` go to :func:`leaderboard`. SelectionError for an unknown key or batch."""
    if not selection:
        return leaderboard(conn, **options)
    filters, since, until, _ = parse_selection(conn, selection)
    return leaderboard(conn, filters, since=since, until=until, **options)


def echo_baseline_of(conn: sqlite3.Connection, selection: str | None = None) -> list[EchoBaselineDict]:
    """What echo (doing nothing) scores on the items of each configuration the selection picks (a batch id or
    filter text, see parse_selection; None: every run): store.query_echo_baseline."""
    if not selection:
        return query_echo_baseline(conn)
    filters, since, until, _ = parse_selection(conn, selection)
    return query_echo_baseline(conn, filters, since=since, until=until)


#: A side of a comparison: a batch id or filter text (parse_selection), or the filters themselves (keys of
#: store.SELECTION_FILTERS; values taken as they are, so names with commas or "=" are safe).
Selection = str | dict[str, str]


def _side(
    conn: sqlite3.Connection, selection: Selection, pool: bool
) -> tuple[str, dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """A side of a comparison: its label, its items' counts and its configurations. A side that holds more than
    one configuration is refused unless ``pool``."""
    if isinstance(selection, str):
        text = selection
        filters, since, until, label = parse_selection(conn, text)
    else:
        filters, since, until = dict(selection), None, None
        text = label = ",".join(f"{k}={v}" for k, v in filters.items())
    items: dict[str, dict[str, Any]] = {}
    configs: dict[tuple[str, ...], int] = {}
    for row in query_item_counts(conn, filters, since=since, until=until):
        if not row["runs"]:
            continue
        configs[config_key(row)] = configs.get(config_key(row), 0) + row["runs"]
        merged = items.setdefault(item_key(row), dict.fromkeys(_SIDE_SUMS, 0))
        for k in _SIDE_SUMS:
            merged[k] += cast(dict[str, Any], row)[k]
    if len(configs) > 1 and not pool:
        names = ", ".join(f"{config_name(*key)} ({plural(n, 'run')})" for key, n in sorted(configs.items()))
        # One of them by its columns not given yet, with an empty value where the configurations differ
        # (specialistName=: the runs without a specialist).
        differ = [len({key[i] for key in configs}) > 1 for i in range(len(CONFIGURATION))]
        narrowed = (f"{text}," if "=" in text else f"batchId={text},") + ",".join(
            f"{RUNS.column(c).key}={v}"
            for c, v, d in zip(CONFIGURATION, min(configs), differ, strict=True)
            if (v or d) and RUNS.column(c).key not in filters
        )
        raise SelectionError(
            f"{label!r} holds {plural(len(configs), 'configuration')}: {names}. Compare one configuration "
            f"per side (e.g. {narrowed}), or pass --pool to compare them pooled"
        )
    return (
        label,
        items,
        [{**config_fields(key), "configuration": config_name(*key), "runs": n} for key, n in sorted(configs.items())],
    )


#: The sums of an item a comparison reads (store.sql.SUMS).
_SIDE_SUMS = ("runs", "successful", "infra_failed", "scored", "sum_weighted")


def _rate(c: dict[str, Any]) -> float:
    return figures.success_rate(c) or 0.0


def _score(c: dict[str, Any]) -> float | None:
    return figures.mean_weighted_score(c)


def compare(
    conn: sqlite3.Connection,
    baseline: Selection,
    candidate: Selection,
    *,
    alpha: float = DEFAULT_ALPHA,
    pool: bool = False,
) -> dict[str, Any]:
    """Candidate against baseline over the items both ran, paired on items.

    Success: the items' success rates are compared with paired_rate_test (exact McNemar when every item has
    one run on each side, else the sign-flip test on per-item rates); scores: paired bootstrap interval and
    sign-flip p-value of the per-item mean scores; each item: Fisher's exact test on its counts, Holm-adjusted.
    Items are classed regressed, improved, stayed solved or stayed failed by their outcome on each side (success
    when at least half of the item's runs succeeded). A side holding several configurations is refused unless
    ``pool`` (SelectionError); pooled results say so (``pooled``)."""
    base_label, base, base_configs = _side(conn, baseline, pool)
    cand_label, cand, cand_configs = _side(conn, candidate, pool)
    shared = sorted(set(base) & set(cand))
    outcomes = _item_outcomes(base, cand, shared)
    test = stats.paired_rate_test(
        [(base[k]["successful"], base[k]["runs"]) for k in shared],
        [(cand[k]["successful"], cand[k]["runs"]) for k in shared],
    )
    rates = (
        stats.paired_bootstrap([_rate(base[k]) for k in shared], [_rate(cand[k]) for k in shared], alpha)
        if shared
        else None
    )
    pairs = [(_score(base[k]), _score(cand[k])) for k in shared]
    scored = [(x, y) for x, y in pairs if x is not None and y is not None]
    scores = stats.paired_bootstrap([x for x, _ in scored], [y for _, y in scored], alpha) if scored else None
    per_item = _per_item(base, cand, shared, outcomes, alpha)
    regressions = [i["item"] for i in per_item if i["significant"] and i["deltaSuccessRate"] < 0]
    improvements = [i["item"] for i in per_item if i["significant"] and i["deltaSuccessRate"] > 0]
    mean_rate_diff = rates.mean_diff if rates is not None else 0.0
    overall_regression = bool(shared) and (
        (test.p_value < alpha and mean_rate_diff < 0)
        or (scores is not None and scores.p_value < alpha and scores.mean_diff < 0)
    )
    overall_improvement = bool(shared) and (
        (test.p_value < alpha and mean_rate_diff > 0)
        or (scores is not None and scores.p_value < alpha and scores.mean_diff > 0)
    )
    repeats = any(base[k]["runs"] > 1 or cand[k]["runs"] > 1 for k in shared)
    return {
        "baseline": base_label,
        "candidate": cand_label,
        "alpha": alpha,
        "baselineConfigurations": base_configs,
        "candidateConfigurations": cand_configs,
        "pooled": len(base_configs) > 1 or len(cand_configs) > 1,
        "sharedItems": len(shared),
        "onlyBaseline": sorted(set(base) - set(cand)),
        "onlyCandidate": sorted(set(cand) - set(base)),
        "baselineRuns": sum(base[k]["runs"] for k in base),
        "candidateRuns": sum(cand[k]["runs"] for k in cand),
        "pairing": (
            "items; items with several runs are compared by their success rates"
            if repeats
            else "items, one run per item on each side"
        ),
        "success": {
            "bothSucceeded": len(outcomes["stayedSolved"]),
            "onlyBaselineSucceeded": len(outcomes["regressed"]),
            "onlyCandidateSucceeded": len(outcomes["improved"]),
            "bothFailed": len(outcomes["stayedFailed"]),
            "pValue": test.p_value,
            "test": test.method,
            "differingItems": test.differing,
            "mcnemarP": test.p_value if test.method == "exact McNemar" else None,
            "rateDiff": _paired(rates),
        },
        "itemOutcomes": outcomes,
        "score": _paired(scores),
        "items": per_item,
        "regressions": regressions,
        "improvements": improvements,
        "significantRegression": overall_regression or bool(regressions),
        "significantImprovement": overall_improvement or bool(improvements),
    }


Items = dict[str, dict[str, Any]]


def _item_outcomes(base: Items, cand: Items, shared: list[str]) -> dict[str, list[str]]:
    """The shared items by their outcome on each side (success: at least half of the item's runs succeeded)."""
    outcomes: dict[str, list[str]] = {"regressed": [], "improved": [], "stayedSolved": [], "stayedFailed": []}
    for k in shared:
        base_ok, cand_ok = item_succeeded(base[k]), item_succeeded(cand[k])
        key = ("stayedSolved" if cand_ok else "regressed") if base_ok else ("improved" if cand_ok else "stayedFailed")
        outcomes[key].append(k)
    return outcomes


def _per_item(
    base: Items, cand: Items, shared: list[str], outcomes: dict[str, list[str]], alpha: float
) -> list[dict[str, Any]]:
    """Each shared item's counts on both sides, Fisher's exact test on them, Holm-adjusted over the items."""
    per_item = []
    for k in shared:
        b, c = base[k], cand[k]
        p = stats.fisher_exact(
            b["successful"], b["runs"] - b["successful"], c["successful"], c["runs"] - c["successful"]
        )
        per_item.append(
            {
                "item": k,
                "baseRuns": b["runs"],
                "baseSuccessful": b["successful"],
                "baseSuccessRate": _rate(b),
                "baseScore": _score(b),
                "candRuns": c["runs"],
                "candSuccessful": c["successful"],
                "candSuccessRate": _rate(c),
                "candScore": _score(c),
                "deltaSuccessRate": _rate(c) - _rate(b),
                "deltaScore": None if _score(b) is None or _score(c) is None else _score(c) - _score(b),  # type: ignore[operator]
                "outcome": next(name for name, keys in outcomes.items() if k in keys),
                "pValue": p,
            }
        )
    adjusted = stats.holm_adjust([i["pValue"] for i in per_item]) if per_item else []
    for item, p in zip(per_item, adjusted, strict=True):
        item["pAdjusted"] = p
        item["significant"] = p < alpha
    return per_item


def _paired(result: stats.PairedResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {
        "n": result.n,
        "meanDiff": result.mean_diff,
        "ciLow": result.ci_low,
        "ciHigh": result.ci_high,
        "pValue": result.p_value,
    }


def previous_comparable_batches(conn: sqlite3.Connection, created: list[str]) -> dict[str, str]:
    """For each batch in ``created`` (batch ids, oldest first): the newest earlier batch that ran the same agents,
    models and suites, when there is one."""
    configs = query_batch_configurations(conn)
    last_seen: dict[Any, str] = {}
    previous: dict[str, str] = {}
    for batch_id in created:
        config = configs.get(batch_id)
        if config is None:
            continue
        if config in last_seen:
            previous[batch_id] = last_seen[config]
        last_seen[config] = batch_id
    return previous


def batch_matrix(
    conn: sqlite3.Connection,
    batch_id: str,
    previous: str | None = None,
    *,
    counts: Callable[[str], list[ItemCountsDict]] | None = None,
) -> dict[str, Any]:
    """A batch as an item x configuration matrix (the batch views of the site and /api/v2/batches/<id>/matrix):
    per configuration and item its runs and successes, the same cell in ``previous`` (an earlier batch) and whether
    the item regressed there (succeeded before, not now: ``item_succeeded``, as ``compare``); per configuration the
    leaderboard's figures over this batch (success rate with its interval, pass@k). ``counts``: a batch's
    query_item_counts (the site's build reads each batch's once for its page, its matrix and the next batch's)."""

    def batch_counts(batch: str) -> list[ItemCountsDict]:
        return query_item_counts(conn, {"batchId": batch})

    count = counts or batch_counts

    def cells(items: list[ItemCountsDict]) -> dict[tuple[str, ...], ItemCountsDict]:
        return {(*config_key(i), item_key(i)): i for i in items}

    own = count(batch_id)
    now = cells(own)
    before = cells(count(previous)) if previous else {}
    items = []
    for cell, i in sorted(now.items()):
        old = before.get(cell)
        items.append(
            {
                **config_fields(cell[:-1]),
                **item_fields(i),
                "runs": i["runs"],
                "successful": i["successful"],
                "meanScore": figures.mean_weighted_score(i),
                "previousRuns": old["runs"] if old else None,
                "previousSuccessful": old["successful"] if old else None,
                "regressed": bool(old and item_succeeded(old) and not item_succeeded(i)),
            }
        )
    return {
        "batchId": batch_id,
        "previousBatchId": previous,
        "items": items,
        "configurations": leaderboard(conn, {"batchId": batch_id}, items=own),
    }


# --------------------------------------------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{100 * value:.1f}%"


def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:+.{digits}f}"


def _outcome_line(result: dict[str, Any]) -> str:
    o = result["itemOutcomes"]
    return (
        f"Items: {len(o['regressed'])} regressed, {len(o['improved'])} improved, {len(o['stayedSolved'])} stayed "
        f"solved, {len(o['stayedFailed'])} stayed failed (an item is solved when at least half of its runs "
        "succeeded)."
    )


def configurations_line(result: dict[str, Any]) -> str:
    """Which configurations each side holds, and whether they were pooled."""

    def side(configs: list[dict[str, Any]]) -> str:
        return ", ".join(c["configuration"] for c in configs) or "no runs"

    text = f"Baseline: {side(result['baselineConfigurations'])}; candidate: {side(result['candidateConfigurations'])}."
    if result["pooled"]:
        text += " POOLED: a side holds several configurations and their runs are counted together (--pool)."
    return text


def markdown_report(result: dict[str, Any]) -> str:
    """A ready pull-request comment."""
    s, score = result["success"], result["score"]
    verdict = (
        "**Significant regression**"
        if result["significantRegression"]
        else "Significant improvement"
        if result["significantImprovement"]
        else "No significant change"
    )
    lines = [
        f"### zebench: `{result['candidate']}` vs `{result['baseline']}`",
        "",
        f"{verdict} (alpha = {result['alpha']}, {plural(result['sharedItems'], 'paired item')}).",
        "",
        configurations_line(result) + f" Paired on {result['pairing']}.",
        "",
        "| measure | difference (candidate - baseline) | 95% interval | p |",
        "| --- | --- | --- | --- |",
    ]
    if s["rateDiff"]:
        r = s["rateDiff"]
        lines.append(
            f"| success rate (mean per item) | {_pct(r['meanDiff'])} | {_pct(r['ciLow'])} .. "
            f"{_pct(r['ciHigh'])} | {s['pValue']:.3g} ({s['test']}) |"
        )
    if score:
        lines.append(
            f"| score /10 | {_num(score['meanDiff'])} | {_num(score['ciLow'])} .. {_num(score['ciHigh'])} | "
            f"{score['pValue']:.3g} (paired bootstrap) |"
        )
    lines += ["", _outcome_line(result)]
    changed = [i for i in result["items"] if i["deltaSuccessRate"] != 0 or (i["deltaScore"] or 0) != 0]
    if changed:
        lines += [
            "",
            "<details><summary>Per-item changes</summary>",
            "",
            "| item | outcome | success (base -> cand) | score (base -> cand) | p (Holm) |",
            "| --- | --- | --- | --- | --- |",
        ]
        for i in sorted(changed, key=lambda x: (x["deltaSuccessRate"], x["item"])):
            mark = " **significant**" if i["significant"] else ""
            bs = "-" if i["baseScore"] is None else f"{i['baseScore']:.1f}"
            cs = "-" if i["candScore"] is None else f"{i['candScore']:.1f}"
            lines.append(
                f"| {i['item']} | {i['outcome']} | {i['baseSuccessful']}/{i['baseRuns']} -> "
                f"{i['candSuccessful']}/{i['candRuns']} | {bs} -> {cs} | {i['pAdjusted']:.3g}{mark} |"
            )
        lines += ["", "</details>"]
    if result["onlyBaseline"] or result["onlyCandidate"]:
        lines += [
            "",
            f"Not compared: {plural(len(result['onlyBaseline']), 'item')} only in the baseline, "
            f"{len(result['onlyCandidate'])} only in the candidate.",
        ]
    return "\n".join(lines) + "\n"


def junit_report(result: dict[str, Any]) -> str:
    """JUnit XML: one test case per paired item, failed when the item regressed (solved by the baseline, not by the
    candidate) or its success dropped significantly (Fisher, Holm); plus one case for the overall significance
    test, failed on a significant overall regression."""
    from xml.sax.saxutils import escape, quoteattr

    cases = []
    for i in result["items"]:
        body = ""
        significant_drop = i["significant"] and i["deltaSuccessRate"] < 0
        if i["outcome"] == "regressed" or significant_drop:
            detail = (
                f"success {i['baseSuccessful']}/{i['baseRuns']} -> {i['candSuccessful']}/{i['candRuns']}, "
                f"Fisher p (Holm) = {i['pAdjusted']:.3g}" + ("" if significant_drop else "; not significant on its own")
            )
            message = "regressed" + (" significantly" if significant_drop else "")
            body = f"<failure message={quoteattr(message)}>{escape(detail)}</failure>"
        cases.append(f'<testcase classname="zebench.compare.items" name={quoteattr(i["item"])}>{body}</testcase>')
    s = result["success"]
    overall_detail = f"success p = {s['pValue']:.3g} ({s['test']}) over {plural(result['sharedItems'], 'paired item')}"
    if result["score"]:
        overall_detail += f"; score p = {result['score']['pValue']:.3g}"
    overall = (
        f'<failure message="significant overall regression">{escape(overall_detail)}</failure>'
        if result["significantRegression"]
        else ""
    )
    cases.append(f'<testcase classname="zebench.compare" name="overall significance">{overall}</testcase>')
    failures = sum("<failure" in c for c in cases)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="zebench compare" tests="{len(cases)}" '
        f'failures="{failures}">\n' + "\n".join(cases) + "\n</testsuite>\n"
    )
