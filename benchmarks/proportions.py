"""Success rates: exact binomial intervals, the one-sided equivalence decision for a claimed minimum rate,
a score interval for a difference of two rates, and the sizing and power of those rules (engine: knows no
paper).

- :func:`clopper_pearson`, :func:`lower_bound`, :func:`upper_bound`: Clopper & Pearson (1934), "The use
  of confidence or fiducial limits illustrated in the case of the binomial", Biometrika 26:404 (computed by
  ``scipy.stats.binomtest(...).proportion_ci(method="exact")``);
- :func:`rate_at_least`: the verdict of a claim "success rate >= band_low";
- :func:`trials_needed`, :func:`smallest_detectable_shortfall`: its sizing and power, exact (sums over
  every binomial outcome, no simulation);
- :func:`difference_ci`: Newcombe's hybrid score interval for p1 - p2 (Newcombe 1998, "Interval
  estimation for the difference between independent proportions: comparison of eleven methods", Stat.
  Med. 17:873, method 10), built from Wilson (1927) score intervals; :func:`fisher_one_sided_p`: Fisher's
  exact test of p1 > p2;
- :func:`smallest_detectable_difference`: the power of the rule "not reproduced when the difference
  interval's upper bound is below the band", exact over both binomials.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from benchmarks.stats import z_value
from benchmarks.verdicts import band_verdict

# ---------------------------------------------------------------- exact (Clopper–Pearson) bounds


def _check(successes: int, trials: int) -> None:
    if trials < 1 or not 0 <= successes <= trials:
        raise ValueError(f"need 0 <= successes <= trials and trials >= 1 (got {successes} of {trials})")


def clopper_pearson(successes: int, trials: int, confidence: float) -> tuple[float, float]:
    """Two-sided exact (Clopper–Pearson) interval of a binomial proportion at ``confidence``: each bound
    errs with probability at most (1 - confidence) / 2. The lower bound is 0 at no success, the upper 1 at
    no failure."""
    _check(successes, trials)
    ci = stats.binomtest(int(successes), int(trials)).proportion_ci(confidence_level=confidence, method="exact")
    return float(ci.low), float(ci.high)


def lower_bound(successes: int, trials: int, confidence: float) -> float:
    """One-sided exact lower confidence bound at ``confidence`` (P(bound <= p) >= confidence). It equals the
    lower end of the two-sided Clopper–Pearson interval at level 2 confidence - 1 (same tail probability
    1 - confidence)."""
    return clopper_pearson(successes, trials, 2.0 * confidence - 1.0)[0]


def upper_bound(successes: int, trials: int, confidence: float) -> float:
    """One-sided exact upper confidence bound at ``confidence``: the upper end of the two-sided
    Clopper–Pearson interval at level 2 confidence - 1."""
    return clopper_pearson(successes, trials, 2.0 * confidence - 1.0)[1]


def rate_at_least(successes: int, trials: int, band_low: float, confidence: float) -> tuple[str, float, float]:
    """Verdict of the claim "success rate >= ``band_low``" with one-sided exact bounds at ``confidence``:
    ``reproduced`` when the lower bound is >= ``band_low``, ``not reproduced`` when the upper bound is
    < ``band_low``, else ``inconclusive`` (:func:`benchmarks.verdicts.band_verdict` on the band
    [band_low, 1]). Returns (verdict, lower bound, upper bound); the two bounds together are the two-sided
    Clopper–Pearson interval at level 2 confidence - 1."""
    low, high = clopper_pearson(successes, trials, 2.0 * confidence - 1.0)
    return band_verdict(low, high, band_low, 1.0), low, high


MAX_TRIALS = 1_000_000
""":func:`trials_needed` searches up to this many trials."""


def trials_needed(band_low: float, confidence: float, assumed_rate: float = 1.0) -> int:
    """Smallest number of trials n for which ``floor(assumed_rate n)`` successes read ``reproduced`` for
    the claim "rate >= ``band_low``" (one-sided exact lower bound at ``confidence`` >= ``band_low``).

    With every trial succeeding (the default) the lower bound is (1 - confidence)^(1/n), so
    n = ceil(log(1 - confidence) / log(band_low)). For a rate below 1 the bound is not monotone in n (the
    floor makes it saw-toothed), so this is the first n that passes; a few larger n may not. Raises
    ``ValueError`` when ``assumed_rate <= band_low`` (never reproduced) or the answer exceeds
    :data:`MAX_TRIALS`."""
    if not 0.0 < band_low < 1.0:
        raise ValueError("band_low must lie in (0, 1)")
    if assumed_rate <= band_low:
        raise ValueError(f"an assumed rate of {assumed_rate} can never show a rate of at least {band_low}")
    alpha = 1.0 - confidence
    start = 1
    if assumed_rate >= 1.0:
        start = max(1, int(np.floor(np.log(alpha) / np.log(band_low))) - 1)
    step = 4096
    while start <= MAX_TRIALS:
        n = np.arange(start, start + step)
        s = np.floor(assumed_rate * n + 1e-9)
        with np.errstate(invalid="ignore"):
            low = np.where(s > 0, stats.beta.ppf(alpha, np.maximum(s, 1), n - s + 1), 0.0)
        # closed-form candidates, confirmed with the public bound (one root-finder call each)
        for i in np.flatnonzero(low >= band_low - 1e-9):
            if lower_bound(int(s[i]), int(n[i]), confidence) >= band_low:
                return int(n[i])
        start += step
    raise ValueError(f"more than {MAX_TRIALS} trials needed")


def smallest_detectable_shortfall(trials: int, band_low: float, confidence: float, power: float = 0.9) -> float:
    """Power of :func:`rate_at_least`: the smallest d such that a true rate of ``band_low - d`` is declared
    ``not reproduced`` (one-sided upper bound < ``band_low``) with probability >= ``power``.

    Exact: the upper bound increases with the successes, so ``not reproduced`` means at most s* successes
    (s* the largest count whose bound is below ``band_low``), with probability P(Bin(n, p) <= s*) =
    P(Beta(s* + 1, n - s*) > p), decreasing in p; the rate where it equals ``power`` is the
    (1 - power) quantile of Beta(s* + 1, n - s*). ``inf`` when no outcome is ever declared not reproduced
    (even 0 successes have an upper bound >= ``band_low``)."""
    if trials < 1:
        raise ValueError("need at least one trial")
    # s*: binary search with the public bound (it increases with the successes)
    lo, hi = -1, trials  # upper_bound(lo) < band_low (lo = -1: none), upper_bound(hi) >= band_low (it is 1)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if upper_bound(mid, trials, confidence) < band_low:
            lo = mid
        else:
            hi = mid
    if lo < 0:
        return float("inf")
    # 1e-12 more than the root, so the power holds whatever the summation order of the probability
    d = band_low - float(stats.beta.ppf(1.0 - power, lo + 1, trials - lo)) + 1e-12
    while stats.binom.cdf(lo, trials, band_low - d) < power:
        d += 1e-12
    return d


# ---------------------------------------------------------------- difference of two rates


def wilson(successes: np.ndarray, trials: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson (1927) score interval without continuity correction, elementwise (arrays broadcast)."""
    s, n = np.asarray(successes, dtype=float), np.asarray(trials, dtype=float)
    z = z_value(confidence)
    p, z2 = s / n, z * z
    root = z * np.sqrt(z2 + 4.0 * n * p * (1.0 - p))
    centre, scale = 2.0 * n * p + z2, 2.0 * (n + z2)
    return np.maximum((centre - root) / scale, 0.0), np.minimum((centre + root) / scale, 1.0)


