"""Trustworthy numbers: the leaderboard with intervals and tie groups, and paired comparisons of two selections.

Both read per-item counts (an item is a suite/scenario/tier) from the store, so the CLI, the API and the site
compute the same figures with the same functions. Statistics are computed over items, not runs: repeats of one
item are not independent, so intervals bootstrap item means (a cluster bootstrap) and paired tests pair items.

Denominators are explicit: runs, completed runs, agent failures and infrastructure failures (rate limits,
harness errors, crashes: see store.INFRA_CATEGORIES), and scores with infrastructure failures (counted as
unsuccessful, score 0) and without them (left out).
"""

from __future__ import annotations

import math
import sqlite3
from typing import Any

from . import stats
from .store import batch_exists, query_batch_configurations, query_item_counts, query_stats_agents

DEFAULT_ALPHA = 0.05
BOOTSTRAP_RESAMPLES = 2000


def item_key(row: dict[str, Any]) -> str:
    return f"{row['suite']}/{row['scenario']}/{row['tier']}"


def config_key(row: dict[str, Any]) -> tuple[str, str]:
    return row["agent"], row["model"] or ""


def config_name(agent: str, model: str) -> str:
    return f"{agent} [{model}]" if model else agent


def item_succeeded(counts: dict[str, Any]) -> bool:
    """An item's outcome for a configuration: success when at least half of its repeats succeeded."""
    return 2 * counts["successful"] >= counts["runs"]


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


# --------------------------------------------------------------------------------------------------------------
# Leaderboard
# --------------------------------------------------------------------------------------------------------------


def leaderboard(conn: sqlite3.Connection, filters: dict[str, str] | None = None, *, since: str | None = None,
                until: str | None = None, alpha: float = DEFAULT_ALPHA) -> list[dict[str, Any]]:
    """One row per agent and model, best first, with intervals, pass@k, cost per solved task and tie groups."""
    by_config: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in query_item_counts(conn, filters, since=since, until=until):
        by_config.setdefault(config_key(row), []).append(row)
    rows: list[dict[str, Any]] = []
    outcomes: dict[tuple[str, str], dict[str, bool]] = {}
    for (agent, model), items in by_config.items():
        runs = sum(i["runs"] for i in items)
        successful = sum(i["successful"] for i in items)
        infra = sum(i["infra_failed"] for i in items)
        agent_failed = sum(i["agent_failed"] for i in items)
        scored = sum(i["scored"] for i in items)
        sum_weighted = sum(i["sum_weighted"] for i in items)
        cost_runs, sum_cost = sum(i["cost_runs"] for i in items), sum(i["sum_cost"] for i in items)
        item_means = [i["sum_weighted"] / i["scored"] for i in items if i["scored"]]
        low, high = stats.wilson_interval(successful, runs, alpha)
        low_ex, high_ex = stats.wilson_interval(successful, runs - infra, alpha)
        score_low, score_high = (stats.bootstrap_mean_interval(item_means, alpha, BOOTSTRAP_RESAMPLES)
                                 if item_means else (None, None))
        repeats = min(i["runs"] for i in items)
        pass_k: dict[str, float] = {}
        if repeats >= 2:
            for k in sorted({1, 2, repeats}):
                pass_k[f"pass@{k}"] = sum(stats.pass_at_k(i["runs"], i["successful"], k) for i in items) / len(items)
                pass_k[f"pass^{k}"] = sum(stats.pass_hat_k(i["runs"], i["successful"], k) for i in items) / len(items)
        flaky = stats.flakiness({item_key(i): [True] * i["successful"] + [False] * (i["runs"] - i["successful"])
                                 for i in items})
        outcomes[(agent, model)] = {item_key(i): item_succeeded(i) for i in items}
        rows.append({
            "agent": agent, "model": model or None, "items": len(items), "runs": runs,
            "completedRuns": runs - agent_failed - infra, "agentFailures": agent_failed, "infraFailures": infra,
            "successfulRuns": successful,
            "successRate": _ratio(successful, runs), "successRateLow": low, "successRateHigh": high,
            "successRateExclInfra": _ratio(successful, runs - infra),
            "successRateExclInfraLow": low_ex, "successRateExclInfraHigh": high_ex,
            "meanScore": _ratio(sum_weighted, scored), "meanScoreLow": score_low, "meanScoreHigh": score_high,
            "meanScoreWithInfra": _ratio(sum_weighted, scored + infra),
            "passAtK": pass_k, "repeatsPerItem": repeats,
            "totalCostUsd": sum_cost if cost_runs else None, "costUnknownRuns": runs - cost_runs,
            "costPerSolvedUsd": _ratio(sum_cost, successful) if cost_runs == runs and successful else None,
            "flakyItems": sum(1 for v in flaky.values() if v > 0),
            "flakiness": _ratio(sum(flaky.values()), len(flaky)),
        })
    rows.sort(key=lambda r: (-(r["successRate"] or 0), -(r["meanScore"] or 0), r["agent"], r["model"] or ""))
    groups = stats.tie_groups(
        [stats.LeaderRow(config_name(r["agent"], r["model"] or ""), outcomes[(r["agent"], r["model"] or "")])
         for r in rows], alpha)
    for rank, (row, group) in enumerate(zip(rows, groups), 1):
        row["rank"], row["tieGroup"] = rank, group
    return rows


