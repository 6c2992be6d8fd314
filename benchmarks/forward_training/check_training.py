"""Checks of the training claims about Baydin et al. 2022 (arXiv 2202.08587): F5 (training up to twice as
fast at the same learning rate), F6 (comparable loss at the same learning rate) and the counter-claim F7
(with each method at its own tuned rate, backprop needs 2-4x fewer iterations).

F5, a family, on the judged model of ``same_lr``: the paired runs' wall-clock seconds to the target
training loss (a run that never reaches it is censored at its final seconds; a diverged run at the time it
stopped), ratio of Kaplan-Meier medians FG/BP with the censoring-aware paired-bootstrap interval of
:func:`benchmarks.forward_training.summaries.censored_ratio`; F5a: inside (0, weak]; F5b: inside
(0, strong]. Power: :func:`benchmarks.survival.detectable_ratio` for the strong band (the smallest true
ratio the rule reads ``not reproduced`` with probability ``power``; where some run of the inflated method is
censored, inflated times are re-censored at its largest time, since wall-clock budgets differ from run to
run), reported as its excess over the band.

F6 on the judged model: per pair the final training-loss ratio and the final test-loss ratio FG/BP; the
geometric mean of each with a t-interval on the log ratios (Bonferroni over the two) must lie inside
(0, high]; a diverged forward-gradient run refutes. Power: the smallest excess of the true ratio over
``high`` read ``not reproduced`` with probability ``power``: log(high + eps) = log(high) + (t_{level} +
t_{power}) se (central-t approximation), the larger of the two losses' values.

F7 on the ``final`` phase of ``tuned_lr``: iterations to the target, BP over FG, each at its selected rate,
censoring-aware ratio of Kaplan-Meier medians inside (0, high]. Power as F5's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from benchmarks.claims import CheckResult, Detectable
from benchmarks.forward_training.summaries import SEED, censored_ratio, paired, run_outcomes, times
from benchmarks.forward_training.thresholds import LossRatio, SpeedupRatio, TunedIterationRatio
from benchmarks.stats import simultaneous_confidence
from benchmarks.survival import detectable_ratio
from benchmarks.verdicts import INCONCLUSIVE, NOT_REPRODUCED, all_of, band_verdict, family


def judged_runs(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """(FG runs, BP runs, task) of the judged model of ``same_lr``, paired by seed."""
    outcomes = run_outcomes(table)
    judged = outcomes[outcomes["judged"] > 0.5]
    task = table.loc[table["model"] == judged["model"].iloc[0], "task"].iloc[0] if len(judged) else "?"
    fg, bp = paired(judged)
    return fg, bp, task


def _detectable_excess(a: tuple, b: tuple, band: float, confidence: float, power: float) -> float:
    # runs are censored at their own budgets (wall-clock differs run to run): re-censor at the largest time of A
    # when some run of A is censored; with none censored the data show no budget and nothing is re-censored
    budget = None if bool(np.all(a[1])) else float(np.max(a[0]))
    result = detectable_ratio(*a, *b, band, confidence, np.random.default_rng(SEED), power, budget=budget)
    return float(result.ratio - band) if np.isfinite(result.ratio) else float("inf")


def check_speedup(tables: dict[str, pd.DataFrame], th: SpeedupRatio) -> CheckResult:
    """F5 (module docstring)."""
    fg, bp, task = judged_runs(tables["same_lr"])
    if len(fg) < 2:
        return CheckResult(INCONCLUSIVE, np.nan, np.nan, np.nan, "fewer than two paired runs")
    a, b = times(fg, "seconds_to_target", "final_seconds"), times(bp, "seconds_to_target", "final_seconds")
    ratio = censored_ratio(*a, *b, th.confidence)
    f5a = band_verdict(ratio.low, ratio.high, 0.0, th.weak)
    f5b = band_verdict(ratio.low, ratio.high, 0.0, th.strong)
    target = float(fg["target_loss"].iloc[0])
    summary = (
        f"F5a {f5a}, F5b {f5b}: {task}, seconds to training loss {target:g}, FG/BP {ratio.estimate:.2f} "
        f"[{ratio.low:.2f}, {ratio.high:.2f}] (KM medians {ratio.median_a:.1f} s vs {ratio.median_b:.1f} s; reached "
        f"{int(a[1].sum())}/{len(fg)} FG, {int(b[1].sum())}/{len(bp)} BP)"
    )
    details = [
        {"part": "sub-claim F5a", "verdict": f5a},
        {"part": "sub-claim F5b", "verdict": f5b},
        {
            "task": task,
            "target_loss": target,
            "median_fg_seconds": ratio.median_a,
            "median_bp_seconds": ratio.median_b,
            "fg_reached": int(a[1].sum()),
            "bp_reached": int(b[1].sum()),
            "pairs": len(fg),
        },
    ]
    detectable = Detectable(
        defect=f"forward gradient slower to the target: true FG/BP seconds ratio above {th.strong:g} by",
        size=_detectable_excess(a, b, th.strong, th.confidence, th.power),
        unit="(ratio units)",
        power=th.power,
        method="survival.detectable_ratio: resampled pairs, FG times inflated and re-censored, nested bootstrap",
    )
    return CheckResult(family([f5a, f5b]), ratio.estimate, ratio.low, ratio.high, summary, details, detectable)


def check_losses(tables: dict[str, pd.DataFrame], th: LossRatio) -> CheckResult:
    """F6 (module docstring)."""
    fg, bp, task = judged_runs(tables["same_lr"])
    if len(fg) < 2:
        return CheckResult(INCONCLUSIVE, np.nan, np.nan, np.nan, "fewer than two paired runs")
    level = simultaneous_confidence(th.confidence, 2)
    n = len(fg)
    t_level, t_power = stats.t.ppf(0.5 + level / 2, n - 1), stats.t.ppf(th.power, n - 1)
    parts, details, excess, intervals = [], [], [], {}
    for name, column in (("training", "final_train_loss"), ("test", "final_test_loss")):
        ratio = fg[column].to_numpy(float) / bp[column].to_numpy(float)
        diverged = bool((fg["diverged"] > 0.5).any()) or not np.all(np.isfinite(ratio))
        if diverged:
            parts.append(NOT_REPRODUCED)
            intervals[name] = (np.inf, np.inf, np.inf)
            excess.append(0.0)
            details.append({"loss": name, "verdict": NOT_REPRODUCED, "reason": "a forward-gradient run diverged"})
            continue
        logs = np.log(ratio)
        se = float(np.std(logs, ddof=1) / np.sqrt(n))
        mean = float(np.mean(logs))
        low, high = np.exp(mean - t_level * se), np.exp(mean + t_level * se)
        parts.append(band_verdict(low, high, 0.0, th.high))
        intervals[name] = (float(np.exp(mean)), float(low), float(high))
        excess.append(float(th.high * (np.exp((t_level + t_power) * se) - 1.0)))
        details.append(
            {
                "loss": name,
                "ratio": float(np.exp(mean)),
                "ci_low": low,
                "ci_high": high,
                "verdict": parts[-1],
                "fg_mean": float(fg[column].mean()),
                "bp_mean": float(bp[column].mean()),
            }
        )
    value, low, high = intervals["training"]
    summary = (
        f"{task}: final loss FG/BP "
        + "; ".join(f"{name} {v:.3f} [{lo:.3f}, {hi:.3f}]" for name, (v, lo, hi) in intervals.items())
        + f" over {n} pairs (band <= {th.high:g})"
    )
    detectable = Detectable(
        defect=f"forward-gradient loss higher: true FG/BP loss ratio above {th.high:g} by",
        size=max(excess),
        unit="(ratio units)",
        power=th.power,
        method="central-t approximation on the per-pair log ratios, the less precise of the two losses",
    )
    return CheckResult(all_of(parts), value, low, high, summary, details, detectable)


def check_tuned(tables: dict[str, pd.DataFrame], th: TunedIterationRatio) -> CheckResult:
    """F7 (module docstring)."""
    table = tables["tuned_lr"]
    final = table[table["phase"] == "final"]
    outcomes = run_outcomes(final, ("method", "seed", "lr"))
    fg, bp = paired(outcomes)
    if len(fg) < 2:
        return CheckResult(INCONCLUSIVE, np.nan, np.nan, np.nan, "fewer than two paired runs")
    a, b = times(bp, "iterations_to_target", "budget"), times(fg, "iterations_to_target", "budget")
    ratio = censored_ratio(*a, *b, th.confidence)
    verdict = band_verdict(ratio.low, ratio.high, 0.0, th.high)
    lrs = {"forward_gradient": float(fg["lr"].iloc[0]), "backprop": float(bp["lr"].iloc[0])}
    target = float(fg["target_loss"].iloc[0])
    summary = (
        f"{final['task'].iloc[0]}: iterations to training loss {target:g}, BP/FG {ratio.estimate:.2f} "
        f"[{ratio.low:.2f}, {ratio.high:.2f}] at selected eta_0 BP {lrs['backprop']:g}, FG "
        f"{lrs['forward_gradient']:g} (KM medians {ratio.median_a:g} vs {ratio.median_b:g}; reached "
        f"{int(a[1].sum())}/{len(bp)} BP, {int(b[1].sum())}/{len(fg)} FG)"
    )
    details = [{"selected_lr": lrs, "target_loss": target, "median_bp": ratio.median_a, "median_fg": ratio.median_b}]
    detectable = Detectable(
        defect=f"backprop's advantage smaller than claimed: true BP/FG iterations ratio above {th.high:g} by",
        size=_detectable_excess(a, b, th.high, th.confidence, th.power),
        unit="(ratio units)",
        power=th.power,
        method="survival.detectable_ratio: resampled pairs, BP times inflated and re-censored, nested bootstrap",
    )
    return CheckResult(verdict, ratio.estimate, ratio.low, ratio.high, summary, details, detectable)
