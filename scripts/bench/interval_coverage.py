#!/usr/bin/env python3
"""Coverage of zebench's 95% intervals on generated data with correlated repeats (issue 17).

Each simulated configuration runs G items, item i n_i times. Outcomes of one item are correlated: the item has
its own success probability p_i ~ Beta(a, b) (intra-item correlation rho = 1 / (a + b + 1)) and its own mean
score; runs of the item draw around them. The population success rate is E[p_i] = a / (a + b) and the population
mean score 10 E[m_i]; an interval covers when it contains them. Printed per setting, for the success rate: the
clustered interval zebench uses (stats.clustered_proportion_interval) and, for contrast, a Wilson interval over
runs as if they were independent; for the mean score, the clustered t interval (stats.clustered_mean_interval).

    python scripts/bench/interval_coverage.py              # 2,000 simulated configurations per setting, seed 0
    python scripts/bench/interval_coverage.py --sims 10000

The figures are in docs/statistics.md; tests/test_coverage.py checks that the clustered intervals cover 93-97%.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

import numpy as np

from zebench.report import stats


@dataclass(frozen=True)
class Setting:
    """One generated shape: ``items`` items; ``repeats`` the run counts an item draws from (uniformly);
    success probabilities p_i ~ Beta(a, b); ``rho`` the intra-item correlation of success."""

    name: str
    items: int
    repeats: tuple[int, ...]
    rate: float
    rho: float

    @property
    def beta(self) -> tuple[float, float]:
        total = 1.0 / self.rho - 1.0  # rho = 1 / (a + b + 1)
        return self.rate * total, (1.0 - self.rate) * total


SETTINGS = (
    # the shape of the public leaderboard: 80 tasks, 5 trials each, about 59% solved
    Setting("80 items x 5 runs, rate 0.59, rho 0.5", 80, (5,), 0.59, 0.5),
    # uneven repeats as real runs leave them (crashes, re-runs)
    Setting("80 items x 1/3/4/5/6 runs, rate 0.59, rho 0.5", 80, (1, 3, 4, 5, 5, 5, 5, 6), 0.59, 0.5),
    # few items, strong correlation: the small-sample correction matters
    Setting("20 items x 3 runs, rate 0.50, rho 0.8", 20, (3,), 0.5, 0.8),
    # a low rate, weaker correlation
    Setting("40 items x 5 runs, rate 0.15, rho 0.3", 40, (5,), 0.15, 0.3),
)


@dataclass(frozen=True)
class Coverage:
    setting: Setting
    sims: int
    clustered_rate: float
    wilson_rate: float
    clustered_score: float


def simulate(setting: Setting, sims: int, seed: int = 0, alpha: float = 0.05) -> Coverage:
    """Share of ``sims`` generated configurations whose intervals contain the population values."""
    rng = np.random.default_rng([seed, setting.items, len(setting.repeats)])
    a, b = setting.beta
    true_rate = setting.rate
    true_score = 10.0 * 0.5  # item mean scores m_i ~ Beta(2, 2): population mean 5 out of 10
    hits = {"clustered": 0, "wilson": 0, "score": 0}
    for _ in range(sims):
        runs = rng.choice(np.asarray(setting.repeats), size=setting.items)
        p = rng.beta(a, b, size=setting.items)
        successes = rng.binomial(runs, p)
        low, high, _ = stats.clustered_proportion_interval(successes.tolist(), runs.tolist(), alpha)
        hits["clustered"] += low <= true_rate <= high
        low, high = stats.wilson_interval(int(successes.sum()), int(runs.sum()), alpha)
        hits["wilson"] += low <= true_rate <= high
        # scores: an item mean m_i, each run 10 * Beta(8 m_i, 8 (1 - m_i)) around it (correlated within the item)
        m = rng.beta(2.0, 2.0, size=setting.items)
        sums = [float(10.0 * rng.beta(8 * mi, 8 * (1 - mi), size=n).sum()) for mi, n in zip(m, runs, strict=True)]
        interval = stats.clustered_mean_interval(sums, runs.tolist(), alpha, (0.0, 10.0))
        hits["score"] += interval is not None and interval[0] <= true_score <= interval[1]
    return Coverage(setting, sims, hits["clustered"] / sims, hits["wilson"] / sims, hits["score"] / sims)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sims", type=int, default=2000, help="simulated configurations per setting")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"coverage of 95% intervals, {args.sims:,} simulated configurations per setting (seed {args.seed})")
    print("| setting | success rate, clustered | success rate, Wilson over runs | mean score, clustered |")
    print("| --- | --- | --- | --- |")
    missed = 0
    for setting in SETTINGS:
        c = simulate(setting, args.sims, args.seed)
        missed += not (0.93 <= c.clustered_rate <= 0.97 and 0.93 <= c.clustered_score <= 0.97)
        print(f"| {setting.name} | {c.clustered_rate:.1%} | {c.wilson_rate:.1%} | {c.clustered_score:.1%} |")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
