"""zebench.stats against reference implementations (scipy, statsmodels), brute force and hand-computed values."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
import scipy.special
import scipy.stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from zebench.report import stats
from zebench.report.stats import (
    PairedResult,
    TieRow,
    beta_ppf,
    bootstrap_mean_interval,
    clustered_mean_interval,
    clustered_proportion_interval,
    flakiness,
    holm_adjust,
    mcnemar_exact,
    paired_bootstrap,
    paired_outcomes,
    paired_permutation_test,
    paired_rate_test,
    pass_at_k,
    pass_at_k_curve,
    pass_hat_k,
    regularized_beta,
    t_cdf,
    t_ppf,
    tie_groups,
    wilson_interval,
)

# ----------------------------------------------------------------------------------------------- wilson


@pytest.mark.parametrize(
    ("k", "n", "alpha"),
    [
        (0, 10, 0.05),
        (10, 10, 0.05),
        (3, 10, 0.05),
        (0, 1, 0.10),
        (1, 1, 0.01),
        (57, 200, 0.05),
        (999, 1000, 0.01),
        (5, 7, 0.20),
        (1, 100000, 0.05),
    ],
)
def test_wilson_matches_statsmodels(k: int, n: int, alpha: float) -> None:
    low, high = wilson_interval(k, n, alpha)
    ref_low, ref_high = proportion_confint(k, n, alpha=alpha, method="wilson")
    assert low == pytest.approx(ref_low, abs=1e-12)
    assert high == pytest.approx(ref_high, abs=1e-12)
    assert 0.0 <= low <= k / n <= high <= 1.0


def test_wilson_edges() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert wilson_interval(0, 25)[0] == 0.0
    assert wilson_interval(25, 25)[1] == 1.0
    # a smaller alpha gives a wider interval
    narrow, wide = wilson_interval(30, 100, 0.2), wilson_interval(30, 100, 0.01)
    assert wide[0] < narrow[0]
    assert narrow[1] < wide[1]
    for bad in [(5, 4, 0.05), (-1, 4, 0.05), (1, 4, 0.0), (1, 4, 1.0)]:
        with pytest.raises(ValueError):
            wilson_interval(*bad)


# -------------------------------------------------------------------------------------------- bootstrap


@pytest.mark.parametrize("dist", ["normal", "exponential"])
def test_bootstrap_mean_interval_matches_scipy_percentile(dist: str) -> None:
    rng = np.random.default_rng(123)
    data = rng.normal(size=200) if dist == "normal" else rng.exponential(size=200)
    low, high = bootstrap_mean_interval(data, alpha=0.05, n_resamples=10000, seed=0)
    ref = scipy.stats.bootstrap(
        (data,), np.mean, n_resamples=10000, method="percentile", confidence_level=0.95, rng=np.random.default_rng(1)
    ).confidence_interval
    assert low == pytest.approx(ref.low, abs=0.02)
    assert high == pytest.approx(ref.high, abs=0.02)
    assert low < data.mean() < high


def test_bootstrap_is_percentile_not_normal_on_tiny_sample() -> None:
    # Resampled means of [0, 1] take 0, 0.5, 1 with probabilities 1/4, 1/2, 1/4: the 2.5% and 97.5% percentiles
    # are exactly 0 and 1 (a normal-theory interval would be +-0.69 around 0.5).
    assert bootstrap_mean_interval([0.0, 1.0], n_resamples=4000, seed=3) == (0.0, 1.0)
    means = stats._bootstrap_means(np.array([0.0, 1.0]), 20000, seed=5)
    freq = np.array([np.mean(means == v) for v in (0.0, 0.5, 1.0)])
    assert freq == pytest.approx([0.25, 0.5, 0.25], abs=0.015)


def test_bootstrap_seeding_and_edges() -> None:
    data = np.random.default_rng(7).normal(size=500)
    first = bootstrap_mean_interval(data, seed=11)
    assert bootstrap_mean_interval(data, seed=11) == first
    assert bootstrap_mean_interval(list(data), seed=11) == first  # plain sequences work the same
    assert bootstrap_mean_interval(data, seed=12) != first
    low, high = bootstrap_mean_interval([])
    assert math.isnan(low)
    assert math.isnan(high)
    assert bootstrap_mean_interval([2.5]) == (2.5, 2.5)
    low, high = bootstrap_mean_interval([0.25] * 40)
    assert low == pytest.approx(0.25)
    assert high == pytest.approx(0.25)
    narrow, wide = bootstrap_mean_interval(data, alpha=0.5), bootstrap_mean_interval(data, alpha=0.01)
    assert wide[0] < narrow[0] < narrow[1] < wide[1]
    for kwargs in [{"alpha": 0.0}, {"n_resamples": 0}, {"seed": -1}]:
        with pytest.raises(ValueError):
            bootstrap_mean_interval(data, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        bootstrap_mean_interval([1.0, float("nan")])


def test_bootstrap_result_does_not_depend_on_threading(monkeypatch: pytest.MonkeyPatch) -> None:
    # Big enough to take the threaded path; forcing one worker must not change the answer.
    data = np.random.default_rng(2).random(5000)
    threaded = bootstrap_mean_interval(data, n_resamples=2000, seed=4)
    monkeypatch.setattr(stats, "_MAX_WORKERS", 1)
    assert bootstrap_mean_interval(data, n_resamples=2000, seed=4) == threaded


@pytest.mark.parametrize("n", [7, 64, 3 * 2**29])
def test_uniform_indices_are_uniform(n: int) -> None:
    out = np.empty(300_000, dtype=np.int64)
    stats._uniform_indices(np.random.PCG64(0), n, out)
    assert out.min() >= 0
    assert out.max() < n
    # For n = 3 * 2**29 a multiply-shift without rejection gives residues mod 3 with shares 3/8, 3/8, 1/4.
    bins = np.bincount(out % 7 if n != 64 else out, minlength=7 if n != 64 else 64)
    assert scipy.stats.chisquare(bins).pvalue > 1e-4
    if n == 3 * 2**29:
        assert np.bincount(out % 3) / out.size == pytest.approx([1 / 3] * 3, abs=0.01)


# ------------------------------------------------------------------------------------------ pass@k / ^k


def _brute_force(n: int, c: int, k: int) -> tuple[Fraction, Fraction]:
    """(pass@k, pass^k) by enumerating every k-subset of n attempts whose first c succeed."""
    subsets = list(itertools.combinations(range(n), k))
    any_success = sum(1 for s in subsets if any(i < c for i in s))
    all_success = sum(1 for s in subsets if all(i < c for i in s))
    return Fraction(any_success, len(subsets)), Fraction(all_success, len(subsets))


def test_pass_at_k_and_pass_hat_k_brute_force() -> None:
    for n in range(1, 9):
        for c in range(n + 1):
            for k in range(1, n + 1):
                at_k, hat_k = _brute_force(n, c, k)
                assert pass_at_k(n, c, k) == pytest.approx(float(at_k), abs=1e-12)
                assert pass_hat_k(n, c, k) == pytest.approx(float(hat_k), abs=1e-12)


def test_pass_at_k_matches_comb_formula() -> None:
    for n, c, k in [(10, 3, 1), (10, 3, 5), (20, 0, 3), (20, 20, 3), (200, 37, 50), (1000, 5, 100), (50, 10, 41)]:
        exact = 1 - Fraction(math.comb(n - c, k), math.comb(n, k))
        assert pass_at_k(n, c, k) == pytest.approx(float(exact), rel=1e-10, abs=1e-14)
        ref = 1 - scipy.special.comb(n - c, k, exact=True) / scipy.special.comb(n, k, exact=True)
        assert pass_at_k(n, c, k) == pytest.approx(ref, rel=1e-10, abs=1e-14)
        hat = Fraction(math.comb(c, k), math.comb(n, k))
        assert pass_hat_k(n, c, k) == pytest.approx(float(hat), rel=1e-10, abs=1e-300)
    # pass@1 is the success rate; huge n does not overflow
    assert pass_at_k(7, 3, 1) == pytest.approx(3 / 7)
    assert 0.0 < pass_at_k(100_000, 10, 50) < 1.0


def test_pass_at_k_rejects_bad_arguments() -> None:
    for fn in (pass_at_k, pass_hat_k):
        for n, c, k in [(5, 2, 6), (5, 2, 0), (5, 6, 2), (5, -1, 2)]:
            with pytest.raises(ValueError):
                fn(n, c, k)


# --------------------------------------------------------------------------------------------- McNemar


def test_mcnemar_matches_statsmodels_and_binomtest_small() -> None:
    for b in range(26):
        for c in range(26):
            p = mcnemar_exact(b, c)
            ref = mcnemar(np.array([[5, b], [c, 7]]), exact=True).pvalue
            assert p == pytest.approx(ref, rel=1e-10, abs=1e-15)
            if b + c:
                assert p == pytest.approx(scipy.stats.binomtest(min(b, c), b + c, 0.5).pvalue, rel=1e-10, abs=1e-15)
    assert mcnemar_exact(0, 0) == 1.0
    assert mcnemar_exact(9, 1) == pytest.approx(2 * 11 / 1024)


@pytest.mark.parametrize(("b", "c"), [(3000, 3210), (40000, 40500), (10, 500), (480, 560), (0, 2000), (777, 777)])
def test_mcnemar_large_counts(b: int, c: int) -> None:
    ref = mcnemar(np.array([[0, b], [c, 0]]), exact=True).pvalue
    assert mcnemar_exact(b, c) == pytest.approx(ref, rel=1e-8, abs=1e-300)
    assert mcnemar_exact(b, c) == mcnemar_exact(c, b)


def test_mcnemar_rejects_negative_counts() -> None:
    with pytest.raises(ValueError):
        mcnemar_exact(-1, 3)


# ------------------------------------------------------------------------------------------ permutation


def _scipy_paired_permutation(a: np.ndarray, b: np.ndarray) -> float:
    return float(
        scipy.stats.permutation_test(
            (a, b),
            lambda x, y, axis: np.mean(y - x, axis=axis),
            permutation_type="samples",
            vectorized=True,
            n_resamples=np.inf,  # exact
            alternative="two-sided",
        ).pvalue
    )


@pytest.mark.parametrize("case", ["continuous", "binary_with_ties", "small_shift"])
def test_permutation_exact_matches_scipy(case: str) -> None:
    rng = np.random.default_rng(42)
    if case == "continuous":
        a = rng.normal(size=10)
        b = a + rng.normal(0.8, 1.0, size=10)
    elif case == "small_shift":
        a = rng.normal(size=11)
        b = a + rng.normal(0.2, 1.0, size=11)
    else:
        a = np.array([1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1], dtype=float)
        b = np.array([1, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1], dtype=float)
    p = paired_permutation_test(a, b, n_permutations=10000)  # 2**12 <= 10000: exact enumeration
    assert p == pytest.approx(_scipy_paired_permutation(a, b), abs=1e-12)


def test_permutation_monte_carlo_close_to_exact() -> None:
    rng = np.random.default_rng(5)
    a = rng.normal(size=16)
    b = a + rng.normal(0.8, 1.0, size=16)
    exact = _scipy_paired_permutation(a, b)  # 65536 patterns
    p = paired_permutation_test(a, b, n_permutations=20000, seed=1)  # 2**16 > 20000: Monte Carlo
    assert 0.005 < exact < 0.5  # a p-value where Monte Carlo error is visible
    assert p == pytest.approx(exact, abs=0.005)
    assert paired_permutation_test(a, b, n_permutations=20000, seed=1) == p
    assert paired_permutation_test(a, b, n_permutations=20000, seed=2) != p
    assert paired_permutation_test(b, a, n_permutations=20000, seed=1) == p  # two-sided: symmetric


def test_permutation_agrees_with_paired_t_test() -> None:
    rng = np.random.default_rng(8)
    a = rng.normal(size=60)
    shifted = a + rng.normal(1.0, 1.0, size=60)
    same = a + rng.normal(0.0, 1.0, size=60)
    assert scipy.stats.ttest_rel(shifted, a).pvalue < 1e-6
    assert paired_permutation_test(a, shifted) < 0.001
    t_same = scipy.stats.ttest_rel(same, a).pvalue
    p_same = paired_permutation_test(a, same)
    assert t_same > 0.2
    assert p_same > 0.2
    assert p_same == pytest.approx(t_same, abs=0.05)


def test_permutation_edges() -> None:
    assert paired_permutation_test([], []) == 1.0
    assert paired_permutation_test([1.0, 0.0, 1.0], [1.0, 0.0, 1.0]) == 1.0
    # all 5 differences positive: only the identity and its mirror are as extreme, 2 of 32 patterns
    assert paired_permutation_test([0.0] * 5, [1.0, 2.0, 3.0, 4.0, 5.0]) == pytest.approx(2 / 32)
    with pytest.raises(ValueError):
        paired_permutation_test([1.0, 2.0], [1.0])
    with pytest.raises(ValueError):
        paired_permutation_test([1.0], [1.0], n_permutations=0)


# --------------------------------------------------------------------------------------- paired bootstrap


def test_paired_bootstrap_clear_shift() -> None:
    rng = np.random.default_rng(10)
    a = rng.normal(size=400)
    b = a + 0.3 + rng.normal(0.0, 0.5, size=400)  # true mean difference 0.3
    res = paired_bootstrap(a, b, seed=3)
    assert isinstance(res, PairedResult)
    assert res.n == 400
    assert res.mean_diff == pytest.approx(float(np.mean(b - a)))
    assert res.mean_diff > 0  # candidate (b) minus baseline (a)
    assert res.ci_low < 0.3 < res.ci_high
    assert res.ci_low > 0.2
    assert res.ci_high < 0.4
    assert res.p_value < 0.001
    ref = scipy.stats.bootstrap(
        (a, b),
        lambda x, y, axis: np.mean(y - x, axis=axis),
        paired=True,
        vectorized=True,
        n_resamples=5000,
        method="percentile",
        rng=np.random.default_rng(0),
    ).confidence_interval
    assert res.ci_low == pytest.approx(ref.low, abs=0.01)
    assert res.ci_high == pytest.approx(ref.high, abs=0.01)


def test_paired_bootstrap_no_shift_and_determinism() -> None:
    rng = np.random.default_rng(11)
    a = rng.normal(size=300)
    b = a + rng.normal(0.0, 0.5, size=300)
    res = paired_bootstrap(a, b, seed=9)
    assert res.ci_low < 0.0 < res.ci_high
    assert res.p_value > 0.1
    assert paired_bootstrap(a, b, seed=9) == res
    other = paired_bootstrap(a, b, seed=10)
    assert (other.ci_low, other.ci_high) != (res.ci_low, res.ci_high)
    # documented identities: the interval is bootstrap_mean_interval of b - a, the p-value the sign-flip test
    assert (res.ci_low, res.ci_high) == bootstrap_mean_interval(b - a, n_resamples=5000, seed=9)
    assert res.p_value == paired_permutation_test(a, b, n_permutations=5000, seed=9)
    swapped = paired_bootstrap(b, a, seed=9)
    assert swapped.mean_diff == pytest.approx(-res.mean_diff)


def test_paired_bootstrap_edges() -> None:
    empty = paired_bootstrap([], [])
    assert empty.n == 0
    assert math.isnan(empty.mean_diff)
    assert empty.p_value == 1.0
    one = paired_bootstrap([1.0], [0.0])
    assert (one.mean_diff, one.ci_low, one.ci_high) == (-1.0, -1.0, -1.0)
    with pytest.raises(ValueError):
        paired_bootstrap([1.0, 2.0], [1.0])


# ------------------------------------------------------------------------------------------------- Holm


@pytest.mark.parametrize(
    "ps",
    [
        [0.01, 0.04, 0.03, 0.005],
        [0.2, 0.01, 0.01, 0.5, 0.03, 0.02],
        [0.0, 1.0, 0.5],
        [0.3, 0.3, 0.3],
        [0.04],
        list(np.random.default_rng(3).uniform(0, 0.2, size=25)),
    ],
)
def test_holm_matches_statsmodels(ps: list[float]) -> None:
    ref = multipletests(ps, method="holm")[1]
    assert holm_adjust(ps) == pytest.approx(list(ref), abs=1e-12)


def test_holm_properties() -> None:
    assert holm_adjust([]) == []
    ps = [0.04, 0.001, 0.02]
    adj = holm_adjust(ps)
    assert adj == pytest.approx([0.04, 0.003, 0.04])  # same order as the input
    assert all(a >= p for a, p in zip(adj, ps, strict=True))
    assert holm_adjust([0.6, 0.7]) == [1.0, 1.0]
    with pytest.raises(ValueError):
        holm_adjust([0.1, float("nan")])
    with pytest.raises(ValueError):
        holm_adjust([1.5])


# ---------------------------------------------------------------------------------------- tie groups


def _row(name: str, pattern: str) -> TieRow:
    """'1' success, '0' failure, '-' not run, for items i0, i1, ... (one run per item)."""
    return TieRow(name, {f"i{i}": (int(ch == "1"), 1) for i, ch in enumerate(pattern) if ch != "-"})


def _groups(rows: list[TieRow], **kwargs: object) -> list[int | None]:
    return [r.group for r in tie_groups(rows, **kwargs)]  # type: ignore[arg-type]


def test_paired_outcomes_counts_shared_items_only() -> None:
    a = {"x": True, "y": True, "z": False, "w": False, "only_a": True}
    b = {"x": True, "y": False, "z": True, "w": False, "only_b": False}
    assert paired_outcomes(a, b) == (1, 1, 1, 1)
    assert paired_outcomes({}, b) == (0, 0, 0, 0)


def test_tie_groups_separated_and_identical() -> None:
    rows = [_row("a", "1" * 100), _row("b", "1" * 50 + "0" * 50), _row("c", "0" * 100)]
    assert _groups(rows) == [1, 2, 3]
    same = [_row(name, "1100101101" * 5) for name in "abc"]
    assert _groups(same) == [1, 1, 1]
    assert _groups([]) == []
    assert _groups(rows[:1]) == [1]


def test_tie_groups_exact_values() -> None:
    # b vs a: 6 discordant items all for a, exact McNemar p = 2/64 = 0.03125; c vs a: p = 2/64 too; Holm over the
    # two comparisons of step 1 gives 0.0625 for both: b and c join a. At alpha 0.07 both split, and c joins b.
    rows = [_row("a", "1" * 6 + "0" * 4), _row("b", "0" * 10), _row("c", "0" * 10)]
    result = tie_groups(rows)
    assert [r.group for r in result] == [1, 1, 1]
    assert result[0].p_value is None
    assert [r.p_value for r in result[1:]] == pytest.approx([0.0625, 0.0625])
    assert result[1].leader == "a"
    assert _groups(rows, alpha=0.07) == [1, 2, 2]
    # statsmodels' Holm and McNemar give the same adjusted p-values
    raw = [mcnemar(np.array([[0, 6], [0, 4]]), exact=True).pvalue] * 2
    assert list(multipletests(raw, method="holm")[1]) == pytest.approx([0.0625, 0.0625])


def test_tie_groups_cannot_chain() -> None:
    # The case: an always-right and an always-wrong configuration over 20 shared items, with a
    # configuration that shares few items with each in between. Chaining (b ties a, c ties b, so c ties a) must
    # not happen: c is compared with a's group leader only.
    a = TieRow("always right", {f"i{j}": (1, 1) for j in range(60)})
    bridge = TieRow("one run", {"i0": (1, 1)})  # 100% on one item: sorts first, but too few items to lead
    c = TieRow("always wrong", {f"i{j}": (0, 1) for j in range(40, 100)})
    result = tie_groups([bridge, a, c])
    assert [r.group for r in result] == [None, 1, 2]
    assert result[2].p_value is None
    assert result[2].leader == "always wrong"
    # against a, over the 20 shared items: 20-0, p = 2 / 2**20 (Holm over one comparison)
    assert tie_groups([a, c], min_shared=10)[1].group == 2
    # with less than the minimum shared, a pair is not comparable: its own group, said so
    few = TieRow("few shared", {f"i{j}": (0, 1) for j in range(55, 120)})  # 5 items shared with a
    result = tie_groups([a, few])
    assert [r.group for r in result] == [1, 2]
    assert result[1].not_comparable == ("always right",)


def test_tie_groups_compare_with_the_leader_not_the_previous_row() -> None:
    # Each step down loses only 2-3 items (never significant), but d is 7 items behind the leader a:
    # raw p = 2/128 = 0.0156; Holm over the three comparisons of step 1 (b: p = 0.5, c: 0.0625, d: 0.0156)
    # gives d 3 * 0.0156 = 0.047 < 0.05: d leads group 2.
    rows = [
        _row("a", "1" * 60),
        _row("b", "1" * 57 + "0" * 3),
        _row("c", "1" * 55 + "0" * 5),
        _row("d", "1" * 53 + "0" * 7),
    ]
    result = tie_groups(rows)
    assert [r.group for r in result] == [1, 1, 1, 2]
    ps = [mcnemar_exact(k, 0) for k in (3, 5, 7)]
    adjusted = list(multipletests(ps, method="holm")[1])
    assert [r.p_value for r in result[1:3]] == pytest.approx(adjusted[:2])
    assert adjusted[2] < 0.05
    # a fifth row like d: Holm over four comparisons gives d and e 0.0625: both join
    assert _groups(rows + [_row("e", "1" * 53 + "0" * 7)]) == [1, 1, 1, 1, 1]


def test_tie_groups_with_repeats_use_the_rate_test() -> None:
    # Items with 3 runs each: the leader solves 3/3 everywhere, b 2/3 on 12 items (d = -1/3 on 12 items:
    # exact sign-flip p = 2 / 2**12), c matches the leader.
    a = TieRow("a", {f"i{j}": (3, 3) for j in range(12)})
    b = TieRow("b", {f"i{j}": (2, 3) for j in range(12)})
    c = TieRow("c", {f"i{j}": (3, 3) for j in range(12)})
    result = tie_groups([a, c, b])
    assert [r.group for r in result] == [1, 1, 2]
    assert paired_rate_test([(3, 3)] * 12, [(2, 3)] * 12).p_value == pytest.approx(2 / 2**12)


# ---------------------------------------------------------------------------------------------- flakiness


def test_flakiness_hand_computed() -> None:
    T, F = True, False
    got = flakiness(
        {
            "s/a/easy": [T, T, F, F],  # 4 of 6 pairs disagree
            "s/b/easy": [T, T, T, F],  # 3 of 6
            "s/c/easy": [T, F],  # 1 of 1
            "s/d/easy": [T, T, T],
            "s/e/easy": [F, F],
            "s/f/easy": [T],
            "s/g/easy": [],
        }
    )
    assert got == pytest.approx(
        {
            "s/a/easy": 2 / 3,
            "s/b/easy": 0.5,
            "s/c/easy": 1.0,
            "s/d/easy": 0.0,
            "s/e/easy": 0.0,
            "s/f/easy": 0.0,
            "s/g/easy": 0.0,
        }
    )


def test_flakiness_matches_pair_enumeration() -> None:
    rng = np.random.default_rng(4)
    outcomes = {f"item{i}": [bool(x) for x in rng.random(int(rng.integers(2, 9))) < 0.6] for i in range(30)}
    got = flakiness(outcomes)
    for key, runs in outcomes.items():
        pairs = list(itertools.combinations(runs, 2))
        assert got[key] == pytest.approx(sum(x != y for x, y in pairs) / len(pairs))


@pytest.mark.parametrize(
    "table",
    [
        (3, 1, 1, 3),
        (10, 0, 0, 10),
        (0, 5, 5, 0),
        (2, 7, 8, 2),
        (1, 9, 11, 3),
        (5, 5, 5, 5),
        (0, 0, 3, 4),
        (20, 30, 25, 25),
        (3, 0, 0, 0),
    ],
)
def test_fisher_exact_matches_scipy(table: tuple[int, int, int, int]) -> None:
    from scipy.stats import fisher_exact as scipy_fisher

    a, b, c, d = table
    expected = scipy_fisher([[a, b], [c, d]], alternative="two-sided").pvalue
    assert stats.fisher_exact(a, b, c, d) == pytest.approx(expected, rel=1e-9, abs=1e-12)


# ---------------------------------------------------------------------------- t, beta, clustered intervals


@pytest.mark.parametrize(
    ("a", "b", "x"),
    [(2, 3, 0.4), (0.5, 0.5, 0.1), (30, 2, 0.97), (0.01, 5, 0.3), (200, 300, 0.41), (1, 1, 0.5), (7.5, 0.8, 0.999)],
)
def test_regularized_beta_matches_scipy(a: float, b: float, x: float) -> None:
    assert regularized_beta(a, b, x) == pytest.approx(scipy.special.betainc(a, b, x), rel=1e-11, abs=1e-14)


@pytest.mark.parametrize("df", [1, 2, 3, 9, 29, 79, 500])
def test_t_distribution_matches_scipy(df: int) -> None:
    for q in (0.5, 0.9, 0.975, 0.995, 0.025):
        assert t_ppf(q, df) == pytest.approx(scipy.stats.t.ppf(q, df), rel=1e-10, abs=1e-12)
    for t in (-3.0, -0.5, 0.0, 1.2, 4.0):
        assert t_cdf(t, df) == pytest.approx(scipy.stats.t.cdf(t, df), rel=1e-11, abs=1e-14)
    assert beta_ppf(0.025, 3.5, 17.2) == pytest.approx(scipy.stats.beta.ppf(0.025, 3.5, 17.2), rel=1e-10)


def _korn_graubard(s: np.ndarray, n: np.ndarray, alpha: float = 0.05) -> tuple[float, float]:
    """Reference: the design effect from statsmodels' cluster-robust variance of the mean (OLS of the runs'
    outcomes on a constant, clusters = items, CR1), then Clopper-Pearson with scipy's beta quantiles."""
    import statsmodels.api as sm

    y = np.concatenate([[1.0] * si + [0.0] * (ni - si) for si, ni in zip(s, n, strict=True)])
    groups = np.concatenate([[g] * ni for g, ni in enumerate(n)])
    fit = sm.OLS(y, np.ones_like(y)).fit(cov_type="cluster", cov_kwds={"groups": groups, "use_correction": False})
    items, total = len(n), n.sum()
    variance = float(fit.bse[0] ** 2) * items / (items - 1)  # CR1's G / (G - 1)
    p = y.mean()
    effective = min(total, p * (1 - p) / variance)
    effective *= (scipy.stats.norm.ppf(1 - alpha / 2) / scipy.stats.t.ppf(1 - alpha / 2, items - 1)) ** 2
    x = p * effective
    return (
        scipy.stats.beta.ppf(alpha / 2, x, effective - x + 1),
        scipy.stats.beta.ppf(1 - alpha / 2, x + 1, effective - x),
    )


