"""Check of claim F2, the variance identity of the single-tangent forward gradient (derived here, see
:mod:`benchmarks.forward_gradient.theory`; not stated by Baydin et al. 2022):
E ||g - a||^2 / ||a||^2 = n + 1 (Gaussian), n - 1 (Rademacher, sphere); E|cos(g, a)| exact for Gaussian and
sphere tangents.

Per configuration the measured/theoretical ratio gets a normal interval at the simultaneous level over all
F2 intervals (variance ratios, |cos| ratios and the pooled variance ratio; Bonferroni); each is judged by
:func:`benchmarks.forward_gradient.rules.ratio_verdict` (an identity: an interval excluding 1 refutes; inside
1 +- tolerance reproduces). The pooled ratio (inverse-variance weighted over non-degenerate configurations)
detects a small systematic excess no single configuration resolves. Constant-norm tangents at n = 2 give
r = 1 for every sample: checked exactly. The claim holds only if every part holds (``all_of``).
Power: the smallest systematic variance excess (every non-degenerate configuration's ||g - a||^2 scaled by
1 + eps) read ``not reproduced`` with probability ``power``, simulated from the measured variances; the
per-configuration limits are in the details.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from benchmarks import stats as st
from benchmarks.claims import CheckResult, Detectable
from benchmarks.forward_gradient import theory
from benchmarks.forward_gradient.rules import exact_verdict, ratio_rejects, ratio_verdict
from benchmarks.forward_gradient.summaries import CONFIG, scalars
from benchmarks.forward_gradient.thresholds import VarianceThreshold
from benchmarks.verdicts import all_of

SIMULATIONS = 2000
MEASURES = ["samples", "sq_error_ratio_mean", "sq_error_ratio_var", "abs_cosine_mean", "abs_cosine_var"]


def ratio_table(table: pd.DataFrame, th: VarianceThreshold) -> tuple[pd.DataFrame, dict]:
    """F2's intervals: one row per (configuration, quantity) with ratio, se, interval and verdict, plus the
    pooled variance ratio (the figure draws these same rows)."""
    frame = scalars(table, MEASURES, CONFIG)
    rows = []
    for r in frame.itertuples(index=False):
        theory_var = theory.variance_theory(r.distribution, int(r.dim))
        base = {"task": r.task, "dim": int(r.dim), "distribution": r.distribution, "samples": int(r.samples)}
        rows.append(
            base
            | {
                "quantity": "variance",
                "theory": theory_var,
                "ratio": r.sq_error_ratio_mean / theory_var,
                "se": np.sqrt(r.sq_error_ratio_var / r.samples) / theory_var,
                "degenerate": theory.is_degenerate(r.distribution, int(r.dim)),
            }
        )
        if r.distribution in theory.UNIFORM_DIRECTION:
            exact = theory.abs_cosine_exact(int(r.dim))
            rows.append(
                base
                | {
                    "quantity": "abs_cosine",
                    "theory": exact,
                    "ratio": r.abs_cosine_mean / exact,
                    "se": np.sqrt(r.abs_cosine_var / r.samples) / exact,
                    "degenerate": False,
                }
            )
    ratios = pd.DataFrame(rows)
    live = ~ratios["degenerate"]
    pooled_rows = ratios[live & (ratios["quantity"] == "variance")]
    level = st.simultaneous_confidence(th.confidence, int(live.sum()) + 1)
    z = st.z_value(level)
    ratios["level"] = level
    ratios["ci_low"] = ratios["ratio"] - z * ratios["se"]
    ratios["ci_high"] = ratios["ratio"] + z * ratios["se"]
    ratios["verdict"] = [
        exact_verdict(r.ratio, r.se * np.sqrt(r.samples), th.exact_tolerance)
        if r.degenerate
        else ratio_verdict(r.ci_low, r.ci_high, th.tolerance)
        for r in ratios.itertuples()
    ]
    weights = 1.0 / np.square(pooled_rows["se"].to_numpy())
    value = float(np.sum(weights * pooled_rows["ratio"].to_numpy()) / weights.sum())
    se = float(1.0 / np.sqrt(weights.sum()))
    pooled = {
        "quantity": "pooled variance ratio",
        "ratio": value,
        "se": se,
        "ci_low": value - z * se,
        "ci_high": value + z * se,
        "level": level,
        "configurations": len(pooled_rows),
    }
    pooled["verdict"] = ratio_verdict(pooled["ci_low"], pooled["ci_high"], th.tolerance)
    return ratios, pooled


def detectable_excess(ratios: pd.DataFrame, th: VarianceThreshold) -> Detectable:
    """Smallest systematic variance excess read ``not reproduced`` with probability ``th.power``."""
    rows = ratios[(ratios["quantity"] == "variance") & ~ratios["degenerate"]]
    se = rows["se"].to_numpy()
    z = st.z_value(float(rows["level"].iloc[0]))
    noise = np.random.default_rng(54321).standard_normal((SIMULATIONS, len(rows)))
    weights = 1.0 / np.square(se)

    def rate(eps: float) -> float:
        ratio = (1.0 + eps) * (1.0 + noise * se)
        sim_se = (1.0 + eps) * se
        per_config = ratio_rejects(ratio - z * sim_se, ratio + z * sim_se).any(axis=1)
        pooled = ratio @ weights / weights.sum()
        pooled_se = (1.0 + eps) / np.sqrt(weights.sum())
        return float(np.mean(per_config | ratio_rejects(pooled - z * pooled_se, pooled + z * pooled_se)))

    size = st.smallest_detectable(rate, 1.0, th.power)
    per_config = (z + stats.norm.ppf(th.power)) * se
    return Detectable(
        defect="systematic variance excess (||g - grad f||^2 scaled by 1 + eps in every non-degenerate "
        f"configuration); one configuration alone: {per_config.min():.2%} to {per_config.max():.2%}",
        size=size,
        unit="fraction of the theoretical variance",
        power=th.power,
        method=f"the rule simulated {SIMULATIONS} times from the measured variances, bisection on eps; per "
        "configuration: (z_simultaneous + z_power) x standard error",
    )


def check_variance(tables: dict[str, pd.DataFrame], th: VarianceThreshold) -> CheckResult:
    """F2 (module docstring)."""
    ratios, pooled = ratio_table(tables["estimator"], th)
    verdict = all_of([*ratios["verdict"], pooled["verdict"]])
    live = ratios[~ratios["degenerate"]]
    worst = live.loc[(live["ratio"] - 1.0).abs().idxmax()]
    counts = ratios["verdict"].value_counts().to_dict()
    summary = (
        f"pooled variance/theory {pooled['ratio']:.4f} [{pooled['ci_low']:.4f}, {pooled['ci_high']:.4f}] over "
        f"{pooled['configurations']} configurations; per-quantity verdicts {counts}; farthest from 1: "
        f"{worst['quantity']} {worst['task']} n={worst['dim']} {worst['distribution']} {worst['ratio']:.4f} "
        f"[{worst['ci_low']:.4f}, {worst['ci_high']:.4f}]; {int(ratios['degenerate'].sum())} degenerate "
        "configuration(s) checked exactly"
    )
    details = ratios.to_dict("records") + [pooled]
    return CheckResult(
        verdict,
        pooled["ratio"],
        pooled["ci_low"],
        pooled["ci_high"],
        summary,
        details,
        detectable_excess(ratios, th),
    )
