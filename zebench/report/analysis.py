"""Trustworthy numbers: the leaderboard with intervals and tie groups, and paired comparisons of two selections.

Both read per-item counts (an item is a suite/scenario/tier) from the store, so the CLI, the API and the site
compute the same figures with the same functions. Every figure is per configuration (agent and model): a
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
from typing import Any

from ..constants import plural
from ..store import batch_exists, query_batch_configurations, query_item_counts, query_stats_agents
from . import stats

DEFAULT_ALPHA = 0.05
DEFAULT_MIN_SHARED_ITEMS = stats.DEFAULT_MIN_SHARED_ITEMS
#: Bounds of a run's weighted score (the mean score's interval is clipped to them).
SCORE_BOUNDS = (0.0, 10.0)


def item_key(row: dict[str, Any]) -> str:
    return f"{row['suite']}/{row['scenario']}/{row['tier']}"


def config_key(row: dict[str, Any]) -> tuple[str, str]:
    return row["agent"], row["model"] or ""


def config_name(agent: str, model: str | None) -> str:
    """A configuration as shown everywhere: agent and model (the model in brackets; none for agents without)."""
    return f"{agent} [{model}]" if model else agent


def item_succeeded(counts: dict[str, Any]) -> bool:
    """An item's outcome for a configuration: success when at least half of its runs succeeded."""
    return bool(2 * counts["successful"] >= counts["runs"])


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


# --------------------------------------------------------------------------------------------------------------
# Leaderboard
# --------------------------------------------------------------------------------------------------------------


def _config_row(agent: str, model: str, items: list[dict[str, Any]], alpha: float) -> dict[str, Any]:
    runs = sum(i["runs"] for i in items)
    successful = sum(i["successful"] for i in items)
    infra = sum(i["infra_failed"] for i in items)
    agent_failed = sum(i["agent_failed"] for i in items)
    scored = sum(i["scored"] for i in items)
    sum_weighted = sum(i["sum_weighted"] for i in items)
    cost_runs, sum_cost = sum(i["cost_runs"] for i in items), sum(i["sum_cost"] for i in items)
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
    return {
        "agent": agent,
        "model": model or None,
        "configuration": config_name(agent, model),
        "items": len(items),
        "runs": runs,
        "completedRuns": sum(i["completed"] for i in items),
        "agentFailures": agent_failed,
        "infraFailures": infra,
        "successfulRuns": successful,
        "evaluatorErrorRuns": sum(i["evaluator_errors"] for i in items),
        "runsPerItemMin": min(per_item_runs),
        "runsPerItemMax": max(per_item_runs),
        "repeatsPerItem": max(per_item_runs),
        "successRate": _ratio(successful, runs),
        "successRateLow": low,
        "successRateHigh": high,
        "successRateInterval": method,
        "successRateExclInfra": _ratio(successful, runs - infra),
        "successRateExclInfraLow": low_ex if runs - infra else None,
        "successRateExclInfraHigh": high_ex if runs - infra else None,
        "meanScore": _ratio(sum_weighted, scored),
        "meanScoreLow": score_interval[0] if score_interval else None,
        "meanScoreHigh": score_interval[1] if score_interval else None,
        "meanScoreWithInfra": _ratio(sum_weighted, scored + infra),
        "passAtK": {
            key: value for c in curve for key, value in ((f"pass@{c.k}", c.pass_at_k), (f"pass^{c.k}", c.pass_hat_k))
        },
        "passAtKItems": {str(c.k): c.items for c in curve},
        "totalCostUsd": sum_cost if cost_runs else None,
        "costUnknownRuns": runs - cost_runs,
        "costPerSolvedUsd": _ratio(sum_cost, successful) if cost_runs == runs else None,
        "flakyItems": sum(1 for v in flaky.values() if v > 0),
        "flakiness": _ratio(sum(flaky.values()), len(flaky)),
    }


def leaderboard(
    conn: sqlite3.Connection,
    filters: dict[str, str] | None = None,
    *,
    since: str | None = None,
    until: str | None = None,
    alpha: float = DEFAULT_ALPHA,
    min_shared_items: int = DEFAULT_MIN_SHARED_ITEMS,
) -> list[dict[str, Any]]:
    """One row per agent and model, best first (success rate, then mean score), with clustered intervals,
    pass@k, cost per solved task and tie groups (stats.tie_groups)."""
    by_config: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in query_item_counts(conn, filters, since=since, until=until):
        if row["runs"] > 0:
            by_config.setdefault(config_key(row), []).append(row)
    rows = [_config_row(agent, model, items, alpha) for (agent, model), items in by_config.items()]
    rows.sort(
        key=lambda r: (
            r["successRate"] is None,
            -(r["successRate"] or 0),
            r["meanScore"] is None,
            -(r["meanScore"] or 0),
            r["agent"],
            r["model"] or "",
        )
    )
    ties = stats.tie_groups(
        [
            stats.TieRow(
                r["configuration"],
                {item_key(i): (i["successful"], i["runs"]) for i in by_config[(r["agent"], r["model"] or "")]},
            )
            for r in rows
        ],
        alpha,
        min_shared_items,
    )
    for rank, (row, tie) in enumerate(zip(rows, ties, strict=True), 1):
        row.update(
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


def merge_leaderboard(rows: list[dict[str, Any]], board: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per-agent statistics (store.query_stats_agents) with the leaderboard's fields, best first."""
    by_config = {(r["agent"], r["model"]): r for r in board}
    for row in rows:
        extra = by_config.get((row["agent"], row["model"]), {})
        row.update({k: extra.get(k) for k in LEADERBOARD_FIELDS})
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0))
    return rows


