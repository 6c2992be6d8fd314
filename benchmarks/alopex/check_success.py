"""Success-rate claims: A1 (the Boolean problems), A3 (encoder scaling), A4 (Heaviside units).

Unnikrishnan & Venugopal 1994 report Alopex solving these problems; the suite's bands (A1 >= 90%, A3 and A4
>= 80% of runs) are one-sided: a task passes when its one-sided Clopper-Pearson lower bound, Bonferroni over
the judged tasks, reaches the band, and refutes the claim when its one-sided upper bound falls below it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks.alopex.outcomes import ENCODERS, arrays, method_runs, run_outcomes, tasks_in
from benchmarks.alopex.runs import ALOPEX_94, BACKPROP
from benchmarks.alopex.tasks import weight_count
from benchmarks.alopex.thresholds import SuccessRate
from benchmarks.claims import CheckResult, Detectable
from benchmarks.proportions import rate_at_least, smallest_detectable_shortfall
from benchmarks.stats import simultaneous_confidence
from benchmarks.survival import log_log_slope_ci
from benchmarks.verdicts import all_of


def success_rates(
    outcomes: pd.DataFrame, tasks: list[str], threshold: SuccessRate, method: str = ALOPEX_94
) -> CheckResult:
    """Every task's success rate against ``threshold`` (one-sided, simultaneous over ``tasks``)."""
    if not tasks:
        raise ValueError("no tasks to judge")
    level = simultaneous_confidence(threshold.confidence, len(tasks))
    details, verdicts = [], []
    for task in tasks:
        runs = method_runs(outcomes, task, method)
        successes, trials = int(runs["reached"].sum()), len(runs)
        verdict, low, high = rate_at_least(successes, trials, threshold.band_low, level)
        verdicts.append(verdict)
        details.append(
            {
                "task": task,
                "method": method,
                "successes": successes,
                "runs": trials,
                "rate": successes / trials,
                "lower_bound": low,
                "upper_bound": high,
                "verdict": verdict,
                "median_iterations_solved": float(np.median(runs.loc[runs["reached"], "iterations"]))
                if successes
                else float("nan"),
            }
        )
    worst = min(details, key=lambda d: d["lower_bound"])
    trials = min(d["runs"] for d in details)
    detectable = Detectable(
        defect=f"a task whose true success rate is {threshold.band_low:.0%} minus",
        size=smallest_detectable_shortfall(trials, threshold.band_low, level, threshold.power),
        unit="(fraction of runs)",
        power=threshold.power,
        method=f"exact binomial over all outcomes at {trials} runs and the per-task level {level:.4f}",
    )
    summary = (
        f"{sum(v == 'reproduced' for v in verdicts)}/{len(tasks)} tasks at >= {threshold.band_low:.0%}; lowest "
        f"rate {worst['rate']:.0%} ({worst['task']}, lower bound {worst['lower_bound']:.3f})"
    )
    return CheckResult(
        all_of(verdicts), worst["rate"], worst["lower_bound"], worst["upper_bound"], summary, details, detectable
    )


def check_learns_boolean(tables: dict[str, pd.DataFrame], threshold: SuccessRate) -> CheckResult:
    """A1: Alopex-94 solves every Boolean problem in at least the band's share of runs."""
    outcomes = run_outcomes(tables["learning_time"])
    return success_rates(outcomes, tasks_in(outcomes, ALOPEX_94), threshold)


def check_encoder_scaling(tables: dict[str, pd.DataFrame], threshold: SuccessRate) -> CheckResult:
    """A3: every encoder size solved in at least the band's share of runs; the log-log slope of median
    iterations vs the number of weights, Alopex-94 beside backprop, reported in the details."""
    outcomes = run_outcomes(tables["learning_time"])
    encoders = [task for task in tasks_in(outcomes, ALOPEX_94) if task in ENCODERS]
    result = success_rates(outcomes, encoders, threshold)
    slopes = []
    if len(encoders) >= 2:
        sizes = np.array([weight_count(task) for task in encoders], float)
        rng = np.random.default_rng(0)
        for method in (ALOPEX_94, BACKPROP):
            samples = [arrays(method_runs(outcomes, task, method)) for task in encoders]
            slope = log_log_slope_ci(sizes, samples, threshold.confidence, rng)
            slopes.append({"method": method, "slope": slope.estimate, "low": slope.low, "high": slope.high})
    text = "; ".join(f"{s['method']} slope {s['slope']:.2f} [{s['low']:.2f}, {s['high']:.2f}]" for s in slopes)
    return CheckResult(
        result.verdict,
        result.value,
        result.ci_low,
        result.ci_high,
        f"{result.summary}; log-log slope of median iterations vs weights: {text}",
        [*result.details, *({"slope": s} for s in slopes)],
        result.detectable,
    )


def check_discontinuous(tables: dict[str, pd.DataFrame], threshold: SuccessRate) -> CheckResult:
    """A4: Alopex-94 trains Heaviside nets; backprop's success and gradient norm on them are in the details."""
    table = tables["discontinuous"]
    outcomes = run_outcomes(table)
    result = success_rates(outcomes, tasks_in(outcomes, ALOPEX_94), threshold)
    grad = table[(table["method"] == BACKPROP) & (table["measure"] == "trace_grad_norm")]
    backprop = {
        "backprop_successes": int(outcomes.loc[outcomes["method"] == BACKPROP, "reached"].sum()),
        "backprop_max_gradient_norm": float(grad["value"].abs().max()) if len(grad) else float("nan"),
    }
    return CheckResult(
        result.verdict,
        result.value,
        result.ci_low,
        result.ci_high,
        f"{result.summary}; backprop on the same nets: {backprop['backprop_successes']} runs solved, largest "
        f"gradient norm {backprop['backprop_max_gradient_norm']:g}",
        [*result.details, backprop],
        result.detectable,
    )
