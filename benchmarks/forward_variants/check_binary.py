"""Check of claim F11: forward differences along Rademacher tangents optimise a network whose weights are
signs (an extension of Baydin et al. 2022's estimator proposed in the notes this project started from).

Evaluation phase, per run: the final test accuracy of the sign-weight net trained by Rademacher forward
differences and, from the same start and minibatches, by BinaryConnect's straight-through estimator (STE).
The claim holds when the one-sided lower bound (Student t) of the mean forward-difference accuracy is at
least ``accuracy_band``; it is refuted when the one-sided upper bound is below it. Reported beside it: the STE
mean with its interval and the ratio of the two means with a paired percentile bootstrap interval (runs
resampled jointly: they share starts and minibatches).
Power: the shortfall below the band read ``not reproduced`` with probability ``power``, (t + z_power) x the
standard error of the mean.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from benchmarks import stats as st
from benchmarks.claims import CheckResult, Detectable
from benchmarks.forward_variants.thresholds import BinaryThreshold
from benchmarks.verdicts import INCONCLUSIVE, band_verdict

FD, STE = "fd_rademacher", "ste_backprop"
BOOTSTRAP = 4000


def accuracies(table: pd.DataFrame) -> pd.DataFrame:
    """Evaluation-phase final test accuracy per run (rows) and method (columns)."""
    rows = table[(table["phase"] == "evaluation") & (table["measure"] == "final_test_accuracy")]
    return rows.pivot_table(index="run", columns="method", values="value", aggfunc="first").sort_index()


def method_summary(values: np.ndarray, confidence: float) -> dict:
    """Mean, standard error and one-sided bounds at ``confidence`` (Student t)."""
    n = values.size
    mean = float(values.mean())
    se = float(values.std(ddof=1) / np.sqrt(n)) if n > 1 else float("inf")
    t = float(stats.t.ppf(confidence, df=max(n - 1, 1)))
    return {"runs": n, "mean": mean, "se": se, "t": t, "ci_low": mean - t * se, "ci_high": mean + t * se}


def check_binary(tables: dict[str, pd.DataFrame], th: BinaryThreshold) -> CheckResult:
    """F11 (module docstring)."""
    wide = accuracies(tables["binary_net"])
    if FD not in wide:
        return CheckResult(INCONCLUSIVE, np.nan, np.nan, np.nan, "no forward-difference runs")
    fd = method_summary(wide[FD].to_numpy(), th.confidence)
    verdict = band_verdict(fd["ci_low"], min(fd["ci_high"], 1.0), th.accuracy_band, 1.0)
    details = [{"method": FD} | fd]
    ratio_text = ""
    if STE in wide:
        ste = method_summary(wide[STE].to_numpy(), th.confidence)
        paired = wide[[FD, STE]].dropna().to_numpy()
        rng = np.random.default_rng(0)
        draws = paired[rng.integers(0, len(paired), (BOOTSTRAP, len(paired)))]
        boot = draws[..., 0].mean(axis=1) / draws[..., 1].mean(axis=1)
        low, high = st.percentile_ci(boot, th.confidence)
        ratio = float(paired[:, 0].mean() / paired[:, 1].mean())
        details += [{"method": STE} | ste, {"method": "ratio fd/ste", "mean": ratio, "ci_low": low, "ci_high": high}]
        ratio_text = (
            f"; STE baseline {ste['mean']:.3f} [{ste['ci_low']:.3f}, {ste['ci_high']:.3f}]; ratio FD/STE {ratio:.3f} "
            f"[{low:.3f}, {high:.3f}]"
        )
    shortfall = (fd["t"] + stats.norm.ppf(th.power)) * fd["se"]
    summary = (
        f"Rademacher forward differences: mean test accuracy {fd['mean']:.3f} (one-sided bounds "
        f"[{fd['ci_low']:.3f}, {fd['ci_high']:.3f}], {fd['runs']} runs; chance {th.chance:g}, band "
        f">= {th.accuracy_band:g}){ratio_text}"
    )
    detectable = Detectable(
        defect="mean test accuracy of the forward-difference runs below the band",
        size=float(shortfall),
        unit="accuracy below the band",
        power=th.power,
        method="(t_one-sided + z_power) x the standard error of the mean over runs",
    )
    return CheckResult(verdict, fd["mean"], fd["ci_low"], min(fd["ci_high"], 1.0), summary, details, detectable)
