"""Check of claim B1 (Belouze 2022: constant-norm tangents, Rademacher or the sphere of radius sqrt(n),
give a better forward gradient than Gaussian ones).

Two measurements, judged where the budget resolves the theoretical effect:
- variance: ratio rho = E r(constant norm) / E r(Gaussian) per (task, n), theory (n-1)/(n+1), delta-method
  interval at the simultaneous level over all such ratios. A configuration is judged when the smallest
  reduction detectable at ``power`` ((z + z_power) x se) is below the theoretical 2/(n+1); judged ones
  reproduce when the interval lies below 1. The others are listed as not resolvable;
- iterations of forward-gradient descent on 1/2 ||x||^2 at lr 1/(n+2) (runs that never reach the target
  ranked last): one-sided Mann-Whitney tests both ways, Holm at ``alpha``; a dimension is judged when the
  expected log-ratio |log((n+2)/(n+4))| exceeds (z_Holm + z_power) x the standard error of the difference
  of mean log iterations; value: mean over dimensions of the median-iteration ratio, bootstrap interval.
Any configuration showing constant-norm tangents significantly WORSE refutes, judged or not.
Power: the smallest excess of the constant-norm variance (x (1 + eps) in every configuration) read
``not reproduced`` with probability ``power`` (iterations held as measured).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from benchmarks import stats as st
from benchmarks.claims import CheckResult, Detectable
from benchmarks.forward_gradient import theory
from benchmarks.forward_gradient.rules import NOT_RESOLVABLE, RESOLVABLE
from benchmarks.forward_gradient.summaries import CONFIG, scalars
from benchmarks.forward_gradient.thresholds import TangentChoiceThreshold
from benchmarks.verdicts import INCONCLUSIVE, NOT_REPRODUCED, REPRODUCED, all_of

SIMULATIONS = 2000
BOOTSTRAP = 2000


def variance_ratios(table: pd.DataFrame, th: TangentChoiceThreshold) -> pd.DataFrame:
    """Per (task, n, constant-norm law): rho, se, simultaneous interval, resolvability and verdict."""
    frame = scalars(table, ["samples", "sq_error_ratio_mean", "sq_error_ratio_var"], CONFIG)
    gauss = frame[frame["distribution"] == "gaussian"].set_index(["task", "dim"])
    rows = []
    for r in frame[frame["distribution"].isin(theory.CONSTANT_NORM)].itertuples(index=False):
        if (r.task, r.dim) not in gauss.index:
            continue
        g = gauss.loc[(r.task, r.dim)]
        rho = r.sq_error_ratio_mean / g["sq_error_ratio_mean"]
        rel = r.sq_error_ratio_var / r.samples / r.sq_error_ratio_mean**2
        rel += g["sq_error_ratio_var"] / g["samples"] / g["sq_error_ratio_mean"] ** 2
        rows.append(
            {
                "task": r.task,
                "dim": int(r.dim),
                "distribution": r.distribution,
                "ratio": rho,
                "se": rho * np.sqrt(rel),
                "theory": (r.dim - 1.0) / (r.dim + 1.0),
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    z = st.z_value(st.simultaneous_confidence(th.confidence, len(out)))
    out["ci_low"], out["ci_high"] = out["ratio"] - z * out["se"], out["ratio"] + z * out["se"]
    out["smallest_detectable"] = (z + stats.norm.ppf(th.power)) * out["se"]
    out["status"] = np.where(out["smallest_detectable"] < 1.0 - out["theory"], RESOLVABLE, NOT_RESOLVABLE)
    out["verdict"] = [
        NOT_REPRODUCED
        if r.ci_low > 1.0
        else (REPRODUCED if r.ci_high < 1.0 else INCONCLUSIVE)
        if r.status == RESOLVABLE
        else NOT_RESOLVABLE
        for r in out.itertuples()
    ]
    return out


def _censored(values: np.ndarray) -> np.ndarray:
    """Iterations with runs that never reached the target counted as +inf (ranked last)."""
    return np.where(np.isnan(values), np.inf, values)


def iteration_tests(table: pd.DataFrame, th: TangentChoiceThreshold) -> tuple[pd.DataFrame, np.ndarray]:
    """Per (n, constant-norm law): Mann-Whitney both ways (Holm), median ratio, resolvability, verdict; and
    the bootstrap replicates of the mean median ratio."""
    it = table[table["measure"] == "iterations"]
    rng = np.random.default_rng(0)
    rows, boots = [], []
    for dim, group in it.groupby("dim", sort=True):
        gauss = _censored(group[group["distribution"] == "gaussian"]["value"].to_numpy())
        for dist in theory.CONSTANT_NORM:
            other = _censored(group[group["distribution"] == dist]["value"].to_numpy())
            if other.size == 0 or gauss.size == 0:
                continue
            finite = [np.log(x[np.isfinite(x)]) for x in (other, gauss)]
            se = float(np.sqrt(sum(np.var(x, ddof=1) / x.size if x.size > 1 else np.inf for x in finite)))
            draw = lambda x: np.median(x[rng.integers(0, x.size, (BOOTSTRAP, x.size))], axis=1)  # noqa: E731
            boots.append(draw(other) / draw(gauss))
            rows.append(
                {
                    "task": "isotropic_quadratic",
                    "dim": int(dim),
                    "distribution": dist,
                    "median_ratio": float(np.median(other) / np.median(gauss)),
                    "theory": theory.fgd_iteration_ratio(int(dim)),
                    "log_se": se,
                    "p_fewer": float(stats.mannwhitneyu(other, gauss, alternative="less").pvalue),
                    "p_more": float(stats.mannwhitneyu(other, gauss, alternative="greater").pvalue),
                }
            )
    out = pd.DataFrame(rows)
    if out.empty:
        return out, np.array([])
    out["fewer"] = st.holm_reject(out["p_fewer"].to_numpy(), th.alpha)
    out["more"] = st.holm_reject(out["p_more"].to_numpy(), th.alpha)
    needed = (stats.norm.isf(th.alpha / len(out)) + stats.norm.ppf(th.power)) * out["log_se"]
    out["status"] = np.where(needed < -np.log(out["theory"]), RESOLVABLE, NOT_RESOLVABLE)
    out["verdict"] = [
        NOT_REPRODUCED
        if r.more
        else (REPRODUCED if r.fewer else INCONCLUSIVE)
        if r.status == RESOLVABLE
        else NOT_RESOLVABLE
        for r in out.itertuples()
    ]
    return out, np.mean(boots, axis=0)


def detectable_excess(ratios: pd.DataFrame, th: TangentChoiceThreshold) -> Detectable:
    """Smallest constant-norm variance excess read ``not reproduced`` with probability ``th.power``."""
    se, rho = ratios["se"].to_numpy(), ratios["ratio"].to_numpy()
    z = st.z_value(st.simultaneous_confidence(th.confidence, len(ratios)))
    noise = np.random.default_rng(777).standard_normal((SIMULATIONS, len(ratios)))

    def rate(eps: float) -> float:
        sim = (1.0 + eps) * (rho + noise * se)
        return float(np.mean((sim - z * (1.0 + eps) * se > 1.0).any(axis=1)))

    return Detectable(
        defect="constant-norm tangents worse: their forward-gradient error variance x (1 + eps) in every configuration",
        size=st.smallest_detectable(rate, 10.0, th.power),
        unit="fraction of the honest constant-norm variance",
        power=th.power,
        method=f"the variance rule simulated {SIMULATIONS} times around the measured ratios and standard errors, "
        "bisection on eps (iterations held as measured)",
    )


def check_tangent_choice(tables: dict[str, pd.DataFrame], th: TangentChoiceThreshold) -> CheckResult:
    """B1 (module docstring)."""
    ratios = variance_ratios(tables["estimator"], th)
    iterations, boot = iteration_tests(tables["fgd"], th)
    parts = [v for frame in (ratios, iterations) for v in frame.get("verdict", []) if v != NOT_RESOLVABLE]
    verdict = all_of(parts) if parts else INCONCLUSIVE
    value = float(iterations["median_ratio"].mean()) if len(iterations) else float("nan")
    low, high = st.percentile_ci(boot, th.confidence) if boot.size else (float("nan"), float("nan"))
    judged = (ratios["status"] == RESOLVABLE) if len(ratios) else pd.Series(dtype=bool)
    unresolved = ratios[~judged] if len(ratios) else ratios
    summary = (
        f"variance lower in {int((ratios['verdict'] == REPRODUCED).sum()) if len(ratios) else 0} of "
        f"{int(judged.sum())} resolvable configurations ({len(unresolved)} not resolvable at this budget: "
        + ", ".join(f"{r.task} n={r.dim} {r.distribution}" for r in unresolved.itertuples())
        + f"); iterations fewer in {int((iterations['verdict'] == REPRODUCED).sum()) if len(iterations) else 0} of "
        f"{int((iterations['status'] == RESOLVABLE).sum()) if len(iterations) else 0} resolvable dimensions; "
        f"mean median-iteration ratio {value:.3f}"
    )
    details = [{"part": "variance"} | r for r in ratios.to_dict("records")]
    details += [{"part": "iterations"} | r for r in iterations.to_dict("records")]
    return CheckResult(verdict, value, low, high, summary, details, detectable_excess(ratios, th))