#: Leaderboard fields merged into the per-agent statistics (/api/stats/agents and the site's agents page).
LEADERBOARD_FIELDS = ("rank", "tieGroup", "items", "completedRuns", "agentFailures", "infraFailures",
                      "successRateLow", "successRateHigh", "successRateExclInfra", "successRateExclInfraLow",
                      "successRateExclInfraHigh", "meanScore", "meanScoreLow", "meanScoreHigh", "meanScoreWithInfra",
                      "passAtK", "repeatsPerItem", "costPerSolvedUsd", "flakyItems", "flakiness")


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
            raise SelectionError(f"unknown filter {key!r} in {text!r} (valid keys: agent, model, suite, scenario, "
                                 "tier, batchId, since, until)")
    return filters, since, until, text


def _side(conn: sqlite3.Connection, text: str) -> tuple[str, dict[str, dict[str, Any]]]:
    filters, since, until, label = parse_selection(conn, text)
    items: dict[str, dict[str, Any]] = {}
    for row in query_item_counts(conn, filters, since=since, until=until):
        merged = items.setdefault(item_key(row), {k: 0 for k in ("runs", "successful", "infra_failed", "scored",
                                                                  "sum_weighted")})
        for k in merged:
            merged[k] += row[k]
    return label, items


def _rate(c: dict[str, Any]) -> float:
    return c["successful"] / c["runs"] if c["runs"] else 0.0


def _score(c: dict[str, Any]) -> float | None:
    return c["sum_weighted"] / c["scored"] if c["scored"] else None


def compare(conn: sqlite3.Connection, baseline: str, candidate: str, *, alpha: float = DEFAULT_ALPHA
            ) -> dict[str, Any]:
    """Candidate against baseline over the items both ran (paired)."""
    base_label, base = _side(conn, baseline)
    cand_label, cand = _side(conn, candidate)
    shared = sorted(set(base) & set(cand))
    only_base, only_cand = sorted(set(base) - set(cand)), sorted(set(cand) - set(base))
    base_ok = {k: item_succeeded(base[k]) for k in shared}
    cand_ok = {k: item_succeeded(cand[k]) for k in shared}
    both, only_b, only_c, neither = stats.paired_outcomes(base_ok, cand_ok)
    mcnemar_p = stats.mcnemar_exact(only_b, only_c)
    rates = stats.paired_bootstrap([_rate(base[k]) for k in shared], [_rate(cand[k]) for k in shared], alpha) \
        if shared else None
    scored = [k for k in shared if _score(base[k]) is not None and _score(cand[k]) is not None]
    scores = stats.paired_bootstrap([_score(base[k]) for k in scored], [_score(cand[k]) for k in scored], alpha) \
        if scored else None  # type: ignore[misc]
    per_item = []
    for k in shared:
        b, c = base[k], cand[k]
        p = stats.fisher_exact(b["successful"], b["runs"] - b["successful"], c["successful"], c["runs"] - c["successful"])
        per_item.append({"item": k, "baseRuns": b["runs"], "baseSuccessRate": _rate(b), "baseScore": _score(b),
                         "candRuns": c["runs"], "candSuccessRate": _rate(c), "candScore": _score(c),
                         "deltaSuccessRate": _rate(c) - _rate(b),
                         "deltaScore": None if _score(b) is None or _score(c) is None else _score(c) - _score(b),  # type: ignore[operator]
                         "pValue": p})
    adjusted = stats.holm_adjust([i["pValue"] for i in per_item]) if per_item else []
    for item, p in zip(per_item, adjusted):
        item["pAdjusted"] = p
        item["significant"] = p < alpha
    regressions = [i["item"] for i in per_item if i["significant"] and i["deltaSuccessRate"] < 0]
    improvements = [i["item"] for i in per_item if i["significant"] and i["deltaSuccessRate"] > 0]
    overall_regression = bool(shared) and (
        (mcnemar_p < alpha and only_b > only_c) or
        (scores is not None and scores.p_value < alpha and scores.mean_diff < 0)
    )
    overall_improvement = bool(shared) and (
        (mcnemar_p < alpha and only_c > only_b) or
        (scores is not None and scores.p_value < alpha and scores.mean_diff > 0)
    )

    def paired(result: stats.PairedResult | None) -> dict[str, Any] | None:
        if result is None:
            return None
        return {"n": result.n, "meanDiff": result.mean_diff, "ciLow": result.ci_low, "ciHigh": result.ci_high,
                "pValue": result.p_value}

    return {
        "baseline": base_label, "candidate": cand_label, "alpha": alpha,
        "sharedItems": len(shared), "onlyBaseline": only_base, "onlyCandidate": only_cand,
        "baselineRuns": sum(base[k]["runs"] for k in base), "candidateRuns": sum(cand[k]["runs"] for k in cand),
        "success": {"bothSucceeded": both, "onlyBaselineSucceeded": only_b, "onlyCandidateSucceeded": only_c,
                    "bothFailed": neither, "mcnemarP": mcnemar_p, "rateDiff": paired(rates)},
        "score": paired(scores),
        "items": per_item, "regressions": regressions, "improvements": improvements,
        "significantRegression": overall_regression or bool(regressions),
        "significantImprovement": overall_improvement or bool(improvements),
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
        items.append({
            "agent": agent, "model": model or None, "suite": i["suite"], "scenario": i["scenario"], "tier": i["tier"],
            "runs": i["runs"], "successful": i["successful"], "meanScore": _ratio(i["sum_weighted"], i["scored"]),
            "previousRuns": old["runs"] if old else None, "previousSuccessful": old["successful"] if old else None,
            "regressed": bool(old and item_succeeded(old) and not item_succeeded(i)),
        })
    return {"batchId": batch_id, "previousBatchId": previous, "items": items,
            "configurations": leaderboard(conn, {"batchId": batch_id})}


# --------------------------------------------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{100 * value:.1f}%"


def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:+.{digits}f}"


