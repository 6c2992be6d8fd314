"""Check of claim F1 (Baydin et al. 2022, Theorem 1: E[(grad f . v) v] = grad f for E[v v'] = I).

Per estimator configuration (task, n, tangent law), from the tables alone:
- omnibus test: T = S d' Sigma^+ d ~ chi-square(rank Sigma) for the mean error vector d over S samples and
  the KNOWN covariance Sigma of one sample (:func:`benchmarks.forward_gradient.theory.covariance`); a
  component of d outside Sigma's support cannot occur under the claim and rejects outright;
- the component along grad f: mean of g . a / ||a||^2 - 1, one-sample t-test (zero spread decided exactly);
- pooled over configurations: the inverse-variance weighted bias along grad f, z-tested against 0 and
  its interval held to the band +-``bias_band``;
- the K-slope: log-log slope of the RMS relative error of the K-sample mean vs K (-1/2 without bias), with
  a bootstrap that resamples whole blocks of max(K) samples (every K reuses the same samples) and enough
  replicates for the simultaneous level (25 per tail).
All tests form one Holm family at ``alpha``. Power: the smallest bias along grad f (E g = (1 + delta) a in
every configuration) that makes the rule read ``not reproduced`` with probability ``power``, simulated
from the measured variances.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from benchmarks import stats as st
from benchmarks.claims import CheckResult, Detectable
from benchmarks.forward_gradient import theory
from benchmarks.forward_gradient.summaries import CONFIG, block_sums, scalars, vectors
from benchmarks.forward_gradient.thresholds import UnbiasedThreshold
from benchmarks.verdicts import NOT_REPRODUCED, all_of, band_verdict

SIMULATIONS = 2000


def bias_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per configuration: S, bias along grad f and its variance, omnibus statistic, rank, support flag."""
    frame = scalars(table, ["samples", "along_error_mean", "along_error_var"], CONFIG)
    grads, errors = vectors(table, "grad", CONFIG), vectors(table, "coord_mean_error", CONFIG)
    omnibus = []
    for row in frame.itertuples(index=False):
        key = (row.task, row.dim, row.distribution)
        cov = theory.covariance(row.distribution, grads[key])
        omnibus.append(theory.omnibus_statistic(cov, errors[key], int(row.samples)))
    frame["omnibus"], frame["rank"], frame["outside_support"] = (list(column) for column in zip(*omnibus, strict=True))
    return frame


