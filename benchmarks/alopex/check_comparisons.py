"""Claims that compare arms or score held-out data: A5 (recurrent net), A6 (MONK's problems), A7 (annealing),
A8 (error measure). Unnikrishnan & Venugopal 1994 state each qualitatively; the bands are the suite's."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from benchmarks.alopex.check_learning_time import SEED
from benchmarks.alopex.experiments.annealing import ANNEALED, FIXED
from benchmarks.alopex.experiments.error_measure import ERRORS
from benchmarks.alopex.outcomes import common_budget, method_runs, paired, paired_arrays, run_outcomes, tasks_in
from benchmarks.alopex.runs import ALOPEX_94, BACKPROP
from benchmarks.alopex.thresholds import AccuracyMargin, MedianAccuracy, NonInferior, SuccessGain
from benchmarks.claims import CheckResult, Detectable
from benchmarks.proportions import difference_ci, fisher_one_sided_p, smallest_detectable_difference
from benchmarks.stats import simultaneous_confidence, smallest_detectable
from benchmarks.survival import detectable_ratio, paired_median_ratio_ci
from benchmarks.verdicts import INCONCLUSIVE, NOT_REPRODUCED, REPRODUCED, all_of, band_verdict

SIMULATIONS = 400  # draws per defect size in the simulated detection rates


def median_bounds(values: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """One-sided exact ``confidence`` lower and upper bounds of the median, per row of ``values`` [..., n]:
    order statistics x_(j) and x_(n+1-j) with j the largest index such that P(Bin(n, 1/2) < j) <= 1 -
    confidence (distribution-free; -inf / +inf when n is too small for any order statistic to qualify)."""
    values = np.sort(np.asarray(values, float), axis=-1)
    n = values.shape[-1]
    j = int(stats.binom.ppf(1.0 - confidence, n, 0.5))
    if j < 1:
        shape = values.shape[:-1]
        return np.full(shape, -np.inf), np.full(shape, np.inf)
    return values[..., j - 1], values[..., n - j]


def check_recurrent(tables: dict[str, pd.DataFrame], threshold: MedianAccuracy) -> CheckResult:
    """A5: the median held-out accuracy of Alopex-94's Elman nets reaches the band."""
    outcomes = run_outcomes(tables["recurrent"])
    (task,) = tasks_in(outcomes, ALOPEX_94)
    accuracy = method_runs(outcomes, task, ALOPEX_94)["test_accuracy"].to_numpy()
    low, high = (float(bound) for bound in median_bounds(accuracy, threshold.confidence))
    verdict = REPRODUCED if low >= threshold.band_low else NOT_REPRODUCED if high < threshold.band_low else INCONCLUSIVE
    rng = np.random.default_rng(SEED)
    draws = rng.integers(0, len(accuracy), size=(SIMULATIONS, len(accuracy)))

    def detection_rate(shortfall: float) -> float:
        # runs resampled, then every accuracy moved so that the median sits `shortfall` below the band
        shifted = np.clip(accuracy[draws] - (np.median(accuracy) - threshold.band_low + shortfall), 0.0, 1.0)
        return float(np.mean(median_bounds(shifted, threshold.confidence)[1] < threshold.band_low))

    detectable = Detectable(
        defect=f"a true median accuracy below {threshold.band_low:.0%} by",
        size=smallest_detectable(detection_rate, upper=threshold.band_low, power=threshold.power, tolerance=1e-3),
        unit="(fraction of predictable bits)",
        power=threshold.power,
        method=f"{SIMULATIONS} resamples of the measured runs, shifted; exact order-statistic bound",
    )
    backprop = method_runs(outcomes, task, BACKPROP)["test_accuracy"] if BACKPROP in set(outcomes["method"]) else []
    details = [
        {
            "method": ALOPEX_94,
            "median_accuracy": float(np.median(accuracy)),
            "runs": len(accuracy),
            "runs_at_band": int(np.sum(accuracy >= threshold.band_low)),
        },
        {"method": BACKPROP, "median_accuracy": float(np.median(backprop)) if len(backprop) else float("nan")},
    ]
    summary = (
        f"median held-out accuracy {np.median(accuracy):.3f} over {len(accuracy)} runs (bounds {low:.3f}, "
        f"{high:.3f}); backprop through time {details[1]['median_accuracy']:.3f}"
    )
    return CheckResult(verdict, float(np.median(accuracy)), low, high, summary, details, detectable)


