"""Statistics the claim checks use (engine: knows no paper; the verdict vocabulary is in
:mod:`benchmarks.verdicts`).

- moments accumulated chunk by chunk (:class:`Moments`), so experiments never hold every sample;
- tests: one-sample t-tests from summary numbers (with the zero-spread case decided exactly), a chi-square
  omnibus test of a mean vector against a known covariance, Holm's step-down;
- intervals: Student-t, simultaneous (Bonferroni) levels, percentile bootstrap, a weighted least-squares
  slope with its normal interval, and a block bootstrap of a slope that resamples independent units;
- sizing and power: samples needed for an interval half-width, and the smallest defect a rule detects
  with given probability (bisection on a simulated detection rate with common random numbers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import stats


@dataclass
class Moments:
    """Count, mean and second central moment of a stream of values (float64, merged chunk by chunk with
    Chan's parallel update, so the result does not depend on the chunk size beyond rounding)."""

    count: int = 0
    mean: float = 0.0
    m2: float = field(default=0.0, repr=False)

    def add(self, values: np.ndarray) -> None:
        """Merge a chunk of values."""
        x = np.asarray(values, dtype=np.float64).ravel()
        if x.size == 0:
            return
        n_b, mean_b = x.size, float(x.mean())
        m2_b = float(np.square(x - mean_b).sum())
        total = self.count + n_b
        delta = mean_b - self.mean
        self.mean += delta * n_b / total
        self.m2 += m2_b + delta * delta * self.count * n_b / total
        self.count = total

    @property
    def variance(self) -> float:
        """Sample variance (ddof = 1); NaN below two values."""
        return self.m2 / (self.count - 1) if self.count > 1 else float("nan")


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile: P(|Z| <= z) = confidence."""
    return float(stats.norm.ppf(0.5 + confidence / 2.0))


def simultaneous_confidence(confidence: float, comparisons: int) -> float:
    """Per-interval level giving family-wise ``confidence`` over ``comparisons`` intervals (Bonferroni)."""
    return 1.0 - (1.0 - confidence) / max(1, comparisons)


def holm_reject(p_values: np.ndarray, alpha: float) -> np.ndarray:
    """Holm-Bonferroni step-down over the last axis: which hypotheses are rejected at family-wise error
    ``alpha``. Works on a batch (shape [..., m]), as the power simulations need."""
    p = np.asarray(p_values, dtype=float)
    m = p.shape[-1]
    if m == 0:
        return np.zeros(p.shape, dtype=bool)
    order = np.argsort(p, axis=-1)
    sorted_p = np.take_along_axis(p, order, axis=-1)
    passed = sorted_p <= alpha / (m - np.arange(m))
    # reject the first r sorted hypotheses, r = length of the leading run of passes
    leading = np.cumprod(passed, axis=-1).astype(bool)
    reject = np.zeros(p.shape, dtype=bool)
    np.put_along_axis(reject, order, leading, axis=-1)
    return reject


def t_test_p_values(mean_error: np.ndarray, std: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Two-sided one-sample t-test p-values of H0: E[x] - target = 0, from (mean - target, sd, n).

    Zero spread is decided exactly: sd = 0 with a non-zero mean error gives p = 0 (every sample is wrong
    by the same amount), sd = 0 with a zero mean error gives p = 1."""
    mean_error = np.asarray(mean_error, dtype=float)
    se = np.asarray(std, dtype=float) / np.sqrt(np.asarray(count, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(se > 0, mean_error / np.where(se > 0, se, 1.0), np.where(mean_error != 0, np.inf, 0.0))
    return 2.0 * stats.t.sf(np.abs(t), df=np.maximum(np.asarray(count, dtype=float) - 1.0, 1.0))


def normal_p_values(estimate: np.ndarray, se: np.ndarray) -> np.ndarray:
    """Two-sided z-test p-values of H0: estimate = 0 (se = 0: p = 0 if the estimate is non-zero, else 1)."""
    estimate = np.asarray(estimate, dtype=float)
    se = np.asarray(se, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, estimate / np.where(se > 0, se, 1.0), np.where(estimate != 0, np.inf, 0.0))
    return 2.0 * stats.norm.sf(np.abs(z))


def mean_ci(values: np.ndarray, confidence: float) -> tuple[float, float, float]:
    """Sample mean and its Student-t confidence interval."""
    x = np.asarray(values, dtype=float)
    return summary_mean_ci(float(x.mean()), float(x.var(ddof=1)), x.size, confidence)


def summary_mean_ci(mean: float, variance: float, count: int, confidence: float) -> tuple[float, float, float]:
    """Student-t interval of a mean from its summary numbers (mean, sample variance, count)."""
    half = float(stats.t.ppf(0.5 + confidence / 2.0, df=max(count - 1, 1)) * np.sqrt(variance / count))
    return mean, mean - half, mean + half


def chi2_omnibus_p(statistic: np.ndarray, rank: np.ndarray, outside_support: np.ndarray | bool = False) -> np.ndarray:
    """p-value of T = S d' Sigma^+ d against chi-square(rank) (H0: the mean error d is zero, Sigma the known
    covariance of one sample). ``outside_support``: d has a component in Sigma's null space, which no
    sample can produce under H0, so p = 0."""
    p = stats.chi2.sf(np.asarray(statistic, dtype=float), np.asarray(rank, dtype=float))
    return np.where(outside_support, 0.0, p)


def percentile_ci(replicates: np.ndarray, confidence: float) -> tuple[float, float]:
    """Percentile bootstrap interval."""
    tail = (1.0 - confidence) / 2.0
    return float(np.quantile(replicates, tail)), float(np.quantile(replicates, 1.0 - tail))


def bootstrap_replicates_needed(confidence: float, per_tail: int = 25) -> int:
    """Replicates so that each tail of a percentile interval at ``confidence`` holds ``per_tail`` of them."""
    return int(np.ceil(per_tail / ((1.0 - confidence) / 2.0)))


def ls_slopes(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least-squares slopes of the columns of ``y`` ([len(x), m]) on ``x``."""
    xc = np.asarray(x, dtype=float) - np.mean(x)
    return xc @ np.asarray(y, dtype=float) / (xc @ xc)


def wls_slope(x: np.ndarray, y: np.ndarray, se: np.ndarray) -> tuple[float, float]:
    """Weighted least-squares slope of y on x for independent y with standard errors ``se``, and the
    slope's standard error (delta method: sum of w (x - xbar_w)^2 to the -1/2)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    w = 1.0 / np.square(np.asarray(se, dtype=float))
    xbar = np.sum(w * x) / np.sum(w)
    sxx = np.sum(w * np.square(x - xbar))
    return float(np.sum(w * (x - xbar) * y) / sxx), float(1.0 / np.sqrt(sxx))


MAX_BOOTSTRAP_UNITS = 512
"""Blocks are merged into at most this many consecutive groups before resampling: groups of independent
blocks are themselves independent units, and 512 of them resolve a slope's sampling distribution far
beyond what the intervals need, at a fraction of the cost."""


def block_bootstrap_slope(
    log_x: np.ndarray,
    block_sums: np.ndarray,
    units_per_block: np.ndarray,
    n_boot: int,
    rng: np.random.Generator,
) -> tuple[float, np.ndarray]:
    """Slope of log sqrt(mean square) on ``log_x``, with bootstrap replicates that resample whole blocks.

    ``block_sums[b, j]`` is the sum of the squared errors of block ``b`` at x_j (every x reuses the same
    blocks of samples, so blocks, not per-x values, are the independent units); ``units_per_block[j]`` how
    many terms each block sum holds at x_j. A replicate draws groups of consecutive blocks (at most
    :data:`MAX_BOOTSTRAP_UNITS` of them) with replacement and recomputes every x_j from that same resample,
    as a ratio of the drawn sums to the drawn number of terms."""
    sums = np.asarray(block_sums, dtype=float)
    per_block = np.asarray(units_per_block, dtype=float)
    point = ls_slopes(log_x, 0.5 * np.log(sums.sum(axis=0) / (sums.shape[0] * per_block))[:, None])[0]
    groups = np.array_split(np.arange(sums.shape[0]), min(MAX_BOOTSTRAP_UNITS, sums.shape[0]))
    group_sums = np.stack([sums[g].sum(axis=0) for g in groups])  # [U, len(x)]
    group_sizes = np.array([g.size for g in groups], dtype=float)  # [U]
    units = len(groups)
    out = np.empty(n_boot)
    step = max(1, 2**22 // units)
    for start in range(0, n_boot, step):
        count = min(step, n_boot - start)
        drawn = rng.integers(0, units, (count, units)) + units * np.arange(count)[:, None]
        weights = np.bincount(drawn.ravel(), minlength=count * units).reshape(count, units)  # [count, U]
        log_rms = 0.5 * np.log((weights @ group_sums) / ((weights @ group_sizes)[:, None] * per_block))
        out[start : start + count] = ls_slopes(log_x, log_rms.T)
    return float(point), out


def samples_for_half_width(relative_sd: float, z: float, half_width: float, low: int, high: int) -> int:
    """Samples giving a mean with per-sample relative sd ``relative_sd`` an interval half-width of
    ``half_width`` (relative) at normal quantile ``z``, clamped to [low, high]."""
    need = int(np.ceil(np.square(z * relative_sd / half_width))) if relative_sd > 0 else 0
    return int(min(max(need, low), high))


def smallest_detectable(
    detection_rate: Callable[[float], float], upper: float, power: float = 0.9, tolerance: float = 1e-4
) -> float:
    """The smallest defect size in [0, upper] whose ``detection_rate`` reaches ``power`` (bisection; the
    rate must be non-decreasing in the size, which common random numbers inside ``detection_rate``
    ensure for the rules here). ``inf`` when even ``upper`` is not detected with that probability."""
    if detection_rate(upper) < power:
        return float("inf")
    low, high = 0.0, float(upper)
    if detection_rate(low) >= power:
        return 0.0
    while high - low > tolerance * max(high, 1e-12):
        mid = 0.5 * (low + high)
        if detection_rate(mid) >= power:
            high = mid
        else:
            low = mid
    return high
