"""Success rates: exact intervals, the one-sided rate verdict and its sizing and power, Newcombe's interval
for a difference and its power (benchmarks/proportions.py)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from benchmarks import proportions as pr
from benchmarks.verdicts import INCONCLUSIVE, NOT_REPRODUCED, REPRODUCED

# ---------------------------------------------------------------- Clopper–Pearson


def test_clopper_pearson_known_values():
    assert pr.clopper_pearson(3, 10, 0.95) == pytest.approx((0.0667395, 0.6524529), abs=1e-6)  # textbook
    # closed forms at the extremes: (alpha / 2)^(1/n)
    assert pr.clopper_pearson(0, 10, 0.95) == pytest.approx((0.0, 1 - 0.025**0.1), abs=1e-10)
    assert pr.clopper_pearson(10, 10, 0.95) == pytest.approx((0.025**0.1, 1.0), abs=1e-10)
    # the beta-quantile form
    low, high = pr.clopper_pearson(17, 40, 0.9)
    assert low == pytest.approx(stats.beta.ppf(0.05, 17, 24), abs=1e-10)
    assert high == pytest.approx(stats.beta.ppf(0.95, 18, 23), abs=1e-10)


def test_one_sided_bounds():
    assert pr.lower_bound(29, 29, 0.95) == pytest.approx(0.05 ** (1 / 29), abs=1e-10)
    assert pr.upper_bound(0, 29, 0.95) == pytest.approx(1 - 0.05 ** (1 / 29), abs=1e-10)
    for s in (0, 5, 17, 30):
        greater = stats.binomtest(s, 30, alternative="greater").proportion_ci(0.95, method="exact").low
        less = stats.binomtest(s, 30, alternative="less").proportion_ci(0.95, method="exact").high
        assert pr.lower_bound(s, 30, 0.95) == pytest.approx(greater, abs=1e-10)
        assert pr.upper_bound(s, 30, 0.95) == pytest.approx(less, abs=1e-10)
    with pytest.raises(ValueError):
        pr.clopper_pearson(3, 2, 0.95)


def test_lower_bound_coverage():
    """Exact coverage over a grid of true rates (>= 95% everywhere), and a simulation of 2,000 draws at a
    rate whose exact coverage is 96.3%: within three standard errors (0.4 points each) of that."""
    n = 30
    bounds = np.array([pr.lower_bound(s, n, 0.95) for s in range(n + 1)])
    for p in np.linspace(0.01, 0.99, 99):
        assert stats.binom.pmf(np.arange(n + 1), n, p) @ (bounds <= p) >= 0.95 - 1e-12
    exact = stats.binom.pmf(np.arange(n + 1), n, 0.75) @ (bounds <= 0.75)
    assert exact == pytest.approx(0.9626, abs=1e-4)
    draws = np.random.default_rng(0).binomial(n, 0.75, 2000)
    assert abs(np.mean(bounds[draws] <= 0.75) - exact) < 3 * np.sqrt(exact * (1 - exact) / 2000)


# ---------------------------------------------------------------- rate_at_least


def test_rate_at_least_verdicts():
    verdict, low, high = pr.rate_at_least(29, 29, 0.9, 0.95)  # 0.05^(1/29) = 0.9018
    assert verdict == REPRODUCED and low == pytest.approx(0.9018554, abs=1e-6) and high == 1.0
    assert pr.rate_at_least(28, 28, 0.9, 0.95)[0] == INCONCLUSIVE  # 0.05^(1/28) = 0.8985
    verdict, low, high = pr.rate_at_least(10, 29, 0.9, 0.95)
    assert verdict == NOT_REPRODUCED and high < 0.9
    # the two bounds are the two-sided interval at 2c - 1
    assert (low, high) == pr.clopper_pearson(10, 29, 0.9)


def test_trials_needed():
    assert pr.trials_needed(0.9, 0.95) == 29  # ceil(log 0.05 / log 0.9) = ceil(28.43)
    assert pr.trials_needed(0.5, 0.99) == 7  # 0.01^(1/7) = 0.518, 0.01^(1/6) = 0.464
    n = pr.trials_needed(0.9, 0.95, assumed_rate=0.97)
    assert pr.rate_at_least(int(0.97 * n), n, 0.9, 0.95)[0] == REPRODUCED
    assert all(pr.rate_at_least(int(np.floor(0.97 * m + 1e-9)), m, 0.9, 0.95)[0] != REPRODUCED for m in range(1, n))
    with pytest.raises(ValueError):
        pr.trials_needed(0.9, 0.95, assumed_rate=0.9)


@pytest.mark.parametrize(("trials", "band_low"), [(30, 0.9), (64, 0.8), (100, 0.5)])
def test_smallest_detectable_shortfall_sits_at_the_power_threshold(trials, band_low):
    """The probability of ``not reproduced``, by brute force over every outcome with the public verdict:
    at least the power at the returned shortfall, below it at a slightly smaller one."""
    d = pr.smallest_detectable_shortfall(trials, band_low, 0.95, power=0.9)
    assert 0 < d < band_low
    caught = np.array([pr.rate_at_least(s, trials, band_low, 0.95)[0] == NOT_REPRODUCED for s in range(trials + 1)])
    outcomes = np.arange(trials + 1)
    assert stats.binom.pmf(outcomes, trials, band_low - d) @ caught >= 0.9
    assert stats.binom.pmf(outcomes, trials, band_low - d + 1e-6) @ caught < 0.9


def test_smallest_detectable_shortfall_limits():
    assert pr.smallest_detectable_shortfall(1, 0.5, 0.95) == np.inf  # even 0/1 has an upper bound of 0.95
    assert pr.smallest_detectable_shortfall(200, 0.9, 0.95) < pr.smallest_detectable_shortfall(50, 0.9, 0.95)


# ---------------------------------------------------------------- difference of two rates


def test_wilson_matches_scipy():
    for s, n in [(0, 10), (3, 10), (56, 70), (20, 20)]:
        ci = stats.binomtest(s, n).proportion_ci(0.95, method="wilson")
        np.testing.assert_allclose(pr.wilson(s, n, 0.95), (ci.low, ci.high), atol=1e-12)


@pytest.mark.parametrize(
    ("s1", "n1", "s2", "n2", "low", "high"),
    [  # Newcombe (1998), Table II, method 10
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (6, 7, 2, 7, 0.0582, 0.8062),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
        (0, 10, 0, 10, -0.2775, 0.2775),
        (10, 10, 0, 20, 0.6791, 1.0000),
        (10, 10, 0, 10, 0.6075, 1.0000),
    ],
)
def test_difference_ci_reproduces_newcombe_table_ii(s1, n1, s2, n2, low, high):
    estimate, lo, hi = pr.difference_ci(s1, n1, s2, n2, 0.95)
    assert estimate == pytest.approx(s1 / n1 - s2 / n2)
    assert (round(lo, 4), round(hi, 4)) == (low, high)


def test_difference_ci_exact_coverage():
    """Newcombe's method 10 is close to nominal: exact coverage at a few points within a point or two."""
    for n1, n2, p1, p2 in [(40, 40, 0.7, 0.5), (20, 30, 0.9, 0.6), (50, 50, 0.5, 0.5)]:
        s1, s2 = np.arange(n1 + 1)[:, None], np.arange(n2 + 1)[None, :]
        _, low, high = pr._newcombe(s1, n1, s2, n2, 0.95)
        covered = (low <= p1 - p2) & (p1 - p2 <= high)
        coverage = stats.binom.pmf(s1[:, 0], n1, p1) @ covered @ stats.binom.pmf(s2[0], n2, p2)
        assert 0.93 <= coverage <= 0.98


