"""Statistics used by the claim checks: multiple testing, confidence intervals, slopes, verdict logic.

Verdict vocabulary (shared/claims.md): ``reproduced``, ``partial``, ``not reproduced``, ``inconclusive``.
A band check asks whether a quantity's confidence interval lies inside a claimed band; an interval that
straddles a band edge is *inconclusive* (too little data to decide), never rounded towards a pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
from scipy import stats

REPRODUCED = "reproduced"
PARTIAL = "partial"
NOT_REPRODUCED = "not reproduced"
INCONCLUSIVE = "inconclusive"
VERDICTS = (REPRODUCED, PARTIAL, NOT_REPRODUCED, INCONCLUSIVE)


def holm_reject(p_values: np.ndarray, alpha: float) -> np.ndarray:
    """Holm-Bonferroni step-down: which hypotheses are rejected at family-wise error ``alpha``."""
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p)
    m = p.size
    thresholds = alpha / (m - np.arange(m))
    passed = p[order] <= thresholds
    n_reject = m if passed.all() else int(np.argmin(passed))
    reject = np.zeros(m, dtype=bool)
    reject[order[:n_reject]] = True
    return reject


def t_test_p_values(mean_error: np.ndarray, std: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Two-sided one-sample t-test p-values of H0: E[x] - target = 0, from (mean - target, sd, n)."""
    se = np.asarray(std, dtype=float) / np.sqrt(np.asarray(count, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(se > 0, np.asarray(mean_error, dtype=float) / se, 0.0)
    return 2.0 * stats.t.sf(np.abs(t), df=np.asarray(count, dtype=float) - 1.0)


def mean_ci(values: np.ndarray, confidence: float) -> tuple[float, float, float]:
    """Sample mean and its Student-t confidence interval."""
    x = np.asarray(values, dtype=float)
    mean = float(x.mean())
    half = float(stats.t.ppf(0.5 + confidence / 2.0, df=x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return mean, mean - half, mean + half


def simultaneous_confidence(confidence: float, comparisons: int) -> float:
    """Per-interval level giving family-wise ``confidence`` over ``comparisons`` intervals (Bonferroni)."""
    return 1.0 - (1.0 - confidence) / max(1, comparisons)


def rms(values: np.ndarray) -> np.ndarray | float:
    """Root mean square over the last axis."""
    return np.sqrt(np.mean(np.square(values), axis=-1))


def mean_last(values: np.ndarray) -> np.ndarray | float:
    """Mean over the last axis."""
    return np.mean(values, axis=-1)


_BOOT_BLOCK = 64


def slope_bootstrap(
    groups: Sequence[tuple[float, np.ndarray]],
    statistic: Callable[[np.ndarray], np.ndarray | float],
    n_boot: int,
    rng: np.random.Generator,
) -> tuple[float, np.ndarray]:
    """Slope of log(statistic(values)) on log(x) over ``groups`` of (x, values), and its ``n_boot`` bootstrap
    replicates (values resampled with replacement within each group). ``statistic`` reduces the last axis,
    so replicates are computed in vectorised blocks."""
    centred = np.log(np.array([x for x, _ in groups], dtype=float))
    centred -= centred.mean()
    log_stats = np.empty((len(groups), n_boot + 1))  # column 0: the point estimate; then the replicates
    for g, (_, values) in enumerate(groups):
        log_stats[g, 0] = np.log(statistic(values))
        for start in range(0, n_boot, _BOOT_BLOCK):
            count = min(_BOOT_BLOCK, n_boot - start)
            resampled = values[rng.integers(0, values.size, (count, values.size))]
            log_stats[g, 1 + start : 1 + start + count] = np.log(statistic(resampled))
    # least-squares slope of every column at once: sum((x - mean x) * y) / sum((x - mean x)^2)
    slopes = centred @ log_stats / (centred @ centred)
    return float(slopes[0]), slopes[1:]


def percentile_ci(replicates: np.ndarray, confidence: float) -> tuple[float, float]:
    """Percentile bootstrap interval."""
    tail = (1.0 - confidence) / 2.0
    return float(np.quantile(replicates, tail)), float(np.quantile(replicates, 1.0 - tail))


def band_verdict(ci_low: float, ci_high: float, low: float, high: float) -> str:
    """``reproduced`` if the CI lies inside [low, high], ``not reproduced`` if it lies outside, else
    ``inconclusive``."""
    if low <= ci_low and ci_high <= high:
        return REPRODUCED
    if ci_high < low or ci_low > high:
        return NOT_REPRODUCED
    return INCONCLUSIVE


def combine_verdicts(parts: Iterable[str]) -> str:
    """All parts reproduced -> reproduced; none reproduced and some failed -> not reproduced; some
    reproduced and some failed -> partial; otherwise inconclusive."""
    parts = list(parts)
    if not parts:
        return INCONCLUSIVE
    if all(p == REPRODUCED for p in parts):
        return REPRODUCED
    failed = any(p == NOT_REPRODUCED for p in parts)
    passed = any(p == REPRODUCED for p in parts)
    if failed and passed:
        return PARTIAL
    if failed:
        return NOT_REPRODUCED
    return INCONCLUSIVE


def strict_verdict(parts: Iterable[str]) -> str:
    """For identities that must hold everywhere (e.g. a derived variance formula): any refuted part refutes
    the whole; all reproduced -> reproduced; otherwise inconclusive. No ``partial``."""
    parts = list(parts)
    if any(p == NOT_REPRODUCED for p in parts):
        return NOT_REPRODUCED
    if parts and all(p == REPRODUCED for p in parts):
        return REPRODUCED
    return INCONCLUSIVE
