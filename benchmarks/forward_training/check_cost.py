"""Checks of the step-cost claims of Baydin et al. 2022 (arXiv 2202.08587): F4 (a forward-gradient step is
cheaper than a backprop step; their R_f = 2.46 and R_b = 4.17 give t(FG)/t(BP) = 0.59) and F9 (the
speed-up shrinks with depth).

F4, a family: per model, r = median t(fg)/median t(bp) over the paired interleaved rounds of ``step_cost``
(the suite's steps, the paper's tangent law), a percentile bootstrap interval resampling rounds in pairs at
the simultaneous level over the models; F4a: every interval inside (0, weak]; F4b: inside (0, strong]
(:func:`benchmarks.verdicts.band_verdict`, then :func:`~benchmarks.verdicts.all_of` over models, then
:func:`~benchmarks.verdicts.family`). Power: the smallest excess eps of the true ratio over ``strong``, in
every model, that reads F4b ``not reproduced`` with probability ``power``: on the log scale the interval's
lower end sits (z) bootstrap sds below the estimate, so eps = strong (exp((z + z_power) sd) - 1) for the
most precisely measured model (normal approximation of the log ratio).

F9: per depth the ratio's bootstrap replicates (rounds resampled within each depth, depths independent);
the least-squares slope of the ratio on log2(depth) per replicate; reproduced when the percentile interval
lies inside [low, inf), not reproduced when it lies below ``low``. Power: the smallest falling slope
(-eps) read ``not reproduced`` with probability ``power``: eps = (z + z_power) x the slope's bootstrap sd.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from benchmarks.claims import CheckResult, Detectable
from benchmarks.forward_training.summaries import RoundRatio, round_ratio, rounds
from benchmarks.forward_training.thresholds import CostRatio, DepthSlope
from benchmarks.stats import ls_slopes, percentile_ci, simultaneous_confidence, z_value
from benchmarks.verdicts import INCONCLUSIVE, all_of, band_verdict, family

MODEL_ORDER = ("logreg", "mlp", "cnn")


def law_of(table: pd.DataFrame, preferred: str) -> str:
    """The tangent law judged: ``preferred`` when it was timed, else the first one timed."""
    laws = sorted(set(table.loc[table["method"] == "fg", "distribution"]))
    return preferred if preferred in laws else (laws[0] if laws else preferred)


def model_ratios(table: pd.DataFrame, distribution: str) -> dict[str, dict[str, RoundRatio]]:
    """Per model: paired-round ratios fg/bp, fg/forward (R_f), bp/forward (R_b), fg/jvp, fg/minimal_fg,
    bp/minimal_bp, and fg with K tangents over fg with one (where timed)."""
    out: dict[str, dict[str, RoundRatio]] = {}
    present = set(table["model"])
    for model in [m for m in MODEL_ORDER if m in present]:

        def t(method: str, law: str = "none", k: int = 0, model: str = model) -> np.ndarray:
            return rounds(table, method, law, k, model=model)

        fg, bp, forward = t("fg", distribution, 1), t("bp"), t("forward")
        ratios = {"fg/bp": round_ratio(fg, bp), "R_f": round_ratio(fg, forward), "R_b": round_ratio(bp, forward)}
        for name, a, b in (
            ("fg/jvp", fg, t("jvp", distribution, 1)),
            ("fg/minimal_fg", fg, t("minimal_fg", distribution, 1)),
            ("bp/minimal_bp", bp, t("minimal_bp")),
        ):
            if a.size and a.size == b.size:
                ratios[name] = round_ratio(a, b)
        for k in sorted(set(table.loc[(table["model"] == model) & (table["method"] == "fg"), "k"])):
            kk = t("fg", distribution, int(k))
            if k > 1 and kk.size == fg.size:
                ratios[f"fg K={int(k)}/K=1"] = round_ratio(kk, fg)
        out[model] = ratios
    return out


def check_cost(tables: dict[str, pd.DataFrame], th: CostRatio) -> CheckResult:
    """F4 (module docstring)."""
    table = tables["step_cost"]
    law = law_of(table, th.distribution)
    ratios = model_ratios(table, law)
    level = simultaneous_confidence(th.confidence, len(ratios))
    z, z_power = z_value(level), stats.norm.ppf(th.power)
    details, weak, strong, excess = [], [], [], []
    for model, r in ratios.items():
        low, high = r["fg/bp"].interval(level)
        weak.append(band_verdict(low, high, 0.0, th.weak))
        strong.append(band_verdict(low, high, 0.0, th.strong))
        excess.append(th.strong * (np.exp((z + z_power) * r["fg/bp"].log_sd) - 1.0))
        row = {"model": model, "tangents": law, "ratio": r["fg/bp"].estimate, "ci_low": low, "ci_high": high}
        row |= {name: v.estimate for name, v in r.items() if name != "fg/bp"}
        details.append(row | {"F4a": weak[-1], "F4b": strong[-1], "level": level})
    f4a, f4b = all_of(weak), all_of(strong)
    verdict = family([f4a, f4b]) if ratios else INCONCLUSIVE
    main = "mlp" if "mlp" in ratios else next(iter(ratios), None)
    value, low, high = (np.nan, np.nan, np.nan)
    if main is not None:
        value = ratios[main]["fg/bp"].estimate
        low, high = ratios[main]["fg/bp"].interval(level)
    summary = (
        f"F4a {f4a}, F4b {f4b}; t(FG)/t(BP) with {law} tangents: "
        + "; ".join(f"{d['model']} {d['ratio']:.2f} [{d['ci_low']:.2f}, {d['ci_high']:.2f}]" for d in details)
        + f" (paper anchor {th.anchor:g}, FLOP model {th.flop_model:g})"
    )
    details = [{"part": "sub-claim F4a", "verdict": f4a}, {"part": "sub-claim F4b", "verdict": f4b}, *details]
    detectable = Detectable(
        defect=f"forward-gradient step slower than the paper's margin: true t(FG)/t(BP) above {th.strong:g} by",
        size=float(min(excess)) if excess else float("inf"),
        unit="(ratio units, in every model)",
        power=th.power,
        method="normal approximation of the log ratio with the bootstrap sd over paired rounds, most precise model",
    )
    return CheckResult(verdict, value, low, high, summary, details, detectable)


def depth_replicates(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(depths, point ratios t(fg)/t(bp), [replicates, depths] bootstrap ratios), depths independent."""
    depths = np.array(sorted(set(table["depth"])), dtype=int)
    law = law_of(table, "")
    points, reps = [], []
    for i, depth in enumerate(depths):
        r = round_ratio(rounds(table, "fg", law, depth=depth), rounds(table, "bp", depth=depth), seed=1000 + i)
        points.append(r.estimate)
        reps.append(r.replicates)
    return depths, np.array(points), np.column_stack(reps)


