"""Figures for the claims report: one PNG + PDF per figure, each with a self-describing caption.

``make_figures(tables, out_dir)`` takes the experiment tables (name -> the concatenation of that
experiment's tidy tables over frameworks and devices) and writes

- ``f1_unbiasedness``: RMS relative error of the K-sample mean vs K (claim F1), slope -1/2 reference;
- ``f2_variance``: measured / theoretical variance and E|cos| vs n (claim F2);
- ``b1_tangent_choice``: FGD iterations to target vs n per tangent distribution (claim B1);
- ``b4_k_tangents``: K-tangent mean vs orthogonal projection (claim B4);
- ``step_cost``: wall time of one MLP step four ways, with t(fg_step) / t(jvp_only).

Every caption is drawn inside its figure and returned (and written to ``captions.json``): what ran
(experiment, tasks, dims, sample counts, profile), where (framework, version and device of each run) and
from which git commit. Plotting uses matplotlib's ``Figure`` directly (Agg canvas, no pyplot state) and
seaborn's whitegrid theme inside an ``rc_context`` so the caller's rcParams are left alone.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from benchmarks import stats as st
from benchmarks.claims.forward_gradient import theory_abs_cosine, variance_ratios

DPI = 150
MAX_WIDTH = 12.0
CAPTION_FONT = 7.5
DISTRIBUTIONS = ("gaussian", "rademacher", "sphere")
STEP_KINDS = ("fg_step", "jvp_only", "bp_step", "forward_only")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
VERSION_COLUMNS = {"pytorch": "torch_version", "jax": "jax_version"}


# ----------------------------------------------------------------------------------------------- helpers
def _sorted_unique(series: pd.Series) -> list:
    return sorted(series.dropna().unique().tolist())


def _fmt_list(values: list) -> str:
    return ", ".join(str(v) for v in values)


def _runs(table: pd.DataFrame) -> list[tuple[str, str]]:
    """The (framework, device) slices of a table, PyTorch first."""
    pairs = table[["framework", "device"]].drop_duplicates().itertuples(index=False, name=None)
    return sorted(pairs, key=lambda p: (p[0] != "pytorch", p[0], p[1]))


def _run_label(framework: str, device: str) -> str:
    return f"{framework} on {device}"


def _slice(table: pd.DataFrame, run: tuple[str, str]) -> pd.DataFrame:
    return table[(table["framework"] == run[0]) & (table["device"] == run[1])]


def _sample_counts(table: pd.DataFrame) -> str:
    """The estimator's sample counts S (its ``samples`` measure), or '?' when absent."""
    counts = sorted({int(v) for v in table[table["measure"] == "samples"]["value"].dropna()})
    return _fmt_list(counts) or "?"


def _provenance(table: pd.DataFrame) -> str:
    """Where and from what code the rows came: 'pytorch 2.13.0 on cpu (...); profile smoke; commit ...'."""
    where = []
    for framework, device in _runs(table):
        rows = _slice(table, (framework, device))
        column = VERSION_COLUMNS.get(framework, f"{framework}_version")
        versions = _sorted_unique(rows[column]) if column in rows else []
        name = f"{framework} {_fmt_list(versions)}" if versions else framework
        where.append(f"{name} on {device}")
    parts = [f"Ran: {'; '.join(where)}."]
    labels = (
        ("profile", "profile"),
        ("git_commit", "git commit"),
        ("params_hash", "params hash"),
        ("root_seed", "root seed"),
    )
    for column, label in labels:
        if column in table:
            parts.append(f"{label.capitalize()} {_fmt_list(_sorted_unique(table[column].astype(str)))}.")
    return " ".join(parts)


def _palette(distributions: list[str]) -> dict[str, tuple]:
    """Fixed colours per distribution, the same in every figure."""
    names = list(DISTRIBUTIONS) + [d for d in distributions if d not in DISTRIBUTIONS]
    return dict(zip(names, sns.color_palette("deep", len(names)), strict=True))


def _markers(values: list) -> dict:
    return {v: MARKERS[i % len(MARKERS)] for i, v in enumerate(values)}


