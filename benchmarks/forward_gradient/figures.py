"""Figures of the study (``FIGURES``): each reads the thresholds from the claim objects and draws the same
intervals as the checks (it calls the checks' own functions).

- ``f1_unbiasedness``: RMS relative error of the K-sample mean vs K (F1), slope -1/2 reference;
- ``f2_variance``: measured/theoretical variance and E|cos| per configuration with F2's intervals and band;
- ``b1_tangent_choice``: variance ratio constant-norm/Gaussian (with resolvability) and FGD iterations (B1);
- ``b4_k_tangents``: projection cosine over its exact law, averaging error vs K (B4).

The cost of a training step is drawn by study ``forward_training`` (figure ``f4_step_cost``).
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
from benchmarks.forward_gradient import claims
from benchmarks.forward_gradient.check_k_tangents import averaging_slope, k_table, projection_rows
from benchmarks.forward_gradient.check_tangent_choice import variance_ratios
from benchmarks.forward_gradient.check_variance import ratio_table
from benchmarks.forward_gradient.summaries import block_sums
from benchmarks.plotting import FigureSpec


def _samples(table: pd.DataFrame) -> str:
    values = sorted({int(v) for v in table[table["measure"] == "samples"]["value"]})
    return f"{values[0]}-{values[-1]}" if values else "?"


def _f1(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    table = tables["estimator"]
    runs, tasks = pl.runs(table), pl.sorted_unique(table["task"])
    dists = pl.sorted_unique(table["distribution"])
    palette, dim_markers = pl.palette(dists), pl.markers(pl.sorted_unique(table["dim"]))
    fig = Figure(figsize=(min(pl.MAX_WIDTH, 2.0 + 3.4 * len(tasks)), 0.6 + 2.6 * len(runs)))
    axes = fig.subplots(len(runs), len(tasks), squeeze=False, sharex=True)
    th = claims.F1.threshold
    for r, run in enumerate(runs):
        sums = block_sums(pl.run_rows(table, run))
        for c, task in enumerate(tasks):
            ax = axes[r, c]
            for (t, dim, dist), (ks, block) in sums.items():
                if t != task:
                    continue
                rms = np.sqrt(block.sum(axis=0) / (block.shape[0] * ks[-1] / ks))
                ax.plot(ks, rms, color=palette[dist], marker=dim_markers[dim], markersize=4, linewidth=1.2)
                ax.plot(ks, rms[0] * ks**th.slope, color="0.25", linestyle="--", linewidth=0.8, zorder=0)
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            ax.set_title(f"{task}  |  {pl.run_label(*run)}", fontsize=9)
            ax.set_xlabel("K (samples averaged)" if r == len(runs) - 1 else "")
            ax.set_ylabel("RMS relative error" if c == 0 else "")
    handles = pl.distribution_handles(palette, dists) + pl.marker_handles(dim_markers, "n = ")
    handles.append(Line2D([], [], color="0.25", linestyle="--", label=f"slope {th.slope:g}"))
    caption = (
        "Figure f1_unbiasedness (claim F1). RMS over sub-blocks of ||mean of K forward gradients - grad f|| / "
        f"||grad f|| against K, log-log; an unbiased estimator falls as K^({th.slope:g}) (dashed, anchored at "
        f"K = {int(pl.sorted_unique(table['k'])[1]) if len(pl.sorted_unique(table['k'])) > 1 else 1}). "
        f"The check holds each slope's block-bootstrap interval to the band {th.slope:g} +- {th.slope_tolerance:g} "
        f"and tests the bias directly; see claims.json. Experiment estimator: tasks {pl.fmt_list(tasks)}; tangents "
        f"{pl.fmt_list(dists)}; S = {_samples(table)} samples per configuration. " + pl.provenance(table)
    )
    pl.finish(fig, "f1_unbiasedness", caption, out_dir, handles)
    return caption


def _ratio_panel(ax: object, rows: pd.DataFrame, palette: dict, markers: dict, combos: list, band: float) -> None:
    ax.axhspan(1 - band, 1 + band, color="0.6", alpha=0.25, linewidth=0)
    ax.axhline(1.0, color="0.2", linewidth=0.8)
    for row in rows.itertuples():
        x = row.dim * pl.dodge(combos.index((row.distribution, row.task)), len(combos))
        ax.errorbar(
            x,
            row.ratio,
            yerr=[[row.ratio - row.ci_low], [row.ci_high - row.ratio]],
            fmt=markers[row.task],
            color=palette[row.distribution],
            markersize=4,
            elinewidth=1.0,
            capsize=2,
        )
    ax.set_xscale("log")


def _f2(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    table = tables["estimator"]
    th = claims.F2.threshold
    runs, dists, tasks = pl.runs(table), pl.sorted_unique(table["distribution"]), pl.sorted_unique(table["task"])
    palette, task_markers = pl.palette(dists), pl.markers(tasks)
    combos = [(d, t) for d in dists for t in tasks]
    fig = Figure(figsize=(min(pl.MAX_WIDTH, 2.0 + 4.6 * len(runs)), 6.0))
    axes = fig.subplots(2, len(runs), squeeze=False, sharex=True)
    for c, run in enumerate(runs):
        ratios, pooled = ratio_table(pl.run_rows(table, run), th)
        for row, quantity in enumerate(("variance", "abs_cosine")):
            _ratio_panel(
                axes[row, c], ratios[ratios["quantity"] == quantity], palette, task_markers, combos, th.tolerance
            )
        axes[0, c].set_title(
            f"{pl.run_label(*run)}; pooled {pooled['ratio']:.4f} [{pooled['ci_low']:.4f}, {pooled['ci_high']:.4f}]",
            fontsize=8,
        )
        axes[1, c].set_xlabel("dimension n")
    axes[0, 0].set_ylabel("variance / theory")
    axes[1, 0].set_ylabel("mean |cos| / exact")
    handles = pl.distribution_handles(palette, dists) + pl.marker_handles(task_markers)
    handles.append(Patch(color="0.6", alpha=0.4, label=f"band +-{th.tolerance:.0%}"))
    caption = (
        "Figure f2_variance (claim F2). Top: mean ||g - grad f||^2 / ||grad f||^2 over theory (n+1 Gaussian, n-1 "
        "Rademacher and sphere); bottom: mean |cos(g, grad f)| over its exact value (Gaussian and sphere). Bars: "
        f"the check's simultaneous {th.confidence:.0%} intervals (Bonferroni over all of F2's intervals); grey: "
        f"the +-{th.tolerance:.0%} band. Constant-norm n = 2 has zero variance (checked exactly, no bar). Points "
        f"spread around each n for legibility. Experiment estimator: tasks {pl.fmt_list(tasks)}; S = "
        f"{_samples(table)} samples per configuration, sized for the band. " + pl.provenance(table)
    )
    pl.finish(fig, "f2_variance", caption, out_dir, handles)
    return caption


def _b1(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    est, it = tables["estimator"], tables["fgd"]["measure"] == "iterations"
    fgd = tables["fgd"][it]
    th = claims.B1.threshold
    runs, dists = pl.runs(fgd), pl.sorted_unique(fgd["distribution"])
    palette = pl.palette(dists)
    fig = Figure(figsize=(min(pl.MAX_WIDTH, 2.0 + 4.2 * len(runs)), 6.4))
    axes = fig.subplots(2, len(runs), squeeze=False)
    tasks = pl.sorted_unique(est["task"])
    task_markers = pl.markers(tasks)
    for c, run in enumerate(runs):
        ax = axes[0, c]
        ratios = variance_ratios(pl.run_rows(est, run), th)
        ax.axhline(1.0, color="0.2", linewidth=0.8)
        for i, row in enumerate(ratios.itertuples()):
            x = row.dim * pl.dodge(i % 6, 6)
            filled = row.status == "judged"
            ax.errorbar(
                x,
                row.ratio,
                yerr=[[row.ratio - row.ci_low], [row.ci_high - row.ratio]],
                fmt=task_markers[row.task],
                color=palette[row.distribution],
                capsize=2,
                markersize=4,
                mfc=palette[row.distribution] if filled else "white",
            )
        grid = np.geomspace(2, max(3, ratios["dim"].max() if len(ratios) else 3), 100)
        ax.plot(grid, (grid - 1) / (grid + 1), color="0.3", linestyle="--", linewidth=0.9)
        ax.set_xscale("log")
        ax.set_title(pl.run_label(*run), fontsize=9)
        ax.set_ylabel("variance ratio to Gaussian" if c == 0 else "")
        ax = axes[1, c]
        sub = pl.run_rows(fgd, run).dropna(subset=["value"])
        if not sub.empty:
            sns.pointplot(
                data=sub,
                x="dim",
                y="value",
                hue="distribution",
                hue_order=dists,
                palette=palette,
                estimator="median",
                errorbar=("pi", 50),
                dodge=0.4,
                capsize=0.1,
                markersize=5,
                linewidth=1.2,
                err_kws={"linewidth": 1.0},
                ax=ax,
                legend=False,
            )
        ax.set_yscale("log")
        ax.set_xlabel("dimension n")
        ax.set_ylabel("FGD iterations (median, IQR)" if c == 0 else "")
    handles = pl.distribution_handles(palette, dists) + pl.marker_handles(task_markers)
    handles.append(Line2D([], [], color="0.3", linestyle="--", label="theory (n-1)/(n+1)"))
    caption = (
        "Figure b1_tangent_choice (claim B1). Top: variance of the forward gradient with constant-norm tangents "
        f"over Gaussian, with the check's simultaneous {th.confidence:.0%} intervals; filled markers: "
        "configurations the budget resolves (judged), open: not resolvable (not judged); dashed: theory "
        "(n-1)/(n+1). Bottom: forward-gradient descent on 1/2||x||^2 at lr 1/(n+2), iterations to "
        "the tolerance times f(x0): "
        f"median and IQR over starts (runs that never reached the target left out: "
        f"{int(fgd['value'].isna().sum())}). " + pl.provenance(tables["fgd"])
    )
    pl.finish(fig, "b1_tangent_choice", caption, out_dir, handles, "tangents")
    return caption


def _b4(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    table = tables["projection"]
    th = claims.B4.threshold
    runs = pl.runs(table)
    fig = Figure(figsize=(min(pl.MAX_WIDTH, 2.0 + 4.4 * len(runs)), 6.0))
    axes = fig.subplots(2, len(runs), squeeze=False, sharex=True)
    colors = dict(zip(["mean", "projection"], sns.color_palette("deep")[3:5], strict=True))
    for c, run in enumerate(runs):
        frame = k_table(pl.run_rows(table, run))
        rows = projection_rows(frame, th)
        slope = averaging_slope(frame, th)
        ax = axes[0, c]
        ax.axhspan(1 - th.cosine_tolerance, 1 + th.cosine_tolerance, color="0.6", alpha=0.25, linewidth=0)
        ax.axhline(1.0, color="0.2", linewidth=0.8)
        ax.errorbar(
            rows["k"],
            rows["ratio"],
            yerr=[rows["ratio"] - rows["ci_low"], rows["ci_high"] - rows["ratio"]],
            color=colors["projection"],
            marker="o",
            markersize=4,
            capsize=2,
            label="projection",
        )
        if "mean_cosine" in rows:
            ax.plot(
                rows["k"],
                rows["mean_cosine"] / rows["exact"],
                color=colors["mean"],
                marker="s",
                markersize=4,
                label="averaging",
            )
        ax.set_xscale("log", base=2)
        ax.set_title(pl.run_label(*run), fontsize=9)
        ax.set_ylabel("mean cos / exact projection law" if c == 0 else "")
        ax = axes[1, c]
        mean = frame[frame["method"] == "mean"]
        ax.plot(mean["k"], mean["sq_error_ratio_mean"], color=colors["mean"], marker="s", markersize=4)
        ax.plot(mean["k"], (mean["dim"] + 1.0) / mean["k"], color="0.2", linestyle="--", linewidth=1.0)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("K (tangents)")
        ax.set_ylabel("averaging: ||g - grad f||^2 / ||grad f||^2" if c == 0 else "")
        ax.set_title(f"slope {slope['slope']:.3f} [{slope['ci_low']:.3f}, {slope['ci_high']:.3f}]", fontsize=8)
    handles = [Line2D([], [], color=color, marker="o", label=name) for name, color in colors.items()]
    handles += [
        Patch(color="0.6", alpha=0.4, label=f"band +-{th.cosine_tolerance:.0%}"),
        Line2D([], [], color="0.2", linestyle="--", label="(n+1)/K"),
    ]
    caption = (
        "Figure b4_k_tangents (claim B4). Top: mean cosine between grad f and the K-tangent estimate over the "
        "exact E cos of the projection (cos^2 ~ Beta(K/2, (n-K)/2)), with the check's simultaneous "
        f"{th.confidence:.0%} intervals for projection and the averaging estimate for comparison; grey: the "
        f"+-{th.cosine_tolerance:.0%} band. Bottom: error of the mean of K forward gradients against (n+1)/K; the "
        f"title gives the check's slope and {th.confidence:.0%} interval (band {th.slope:g} +- "
        f"{th.slope_tolerance:g}). Experiment projection: n = {pl.fmt_list(pl.sorted_unique(table['dim']))}; "
        f"Gaussian tangents; repeats per K sized for the bands. " + pl.provenance(table)
    )
    pl.finish(fig, "b4_k_tangents", caption, out_dir, handles, "aggregation")
    return caption


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("f1_unbiasedness", ("estimator",), _f1),
    FigureSpec("f2_variance", ("estimator",), _f2),
    FigureSpec("b1_tangent_choice", ("estimator", "fgd"), _b1),
    FigureSpec("b4_k_tangents", ("projection",), _b4),
)