def test_clustered_proportion_interval_matches_statsmodels_and_scipy() -> None:
    rng = np.random.default_rng(17)
    for _ in range(5):
        p_items = rng.beta(1.2, 0.8, 40)
        n = rng.integers(1, 7, 40)
        s = rng.binomial(n, p_items)
        low, high, method = clustered_proportion_interval(s, n)
        assert method == "clustered"
        assert (low, high) == pytest.approx(_korn_graubard(s, n), rel=1e-9)
    # one run per item: the plain Wilson interval
    assert clustered_proportion_interval([1, 0, 1, 1], [1, 1, 1, 1]) == (*wilson_interval(3, 4), "wilson")
    # all solved: as many independent units as items (the repeats may always agree), not as many as runs
    low, high, _ = clustered_proportion_interval([5] * 20, [5] * 20)
    assert high == 1.0
    assert low == pytest.approx(
        scipy.stats.beta.ppf(0.025, 20 * 1.959964**2 / scipy.stats.t.ppf(0.975, 19) ** 2, 1), rel=1e-6
    )
    assert low < wilson_interval(100, 100)[0]
    assert clustered_proportion_interval([3], [5]) == (0.0, 1.0, "clustered")


def test_clustered_interval_is_wider_than_wilson_when_repeats_agree() -> None:
    # the shape: 80 items seen 5 times, outcomes of an item always the same: 47 items solved
    s, n = [5] * 47 + [0] * 33, [5] * 80
    low, high, _ = clustered_proportion_interval(s, n)
    naive = wilson_interval(235, 400)
    assert high - low > 1.8 * (naive[1] - naive[0])
    assert (low, high) == pytest.approx(wilson_like := _korn_graubard(np.array(s), np.array(n)), rel=1e-9), wilson_like


