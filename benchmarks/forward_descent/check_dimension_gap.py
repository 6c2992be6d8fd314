"""Check of claim B2 (Belouze 2022: optimisation in high dimension is hard with forward gradients; his
benchmark shows the forward-gradient optimizers falling behind their true-gradient twins).

Measured form: per dimension n, the success rate of every run with the true gradient (backprop) minus that
of every run with the protocol's forward gradient (Rademacher tangents), pooled over the optimizers,
functions, starts and repeats: gap(n). The claim reproduces when gap(n_max) and the growth
gap(n_max) - gap(n_min) both have their intervals inside [minimum_gap, 1].

Intervals: percentile bootstrap at the threshold's confidence, resampling the starts within each function
(a start carries all of its runs, true and forward, over every optimizer and repeat, so the pairing and
the correlation between repeats from one start are kept), independently per n. Power: the smallest
shortfall d of the growth below the band edge (a true growth of minimum_gap - d) read ``not reproduced``
with probability ``power``, from the bootstrap standard error: d = (z_(1+c)/2 + z_power) se.

Tangent choice (evidence for B1 in the same protocol): success rates per tangent law and the median over
problems of the evaluations ratio to Gaussian tangents, in the details (reported, not judged: B1 is judged
in study ``forward_gradient``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from benchmarks import stats as st
from benchmarks.claims import CheckResult, Detectable
from benchmarks.forward_descent.outcomes import protocol_runs, solver_matrix
from benchmarks.forward_descent.params import PROTOCOL_DISTRIBUTION
from benchmarks.forward_descent.thresholds import DimensionGapThreshold
from benchmarks.proportions import wilson
from benchmarks.verdicts import INCONCLUSIVE, all_of, band_verdict

MIN_REPLICATES = 4000


def _clusters(runs: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per (task, start) of one dimension: successes and runs, true and forward gradient ([tasks, starts])."""
    true = runs[runs["method"] == "backprop"]
    forward = runs[(runs["method"] == "forward") & (runs["distribution"] == PROTOCOL_DISTRIBUTION)]
    out = {}
    for name, part in (("true", true), ("forward", forward)):
        grouped = part.groupby(["task", "start"])["solved"]
        for stat, fn in (("s", "sum"), ("n", "count")):
            wide = grouped.agg(fn).unstack("start").sort_index()
            out[f"{name}_{stat}"] = wide.to_numpy(dtype=float)
    return out


def gap_replicates(runs: pd.DataFrame, replicates: int, rng: np.random.Generator) -> tuple[float, np.ndarray]:
    """gap(n) of one dimension's runs and its bootstrap replicates (starts resampled within each task)."""
    counts = _clusters(runs)
    tasks, starts = counts["true_s"].shape
    point = counts["true_s"].sum() / counts["true_n"].sum() - counts["forward_s"].sum() / counts["forward_n"].sum()
    drawn = rng.integers(0, starts, (replicates, tasks, starts))
    rows = np.arange(tasks)[None, :, None]
    sums = {k: v[rows, drawn].sum(axis=(1, 2)) for k, v in counts.items()}
    return float(point), sums["true_s"] / sums["true_n"] - sums["forward_s"] / sums["forward_n"]


def success_rates(runs: pd.DataFrame, th: DimensionGapThreshold) -> pd.DataFrame:
    """Per (dim, method, distribution, optimizer or 'all'): runs, successes, rate, Wilson interval."""
    rows = []
    for keys, group in runs.groupby(["dim", "method", "distribution"], sort=True):
        for optimizer, part in [("all", group), *group.groupby("optimizer", sort=True)]:
            s, n = float(part["solved"].sum()), len(part)
            low, high = wilson(np.array(s), np.array(n), th.confidence)
            rows.append(
                dict(zip(["dim", "method", "distribution"], keys, strict=True))
                | {
                    "optimizer": optimizer,
                    "runs": n,
                    "solved": s,
                    "rate": s / n,
                    "low": float(low),
                    "high": float(high),
                }
            )
    return pd.DataFrame(rows)


