"""Learning-time claims: A2 (Alopex-94 vs backprop) and A9 (Alopex-B vs Alopex-94).

Both compare Kaplan-Meier median iterations to the criterion of two methods run from the same
initialisations (runs censored at the budget count as "not yet", never dropped), by a percentile bootstrap
that resamples paired runs, with Bonferroni-simultaneous intervals over the tasks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks.alopex.outcomes import common_budget, paired, paired_arrays, run_outcomes, tasks_in
from benchmarks.alopex.runs import ALOPEX_94, ALOPEX_B, BACKPROP, FORWARD_PASSES_PER_ITERATION
from benchmarks.alopex.thresholds import IterationRatio, MostlyFaster
from benchmarks.claims import CheckResult, Detectable
from benchmarks.stats import simultaneous_confidence
from benchmarks.survival import MedianRatio, detectable_ratio, paired_median_ratio_ci
from benchmarks.verdicts import INCONCLUSIVE, NOT_REPRODUCED, REPRODUCED, band_verdict

SEED = 0  # the bootstrap's own generator: fixed, so a check gives the same interval every time


def median_ratios(
    outcomes: pd.DataFrame, method_a: str, method_b: str, confidence: float
) -> list[tuple[str, MedianRatio, pd.DataFrame, pd.DataFrame]]:
    """Per task with both methods: the paired median-iteration ratio a/b at the simultaneous level."""
    tasks = [task for task in tasks_in(outcomes, method_a) if task in set(tasks_in(outcomes, method_b))]
    if not tasks:
        raise ValueError(f"no task has evaluation runs of both {method_a!r} and {method_b!r}")
    level = simultaneous_confidence(confidence, len(tasks))
    rng = np.random.default_rng(SEED)
    out = []
    for task in tasks:
        a, b = paired(outcomes, task, method_a, method_b)
        ratio = paired_median_ratio_ci(*paired_arrays(a, b), level, rng)
        out.append((task, ratio, a, b))
    return out


def _detail(task: str, ratio: MedianRatio, a: pd.DataFrame, b: pd.DataFrame, verdict: str) -> dict[str, object]:
    return {
        "task": task,
        "ratio": ratio.estimate,
        "low": ratio.low,
        "high": ratio.high,
        "median_a": ratio.median_a,
        "median_b": ratio.median_b,
        "solved_a": int(a["reached"].sum()),
        "solved_b": int(b["reached"].sum()),
        "runs": len(a),
        "verdict": verdict,
    }


def _detectable(
    ratios: list[tuple[str, MedianRatio, pd.DataFrame, pd.DataFrame]], band_high: float, level: float, power: float
) -> tuple[float, str]:
    """The largest (worst-resolved) smallest-detectable ratio over the tasks, and its task."""
    worst, where = 0.0, ""
    rng = np.random.default_rng(SEED)
    for task, _, a, b in ratios:
        size = detectable_ratio(
            *paired_arrays(a, b), band_high, level, rng, power=power, budget=common_budget(a, b)
        ).ratio
        if size > worst:
            worst, where = size, task
    return worst, where


def check_comparable_to_backprop(tables: dict[str, pd.DataFrame], threshold: IterationRatio) -> CheckResult:
    """A2: Alopex-94's median iterations within ``threshold.high`` times backprop's on every task."""
    outcomes = run_outcomes(tables["learning_time"])
    ratios = median_ratios(outcomes, ALOPEX_94, BACKPROP, threshold.confidence)
    level = simultaneous_confidence(threshold.confidence, len(ratios))
    details, verdicts = [], []
    passes = FORWARD_PASSES_PER_ITERATION[BACKPROP] / FORWARD_PASSES_PER_ITERATION[ALOPEX_94]
    for task, ratio, a, b in ratios:
        verdict = band_verdict(ratio.low, ratio.high, 0.0, threshold.high)
        verdicts.append(verdict)
        detail = _detail(task, ratio, a, b, verdict)
        detail["forward_pass_ratio"] = ratio.estimate / passes
        detail["beyond_far_marker"] = bool(ratio.low > threshold.far)
        details.append(detail)
    verdict = (
        NOT_REPRODUCED
        if NOT_REPRODUCED in verdicts
        else REPRODUCED
        if all(v == REPRODUCED for v in verdicts)
        else INCONCLUSIVE
    )
    worst = max(details, key=lambda d: (np.nan_to_num(d["ratio"], nan=np.inf), d["high"]))
    size, where = _detectable(ratios, threshold.high, level, threshold.power)
    detectable = Detectable(
        defect=f"a task whose true median-iteration ratio exceeds {threshold.high:g}: ratio",
        size=size,
        unit=f"(Alopex-94 / backprop; worst-resolved task {where})",
        power=threshold.power,
        method="resampled paired runs with Alopex-94's times inflated, censoring re-applied at the budget",
    )
    text = ", ".join(f"{d['task']} {d['ratio']:.2g}" for d in details)
    summary = f"median-iteration ratio Alopex-94/backprop per task: {text} (forward-pass ratio = ratio/3)"
    return CheckResult(verdict, worst["ratio"], worst["low"], worst["high"], summary, details, detectable)


def check_alopex_b_faster(tables: dict[str, pd.DataFrame], threshold: MostlyFaster) -> CheckResult:
    """A9: Alopex-B's median iterations below Alopex-94's on more than half of the tasks."""
    outcomes = run_outcomes(tables["learning_time"])
    ratios = median_ratios(outcomes, ALOPEX_B, ALOPEX_94, threshold.confidence)
    level = simultaneous_confidence(threshold.confidence, len(ratios))
    details = []
    for task, ratio, a, b in ratios:
        side = "faster" if ratio.high < 1.0 else "slower" if ratio.low > 1.0 else "undecided"
        details.append(_detail(task, ratio, a, b, side))
    faster = sum(d["verdict"] == "faster" for d in details)
    undecided = sum(d["verdict"] == "undecided" for d in details)
    half = len(details) / 2
    verdict = REPRODUCED if faster > half else NOT_REPRODUCED if faster + undecided <= half else INCONCLUSIVE
    ordered = sorted(details, key=lambda d: np.nan_to_num(d["ratio"], nan=np.inf))
    middle = ordered[len(ordered) // 2]
    size, where = _detectable(ratios, 1.0, level, threshold.power)
    detectable = Detectable(
        defect="a task where Alopex-B is in truth slower: ratio",
        size=size,
        unit=f"(Alopex-B / Alopex-94; worst-resolved task {where})",
        power=threshold.power,
        method="resampled paired runs with Alopex-B's times inflated, censoring re-applied at the budget",
    )
    summary = (
        f"Alopex-B faster on {faster}/{len(details)} tasks, slower on "
        f"{sum(d['verdict'] == 'slower' for d in details)}, undecided on {undecided}; median task ratio "
        f"{middle['ratio']:.2g} ({middle['task']})"
    )
    return CheckResult(verdict, middle["ratio"], middle["low"], middle["high"], summary, details, detectable)
