"""Figures of the study ``neuroevolution`` (``FIGURES``) and its sections of REPORT.md (``report_sections``).

Every figure reads the bands from :mod:`benchmarks.neuroevolution.thresholds` and the comparisons from the
checks' own functions, one (framework, device) slice per column:

- ``neuroevolution_returns`` (G4, G5): elite score vs frames, mean and 95% band over runs, per environment and
  method (GA, random search, OpenAI-ES), the common frame budget of G5 and CartPole's solved line;
- ``neuroevolution_maze`` (G6): the final positions of the last population (the GA, GA-NS) or of ES's final
  mean over the maze's walls, the start, the trap and the goal, with each method's rate of runs reaching it;
- ``neuroevolution_compression`` (G2): bytes of theta and of the seed list vs generations, and their ratio
  with the 10^4 line and the judged generation counts;
- ``neuroevolution_encoding`` (G1, G3): the largest difference between decoding paths, PyTorch vs JAX and the
  float64 reference per genome, with G1's tolerance;
- ``neuroevolution_scaling`` (G7): seconds per generation vs workers (and in-process), bytes per generation of the
  small and the 4 M-parameter net beside what sending parameters would cost;
- ``neuroevolution_throughput``: generations per second of our GA and the library GAs, per framework.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle
from scipy import stats

from benchmarks import plotting as pl
from benchmarks.neuroevolution import thresholds
from benchmarks.neuroevolution.check_encoding import framework_gaps, within_framework_gaps
from benchmarks.neuroevolution.check_maze import success_by_method
from benchmarks.neuroevolution.check_scaling import per_generation, traffic
from benchmarks.neuroevolution.experiments.scaling import IN_PROCESS, LARGE, RAY, SMALL
from benchmarks.neuroevolution.outcomes import common_budget, curves, final_positions, on_grid, run_table
from benchmarks.neuroevolution.runs import ES, GA, METHOD_LABELS, NOVELTY_SEARCH, RANDOM_SEARCH
from benchmarks.plotting import FigureSpec
from benchmarks.proportions import clopper_pearson
from implementations.contracts.control_envs import (
    MAZE_GOAL,
    MAZE_GOAL_RADIUS,
    MAZE_HORIZONTAL_WALLS,
    MAZE_SIZE,
    MAZE_START,
    MAZE_TRAP,
    MAZE_VERTICAL_WALLS,
)

METHOD_ORDER: tuple[str, ...] = (GA, RANDOM_SEARCH, ES, NOVELTY_SEARCH)
ENV_ORDER: tuple[str, ...] = ("cartpole", "acrobot", "minatar_breakout", "minatar_asterix", "deceptive_maze")
GRID_POINTS = 60


def _colours() -> dict[str, tuple]:
    return pl.colours(METHOD_ORDER)


def _label(method: str) -> str:
    return METHOD_LABELS.get(method, method)


def _method_handles(methods: list[str]) -> list:
    colours = _colours()
    return [Line2D([], [], color=colours.get(m, "0.3"), linewidth=2, label=_label(m)) for m in methods]


def _no_data(ax: Axes, text: str = "no data") -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, fontsize=8, color="0.4")


def _band(values: np.ndarray, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean over runs (axis 0, NaN ignored) and its pointwise t-interval (NaN where fewer than two runs)."""
    count = np.sum(np.isfinite(values), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: before a run's first generation
        mean = np.nanmean(values, axis=0)
        sd = np.nanstd(values, axis=0, ddof=1)
    half = stats.t.ppf(0.5 + confidence / 2, np.maximum(count - 1, 1)) * sd / np.sqrt(np.maximum(count, 1))
    half = np.where(count >= 2, half, np.nan)
    return mean, mean - half, mean + half


# ----------------------------------------------------------------------------------------------- returns
def _returns_panel(ax: Axes, curve: pd.DataFrame, env: str) -> None:
    colours = _colours()
    rows = curve[curve["task"] == env]
    grid = np.linspace(0.0, float(rows["cumulative_frames"].max()), GRID_POINTS)
    for method in pl.ordered(rows["method"], METHOD_ORDER):
        sub = on_grid(rows[rows["method"] == method], "elite_fitness", grid)
        values = np.stack([g["value"].to_numpy() for _, g in sub.groupby("run")])
        values[:, ~np.all(np.isfinite(values), axis=0)] = np.nan  # only where every run has a value
        mean, low, high = _band(values)
        ax.plot(grid, mean, color=colours[method], linewidth=1.3)
        ax.fill_between(grid, low, high, color=colours[method], alpha=0.2, linewidth=0)
    pair = rows[rows["method"].isin((GA, RANDOM_SEARCH))]
    if pair["method"].nunique() == 2:
        ax.axvline(common_budget(pair), color="0.3", linestyle=":", linewidth=0.9)
    if env in thresholds.G4.solved:
        ax.axhline(thresholds.G4.solved[env], color="0.2", linestyle="--", linewidth=0.9)
    ax.set_title(env, fontsize=8)


def _returns(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    table = pd.concat([tables["control"], tables["minatar"]], ignore_index=True)
    curve = curves(table)
    envs = pl.ordered(curve["task"], ENV_ORDER)
    slices = pl.runs(table)
    fig = Figure(figsize=(min(pl.MAX_WIDTH, 1.9 + 2.6 * len(envs)), 1.2 + 2.2 * len(slices)))
    axes = fig.subplots(len(slices), len(envs), squeeze=False)
    for r, run in enumerate(slices):
        sub = pl.run_rows(curve, run)
        for c, env in enumerate(envs):
            ax = axes[r, c]
            if (sub["task"] == env).any():
                _returns_panel(ax, sub, env)
            else:
                _no_data(ax)
            ax.set_xlabel("frames" if r == len(slices) - 1 else "")
            ax.set_ylabel(f"{pl.run_label(*run)}\nelite score" if c == 0 else "", fontsize=7)
    methods = pl.ordered(curve["method"], METHOD_ORDER)
    handles = [
        *_method_handles(methods),
        Line2D([], [], color="0.3", linestyle=":", label="G5 frame budget"),
        Line2D([], [], color="0.2", linestyle="--", label="CartPole solved (G4)"),
    ]
    runs_per = run_table(table).groupby(["framework", "task", "method"]).size()
    caption = (
        "Figure neuroevolution_returns (claims G4, G5). Elite score (the elite's mean over its re-evaluation "
        "episodes; OpenAI-ES: the mean parameters' score) against cumulative environment frames, mean over runs "
        "with a pointwise 95% t-band where every run has a value (from the end of the slowest first generation to "
        "the end of the shortest run), per environment (columns) and slice (rows). Dotted: the common frame budget "
        "at which G5 compares the GA with random search (the fewest total frames of any of their runs); dashed: "
        f"CartPole's solved return {thresholds.G4.solved.get('cartpole', float('nan')):g}. Experiments control "
        f"and minatar: {runs_per.min() if len(runs_per) else 0}-{runs_per.max() if len(runs_per) else 0} runs per "
        "method and environment. " + pl.provenance(table)
    )
    pl.finish(fig, "neuroevolution_returns", caption, out_dir, handles)
    return caption


# ----------------------------------------------------------------------------------------------- maze
def _walls(ax: Axes) -> None:
    for x, y0, y1 in MAZE_VERTICAL_WALLS:
        ax.plot([x, x], [y0, y1], color="0.15", linewidth=1.6)
    for y, x0, x1 in MAZE_HORIZONTAL_WALLS:
        ax.plot([x0, x1], [y, y], color="0.15", linewidth=1.6)
    ax.add_patch(Circle(MAZE_GOAL, MAZE_GOAL_RADIUS, color="tab:green", alpha=0.3))
    ax.plot(*MAZE_START, marker="s", color="0.2", markersize=5)
    ax.plot(*MAZE_TRAP, marker="x", color="tab:red", markersize=6)
    ax.set_xlim(-0.5, MAZE_SIZE + 0.5)
    ax.set_ylim(-0.5, MAZE_SIZE + 0.5)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])


