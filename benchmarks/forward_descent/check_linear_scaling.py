"""Check of claim B3 (Belouze 2022: the iterations forward-gradient descent needs grow linearly with the
dimension), on f = 1/2 ||x||^2 with Gaussian tangents and the step 1/(n+2).

Two conditions (all must hold):
- the least-squares slope of log(mean iterations) on log n inside the slope band;
- at every n, mean iterations over the derived first-passage law
  (:func:`benchmarks.forward_descent.theory.first_passage_iterations`) inside 1 +- ratio_tolerance.
Intervals: percentile bootstrap, seeds resampled within each n (independent across n); the ratios at the
simultaneous (Bonferroni) level over the dimensions. A dimension where some run ran out of budget has no
mean and reads inconclusive. The mean-contraction line (n+2) ln(1/eps) is reported beside (it lies above the
first passage by Jensen's inequality). Power: the smallest uniform excess of iterations, every n x (1 + d),
read ``not reproduced`` with probability ``power`` (ratios simulated around the measured ones with their
bootstrap standard errors; bisection on d).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks import stats as st
from benchmarks.claims import CheckResult, Detectable
from benchmarks.forward_descent.theory import first_passage_iterations, mean_contraction_iterations
from benchmarks.forward_descent.thresholds import LinearScalingThreshold
from benchmarks.verdicts import INCONCLUSIVE, NOT_REPRODUCED, all_of, band_verdict

SIMULATIONS = 4000


def scaling_table(table: pd.DataFrame, th: LinearScalingThreshold) -> tuple[pd.DataFrame, np.ndarray, float]:
    """Per n: mean iterations, both theory lines (at the tolerance the experiment recorded), ratio to the
    first-passage law with its simultaneous interval; the bootstrap replicates of the slope; the slope."""
    tolerance = float(table.loc[table["measure"] == "tolerance", "value"].iloc[0])
    it = table[table["measure"] == "iterations"].sort_values(["dim", "step"])
    samples = {int(dim): g["value"].to_numpy() for dim, g in it.groupby("dim", sort=True)}
    dims = np.array(sorted(samples), dtype=float)
    level = st.simultaneous_confidence(th.confidence, len(dims))
    replicates = st.bootstrap_replicates_needed(level)
    rng = np.random.default_rng(2025)
    rows, boot_means = [], []
    for dim in dims.astype(int):
        x = samples[dim]
        complete = bool(np.all(np.isfinite(x)))
        mean = float(np.mean(x)) if complete else np.nan
        boot = (
            x[rng.integers(0, x.size, (replicates, x.size))].mean(axis=1) if complete else np.full(replicates, np.nan)
        )
        boot_means.append(boot)
        law = first_passage_iterations(int(dim), tolerance)
        low, high = st.percentile_ci(boot / law, level) if complete else (np.nan, np.nan)
        rows.append(
            {
                "dim": int(dim),
                "seeds": int(x.size),
                "censored": int(np.sum(~np.isfinite(x))),
                "mean": mean,
                "first_passage_law": law,
                "mean_contraction_line": mean_contraction_iterations(int(dim), tolerance),
                "ratio": mean / law,
                "ratio_se": float(np.std(boot / law, ddof=1)) if complete else np.nan,
                "ci_low": low,
                "ci_high": high,
            }
        )
    frame = pd.DataFrame(rows)
    logs = np.log(np.stack(boot_means))  # [dims, replicates]
    slopes = st.ls_slopes(np.log(dims), logs)
    slope = float(st.ls_slopes(np.log(dims), np.log(frame["mean"].to_numpy())[:, None])[0])
    return frame, slopes, slope


def detectable_excess(frame: pd.DataFrame, th: LinearScalingThreshold) -> Detectable:
    """Smallest uniform excess of iterations (every n x (1 + d)) read ``not reproduced`` with probability
    ``th.power`` by the ratio rule."""
    ratio, se = frame["ratio"].to_numpy(), frame["ratio_se"].to_numpy()
    z = st.z_value(st.simultaneous_confidence(th.confidence, len(frame)))
    noise = np.random.default_rng(777).standard_normal((SIMULATIONS, len(frame)))

    def rate(d: float) -> float:
        sim = (1.0 + d) * (ratio + noise * se)
        return float(np.mean((sim - z * (1.0 + d) * se > 1.0 + th.ratio_tolerance).any(axis=1)))

    size = st.smallest_detectable(rate, 1.0, th.power) if np.all(np.isfinite(se)) else float("nan")
    return Detectable(
        defect="slower descent: mean iterations x (1 + d) at every n",
        size=size,
        unit="fraction of the honest mean iterations",
        power=th.power,
        method=f"the ratio rule simulated {SIMULATIONS} times around the measured ratios and bootstrap standard "
        "errors, bisection on d",
    )


def check_linear_scaling(tables: dict[str, pd.DataFrame], th: LinearScalingThreshold) -> CheckResult:
    """B3 (module docstring)."""
    frame, slopes, slope = scaling_table(tables["dimension"], th)
    details = [{"part": "dimension"} | r for r in frame.to_dict("records")]
    if frame["censored"].any():
        censored = ", ".join(str(d) for d in frame.loc[frame["censored"] > 0, "dim"])
        return CheckResult(INCONCLUSIVE, slope, np.nan, np.nan, f"runs out of budget at n = {censored}", details)
    low, high = st.percentile_ci(slopes, th.confidence)
    parts = [band_verdict(low, high, th.slope - th.slope_tolerance, th.slope + th.slope_tolerance)]
    parts += [
        band_verdict(r.ci_low, r.ci_high, 1.0 - th.ratio_tolerance, 1.0 + th.ratio_tolerance)
        for r in frame.itertuples()
    ]
    verdict = all_of(parts)
    theory = float(
        st.ls_slopes(np.log(frame["dim"].to_numpy(float)), np.log(frame["first_passage_law"].to_numpy())[:, None])[0]
    )
    summary = (
        f"slope of log mean iterations on log n {slope:.3f} [{low:.3f}, {high:.3f}] (first-passage law: "
        f"{theory:.3f}); mean / law per n: "
        + ", ".join(f"n={r.dim}: {r.ratio:.3f} [{r.ci_low:.3f}, {r.ci_high:.3f}]" for r in frame.itertuples())
        + (" (outside the band)" if verdict == NOT_REPRODUCED else "")
    )
    details.append({"part": "slope", "slope": slope, "ci_low": low, "ci_high": high, "first_passage_law_slope": theory})
    return CheckResult(verdict, slope, float(low), float(high), summary, details, detectable_excess(frame, th))