def check_monks(tables: dict[str, pd.DataFrame], threshold: AccuracyMargin) -> CheckResult:
    """A6: on every MONK's problem Alopex-94's mean test accuracy is at most the margin below backprop's."""
    outcomes = run_outcomes(tables["monks"])
    problems = tasks_in(outcomes, ALOPEX_94)
    level = simultaneous_confidence(threshold.confidence, len(problems))
    details, verdicts, worst_se = [], [], 0.0
    for task in problems:
        a, b = paired(outcomes, task, ALOPEX_94, BACKPROP)
        diff = a["test_accuracy"].to_numpy() - b["test_accuracy"].to_numpy()
        se = float(np.std(diff, ddof=1) / np.sqrt(len(diff)))
        half = float(stats.t.ppf(0.5 + level / 2, len(diff) - 1)) * se
        low, high = float(diff.mean()) - half, float(diff.mean()) + half
        verdict = band_verdict(low, high, -threshold.margin, np.inf)
        verdicts.append(verdict)
        worst_se = max(worst_se, se)
        details.append(
            {
                "task": task,
                "alopex_accuracy": float(a["test_accuracy"].mean()),
                "backprop_accuracy": float(b["test_accuracy"].mean()),
                "difference": float(diff.mean()),
                "low": low,
                "high": high,
                "runs": len(diff),
                "verdict": verdict,
            }
        )
    worst = min(details, key=lambda d: d["low"])
    z = stats.norm.ppf(0.5 + level / 2) + stats.norm.ppf(threshold.power)
    detectable = Detectable(
        defect=f"a problem where Alopex-94 is in truth worse than backprop by {threshold.margin * 100:g} points plus",
        size=float(z * worst_se),
        unit="(fraction of the 432 test patterns)",
        power=threshold.power,
        method="normal approximation (z_level + z_power) x the largest standard error of a paired difference",
    )
    text = ", ".join(f"{d['task']} {d['difference'] * 100:+.1f} pts" for d in details)
    summary = f"mean test accuracy, Alopex-94 minus backprop: {text}"
    return CheckResult(all_of(verdicts), worst["difference"], worst["low"], worst["high"], summary, details, detectable)


def check_annealing(tables: dict[str, pd.DataFrame], threshold: SuccessGain) -> CheckResult:
    """A7: annealing's success rate exceeds the fixed temperature's by the band, Fisher p below alpha."""
    outcomes = run_outcomes(tables["annealing"])
    (task,) = tasks_in(outcomes, ANNEALED)
    annealed, fixed = paired(outcomes, task, ANNEALED, FIXED)
    s1, n1, s2, n2 = int(annealed["reached"].sum()), len(annealed), int(fixed["reached"].sum()), len(fixed)
    estimate, low, high = difference_ci(s1, n1, s2, n2, threshold.confidence)
    p = fisher_one_sided_p(s1, n1, s2, n2)
    verdict = (
        REPRODUCED
        if low >= threshold.band and p < threshold.alpha
        else NOT_REPRODUCED
        if high < threshold.band
        else INCONCLUSIVE
    )
    detectable = Detectable(
        defect=f"a true gain below {threshold.band * 100:g} points by",
        size=smallest_detectable_difference(n1, n2, s2 / n2, threshold.band, threshold.confidence, threshold.power),
        unit="(fraction of runs)",
        power=threshold.power,
        method="exact over both binomials, the fixed arm at its measured rate",
    )
    summary = (
        f"solved {s1}/{n1} annealed vs {s2}/{n2} at a fixed temperature: gain {estimate * 100:+.0f} points "
        f"[{low * 100:+.0f}, {high * 100:+.0f}], Fisher p = {p:.2g}"
    )
    details = [{"annealed": s1, "fixed": s2, "runs": n1, "gain": estimate, "low": low, "high": high, "fisher_p": p}]
    return CheckResult(verdict, estimate, low, high, summary, details, detectable)


def check_error_measure(tables: dict[str, pd.DataFrame], threshold: NonInferior) -> CheckResult:
    """A8: cross-entropy non-inferior to squared error in success rate and in median iterations."""
    squared, cross_entropy = ERRORS
    outcomes = run_outcomes(tables["error_measure"])
    (task,) = tasks_in(outcomes, cross_entropy)
    ce, se = paired(outcomes, task, cross_entropy, squared)
    level = simultaneous_confidence(threshold.confidence, 2)
    s1, n1, s2, n2 = int(ce["reached"].sum()), len(ce), int(se["reached"].sum()), len(se)
    estimate, low, high = difference_ci(s1, n1, s2, n2, level)
    success = band_verdict(low, high, -threshold.success_margin, np.inf)
    rng = np.random.default_rng(SEED)
    ratio = paired_median_ratio_ci(*paired_arrays(ce, se), level, rng)
    speed = band_verdict(ratio.low, ratio.high, 0.0, threshold.ratio_margin)
    size_success = smallest_detectable_difference(n1, n2, s2 / n2, -threshold.success_margin, level, threshold.power)
    size_ratio = detectable_ratio(
        *paired_arrays(ce, se), threshold.ratio_margin, level, rng, power=threshold.power, budget=common_budget(ce, se)
    ).ratio
    detectable = Detectable(
        defect="cross-entropy in truth worse: median-iteration ratio",
        size=size_ratio,
        unit=f"(CE / squared; and a success-rate shortfall of {size_success * 100:.0f} points beyond the margin)",
        power=threshold.power,
        method="ratio: resampled paired runs, CE times inflated; success: exact over both binomials",
    )
    summary = (
        f"solved {s1}/{n1} (cross-entropy) vs {s2}/{n2} (squared): {estimate * 100:+.0f} points [{low * 100:+.0f}, "
        f"{high * 100:+.0f}]; median iterations {ratio.median_a:.0f} vs {ratio.median_b:.0f}, ratio "
        f"{ratio.estimate:.2f} [{ratio.low:.2f}, {ratio.high:.2f}]"
    )
    details = [
        {"measure": "success_difference", "estimate": estimate, "low": low, "high": high, "verdict": success},
        {
            "measure": "median_iteration_ratio",
            "estimate": ratio.estimate,
            "low": ratio.low,
            "high": ratio.high,
            "verdict": speed,
        },
    ]
    return CheckResult(all_of([success, speed]), ratio.estimate, ratio.low, ratio.high, summary, details, detectable)