def test_clustered_mean_interval_matches_statsmodels() -> None:
    import statsmodels.api as sm

    rng = np.random.default_rng(3)
    n = rng.integers(1, 7, 30)
    item_means = rng.uniform(2, 9, 30)
    values = [np.clip(rng.normal(m, 1.0, k), 0, 10) for m, k in zip(item_means, n, strict=True)]
    y = np.concatenate(values)
    groups = np.concatenate([[g] * k for g, k in enumerate(n)])
    fit = sm.OLS(y, np.ones_like(y)).fit(
        cov_type="cluster", cov_kwds={"groups": groups, "use_correction": False}, use_t=True
    )
    se = float(fit.bse[0]) * math.sqrt(30 / 29)  # CR1
    half = scipy.stats.t.ppf(0.975, 29) * se
    low, high = clustered_mean_interval([v.sum() for v in values], n)  # type: ignore[misc]
    assert (low, high) == pytest.approx((y.mean() - half, y.mean() + half), rel=1e-10)
    # one value per item: the classic t interval
    x = rng.normal(5, 2, 12)
    t_low, t_high = scipy.stats.t.interval(0.95, 11, loc=x.mean(), scale=scipy.stats.sem(x))
    assert clustered_mean_interval(x, [1] * 12) == pytest.approx((t_low, t_high), rel=1e-10)
    assert clustered_mean_interval([5.0], [1]) is None
    assert clustered_mean_interval([10.0, 9.5, 10.0], [1, 1, 1], bounds=(0, 10))[1] == 10.0  # type: ignore[index]


