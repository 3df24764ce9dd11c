"""Pure statistics for the leaderboard, paired comparisons of two configurations and the CI regression gate.

No I/O and no database: every function takes plain Python/NumPy values and returns plain floats, tuples or
small frozen dataclasses. Randomised procedures (bootstrap, permutation) are seeded and vectorised with NumPy;
the same arguments and seed always give the same answer. scipy/statsmodels are used only by the tests, as
references; nothing here imports them.
"""

from __future__ import annotations

import bisect
import math
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

__all__ = [
    "LeaderRow",
    "PairedResult",
    "bootstrap_mean_interval",
    "flakiness",
    "holm_adjust",
    "mcnemar_exact",
    "paired_bootstrap",
    "paired_outcomes",
    "paired_permutation_test",
    "pass_at_k",
    "pass_hat_k",
    "tie_groups",
    "wilson_interval",
]

FloatArray = npt.NDArray[np.float64]

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


@dataclass(frozen=True)
class LeaderRow:
    """One leaderboard configuration: item key -> success (already reduced to one outcome per item)."""

    name: str
    outcomes: Mapping[str, bool]


# --------------------------------------------------------------------------------------------- validation


def _check_alpha(alpha: float) -> None:
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")


def _check_seed(seed: int) -> None:
    # SeedSequence only accepts non-negative integers; fail here with a clear message instead.
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")


def _as_vector(values: Sequence[float] | FloatArray, name: str) -> FloatArray:
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


# ------------------------------------------------------------------------------------------------ tests


def _binom_half_cdf(m: int, total: int) -> float:
    """P(X <= m) for X ~ Binomial(total, 1/2), accurate for any total (no 2**-total underflow)."""
    if m >= total:
        return 1.0
    # Start from log pmf(m) (lgamma keeps it finite for huge totals) and sum the lower tail by the ratio
    # pmf(i-1)/pmf(i) = i / (total - i + 1) < 1 below the mode, stopping once terms no longer matter.
    log_pmf_m = (
        math.lgamma(total + 1) - math.lgamma(m + 1) - math.lgamma(total - m + 1) - total * math.log(2.0)
    )
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
    values: Sequence[float], alpha: float = 0.05, n_resamples: int = 2000, seed: int = 0
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


def _paired_diffs(a: Sequence[float], b: Sequence[float]) -> FloatArray:
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


def paired_permutation_test(
    a: Sequence[float], b: Sequence[float], n_permutations: int = 10000, seed: int = 0
) -> float:
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


def paired_bootstrap(
    a: Sequence[float], b: Sequence[float], alpha: float = 0.05, n_resamples: int = 5000, seed: int = 0
) -> PairedResult:
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


def tie_groups(rows: Sequence[LeaderRow], alpha: float = 0.05) -> list[int]:
    """Statistical tie groups for a leaderboard already sorted best first; returns one group number per row.

    Method. Group 1 starts with rows[0] as its leader. Walking down, each row is compared with the leader of
    the current group by the exact McNemar test on the items both ran (no shared item -> p = 1). The family is
    the m = len(rows) - 1 comparisons, Holm-adjusted. A row whose adjusted p >= alpha joins the current group;
    otherwise it starts the next group and becomes its leader.

    "Adjust all, then decide" is circular here, because which leader a row meets depends on earlier decisions,
    and in general no grouping is consistent with its own adjusted p-values (a borderline row can split only
    if it does not split). So Holm is applied online: row i's p is adjusted over the family of m using the
    p-values computed so far and treating the ones not yet computed as larger. That value is never below the
    Holm-adjusted p of the complete family, whatever the later p-values turn out to be. So every split is a
    Holm rejection of the final family, and the chance of splitting any configuration from a leader it truly
    ties with is at most alpha. The cost is that a borderline early row may join where a Holm adjustment
    computed afterwards would have split it. The first comparison is always adjusted by m (as the smallest p
    is in Holm), and later ones by less once smaller p-values have been seen.
    """
    _check_alpha(alpha)
    if not rows:
        return []
    m = len(rows) - 1
    groups = [1]
    group = 1
    leader = rows[0]
    seen: list[float] = []  # raw p-values so far, sorted ascending
    for row in rows[1:]:
        _, only_leader, only_row, _ = paired_outcomes(leader.outcomes, row.outcomes)
        p = mcnemar_exact(only_leader, only_row)
        bisect.insort(seen, p)
        # Holm value of p with unseen p-values ranked above it: max over the seen q <= p of (m - rank) * q.
        adjusted = 0.0
        for rank, q in enumerate(seen):
            if q > p:
                break
            adjusted = max(adjusted, min(1.0, (m - rank) * q))
        if adjusted < alpha:
            group += 1
            leader = row
        groups.append(group)
    return groups


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
        return (math.lgamma(row1 + 1) - math.lgamma(x + 1) - math.lgamma(row1 - x + 1)
                + math.lgamma(total - row1 + 1) - math.lgamma(col1 - x + 1) - math.lgamma(total - row1 - col1 + x + 1)
                - math.lgamma(total + 1) + math.lgamma(col1 + 1) + math.lgamma(total - col1 + 1))

    observed = log_p(a)
    # Relative tolerance as scipy uses, so that tables as likely as the observed one count despite rounding.
    threshold = observed + math.log1p(1e-7)
    p = sum(math.exp(lp) for lp in (log_p(x) for x in range(low, high + 1)) if lp <= threshold)
    return min(1.0, p)