def tangent_choice(runs: pd.DataFrame) -> pd.DataFrame:
    """Per (dim, law): the median over problems (task, start, optimizer) solved by both laws of the ratio
    of median evaluations to Gaussian tangents (B1's iterations, in Belouze's protocol)."""
    forward = runs[runs["method"] == "forward"]
    rows = []
    for dim, part in forward.groupby("dim", sort=True):
        matrix, solvers = solver_matrix(part, ["task", "start", "optimizer"], ["distribution"], "evaluations", np.inf)
        if "gaussian" not in matrix.columns:
            continue
        for law in matrix.columns:
            both = np.isfinite(matrix[law]) & np.isfinite(matrix["gaussian"])
            ratio = (matrix[law][both] / matrix["gaussian"][both]).to_numpy()
            rows.append(
                {
                    "dim": int(dim),
                    "distribution": law,
                    "problems": int(both.sum()),
                    "median_evaluations_ratio": float(np.median(ratio)) if ratio.size else np.nan,
                }
            )
    return pd.DataFrame(rows)


def gap_by_dimension(runs: pd.DataFrame, th: DimensionGapThreshold) -> tuple[pd.DataFrame, dict[int, np.ndarray]]:
    """Per dim: gap with its bootstrap interval; and the replicates per dim."""
    replicates = max(MIN_REPLICATES, st.bootstrap_replicates_needed(th.confidence))
    rng = np.random.default_rng(2209)
    rows, boots = [], {}
    for dim, part in runs.groupby("dim", sort=True):
        point, boot = gap_replicates(part, replicates, rng)
        low, high = st.percentile_ci(boot, th.confidence)
        boots[int(dim)] = boot
        rows.append({"dim": int(dim), "gap": point, "ci_low": low, "ci_high": high, "se": float(np.std(boot, ddof=1))})
    return pd.DataFrame(rows), boots


def check_dimension_gap(tables: dict[str, pd.DataFrame], th: DimensionGapThreshold) -> CheckResult:
    """B2 (module docstring)."""
    runs = protocol_runs(tables["protocol"])
    gaps, boots = gap_by_dimension(runs, th)
    details = [{"part": "gap"} | r for r in gaps.to_dict("records")]
    details += [{"part": "success"} | r for r in success_rates(runs, th).to_dict("records")]
    details += [{"part": "tangent_choice"} | r for r in tangent_choice(runs).to_dict("records")]
    if len(gaps) < 2:
        return CheckResult(INCONCLUSIVE, np.nan, np.nan, np.nan, "needs at least two dimensions", details)
    first, last = int(gaps["dim"].min()), int(gaps["dim"].max())
    growth = boots[last] - boots[first]
    value = float(gaps["gap"].iloc[-1] - gaps["gap"].iloc[0])
    low, high = st.percentile_ci(growth, th.confidence)
    top = gaps.iloc[-1]
    verdict = all_of(
        [
            band_verdict(low, high, th.minimum_gap, 1.0),
            band_verdict(float(top.ci_low), float(top.ci_high), th.minimum_gap, 1.0),
        ]
    )
    se = float(np.std(growth, ddof=1))
    detectable = Detectable(
        defect="the gap does not grow enough: a true growth of the success-rate gap of minimum_gap - d",
        size=(st.z_value(th.confidence) + float(stats.norm.ppf(th.power))) * se,
        unit="absolute success rate",
        power=th.power,
        method="normal approximation with the bootstrap standard error of the growth",
    )
    summary = (
        f"success-rate gap true - forward gradient ({PROTOCOL_DISTRIBUTION} tangents): "
        + ", ".join(f"n={r.dim}: {r.gap:+.3f} [{r.ci_low:+.3f}, {r.ci_high:+.3f}]" for r in gaps.itertuples())
        + f"; growth n={first} -> {last}: {value:+.3f} [{low:+.3f}, {high:+.3f}]"
    )
    return CheckResult(verdict, value, float(low), float(high), summary, details, detectable)