def check_depth(tables: dict[str, pd.DataFrame], th: DepthSlope) -> CheckResult:
    """F9 (module docstring)."""
    depths, points, reps = depth_replicates(tables["depth"])
    x = np.log2(depths)
    slope = float(ls_slopes(x, points[:, None])[0])
    slopes = ls_slopes(x, reps.T)
    low, high = percentile_ci(slopes, th.confidence)
    verdict = band_verdict(low, high, th.low, np.inf)
    size = (z_value(th.confidence) + stats.norm.ppf(th.power)) * float(np.std(slopes, ddof=1))
    summary = f"slope of t(FG)/t(BP) per doubling of depth {slope:+.3f} [{low:+.3f}, {high:+.3f}]; ratios " + ", ".join(
        f"{d} layers {p:.2f}" for d, p in zip(depths, points, strict=True)
    )
    details = [{"depth": int(d), "ratio": float(p)} for d, p in zip(depths, points, strict=True)]
    detectable = Detectable(
        defect="t(FG)/t(BP) falling with depth: slope per doubling of depth below 0 by",
        size=size,
        unit="(ratio per doubling of depth)",
        power=th.power,
        method="normal approximation with the slope's bootstrap sd",
    )
    return CheckResult(verdict, slope, low, high, summary, details, detectable)