# ------------------------------------------------------------------------------------- pass@k over items


def test_pass_at_k_curve_covers_the_items_with_at_least_k_runs() -> None:
    runs, successes = [5, 5, 3, 1, 6], [2, 5, 0, 1, 3]
    curve = pass_at_k_curve(runs, successes)
    assert [c.k for c in curve] == [1, 2, 3, 4, 5, 6]
    assert [c.items for c in curve] == [5, 4, 4, 3, 3, 1]
    for c in curve:
        covered = [(n, s) for n, s in zip(runs, successes, strict=True) if n >= c.k]
        expected_at = sum(1 - Fraction(math.comb(n - s, c.k), math.comb(n, c.k)) for n, s in covered) / len(covered)
        expected_hat = sum(Fraction(math.comb(s, c.k), math.comb(n, c.k)) for n, s in covered) / len(covered)
        assert c.pass_at_k == pytest.approx(float(expected_at), abs=1e-12)
        assert c.pass_hat_k == pytest.approx(float(expected_hat), abs=1e-12)
    assert pass_at_k_curve([], []) == []


# --------------------------------------------------------------------------------------- paired rate test


def _brute_sign_flip(base: list[tuple[int, int]], cand: list[tuple[int, int]]) -> float:
    d = [Fraction(sc, nc) - Fraction(sb, nb) for (sb, nb), (sc, nc) in zip(base, cand, strict=True)]
    observed = abs(sum(d, Fraction(0)))
    hits = sum(
        abs(sum((s * x for s, x in zip(signs, d, strict=True)), Fraction(0))) >= observed
        for signs in itertools.product((1, -1), repeat=len(d))
    )
    p: float = hits / 2 ** len(d)
    return p