def test_fisher_one_sided_p():
    # Fisher's tea-tasting table [[3, 1], [1, 3]]: P(X >= 3) = (16 + 1) / 70
    assert pr.fisher_one_sided_p(3, 4, 1, 4) == pytest.approx(17 / 70)
    # against the hypergeometric tail
    tail = stats.hypergeom.sf(24 - 1, 50, 24 + 12, 30)  # N = 50 runs, 36 successes, 30 in arm 1
    assert pr.fisher_one_sided_p(24, 30, 12, 20) == pytest.approx(tail)
    assert pr.fisher_one_sided_p(12, 20, 24, 30) > 0.5


def test_difference_detection_rate_is_the_brute_force_sum():
    n1, n2, p1, p2, band = 12, 9, 0.55, 0.4, 0.3
    caught = np.array([[pr.difference_ci(a, n1, b, n2, 0.9)[2] < band for b in range(n2 + 1)] for a in range(n1 + 1)])
    brute = stats.binom.pmf(np.arange(n1 + 1), n1, p1) @ caught @ stats.binom.pmf(np.arange(n2 + 1), n2, p2)
    assert pr.difference_detection_rate(n1, n2, p1, p2, band, 0.9) == pytest.approx(brute, abs=1e-14)


@pytest.mark.parametrize(("n1", "n2", "p2", "band"), [(40, 40, 0.5, 0.2), (64, 50, 0.8, -0.1), (200, 150, 0.3, 0.1)])
def test_smallest_detectable_difference_sits_at_the_power_threshold(n1, n2, p2, band):
    d = pr.smallest_detectable_difference(n1, n2, p2, band, 0.95, power=0.9)
    assert 0 < d < np.inf
    assert pr.difference_detection_rate(n1, n2, p2 + band - d, p2, band, 0.95) >= 0.9
    assert pr.difference_detection_rate(n1, n2, p2 + band - d + 1e-6, p2, band, 0.95) < 0.9


def test_smallest_detectable_difference_limits():
    assert pr.smallest_detectable_difference(2, 2, 0.5, 0.2, 0.95) == np.inf  # too few runs to refute anything
    assert pr.smallest_detectable_difference(200, 200, 0.5, 0.2, 0.95) < pr.smallest_detectable_difference(
        40, 40, 0.5, 0.2, 0.95
    )
