"""Data shaped like real benchmark submissions, generated for the tests (issue 17), and independent reference
computations of the figures zebench reports (plain Python, scipy and statsmodels; none of zebench.stats).

``leaderboard_trials``: 9 agent/model submissions x 80 tasks x about 5 trials, as a public terminal-agent
leaderboard publishes them: most tasks 5 trials, some 1, 3, 4 or 6 (crashed or re-run trials), each submission in
2-3 run folders (batches), outcomes correlated within a task (a task's difficulty and the submission's ability set
one success probability for all its trials), a few crashed trials (agent and infrastructure failures). Three
submissions share one agent name with three models, as on the real board.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import scipy.stats
from statsmodels.stats.multitest import multipletests

from zebench.models import Failure, RunRecord, Telemetry

SUBMISSIONS = [
    ("droid", "claude-opus-4-1", 1.3),
    ("droid", "gpt-5", 1.1),
    ("droid", "claude-sonnet-4-5", 1.0),
    ("terminus", "claude-opus-4-1", 0.7),
    ("terminus", "gpt-5-mini", -0.2),
    ("codex-cli", "gpt-5", 0.9),
    ("claude-code", "claude-opus-4-1", 0.8),
    ("goose", "claude-sonnet-4-5", 0.2),
    ("openhands", "gpt-5-mini", -0.9),
]
TASKS = 80
#: Trials per task: mostly 5; crashes and re-runs leave 1, 3, 4 or 6.
TRIAL_COUNTS = [5] * 12 + [1, 3, 4, 6]


@dataclass(frozen=True)
class Trial:
    agent: str
    model: str
    task: str
    success: bool
    failure: str | None  # None, "agent" or "infrastructure"
    score: float
    batch: str


def leaderboard_trials(seed: int = 2025) -> list[Trial]:
    rng = np.random.default_rng(seed)
    difficulty = rng.normal(0.0, 1.6, TASKS)  # large spread: strongly correlated trials of one task
    trials: list[Trial] = []
    for index, (agent, model, ability) in enumerate(SUBMISSIONS):
        folders = [f"{agent}-{model}-run{k}" for k in range(2 + index % 2)]
        for t in range(TASKS):
            p = 1.0 / (1.0 + math.exp(-(ability - difficulty[t] + rng.normal(0, 0.5))))
            for trial in range(int(rng.choice(TRIAL_COUNTS))):
                roll = rng.random()
                failure = "agent" if roll < 0.02 else "infrastructure" if roll < 0.035 else None
                success = failure is None and rng.random() < p
                score = 10.0 if success else (0.0 if failure else float(np.round(rng.uniform(0, 6), 2)))
                trials.append(
                    Trial(agent, model, f"task-{t:02d}", success, failure, score, folders[trial % len(folders)])
                )
    return trials


def as_records(trials: list[Trial]) -> dict[str, list[dict[str, Any]]]:
    """The trials as run records (JSON), one list per run folder (batch): what `zebench ingest` reads."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for i, t in enumerate(trials):
        record = RunRecord(
            run_id=f"trial-{i:05d}",
            batch_id=t.batch,
            suite="terminal-bench",
            scenario=t.task,
            tier="L1",
            agent=t.agent,
            model=t.model,
            status="failed" if t.failure else "completed",
            started_at=f"2025-09-{1 + i % 28:02d}T{i % 24:02d}:00:00.000Z",
            weighted_score=None if t.failure else t.score,
            is_successful=t.success,
            failure=Failure(category=t.failure, stage="agent", message="trial crashed") if t.failure else None,  # type: ignore[arg-type]
            telemetry=Telemetry(cost_usd=0.05),
        )
        out[t.batch].append(record.to_json_dict())
    return out


# --------------------------------------------------------------------------------------------------------------
# Independent references


def per_item(trials: list[Trial]) -> dict[tuple[str, str], dict[str, tuple[int, int]]]:
    """(agent, model) -> task -> (successes, trials)."""
    out: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for t in trials:
        cell = out[(t.agent, t.model)][f"terminal-bench/{t.task}/L1"]
        cell[0] += t.success
        cell[1] += 1
    return {k: {item: (s, n) for item, (s, n) in v.items()} for k, v in out.items()}