def test_paired_rate_test_is_mcnemar_with_one_run_per_item() -> None:
    base = [(1, 1)] * 9 + [(0, 1)] * 3 + [(1, 1)] * 5
    cand = [(0, 1)] * 9 + [(1, 1)] * 3 + [(1, 1)] * 5
    result = paired_rate_test(base, cand)
    assert result.method == "exact McNemar"
    assert result.differing == 12
    assert result.p_value == pytest.approx(mcnemar(np.array([[5, 9], [3, 0]]), exact=True).pvalue, rel=1e-12)


def test_paired_rate_test_exact_with_repeats_matches_brute_force() -> None:
    rng = np.random.default_rng(9)
    for _ in range(6):
        items = 11
        nb, nc = rng.integers(1, 7, items), rng.integers(1, 7, items)
        base = [(int(rng.integers(0, n + 1)), int(n)) for n in nb]
        cand = [(int(rng.integers(0, n + 1)), int(n)) for n in nc]
        result = paired_rate_test(base, cand)
        assert result.method == "exact sign-flip"
        assert result.p_value == pytest.approx(_brute_sign_flip(base, cand), abs=1e-12)
    assert paired_rate_test([(2, 4)] * 5, [(1, 2)] * 5).p_value == 1.0  # equal rates: nothing differs


def test_paired_rate_test_normal_approximation_beyond_the_lattice(monkeypatch: pytest.MonkeyPatch) -> None:
    base = [(3, 5), (2, 3), (1, 1), (0, 6)] * 5
    cand = [(1, 5), (3, 3), (0, 1), (2, 6)] * 5
    exact = paired_rate_test(base, cand)
    monkeypatch.setattr(stats, "_EXACT_SIGN_FLIP_WORK", 10)
    approx = paired_rate_test(base, cand)
    assert approx.method == "sign-flip, normal approximation"
    d = np.array([sc / nc - sb / nb for (sb, nb), (sc, nc) in zip(base, cand, strict=True)])
    assert approx.p_value == pytest.approx(2 * scipy.stats.norm.sf(abs(d.sum()) / math.sqrt((d**2).sum())), rel=1e-12)
    assert approx.p_value == pytest.approx(exact.p_value, abs=0.03)  # 20 items: close to the exact value
