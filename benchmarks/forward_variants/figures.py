"""Figures of the study (``FIGURES``); each reads its bands from the claim objects and draws the numbers the
checks compute (it calls the checks' own functions).

- ``f10a_fd_vs_jvp``: relative error of the finite-difference forward gradient vs eps, log-log, with eps and
  eps^2 reference lines and the points the check fits (F10a);
- ``f10_step_network``: training accuracy of Heaviside nets under the forward difference (mean and 5-95%
  band over runs) and backprop's flat line (F10b);
- ``f11_binary_network``: test accuracy of the sign-weight net, Rademacher forward differences vs STE (F11);
- ``b5_perturbation``: relative variance per layer, weight vs activity perturbation, log scale, with the
  derived expectations (B5).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from benchmarks import plotting as pl
from benchmarks.forward_variants import claims
from benchmarks.forward_variants.check_binary import FD as BINARY_FD
from benchmarks.forward_variants.check_binary import STE, accuracies
from benchmarks.forward_variants.check_finite_differences import BACKPROP, FD_METHOD, slope_rows, step_net_rows
from benchmarks.forward_variants.check_perturbation import ratio_rows
from benchmarks.plotting import FigureSpec

DIFFERENCES = {"fd_forward": "-", "fd_central": "--"}


def _f10a(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    table = tables["fd_agreement"]
    th = claims.F10.threshold
    runs, tasks = pl.runs(table), pl.sorted_unique(table["task"])
    laws = pl.sorted_unique(table["distribution"])
    palette = pl.palette(laws)
    fig = Figure(figsize=(min(pl.MAX_WIDTH, 2.0 + 4.0 * len(runs)), 0.6 + 3.0 * len(tasks)))
    axes = fig.subplots(len(tasks), len(runs), squeeze=False)
    for c, run in enumerate(runs):
        rows = slope_rows(pl.run_rows(table, run), th)
        for r, task in enumerate(tasks):
            ax = axes[r, c]
            for row in rows[rows["task"] == task].itertuples():
                eps, error = np.asarray(row.eps), np.asarray(row.error)
                color, style = palette[row.distribution], DIFFERENCES[row.derivative]
                ax.plot(eps, error, color=color, linestyle=style, linewidth=1.1)
                fitted = np.isin(eps, row.eps_fitted)
                ax.plot(eps[fitted], error[fitted], "o", color=color, markersize=3.5)
                ax.plot(eps[~fitted], error[~fitted], "o", mfc="white", color=color, markersize=3.5)
                if fitted.any():
                    span = eps[fitted]
                    ref = error[fitted][-1] * (span / span[-1]) ** row.order
                    ax.plot(span, ref / 2, color="0.35", linestyle=":", linewidth=1.0, zorder=0)
            ax.axhline(th.max_error, color="0.6", linewidth=0.8)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_title(f"{task}\n{pl.run_label(*run)}", fontsize=8)
            ax.set_xlabel("eps" if r == len(tasks) - 1 else "")
            ax.set_ylabel("||g_FD - g_JVP|| / ||g_JVP||" if c == 0 else "")
    handles = pl.distribution_handles(palette, laws)
    handles += [Line2D([], [], color="0.3", linestyle=s, label=d) for d, s in DIFFERENCES.items()]
    handles += [
        Line2D([], [], color="0.35", linestyle=":", label="eps^1 / eps^2 reference"),
        Line2D([], [], color="0.3", marker="o", linestyle="none", label="fitted"),
        Line2D([], [], color="0.3", marker="o", mfc="white", linestyle="none", label="not fitted"),
    ]
    caption = (
        "Figure f10a_fd_vs_jvp (claim F10a). Relative error of the finite-difference forward gradient against the "
        "JVP forward gradient along the same tangents, sqrt(sum (d_FD - d_JVP)^2 / sum d_JVP^2), against the step "
        "eps, log-log; solid: forward difference, dashed: central; dotted: the eps (forward) and eps^2 (central) "
        "reference lines over the fitted points (drawn at half height). Filled points are the ones the check fits "
        f"(error <= {th.max_error:g}, grey line, and >= {th.rounding_margin:g}x the float32 rounding scale); at small "
        "eps float32 cancellation takes over. Experiment fd_agreement: "
        f"{int(table['step'].max()) + 1} tangents per law. " + pl.provenance(table)
    )
    pl.finish(fig, "f10a_fd_vs_jvp", caption, out_dir, handles, "tangents / difference")
    return caption


def _band(ax: object, frame: pd.DataFrame, color: object, label: str) -> None:
    """Mean over runs and the 5-95% band of a trace (columns step, value)."""
    grouped = frame.groupby("step")["value"]
    steps = np.asarray(list(grouped.groups))
    ax.fill_between(steps, grouped.quantile(0.05), grouped.quantile(0.95), color=color, alpha=0.2, linewidth=0)
    ax.plot(steps, grouped.mean(), color=color, linewidth=1.4, label=label)


def _f10b(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    table = tables["step_net"]
    th = claims.F10.threshold
    traces = table[(table["phase"] == "evaluation") & (table["measure"] == "accuracy")]
    runs, tasks = pl.runs(table), pl.sorted_unique(traces["task"])
    colors = dict(zip([FD_METHOD, BACKPROP], sns.color_palette("deep")[2:4], strict=True))
    fig = Figure(figsize=(min(pl.MAX_WIDTH, 2.0 + 4.0 * len(runs)), 0.6 + 2.8 * len(tasks)))
    axes = fig.subplots(len(tasks), len(runs), squeeze=False, sharey=True)
    for c, run in enumerate(runs):
        summary, _ = step_net_rows(pl.run_rows(table, run), th)
        for r, task in enumerate(tasks):
            ax = axes[r, c]
            rows = pl.run_rows(traces, run)
            for method, color in colors.items():
                _band(ax, rows[(rows["task"] == task) & (rows["method"] == method)], color, method)
            ax.axhline(th.accuracy_band, color="0.2", linestyle="--", linewidth=0.9)
            ax.axhline(th.chance, color="0.5", linestyle=":", linewidth=0.9)
            s = summary[summary["task"] == task]
            extra = (
                f"\nmean final {s['final_accuracy'].iloc[0]:.3f} (bound {s['ci_low'].iloc[0]:.3f})" if len(s) else ""
            )
            ax.set_title(f"{task}  |  {pl.run_label(*run)}{extra}", fontsize=8)
            ax.set_xlabel("iteration" if r == len(tasks) - 1 else "")
            ax.set_ylabel("training accuracy" if c == 0 else "")
            ax.set_ylim(0.0, 1.02)
    handles = [Line2D([], [], color=color, label=method) for method, color in colors.items()]
    handles += [
        Line2D([], [], color="0.2", linestyle="--", label=f"band {th.accuracy_band:g}"),
        Line2D([], [], color="0.5", linestyle=":", label=f"chance {th.chance:g}"),
    ]
    evaluation = table[(table["phase"] == "evaluation") & (table["step"] == 0) & (table["method"] == FD_METHOD)]
    caption = (
        "Figure f10_step_network (claim F10b). Training accuracy of nets whose every unit is a Heaviside step, "
        "trained by the finite-difference forward gradient (mean over runs, 5-95% band) and by full-batch "
        "backprop from the same starts: backprop's gradient is exactly zero (max recorded ||grad|| "
        f"{table[table['measure'] == 'max_grad_norm']['value'].max():g}, max |JVP| "
        f"{table[table['measure'] == 'max_abs_jvp']['value'].max():g}), so its line stays at the start. "
        f"Dashed: the band {th.accuracy_band:g} for the mean final accuracy; the check bounds it one-sidedly "
        f"over runs. Experiment step_net: {evaluation['run'].nunique()} runs per task at the eps and lr of a "
        "recorded sweep on other starts. " + pl.provenance(table)
    )
    pl.finish(fig, "f10_step_network", caption, out_dir, handles, "method")
    return caption


def _f11(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    table = tables["binary_net"]
    th = claims.F11.threshold
    traces = table[(table["phase"] == "evaluation") & (table["measure"] == "test_accuracy")]
    runs = pl.runs(table)
    colors = dict(zip([BINARY_FD, STE], sns.color_palette("deep")[:2], strict=True))
    fig = Figure(figsize=(min(pl.MAX_WIDTH, 2.0 + 4.2 * len(runs)), 3.6))
    axes = fig.subplots(1, len(runs), squeeze=False, sharey=True)
    for c, run in enumerate(runs):
        ax = axes[0, c]
        rows = pl.run_rows(traces, run)
        for method, color in colors.items():
            _band(ax, rows[rows["method"] == method], color, method)
        ax.axhline(th.accuracy_band, color="0.2", linestyle="--", linewidth=0.9)
        ax.axhline(th.chance, color="0.5", linestyle=":", linewidth=0.9)
        wide = accuracies(pl.run_rows(table, run))
        text = ", ".join(f"{m} {wide[m].mean():.3f}" for m in colors if m in wide)
        ax.set_title(f"{pl.run_label(*run)}\nfinal test accuracy: {text}", fontsize=8)
        ax.set_xlabel("iteration")
        ax.set_ylabel("test accuracy" if c == 0 else "")
        ax.set_ylim(0.0, 1.0)
    handles = [Line2D([], [], color=color, label=method) for method, color in colors.items()]
    handles += [
        Line2D([], [], color="0.2", linestyle="--", label=f"band {th.accuracy_band:g}"),
        Line2D([], [], color="0.5", linestyle=":", label=f"chance {th.chance:g}"),
    ]
    lrs = table[(table["phase"] == "evaluation") & (table["step"] == 0)].groupby("method")["lr"].first()
    caption = (
        "Figure f11_binary_network (claim F11). Test accuracy of a 64-hidden-10 net whose weights are "
        "sign(theta)/sqrt(fan_in) on scikit-learn's digits (360 test images), trained by forward differences "
        "along Rademacher tangents (the loss evaluated at binary weights only) and by BinaryConnect's "
        "straight-through estimator from the same starts and minibatches, the same number of steps (mean over "
        f"runs, 5-95% band). Learning rates from recorded sweeps on the training loss: "
        f"{', '.join(f'{m} {v:g}' for m, v in lrs.items())}. Dashed: the band {th.accuracy_band:g} for the "
        "forward-difference mean. " + pl.provenance(table)
    )
    pl.finish(fig, "f11_binary_network", caption, out_dir, handles, "method")
    return caption


def _b5(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    table = tables["perturbation"]
    th = claims.B5.threshold
    runs = pl.runs(table)
    laws = pl.sorted_unique(table["distribution"])
    colors = dict(zip(["weight", "activity"], sns.color_palette("deep")[4:6], strict=True))
    fig = Figure(figsize=(min(pl.MAX_WIDTH, 2.0 + 3.8 * len(runs)), 0.6 + 2.8 * len(laws)))
    axes = fig.subplots(len(laws), len(runs), squeeze=False, sharey=True)
    for c, run in enumerate(runs):
        rows = ratio_rows(pl.run_rows(table, run), th)
        for r, law in enumerate(laws):
            ax = axes[r, c]
            part = rows[rows["distribution"] == law]
            x = np.arange(len(part))
            for offset, kind in ((-0.2, "weight"), (0.2, "activity")):
                mean, se = part[f"{kind}_mean"].to_numpy(), part[f"{kind}_se"].to_numpy()
                ax.bar(x + offset, mean, width=0.38, color=colors[kind], yerr=2 * se, capsize=2)
                ax.plot(x + offset, part[f"{kind}_theory"], "_", color="0.1", markersize=14, mew=1.5)
            ax.set_yscale("log")
            ax.set_xticks(
                x, [f"layer {int(layer)}\n{w} w / {u} u" for layer, w, u in part[["layer", "weights", "units"]].values]
            )
            ratios = ", ".join(f"{v:.0f}x" for v in part["ratio"])
            ax.set_title(f"{law}  |  {pl.run_label(*run)}\nweight/activity: {ratios}", fontsize=8)
            ax.set_ylabel("E||g - grad||^2 / ||grad||^2" if c == 0 else "")
    handles = [Patch(color=color, label=f"{kind} perturbation") for kind, color in colors.items()]
    handles.append(Line2D([], [], color="0.1", marker="_", markersize=12, linestyle="none", label="derived"))
    samples = sorted({int(v) for v in table[table["measure"] == "samples"]["value"]})
    caption = (
        "Figure b5_perturbation (claim B5). Relative variance E||g - grad_W f||^2 / ||grad_W f||^2 of the forward "
        "gradient of each weight matrix of a ReLU MLP on a digits batch, perturbing the weights (one tangent over "
        "the matrix) or the activities (one tangent per example over the layer's pre-activations, mapped to the "
        "weights through the local Jacobian; Ren et al. 2023); log scale, bars +-2 standard errors, black ticks "
        f"the derived expectations. Experiment perturbation: task {pl.fmt_list(pl.sorted_unique(table['task']))}, "
        f"{pl.fmt_list(samples)} samples per bar. " + pl.provenance(table)
    )
    pl.finish(fig, "b5_perturbation", caption, out_dir, handles, "estimator")
    return caption


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("f10a_fd_vs_jvp", ("fd_agreement",), _f10a),
    FigureSpec("f10_step_network", ("step_net",), _f10b),
    FigureSpec("f11_binary_network", ("binary_net",), _f11),
    FigureSpec("b5_perturbation", ("perturbation",), _b5),
)

SLOPE_COLUMNS = {
    "framework": "framework",
    "device": "device",
    "task": "task",
    "distribution": "tangents",
    "derivative": "difference",
    "points": "eps fitted",
    "slope": "slope",
    "ci_low": "low",
    "ci_high": "high",
    "verdict": "verdict",
}


def report_sections(tables: Mapping[str, pd.DataFrame]) -> list[dict]:
    """REPORT.md's section on F10a: the fitted slopes per framework, with the error-vs-eps figure."""
    if "fd_agreement" not in tables or tables["fd_agreement"].empty:
        return []
    table = tables["fd_agreement"]
    parts = []
    for run in pl.runs(table):
        rows = slope_rows(pl.run_rows(table, run), claims.F10.threshold)
        parts.append(rows.assign(framework=run[0], device=run[1]))
    rows = pd.concat(parts, ignore_index=True)
    return [
        {
            "title": "Finite differences vs the JVP (F10a)",
            "text": "Log-log slope of the relative error of the finite-difference forward gradient against the JVP "
            "forward gradient, per smooth task, tangent law and difference, fitted where the error lies between "
            "10x the float32 rounding scale and 5% (experiment `fd_agreement`); Taylor's theorem gives 1 "
            "(forward) and 2 (central).",
            "columns": list(SLOPE_COLUMNS.values()),
            "rows": rows[list(SLOPE_COLUMNS)].to_numpy().tolist(),
            "figure": "f10a_fd_vs_jvp",
        }
    ]
