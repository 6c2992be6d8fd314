"""Check of claim B4, a family of two sub-claims about K Gaussian tangents:
- B4a (derived): averaging K forward gradients divides the error by K, E r_K = (n+1)/K: the weighted
  least-squares slope of log E r_K on log K (independent repeats per K, delta-method standard errors) has
  its interval inside -1 +- slope_tolerance;
- B4b (Flügel et al. 2024): orthogonal projection onto the K tangents gives cos(Pa, a) with
  cos^2 ~ Beta(K/2, (n-K)/2) (:func:`benchmarks.forward_gradient.theory.projection_cosine_mean`): per K < n
  the ratio of the mean cosine to its exact value is judged by
  :func:`benchmarks.forward_gradient.rules.ratio_verdict` (simultaneous intervals); cos = 1 exactly at
  K = n; and projection is tested against averaging DIRECTLY (difference of mean cosines) at every K where
  the budget resolves the expected gap (exact projection value minus the measured averaging value, above
  (z + z_power) x se); elsewhere the two are listed as indistinguishable (at K = 1 they are identical).
Verdict: :func:`benchmarks.verdicts.family` of B4a and B4b (B4b = all of its parts).
Power: the smallest shortfall of the projection's cosine (x (1 - eps) at every K < n) read
``not reproduced`` with probability ``power``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from benchmarks import stats as st
from benchmarks.claims import CheckResult, Detectable
from benchmarks.forward_gradient import theory
from benchmarks.forward_gradient.rules import NOT_RESOLVABLE, RESOLVABLE, exact_verdict, ratio_rejects, ratio_verdict
from benchmarks.forward_gradient.summaries import scalars
from benchmarks.forward_gradient.thresholds import KTangentsThreshold
from benchmarks.verdicts import INCONCLUSIVE, NOT_REPRODUCED, REPRODUCED, all_of, band_verdict, family

SIMULATIONS = 2000
MEASURES = ["samples", "cosine_mean", "cosine_var", "sq_error_ratio_mean", "sq_error_ratio_var"]


def k_table(table: pd.DataFrame) -> pd.DataFrame:
    """One row per (method, n, K) with the summary measures."""
    return scalars(table, MEASURES, ["method", "dim", "k"])


def averaging_slope(frame: pd.DataFrame, th: KTangentsThreshold) -> dict:
    """B4a: slope, interval, verdict, and the per-K ratios to (n+1)/K."""
    mean = frame[frame["method"] == "mean"]
    y = np.log(mean["sq_error_ratio_mean"].to_numpy())
    se = np.sqrt(mean["sq_error_ratio_var"].to_numpy() / mean["samples"].to_numpy()) / mean["sq_error_ratio_mean"]
    slope, slope_se = st.wls_slope(np.log(mean["k"].to_numpy(float)), y, se.to_numpy())
    half = st.z_value(th.confidence) * slope_se
    verdict = band_verdict(slope - half, slope + half, th.slope - th.slope_tolerance, th.slope + th.slope_tolerance)
    ratios = mean["sq_error_ratio_mean"] * mean["k"] / (mean["dim"] + 1.0)
    return {
        "part": "B4a averaging slope",
        "slope": slope,
        "ci_low": slope - half,
        "ci_high": slope + half,
        "ratio_to_theory_by_k": dict(zip(mean["k"].astype(int), ratios.round(4), strict=True)),
        "verdict": verdict,
    }


def projection_rows(frame: pd.DataFrame, th: KTangentsThreshold) -> pd.DataFrame:
    """B4b: per K, the projection cosine against the exact law and against averaging."""
    proj = frame[frame["method"] == "projection"].set_index(["dim", "k"])
    mean = frame[frame["method"] == "mean"].set_index(["dim", "k"])
    rows = []
    for (dim, k), p in proj.iterrows():
        exact = theory.projection_cosine_mean(int(k), int(dim))
        row = {
            "dim": int(dim),
            "k": int(k),
            "exact": exact,
            "samples": int(p["samples"]),
            "ratio": p["cosine_mean"] / exact,
            "se": np.sqrt(p["cosine_var"] / p["samples"]) / exact,
            "projection_cosine": p["cosine_mean"],
            "degenerate": k >= dim,
        }
        if (dim, k) in mean.index:
            m = mean.loc[(dim, k)]
            row |= {
                "mean_cosine": m["cosine_mean"],
                "difference": p["cosine_mean"] - m["cosine_mean"],
                "difference_se": np.sqrt(p["cosine_var"] / p["samples"] + m["cosine_var"] / m["samples"]),
                "expected_gap": exact - m["cosine_mean"],
            }
        rows.append(row)
    out = pd.DataFrame(rows)
    live = ~out["degenerate"]
    comparisons = int(live.sum()) + int(out.get("difference", pd.Series(dtype=float)).notna().sum())
    z = st.z_value(st.simultaneous_confidence(th.confidence, comparisons))
    out["level_z"] = z
    out["ci_low"], out["ci_high"] = out["ratio"] - z * out["se"], out["ratio"] + z * out["se"]
    out["law_verdict"] = [
        exact_verdict(r.ratio, r.se * np.sqrt(r.samples), th.exact_tolerance)
        if r.degenerate
        else ratio_verdict(r.ci_low, r.ci_high, th.cosine_tolerance)
        for r in out.itertuples()
    ]
    if "difference" in out:
        out["diff_low"] = out["difference"] - z * out["difference_se"]
        out["diff_high"] = out["difference"] + z * out["difference_se"]
        needed = (z + stats.norm.ppf(th.power)) * out["difference_se"]
        out["status"] = np.where(out["expected_gap"] > needed, RESOLVABLE, "indistinguishable at this budget")
        out["vs_averaging_verdict"] = [
            NOT_REPRODUCED
            if r.diff_high < 0
            else (REPRODUCED if r.diff_low > 0 else INCONCLUSIVE)
            if r.status == RESOLVABLE
            else NOT_RESOLVABLE
            for r in out.itertuples()
        ]
    return out


def detectable_shortfall(rows: pd.DataFrame, th: KTangentsThreshold) -> Detectable:
    """Smallest projection-cosine shortfall read ``not reproduced`` with probability ``th.power``."""
    live = rows[~rows["degenerate"]]
    se, z = live["se"].to_numpy(), float(rows["level_z"].iloc[0])
    noise = np.random.default_rng(2468).standard_normal((SIMULATIONS, len(live)))

    def rate(eps: float) -> float:
        ratio = (1.0 - eps) * (1.0 + noise * se)
        return float(np.mean(ratio_rejects(ratio - z * (1 - eps) * se, ratio + z * (1 - eps) * se).any(axis=1)))

    return Detectable(
        defect="projection falls short of the exact cosine law: cos x (1 - eps) at every K < n",
        size=st.smallest_detectable(rate, 0.5, th.power),
        unit="fraction of the exact E cos",
        power=th.power,
        method=f"the per-K law rule simulated {SIMULATIONS} times from the measured standard errors, bisection on eps",
    )


def check_k_tangents(tables: dict[str, pd.DataFrame], th: KTangentsThreshold) -> CheckResult:
    """B4 (module docstring)."""
    frame = k_table(tables["projection"])
    slope = averaging_slope(frame, th)
    rows = projection_rows(frame, th)
    projection_parts = [*rows["law_verdict"]]
    if "vs_averaging_verdict" in rows:
        projection_parts += [v for v in rows["vs_averaging_verdict"] if v != NOT_RESOLVABLE]
    b4b = all_of(projection_parts)
    verdict = family([slope["verdict"], b4b])
    judged = rows[rows.get("status", pd.Series("", index=rows.index)) == RESOLVABLE]
    same = rows[rows.get("status", pd.Series("", index=rows.index)) != RESOLVABLE]
    live = rows[~rows["degenerate"]]
    summary = (
        f"B4a {slope['verdict']}: averaging slope {slope['slope']:.4f} [{slope['ci_low']:.4f}, "
        f"{slope['ci_high']:.4f}]; B4b {b4b}: projection cos / exact law in [{live['ratio'].min():.4f}, "
        f"{live['ratio'].max():.4f}] over K < n; projection beats averaging at "
        f"{int((rows.get('vs_averaging_verdict', pd.Series(dtype=str)) == REPRODUCED).sum())} of {len(judged)} "
        f"resolvable K; indistinguishable at K in {{{', '.join(str(k) for k in same['k'])}}}"
    )
    details = [{"part": "sub-claim B4a", "verdict": slope["verdict"]}, {"part": "sub-claim B4b", "verdict": b4b}]
    details += [slope] + [{"part": "B4b projection"} | r for r in rows.to_dict("records")]
    return CheckResult(
        verdict, slope["slope"], slope["ci_low"], slope["ci_high"], summary, details, detectable_shortfall(rows, th)
    )