def pooled_bias(bias: np.ndarray, variance: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverse-variance weighted bias over configurations (last axis) and its standard error; zero-spread
    configurations are left out (their own test decides them exactly)."""
    weights = np.where(variance > 0, count / np.where(variance > 0, variance, 1.0), 0.0)
    total = weights.sum(axis=-1)
    return (weights * bias).sum(axis=-1) / total, 1.0 / np.sqrt(total)


def bias_rule(
    bias: np.ndarray, variance: np.ndarray, count: np.ndarray, omnibus_p: np.ndarray, th: UnbiasedThreshold
) -> dict[str, np.ndarray]:
    """The bias part of F1, vectorised over leading axes (replicates): Holm over the omnibus, along-gradient
    and pooled tests; the pooled interval against the band."""
    along_p = st.t_test_p_values(bias, np.sqrt(variance), count)
    pooled, se = pooled_bias(bias, variance, count)
    pooled, se = np.asarray(pooled), np.asarray(se)
    pooled_p = st.normal_p_values(pooled, se)
    family = np.concatenate([omnibus_p, along_p, pooled_p[..., None]], axis=-1)
    rejected = st.holm_reject(family, th.alpha)
    half = st.z_value(th.confidence) * se
    return {
        "rejected": rejected,
        "any_rejected": rejected.any(axis=-1),
        "pooled": pooled,
        "low": pooled - half,
        "high": pooled + half,
        "outside_band": (pooled - half > th.bias_band) | (pooled + half < -th.bias_band),
    }


def slope_rows(table: pd.DataFrame, th: UnbiasedThreshold) -> list[dict]:
    """Per configuration: the K-slope, its simultaneous block-bootstrap interval and band verdict."""
    sums = block_sums(table)
    level = st.simultaneous_confidence(th.confidence, len(sums))
    n_boot = st.bootstrap_replicates_needed(level)
    rng = np.random.default_rng(0)
    rows = []
    for key, (ks, block) in sums.items():
        slope, boot = st.block_bootstrap_slope(np.log(ks), block, ks[-1] / ks, n_boot, rng)
        low, high = st.percentile_ci(boot, level)
        verdict = band_verdict(low, high, th.slope - th.slope_tolerance, th.slope + th.slope_tolerance)
        rows.append(
            dict(zip(CONFIG, key, strict=True))
            | {
                "part": "K-slope",
                "slope": slope,
                "ci_low": low,
                "ci_high": high,
                "blocks": block.shape[0],
                "replicates": n_boot,
                "verdict": verdict,
            }
        )
    return rows


def detectable_bias(summary: pd.DataFrame, th: UnbiasedThreshold) -> Detectable:
    """Smallest bias along grad f detected with probability ``th.power`` (module docstring)."""
    rng = np.random.default_rng(12345)
    count = summary["samples"].to_numpy(float)
    variance = summary["along_error_var"].to_numpy(float)
    rank = summary["rank"].to_numpy(float)
    se = np.sqrt(variance / count)
    noise = rng.standard_normal((SIMULATIONS, len(summary)))
    rest = rng.chisquare(np.maximum(rank - 1, 1), (SIMULATIONS, len(summary))) * (rank > 1)

    def rate(delta: float) -> float:
        bias = delta + noise * se
        t = np.where(se > 0, bias / np.where(se > 0, se, 1.0), 0.0)
        omnibus_p = stats.chi2.sf(t * t + rest, rank)
        result = bias_rule(bias, variance, count, omnibus_p, th)
        return float(np.mean(result["any_rejected"] | result["outside_band"]))

    size = st.smallest_detectable(rate, 0.5, th.power)
    return Detectable(
        defect="bias along grad f in every configuration (E g = (1 + delta) grad f)",
        size=size,
        unit="fraction of ||grad f||",
        power=th.power,
        method=f"the bias rule simulated {SIMULATIONS} times from the measured per-configuration variances "
        "(omnibus statistic = along-gradient part + independent chi-square rest), bisection on delta",
    )


def check_unbiased(tables: dict[str, pd.DataFrame], th: UnbiasedThreshold) -> CheckResult:
    """F1 (module docstring)."""
    table = tables["estimator"]
    summary = bias_summary(table)
    omnibus_p = st.chi2_omnibus_p(summary["omnibus"], summary["rank"], summary["outside_support"].to_numpy(bool))
    count = summary["samples"].to_numpy(float)
    bias, variance = summary["along_error_mean"].to_numpy(float), summary["along_error_var"].to_numpy(float)
    result = bias_rule(bias, variance, count, omnibus_p, th)
    configs = len(summary)
    rejected = result["rejected"]
    details = []
    for i, row in enumerate(summary.itertuples(index=False)):
        details.append(
            {
                "part": "bias tests",
                "task": row.task,
                "dim": int(row.dim),
                "distribution": row.distribution,
                "samples": int(row.samples),
                "omnibus_T": row.omnibus,
                "rank": int(row.rank),
                "omnibus_p": float(omnibus_p[i]),
                "omnibus_rejected": bool(rejected[i]),
                "bias_along_grad": float(bias[i]),
                "bias_se": float(np.sqrt(variance[i] / count[i])),
                "along_rejected": bool(rejected[configs + i]),
            }
        )
    pooled_verdict = band_verdict(float(result["low"]), float(result["high"]), -th.bias_band, th.bias_band)
    details.append(
        {
            "part": "pooled bias along grad f",
            "value": float(result["pooled"]),
            "ci_low": float(result["low"]),
            "ci_high": float(result["high"]),
            "pooled_rejected": bool(rejected[-1]),
            "verdict": pooled_verdict,
        }
    )
    slopes = slope_rows(table, th)
    details.extend(slopes)
    n_rejected = int(rejected.sum())
    verdict = NOT_REPRODUCED if n_rejected else all_of([pooled_verdict, *(r["verdict"] for r in slopes)])
    slope_values = [r["slope"] for r in slopes]
    summary_text = (
        f"{n_rejected} of {rejected.size} bias tests rejected (Holm, FWER {th.alpha:g}); pooled bias along grad f "
        f"{float(result['pooled']):+.4f} [{float(result['low']):+.4f}, {float(result['high']):+.4f}] of ||grad f||; "
        f"K-slopes in [{min(slope_values):.3f}, {max(slope_values):.3f}] over {configs} configurations, "
        f"{sum(r['verdict'] == 'reproduced' for r in slopes)} with intervals inside the band"
    )
    return CheckResult(
        verdict,
        float(result["pooled"]),
        float(result["low"]),
        float(result["high"]),
        summary_text,
        details,
        detectable_bias(summary, th),
    )
