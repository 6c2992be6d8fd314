"""Check of claim B5 (Ren et al. 2023, *Scaling Forward Gradient with Local Losses*, Sec. 3): activity
perturbation gives a forward gradient of far lower variance than weight perturbation, in every layer.

Per (tangent law, layer): rho = mean r (weight) / mean r (activity), r = ||g - grad_W f||^2 / ||grad_W f||^2,
with a delta-method interval on log rho (the two sample means are independent) at the simultaneous level over
all (law, layer) pairs (Bonferroni). Each pair reproduces when its interval lies above ``ratio_band``, refutes
when it lies below; the claim needs every pair (``all_of``). The derived expectations of both (contract
:mod:`implementations.contracts.perturbation`) are reported beside the measured ones.
Power: a defect making activity perturbation noisier, so that its variance is (1 + d) times the weight-
perturbed one (rho = 1 / (1 + d)) on a pair: caught with probability ``power`` when
log(1 + d) >= (z + z_power) x se(log rho) (scaling an estimator's error leaves the relative standard error of
its mean unchanged); the size reported is the largest over pairs (caught on whichever pair it hits).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from benchmarks import stats as st
from benchmarks.claims import CheckResult, Detectable
from benchmarks.forward_variants.thresholds import PerturbationThreshold
from benchmarks.verdicts import INCONCLUSIVE, all_of, band_verdict

MEASURES = ["samples", "sq_error_ratio_mean", "sq_error_ratio_var", "theory", "weights", "units"]


def ratio_rows(table: pd.DataFrame, th: PerturbationThreshold) -> pd.DataFrame:
    """One row per (law, layer): both kinds' mean r with standard errors and theory, rho with its interval,
    verdict and the smallest detectable d."""
    wide = table[table["measure"].isin(MEASURES)].pivot_table(
        index=["distribution", "layer", "method"], columns="measure", values="value", aggfunc="first"
    )
    pairs = sorted({(law, int(layer)) for law, layer, _ in wide.index})
    z = st.z_value(st.simultaneous_confidence(th.confidence, max(1, len(pairs))))
    rows = []
    for law, layer in pairs:
        if (law, layer, "weight") not in wide.index or (law, layer, "activity") not in wide.index:
            continue
        w, a = wide.loc[(law, layer, "weight")], wide.loc[(law, layer, "activity")]
        rel = lambda r: float(np.sqrt(r["sq_error_ratio_var"] / r["samples"]) / r["sq_error_ratio_mean"])  # noqa: E731
        rho = float(w["sq_error_ratio_mean"] / a["sq_error_ratio_mean"])
        se_log = float(np.hypot(rel(w), rel(a)))
        low, high = rho * np.exp(-z * se_log), rho * np.exp(z * se_log)
        rows.append(
            {
                "distribution": law,
                "layer": layer,
                "weights": int(w["weights"]),
                "units": int(w["units"]),
                "weight_mean": float(w["sq_error_ratio_mean"]),
                "weight_se": rel(w) * float(w["sq_error_ratio_mean"]),
                "weight_theory": float(w["theory"]),
                "activity_mean": float(a["sq_error_ratio_mean"]),
                "activity_se": rel(a) * float(a["sq_error_ratio_mean"]),
                "activity_theory": float(a["theory"]),
                "ratio": rho,
                "ratio_theory": float(w["theory"] / a["theory"]),
                "ci_low": low,
                "ci_high": high,
                "se_log": se_log,
                "smallest_detectable": float(np.expm1((z + stats.norm.ppf(th.power)) * se_log)),
                "verdict": band_verdict(low, high, th.ratio_band, np.inf),
            }
        )
    return pd.DataFrame(rows)


def check_perturbation(tables: dict[str, pd.DataFrame], th: PerturbationThreshold) -> CheckResult:
    """B5 (module docstring)."""
    rows = ratio_rows(tables["perturbation"], th)
    if rows.empty:
        return CheckResult(INCONCLUSIVE, np.nan, np.nan, np.nan, "no (law, layer) with both kinds")
    verdict = all_of(rows["verdict"])
    worst = rows.loc[rows["ratio"].idxmin()]
    summary = "; ".join(
        f"{r.distribution} layer {r.layer} ({r.weights} weights, {r.units} units): weight {r.weight_mean:.1f} "
        f"(theory {r.weight_theory:.1f}) / activity {r.activity_mean:.2f} (theory {r.activity_theory:.2f}) = "
        f"{r.ratio:.1f} [{r.ci_low:.1f}, {r.ci_high:.1f}]"
        for r in rows.itertuples()
    )
    detectable = Detectable(
        defect="activity perturbation made noisier until its variance is (1 + d) times the weight-perturbed one "
        "on a layer (ratio 1 / (1 + d))",
        size=float(rows["smallest_detectable"].max()),
        unit="relative excess of the activity-perturbed variance over the weight-perturbed one",
        power=th.power,
        method="log(1 + d) = (z_simultaneous + z_power) x se(log ratio), largest over (law, layer)",
    )
    return CheckResult(
        verdict,
        float(worst["ratio"]),
        float(worst["ci_low"]),
        float(worst["ci_high"]),
        f"smallest ratio {worst['ratio']:.1f} ({worst['distribution']} layer {worst['layer']}); " + summary,
        rows.to_dict("records"),
        detectable,
    )
