"""Pure statistics for the leaderboard, paired comparisons of two configurations and the CI regression gate.

No I/O and no database: every function takes plain Python/NumPy values and returns plain floats, tuples or
small frozen dataclasses. Randomised procedures (bootstrap, permutation) are seeded and vectorised with NumPy;
the same arguments and seed always give the same answer. scipy/statsmodels are used only by the tests, as
references; nothing here imports them.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

__all__ = [
    "DEFAULT_MIN_SHARED_ITEMS",
    "PairedResult",
    "PassK",
    "RateTest",
    "TieResult",
    "TieRow",
    "beta_ppf",
    "bootstrap_mean_interval",
    "clustered_mean_interval",
    "clustered_proportion_interval",
    "fisher_exact",
    "flakiness",
    "holm_adjust",
    "mcnemar_exact",
    "paired_bootstrap",
    "paired_outcomes",
    "paired_permutation_test",
    "paired_rate_test",
    "pass_at_k",
    "pass_at_k_curve",
    "pass_hat_k",
    "regularized_beta",
    "t_cdf",
    "t_ppf",
    "tie_groups",
    "wilson_interval",
]

FloatArray = npt.NDArray[np.float64]
#: What the functions take: a sequence of numbers or a numpy array of them (read through np.asarray).
Values = Sequence[float] | FloatArray | npt.NDArray[np.int64]

# Resampling works on (rows x n) blocks of about this many elements, so memory stays bounded (a few MB of
# indices and gathered values) whatever n and the number of resamples; small blocks also stay in CPU cache,
# which is faster than one huge block.
_CHUNK_ELEMENTS = 1 << 18

# Each randomised procedure draws from its own stream derived from (seed, tag), so paired_bootstrap can use
# the same seed for its interval and its p-value without the two sharing random numbers, and each part stays
# reproducible on its own (see paired_bootstrap).
_BOOTSTRAP_STREAM = 1
_PERMUTATION_STREAM = 2

# Resamples are split into this many fixed blocks, each with its own child seed, so large jobs can run on
# several threads (NumPy releases the GIL in these kernels) while the result depends only on the seed, never
# on the number of threads or which block finished first.
_BLOCKS = 16
# Below this many resampled elements, thread start-up costs more than it saves: run the blocks in turn.
_PARALLEL_MIN_ELEMENTS = 1 << 23
_MAX_WORKERS = 8

# Relative tolerance when comparing permuted statistics with the observed one: sums of the same numbers in a
# different order differ by rounding, and a theoretically equal statistic must count as "as extreme".
_TIE_RTOL = 1e-10


@dataclass(frozen=True)
class PairedResult:
    """Paired comparison of a candidate (b) with a baseline (a); differences are b - a."""

    n: int
    mean_diff: float
    ci_low: float
    ci_high: float
    p_value: float


#: Fewest items two configurations must share for the tie-group test to compare them (below it the pair is "not
#: comparable"): with fewer than 6 paired items not even a clean sweep is significant at 0.05, and with under 10
#: the test has little power, so a tie would say nothing.
DEFAULT_MIN_SHARED_ITEMS = 10


@dataclass(frozen=True)
class TieRow:
    """One leaderboard configuration for tie_groups: item key -> (successful runs, runs) of that item."""

    name: str
    items: Mapping[str, tuple[int, int]]


@dataclass(frozen=True)
class TieResult:
    """Where tie_groups put a configuration. ``group`` is None when it has fewer items than the minimum (it cannot
    be compared with anyone). ``leader`` is its group's leader; ``p_value`` the Holm-adjusted p-value of its test
    against the leader (None for the leader itself) on ``shared_items`` items; ``not_comparable`` the leaders of
    earlier groups it shared too few items with."""

    group: int | None
    leader: str | None
    p_value: float | None
    shared_items: int | None
    not_comparable: tuple[str, ...] = ()


@dataclass(frozen=True)
class RateTest:
    """A paired test of per-item success rates: two-sided p-value, the number of items paired, how many of them
    differ, and the method: "exact McNemar" (one run per item on both sides), "exact sign-flip" (per-item rates,
    exact distribution) or "sign-flip, normal approximation" (too many distinct differences for the exact one)."""

    p_value: float
    items: int
    differing: int
    method: str


@dataclass(frozen=True)
class PassK:
    """pass@k and pass^k over the ``items`` items with at least k runs."""

    k: int
    pass_at_k: float
    pass_hat_k: float
    items: int


# --------------------------------------------------------------------------------------------- validation


def _check_alpha(alpha: float) -> None:
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")


def _check_seed(seed: int) -> None:
    # SeedSequence only accepts non-negative integers; fail here with a clear message instead.
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")


def _as_vector(values: Values, name: str) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        # One NaN would silently turn every resampled mean into NaN.
        raise ValueError(f"{name} must contain only finite values")
    return arr


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # respects CPU pinning/cgroup affinity where available
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def _run_blocks(
    total_rows: int, n: int, seed: int, stream: int, work: Callable[[int, np.random.PCG64, int, int], None]
) -> None:
    """Call work(block, bit_generator, start, stop) for _BLOCKS fixed row ranges covering range(total_rows).

    Block j always gets rows [total_rows*j//_BLOCKS, total_rows*(j+1)//_BLOCKS) and the j-th child of
    SeedSequence([seed, stream]), so the outcome is the same whether blocks run in turn or on threads.
    """
    children = np.random.SeedSequence([int(seed), stream]).spawn(_BLOCKS)
    bounds = [total_rows * j // _BLOCKS for j in range(_BLOCKS + 1)]
    jobs = [(j, np.random.PCG64(children[j]), bounds[j], bounds[j + 1]) for j in range(_BLOCKS)]
    jobs = [job for job in jobs if job[2] < job[3]]
    workers = min(len(jobs), _usable_cpus(), _MAX_WORKERS)
    if workers <= 1 or total_rows * n < _PARALLEL_MIN_ELEMENTS:
        for job in jobs:
            work(*job)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for future in [pool.submit(work, *job) for job in jobs]:
            future.result()  # re-raises a worker's exception here


# ------------------------------------------------------------------------------------------ proportions


def wilson_interval(successes: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval (Wilson 1927) for a binomial proportion, as statsmodels' method="wilson".

    Returns (low, high) at confidence 1 - alpha; n == 0 gives the uninformative (0.0, 1.0).
    """
    if n < 0 or not 0 <= successes <= max(n, 0):
        raise ValueError(f"need 0 <= successes <= n, got successes={successes}, n={n}")
    _check_alpha(alpha)
    if n == 0:
        return (0.0, 1.0)
    z = NormalDist().inv_cdf(1.0 - alpha / 2.0)
    z2 = z * z
    p_hat = successes / n
    denom = 1.0 + z2 / n
    center = (p_hat + z2 / (2.0 * n)) / denom
    half = z * math.sqrt(p_hat * (1.0 - p_hat) / n + z2 / (4.0 * n * n)) / denom
    # The bounds are exactly 0 at k=0 and exactly 1 at k=n; pin them so rounding cannot leave 1e-17 or
    # 0.9999999999999999 there, and clip so they never leave [0, 1].
    low = 0.0 if successes == 0 else max(0.0, center - half)
    high = 1.0 if successes == n else min(1.0, center + half)
    return (low, high)


# ----------------------------------------------------------------------------------- t and beta distributions


def regularized_beta(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b) (scipy.special.betainc), by its continued fraction
    (modified Lentz; Press et al., Numerical Recipes, 3rd ed., 6.4), accurate to about 1e-14."""
    if a <= 0 or b <= 0:
        raise ValueError(f"need a, b > 0, got a={a}, b={b}")
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x > (a + 1.0) / (a + b + 2.0):  # the fraction converges fast only below the mean: use the symmetry
        return 1.0 - regularized_beta(b, a, 1.0 - x)
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        for numerator in (
            m * (b - m) * x / ((a + m2 - 1.0) * (a + m2)),
            -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return min(1.0, max(0.0, math.exp(log_front) * h / a))


def _invert(cdf: Callable[[float], float], q: float, low: float, high: float) -> float:
    """x in [low, high] with cdf(x) = q for an increasing cdf, by bisection to machine precision."""
    for _ in range(200):
        mid = 0.5 * (low + high)
        if mid in (low, high):
            break
        if cdf(mid) < q:
            low = mid
        else:
            high = mid
    return 0.5 * (low + high)


def beta_ppf(q: float, a: float, b: float) -> float:
    """The q-quantile of the Beta(a, b) distribution (scipy.stats.beta.ppf)."""
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"q must be in [0, 1], got {q!r}")
    if q in (0.0, 1.0):
        return q
    return _invert(lambda x: regularized_beta(a, b, x), q, 0.0, 1.0)


def t_cdf(t: float, df: float) -> float:
    """Student's t distribution function with ``df`` degrees of freedom (scipy.stats.t.cdf)."""
    if df <= 0:
        raise ValueError(f"df must be > 0, got {df!r}")
    tail = 0.5 * regularized_beta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t > 0 else tail


def t_ppf(q: float, df: float) -> float:
    """The q-quantile of Student's t distribution (scipy.stats.t.ppf), 0 < q < 1."""
    if not 0.0 < q < 1.0:
        raise ValueError(f"q must be in (0, 1), got {q!r}")
    if q == 0.5:
        return 0.0
    if q < 0.5:
        return -t_ppf(1.0 - q, df)
    high = 1.0
    while t_cdf(high, df) < q:  # bracket the quantile (heavy tails at df = 1 need a large bound)
        high *= 2.0
    return _invert(lambda x: t_cdf(x, df), q, 0.0, high)


# -------------------------------------------------------------------------------------- clustered intervals


def _item_arrays(successes: Values, runs: Values) -> tuple[FloatArray, FloatArray]:
    s, n = _as_vector(successes, "successes"), _as_vector(runs, "runs")
    if s.shape != n.shape:
        raise ValueError(f"successes and runs must have the same length, got {s.size} and {n.size}")
    if np.any(n < 0) or np.any(s < 0) or np.any(s > n):
        raise ValueError("need 0 <= successes <= runs for every item")
    keep = n > 0
    return s[keep], n[keep]


def clustered_proportion_interval(successes: Values, runs: Values, alpha: float = 0.05) -> tuple[float, float, str]:
    """Interval of the success rate sum(successes) / sum(runs) over items whose runs are correlated.

    Returns (low, high, method). With at most one run per item, runs are independent: the Wilson score interval
    ("wilson"). Otherwise the Korn-Graubard interval ("clustered"; Korn & Graubard 1998, Survey Methodology 24:
    193-201): the Clopper-Pearson interval with the effective sample size n* = p(1 - p) / v, where v is the
    cluster-robust (CR1) variance of the ratio over the G items, v = G / (G - 1) * sum_i (s_i - p n_i)^2 / N^2,
    capped at the number of runs (never narrower than independent runs), and scaled by (z / t_{G-1})^2 for the
    few items. When p is 0 or 1, v is 0 and says nothing about the correlation: n* is then the number of items
    (as if repeats of an item always agreed). One item with several runs gives (0, 1): no other item was seen.
    """
    _check_alpha(alpha)
    s, n = _item_arrays(successes, runs)
    total, hits, items = float(n.sum()), float(s.sum()), int(n.size)
    if total == 0:
        return (0.0, 1.0, "wilson")
    if float(n.max()) <= 1.0:
        low, high = wilson_interval(round(hits), round(total), alpha)
        return (low, high, "wilson")
    if items < 2:
        return (0.0, 1.0, "clustered")
    p = hits / total
    variance = items / (items - 1) * float(np.sum((s - p * n) ** 2)) / (total * total)
    if 0.0 < p < 1.0 and variance > 0.0:
        effective = min(total, p * (1.0 - p) / variance)
    else:
        effective = float(items) if p in (0.0, 1.0) else total
    z = NormalDist().inv_cdf(1.0 - alpha / 2.0)
    effective *= (z / t_ppf(1.0 - alpha / 2.0, items - 1)) ** 2
    x = p * effective
    low = 0.0 if hits == 0 else beta_ppf(alpha / 2.0, x, effective - x + 1.0)
    high = 1.0 if hits == total else beta_ppf(1.0 - alpha / 2.0, x + 1.0, effective - x)
    return (low, high, "clustered")


def clustered_mean_interval(
    sums: Values,
    counts: Values,
    alpha: float = 0.05,
    bounds: tuple[float, float] = (-math.inf, math.inf),
) -> tuple[float, float] | None:
    """Interval of the mean sum(sums) / sum(counts) of values grouped in items (a run's score, grouped by item).

    The cluster-robust (CR1) standard error over the G items with G - 1 degrees of freedom (Cameron & Miller
    2015, "A Practitioner's Guide to Cluster-Robust Inference"; Miller 2024, "Adding Error Bars to Evals"):
    se^2 = G / (G - 1) * sum_i (S_i - m n_i)^2 / N^2, interval m -/+ t_{G-1} se, clipped to ``bounds``. With one
    value per item it is the classic t interval of the mean. None with fewer than two items (no spread to use).
    """
    _check_alpha(alpha)
    sums_arr, counts_arr = _as_vector(sums, "sums"), _as_vector(counts, "counts")
    if sums_arr.shape != counts_arr.shape:
        raise ValueError("sums and counts must have the same length")
    keep = counts_arr > 0
    sums_arr, counts_arr = sums_arr[keep], counts_arr[keep]
    items, total = int(counts_arr.size), float(counts_arr.sum())
    if items < 2:
        return None
    mean = float(sums_arr.sum()) / total
    variance = items / (items - 1) * float(np.sum((sums_arr - mean * counts_arr) ** 2)) / (total * total)
    half = t_ppf(1.0 - alpha / 2.0, items - 1) * math.sqrt(variance)
    return (max(bounds[0], mean - half), min(bounds[1], mean + half))


def _check_nck(n: int, c: int, k: int) -> None:
    if n < 0 or not 0 <= c <= n:
        raise ValueError(f"need 0 <= c <= n, got n={n}, c={c}")
    if k < 1 or k > n:
        raise ValueError(f"need 1 <= k <= n, got k={k}, n={n}")


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k (Chen et al. 2021, "Evaluating Large Language Models Trained on Code").

    Returns 1 - C(n-c, k) / C(n, k): the probability that at least one of k samples drawn without replacement
    from n attempts with c successes succeeds. Uses the paper's product form 1 - prod_{i=n-c+1}^{n} (1 - k/i),
    which never forms the huge binomial coefficients. k > n (or k < 1) raises ValueError.
    """
    _check_nck(n, c, k)
    if n - c < k:
        # Fewer than k failures: every k-subset contains a success.
        return 1.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1, dtype=np.float64)))


def pass_hat_k(n: int, c: int, k: int) -> float:
    """pass^k (Yao et al. 2024, tau-bench): probability that k draws without replacement are all successes.

    Returns C(c, k) / C(n, k), computed as prod_{i=0}^{k-1} (c - i) / (n - i) so nothing overflows.
    k > n (or k < 1) raises ValueError.
    """
    _check_nck(n, c, k)
    if c < k:
        return 0.0
    i = np.arange(k, dtype=np.float64)
    return float(np.prod((c - i) / (n - i)))


def pass_at_k_curve(runs: Sequence[int], successes: Sequence[int]) -> list[PassK]:
    """pass@k and pass^k for every k from 1 to the largest number of runs of an item, each over the items with at
    least k runs (an item with fewer says nothing about k of its runs): the mean over those items of the unbiased
    per-item estimators (pass_at_k, pass_hat_k). Computed for all k at once with the ratio recurrences
    C(n-c, k) / C(n, k) = C(n-c, k-1) / C(n, k-1) * (n-c-k+1) / (n-k+1), and the same for C(c, k) / C(n, k)."""
    n = np.asarray(runs, dtype=np.float64)
    c = np.asarray(successes, dtype=np.float64)
    if n.shape != c.shape or np.any(c < 0) or np.any(c > n):
        raise ValueError("need one (runs, successes) per item with 0 <= successes <= runs")
    out: list[PassK] = []
    none_pass = np.ones_like(n)  # C(n-c, k) / C(n, k)
    all_pass = np.ones_like(n)  # C(c, k) / C(n, k)
    for k in range(1, int(n.max()) + 1 if n.size else 1):
        covered = n >= k
        with np.errstate(divide="ignore", invalid="ignore"):
            none_pass = np.where(covered, none_pass * np.maximum(n - c - k + 1, 0) / (n - k + 1), 0.0)
            all_pass = np.where(covered, all_pass * np.maximum(c - k + 1, 0) / (n - k + 1), 0.0)
        count = int(covered.sum())
        out.append(
            PassK(k, float(np.sum(1.0 - none_pass[covered])) / count, float(np.sum(all_pass[covered])) / count, count)
        )
    return out


# ------------------------------------------------------------------------------------------------ tests


def _binom_half_cdf(m: int, total: int) -> float:
    """P(X <= m) for X ~ Binomial(total, 1/2), accurate for any total (no 2**-total underflow)."""
    if m >= total:
        return 1.0
    # Start from log pmf(m) (lgamma keeps it finite for huge totals) and sum the lower tail by the ratio
    # pmf(i-1)/pmf(i) = i / (total - i + 1) < 1 below the mode, stopping once terms no longer matter.
    log_pmf_m = math.lgamma(total + 1) - math.lgamma(m + 1) - math.lgamma(total - m + 1) - total * math.log(2.0)
    term = 1.0
    acc = 1.0
    for i in range(m, 0, -1):
        term *= i / (total - i + 1)
        acc += term
        if term < 1e-17 * acc:
            break
    return min(1.0, math.exp(log_pmf_m) * acc)


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value (McNemar 1947; exact binomial form as statsmodels' mcnemar(exact=True)).

    b = pairs where A is right and B wrong, c = A wrong and B right. Under H0 the discordant pairs split 50/50,
    so p = min(1, 2 * P(X <= min(b, c))) with X ~ Binomial(b + c, 0.5). b == c == 0 returns 1.0.
    """
    if b < 0 or c < 0:
        raise ValueError(f"discordant counts must be non-negative, got b={b}, c={c}")
    total = b + c
    low = min(b, c)
    if total == 0 or 2 * low >= total:
        # No discordant pairs, or b == c: the observed split is the most likely one.
        return 1.0
    return min(1.0, 2.0 * _binom_half_cdf(low, total))


def holm_adjust(p_values: Sequence[float]) -> list[float]:
    """Holm-Bonferroni step-down adjusted p-values (Holm 1979), as statsmodels' multipletests(method="holm").

    Returns the adjusted values in the input order: the i-th smallest p is multiplied by (m - i) (0-based i),
    made monotone non-decreasing along the sorted order, and capped at 1.
    """
    ps = [float(p) for p in p_values]
    for p in ps:
        if not 0.0 <= p <= 1.0:  # also rejects NaN
            raise ValueError(f"p-values must be in [0, 1], got {p!r}")
    m = len(ps)
    order = sorted(range(m), key=ps.__getitem__)
    adjusted = [0.0] * m
    running = 0.0
    for rank, idx in enumerate(order):
        running = max(running, min(1.0, (m - rank) * ps[idx]))
        adjusted[idx] = running
    return adjusted


# -------------------------------------------------------------------------------------------- resampling


def _uniform_indices(bitgen: np.random.BitGenerator, n: int, out: npt.NDArray[np.int64]) -> None:
    """Fill `out` (C-contiguous int64) with independent uniform integers in [0, n).

    Lemire's multiply-shift with rejection ("Fast random integer generation in an interval", 2019) on raw
    32-bit words: index = (u * n) >> 32, redrawing the rare u with (u * n) mod 2**32 < 2**32 mod n, which makes
    the indices exactly uniform. Index generation dominates the bootstrap's cost, and vectorised like this it
    took about 20% less time than Generator.integers when measured. Needs n < 2**31 so u * n fits in int64.
    """
    size = out.size
    words = bitgen.random_raw((size + 1) // 2).view(np.uint32)[:size]
    threshold = (1 << 32) % n
    if threshold:
        n32 = np.uint32(n)
        bad = np.flatnonzero(words * n32 < threshold)  # uint32 product wraps: it is (u * n) mod 2**32
        while bad.size:  # expected number of redraws is size * n / 2**32: tiny
            fresh = bitgen.random_raw((bad.size + 1) // 2).view(np.uint32)[: bad.size]
            words[bad] = fresh
            bad = bad[fresh * n32 < threshold]
    flat = out.reshape(-1)
    np.copyto(flat, words)
    np.multiply(flat, n, out=flat)
    np.right_shift(flat, 32, out=flat)


def _bootstrap_means(values: FloatArray, n_resamples: int, seed: int) -> FloatArray:
    """Means of n_resamples with-replacement resamples of `values`, drawn in bounded-memory chunks."""
    n = values.size
    means = np.empty(n_resamples, dtype=np.float64)

    def work(_block: int, bitgen: np.random.PCG64, start: int, stop: int) -> None:
        generator = np.random.Generator(bitgen) if n >= 1 << 31 else None
        rows = max(1, min(stop - start, _CHUNK_ELEMENTS // n))
        idx = np.empty((rows, n), dtype=np.int64)
        gathered = np.empty((rows, n), dtype=np.float64)
        for first in range(start, stop, rows):
            r = min(rows, stop - first)
            block = idx[:r]
            if generator is None:
                _uniform_indices(bitgen, n, block)
            else:  # astronomically large inputs: NumPy's own bounded integers
                block[...] = generator.integers(0, n, size=block.shape)
            np.take(values, block, out=gathered[:r])
            means[first : first + r] = gathered[:r].sum(axis=1)

    _run_blocks(n_resamples, n, seed, _BOOTSTRAP_STREAM, work)
    means /= n
    return means


def bootstrap_mean_interval(
    values: Sequence[float] | FloatArray, alpha: float = 0.05, n_resamples: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean (Efron & Tibshirani 1993, ch. 13; scipy method="percentile").

    Returns the (alpha/2, 1 - alpha/2) quantiles (linear interpolation) of n_resamples seeded resampled means:
    the same seed always gives the same interval. Empty input gives (nan, nan); a single value v gives (v, v).
    """
    _check_alpha(alpha)
    _check_seed(seed)
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be >= 1, got {n_resamples}")
    arr = _as_vector(values, "values")
    if arr.size == 0:
        return (math.nan, math.nan)
    if arr.size == 1:
        return (float(arr[0]), float(arr[0]))
    means = _bootstrap_means(arr, n_resamples, seed)
    low, high = np.quantile(means, [alpha / 2.0, 1.0 - alpha / 2.0])
    return (float(low), float(high))


def _paired_diffs(a: Values, b: Values) -> FloatArray:
    arr_a = _as_vector(a, "a")
    arr_b = _as_vector(b, "b")
    if arr_a.shape != arr_b.shape:
        raise ValueError(f"a and b must have the same length, got {arr_a.size} and {arr_b.size}")
    return arr_b - arr_a


def _sign_flip_p_value(diffs: FloatArray, n_permutations: int, seed: int) -> float:
    n = diffs.size
    total = float(diffs.sum())
    if n == 0 or total == 0.0:
        return 1.0  # the observed statistic is 0: every sign pattern is at least as extreme
    # Statistic: S = sum(s_i * d_i) with signs s_i = +-1. Writing s = 2*mask - 1 gives S = 2 * (mask @ d) - sum(d),
    # so each block is one matrix-vector product. The observed S is sum(d) (all signs +).
    threshold = abs(total) - _TIE_RTOL * float(np.abs(diffs).sum())
    if n < 63 and (1 << n) <= n_permutations:
        # Exact: every one of the 2**n sign patterns once (the observed one included).
        patterns = 1 << n
        block = max(1, _CHUNK_ELEMENTS // n)
        exact_hits = 0
        for start in range(0, patterns, block):  # in blocks, so a huge n_permutations cannot exhaust memory
            codes = np.arange(start, min(patterns, start + block), dtype=np.int64)
            masks = ((codes[:, None] >> np.arange(n, dtype=np.int64)) & 1).astype(np.float64)
            stats = 2.0 * (masks @ diffs) - total
            exact_hits += int(np.count_nonzero(np.abs(stats) >= threshold))
        return exact_hits / patterns
    hits = [0] * _BLOCKS

    def work(block: int, bitgen: np.random.PCG64, start: int, stop: int) -> None:
        rows = max(1, min(stop - start, _CHUNK_ELEMENTS // n))
        for first in range(start, stop, rows):
            r = min(rows, stop - first)
            # One random bit per sign: raw 64-bit words unpacked, 64 fair coin flips per draw.
            words = bitgen.random_raw((r * n + 63) // 64)
            bits = np.unpackbits(words.view(np.uint8), count=r * n, bitorder="little")
            stats = 2.0 * (bits.reshape(r, n).astype(np.float64) @ diffs) - total
            hits[block] += int(np.count_nonzero(np.abs(stats) >= threshold))

    _run_blocks(n_permutations, n, seed, _PERMUTATION_STREAM, work)
    # Monte Carlo p-value counting the observed pattern, so it is never 0 (Phipson & Smyth 2010; as scipy).
    return (sum(hits) + 1) / (n_permutations + 1)


def paired_permutation_test(a: Values, b: Values, n_permutations: int = 10000, seed: int = 0) -> float:
    """Two-sided sign-flip (paired) permutation test of mean(b - a) == 0 (Fisher 1935; Good 2005, ch. 3).

    Returns the share of sign patterns of the differences whose |sum| is at least the observed |sum|: exact
    enumeration of all 2**n patterns when 2**n <= n_permutations (same as scipy.stats.permutation_test with
    permutation_type="samples"), otherwise (1 + hits) / (1 + n_permutations) over seeded random patterns.
    Empty input or all-zero differences give 1.0.
    """
    _check_seed(seed)
    if n_permutations < 1:
        raise ValueError(f"n_permutations must be >= 1, got {n_permutations}")
    return _sign_flip_p_value(_paired_diffs(a, b), n_permutations, seed)


def paired_bootstrap(a: Values, b: Values, alpha: float = 0.05, n_resamples: int = 5000, seed: int = 0) -> PairedResult:
    """Paired comparison of candidate b with baseline a, paired by position; differences are b - a.

    Returns n, the mean difference, the percentile bootstrap interval of the mean difference (identical to
    bootstrap_mean_interval(b - a, alpha, n_resamples, seed)) and a two-sided p-value from the sign-flip
    permutation test (identical to paired_permutation_test(a, b, n_resamples, seed)). The sign-flip test was
    chosen over a bootstrap of the centred differences because it is exact for small n, where the bootstrap
    test is anti-conservative, and it matches the standalone permutation test. Empty input gives nan mean and
    interval and p = 1.0.
    """
    _check_alpha(alpha)
    _check_seed(seed)
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be >= 1, got {n_resamples}")
    diffs = _paired_diffs(a, b)
    n = int(diffs.size)
    if n == 0:
        return PairedResult(n=0, mean_diff=math.nan, ci_low=math.nan, ci_high=math.nan, p_value=1.0)
    low, high = bootstrap_mean_interval(diffs, alpha=alpha, n_resamples=n_resamples, seed=seed)
    p = _sign_flip_p_value(diffs, n_resamples, seed)
    return PairedResult(n=n, mean_diff=float(diffs.mean()), ci_low=low, ci_high=high, p_value=p)


# ----------------------------------------------------------------------------------------- leaderboard


def paired_outcomes(a: Mapping[str, bool], b: Mapping[str, bool]) -> tuple[int, int, int, int]:
    """Returns (both_right, only_a, only_b, both_wrong) counted over the item keys present in both a and b."""
    both_right = only_a = only_b = both_wrong = 0
    for key in a.keys() & b.keys():
        ra, rb = bool(a[key]), bool(b[key])
        if ra and rb:
            both_right += 1
        elif ra:
            only_a += 1
        elif rb:
            only_b += 1
        else:
            both_wrong += 1
    return (both_right, only_a, only_b, both_wrong)


#: Largest lattice the exact sign-flip distribution is computed on (points x items); beyond it, the normal
#: approximation (many items that differ, where it is accurate).
_EXACT_SIGN_FLIP_WORK = 50_000_000


def paired_rate_test(base: Sequence[tuple[int, int]], cand: Sequence[tuple[int, int]]) -> RateTest:
    """Two-sided paired test of success rates over items: base[i] and cand[i] are (successful runs, runs) of item
    i on each side (items with no run on a side must be left out by the caller).

    The statistic is the sum over items of d_i = cand rate - base rate, and its null distribution flips the sign
    of each d_i (a sign-flip permutation test: under "no difference" each item's two sides are exchangeable;
    Fisher 1935). With one run per item on both sides, d_i is -1, 0 or 1 and the test is exactly McNemar's exact
    test (mcnemar_exact). With repeats, the rates are fractions s/n, so every d_i is an integer multiple of 1/L
    (L the least common multiple of the run counts): the exact distribution is computed on that lattice, one
    item at a time; when the lattice times the items would exceed _EXACT_SIGN_FLIP_WORK, the normal
    approximation z = |sum d| / sqrt(sum d^2) is used (a sum of many symmetric terms).
    """
    if len(base) != len(cand):
        raise ValueError("base and cand must pair the same items")
    for s, n in [*base, *cand]:
        if n < 1 or not 0 <= s <= n:
            raise ValueError(f"each side of an item needs 1 <= runs and 0 <= successes <= runs, got ({s}, {n})")
    items = len(base)
    if all(n == 1 for _, n in base) and all(n == 1 for _, n in cand):
        only_base = sum(1 for (sb, _), (sc, _) in zip(base, cand, strict=True) if sb > sc)
        only_cand = sum(1 for (sb, _), (sc, _) in zip(base, cand, strict=True) if sc > sb)
        return RateTest(mcnemar_exact(only_base, only_cand), items, only_base + only_cand, "exact McNemar")
    diffs = [sc / nc - sb / nb for (sb, nb), (sc, nc) in zip(base, cand, strict=True)]
    differing = sum(1 for (sb, nb), (sc, nc) in zip(base, cand, strict=True) if sc * nb != sb * nc)
    if not differing:
        return RateTest(1.0, items, 0, "exact sign-flip")
    scale = 1
    for (_, nb), (_, nc) in zip(base, cand, strict=True):
        scale = math.lcm(scale, nb, nc)
        if scale > _EXACT_SIGN_FLIP_WORK:
            break
    reach = sum(abs(d) for d in diffs) * scale if scale <= _EXACT_SIGN_FLIP_WORK else math.inf
    if (2 * reach + 1) * differing <= _EXACT_SIGN_FLIP_WORK:
        # d_i * L, exactly, as integers
        signed = [sc * (scale // nc) - sb * (scale // nb) for (sb, nb), (sc, nc) in zip(base, cand, strict=True)]
        steps = [abs(d) for d in signed if d]
        observed = abs(sum(signed))
        reach = sum(steps)
        # pmf of sum(+-step) on [-reach, reach]: each item moves the mass step left and right with 1/2 each
        pmf = np.zeros(2 * reach + 1)
        pmf[reach] = 1.0
        for step in sorted(steps):
            shifted = np.zeros_like(pmf)
            shifted[step:] += pmf[:-step]
            shifted[:-step] += pmf[step:]
            pmf = 0.5 * shifted
        values = np.abs(np.arange(-reach, reach + 1))
        p = float(pmf[values >= observed].sum())
        return RateTest(min(1.0, p), items, differing, "exact sign-flip")
    z = abs(math.fsum(diffs)) / math.sqrt(math.fsum(d * d for d in diffs))
    return RateTest(min(1.0, math.erfc(z / math.sqrt(2.0))), items, differing, "sign-flip, normal approximation")


def _mean_rate(items: Mapping[str, tuple[int, int]], keys: Sequence[str]) -> float:
    return sum(items[k][0] / items[k][1] for k in keys) / len(keys)


def tie_groups(
    rows: Sequence[TieRow], alpha: float = 0.05, min_shared: int = DEFAULT_MIN_SHARED_ITEMS
) -> list[TieResult]:
    """Tie groups for a leaderboard sorted best first; one TieResult per row.

    Method ("not significantly worse than the group's leader"). The first row with at least ``min_shared`` items
    leads group 1. Every later row that shares at least ``min_shared`` items with it is tested against it with
    paired_rate_test on those items; the p-values of this step are Holm-adjusted together (Holm 1979). A row
    joins the group unless its adjusted p is below alpha and its mean item success rate on the shared items is
    below the leader's. Rows sharing fewer items are "not comparable" with this leader and wait. The best row
    left becomes the leader of the next group, and so on. Membership is decided only against a group's own
    leader, so groups cannot chain (a row tied with a tied row is not thereby tied with the leader), and two rows
    in a group were each compared with the same leader. A row with fewer than ``min_shared`` items in all has no
    group: it cannot be compared with anyone.
    """
    _check_alpha(alpha)
    if min_shared < 1:
        raise ValueError(f"min_shared must be >= 1, got {min_shared}")
    results: list[TieResult | None] = [None] * len(rows)
    not_comparable: list[list[str]] = [[] for _ in rows]
    remaining = [i for i, row in enumerate(rows) if len(row.items) >= min_shared]
    group = 0
    while remaining:
        leader_index, *others = remaining
        leader = rows[leader_index]
        group += 1
        results[leader_index] = TieResult(
            group, leader.name, None, len(leader.items), tuple(not_comparable[leader_index])
        )
        tested: list[tuple[int, float, bool, int]] = []
        for i in others:
            shared = sorted(leader.items.keys() & rows[i].items.keys())
            if len(shared) < min_shared:
                not_comparable[i].append(leader.name)
                continue
            test = paired_rate_test([leader.items[k] for k in shared], [rows[i].items[k] for k in shared])
            worse = _mean_rate(rows[i].items, shared) < _mean_rate(leader.items, shared)
            tested.append((i, test.p_value, worse, len(shared)))
        adjusted = holm_adjust([p for _, p, _, _ in tested])
        for (i, _, worse, shared_count), p_adjusted in zip(tested, adjusted, strict=True):
            if not (worse and p_adjusted < alpha):
                results[i] = TieResult(group, leader.name, p_adjusted, shared_count, tuple(not_comparable[i]))
        remaining = [i for i in others if results[i] is None]
    return [r if r is not None else TieResult(None, None, None, None, ()) for r in results]


def flakiness(outcomes: Mapping[str, Sequence[bool]]) -> dict[str, float]:
    """Per item, over the repeats of one configuration: the share of repeat pairs that disagree.

    Returns {item: 2 * s * f / (n * (n - 1))} for s successes and f failures among n repeats (the Gini-Simpson
    index of the outcomes, without replacement); 0.0 for n < 2.
    """
    result: dict[str, float] = {}
    for item, runs in outcomes.items():
        n = len(runs)
        s = sum(1 for r in runs if r)
        f = n - s
        result[item] = 0.0 if n < 2 else 2.0 * s * f / (n * (n - 1))
    return result


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided Fisher exact p-value of the 2x2 table [[a, b], [c, d]] (rows: baseline, candidate; columns:
    successes, failures): the probability, under fixed margins, of a table at most as likely as the observed one
    (the same definition as scipy.stats.fisher_exact). Used per item to compare success counts of two sides."""
    if min(a, b, c, d) < 0:
        raise ValueError("counts must be >= 0")
    row1, col1, total = a + b, a + c, a + b + c + d
    if row1 == 0 or col1 == 0 or row1 == total or col1 == total:
        return 1.0
    low, high = max(0, col1 - (total - row1)), min(row1, col1)

    def log_p(x: int) -> float:  # hypergeometric log-probability of x successes in the first row
        return (
            math.lgamma(row1 + 1)
            - math.lgamma(x + 1)
            - math.lgamma(row1 - x + 1)
            + math.lgamma(total - row1 + 1)
            - math.lgamma(col1 - x + 1)
            - math.lgamma(total - row1 - col1 + x + 1)
            - math.lgamma(total + 1)
            + math.lgamma(col1 + 1)
            + math.lgamma(total - col1 + 1)
        )

    observed = log_p(a)
    # Relative tolerance as scipy uses, so that tables as likely as the observed one count despite rounding.
    threshold = observed + math.log1p(1e-7)
    p = sum(math.exp(lp) for lp in (log_p(x) for x in range(low, high + 1)) if lp <= threshold)
    return min(1.0, p)
