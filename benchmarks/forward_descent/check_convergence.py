"""Check of claim F3 (Baydin et al. 2022, Sec. 5.1: forward-gradient descent reaches the minima of Beale and
Rosenbrock), a family of two sub-claims, one per function.

Per function, at the paper's learning rate: the number of forward-gradient runs whose final iterate lies
within the threshold's tolerance of the minimiser (non-finite = not converged), judged by
:func:`benchmarks.proportions.rate_at_least` (one-sided exact bounds). The true-gradient runs from the
same starts, every other learning rate and the cost per iteration (cumulative wall-clock of each batch)
are reported in the details. Power: :func:`benchmarks.proportions.smallest_detectable_shortfall`, exact.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks.claims import CheckResult, Detectable
from benchmarks.forward_descent.thresholds import ConvergenceThreshold
from benchmarks.proportions import rate_at_least, smallest_detectable_shortfall
from benchmarks.verdicts import INCONCLUSIVE, family

MEMBERS = {"beale": "F3a", "rosenbrock": "F3b"}


def convergence_rates(table: pd.DataFrame, th: ConvergenceThreshold) -> pd.DataFrame:
    """Per (task, lr, method): runs, converged runs, rate, its one-sided bounds, and seconds per iteration."""
    final = table[table["measure"] == "final_distance"]
    seconds = table[table["measure"] == "seconds"]
    rows = []
    for (task, lr, method), group in final.groupby(["task", "lr", "method"], sort=True):
        converged = int(np.sum(np.isfinite(group["value"]) & (group["value"] <= th.tolerance)))
        verdict, low, high = rate_at_least(converged, len(group), th.rate, th.confidence)
        clock = seconds[(seconds["task"] == task) & (seconds["lr"] == lr) & (seconds["method"] == method)]
        last = clock.loc[clock["step"].idxmax()] if len(clock) else None
        rows.append(
            {
                "task": task,
                "lr": float(lr),
                "method": method,
                "runs": len(group),
                "converged": converged,
                "rate": converged / len(group),
                "low": low,
                "high": high,
                "verdict": verdict,
                "median_distance": float(np.median(group["value"])),
                "seconds_per_iteration": float(last["value"] / last["step"]) if last is not None else np.nan,
            }
        )
    return pd.DataFrame(rows)


def check_convergence(tables: dict[str, pd.DataFrame], th: ConvergenceThreshold) -> CheckResult:
    """F3 (module docstring)."""
    rates = convergence_rates(tables["descent_2d"], th)
    paper = rates[np.isclose(rates["lr"], th.learning_rate)] if len(rates) else rates
    parts, texts, judged = [], [], []
    for function, member in MEMBERS.items():
        forward = paper[(paper["task"] == function) & (paper["method"] == "forward")]
        backprop = paper[(paper["task"] == function) & (paper["method"] == "backprop")]
        if forward.empty:
            parts.append(INCONCLUSIVE)
            texts.append(f"{member} {function}: not run at lr {th.learning_rate:g}")
            continue
        r = forward.iloc[0]
        parts.append(r.verdict)
        judged.append(r)
        bp = f"; true gradient {int(backprop.iloc[0].converged)}/{int(backprop.iloc[0].runs)}" if len(backprop) else ""
        texts.append(
            f"{member} {function}: {r.verdict}, forward gradient {r.converged}/{r.runs} within {th.tolerance:g} "
            f"(one-sided bounds [{r.low:.3f}, {r.high:.3f}]){bp}"
        )
    verdict = family(parts)
    if judged:
        head = judged[0]
        value, low, high = head.rate, head.low, head.high
        size = smallest_detectable_shortfall(int(min(r.runs for r in judged)), th.rate, th.confidence, th.power)
    else:
        value = low = high = size = float("nan")
    speed = rates.pivot_table(index=["task", "lr"], columns="method", values="seconds_per_iteration")
    if {"forward", "backprop"} <= set(speed.columns):
        ratio = (speed["forward"] / speed["backprop"]).median()
        texts.append(f"wall-clock per iteration forward/true gradient (median over configurations): {ratio:.2f}")
    detectable = Detectable(
        defect="convergence rate below the claimed 90%: the true fraction of converging forward-gradient runs is "
        "0.9 - d",
        size=size,
        unit="absolute shortfall of the rate",
        power=th.power,
        method="exact binomial: the rate at which the one-sided upper bound falls below 0.9 with that probability",
    )
    details = [{"part": "convergence"} | row for row in rates.to_dict("records")]
    return CheckResult(verdict, float(value), float(low), float(high), "; ".join(texts), details, detectable)