def _maze(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    table = tables["maze"]
    slices = pl.runs(table)
    positions = final_positions(table)
    methods = pl.ordered(positions["method"], (NOVELTY_SEARCH, GA, ES))
    colours = _colours()
    fig = Figure(figsize=(min(pl.MAX_WIDTH, 1.0 + 2.5 * len(methods)), 0.6 + 2.6 * len(slices)))
    axes = fig.subplots(len(slices), len(methods), squeeze=False)
    for r, run in enumerate(slices):
        reached, budget = success_by_method(pl.run_rows(table, run))
        for c, method in enumerate(methods):
            ax = axes[r, c]
            _walls(ax)
            sub = pl.run_rows(positions, run)
            sub = sub[sub["method"] == method]
            rng = np.random.default_rng(0)  # jitter: many individuals end on the same lattice point
            jitter = rng.uniform(-0.3, 0.3, (len(sub), 2))
            ax.scatter(sub["x"] + jitter[:, 0], sub["y"] + jitter[:, 1], s=4, color=colours[method], alpha=0.35)
            hits = reached[reached["method"] == method]
            k, n = int(hits["reached"].sum()), len(hits)
            low, high = clopper_pearson(k, n, 0.95) if n else (np.nan, np.nan)
            ax.set_title(f"{_label(method)}: goal in {k}/{n} runs [{low:.2f}, {high:.2f}]", fontsize=7)
            if c == 0:
                ax.set_ylabel(pl.run_label(*run), fontsize=7)
    handles = [
        Line2D([], [], color="0.15", linewidth=1.6, label="walls"),
        Line2D([], [], marker="s", color="0.2", linestyle="none", label="start"),
        Line2D([], [], marker="x", color="tab:red", linestyle="none", label="trap"),
        Line2D([], [], marker="o", color="tab:green", alpha=0.4, linestyle="none", markersize=9, label="goal radius"),
    ]
    g6 = thresholds.G6
    caption = (
        "Figure neuroevolution_maze (claim G6). Final positions (jittered by up to 0.3 so coincident ends show) of "
        "the last population of every run (GA-NS, GA) or of OpenAI-ES's final mean parameters, one episode each, "
        "over the deceptive maze: the trap (x) lies straight toward the goal (green disc, radius "
        f"{MAZE_GOAL_RADIUS:g}). Titles: runs in which some evaluated individual reached the goal within the common "
        "frame budget, with the 95% Clopper-Pearson interval; G6 asks GA-NS for at least "
        f"{g6.novelty_at_least:.0%} and the GA and ES for at most {g6.others_at_most:.0%} (one-sided bounds, "
        "Bonferroni over the three). Experiment maze. " + pl.provenance(table)
    )
    pl.finish(fig, "neuroevolution_maze", caption, out_dir, handles)
    return caption


# ----------------------------------------------------------------------------------------------- encoding
def _size_table(table: pd.DataFrame) -> tuple[float, pd.DataFrame]:
    """(bytes of theta, per g: measured seed-list bytes and pickle bytes) of the judged Atari net."""
    rows = table[(table["method"] == "size") & (table["task"] == f"atari_dqn_{thresholds.G2.actions}")]
    theta = float(rows.loc[rows["measure"] == "parameter_bytes", "value"].max())
    per_g = rows[rows["measure"].isin(("genome_bytes", "pickle_bytes"))].pivot_table(
        index="generations", columns="measure", values="value", aggfunc="max"
    )
    return theta, per_g.reset_index()


def _compression(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    table = tables["encoding"]
    g2 = thresholds.G2
    theta, sizes = _size_table(table)
    fig = Figure(figsize=(8.0, 3.2))
    left, right = fig.subplots(1, 2)
    g = sizes["generations"].to_numpy(float) + 1.0  # seeds in the list: log axes start at g = 0
    left.plot(g, np.full(g.size, theta), color="tab:blue", label="theta (float32)")
    left.plot(g, sizes["genome_bytes"], color="tab:orange", marker="o", markersize=3, label="seed list (int64)")
    if "pickle_bytes" in sizes:
        left.plot(g, sizes["pickle_bytes"], color="tab:orange", linestyle=":", label="seed list (Python pickle)")
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("seeds in the genome (g + 1)")
    left.set_ylabel("bytes")
    left.legend(fontsize=7, frameon=False)
    right.plot(g, theta / sizes["genome_bytes"], color="tab:purple", marker="o", markersize=3)
    right.axhline(g2.low, color="0.2", linestyle="--", linewidth=0.9)
    for judged in g2.generations:
        right.axvline(judged + 1, color="0.6", linestyle=":", linewidth=0.8)
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xlabel("seeds in the genome (g + 1)")
    right.set_ylabel("bytes of theta / bytes of the seed list")
    caption = (
        f"Figure neuroevolution_compression (claim G2). Left: bytes of the Atari DQN net's parameters "
        f"({theta:,.0f} bytes of float32) and of its seed-list genome after g generations (8 bytes per seed, "
        "measured from the int64 serialisation; dotted: Python's pickle of the tuple), log-log. Right: their "
        f"ratio; dashed: G2's {g2.low:g}; dotted verticals: the judged generation counts "
        f"{pl.fmt_list(list(g2.generations))}. Experiment encoding. " + pl.provenance(table)
    )
    pl.finish(fig, "neuroevolution_compression", caption, out_dir)
    return caption


def _encoding(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    table = tables["encoding"]
    g1 = thresholds.G1
    decode = table[table["method"] == "decode"]
    gaps = framework_gaps(table)
    within = within_framework_gaps(table)
    policies = pl.ordered(decode["task"], ("mlp_cartpole", "atari_dqn_18"))
    fig = Figure(figsize=(8.5, 3.2))
    axes = fig.subplots(1, len(policies), squeeze=False)[0]
    floor = 1e-12
    frameworks = sorted(decode["framework"].unique())
    palette = dict(zip(frameworks, sns.color_palette("deep", len(frameworks) + 2)[2:], strict=True))
    for ax, policy in zip(axes, policies, strict=True):
        rows = decode[(decode["task"] == policy) & (decode["measure"] == "reference_error")]
        for k, (fw, sub) in enumerate(rows.groupby("framework")):
            x = sub["generations"] - 0.1 * (k + 1)
            ax.scatter(x, np.maximum(sub["value"], floor), s=14, color=palette[fw], marker="^")
        sub = gaps[gaps["task"] == policy]
        ax.scatter(sub["generations"] + 0.1, np.maximum(sub["relative_gap"], floor), s=14, color="0.2", marker="o")
        ax.axhline(g1.relative, color="0.2", linestyle="--", linewidth=0.9)
        ax.set_yscale("log")
        ax.set_xlabel("generations (mutations after tau_0)")
        ax.set_title(policy, fontsize=8)
    axes[0].set_ylabel("largest |difference| / largest |theta|")
    handles = [
        *(Line2D([], [], color=palette[f], marker="^", linestyle="none", label=f"{f} vs float64") for f in frameworks),
        Line2D([], [], color="0.2", marker="o", linestyle="none", label="PyTorch vs JAX"),
        Line2D([], [], color="0.2", linestyle="--", label=f"G1 tolerance {g1.relative:g}"),
    ]
    counts = table[(table["method"] == "size") & (table["measure"] == "n_params_layout")]
    counts = counts.drop_duplicates(["task", "value"])
    text = ", ".join(f"{t}: {v:,.0f}" for t, v in zip(counts["task"], counts["value"], strict=True))
    paths = ", ".join(f"{fw} {gap:g}" for fw, gap in within.items())
    caption = (
        "Figure neuroevolution_encoding (claims G1, G3). Per decoded genome: the largest difference from the "
        "float64 NumPy reference (triangles, per framework) and between PyTorch and JAX over the compared "
        f"coordinates (circles), relative to the largest |theta|; values below {floor:g} are drawn at it (exact "
        f"agreement). Largest difference between one framework's decoding paths (twice, reversed batch, parent "
        f"cache): {paths}. Parameter counts (G3): {text}. Experiment encoding. " + pl.provenance(table)
    )
    pl.finish(fig, "neuroevolution_encoding", caption, out_dir, handles)
    return caption


# ----------------------------------------------------------------------------------------------- scaling
def _scaling(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    table = tables["scaling"]
    slices = pl.runs(table)
    fig = Figure(figsize=(8.5, 3.0 * len(slices)))
    axes = fig.subplots(len(slices), 2, squeeze=False)
    for r, run in enumerate(slices):
        sub = pl.run_rows(table, run)
        ax = axes[r, 0]
        workers = sorted(int(w) for w in sub.loc[sub["engine"] == RAY, "workers"].unique())
        for w in workers:
            seconds = per_generation(sub, SMALL, RAY, w, "wall_time")
            ax.boxplot(seconds, positions=[w], widths=0.3, showfliers=False)
        inproc = per_generation(sub, SMALL, IN_PROCESS, 1, "wall_time")
        if len(inproc):
            ax.boxplot(inproc, positions=[0], widths=0.3, showfliers=False)
        ax.set_xticks([0, *workers], ["in-process", *(str(w) for w in workers)])
        ax.set_xlabel("Ray workers")
        ax.set_ylabel(f"{pl.run_label(*run)}\nseconds per generation", fontsize=7)
        ax = axes[r, 1]
        most = max(workers) if workers else 1
        for task, colour in ((SMALL, "tab:blue"), (LARGE, "tab:orange")):
            sent = traffic(sub, task, most)
            would = per_generation(sub, task, RAY, most, "parameter_bytes")
            if len(sent):
                ax.plot(sent.index, sent.to_numpy(), color=colour, marker="o", markersize=3)
                ax.plot(would.index, would.to_numpy(), color=colour, linestyle="--")
        ax.set_yscale("log")
        ax.set_xlabel("generation")
        ax.set_ylabel("bytes per generation")
    sizes = table[table["measure"] == "n_params"].groupby("task")["value"].max()
    handles = [
        Line2D([], [], color="tab:blue", marker="o", label=f"{sizes.get(SMALL, np.nan):,.0f} params"),
        Line2D([], [], color="tab:orange", marker="o", label=f"{sizes.get(LARGE, np.nan):,.0f} params"),
        Line2D([], [], color="0.3", linestyle="--", label="if theta were sent"),
    ]
    g7 = thresholds.G7
    caption = (
        "Figure neuroevolution_scaling (claim G7). Left: seconds per GA generation on CartPole (the same genomes on "
        "every engine), in-process with one thread and on 1..n Ray workers of one thread each; boxes over the timed "
        f"generations (warm-up dropped). G7 asks the median on 1 worker over that on the most for at least "
        f"{g7.speedup_at_least:g}. Right: bytes Ray serialised per generation (sent + received) for the small and "
        "the 4 M-parameter MLP, beside what sending every evaluated individual's parameters would cost (dashed); "
        f"G7 asks the large-over-small ratio to lie in [{g7.bytes_band[0]:g}, {g7.bytes_band[1]:g}]. Experiment "
        "scaling. " + pl.provenance(table)
    )
    pl.finish(fig, "neuroevolution_scaling", caption, out_dir, handles)
    return caption


# ----------------------------------------------------------------------------------------------- throughput
def throughput_table(table: pd.DataFrame) -> pd.DataFrame:
    """Per slice and GA: median and quartiles of seconds per generation, first call, rounds."""
    rows = table[table["measure"] == "seconds_per_generation"]
    grouped = rows.groupby(["framework", "device", "engine", "method"])["value"]
    out = grouped.agg(median="median", q1=lambda v: v.quantile(0.25), q3=lambda v: v.quantile(0.75), rounds="size")
    first = table[table["measure"] == "first_call_seconds"].groupby(["framework", "device", "engine"])["value"].max()
    out = out.reset_index()
    out["first_call"] = [
        first.get((f, d, e), np.nan) for f, d, e in zip(out["framework"], out["device"], out["engine"], strict=True)
    ]
    return out


def _throughput(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    table = tables["throughput"]
    summary = throughput_table(table)
    slices = pl.runs(table)
    fig = Figure(figsize=(3.2 * max(len(slices), 1) + 1.0, 3.2))
    axes = fig.subplots(1, len(slices), squeeze=False)[0]
    for ax, run in zip(axes, slices, strict=True):
        sub = pl.run_rows(summary, run).sort_values("engine", ascending=False)
        x = np.arange(len(sub))
        colours = ["tab:blue" if e == "suite" else "tab:gray" for e in sub["engine"]]
        ax.bar(x, 1.0 / sub["median"], color=colours)
        low, high = 1.0 / sub["q3"], 1.0 / sub["q1"]
        ax.errorbar(
            x,
            1.0 / sub["median"],
            yerr=[1.0 / sub["median"] - low, high - 1.0 / sub["median"]],
            fmt="none",
            color="0.2",
            capsize=3,
        )
        ax.set_xticks(x, [m.replace(" (", "\n(") for m in sub["method"]], fontsize=7)
        ax.set_title(pl.run_label(*run), fontsize=8)
        ax.set_ylabel("generations per second")
    cfg = table.iloc[0]
    caption = (
        "Figure neuroevolution_throughput (report only). Generations per second (1 / the median seconds per "
        "generation over interleaved timed rounds; bars: interquartile range) of the suite's GA (in-process, "
        "elite re-evaluation of 1 candidate on 1 episode) and of a library GA of the same framework (JAX: evosax "
        "SimpleGA with its gymnax rollout, one jitted scan; PyTorch: EvoTorch's GeneticAlgorithm on VecGymNE) on "
        f"the same CartPole MLP, population and episode cap ({cfg['task']}), every round from a fresh random "
        "population, both on the experiment's evaluation threads (params: throughput.threads, which pin the "
        "stage; the device label gives the suite's thread setting); compilation (the first call) excluded. The "
        "GAs differ in selection and elitism, so this compares speed, not learning. Experiment throughput. "
        + pl.provenance(table)
    )
    pl.finish(fig, "neuroevolution_throughput", caption, out_dir)
    return caption


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("neuroevolution_returns", ("control", "minatar"), _returns),
    FigureSpec("neuroevolution_maze", ("maze",), _maze),
    FigureSpec("neuroevolution_compression", ("encoding",), _compression),
    FigureSpec("neuroevolution_encoding", ("encoding",), _encoding),
    FigureSpec("neuroevolution_scaling", ("scaling",), _scaling),
    FigureSpec("neuroevolution_throughput", ("throughput",), _throughput),
)


# ----------------------------------------------------------------------------------------------- report
RETURN_COLUMNS = ("framework", "device", "environment", "method", "runs", "final score (mean)", "sd", "total frames")


def return_rows(tables: Mapping[str, pd.DataFrame]) -> list[list[object]]:
    """REPORT.md rows: per slice, environment and method, the runs' final scores and frames."""
    parts = [run_table(tables[n]) for n in ("control", "minatar", "maze") if n in tables and not tables[n].empty]
    if not parts:
        return []
    runs = pd.concat(parts, ignore_index=True)
    out = []
    for (framework, device, env, method), rows in runs.groupby(["framework", "device", "task", "method"]):
        scores = rows["final_score"].to_numpy(float)
        out.append(
            [
                framework,
                device,
                env,
                _label(str(method)),
                len(scores),
                float(scores.mean()),
                float(scores.std(ddof=1)) if len(scores) > 1 else float("nan"),
                float(rows["total_frames"].median()),
            ]
        )
    return out


THROUGHPUT_COLUMNS = ("framework", "device", "GA", "ms per generation (median)", "IQR", "first call (s)", "rounds")


def throughput_rows(table: pd.DataFrame) -> list[list[object]]:
    """REPORT.md rows: per slice and GA, the median milliseconds per generation."""
    return [
        [
            r.framework,
            r.device,
            r.method,
            1e3 * r.median,
            f"[{1e3 * r.q1:.3g}, {1e3 * r.q3:.3g}]",
            r.first_call,
            r.rounds,
        ]
        for r in throughput_table(table).itertuples()
    ]


SCALING_COLUMNS = (
    "framework",
    "device",
    "net",
    "parameters",
    "engine",
    "workers",
    "seconds per generation (median)",
    "bytes per generation (median)",
    "bytes if theta were sent",
)


def scaling_rows(table: pd.DataFrame) -> list[list[object]]:
    """REPORT.md rows: per slice, net and engine, the median seconds and bytes per generation."""
    out = []
    sizes = table[table["measure"] == "n_params"].groupby(["framework", "task"])["value"].max()
    keys = table[table["generation"] > 0][["framework", "device", "task", "engine", "workers"]].drop_duplicates()
    for row in keys.sort_values(["framework", "task", "engine", "workers"]).itertuples():
        sub = pl.run_rows(table, (row.framework, row.device))
        seconds = per_generation(sub, row.task, row.engine, row.workers, "wall_time")
        sent = per_generation(sub, row.task, row.engine, row.workers, "bytes_sent")
        received = per_generation(sub, row.task, row.engine, row.workers, "bytes_received")
        would = per_generation(sub, row.task, row.engine, row.workers, "parameter_bytes")
        out.append(
            [
                row.framework,
                row.device,
                row.task,
                sizes.get((row.framework, row.task), np.nan),
                row.engine,
                int(row.workers),
                float(seconds.median()),
                float((sent + received).median()) if row.engine == RAY else None,
                float(would.median()),
            ]
        )
    return out


def report_sections(tables: Mapping[str, pd.DataFrame]) -> list[dict]:
    """REPORT.md's sections of the study: the final scores of every search run, the GA throughput."""
    sections = []
    if "throughput" in tables and not tables["throughput"].empty:
        sections.append(
            {
                "title": "Deep neuroevolution: GA throughput",
                "text": "Milliseconds per generation of the suite's GA and of a library GA of the same framework "
                "(evosax SimpleGA in JAX, EvoTorch's GeneticAlgorithm in PyTorch) on the same CartPole MLP, "
                "population and episode cap, timed interleaved in one process (experiment `throughput`; first call "
                "with compilation apart). Reported, not judged.",
                "columns": list(THROUGHPUT_COLUMNS),
                "rows": throughput_rows(tables["throughput"]),
                "figure": "neuroevolution_throughput",
            }
        )
    if "scaling" in tables and not tables["scaling"].empty:
        sections.append(
            {
                "title": "Deep neuroevolution: the distributed GA",
                "text": "Median seconds per GA generation on CartPole (the same genomes on every engine; warm-up "
                "generations dropped) in-process and on Ray workers, and the bytes Ray serialised per generation "
                "(sent + received) beside what sending every evaluated individual's parameters would cost "
                "(experiment `scaling`, claim G7).",
                "columns": list(SCALING_COLUMNS),
                "rows": scaling_rows(tables["scaling"]),
                "figure": "neuroevolution_scaling",
            }
        )
    rows = return_rows(tables)
    if not rows:
        return sections
    return [
        {
            "title": "Deep neuroevolution: final scores",
            "text": "Each run's final score (the last elite of the GA and random search, GA-NS's best-reward "
            "individual, OpenAI-ES's final mean parameters, over the run's final episodes), mean and standard "
            "deviation over runs, and the median total frames of a run (every evaluation, elite re-evaluations and "
            "the final score included). The claims compare methods at equal frames from the per-generation records "
            "(figure neuroevolution_returns).",
            "columns": list(RETURN_COLUMNS),
            "rows": rows,
            "figure": "neuroevolution_returns",
        },
        *sections,
    ]