def _finish(
    fig: Figure,
    stem: str,
    caption: str,
    out_dir: Path,
    legend_handles: list | None = None,
    legend_title: str | None = None,
) -> None:
    """Draw the wrapped caption at the bottom (and a legend on the right), lay out, save PNG and PDF."""
    width, height = fig.get_size_inches()
    lines = textwrap.wrap(caption, width=int(width * 17))
    caption_height = (len(lines) * CAPTION_FONT * 1.35 + 10) / 72.0
    fig.set_size_inches(width, height + caption_height)
    bottom = caption_height / (height + caption_height)
    right = 1.0
    if legend_handles:
        right = 1.0 - 1.9 / width
        anchor = (right + 0.005, 0.5 + bottom / 2)
        fig.legend(
            handles=legend_handles,
            loc="center left",
            bbox_to_anchor=anchor,
            frameon=False,
            fontsize=8,
            title=legend_title,
            title_fontsize=8,
        )
    fig.tight_layout(rect=(0.0, bottom, right, 1.0))
    fig.text(
        0.01,
        0.5 * (5 / 72) / (height + caption_height),
        "\n".join(lines),
        ha="left",
        va="bottom",
        fontsize=CAPTION_FONT,
        wrap=False,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_dir / f"{stem}.png", dpi=DPI)
    fig.savefig(out_dir / f"{stem}.pdf", metadata={"CreationDate": None, "ModDate": None})


def _distribution_handles(palette: dict, present: list[str]) -> list:
    return [Line2D([], [], color=palette[d], marker="o", linestyle="-", label=d) for d in present]


def _marker_handles(markers: dict, prefix: str = "") -> list:
    return [Line2D([], [], color="0.3", marker=m, linestyle="none", label=f"{prefix}{v}") for v, m in markers.items()]


