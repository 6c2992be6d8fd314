"""Kaplan–Meier medians with right-censoring, their bootstrap intervals (single, paired ratio, log-log
slope) and the power of the ratio rule (benchmarks/survival.py)."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks import survival as sv
from benchmarks.stats import bootstrap_replicates_needed, percentile_ci
from benchmarks.verdicts import NOT_REPRODUCED, band_verdict

T, F = True, False


# ---------------------------------------------------------------- km_median


@pytest.mark.parametrize(
    ("times", "reached", "expected"),
    [
        # S(1) = 5/6, censored at 2, S(3) = 5/6 * 3/4 = 0.625, S(4) = 0.625 * 2/3 = 0.417 <= 1/2
        ([1, 2, 3, 4, 5, 6], [T, F, T, T, F, T], 4.0),
        # S(1) = 3/4, censored at 2, S(3) = 3/4 * 1/2 = 0.375
        ([1, 2, 3, 5], [T, F, T, F], 3.0),
        # tie: the two events at 2 come before the censoring at 2: S(2) = 1 - 2/4 = 1/2 exactly
        ([2, 2, 2, 5], [T, F, T, T], 2.0),
        # exactly half reached, the rest censored: S(2) = 1/2 counts as reaching the median
        ([1, 2, 9, 9], [T, T, F, F], 2.0),
        # more than half censored: S stays at 3/4
        ([1, 9, 9, 9], [T, F, F, F], np.inf),
        # every run censored
        ([9, 9, 9], [F, F, F], np.inf),
        # a single run
        ([7], [T], 7.0),
    ],
)
def test_km_median_by_hand(times, reached, expected):
    assert sv.km_median(np.array(times, float), np.array(reached)) == expected


def test_km_median_without_censoring_is_the_lower_middle_order_statistic():
    rng = np.random.default_rng(0)
    odd = rng.exponential(10.0, 31)
    assert sv.km_median(odd, np.ones(31, bool)) == np.median(odd)
    even = rng.exponential(10.0, 30)
    lower_middle = np.sort(even)[14]
    assert sv.km_median(even, np.ones(30, bool)) == lower_middle
    assert lower_middle < np.median(even)  # np.median averages the two middle values
    assert sv.km_median(np.array([1.0, 2.0, 3.0, 4.0]), np.ones(4, bool)) == 2.0


def test_km_median_rejects_bad_input():
    with pytest.raises(ValueError):
        sv.km_median(np.array([]), np.array([], bool))
    with pytest.raises(ValueError):
        sv.km_median(np.array([1.0, 2.0]), np.array([T]))
    with pytest.raises(ValueError):
        sv.km_median(np.array([1.0, np.inf]), np.array([T, F]))


def test_km_medians_from_counts_match_scipy_on_resamples_with_ties_and_censoring():
    rng = np.random.default_rng(1)
    for _ in range(80):
        n = int(rng.integers(1, 25))
        times = rng.integers(1, 8, n).astype(float)  # many ties
        reached = (times < 7) & (rng.random(n) < 0.75)
        times = np.where(reached, times, 7.0)  # censored at the budget
        times[rng.random(n) < 0.1] = 3.0  # some censored early, tied with events
        indices = rng.integers(0, n, (12, int(rng.integers(1, 2 * n + 1))))
        expected = [sv.km_median(times[i], reached[i]) for i in indices]
        np.testing.assert_array_equal(sv.km_medians(times, reached, indices), expected)


# ---------------------------------------------------------------- percentiles with inf


def test_row_percentiles_match_percentile_ci_and_handle_inf():
    rng = np.random.default_rng(2)
    x = rng.normal(size=999)
    low, high, undefined = sv._row_percentiles(x[None, :], 0.9)
    np.testing.assert_allclose((low[0], high[0]), percentile_ci(x, 0.9), rtol=1e-12)
    assert undefined[0] == 0
    # 10 values, 90%: positions 0.45 and 8.55; the upper one touches inf
    y = np.array([[1.0, 2, 3, 4, 5, 6, 7, 8, np.inf, np.inf]])
    low, high, _ = sv._row_percentiles(y, 0.9)
    assert low[0] == pytest.approx(1.45) and high[0] == np.inf
    # NaN (undefined) replicates are left out and counted
    z = np.array([[np.nan, 1.0, 2.0, 3.0, np.nan]])
    low, high, undefined = sv._row_percentiles(z, 0.5)
    assert (low[0], high[0], undefined[0]) == (1.5, 2.5, 2)


# ---------------------------------------------------------------- median_ci


def test_median_ci_brackets_the_estimate_and_reports_inf_when_censoring_is_heavy():
    rng = np.random.default_rng(3)
    times = rng.exponential(50.0, 40) + 1
    reached = times <= 120
    times = np.minimum(times, 120)
    estimate, low, high = sv.median_ci(times, reached, 0.95, rng)
    assert estimate == sv.km_median(times, reached)
    assert low <= estimate <= high < np.inf
    # half the runs censored: about half the resamples have no median
    heavy = np.r_[np.arange(1.0, 11.0), np.full(10, 100.0)]
    estimate, low, high = sv.median_ci(heavy, heavy < 100, 0.95, rng)
    assert estimate == 10.0 and high == np.inf and low < 10.0
    assert sv.median_ci(np.full(5, 9.0), np.zeros(5, bool), 0.95, rng) == (np.inf, np.inf, np.inf)


# ---------------------------------------------------------------- paired ratio


def test_paired_ratio_resamples_pairs():
    """B's times are exactly twice A's, run by run: every paired resample has a ratio of exactly 1/2, so
    the interval has no width (an unpaired bootstrap would give it one)."""
    rng = np.random.default_rng(4)
    a = rng.exponential(30.0, 50) + 1
    reached = rng.random(50) < 0.8
    out = sv.paired_median_ratio_ci(a, reached, 2 * a, reached, 0.95, rng)
    assert (out.estimate, out.low, out.high) == (0.5, 0.5, 0.5)
    assert out.median_b == 2 * out.median_a
    assert out.replicates == bootstrap_replicates_needed(0.95) and out.dropped == 0


def test_paired_ratio_with_infinite_medians():
    rng = np.random.default_rng(5)
    b = np.arange(1.0, 21.0)
    fine = np.ones(20, bool)
    never = np.zeros(20, bool)
    a_censored = np.full(20, 50.0)
    out = sv.paired_median_ratio_ci(a_censored, never, b, fine, 0.95, rng, replicates=400)
    assert (out.estimate, out.low, out.high) == (np.inf, np.inf, np.inf)
    assert band_verdict(out.low, out.high, 0.0, 2.0) == NOT_REPRODUCED
    out = sv.paired_median_ratio_ci(b, fine, a_censored, never, 0.95, rng, replicates=400)
    assert (out.estimate, out.low, out.high) == (0.0, 0.0, 0.0)
    # both never reach their median: undefined, interval uninformative
    out = sv.paired_median_ratio_ci(a_censored, never, a_censored, never, 0.95, rng, replicates=400)
    assert np.isnan(out.estimate) and out.dropped == 400 and (out.low, out.high) == (0.0, np.inf)


def test_paired_ratio_coverage():
    """True median ratio 1.3 (lognormal pairs, a few runs censored); the 90% interval covers it at least
    about as often as nominal (the percentile bootstrap of a median is, if anything, conservative)."""
    rng = np.random.default_rng(6)
    budget, hits, sims = 3 * np.exp(4.0), 0, 150
    for _ in range(sims):
        b = np.exp(4.0 + 0.5 * rng.standard_normal(64))
        a = 1.3 * b * np.exp(0.3 * rng.standard_normal(64))
        out = sv.paired_median_ratio_ci(
            np.minimum(a, budget), a <= budget, np.minimum(b, budget), b <= budget, 0.9, rng, replicates=400
        )
        hits += out.low <= 1.3 <= out.high
    assert hits / sims >= 0.85


def test_paired_ratio_rejects_unpaired_or_nonpositive_times():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError):
        sv.paired_median_ratio_ci(np.ones(3), np.ones(3, bool), np.ones(4), np.ones(4, bool), 0.95, rng)
    with pytest.raises(ValueError):
        sv.paired_median_ratio_ci(np.zeros(3), np.ones(3, bool), np.ones(3), np.ones(3, bool), 0.95, rng)


# ---------------------------------------------------------------- log-log slope


def test_log_log_slope_recovers_an_exact_power_law():
    rng = np.random.default_rng(7)
    sizes = np.array([2.0, 4.0, 8.0, 16.0])
    base = rng.exponential(1.0, 30) + 0.1
    samples = [(base * s**2, np.ones(30, bool)) for s in sizes]
    out = sv.log_log_slope_ci(sizes, samples, 0.95, rng)
    assert out.estimate == pytest.approx(2.0, abs=1e-12)
    assert out.low < 2.0 < out.high and out.dropped == 0
    assert out.medians == pytest.approx(tuple(sv.km_median(base, np.ones(30, bool)) * sizes**2))


def test_log_log_slope_drops_replicates_with_infinite_medians():
    rng = np.random.default_rng(8)
    sizes = np.array([10.0, 20.0, 40.0])
    ok = [(rng.exponential(5.0 * s, 40) + 1, np.ones(40, bool)) for s in sizes[:2]]
    # at the largest size 19 of 40 runs censored: the median exists, many resamples' do not
    times = np.r_[rng.uniform(1, 100, 21), np.full(19, 500.0)]
    reached = np.r_[np.ones(21, bool), np.zeros(19, bool)]
    out = sv.log_log_slope_ci(sizes, [*ok, (times, reached)], 0.95, rng, replicates=1000)
    assert np.isfinite(out.estimate)
    assert out.dropped > 50 and (out.low, out.high) == (-np.inf, np.inf)
    # a few censored runs: a few resamples dropped, the interval still computed
    reached = np.r_[np.ones(30, bool), np.zeros(10, bool)]
    times = np.r_[rng.uniform(1, 100, 30), np.full(10, 500.0)]
    out = sv.log_log_slope_ci(sizes, [*ok, (times, reached)], 0.95, rng, replicates=1000)
    assert 0 <= out.dropped <= 50 and np.isfinite(out.low) and np.isfinite(out.high)
    # the point estimate itself undefined
    out = sv.log_log_slope_ci(sizes, [*ok, (np.full(40, 500.0), np.zeros(40, bool))], 0.95, rng, replicates=200)
    assert np.isnan(out.estimate) and out.dropped == 200 and (out.low, out.high) == (-np.inf, np.inf)


# ---------------------------------------------------------------- power of the ratio rule


def test_inflation_acts_on_the_median_exactly():
    """Re-censoring inflated times at the budget and taking the KM median equals inflating the median
    and declaring it inf beyond the budget."""
    rng = np.random.default_rng(9)
    budget = 100.0
    for _ in range(50):
        n = int(rng.integers(1, 30))
        times = np.minimum(rng.integers(1, 120, n).astype(float), budget)
        reached = (times < budget) & (rng.random(n) < 0.85)
        times = np.where(rng.random(n) < 0.1, np.minimum(times, 40.0), times)  # some censored early
        for f in (0.5, 0.9, 1.0, 1.3, 2.0, 7.0):
            brute = sv.km_median(np.minimum(times * f, budget), reached & (times * f <= budget))
            assert sv._inflated(sv.km_median(times, reached), f, budget) == brute


def _pairs(n: int, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    budget = 300.0
    b = rng.exponential(60.0, n) + 1
    a = b * rng.lognormal(0.0, 0.3, n)
    return np.minimum(a, budget), a <= budget, np.minimum(b, budget), b <= budget


def test_detectable_ratio_sits_at_the_power_threshold():
    ta, ra, tb, rb = _pairs(64, 10)
    out = sv.detectable_ratio(ta, ra, tb, rb, 1.5, 0.95, np.random.default_rng(11), power=0.9, budget=300.0)
    rates = sv.ratio_detection_rates(
        ta, ra, tb, rb, 1.5, 0.95, [out.inflation, out.inflation * (1 - 1e-3)], np.random.default_rng(11), 300.0
    )
    assert rates[0] >= 0.9 > rates[1]
    assert out.ratio == pytest.approx(out.inflation * out.measured_ratio)
    assert out.ratio > 1.5  # a ratio at the band edge is caught about as often as the lower bound errs
    assert out.budget == 300.0 and out.simulations == 200 and out.replicates == 400
    # the float shortcut, with the budget read from the censored runs (some of A's runs are censored)
    assert (~ra).any()


def test_detectable_ratio_shrinks_with_more_runs_and_handles_no_censoring():
    """The same 16 pairs, and four copies of them (same empirical distribution and measured ratio, four
    times the runs): more runs catch a smaller ratio."""
    few = _pairs(16, 12)
    many = tuple(np.tile(x, 4) for x in few)
    ratio_few = sv.detectable_ratio(*few, 1.5, 0.95, np.random.default_rng(0)).ratio
    ratio_many = sv.detectable_ratio(*many, 1.5, 0.95, np.random.default_rng(0)).ratio
    assert 1.5 < ratio_many < ratio_few
    rng = np.random.default_rng(13)
    b = rng.exponential(60.0, 40) + 1
    a = b * rng.lognormal(0.0, 0.2, 40)
    out = sv.detectable_ratio(a, np.ones(40, bool), b, np.ones(40, bool), 1.5, 0.95, rng)
    assert out.budget == np.inf and 1.5 < out.ratio < np.inf
    with pytest.raises(ValueError):
        sv.detectable_ratio(a, np.ones(40, bool), b, np.ones(40, bool), 1.5, 0.95, rng, budget=1.0)
