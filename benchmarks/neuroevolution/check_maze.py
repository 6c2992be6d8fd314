"""Maze claim G6: novelty search on the GA reaches the deceptive maze's goal; the GA and OpenAI-ES do not.

Such et al. 2017 (arXiv:1712.06567, Sec. 4.3; Lehman & Stanley 2011): on a maze whose reward points into a trap,
reward-maximising search (the GA, ES) converges on the trap while GA-NS, selecting on the novelty of where a
policy ends, finds the goal. Per framework, over independent runs at equal frames, with exact binomial bounds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks.claims import CheckResult, Detectable
from benchmarks.neuroevolution.outcomes import common_budget, curves, first_reached
from benchmarks.neuroevolution.runs import ES, GA, NOVELTY_SEARCH
from benchmarks.neuroevolution.thresholds import MazeOutcomes
from benchmarks.proportions import clopper_pearson, smallest_detectable_shortfall
from benchmarks.stats import simultaneous_confidence
from benchmarks.verdicts import INCONCLUSIVE, all_of, band_verdict

JUDGED: tuple[str, ...] = (NOVELTY_SEARCH, GA, ES)


def success_by_method(table: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """Per run whether the goal was reached within the common frame budget of every run; the budget."""
    curve = curves(table)
    budget = common_budget(curve)
    return first_reached(curve, budget), budget


def check_maze(tables: dict[str, pd.DataFrame], threshold: MazeOutcomes) -> CheckResult:
    """G6: GA-NS's rate of runs reaching the goal >= the band; the GA's and ES's <= theirs."""
    reached, budget = success_by_method(tables["maze"])
    level = simultaneous_confidence(threshold.confidence, len(JUDGED))
    details, verdicts, detectables = [], [], []
    for method in JUDGED:
        runs = reached[reached["method"] == method]
        if runs.empty:
            verdicts.append(INCONCLUSIVE)
            details.append({"method": method, "runs": 0, "verdict": INCONCLUSIVE})
            continue
        successes, trials = int(runs["reached"].sum()), len(runs)
        low, high = clopper_pearson(successes, trials, 2.0 * level - 1.0)
        if method == NOVELTY_SEARCH:
            verdict = band_verdict(low, high, threshold.novelty_at_least, 1.0)
            size = smallest_detectable_shortfall(trials, threshold.novelty_at_least, level, threshold.power)
            defect = f"GA-NS: a true rate of {threshold.novelty_at_least:.0%} minus"
        else:
            verdict = band_verdict(low, high, 0.0, threshold.others_at_most)
            # "rate <= b" is "failure rate >= 1 - b": the same exact power computation on the complement
            size = smallest_detectable_shortfall(trials, 1.0 - threshold.others_at_most, level, threshold.power)
            defect = f"{method}: a true rate of {threshold.others_at_most:.0%} plus"
        verdicts.append(verdict)
        detectables.append((size, defect, trials))
        details.append(
            {
                "method": method,
                "successes": successes,
                "runs": trials,
                "rate": successes / trials,
                "low": low,
                "high": high,
                "median_first_generation": float(np.median(runs.loc[runs["reached"], "generation"]))
                if successes
                else float("nan"),
                "verdict": verdict,
            }
        )
    nan = float("nan")
    head = next((d for d in details if d["method"] == NOVELTY_SEARCH and d["runs"]), None)
    value, low, high = (head["rate"], head["low"], head["high"]) if head else (nan, nan, nan)
    detectable = None
    if detectables:
        size, defect, trials = max(detectables, key=lambda d: d[0])
        detectable = Detectable(
            defect=defect,
            size=size,
            unit="(fraction of runs; the worst-resolved method)",
            power=threshold.power,
            method=f"exact binomial over all outcomes at {trials} runs and the per-method level {level:.4f}",
        )
    summary = f"goal reached within {budget:,.0f} frames: " + "; ".join(
        f"{d['method']} {d.get('successes', 0)}/{d['runs']} ({d['verdict']})" for d in details
    )
    return CheckResult(all_of(verdicts), value, low, high, summary, details, detectable)