def _mean_ci(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    values = np.asarray(values, dtype=float)
    if values.size < 2:
        mean = float(values.mean()) if values.size else float("nan")
        return mean, mean, mean
    return st.mean_ci(values, confidence)


def _dodge(index: int, count: int, step: float = 1.05) -> float:
    """Multiplicative x offset so points of several series at one x do not overlap on a log axis."""
    return float(step ** (index - (count - 1) / 2))


# ------------------------------------------------------------------------------------------------ F1
def _f1_unbiasedness(table: pd.DataFrame, out_dir: Path) -> str:
    rel = table[table["measure"] == "relative_error"].assign(sq=lambda d: d["value"] ** 2)
    rms = (
        rel.groupby(["framework", "device", "task", "dim", "distribution", "k"], sort=True)["sq"]
        .agg(["mean", "size"])
        .reset_index()
    )
    rms["rms"] = np.sqrt(rms["mean"])
    runs, tasks = _runs(rel), _sorted_unique(rel["task"])
    dists = _sorted_unique(rel["distribution"])
    palette, dim_markers = _palette(dists), _markers(_sorted_unique(rel["dim"]))
    fig = Figure(figsize=(min(MAX_WIDTH, 2.0 + 3.4 * len(tasks)), 0.6 + 2.6 * len(runs)))
    axes = fig.subplots(len(runs), len(tasks), squeeze=False, sharex=True)
    for r, run in enumerate(runs):
        for c, task in enumerate(tasks):
            ax = axes[r, c]
            sub = rms[(rms["framework"] == run[0]) & (rms["device"] == run[1]) & (rms["task"] == task)]
            for (dim, dist), line in sub.groupby(["dim", "distribution"], sort=True):
                ax.plot(
                    line["k"],
                    line["rms"],
                    color=palette[dist],
                    marker=dim_markers[dim],
                    markersize=4,
                    linewidth=1.2,
                    alpha=0.9,
                )
            for _dim, group in sub.groupby("dim", sort=True):
                anchor = group[group["k"] == 1]["rms"].mean()
                if np.isfinite(anchor):
                    ks = np.array(sorted(group["k"].unique()), dtype=float)
                    ax.plot(ks, anchor * ks**-0.5, color="0.25", linestyle="--", linewidth=0.9, zorder=0)
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            ax.set_title(f"{task}  |  {_run_label(*run)}", fontsize=9)
            ax.set_xlabel("K (samples averaged)" if r == len(runs) - 1 else "")
            ax.set_ylabel("RMS relative error" if c == 0 else "")
    handles = _distribution_handles(palette, dists) + _marker_handles(dim_markers, "n = ")
    handles.append(Line2D([], [], color="0.25", linestyle="--", label="slope -1/2"))
    caption = (
        "Figure f1_unbiasedness (claim F1). RMS over disjoint blocks of the relative error "
        "||mean of K forward gradients - grad f|| / ||grad f|| against K, log-log; an unbiased estimator "
        "falls as K^(-1/2) (dashed: slope -1/2 anchored at each n's K = 1 value, mean over distributions). "
        f"Experiment estimator: tasks {_fmt_list(tasks)}; dims n = {_fmt_list(_sorted_unique(rel['dim']))}; "
        f"tangents {_fmt_list(dists)}; S = {_sample_counts(table)} samples per configuration, "
        f"K in {{{_fmt_list(_sorted_unique(rel['k']))}}} (S/K disjoint blocks per point). " + _provenance(table)
    )
    _finish(fig, "f1_unbiasedness", caption, out_dir, handles)
    return caption


# ------------------------------------------------------------------------------------------------ F2
def _f2_variance(table: pd.DataFrame, out_dir: Path) -> str:
    est = table[table["measure"].isin(["sq_error_ratio", "cosine"])]
    runs = _runs(est)
    dists, tasks = _sorted_unique(est["distribution"]), _sorted_unique(est["task"])
    palette, task_markers = _palette(dists), _markers(tasks)
    combos = [(d, t) for d in dists for t in tasks]
    fig = Figure(figsize=(min(MAX_WIDTH, 2.0 + 4.6 * len(runs)), 6.0))
    axes = fig.subplots(2, len(runs), squeeze=False, sharex=True)
    all_dims = np.array(_sorted_unique(est["dim"]), dtype=float)
    for c, run in enumerate(runs):
        sub = _slice(est, run)
        ratios = variance_ratios(sub, 0.95) if (sub["measure"] == "sq_error_ratio").any() else pd.DataFrame()
        ax = axes[0, c]
        ax.axhspan(0.97, 1.03, color="0.6", alpha=0.25, linewidth=0, label="±3%")
        ax.axhline(1.0, color="0.2", linewidth=0.8)
        for row in ratios.itertuples():
            x = row.dim * _dodge(combos.index((row.distribution, row.task)), len(combos))
            ax.errorbar(
                x,
                row.ratio,
                yerr=[[row.ratio - row.ci_low], [row.ci_high - row.ratio]],
                fmt="none",
                ecolor=palette[row.distribution],
                elinewidth=1.0,
                capsize=2,
            )
            ax.plot(
                x,
                row.ratio,
                marker=task_markers[row.task],
                color=palette[row.distribution],
                markersize=5,
                linestyle="none",
            )
        ax.set_xscale("log")
        ax.set_title(_run_label(*run), fontsize=9)
        ax.set_ylabel("variance / theory" if c == 0 else "")

        ax = axes[1, c]
        cos = sub[sub["measure"] == "cosine"]
        for (task, dim, dist), group in cos.groupby(["task", "dim", "distribution"], sort=True):
            mean, low, high = _mean_ci(np.abs(group["value"].to_numpy()))
            x = dim * _dodge(combos.index((dist, task)), len(combos))
            ax.errorbar(
                x,
                mean,
                yerr=[[mean - low], [high - mean]],
                fmt=task_markers[task],
                color=palette[dist],
                markersize=4,
                elinewidth=1.0,
                capsize=2,
            )
        grid = np.geomspace(all_dims.min(), all_dims.max(), 200) if all_dims.size else np.array([2.0])
        ax.plot(grid, np.sqrt(2 / (np.pi * grid)), color="0.2", linewidth=1.0)
        ax.plot(grid, [theory_abs_cosine(n) for n in grid], color="0.2", linestyle="--", linewidth=1.0)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("dimension n")
        ax.set_ylabel("mean |cos(g, grad f)|" if c == 0 else "")
    handles = _distribution_handles(palette, dists) + _marker_handles(task_markers)
    handles += [
        mpl.patches.Patch(color="0.6", alpha=0.4, label="variance ±3%"),
        Line2D([], [], color="0.2", label="sqrt(2/(pi n))"),
        Line2D([], [], color="0.2", linestyle="--", label="exact E|cos|"),
    ]
    caption = (
        "Figure f2_variance (claim F2). Top: mean of ||g - grad f||^2 / ||grad f||^2 over the samples "
        "divided by theory (n+1 Gaussian, n-1 Rademacher and sphere), with simultaneous 95% t-intervals "
        "(Bonferroni over configurations, as in the check); grey band: ±3% tolerance. Bottom: mean |cos(g, "
        "grad f)| with 95% t-intervals against sqrt(2/(pi n)) (solid) and the exact Gamma(n/2) / (sqrt(pi) "
        "Gamma((n+1)/2)) (dashed; exact for Gaussian and sphere tangents only). Points are spread "
        f"horizontally around each n for legibility. Experiment estimator: tasks {_fmt_list(tasks)}; dims "
        f"n = {_fmt_list(_sorted_unique(est['dim']))}; tangents {_fmt_list(dists)}; "
        f"S = {_sample_counts(table)} samples per configuration. " + _provenance(table)
    )
    _finish(fig, "f2_variance", caption, out_dir, handles)
    return caption


# ------------------------------------------------------------------------------------------------ B1
def _b1_tangent_choice(table: pd.DataFrame, out_dir: Path) -> str:
    it = table[table["measure"] == "iterations"]
    runs, dists = _runs(it), _sorted_unique(it["distribution"])
    palette = _palette(dists)
    unreached = int(it["value"].isna().sum())
    reached = it.dropna(subset=["value"])
    fig = Figure(figsize=(min(MAX_WIDTH, 2.0 + 4.2 * len(runs)), 3.6))
    axes = fig.subplots(1, len(runs), squeeze=False, sharey=True)
    dims = _sorted_unique(it["dim"])
    for c, run in enumerate(runs):
        ax = axes[0, c]
        sub = _slice(reached, run)
        if not sub.empty:
            sns.pointplot(
                data=sub,
                x="dim",
                y="value",
                hue="distribution",
                order=dims,
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
        ax.set_title(_run_label(*run), fontsize=9)
        ax.set_xlabel("dimension n")
        ax.set_ylabel("iterations to target (median, IQR)" if c == 0 else "")
    seeds = it.groupby(["framework", "device", "dim", "distribution"])["value"].size()
    n_seeds = _fmt_list(sorted({int(v) for v in seeds})) if len(seeds) else "?"
    caption = (
        "Figure b1_tangent_choice (claim B1). Forward-gradient descent x <- x - lr (grad f . v) v on "
        "f(x) = 1/2 ||x||^2 with lr = 1/(n+2): iterations until f(x) <= tol f(x0), median over starts with "
        "interquartile bars, log scale; fewer is better. Starts are shared by all distributions and "
        "frameworks. "
        f"Experiment fgd: tasks {_fmt_list(_sorted_unique(it['task']))}; dims n = {_fmt_list(dims)}; "
        f"tangents {_fmt_list(dists)}; {n_seeds} starts per point; {unreached} run(s) that never reached the "
        "target are left out of the medians. " + _provenance(table)
    )
    _finish(fig, "b1_tangent_choice", caption, out_dir, _distribution_handles(palette, dists), "tangents")
    return caption


# ------------------------------------------------------------------------------------------------ B4
def _b4_k_tangents(table: pd.DataFrame, out_dir: Path) -> str:
    runs = _runs(table)
    method_colors = dict(zip(["mean", "projection"], sns.color_palette("deep")[3:5], strict=True))
    fig = Figure(figsize=(min(MAX_WIDTH, 2.0 + 4.4 * len(runs)), 6.0))
    axes = fig.subplots(2, len(runs), squeeze=False, sharex=True)
    dims = _sorted_unique(table["dim"])
    for c, run in enumerate(runs):
        sub = _slice(table, run)
        for row, measure in enumerate(("cosine", "sq_error_ratio")):
            ax = axes[row, c]
            data = sub[sub["measure"] == measure]
            if measure == "sq_error_ratio":
                data = data[data["method"] == "mean"]
            for (method, _dim), group in data.groupby(["method", "dim"], sort=True):
                stats_ = [(k, *_mean_ci(g["value"].to_numpy())) for k, g in group.groupby("k", sort=True)]
                ks, means, lows, highs = (np.array(v, dtype=float) for v in zip(*stats_, strict=True))
                color = method_colors.get(method, "0.4")
                ax.errorbar(
                    ks,
                    means,
                    yerr=[means - lows, highs - means],
                    color=color,
                    marker="o",
                    markersize=4,
                    linewidth=1.2,
                    capsize=2,
                )
            for dim in _sorted_unique(data["dim"]):
                ks = np.array(sorted(data[data["dim"] == dim]["k"].unique()), dtype=float)
                reference = np.sqrt(ks / dim) if measure == "cosine" else (dim + 1) / ks
                ax.plot(ks, reference, color="0.2", linestyle="--", linewidth=1.0)
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            if row == 0:
                ax.set_title(_run_label(*run), fontsize=9)
            ax.set_xlabel("K (tangents)" if row == 1 else "")
            if c == 0:
                ax.set_ylabel(
                    "mean cos(g, grad f)" if row == 0 else "mean ||g - grad f||^2 / ||grad f||^2\n(mean of K)"
                )
    handles = [Line2D([], [], color=color, marker="o", label=f"{m} of K") for m, color in method_colors.items()]
    handles += [Line2D([], [], color="0.2", linestyle="--", label="top: sqrt(K/n)\nbottom: (n+1)/K")]
    repeats = table.groupby(["framework", "device", "method", "measure", "k"])["index"].nunique()
    n_repeats = _fmt_list(sorted({int(v) for v in repeats})) if len(repeats) else "?"
    caption = (
        "Figure b4_k_tangents (claim B4). Top: mean cosine between grad f and the K-tangent estimate, "
        "averaging (mean of K forward gradients) vs orthogonal projection onto the K tangents, with the "
        "claimed sqrt(K/n) for projection (dashed). Bottom: variance ratio of the mean of K forward "
        "gradients with the theory (n+1)/K (dashed). 95% t-intervals; log-log. "
        f"Experiment projection: tasks {_fmt_list(_sorted_unique(table['task']))}; n = {_fmt_list(dims)}; "
        f"tangents {_fmt_list(_sorted_unique(table['distribution']))}; K in "
        f"{{{_fmt_list(_sorted_unique(table['k']))}}}; {n_repeats} repeats per K. " + _provenance(table)
    )
    _finish(fig, "b4_k_tangents", caption, out_dir, handles, "aggregation")
    return caption


# ------------------------------------------------------------------------------------------- step cost
def step_cost_ratios(table: pd.DataFrame) -> pd.DataFrame:
    """Ratios of median step times per (framework, device, distribution): ``fg_over_jvp`` =
    t(fg_step)/t(jvp_only), ``r_f`` = t(fg_step)/t(forward_only), ``r_b`` = t(bp_step)/t(forward_only),
    ``bp_over_fg`` = t(bp_step)/t(fg_step); each t the median of the ``seconds`` rows (NaN when missing)."""
    keys = ["framework", "device", "distribution"]
    columns = [*keys, "fg_over_jvp", "r_f", "r_b", "bp_over_fg"]
    seconds = table[table["measure"] == "seconds"]
    if seconds.empty:
        return pd.DataFrame(columns=columns)
    med = seconds.groupby([*keys, "method"], sort=True)["value"].median().unstack("method")
    med = med.reindex(columns=list(STEP_KINDS))
    out = pd.DataFrame(
        {
            "fg_over_jvp": med["fg_step"] / med["jvp_only"],
            "r_f": med["fg_step"] / med["forward_only"],
            "r_b": med["bp_step"] / med["forward_only"],
            "bp_over_fg": med["bp_step"] / med["fg_step"],
        }
    ).reset_index()
    order = sorted(range(len(out)), key=lambda i: (out["framework"][i] != "pytorch", *out.loc[i, keys]))
    return out.loc[order, columns].reset_index(drop=True)


def _annotate_fg_bars(ax: object, dists: list[str], ratios: dict[str, float], position: int) -> None:
    """Write each distribution's t(fg_step)/t(jvp_only) inside its fg_step bar."""
    for dist, container in zip(dists, ax.containers, strict=False):
        for patch in container:
            center = patch.get_x() + patch.get_width() / 2
            if round(center) == position and np.isfinite(ratios.get(dist, np.nan)):
                ax.text(
                    center,
                    patch.get_height() / 2,
                    f"{ratios[dist]:.2f}x",
                    ha="center",
                    va="center",
                    rotation=90,
                    fontsize=7.5,
                    color="white",
                    fontweight="bold",
                )


def _step_cost(table: pd.DataFrame, out_dir: Path) -> str:
    seconds = table[table["measure"] == "seconds"].assign(ms=lambda d: d["value"] * 1e3)
    runs, dists = _runs(seconds), _sorted_unique(seconds["distribution"])
    palette = _palette(dists)
    methods = set(seconds["method"])
    kinds = [k for k in STEP_KINDS if k in methods] + sorted(methods - set(STEP_KINDS))
    ratios = step_cost_ratios(table)
    fig = Figure(figsize=(min(MAX_WIDTH, 2.0 + 4.4 * len(runs)), 3.8))
    axes = fig.subplots(1, len(runs), squeeze=False)
    for c, run in enumerate(runs):
        ax = axes[0, c]
        sub = _slice(seconds, run)
        sns.barplot(
            data=sub,
            x="method",
            y="ms",
            hue="distribution",
            order=kinds,
            hue_order=dists,
            palette=palette,
            estimator="median",
            errorbar=("pi", 50),
            capsize=0.1,
            err_kws={"linewidth": 1.0},
            ax=ax,
            legend=False,
        )
        r = ratios[(ratios["framework"] == run[0]) & (ratios["device"] == run[1])]
        fg_over_jvp = dict(zip(r["distribution"], r["fg_over_jvp"], strict=True))
        if "fg_step" in kinds:
            _annotate_fg_bars(
                ax, [d for d in dists if d in set(sub["distribution"])], fg_over_jvp, kinds.index("fg_step")
            )
        ax.set_title(f"{_run_label(*run)}\n(on fg_step bars: t(fg_step) / t(jvp_only))", fontsize=9)
        ax.set_xlabel("")
        ax.set_ylabel("time per step [ms] (median, IQR)" if c == 0 else "")
    repeats = seconds.groupby(["framework", "device", "distribution", "method"])["value"].size()
    n_repeats = _fmt_list(sorted({int(v) for v in repeats})) if len(repeats) else "?"
    caption = (
        "Figure step_cost. Wall time of one training step of the MLP, four ways: fg_step (sample tangents, "
        "JVP, update), jvp_only (JVP with precomputed tangents), bp_step (backprop + SGD update), "
        "forward_only (the loss); bars are medians over timed rounds with interquartile whiskers; first "
        "calls (compilation) are excluded. The number in each fg_step bar is t(fg_step)/t(jvp_only), the "
        "overhead of sampling tangents and updating. "
        f"Experiment step_cost: task {_fmt_list(_sorted_unique(seconds['task']))} "
        f"(n = {_fmt_list(_sorted_unique(seconds['dim']))} parameters); tangents {_fmt_list(dists)}; "
        f"{n_repeats} timed rounds per bar. " + _provenance(table)
    )
    _finish(fig, "step_cost", caption, out_dir, _distribution_handles(palette, dists), "tangents")
    return caption


# ---------------------------------------------------------------------------------------------- entry
FIGURES = (
    ("f1_unbiasedness", "estimator", _f1_unbiasedness),
    ("f2_variance", "estimator", _f2_variance),
    ("b1_tangent_choice", "fgd", _b1_tangent_choice),
    ("b4_k_tangents", "projection", _b4_k_tangents),
    ("step_cost", "step_cost", _step_cost),
)


def make_figures(tables: dict[str, pd.DataFrame], out_dir: Path) -> dict[str, str]:
    """Write every figure whose experiment table is present (PNG at ``DPI`` and PDF) and
    ``captions.json``; return {figure stem: caption}."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    captions: dict[str, str] = {}
    with mpl.rc_context():
        sns.set_theme(style="whitegrid", context="paper")
        for stem, experiment, draw in FIGURES:
            table = tables.get(experiment)
            if table is None or table.empty:
                continue
            captions[stem] = draw(table, out_dir)
    (out_dir / "captions.json").write_text(json.dumps(captions, indent=2, sort_keys=True) + "\n")
    return captions