def korn_graubard(s: list[int], n: list[int], alpha: float = 0.05) -> tuple[float, float]:
    """The clustered interval from statsmodels' cluster-robust variance (CR1) and scipy's beta quantiles."""
    import statsmodels.api as sm

    y = np.concatenate([[1.0] * si + [0.0] * (ni - si) for si, ni in zip(s, n, strict=True)])
    groups = np.concatenate([[g] * ni for g, ni in enumerate(n)])
    fit = sm.OLS(y, np.ones_like(y)).fit(cov_type="cluster", cov_kwds={"groups": groups, "use_correction": False})
    items, total = len(n), sum(n)
    variance = float(fit.bse[0] ** 2) * items / (items - 1)
    p = float(y.mean())
    if 0 < p < 1 and variance > 0:
        effective = min(total, p * (1 - p) / variance)
    else:
        effective = float(items) if p in (0.0, 1.0) else float(total)
    effective *= (scipy.stats.norm.ppf(1 - alpha / 2) / scipy.stats.t.ppf(1 - alpha / 2, items - 1)) ** 2
    x = p * effective
    low = 0.0 if x == 0 else scipy.stats.beta.ppf(alpha / 2, x, effective - x + 1)
    high = 1.0 if p == 1 else scipy.stats.beta.ppf(1 - alpha / 2, x + 1, effective - x)
    return float(low), float(high)


def pass_at_k_reference(cells: list[tuple[int, int]]) -> dict[int, tuple[float, float, int]]:
    """k -> (pass@k, pass^k, items with at least k runs), with exact binomial coefficients."""
    out = {}
    for k in range(1, max(n for _, n in cells) + 1):
        covered = [(s, n) for s, n in cells if n >= k]
        at = sum(1 - Fraction(math.comb(n - s, k), math.comb(n, k)) for s, n in covered) / len(covered)
        hat = sum(Fraction(math.comb(s, k), math.comb(n, k)) for s, n in covered) / len(covered)
        out[k] = (float(at), float(hat), len(covered))
    return out


def sign_flip_p(base: list[tuple[int, int]], cand: list[tuple[int, int]]) -> float:
    """Exact two-sided sign-flip p-value of the per-item rate differences: scipy's binomial test when every item
    ran once per side, else the exact distribution over a dictionary of Fractions (no lattice, no numpy)."""
    if all(n == 1 for _, n in base + cand):
        b = sum(1 for (x, _), (y, _) in zip(base, cand, strict=True) if x > y)
        c = sum(1 for (x, _), (y, _) in zip(base, cand, strict=True) if y > x)
        return 1.0 if b + c == 0 else float(scipy.stats.binomtest(min(b, c), b + c, 0.5).pvalue)
    d = [Fraction(sc, nc) - Fraction(sb, nb) for (sb, nb), (sc, nc) in zip(base, cand, strict=True)]
    d = [abs(x) for x in d if x]
    if not d:
        return 1.0
    observed = abs(
        sum((Fraction(sc, nc) - Fraction(sb, nb) for (sb, nb), (sc, nc) in zip(base, cand, strict=True)), Fraction(0))
    )
    dist: dict[Fraction, Fraction] = {Fraction(0): Fraction(1)}
    for x in d:
        nxt: dict[Fraction, Fraction] = defaultdict(Fraction)
        for value, prob in dist.items():
            nxt[value + x] += prob / 2
            nxt[value - x] += prob / 2
        dist = nxt
    return float(sum(p for v, p in dist.items() if abs(v) >= observed))


def tie_groups_reference(
    ordered: list[tuple[str, dict[str, tuple[int, int]]]], alpha: float = 0.05, min_shared: int = 10
) -> dict[str, int | None]:
    """The documented method (docs/statistics.md, "Tie groups"), written out again: name -> group."""
    groups: dict[str, int | None] = {name: None for name, _ in ordered}
    remaining = [(name, items) for name, items in ordered if len(items) >= min_shared]
    group = 0
    while remaining:
        (leader, lead_items), *others = remaining
        group += 1
        groups[leader] = group
        tested = []
        for name, items in others:
            shared = sorted(set(lead_items) & set(items))
            if len(shared) < min_shared:
                continue
            p = sign_flip_p([lead_items[k] for k in shared], [items[k] for k in shared])
            worse = sum(Fraction(*items[k]) for k in shared) < sum(Fraction(*lead_items[k]) for k in shared)
            tested.append((name, p, worse))
        if tested:
            adjusted = multipletests([p for _, p, _ in tested], method="holm")[1]
            for (name, _, worse), adj in zip(tested, adjusted, strict=True):
                if not (worse and adj < alpha):
                    groups[name] = group
        remaining = [(n, i) for n, i in others if groups[n] is None]
    return groups