def agent_stats(conn: sqlite3.Connection, board: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
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
    """A batch id, or filters ``key=value[,key=value...]`` (agent, model, suite, scenario, tier, batchId, since,
    until). Returns (filters, since, until, label)."""
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
        elif key in ("agent", "model", "suite", "scenario", "tier", "batchId", "batch"):
            filters["batchId" if key == "batch" else key] = value.strip()
        else:
            raise SelectionError(
                f"unknown filter {key!r} in {text!r} (valid keys: agent, model, suite, scenario, "
                "tier, batchId, since, until)"
            )
    return filters, since, until, text


def leaderboard_of(conn: sqlite3.Connection, selection: str | None = None, **options: Any) -> list[dict[str, Any]]:
    """The leaderboard of the runs ``selection`` picks (a batch id or filter text, see parse_selection; None or
    empty: every run); ``options`` go to :func:`leaderboard`. SelectionError for an unknown key or batch."""
    if not selection:
        return leaderboard(conn, **options)
    filters, since, until, _ = parse_selection(conn, selection)
    return leaderboard(conn, filters, since=since, until=until, **options)


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
    configs: dict[tuple[str, str], int] = {}
    for row in query_item_counts(conn, filters, since=since, until=until):
        if not row["runs"]:
            continue
        configs[config_key(row)] = configs.get(config_key(row), 0) + row["runs"]
        merged = items.setdefault(
            item_key(row), {k: 0 for k in ("runs", "successful", "infra_failed", "scored", "sum_weighted")}
        )
        for k in merged:
            merged[k] += row[k]
    if len(configs) > 1 and not pool:
        names = ", ".join(f"{config_name(a, m)} ({plural(n, 'run')})" for (a, m), n in sorted(configs.items()))
        first_agent, first_model = min(configs)
        narrowed = (
            (f"{text}," if "=" in text else f"batchId={text},")
            + f"agent={first_agent}"
            + (f",model={first_model}" if first_model else "")
        )
        raise SelectionError(
            f"{label!r} holds {plural(len(configs), 'configuration')}: {names}. Compare one configuration "
            f"per side (e.g. {narrowed}), or pass --pool to compare them pooled"
        )
    return (
        label,
        items,
        [
            {"agent": a, "model": m or None, "configuration": config_name(a, m), "runs": n}
            for (a, m), n in sorted(configs.items())
        ],
    )


def _rate(c: dict[str, Any]) -> float:
    return c["successful"] / c["runs"] if c["runs"] else 0.0


def _score(c: dict[str, Any]) -> float | None:
    return c["sum_weighted"] / c["scored"] if c["scored"] else None


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


def batch_matrix(conn: sqlite3.Connection, batch_id: str, previous: str | None = None) -> dict[str, Any]:
    """A batch as an item x configuration matrix (the batch views of the site and /api/v2/batches/<id>/matrix):
    per configuration and item its runs and successes, the same cell in ``previous`` (an earlier batch) and whether
    the item regressed there (succeeded before, not now: ``item_succeeded``, as ``compare``); per configuration the
    leaderboard's figures over this batch (success rate with its interval, pass@k)."""

    def cells(batch: str) -> dict[tuple[str, str, str], dict[str, Any]]:
        return {(*config_key(i), item_key(i)): i for i in query_item_counts(conn, {"batchId": batch})}

    now = cells(batch_id)
    before = cells(previous) if previous else {}
    items = []
    for (agent, model, key), i in sorted(now.items()):
        old = before.get((agent, model, key))
        items.append(
            {
                "agent": agent,
                "model": model or None,
                "suite": i["suite"],
                "scenario": i["scenario"],
                "tier": i["tier"],
                "runs": i["runs"],
                "successful": i["successful"],
                "meanScore": _ratio(i["sum_weighted"], i["scored"]),
                "previousRuns": old["runs"] if old else None,
                "previousSuccessful": old["successful"] if old else None,
                "regressed": bool(old and item_succeeded(old) and not item_succeeded(i)),
            }
        )
    return {
        "batchId": batch_id,
        "previousBatchId": previous,
        "items": items,
        "configurations": leaderboard(conn, {"batchId": batch_id}),
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