def _newcombe(
    s1: np.ndarray, n1: int, s2: np.ndarray, n2: int, confidence: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    p1, p2 = np.asarray(s1, dtype=float) / n1, np.asarray(s2, dtype=float) / n2
    l1, u1 = wilson(s1, n1, confidence)
    l2, u2 = wilson(s2, n2, confidence)
    d = p1 - p2
    return d, d - np.sqrt(np.square(p1 - l1) + np.square(u2 - p2)), d + np.sqrt(np.square(u1 - p1) + np.square(p2 - l2))


def difference_ci(s1: int, n1: int, s2: int, n2: int, confidence: float) -> tuple[float, float, float]:
    """p1 - p2 and Newcombe's hybrid score interval (Newcombe 1998, method 10) at ``confidence``:
    with Wilson intervals (l_i, u_i) of each rate, D - sqrt((p1 - l1)^2 + (u2 - p2)^2) to
    D + sqrt((u1 - p1)^2 + (p2 - l2)^2). Reproduces Newcombe's Table II, e.g. 56/70 - 48/80:
    0.2000 (0.0524, 0.3339); 10/10 - 0/20: 1.0000 (0.6791, 1.0000)."""
    _check(s1, n1)
    _check(s2, n2)
    d, low, high = _newcombe(np.asarray(s1), n1, np.asarray(s2), n2, confidence)
    return float(d), float(low), float(high)


def fisher_one_sided_p(s1: int, n1: int, s2: int, n2: int) -> float:
    """One-sided p-value of Fisher's exact test of H0: p1 <= p2 against p1 > p2 (``scipy.stats.fisher_exact``,
    ``alternative="greater"`` on the table [[s1, n1 - s1], [s2, n2 - s2]])."""
    _check(s1, n1)
    _check(s2, n2)
    return float(stats.fisher_exact([[s1, n1 - s1], [s2, n2 - s2]], alternative="greater").pvalue)


def _caught_given_s1(n1: int, n2: int, p2: float, band: float, confidence: float) -> np.ndarray:
    """P(upper bound of :func:`difference_ci` < band | s1) for s1 = 0..n1, the second arm ~ Bin(n2, p2)."""
    s1, s2 = np.arange(n1 + 1)[:, None], np.arange(n2 + 1)[None, :]
    caught = (_newcombe(s1, n1, s2, n2, confidence)[2] < band).astype(float)
    return caught @ stats.binom.pmf(s2[0], n2, p2)


def difference_detection_rate(n1: int, n2: int, p1: float, p2: float, band: float, confidence: float) -> float:
    """Exact probability that :func:`difference_ci`'s upper bound is below ``band`` (the rule's ``not
    reproduced`` for a claim "p1 - p2 >= band") when the true rates are p1 and p2: a sum over all
    (n1 + 1)(n2 + 1) outcomes."""
    weights = _caught_given_s1(n1, n2, p2, band, confidence)
    return float(stats.binom.pmf(np.arange(n1 + 1), n1, p1) @ weights)


def smallest_detectable_difference(
    n1: int, n2: int, p2: float, band: float, confidence: float, power: float = 0.9, tolerance: float = 1e-9
) -> float:
    """Power of the rule for a claim "p1 - p2 >= ``band``" (``not reproduced`` when the upper bound of
    :func:`difference_ci` at ``confidence`` is below ``band``): the smallest shortfall d such that a true
    difference of ``band - d``, with p2 held at ``p2`` (so p1 = p2 + band - d), is declared not reproduced
    with probability >= ``power``.

    Exact over both binomials: the set of outcomes declared not reproduced is computed once, and its
    probability (:func:`difference_detection_rate`, the same arithmetic), which falls as p1 rises (the
    upper bound increases with s1), is bisected in d to ``tolerance``. ``inf`` when even p1 = 0 is not
    caught with that probability. ``confidence`` is the level of the two-sided interval (each bound errs
    with probability (1 - confidence) / 2; pass 2c - 1 for one-sided level c)."""
    weights = _caught_given_s1(n1, n2, p2, band, confidence)
    s1 = np.arange(n1 + 1)

    def rate(d: float) -> float:
        return float(stats.binom.pmf(s1, n1, min(max(p2 + band - d, 0.0), 1.0)) @ weights)

    low, high = max(0.0, p2 + band - 1.0), p2 + band  # p1 from min(1, p2 + band) down to 0
    if rate(high) < power:
        return float("inf")
    if rate(low) >= power:
        return low
    while high - low > tolerance:
        mid = 0.5 * (low + high)
        if rate(mid) >= power:
            high = mid
        else:
            low = mid
    return high
