"""Times to an event with right-censoring (engine: knows no paper).

A run that never meets its success criterion within its budget is *censored* at the budget: its time to
the event is only known to exceed the budget. Dropping such runs would bias every summary towards the
fast runs, so they stay in the sample as censored observations and the summaries are Kaplan–Meier ones.

- :func:`km_median`: the Kaplan–Meier median (Kaplan & Meier 1958), ``scipy.stats.ecdf`` on
  ``scipy.stats.CensoredData``;
- :func:`km_medians`: the same median for many bootstrap resamples at once, computed from resampling
  counts without sorting (what the bootstraps below use);
- :func:`median_ci`, :func:`paired_median_ratio_ci`, :func:`log_log_slope_ci`: percentile bootstrap
  intervals (Efron & Tibshirani 1993, ch. 13; for censored data Efron 1981, "Censored data and the
  bootstrap", JASA 76:312) of a median, of the ratio of two medians measured on paired runs, and of the
  log-log slope of the median against a problem size;
- :func:`detectable_ratio` (the smallest true ratio the rule catches, with the details,
  :func:`ratio_detection_rates` for given inflations): the power of the ratio rule, as the smallest true
  ratio it would declare ``not reproduced`` with a given probability.

Conventions used throughout:

- the median is the smallest time t with S(t) <= 1/2 (S the Kaplan–Meier survival curve), the usual
  definition (e.g. Klein & Moeschberger 2003, sec. 4.5). Without censoring it is the lower middle order
  statistic (``sorted(x)[(n - 1) // 2]``): ``np.median`` for an odd count, the *lower* of the two middle
  values for an even count (``np.median`` averages them). The comparison allows 1e-10 of rounding, so a
  curve that steps to exactly 1/2 counts as reaching it;
- the median is ``inf`` when S never drops to 1/2, i.e. when so many runs are censored that fewer than
  half are known to have reached the event (always the case when every run is censored);
- ties: at equal times, events come before censorings (a run censored at t was at risk at t).
- percentile intervals are :func:`benchmarks.stats.percentile_ci`'s linear-interpolation percentiles,
  extended to replicates that are ``inf`` (an interpolation that touches an ``inf`` replicate is ``inf``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from benchmarks.stats import bootstrap_replicates_needed, ls_slopes, smallest_detectable

HALF = 0.5 + 1e-10
"""S(t) <= HALF counts as reaching the median (1e-10 absorbs the rounding of the product-limit)."""

MAX_DROPPED_FRACTION = 0.05
"""Above this fraction of undefined bootstrap replicates (both medians or some size's median ``inf``), an
interval is declared uninformative instead of being computed from the defined replicates only."""

_CHUNK = 2**22
"""Bootstrap replicates are processed in chunks of at most this many resampled values."""


# ---------------------------------------------------------------- Kaplan–Meier medians


def _as_sample(times: np.ndarray, reached: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(times, dtype=float).ravel()
    r = np.asarray(reached, dtype=bool).ravel()
    if t.shape != r.shape:
        raise ValueError(f"times and reached differ in length ({t.size} != {r.size})")
    if t.size == 0:
        raise ValueError("an empty sample has no median")
    if not np.all(np.isfinite(t)):
        raise ValueError("times must be finite (a censored run's time is its budget)")
    return t, r


def km_median(times: np.ndarray, reached: np.ndarray) -> float:
    """Kaplan–Meier median time to the event: the smallest t with S(t) <= 1/2; ``inf`` when the curve
    never drops to 1/2 (more than half of the runs censored before it could).

    ``times[i]``: when run i reached the event (``reached[i]`` true) or its budget, where it was censored
    (``reached[i]`` false). Computed with ``scipy.stats.ecdf(CensoredData(uncensored=..., right=...))``.
    Without censoring this is the lower middle order statistic (see the module docstring)."""
    t, r = _as_sample(times, reached)
    sf = stats.ecdf(stats.CensoredData(uncensored=t[r], right=t[~r])).sf
    below = np.flatnonzero(sf.probabilities <= HALF)
    return float(sf.quantiles[below[0]]) if below.size else float("inf")


@dataclass(frozen=True)
class _Ranked:
    """One method's runs in Kaplan–Meier order (time ascending, events before censorings at a tie), and
    the Kaplan–Meier medians of resamples of them."""

    rank: np.ndarray  # rank[i]: position of run i in that order
    times: np.ndarray  # times in that order, with inf appended (the median of a curve that stays above 1/2)
    reached: np.ndarray  # in that order

    @classmethod
    def of(cls, times: np.ndarray, reached: np.ndarray) -> _Ranked:
        t, r = _as_sample(times, reached)
        order = np.lexsort((~r, t))
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        return cls(rank, np.append(t[order], np.inf), r[order])

    def medians(self, indices: np.ndarray) -> np.ndarray:
        """Kaplan–Meier medians of the resamples ``indices`` ([B, k] run indices), from resampling counts.

        Runs are walked in Kaplan–Meier order with c_j copies of run j: c_j plus the copies after it are
        at risk there, and its copies are events if it reached the event. Walking tied events one run at a
        time gives the same survival after the tie as the grouped factor 1 - d/n (the product telescopes),
        and the time at which S first drops to 1/2 is the tie's time either way; S only drops at events, so
        the first position with S <= 1/2 is an event, and S is non-increasing, so that position is the
        number of positions with S > 1/2. No resample is sorted."""
        rows, k = indices.shape
        n = self.rank.size
        flat = (self.rank[indices] + n * np.arange(rows)[:, None]).ravel()
        counts = np.bincount(flat, minlength=rows * n).reshape(rows, n).astype(float)
        at_risk = k - np.cumsum(counts, axis=1) + counts
        np.maximum(at_risk, 1.0, out=at_risk)  # 0 only after the last drawn run, where no event is left
        counts *= self.reached
        counts /= at_risk
        np.subtract(1.0, counts, out=counts)
        survival = np.cumprod(counts, axis=1, out=counts)
        return self.times[np.sum(survival > HALF, axis=1)]


def km_medians(times: np.ndarray, reached: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Kaplan–Meier medians (as :func:`km_median`) of many resamples of one sample at once:
    ``indices[b]`` lists the runs of resample b ([B, k] integers). Returns [B] medians. Uses resampling
    counts and a cumulative product instead of sorting every resample."""
    ranked = _Ranked.of(times, reached)
    idx = np.atleast_2d(np.asarray(indices))
    step = max(1, _CHUNK // max(ranked.rank.size, idx.shape[1]))
    return np.concatenate([ranked.medians(idx[start : start + step]) for start in range(0, idx.shape[0], step)])


# ---------------------------------------------------------------- percentiles with inf replicates


def _row_percentiles(values: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Percentile interval of each row of ``values`` ([S, R]), ignoring NaN (undefined) replicates.

    Linear interpolation between order statistics exactly as ``np.quantile``'s default (so equal to
    :func:`benchmarks.stats.percentile_ci` for finite replicates), except that an interpolation touching an
    ``inf`` replicate is ``inf`` (``np.quantile`` gives NaN there). Returns (low, high, undefined count)."""
    x = np.sort(np.asarray(values, dtype=float), axis=1)  # NaN sorts last
    defined = np.sum(~np.isnan(x), axis=1)
    tail = (1.0 - confidence) / 2.0
    bounds = []
    for q in (tail, 1.0 - tail):
        h = (np.maximum(defined, 1) - 1) * q
        lo = np.floor(h).astype(int)
        hi = np.minimum(lo + 1, np.maximum(defined - 1, 0))
        frac = h - lo
        a = np.take_along_axis(x, lo[:, None], axis=1)[:, 0]
        b = np.take_along_axis(x, hi[:, None], axis=1)[:, 0]
        with np.errstate(invalid="ignore"):
            value = np.where(frac > 0, a + frac * (b - a), a)
        value = np.where(np.isposinf(b) & (frac > 0) | np.isposinf(a), np.inf, value)
        value = np.where(np.isneginf(a) & ~np.isposinf(b), -np.inf, value)
        bounds.append(np.where(defined > 0, value, np.nan))
    return bounds[0], bounds[1], x.shape[1] - defined


def _ratios(median_a: np.ndarray, median_b: np.ndarray) -> np.ndarray:
    """median_a / median_b with the censoring conventions: inf / finite = inf, finite / inf = 0,
    inf / inf = NaN (undefined)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(median_a, dtype=float) / np.asarray(median_b, dtype=float)


# ---------------------------------------------------------------- intervals


def median_ci(
    times: np.ndarray,
    reached: np.ndarray,
    confidence: float,
    rng: np.random.Generator,
    replicates: int | None = None,
) -> tuple[float, float, float]:
    """Kaplan–Meier median and its percentile bootstrap interval (runs resampled with replacement; Efron
    1981). ``replicates`` defaults to :func:`benchmarks.stats.bootstrap_replicates_needed`. Either bound
    may be ``inf``: resamples with more than half censored have no median, which is what a wide interval
    should say."""
    t, r = _as_sample(times, reached)
    replicates = replicates or bootstrap_replicates_needed(confidence)
    meds = km_medians(t, r, rng.integers(0, t.size, (replicates, t.size)))
    low, high, _ = _row_percentiles(meds[None, :], confidence)
    return km_median(t, r), float(low[0]), float(high[0])


@dataclass(frozen=True)
class MedianRatio:
    """Ratio of two Kaplan–Meier medians (A / B) with its percentile bootstrap interval.

    ``dropped``: bootstrap replicates where both medians were ``inf`` (ratio undefined), left out of the
    percentiles; when more than :data:`MAX_DROPPED_FRACTION` of them are, the interval is (0, inf)."""

    estimate: float
    low: float
    high: float
    median_a: float
    median_b: float
    replicates: int
    dropped: int = 0


def _check_paired(times_a: np.ndarray, times_b: np.ndarray) -> None:
    if np.asarray(times_a).size != np.asarray(times_b).size:
        raise ValueError("paired samples must have the same number of runs")
    if np.any(np.asarray(times_a) <= 0) or np.any(np.asarray(times_b) <= 0):
        raise ValueError("times must be positive for a ratio")


def _ratio_interval(ratios: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of bootstrap ratios -> (low, high, dropped) with the :class:`MedianRatio` rule for undefined
    replicates."""
    low, high, dropped = _row_percentiles(ratios, confidence)
    uninformative = dropped > MAX_DROPPED_FRACTION * ratios.shape[1]
    return np.where(uninformative, 0.0, low), np.where(uninformative, np.inf, high), dropped


def paired_median_ratio_ci(
    times_a: np.ndarray,
    reached_a: np.ndarray,
    times_b: np.ndarray,
    reached_b: np.ndarray,
    confidence: float,
    rng: np.random.Generator,
    replicates: int | None = None,
) -> MedianRatio:
    """Kaplan–Meier median of A over that of B, with a percentile bootstrap interval that resamples
    *pairs* of runs (run i of A and run i of B share a seed or initialisation, so they are drawn together,
    which keeps their correlation in the interval).

    ``replicates`` defaults to :func:`benchmarks.stats.bootstrap_replicates_needed`. Infinite medians: A
    never reaching its median gives a ratio of ``inf``, B never reaching it a ratio of 0, both a NaN
    (undefined) ratio; undefined bootstrap replicates are dropped and counted (see :class:`MedianRatio`),
    an undefined point estimate is NaN. Times must be positive."""
    _check_paired(times_a, times_b)
    a, b = _Ranked.of(times_a, reached_a), _Ranked.of(times_b, reached_b)
    n = a.rank.size
    replicates = replicates or bootstrap_replicates_needed(confidence)
    indices = rng.integers(0, n, (replicates, n))
    ratios = _ratios(a.medians(indices), b.medians(indices))
    low, high, dropped = _ratio_interval(ratios[None, :], confidence)
    median_a, median_b = km_median(times_a, reached_a), km_median(times_b, reached_b)
    return MedianRatio(
        estimate=float(_ratios(median_a, median_b)),
        low=float(low[0]),
        high=float(high[0]),
        median_a=median_a,
        median_b=median_b,
        replicates=replicates,
        dropped=int(dropped[0]),
    )


@dataclass(frozen=True)
class LogLogSlope:
    """Least-squares slope of log(Kaplan–Meier median) on log(size), with its percentile bootstrap
    interval. ``estimate`` is NaN when some size's median is ``inf``; ``dropped`` counts bootstrap
    replicates left out because some size's resampled median was ``inf``; when more than
    :data:`MAX_DROPPED_FRACTION` of the replicates are, the interval is (-inf, inf)."""

    estimate: float
    low: float
    high: float
    medians: tuple[float, ...]
    replicates: int
    dropped: int


def log_log_slope_ci(
    sizes: np.ndarray,
    times_per_size: list[tuple[np.ndarray, np.ndarray]],
    confidence: float,
    rng: np.random.Generator,
    replicates: int | None = None,
) -> LogLogSlope:
    """Scaling exponent: least-squares slope of log(KM median) against log(size), e.g. iterations to
    criterion growing as size^slope. ``times_per_size[j]`` is (times, reached) at ``sizes[j]``.

    Bootstrap: each replicate resamples the runs within every size independently (sizes are separate
    experiments) and refits the slope; a replicate where some size's median is ``inf`` has no slope and is
    dropped and counted. The percentiles of the remaining replicates are conditional on every median being
    finite, which is harmless when few are dropped; above :data:`MAX_DROPPED_FRACTION` the interval is
    (-inf, inf), which every band reads as inconclusive. Times and sizes must be positive."""
    log_x = np.log(np.asarray(sizes, dtype=float))
    if log_x.size != len(times_per_size) or log_x.size < 2:
        raise ValueError("need one (times, reached) sample per size, and at least two sizes")
    if any(np.any(np.asarray(t) <= 0) for t, _ in times_per_size) or not np.all(np.isfinite(log_x)):
        raise ValueError("sizes and times must be positive for a log-log slope")
    replicates = replicates or bootstrap_replicates_needed(confidence)
    medians = np.array([km_median(t, r) for t, r in times_per_size])
    boot = np.column_stack(
        [km_medians(t, r, rng.integers(0, np.size(t), (replicates, np.size(t)))) for t, r in times_per_size]
    )  # [replicates, sizes]
    finite = np.all(np.isfinite(boot), axis=1)
    dropped = int(replicates - finite.sum())
    estimate = float(ls_slopes(log_x, np.log(medians)[:, None])[0]) if np.all(np.isfinite(medians)) else np.nan
    if dropped > MAX_DROPPED_FRACTION * replicates:
        low, high = -np.inf, np.inf
    else:
        slopes = ls_slopes(log_x, np.log(boot[finite]).T)
        lo, hi, _ = _row_percentiles(slopes[None, :], confidence)
        low, high = float(lo[0]), float(hi[0])
    return LogLogSlope(estimate, low, high, tuple(float(m) for m in medians), replicates, dropped)


# ---------------------------------------------------------------- power of the ratio rule


SIMULATIONS = 200
"""Default outer simulations of :func:`detectable_ratio` (detection rates resolved to about
+-0.02 near a power of 0.9)."""


def _power_replicates(confidence: float) -> int:
    """Default inner bootstrap of the power simulation: 10 replicates per tail (400 at 0.95), against the
    25 per tail of the intervals themselves, to keep the simulation fast."""
    return bootstrap_replicates_needed(confidence, per_tail=10)


def _budget_of(times_a: np.ndarray, reached_a: np.ndarray, budget: float | None) -> float:
    """A's budget: as given, else the largest time of A's censored runs (a run is censored at its budget),
    else ``inf`` (no run of A censored, so the data do not show the budget: no re-censoring, which makes
    the smallest detectable ratio conservative, i.e. larger)."""
    t, r = _as_sample(times_a, reached_a)
    if budget is None:
        budget = float(t[~r].max()) if np.any(~r) else float("inf")
    if t.max() > budget:
        raise ValueError("the budget must be at least every time of A")
    return float(budget)


def _simulated_medians(
    times_a: np.ndarray,
    reached_a: np.ndarray,
    times_b: np.ndarray,
    reached_b: np.ndarray,
    confidence: float,
    rng: np.random.Generator,
    simulations: int,
    replicates: int | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Medians of A and B ([simulations, replicates]) for bootstrap replicates of simulated experiments:
    each simulated experiment resamples the measured pairs, and its bootstrap resamples that resample."""
    _check_paired(times_a, times_b)
    a, b = _Ranked.of(times_a, reached_a), _Ranked.of(times_b, reached_b)
    n = a.rank.size
    replicates = replicates or _power_replicates(confidence)
    med_a = np.empty((simulations, replicates))
    med_b = np.empty((simulations, replicates))
    per_chunk = max(1, _CHUNK // (replicates * n))
    for start in range(0, simulations, per_chunk):
        count = min(per_chunk, simulations - start)
        outer = rng.integers(0, n, (count, n))
        inner = rng.integers(0, n, (count, replicates, n))
        runs = outer[np.arange(count)[:, None, None], inner]  # run indices of the measured sample
        runs = runs.reshape(count * replicates, n)
        med_a[start : start + count] = a.medians(runs).reshape(count, replicates)
        med_b[start : start + count] = b.medians(runs).reshape(count, replicates)
    return med_a, med_b


def _inflated(median_a: np.ndarray, inflation: float, budget: float) -> np.ndarray:
    """KM median after multiplying A's times by ``inflation`` and censoring again at ``budget``.

    Exact, not an approximation: with every time <= budget, the KM curve of the times min(f t, budget),
    a run counting as reached when it reached the event and f t <= budget, is the original curve with its
    time axis stretched by f, cut at the budget (up to the budget the at-risk sets and events are the
    stretched ones; a run pushed past the budget is at risk up to it either way). So its median is f m
    when f m <= budget and ``inf`` otherwise (m = ``inf`` stays ``inf``). For f < 1 this keeps runs that
    were censored censored at f t (their time to the event is only known to exceed that)."""
    with np.errstate(invalid="ignore"):  # inf * 0 (an infinite median, no inflation) is NaN: beyond the budget
        scaled = inflation * np.asarray(median_a, dtype=float)
    return np.where(scaled <= budget, scaled, np.inf)


def _detection_rate(
    med_a: np.ndarray, med_b: np.ndarray, inflation: float, budget: float, band_high: float, confidence: float
) -> float:
    low, _, _ = _ratio_interval(_ratios(_inflated(med_a, inflation, budget), med_b), confidence)
    return float(np.mean(low > band_high))


def ratio_detection_rates(
    times_a: np.ndarray,
    reached_a: np.ndarray,
    times_b: np.ndarray,
    reached_b: np.ndarray,
    band_high: float,
    confidence: float,
    inflations: np.ndarray,
    rng: np.random.Generator,
    budget: float | None = None,
    simulations: int = SIMULATIONS,
    replicates: int | None = None,
) -> np.ndarray:
    """Probability that :func:`paired_median_ratio_ci`'s interval lies above ``band_high`` (the rule's
    ``not reproduced``) when A's times are inflated by each of ``inflations`` (censoring re-applied at
    the budget), estimated as :func:`detectable_ratio` does, with the same random numbers for every
    inflation (given the same ``rng`` state, the same numbers as that function)."""
    budget = _budget_of(times_a, reached_a, budget)
    med_a, med_b = _simulated_medians(times_a, reached_a, times_b, reached_b, confidence, rng, simulations, replicates)
    return np.array([_detection_rate(med_a, med_b, f, budget, band_high, confidence) for f in np.ravel(inflations)])


@dataclass(frozen=True)
class DetectableRatio:
    """Result of :func:`detectable_ratio`. ``ratio``: the smallest true ratio of medians (A / B) the rule
    catches with the requested power: the KM median of A's measured times inflated by ``inflation`` and
    censored again at the budget, over B's (``inflation`` times ``measured_ratio`` unless the inflated
    median passes the budget; ``inf`` when no inflation is caught, NaN when B's median is ``inf``)."""

    ratio: float
    inflation: float
    measured_ratio: float
    budget: float
    simulations: int
    replicates: int


def detectable_ratio(
    times_a: np.ndarray,
    reached_a: np.ndarray,
    times_b: np.ndarray,
    reached_b: np.ndarray,
    band_high: float,
    confidence: float,
    rng: np.random.Generator,
    power: float = 0.9,
    budget: float | None = None,
    simulations: int = SIMULATIONS,
    replicates: int | None = None,
) -> DetectableRatio:
    """Power of the rule "reproduced when the ratio interval's upper bound is <= ``band_high``, not
    reproduced when its lower bound is > ``band_high``": the smallest inflation f of A's times for which
    the rule says ``not reproduced`` with probability >= ``power``, and the true ratio that makes.

    Simulation, nonparametric: an experiment is simulated by resampling the measured pairs (A's times then
    multiplied by f and censored again at A's ``budget``, B's unchanged) and is decided by a percentile
    bootstrap interval of its own, as :func:`paired_median_ratio_ci` decides the real one. ``budget``
    defaults to the time of A's censored runs (see :func:`_budget_of`). Common random numbers: the same
    resamples serve every f, so the detection rate is a step function of f and
    :func:`benchmarks.stats.smallest_detectable` bisects it (to 1e-4 relative). Inflation and censoring act
    on the bootstrap medians directly (exact, see :func:`_inflated`), so only one set of medians is
    computed. Cost: ``simulations`` (default 200) outer experiments times ``replicates`` (default 10 per
    tail, 400 at 0.95) inner replicates, about 0.6 s for 64 pairs (linear in the number of pairs).
    Detection rates are therefore resolved to a few percent, and the inner intervals are slightly noisier
    than the real one's.

    Undefined replicates (both medians ``inf``) make a simulated interval uninformative as in
    :func:`paired_median_ratio_ci`, which can make detection non-monotone in f when B is heavily censored;
    the bisection then returns one f where the rate crosses ``power``."""
    budget = _budget_of(times_a, reached_a, budget)
    med_a, med_b = _simulated_medians(times_a, reached_a, times_b, reached_b, confidence, rng, simulations, replicates)

    def rate(inflation: float) -> float:
        return _detection_rate(med_a, med_b, inflation, budget, band_high, confidence)

    # an inflation past which every simulated replicate that can be caught is: all of A's medians beyond
    # the budget, or every ratio with finite medians above band_high
    finite_a, finite_b = med_a[np.isfinite(med_a)], med_b[np.isfinite(med_b)]
    upper = 1.0
    if finite_a.size:
        upper = 2.0 * budget / finite_a.min()
        if finite_b.size:
            upper = min(upper, 2.0 * max(band_high, 1e-12) * finite_b.max() / finite_a.min())
    inflation = smallest_detectable(rate, max(upper, 1.0) if np.isfinite(upper) else 1.0, power)
    median_a, median_b = km_median(times_a, reached_a), km_median(times_b, reached_b)
    true_a = _inflated(median_a, inflation, budget) if np.isfinite(inflation) else np.inf
    return DetectableRatio(
        ratio=float(_ratios(true_a, median_b)),
        inflation=float(inflation),
        measured_ratio=float(_ratios(median_a, median_b)),
        budget=budget,
        simulations=simulations,
        replicates=med_a.shape[1],
    )
