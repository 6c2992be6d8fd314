"""Check of claim F10, a family of two sub-claims about the finite-difference forward gradient
``g = ((f(theta + eps v) - f(theta)) / eps) v`` (an extension of Baydin et al. 2022's estimator):

- **F10a** (agreement): on a smooth loss it differs from the JVP forward gradient by O(eps) (forward
  difference) or O(eps^2) (central). Per (task, law, difference) the relative error
  e(eps) = sqrt(sum_i (d_FD,i - d_JVP,i)^2 / sum_i d_JVP,i^2) over the tangents i is fitted by least squares in
  log-log over the eps where it is at most ``max_error`` (higher-order terms small) and at least
  ``rounding_margin`` times the float32 rounding scale eps32 |f| / (eps rms(d_JVP)) (cancellation small);
  the slope gets a percentile bootstrap interval resampling tangents (every eps reuses them), at the
  simultaneous level over configurations. Reproduced inside order x (1 +- ``order_tolerance``); an error
  that never falls to ``max_error`` above the rounding floor refutes; fewer than ``min_points`` fitted
  points is inconclusive.
- **F10b** (discontinuities): a Heaviside net trained by the forward difference reaches a mean final
  training accuracy whose one-sided lower bound (Student t, simultaneous over tasks) is at least
  ``accuracy_band``, while backprop's gradient and the JVP are exactly zero at every recorded step and
  backprop never moves (any non-zero value refutes: the net would not be the claimed kind).

Power: F10a, the smallest scale error of the finite difference (d_FD x (1 + delta)) whose point slope on the
measured data leaves the band by (z + z_power) bootstrap standard errors in some configuration (it puts a
floor delta under the error); F10b, the shortfall below the band detected with ``power`` on every task,
(t + z_power) x the standard error of its mean.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from benchmarks import stats as st
from benchmarks.claims import CheckResult, Detectable
from benchmarks.forward_variants.thresholds import FiniteDifferenceThreshold
from benchmarks.verdicts import INCONCLUSIVE, NOT_REPRODUCED, REPRODUCED, all_of, band_verdict, family

EPS32 = float(np.finfo(np.float32).eps)
KEYS = ["task", "distribution", "derivative"]
FITTED, NO_AGREEMENT, TOO_FEW, ROUNDING = "fitted", "never within max_error", "too few points", "rounding only"
FD_METHOD, BACKPROP = "fd_forward_gradient", "backprop"
GRID = np.geomspace(1e-7, 0.5, 141)
"""Scale errors scanned for the smallest detectable one (then bisected)."""


def configurations(table: pd.DataFrame) -> list[dict]:
    """Per (task, law, difference): eps [E], the differences [E, K], the JVPs [K], the squared errors [E, K]
    and squared JVPs [K], and the rounding scale [E]."""
    dd = table[table["measure"] == "directional_derivative"]
    values = table[table["measure"] == "objective_value"].groupby(["task", "distribution"])["value"].first()
    out = []
    for (task, law), group in dd.groupby(["task", "distribution"], sort=True):
        jvp = group[group["derivative"] == "jvp"].sort_values("step")["value"].to_numpy(np.float64)
        rms = float(np.sqrt(np.mean(jvp**2)))
        for derivative, part in group[group["derivative"] != "jvp"].groupby("derivative", sort=True):
            wide = part.pivot_table(index="epsilon", columns="step", values="value", aggfunc="first")
            wide = wide.sort_index(ascending=False)
            eps = wide.index.to_numpy(np.float64)
            fd = wide.to_numpy(np.float64)
            out.append(
                {
                    "task": task,
                    "distribution": law,
                    "derivative": derivative,
                    "eps": eps,
                    "fd": fd,
                    "jvp": jvp,
                    "sq_diff": np.square(fd - jvp),
                    "sq_jvp": np.square(jvp),
                    "rounding": EPS32 * abs(float(values.loc[(task, law)])) / (eps * rms),
                }
            )
    return out


def _fit(config: dict, th: FiniteDifferenceThreshold) -> dict:
    """Relative errors, the fitted points, status and point slope of one configuration."""
    error = np.sqrt(config["sq_diff"].sum(axis=1) / config["sq_jvp"].sum())
    above = error >= th.rounding_margin * config["rounding"]
    fitted = above & (error <= th.max_error)
    if not above.any():
        status = ROUNDING
    elif error[above].min() > th.max_error:
        status = NO_AGREEMENT
    else:
        status = FITTED if fitted.sum() >= th.min_points else TOO_FEW
    slope = np.nan
    if status == FITTED:
        slope = float(st.ls_slopes(np.log(config["eps"][fitted]), np.log(error[fitted])[:, None])[0])
    return {"error": error, "fitted": fitted, "status": status, "slope": slope}


def slope_rows(table: pd.DataFrame, th: FiniteDifferenceThreshold, seed: int = 0) -> pd.DataFrame:
    """F10a per configuration: status, points fitted, slope, its bootstrap interval and sd, verdict; and the
    errors per eps (for the figure)."""
    configs = configurations(table)
    level = st.simultaneous_confidence(th.confidence, max(1, len(configs)))
    replicates = st.bootstrap_replicates_needed(level)
    rng = np.random.default_rng(seed)
    rows = []
    for config in configs:
        fit = _fit(config, th)
        order = th.order(config["derivative"])
        low, high, sd = np.nan, np.nan, np.nan
        if fit["status"] == FITTED:
            k = config["sq_jvp"].size
            drawn = rng.integers(0, k, (replicates, k)) + k * np.arange(replicates)[:, None]
            counts = np.bincount(drawn.ravel(), minlength=replicates * k).reshape(replicates, k).astype(float)
            mask = fit["fitted"]
            sq_err = (counts @ config["sq_diff"][mask].T) / (counts @ config["sq_jvp"])[:, None]
            boot = st.ls_slopes(np.log(config["eps"][mask]), 0.5 * np.log(sq_err.T))
            low, high = st.percentile_ci(boot, level)
            sd = float(np.std(boot, ddof=1))
            verdict = band_verdict(low, high, order * (1 - th.order_tolerance), order * (1 + th.order_tolerance))
        else:
            verdict = NOT_REPRODUCED if fit["status"] == NO_AGREEMENT else INCONCLUSIVE
        rows.append(
            {
                **{key: config[key] for key in KEYS},
                "order": order,
                "status": fit["status"],
                "points": int(fit["fitted"].sum()),
                "eps_fitted": [float(e) for e in config["eps"][fit["fitted"]]],
                "eps": [float(e) for e in config["eps"]],
                "error": [float(e) for e in fit["error"]],
                "rounding": [float(r) for r in config["rounding"]],
                "slope": fit["slope"],
                "ci_low": low,
                "ci_high": high,
                "slope_sd": sd,
                "level": level,
                "verdict": verdict,
            }
        )
    return pd.DataFrame(rows)


def detectable_scale(table: pd.DataFrame, rows: pd.DataFrame, th: FiniteDifferenceThreshold) -> float:
    """Smallest scale error delta of every finite difference that some configuration reads ``not reproduced``
    with probability ``th.power`` (module docstring); inf if none within the scanned range."""
    fitted = rows[rows["status"] == FITTED]
    if fitted.empty:
        return float("inf")
    z = stats.norm.ppf(1 - (1 - float(fitted["level"].iloc[0])) / 2) + stats.norm.ppf(th.power)
    sd = {tuple(getattr(r, k) for k in KEYS): r.slope_sd for r in fitted.itertuples()}

    configs = configurations(table)

    def caught(scale: float) -> bool:
        for config in configs:
            key = tuple(config[k] for k in KEYS)
            planted = config | {"sq_diff": np.square(config["fd"] * (1.0 + scale) - config["jvp"])}
            fit = _fit(planted, th)
            if fit["status"] == NO_AGREEMENT:
                return True
            if fit["status"] == FITTED and key in sd:
                order = th.order(config["derivative"])
                if fit["slope"] <= order * (1 - th.order_tolerance) - z * sd[key]:
                    return True
        return False

    hits = [s for s in GRID if caught(float(s))]
    if not hits:
        return float("inf")
    high = float(hits[0])
    index = int(np.searchsorted(GRID, high))
    low = float(GRID[index - 1]) if index > 0 else 0.0
    while high - low > 1e-3 * high:
        mid = 0.5 * (low + high)
        low, high = (low, mid) if caught(mid) else (mid, high)
    return high


def step_net_rows(table: pd.DataFrame, th: FiniteDifferenceThreshold) -> tuple[pd.DataFrame, dict]:
    """F10b per task (evaluation phase): mean initial and final training accuracy of the forward-difference
    runs with the one-sided simultaneous bounds, solved fraction, backprop's final accuracy, and the
    smallest detectable shortfall; plus the zero-gradient facts over every run."""
    runs = table[table["step"] == 0]
    evaluation = runs[runs["phase"] == "evaluation"]
    tasks = sorted(evaluation["task"].unique())
    alpha = (1 - th.confidence) / max(1, len(tasks))
    rows = []
    for task in tasks:
        fd = evaluation[(evaluation["task"] == task) & (evaluation["method"] == FD_METHOD)]
        bp = evaluation[(evaluation["task"] == task) & (evaluation["method"] == BACKPROP)]
        final = fd[fd["measure"] == "final_accuracy"]["value"].to_numpy()
        n = final.size
        mean, se = float(final.mean()), float(final.std(ddof=1) / np.sqrt(n)) if n > 1 else np.inf
        t = float(stats.t.ppf(1 - alpha, df=max(n - 1, 1)))
        low, high = mean - t * se, mean + t * se
        rows.append(
            {
                "task": task,
                "runs": n,
                "initial_accuracy": float(fd[fd["measure"] == "initial_accuracy"]["value"].mean()),
                "final_accuracy": mean,
                "ci_low": low,
                "ci_high": high,
                "se": se,
                "solved_fraction": float(np.mean(final == 1.0)),
                "epsilon": float(fd["epsilon"].iloc[0]),
                "lr": float(fd["lr"].iloc[0]),
                "backprop_initial_accuracy": float(bp[bp["measure"] == "initial_accuracy"]["value"].mean()),
                "backprop_final_accuracy": float(bp[bp["measure"] == "final_accuracy"]["value"].mean()),
                "smallest_detectable_shortfall": (t + stats.norm.ppf(th.power)) * se,
                "verdict": band_verdict(low, min(high, 1.0), th.accuracy_band, 1.0),
            }
        )
    bp_runs = runs[runs["method"] == BACKPROP]
    accuracy = bp_runs.pivot_table(index=["task", "run"], columns="measure", values="value", aggfunc="first")
    zero = {
        "max_grad_norm": float(runs[runs["measure"] == "max_grad_norm"]["value"].max()),
        "max_abs_jvp": float(runs[(runs["measure"] == "max_abs_jvp") & (runs["method"] == FD_METHOD)]["value"].max()),
        "backprop_runs_moved": int(bp_runs[bp_runs["measure"] == "moved"]["value"].sum()),
        "backprop_accuracy_changed": int(np.sum(accuracy["final_accuracy"] != accuracy["initial_accuracy"]))
        if len(accuracy)
        else 0,
    }
    zero["verdict"] = REPRODUCED if not any(zero[k] for k in list(zero)) else NOT_REPRODUCED
    return pd.DataFrame(rows), zero


def check_finite_differences(tables: dict[str, pd.DataFrame], th: FiniteDifferenceThreshold) -> CheckResult:
    """F10 (module docstring)."""
    slopes = slope_rows(tables["fd_agreement"], th)
    tasks, zero = step_net_rows(tables["step_net"], th)
    part_a = all_of(slopes["verdict"]) if len(slopes) else INCONCLUSIVE
    part_b = all_of([*tasks["verdict"], zero["verdict"]]) if len(tasks) else INCONCLUSIVE
    verdict = family([part_a, part_b])
    delta = detectable_scale(tables["fd_agreement"], slopes, th)
    shortfall = float(tasks["smallest_detectable_shortfall"].max()) if len(tasks) else float("inf")
    worst = tasks.loc[tasks["final_accuracy"].idxmin()] if len(tasks) else None
    fitted = slopes[slopes["status"] == FITTED]
    slope_text = "; ".join(
        f"{r.task} {r.distribution} {r.derivative} {r.slope:.3f} [{r.ci_low:.3f}, {r.ci_high:.3f}]"
        for r in fitted.itertuples()
    )
    task_text = "; ".join(
        f"{r.task} {r.initial_accuracy:.3f} -> {r.final_accuracy:.3f} (lower bound {r.ci_low:.3f}, solved "
        f"{r.solved_fraction:.0%}; backprop {r.backprop_final_accuracy:.3f})"
        for r in tasks.itertuples()
    )
    summary = (
        f"F10a {part_a}: slopes {slope_text or 'none fitted'}; F10b {part_b}: accuracy {task_text}; max "
        f"||backprop grad|| {zero['max_grad_norm']:g}, max |JVP| {zero['max_abs_jvp']:g}, backprop runs moved "
        f"{zero['backprop_runs_moved']}"
    )
    details = [{"part": "F10a slope"} | r for r in slopes.to_dict("records")]
    details += [{"part": "F10b task"} | r for r in tasks.to_dict("records")]
    details += [
        {"part": "F10b zero gradient"} | zero,
        {"part": "sub-claim F10a", "verdict": part_a, "smallest_detectable_scale_error": delta},
        {"part": "sub-claim F10b", "verdict": part_b, "smallest_detectable_shortfall": shortfall},
    ]
    detectable = Detectable(
        defect="a finite difference off by a factor 1 + delta (wrong scale), which puts a floor delta under its "
        f"error (F10a); F10b: a mean final accuracy {shortfall:.3g} below the band on any task",
        size=delta,
        unit="relative scale error of the finite difference",
        power=th.power,
        method="F10a: the rule re-applied to the measured differences scaled by 1 + delta, caught when a point "
        "slope leaves the band by (z_simultaneous + z_power) bootstrap sd, scan and bisection on delta; F10b: "
        "(t_simultaneous + z_power) x the standard error of the mean",
    )
    value = float(worst["final_accuracy"]) if worst is not None else float("nan")
    low = float(worst["ci_low"]) if worst is not None else float("nan")
    high = min(float(worst["ci_high"]), 1.0) if worst is not None else float("nan")
    return CheckResult(verdict, value, low, high, summary, details, detectable)