def markdown_report(result: dict[str, Any]) -> str:
    """A ready pull-request comment."""
    s, score = result["success"], result["score"]
    verdict = ("**Significant regression**" if result["significantRegression"]
               else "Significant improvement" if result["significantImprovement"] else "No significant change")
    lines = [
        f"### zebench: `{result['candidate']}` vs `{result['baseline']}`",
        "",
        f"{verdict} (alpha = {result['alpha']}, {result['sharedItems']} paired items).",
        "",
        "| measure | difference (candidate - baseline) | 95% interval | p |",
        "| --- | --- | --- | --- |",
    ]
    if s["rateDiff"]:
        r = s["rateDiff"]
        lines.append(f"| success rate | {_pct(r['meanDiff'])} | {_pct(r['ciLow'])} .. {_pct(r['ciHigh'])} | "
                     f"{s['mcnemarP']:.3g} (McNemar) |")
    if score:
        lines.append(f"| score /10 | {_num(score['meanDiff'])} | {_num(score['ciLow'])} .. {_num(score['ciHigh'])} | "
                     f"{score['pValue']:.3g} (paired bootstrap) |")
    lines += ["", f"Items: {s['onlyCandidateSucceeded']} newly solved, {s['onlyBaselineSucceeded']} newly failed, "
                  f"{s['bothSucceeded']} solved by both, {s['bothFailed']} by neither."]
    changed = [i for i in result["items"] if i["deltaSuccessRate"] != 0 or (i["deltaScore"] or 0) != 0]
    if changed:
        lines += ["", "<details><summary>Per-item changes</summary>", "",
                  "| item | success (base -> cand) | score (base -> cand) | p (Holm) |", "| --- | --- | --- | --- |"]
        for i in sorted(changed, key=lambda x: x["deltaSuccessRate"]):
            mark = " **significant**" if i["significant"] else ""
            bs = "-" if i["baseScore"] is None else f"{i['baseScore']:.1f}"
            cs = "-" if i["candScore"] is None else f"{i['candScore']:.1f}"
            lines.append(f"| {i['item']} | {_pct(i['baseSuccessRate'])} -> {_pct(i['candSuccessRate'])} | "
                         f"{bs} -> {cs} | {i['pAdjusted']:.3g}{mark} |")
        lines += ["", "</details>"]
    if result["onlyBaseline"] or result["onlyCandidate"]:
        lines += ["", f"Not compared: {len(result['onlyBaseline'])} items only in the baseline, "
                      f"{len(result['onlyCandidate'])} only in the candidate."]
    return "\n".join(lines) + "\n"


def junit_report(result: dict[str, Any]) -> str:
    """JUnit XML: one test case per paired item, failing on a significant regression, plus one for the total."""
    from xml.sax.saxutils import escape, quoteattr

    cases = []
    for i in result["items"]:
        body = ""
        if i["significant"] and i["deltaSuccessRate"] < 0:
            detail = "success {:.2f} -> {:.2f}, p={:.3g}".format(i["baseSuccessRate"], i["candSuccessRate"],
                                                               i["pAdjusted"])
            body = f"<failure message={quoteattr('significant regression')}>{escape(detail)}</failure>"
        cases.append(f'<testcase classname="zebench.compare" name={quoteattr(i["item"])}>{body}</testcase>')
    overall = ("<failure message=\"significant overall regression\"/>"
               if result["significantRegression"] and not result["regressions"] else "")
    cases.append(f'<testcase classname="zebench.compare" name="overall">{overall}</testcase>')
    failures = sum("<failure" in c for c in cases)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="zebench compare" tests="{len(cases)}" '
            f'failures="{failures}">\n' + "\n".join(cases) + "\n</testsuite>\n")
