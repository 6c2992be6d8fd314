"""Figures of the study (``FIGURES``): each reads the thresholds from the claim objects and draws the same
numbers as the checks (it calls the checks' own functions).

- ``f3_descent``: loss and distance to the minimiser against iterations and against wall-clock, median and
  10-90 % band over seeds, forward gradient vs true gradient, per function and learning rate (F3);
- ``b2_success_gap``: success rate per dimension, true vs forward gradient per optimizer, and the pooled gap
  with the check's intervals (B2);
- ``b2_performance_profiles`` / ``b2_accuracy_profiles``: Dolan-Moré profiles of the 4 optimizers x
  {true gradient, forward gradient}, per dimension;
- ``b2_tangent_choice``: performance profiles of the forward gradient per tangent law (B1 evidence);
- ``b3_dimension``: mean iterations against n with the first-passage law and the mean-contraction line, and
  their ratio with the band (B3).
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
from benchmarks.forward_descent import claims
from benchmarks.forward_descent.check_convergence import convergence_rates
from benchmarks.forward_descent.check_dimension_gap import gap_by_dimension, success_rates
from benchmarks.forward_descent.check_linear_scaling import scaling_table
from benchmarks.forward_descent.outcomes import (
    MAX_ACCURACY,
    accuracy_profile,
    performance_profile,
    protocol_runs,
    solver_matrix,
)
from benchmarks.forward_descent.params import OPTIMIZERS, PROTOCOL_DISTRIBUTION
from benchmarks.plotting import FigureSpec

SOURCE_COLORS = dict(zip(["backprop", "forward"], sns.color_palette("deep")[0:2], strict=True))
FRAMEWORK_STYLES = {"pytorch": "-", "jax": "--"}
OPTIMIZER_COLORS = dict(zip(OPTIMIZERS, sns.color_palette("deep")[2:6], strict=True))
TAUS = np.geomspace(1.0, 100.0, 200)
ACCURACY_TAUS = np.linspace(0.0, MAX_ACCURACY, 101)


def _style(framework: str) -> str:
    return FRAMEWORK_STYLES.get(framework, ":")


def _framework_handles(frameworks: list[str]) -> list:
    return [Line2D([], [], color="0.3", linestyle=_style(fw), label=fw) for fw in frameworks]


# ----------------------------------------------------------------------------------------------- F3


PLOT_CEILING = 1e12
"""Values above this (diverged runs, +inf) are left out of the curves; the panel says how many ended so."""


def _band(ax: object, rows: pd.DataFrame, measure: str, x: np.ndarray, color: tuple, style: str) -> None:
    get = {
        q: rows[rows["measure"] == f"{measure}_{q}"].sort_values("step")["value"].to_numpy()
        for q in ("q10", "q50", "q90")
    }
    if any(v.size != x.size for v in get.values()):
        return
    shown = {q: np.where(v <= PLOT_CEILING, v, np.nan) for q, v in get.items()}
    ax.plot(x, shown["q50"], color=color, linestyle=style, linewidth=1.2)
    ax.fill_between(x, shown["q10"], shown["q90"], color=color, alpha=0.15, linewidth=0)


def _f3(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    table = tables["descent_2d"]
    th = claims.F3.threshold
    configs = table[["task", "lr"]].drop_duplicates().sort_values(["task", "lr"], ascending=[True, False])
    frameworks = sorted(table["framework"].unique(), key=lambda f: (f != "pytorch", f))
    fig = Figure(figsize=(pl.MAX_WIDTH, 0.8 + 2.5 * len(configs)))
    axes = fig.subplots(len(configs), 3, squeeze=False)
    for r, (task, lr) in enumerate(configs.itertuples(index=False)):
        part = table[(table["task"] == task) & (table["lr"] == lr)]
        for (framework, method), rows in part.groupby(["framework", "method"]):
            steps = np.sort(rows.loc[rows["measure"] == "distance_q50", "step"].to_numpy())
            seconds = rows[rows["measure"] == "seconds"].sort_values("step")["value"].to_numpy()
            color, style = SOURCE_COLORS.get(method, "0.5"), _style(framework)
            _band(axes[r, 0], rows, "distance", steps, color, style)
            _band(axes[r, 1], rows, "loss", steps, color, style)
            if seconds.size == steps.size:
                _band(axes[r, 2], rows, "loss", seconds, color, style)
        axes[r, 0].axhline(th.tolerance, color="0.3", linewidth=0.8, linestyle=":")
        final = part[part["measure"] == "final_distance"]["value"]
        lost = int(np.sum(~(final <= PLOT_CEILING)))
        if lost:
            axes[r, 1].text(
                0.5,
                0.5,
                f"{lost} of {len(final)} runs (all sources, frameworks)\nend above {PLOT_CEILING:g} or non-finite",
                transform=axes[r, 1].transAxes,
                ha="center",
                va="center",
                fontsize=7,
                color="0.3",
            )
        judged = " (judged)" if np.isclose(lr, th.learning_rate) else " (reported)"
        axes[r, 0].set_title(f"{task}, lr {lr:g}{judged}", fontsize=9)
        for c, label in enumerate(("distance to minimiser", "loss", "loss")):
            axes[r, c].set_yscale("log")
            axes[r, c].set_ylabel(label if c != 2 else "loss")
        axes[r, 0].set_xlabel("iteration" if r == len(configs) - 1 else "")
        axes[r, 1].set_xlabel("iteration" if r == len(configs) - 1 else "")
        axes[r, 2].set_xlabel("wall-clock of the batch [s]" if r == len(configs) - 1 else "")
    text = "; ".join(
        f"{run[0]} {r.task} lr {r.lr:g} {r.method}: {r.converged}/{r.runs}"
        for run in pl.runs(table)
        for r in convergence_rates(pl.run_rows(table, run), th).itertuples()
    )
    handles = [
        Line2D([], [], color=c, label={"backprop": "true gradient", "forward": "forward gradient"}[m])
        for m, c in SOURCE_COLORS.items()
    ]
    handles += _framework_handles(frameworks)
    handles.append(Line2D([], [], color="0.3", linestyle=":", label=f"tolerance {th.tolerance:g}"))
    seeds = int(table.loc[table["measure"] == "final_distance", "start"].max() + 1)
    caption = (
        "Figure f3_descent (claim F3). SGD on the forward gradient (Gaussian tangents) and on the true gradient, "
        "Beale from (1, 1) and Rosenbrock from (-1.2, 1) (Moré-Garbow-Hillstrom starts, jittered by N(0, 0.1^2)): "
        f"median (line) and 10-90% band over {seeds} seeds of the distance to the minimiser and of the loss, "
        "against iterations and against the cumulative wall-clock of the batch (all seeds run together; "
        f"compilation excluded; non-finite values drawn at the top). Runs ending within {th.tolerance:g} of the "
        f"minimiser: {text}. " + pl.provenance(table)
    )
    pl.finish(fig, "f3_descent", caption, out_dir, handles)
    return caption


# ----------------------------------------------------------------------------------------------- B2


def _runs(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    return protocol_runs(tables["protocol"])


def _setting(table: pd.DataFrame, name: str) -> str:
    values = pl.sorted_unique(table.loc[table["measure"] == name, "value"])
    return pl.fmt_list([f"{v:g}" for v in values]) or "?"


def _protocol_note(table: pd.DataFrame, runs: pd.DataFrame) -> str:
    functions = pl.sorted_unique(runs["task"])
    starts = int(runs["start"].max() + 1)
    repeats = int(runs["repeat"].max() + 1)
    return (
        f"Belouze's protocol on {len(functions)} functions ({pl.fmt_list(functions)}), {starts} starts each, "
        f"forward runs repeated {repeats}x; lr {_setting(table, 'learning_rate')}; success at f* + "
        f"{_setting(table, 'epsilon')} within {_setting(table, 'max_iterations')} evaluations (Belouze: 50,000; "
        "a smaller budget solves fewer problems); divergence beyond "
        f"{_setting(table, 'divergence')} above the target."
    )


def _b2_gap(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    runs = _runs(tables)
    th = claims.B2.threshold
    slices = pl.runs(runs)
    fig = Figure(figsize=(min(pl.MAX_WIDTH, 2.0 + 4.6 * len(slices)), 6.2))
    axes = fig.subplots(2, len(slices), squeeze=False)
    for c, run in enumerate(slices):
        part = pl.run_rows(runs, run)
        rates = success_rates(part, th)
        ax = axes[0, c]
        for optimizer, color in OPTIMIZER_COLORS.items():
            for method, style, law in (("backprop", "-", "none"), ("forward", "--", PROTOCOL_DISTRIBUTION)):
                sel = rates[
                    (rates["optimizer"] == optimizer) & (rates["method"] == method) & (rates["distribution"] == law)
                ]
                if len(sel):
                    ax.plot(sel["dim"], sel["rate"], color=color, linestyle=style, marker="o", markersize=3)
        ax.set_xscale("log")
        ax.set_ylim(-0.02, 1.02)
        ax.set_title(pl.run_label(*run), fontsize=9)
        ax.set_ylabel("success rate" if c == 0 else "")
        gaps, boots = gap_by_dimension(part, th)
        ax = axes[1, c]
        ax.axhspan(th.minimum_gap, 1.0, color="0.6", alpha=0.2, linewidth=0)
        ax.axhline(0.0, color="0.2", linewidth=0.8)
        ax.errorbar(
            gaps["dim"],
            gaps["gap"],
            yerr=[gaps["gap"] - gaps["ci_low"], gaps["ci_high"] - gaps["gap"]],
            color="0.1",
            marker="s",
            capsize=3,
        )
        growth = boots[int(gaps["dim"].max())] - boots[int(gaps["dim"].min())]
        low, high = np.quantile(growth, [(1 - th.confidence) / 2, (1 + th.confidence) / 2])
        ax.set_title(f"growth {gaps['gap'].iloc[-1] - gaps['gap'].iloc[0]:+.3f} [{low:+.3f}, {high:+.3f}]", fontsize=8)
        ax.set_xscale("log")
        ax.set_xlabel("dimension n")
        ax.set_ylabel("gap true - forward (pooled)" if c == 0 else "")
    handles = [Line2D([], [], color=color, label=o) for o, color in OPTIMIZER_COLORS.items()]
    handles += [
        Line2D([], [], color="0.3", linestyle="-", label="true gradient"),
        Line2D([], [], color="0.3", linestyle="--", label=f"forward ({PROTOCOL_DISTRIBUTION})"),
        Patch(color="0.6", alpha=0.4, label=f"band [{th.minimum_gap:g}, 1]"),
    ]
    caption = (
        "Figure b2_success_gap (claim B2). Top: fraction of runs reaching f* + 0.1, per optimizer, true gradient "
        "(solid) vs forward gradient with Rademacher tangents (dashed). Bottom: the success-rate gap true - "
        f"forward pooled over optimizers, functions, starts and repeats, with {th.confidence:.0%} bootstrap "
        "intervals (starts resampled within functions); grey: the band the gap at the largest n and its growth "
        "must lie in. " + _protocol_note(tables["protocol"], runs) + " " + pl.provenance(tables["protocol"])
    )
    pl.finish(fig, "b2_success_gap", caption, out_dir, handles)
    return caption


def _profile_figure(tables: Mapping[str, pd.DataFrame], out_dir: Path, stem: str, accuracy: bool) -> str:
    runs = _runs(tables)
    runs = runs[(runs["method"] == "backprop") | (runs["distribution"] == PROTOCOL_DISTRIBUTION)]
    slices, dims = pl.runs(runs), pl.sorted_unique(runs["dim"])
    fig = Figure(figsize=(min(pl.MAX_WIDTH, 2.0 + 3.3 * len(dims)), 0.6 + 2.8 * len(slices)))
    axes = fig.subplots(len(slices), len(dims), squeeze=False, sharey=True)
    for r, run in enumerate(slices):
        for c, dim in enumerate(dims):
            part = pl.run_rows(runs, run)
            part = part[part["dim"] == dim]
            value, failure = ("accuracy", -np.inf) if accuracy else ("evaluations", np.inf)
            matrix, solvers = solver_matrix(part, ["task", "start"], ["optimizer", "method"], value, failure)
            taus = ACCURACY_TAUS if accuracy else TAUS
            curves = (accuracy_profile if accuracy else performance_profile)(matrix.to_numpy(), taus)
            ax = axes[r, c]
            for (optimizer, method), curve in zip(solvers, curves, strict=True):
                style = "-" if method == "backprop" else "--"
                ax.step(taus, curve, where="post", color=OPTIMIZER_COLORS.get(optimizer, "0.5"), linestyle=style)
            if not accuracy:
                ax.set_xscale("log")
            ax.set_ylim(-0.02, 1.02)
            ax.set_title(f"n = {dim}  |  {pl.run_label(*run)}", fontsize=8)
            ax.set_xlabel("accuracy tau (ln f0-gap / best gap)" if accuracy else "tau (cost / best cost)")
            ax.set_ylabel("fraction of problems" if c == 0 else "")
    handles = [Line2D([], [], color=color, label=o) for o, color in OPTIMIZER_COLORS.items()]
    handles += [
        Line2D([], [], color="0.3", linestyle="-", label="true gradient"),
        Line2D([], [], color="0.3", linestyle="--", label=f"forward ({PROTOCOL_DISTRIBUTION})"),
    ]
    what = (
        f"Accuracy profiles (Hare-Sagastizabal, as Belouze computes them): fraction of problems (function x start) "
        f"on which a solver's best loss reached ln((f(x0) - f*)/(f_best - f*)) >= tau, capped at {MAX_ACCURACY:g}; "
        "runs stop at success, so solved problems show the accuracy of f* + 0.1; diverged runs reach none"
        if accuracy
        else "Performance profiles (Dolan-Moré): fraction of problems (function x start) a solver solves with at "
        "most tau times the evaluations of the best solver on that problem; a forward solver's cost is the median "
        "over its repeats (unsolved when most repeats fail); problems no solver solves count against all"
    )
    caption = (
        f"Figure {stem} (claim B2). {what}. "
        + _protocol_note(tables["protocol"], runs)
        + " "
        + pl.provenance(tables["protocol"])
    )
    pl.finish(fig, stem, caption, out_dir, handles)
    return caption


def _b2_performance(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    return _profile_figure(tables, out_dir, "b2_performance_profiles", accuracy=False)


def _b2_accuracy(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    return _profile_figure(tables, out_dir, "b2_accuracy_profiles", accuracy=True)


def _b2_tangents(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    runs = _runs(tables)
    forward = runs[runs["method"] == "forward"]
    slices, dims = pl.runs(forward), pl.sorted_unique(forward["dim"])
    laws = pl.sorted_unique(forward["distribution"])
    palette = pl.palette(laws)
    fig = Figure(figsize=(min(pl.MAX_WIDTH, 2.0 + 3.3 * len(dims)), 0.6 + 2.8 * len(slices)))
    axes = fig.subplots(len(slices), len(dims), squeeze=False, sharey=True)
    for r, run in enumerate(slices):
        for c, dim in enumerate(dims):
            part = pl.run_rows(forward, run)
            part = part[part["dim"] == dim]
            matrix, solvers = solver_matrix(
                part, ["task", "start", "optimizer"], ["distribution"], "evaluations", np.inf
            )
            curves = performance_profile(matrix.to_numpy(), TAUS)
            ax = axes[r, c]
            for law, curve in zip(solvers, curves, strict=True):
                rate = part.loc[part["distribution"] == law, "solved"].mean()
                ax.step(TAUS, curve, where="post", color=palette[law], label=f"{law} ({rate:.2f})")
            ax.set_xscale("log")
            ax.set_ylim(-0.02, 1.02)
            ax.legend(fontsize=6, title="law (success rate)", title_fontsize=6, loc="lower right")
            ax.set_title(f"n = {dim}  |  {pl.run_label(*run)}", fontsize=8)
            ax.set_xlabel("tau (cost / best cost)")
            ax.set_ylabel("fraction of problems" if c == 0 else "")
    caption = (
        "Figure b2_tangent_choice (evidence for claim B1 in Belouze's protocol). Performance profiles of the "
        "forward gradient per tangent law (Gaussian, Rademacher, uniform on the sphere of radius sqrt(n)); a "
        "problem is a function x start x optimizer, a law's cost the median evaluations over its repeats. Legend: "
        "each law's success rate over all its runs. "
        + _protocol_note(tables["protocol"], forward)
        + " "
        + pl.provenance(tables["protocol"])
    )
    pl.finish(fig, "b2_tangent_choice", caption, out_dir, pl.distribution_handles(palette, laws), "tangents")
    return caption


# ----------------------------------------------------------------------------------------------- B3


def _b3(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    table = tables["dimension"]
    th = claims.B3.threshold
    slices = pl.runs(table)
    fig = Figure(figsize=(min(pl.MAX_WIDTH, 10.0), 4.0))
    left, right = fig.subplots(1, 2)
    markers = pl.markers([run[0] for run in slices])
    frame = None
    for i, run in enumerate(slices):
        frame, _, slope = scaling_table(pl.run_rows(table, run), th)
        x = frame["dim"].to_numpy(float) * pl.dodge(i, len(slices))
        left.plot(
            x,
            frame["mean"],
            marker=markers[run[0]],
            linestyle="none",
            color="0.1",
            label=f"{pl.run_label(*run)} (slope {slope:.3f})",
        )
        right.errorbar(
            x,
            frame["ratio"],
            yerr=[frame["ratio"] - frame["ci_low"], frame["ci_high"] - frame["ratio"]],
            fmt=markers[run[0]],
            color="0.1",
            capsize=2,
            markersize=4,
        )
    if frame is not None:
        grid = frame["dim"].to_numpy(float)
        left.plot(grid, frame["first_passage_law"], color=sns.color_palette("deep")[0], label="first-passage law")
        left.plot(
            grid,
            frame["mean_contraction_line"],
            color=sns.color_palette("deep")[1],
            linestyle="--",
            label="(n+2) ln(1/eps) line",
        )
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("dimension n")
    left.set_ylabel("mean iterations to eps f(x0)")
    left.legend(fontsize=7)
    right.axhspan(1 - th.ratio_tolerance, 1 + th.ratio_tolerance, color="0.6", alpha=0.25, linewidth=0)
    right.axhline(1.0, color="0.2", linewidth=0.8)
    right.set_xscale("log")
    right.set_xlabel("dimension n")
    right.set_ylabel("mean / first-passage law")
    seeds = int(table.loc[table["measure"] == "iterations", "step"].max() + 1)
    caption = (
        "Figure b3_dimension (claim B3). Forward-gradient descent on 1/2||x||^2, Gaussian tangents, lr 1/(n+2): "
        f"mean iterations until f(x_t) <= eps f(x0) over {seeds} starts per n (left, log-log), with the derived "
        "first-passage law (Wald's identity with the renewal overshoot) and the mean-contraction line "
        "ln(1/eps)/-ln(1 - 1/(n+2)) ~ (n+2) ln(1/eps) that E f follows; right: mean over the law with the check's "
        f"simultaneous {th.confidence:.0%} bootstrap intervals and the +-{th.ratio_tolerance:.0%} band. "
        + pl.provenance(table)
    )
    pl.finish(fig, "b3_dimension", caption, out_dir)
    return caption


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("f3_descent", ("descent_2d",), _f3),
    FigureSpec("b2_success_gap", ("protocol",), _b2_gap),
    FigureSpec("b2_performance_profiles", ("protocol",), _b2_performance),
    FigureSpec("b2_accuracy_profiles", ("protocol",), _b2_accuracy),
    FigureSpec("b2_tangent_choice", ("protocol",), _b2_tangents),
    FigureSpec("b3_dimension", ("dimension",), _b3),
)
