"""Figures of the study ``alopex`` (``FIGURES``) and its extra sections of REPORT.md (``report_sections``).

Each figure looks its bands up in the claim thresholds (:mod:`benchmarks.alopex.thresholds`) when it draws, and
computes its intervals with the checks' own functions, so it shows the numbers the verdicts use. Figures read
the evaluation runs (the sweeps that picked the step sizes are left out), one (framework, device) slice at a
time, and keep censored runs: a Kaplan-Meier median that never drops to 1/2 is drawn at the budget as an open
up-triangle labelled '> budget', a bound that is infinite runs to the edge and ends in a caret.

- ``alopex_iterations`` (A2, A9): KM median iterations to the criterion per task and method; the paired
  ratios Alopex-94/backprop and Alopex-B/Alopex-94 with the checks' intervals and A2's band;
- ``alopex_success`` (A1): success rates with the check's Clopper-Pearson bounds and A1's band;
- ``alopex_encoder_scaling`` (A3): median iterations vs weights on the encoders (log-log), fitted slopes;
- ``alopex_discontinuous`` (A4): success rates of Heaviside nets, Alopex-94 vs backprop, A4's band;
- ``alopex_recurrent`` (A5): held-out accuracy of the Elman nets per method, A5's band;
- ``alopex_monks`` (A6): test accuracy per MONK's problem and the paired difference with A6's margin;
- ``alopex_annealing`` (A7): success annealed vs fixed temperature, the gain with A7's band, error traces;
- ``alopex_error_measure`` (A8): squared vs cross-entropy error, success, medians and the ratio with A8's margin;
- ``alopex_traces``: temperature, mean |correlation|, downhill fraction and error vs iteration on XOR;
- ``alopex_iteration_cost``: seconds per iteration vs seeds run side by side, and Alopex / forward pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.markers import CARETDOWNBASE, CARETUPBASE
from matplotlib.patches import Patch
from matplotlib.ticker import LogFormatter
from scipy import stats

from benchmarks import plotting as pl
from benchmarks.alopex import thresholds
from benchmarks.alopex.check_comparisons import check_monks, median_bounds
from benchmarks.alopex.check_learning_time import SEED, median_ratios
from benchmarks.alopex.check_success import check_encoder_scaling, success_rates
from benchmarks.alopex.experiments.annealing import ANNEALED, FIXED
from benchmarks.alopex.experiments.error_measure import ERRORS
from benchmarks.alopex.experiments.iteration_cost import FORWARD_ONLY
from benchmarks.alopex.outcomes import ENCODERS, arrays, paired, paired_arrays, run_outcomes
from benchmarks.alopex.runs import ALOPEX_94, ALOPEX_B, BACKPROP, EVALUATION, FORWARD_PASSES_PER_ITERATION
from benchmarks.alopex.tasks import BOOLEAN_LAYERS, MONKS_PROBLEMS, weight_count
from benchmarks.plotting import FigureSpec
from benchmarks.proportions import clopper_pearson, difference_ci
from benchmarks.stats import simultaneous_confidence
from benchmarks.survival import median_ci, paired_median_ratio_ci

SQUARED, CROSS_ENTROPY = ERRORS
METHOD_ORDER: tuple[str, ...] = (ALOPEX_94, ALOPEX_B, BACKPROP, FORWARD_ONLY, ANNEALED, FIXED, SQUARED, CROSS_ENTROPY)
METHOD_LABELS: dict[str, str] = {
    ALOPEX_94: "Alopex-94",
    ALOPEX_B: "Alopex-B",
    BACKPROP: "backprop",
    FORWARD_ONLY: "forward pass only",
    ANNEALED: "annealed T",
    FIXED: "fixed T",
    SQUARED: "squared error",
    CROSS_ENTROPY: "cross-entropy",
}
TASK_ORDER: tuple[str, ...] = (*BOOLEAN_LAYERS, *MONKS_PROBLEMS, "temporal_xor")
LINESTYLES = ("-", "--", ":", "-.")
TRACES: tuple[tuple[str, str], ...] = (
    ("trace_temperature", "temperature T"),
    ("trace_mean_abs_correlation", "mean |correlation|"),
    ("trace_downhill_fraction", "downhill fraction"),
    ("trace_error", "training error"),
)
LOG_TRACES = frozenset({"trace_temperature", "trace_mean_abs_correlation", "trace_error"})
TRACE_TASK = "xor"
CENSORED = "> budget"
INTERVAL_COLUMNS = ("framework", "device", "task", "estimate", "low", "high")


# ----------------------------------------------------------------------------------------------- helpers
def _colours() -> dict[str, tuple]:
    return pl.colours(METHOD_ORDER)


def _label(method: str) -> str:
    return METHOD_LABELS.get(method, method)


def _styles(runs: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, str]]:
    """(marker, linestyle) per (framework, device) slice, for figures that draw every slice on one axes."""
    return {run: (pl.MARKERS[i % len(pl.MARKERS)], LINESTYLES[i % len(LINESTYLES)]) for i, run in enumerate(runs)}


def _style_handles(styles: dict[tuple[str, str], tuple[str, str]]) -> list:
    return [
        Line2D([], [], color="0.3", marker=m, linestyle=ls, label=pl.run_label(*run)) for run, (m, ls) in styles.items()
    ]


def _method_handles(methods: list[str], marker: str = "o", linestyle: str = "none") -> list:
    colours = _colours()
    return [Line2D([], [], color=colours[m], marker=marker, linestyle=linestyle, label=_label(m)) for m in methods]


def _censored_handle() -> Line2D:
    return Line2D([], [], color="0.3", marker="^", mfc="white", linestyle="none", label=f"median {CENSORED}")


def _offsets(count: int, width: float = 0.6) -> np.ndarray:
    """x offsets of ``count`` series dodged around a category."""
    return np.linspace(-width / 2, width / 2, count) if count > 1 else np.zeros(1)


def _outcomes(table: pd.DataFrame, run: tuple[str, str] | None = None) -> pd.DataFrame:
    """:func:`run_outcomes` of one slice's evaluation runs (all of ``table`` when ``run`` is None); empty when
    the slice has none."""
    rows = table if run is None else pl.run_rows(table, run)
    if "phase" not in rows or not (rows["phase"] == EVALUATION).any():
        return pd.DataFrame(columns=["task", "method", "step_size", "run", "iterations", "reached"])
    return run_outcomes(rows)


def _sample(outcomes: pd.DataFrame, task: str, method: str) -> pd.DataFrame:
    """The runs of (task, method), by run index (possibly none)."""
    return outcomes[(outcomes["task"] == task) & (outcomes["method"] == method)].sort_values("run")


def _budget(outcomes: pd.DataFrame, task: str) -> float:
    """The task's iteration budget: its runs' ``budget`` rows, else the iterations its censored runs stopped at
    (NaN when neither is known)."""
    rows = outcomes[outcomes["task"] == task]
    if "budget" in rows and rows["budget"].notna().any():
        return float(rows["budget"].max())
    censored = rows[~rows["reached"].astype(bool)]
    return float(censored["iterations"].max()) if len(censored) else float("nan")


def _counts(sizes: list[int]) -> str:
    """'8' or '6-8': runs per configuration."""
    return "?" if not sizes else f"{min(sizes)}" if min(sizes) == max(sizes) else f"{min(sizes)}-{max(sizes)}"


def _runs_per(outcomes_by_run: list[pd.DataFrame]) -> str:
    return _counts([len(g) for o in outcomes_by_run if len(o) for _, g in o.groupby(["task", "method"])])


def _fmt(value: float) -> str:
    return "inf" if np.isposinf(value) else "n/a" if np.isnan(value) else f"{value:.3g}"


def _interval(low: float, high: float) -> str:
    return f"[{_fmt(low)}, {_fmt(high)}]"


def _log_limits(values: list[float], pad: float = 2.5) -> tuple[float, float]:
    finite = [v for v in values if np.isfinite(v) and v > 0]
    if not finite:
        return 0.1, 10.0
    return min(finite) / pad, max(finite) * pad


def _point(
    ax: Axes,
    x: float,
    estimate: float,
    low: float,
    high: float,
    color: object,
    top: float,
    bottom: float,
    marker: str = "o",
    label: str | None = None,
) -> None:
    """One estimate and its interval on a log axis. An infinite estimate is drawn at ``top`` as an open
    up-triangle (with ``label`` above it), a zero one (a ratio over an infinite median) at ``bottom`` as an open
    down-triangle; infinite bounds run to ``top`` and zero or undefined ones to ``bottom``, ending in a caret;
    an undefined estimate (both medians infinite) is written 'n/a'."""
    if np.isnan(estimate):
        ax.text(x, np.sqrt(top * bottom), "n/a", ha="center", va="center", fontsize=6, color=color, rotation=90)
        return
    censored, zero = bool(np.isposinf(estimate)), bool(estimate <= 0)
    y = min(max(float(estimate), bottom), top)
    lo = float(low) if np.isfinite(low) and low > bottom else bottom
    hi = float(high) if np.isfinite(high) and high < top else top
    lo, hi = min(lo, y), max(hi, y)
    ax.errorbar(
        [x],
        [y],
        yerr=[[y - lo], [hi - y]],
        fmt="^" if censored else "v" if zero else marker,
        color=color,
        mfc="white" if censored or zero else color,
        markersize=5 if censored or zero else 4,
        capsize=0 if censored or zero else 2,
        elinewidth=1.0,
    )
    if not censored and not (np.isfinite(high) and high < top):
        ax.plot([x], [top], marker=CARETUPBASE, color=color, markersize=4, linestyle="none")
    if not (np.isfinite(low) and low > bottom) and y > bottom * 1.0001:
        ax.plot([x], [bottom], marker=CARETDOWNBASE, color=color, markersize=4, linestyle="none")
    if zero:
        ax.annotate("0", (x, y), xytext=(4, 0), textcoords="offset points", ha="left", va="center", fontsize=5.5)
    if censored and label:
        ax.annotate(
            label,
            (x, y),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=5.5,
            color=color,
        )


class _PlainLogFormatter(LogFormatter):
    """Labels the ticks :class:`LogFormatter` would label, as plain numbers (100, 0.5; no mathtext)."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        return f"{x:g}" if super().__call__(x, pos) else ""


def _log(ax: Axes, which: str = "y") -> None:
    """Log scale with plain tick labels (100, 0.5; no mathtext)."""
    if which == "y":
        ax.set_yscale("log")
    else:
        ax.set_xscale("log")
    axis = ax.yaxis if which == "y" else ax.xaxis
    axis.set_major_formatter(_PlainLogFormatter())
    axis.set_minor_formatter(_PlainLogFormatter(labelOnlyBase=False, minor_thresholds=(1, 0.4)))


def _task_axis(ax: Axes, tasks: list[str]) -> None:
    ax.set_xticks(range(len(tasks)))
    ax.set_xticklabels(tasks, rotation=35, ha="right", fontsize=7)
    ax.set_xlim(-0.6, len(tasks) - 0.4)


def _no_data(ax: Axes, text: str = "no data") -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=8, color="0.4")


# ----------------------------------------------------------------------------------------------- statistics
def median_table(table: pd.DataFrame, methods: tuple[str, ...], confidence: float) -> pd.DataFrame:
    """Per slice, task and method: the Kaplan-Meier median iterations to the criterion with its percentile
    bootstrap interval at ``confidence`` (pointwise), runs, runs solved and the task's budget."""
    records = []
    for run in pl.runs(table):
        outcomes = _outcomes(table, run)
        for task in pl.ordered(outcomes["task"], TASK_ORDER):
            budget = _budget(outcomes, task)
            for method in methods:
                runs = _sample(outcomes, task, method)
                if runs.empty:
                    continue
                times, reached = arrays(runs)
                median, low, high = median_ci(times, reached, confidence, np.random.default_rng(SEED))
                records.append(
                    {
                        "framework": run[0],
                        "device": run[1],
                        "task": task,
                        "method": method,
                        "median": median,
                        "low": low,
                        "high": high,
                        "runs": len(runs),
                        "solved": int(np.sum(reached)),
                        "budget": budget,
                    }
                )
    columns = ["framework", "device", "task", "method", "median", "low", "high", "runs", "solved", "budget"]
    return pd.DataFrame(records, columns=columns)


def ratio_table(table: pd.DataFrame, method_a: str, method_b: str, confidence: float) -> pd.DataFrame:
    """Per slice and task: the checks' paired ratio of KM medians a/b (:func:`median_ratios`, Bonferroni over
    the slice's tasks) with its interval; no rows for a slice where no task has both methods."""
    records = []
    for run in pl.runs(table):
        outcomes = _outcomes(table, run)
        try:
            ratios = median_ratios(outcomes, method_a, method_b, confidence)
        except ValueError:
            continue
        for task, ratio, a, _ in ratios:
            records.append(
                {
                    "framework": run[0],
                    "device": run[1],
                    "task": task,
                    "estimate": ratio.estimate,
                    "low": ratio.low,
                    "high": ratio.high,
                    "median_a": ratio.median_a,
                    "median_b": ratio.median_b,
                    "runs": len(a),
                }
            )
    return pd.DataFrame(records, columns=[*INTERVAL_COLUMNS, "median_a", "median_b", "runs"])


def success_table(table: pd.DataFrame, methods: tuple[str, ...], threshold: thresholds.SuccessRate) -> pd.DataFrame:
    """Per slice, task and method: successes, runs and the bounds of :func:`success_rates` (the checks' one-sided
    exact bounds at ``threshold.confidence``, Bonferroni over the tasks the method ran in that slice)."""
    records = []
    for run in pl.runs(table):
        outcomes = _outcomes(table, run)
        for method in methods:
            tasks = pl.ordered(outcomes.loc[outcomes["method"] == method, "task"], TASK_ORDER)
            if not tasks:
                continue
            result = success_rates(outcomes, tasks, threshold, method)
            for d in result.details:
                records.append({"framework": run[0], "device": run[1], **d})
    columns = ["framework", "device", "task", "method", "successes", "runs", "rate", "lower_bound", "upper_bound"]
    return pd.DataFrame(records, columns=columns + ["verdict"])[columns]


def _success_panel(ax: Axes, rates: pd.DataFrame, tasks: list[str], methods: list[str], band: float) -> None:
    colours, offsets = _colours(), _offsets(len(methods))
    ax.axhline(band, color="0.2", linestyle="--", linewidth=0.9)
    for row in rates.itertuples():
        if row.task not in tasks or row.method not in methods:
            continue
        x = tasks.index(row.task) + offsets[methods.index(row.method)]
        ax.errorbar(
            [x],
            [row.rate],
            yerr=[[row.rate - row.lower_bound], [row.upper_bound - row.rate]],
            fmt="o",
            color=colours[row.method],
            markersize=4,
            capsize=2,
            elinewidth=1.0,
        )
    _task_axis(ax, tasks)
    ax.set_ylim(-0.04, 1.06)


# ----------------------------------------------------------------------------------------------- figures
def _iterations(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    table = tables["learning_time"]
    a2, a9 = thresholds.A2, thresholds.A9
    runs, colours = pl.runs(table), _colours()
    methods = (ALOPEX_94, ALOPEX_B, BACKPROP)
    medians = median_table(table, methods, a2.confidence)
    present = [m for m in methods if m in set(medians["method"])]
    vs_backprop = ratio_table(table, ALOPEX_94, BACKPROP, a2.confidence)
    b_vs_94 = ratio_table(table, ALOPEX_B, ALOPEX_94, a9.confidence)
    tasks = pl.ordered(medians["task"], TASK_ORDER)
    passes = FORWARD_PASSES_PER_ITERATION[BACKPROP] / FORWARD_PASSES_PER_ITERATION[ALOPEX_94]
    fig = Figure(figsize=(min(pl.MAX_WIDTH, 2.2 + (0.9 + 0.45 * len(tasks)) * len(runs)), 6.6))
    axes = fig.subplots(2, len(runs), squeeze=False, sharey="row")
    values = [*medians["median"], *medians["low"], *medians["high"], *medians["budget"]]
    bottom, top = _log_limits(values)
    ratio_values = [*vs_backprop["low"], *vs_backprop["high"], *b_vs_94["low"], *b_vs_94["high"]]
    rbottom, rtop = _log_limits([*ratio_values, 1.0, a2.high, a2.far], pad=3.0)
    offsets = _offsets(len(present))
    for c, run in enumerate(runs):
        ax = axes[0, c]
        rows = medians[(medians["framework"] == run[0]) & (medians["device"] == run[1])]
        for row in rows.itertuples():
            x = tasks.index(row.task) + offsets[present.index(row.method)]
            cap = row.budget if np.isfinite(row.budget) else top / 1.5
            label = f">{row.budget:g}" if np.isfinite(row.budget) else CENSORED
            _point(ax, x, row.median, row.low, row.high, colours[row.method], cap, bottom, label=label)
        _log(ax)
        ax.set_ylim(bottom, top)
        _task_axis(ax, tasks)
        ax.set_title(pl.run_label(*run), fontsize=9)
        ax.set_ylabel("KM median iterations to criterion" if c == 0 else "")
        ax = axes[1, c]
        ax.axhline(1.0, color="0.2", linewidth=0.8)
        ax.axhline(a2.high, color="0.2", linestyle="--", linewidth=0.9)
        ax.axhline(a2.far, color="0.5", linestyle=":", linewidth=0.9)
        for k, (frame, method) in enumerate(((vs_backprop, ALOPEX_94), (b_vs_94, ALOPEX_B))):
            sub = frame[(frame["framework"] == run[0]) & (frame["device"] == run[1])]
            for row in sub.itertuples():
                x = tasks.index(row.task) + (-0.15 if k == 0 else 0.15)
                _point(ax, x, row.estimate, row.low, row.high, colours[method], rtop / 1.6, rbottom, "s", "inf")
        _log(ax)
        ax.set_ylim(rbottom, rtop)
        _task_axis(ax, tasks)
        ax.set_ylabel("ratio of median iterations" if c == 0 else "")
        if c == len(runs) - 1:
            side = ax.secondary_yaxis("right", functions=(lambda r: r / passes, lambda f: f * passes))
            side.yaxis.set_major_formatter(_PlainLogFormatter())
            side.set_ylabel(f"Alopex-94/backprop in forward passes (ratio/{passes:g})", fontsize=7)
    handles = [
        *_method_handles(present),
        _censored_handle(),
        Line2D([], [], color=colours[ALOPEX_94], marker="s", linestyle="none", label="Alopex-94 / backprop"),
        Line2D([], [], color=colours[ALOPEX_B], marker="s", linestyle="none", label="Alopex-B / Alopex-94"),
        Line2D([], [], color="0.2", linestyle="--", label=f"A2 band {a2.high:g}x"),
        Line2D([], [], color="0.5", linestyle=":", label=f"'far' marker {a2.far:g}x"),
    ]
    censored = int((~np.isfinite(medians["median"])).sum())
    caption = (
        "Figure alopex_iterations (claims A2, A9). Top: Kaplan-Meier median iterations to the criterion per task "
        f"and method, log scale, with pointwise {a2.confidence:.0%} percentile-bootstrap intervals (runs "
        "resampled; censored runs kept as 'not yet'); an open triangle is a median beyond the budget (more than "
        f"half the runs censored; {censored} such of {len(medians)}), labelled with the budget; carets: bounds "
        f"beyond the budget. Bottom: the checks' paired ratios (run i of each method from the same "
        f"initialisation) Alopex-94/backprop (A2) and Alopex-B/Alopex-94 (A9), with their paired-bootstrap "
        f"{a2.confidence:.0%} intervals, Bonferroni over the tasks of each slice; dashed: A2's band "
        f"{a2.high:g}x (inside (0, {a2.high:g}] reproduces, above it not), dotted: {a2.far:g}x ('clearly not "
        f"comparable'); A9 asks for ratios below 1 on most tasks. Right axis: the A2 ratio in forward-pass "
        f"equivalents (1 per Alopex iteration, {passes:g} per backprop iteration). Experiment learning_time, "
        f"evaluation runs: tasks {pl.fmt_list(tasks)}; {_runs_per([_outcomes(table, r) for r in runs])} runs per "
        "task and method. " + pl.provenance(table)
    )
    pl.finish(fig, "alopex_iterations", caption, out_dir, handles)
    return caption


def _success(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    table = tables["learning_time"]
    th = thresholds.A1
    runs = pl.runs(table)
    rates = success_table(table, (ALOPEX_94, ALOPEX_B, BACKPROP), th)
    tasks = pl.ordered(rates["task"], TASK_ORDER)
    methods = pl.ordered(rates["method"], METHOD_ORDER)
    fig = Figure(figsize=(min(pl.MAX_WIDTH, 2.2 + (0.9 + 0.4 * len(tasks)) * len(runs)), 3.6))
    axes = fig.subplots(1, len(runs), squeeze=False, sharey=True)
    for c, run in enumerate(runs):
        ax = axes[0, c]
        _success_panel(ax, pl.run_rows(rates, run), tasks, methods, th.band_low)
        ax.set_title(pl.run_label(*run), fontsize=9)
        ax.set_ylabel("runs solved (fraction)" if c == 0 else "")
    handles = [
        *_method_handles(methods),
        Line2D([], [], color="0.2", linestyle="--", label=f"A1 band {th.band_low:.0%}"),
    ]
    caption = (
        f"Figure alopex_success (claim A1). Fraction of evaluation runs meeting the criterion within the budget, "
        f"per task, method and slice; bars: the check's one-sided exact (Clopper-Pearson) {th.confidence:.0%} "
        f"bounds, Bonferroni over each method's tasks (together a two-sided interval). Dashed: A1's band "
        f"{th.band_low:.0%}, judged on Alopex-94 (reproduced when every lower bound is at or above it); "
        f"Alopex-B and backprop shown for comparison. Experiment learning_time: tasks {pl.fmt_list(tasks)}; "
        f"{_counts(rates['runs'].astype(int).tolist())} runs per task and method. " + pl.provenance(table)
    )
    pl.finish(fig, "alopex_success", caption, out_dir, handles)
    return caption


def _encoder_scaling(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    table = tables["learning_time"]
    th = thresholds.A3
    runs, colours = pl.runs(table), _colours()
    styles = _styles(runs)
    methods = (ALOPEX_94, BACKPROP)
    encoders = table[table["task"].isin(ENCODERS)]
    medians = median_table(encoders, methods, th.confidence)
    medians["weights"] = [weight_count(t) for t in medians["task"]]
    fig = Figure(figsize=(min(pl.MAX_WIDTH, 10.0), 4.0))
    ax, ax_rate = fig.subplots(1, 2, gridspec_kw={"width_ratios": (1.6, 1.0)})
    bottom, top = _log_limits([*medians["median"], *medians["low"], *medians["high"], *medians["budget"]])
    slope_handles, slope_text, rates = [], [], []
    for s, run in enumerate(runs):
        marker, linestyle = styles[run]
        sub = pl.run_rows(encoders, run)
        slopes: dict[str, dict] = {}
        try:
            result = check_encoder_scaling({"learning_time": sub}, th)
            slopes = {d["slope"]["method"]: d["slope"] for d in result.details if "slope" in d}
        except ValueError:
            pass  # no encoder with Alopex-94 (or one without backprop): no slope in this slice
        if len(sub):
            rates.append(success_table(sub, methods, th))
        for k, method in enumerate(methods):
            rows = medians[
                (medians["framework"] == run[0]) & (medians["device"] == run[1]) & (medians["method"] == method)
            ].sort_values("weights")
            if rows.empty:
                continue
            dodge = pl.dodge(2 * s + k, 2 * len(runs))
            finite = rows[np.isfinite(rows["median"])]
            ax.plot(finite["weights"] * dodge, finite["median"], color=colours[method], linestyle=linestyle, lw=1.1)
            for row in rows.itertuples():
                cap = row.budget if np.isfinite(row.budget) else top / 1.5
                _point(ax, row.weights * dodge, row.median, row.low, row.high, colours[method], cap, bottom, marker)
            slope = slopes.get(method)
            text = f"slope {_fmt(slope['slope'])} {_interval(slope['low'], slope['high'])}" if slope else "slope n/a"
            slope_text.append(f"{_label(method)} on {pl.run_label(*run)}: {text}")
            label = f"{_label(method)}, {pl.run_label(*run)}: {text}"
            slope_handles.append(Line2D([], [], color=colours[method], marker=marker, linestyle=linestyle, label=label))
    _log(ax, "x")
    _log(ax)
    ax.set_ylim(bottom, top)
    ax.set_xlabel("weights and biases")
    ax.set_ylabel("KM median iterations to criterion")
    ax.set_title("encoders: median iterations vs size", fontsize=9)
    if slope_handles:
        ax.legend(handles=slope_handles, loc="upper left", fontsize=6, title="log-log slope", title_fontsize=6)
    sizes = sorted(set(medians["weights"]))
    if sizes:
        ax.set_xticks(sizes)
        ax.set_xticklabels([f"{t}\n({weight_count(t)})" for t in sorted(set(medians["task"]), key=weight_count)])
        ax.tick_params(axis="x", labelsize=6)
        ax.minorticks_off()
    rate_frame = pd.concat(rates, ignore_index=True) if rates else pd.DataFrame()
    tasks = pl.ordered(rate_frame["task"], TASK_ORDER) if len(rate_frame) else []
    combos = [(run, m) for run in runs for m in methods]
    offsets = _offsets(len(combos))
    ax_rate.axhline(th.band_low, color="0.2", linestyle="--", linewidth=0.9)
    for row in rate_frame.itertuples() if len(rate_frame) else []:
        run = (row.framework, row.device)
        x = tasks.index(row.task) + offsets[combos.index((run, row.method))]
        ax_rate.errorbar(
            [x],
            [row.rate],
            yerr=[[row.rate - row.lower_bound], [row.upper_bound - row.rate]],
            fmt=styles[run][0],
            color=colours[row.method],
            markersize=4,
            capsize=2,
        )
    _task_axis(ax_rate, tasks)
    ax_rate.set_ylim(-0.04, 1.06)
    ax_rate.set_ylabel("runs solved (fraction)")
    ax_rate.set_title("success rate", fontsize=9)
    handles = [
        *_method_handles(list(methods), linestyle="-"),
        *_style_handles(styles),
        _censored_handle(),
        Line2D([], [], color="0.2", linestyle="--", label=f"A3 band {th.band_low:.0%}"),
    ]
    caption = (
        "Figure alopex_encoder_scaling (claim A3). Left: Kaplan-Meier median iterations to the criterion against "
        f"the number of weights of the encoders (log-log; pointwise {th.confidence:.0%} bootstrap intervals; "
        "open triangles: medians beyond the budget), Alopex-94 and backprop, one line style per slice; legend: "
        f"the check's least-squares slope of log median on log size with its {th.confidence:.0%} bootstrap "
        f"interval ({'; '.join(slope_text) or 'none'}), reported, not judged. Right: success rates with the "
        f"check's one-sided {th.confidence:.0%} exact bounds (Bonferroni over the encoders); dashed: A3's band "
        f"{th.band_low:.0%}, judged on Alopex-94. Experiment learning_time: encoders "
        f"{pl.fmt_list(pl.ordered(medians['task'], TASK_ORDER))}; {_counts(medians['runs'].tolist())} runs per "
        "encoder and method. " + pl.provenance(table)
    )
    pl.finish(fig, "alopex_encoder_scaling", caption, out_dir, handles)
    return caption


def _discontinuous(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    table = tables["discontinuous"]
    th = thresholds.A4
    runs = pl.runs(table)
    rates = success_table(table, (ALOPEX_94, BACKPROP), th)
    tasks, methods = pl.ordered(rates["task"], TASK_ORDER), pl.ordered(rates["method"], METHOD_ORDER)
    fig = Figure(figsize=(min(pl.MAX_WIDTH, 2.2 + 2.8 * len(runs)), 3.4))
    axes = fig.subplots(1, len(runs), squeeze=False, sharey=True)
    grad = table[(table["method"] == BACKPROP) & (table["measure"] == "trace_grad_norm")]
    for c, run in enumerate(runs):
        ax = axes[0, c]
        _success_panel(ax, pl.run_rows(rates, run), tasks, methods, th.band_low)
        norms = pl.run_rows(grad, run)["value"].abs()
        extra = f"\nbackprop max |grad| = {norms.max():.3g}" if len(norms) else ""
        ax.set_title(pl.run_label(*run) + extra, fontsize=8)
        ax.set_ylabel("runs solved (fraction)" if c == 0 else "")
    handles = [
        *_method_handles(methods),
        Line2D([], [], color="0.2", linestyle="--", label=f"A4 band {th.band_low:.0%}"),
    ]
    caption = (
        "Figure alopex_discontinuous (claim A4). Nets with Heaviside (step) hidden and output units: fraction of "
        f"evaluation runs solved per task, Alopex-94 and backprop, with the check's one-sided exact "
        f"{th.confidence:.0%} bounds (Bonferroni over the tasks). Dashed: A4's band {th.band_low:.0%}, judged on "
        "Alopex-94. Backprop's gradient through a step is zero almost everywhere; the largest gradient norm it "
        "recorded is in each title. Experiment discontinuous: tasks "
        f"{pl.fmt_list(tasks)}; {_counts(rates['runs'].astype(int).tolist())} runs per task and method. "
        + pl.provenance(table)
    )
    pl.finish(fig, "alopex_discontinuous", caption, out_dir, handles)
    return caption


def _recurrent(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    table = tables["recurrent"]
    th = thresholds.A5
    runs, colours = pl.runs(table), _colours()
    styles = _styles(runs)
    frames = []
    for run in runs:
        outcomes = _outcomes(table, run)
        if "test_accuracy" in outcomes:
            frames.append(outcomes.assign(framework=run[0], device=run[1]).dropna(subset=["test_accuracy"]))
    data = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["method", "test_accuracy"])
    methods = pl.ordered(data["method"], METHOD_ORDER)
    fig = Figure(figsize=(min(pl.MAX_WIDTH, 2.2 + 1.2 + 1.3 * len(methods) * max(1, len(runs))), 3.8))
    ax = fig.subplots()
    ax.axhline(th.band_low, color="0.2", linestyle="--", linewidth=0.9)
    offsets = _offsets(len(runs), width=0.5)
    rng = np.random.default_rng(SEED)
    medians = []
    for i, method in enumerate(methods):
        for s, run in enumerate(runs):
            values = data.loc[
                (data["method"] == method) & (data["framework"] == run[0]) & (data["device"] == run[1]),
                "test_accuracy",
            ].to_numpy(float)
            if not len(values):
                continue
            x = i + offsets[s]
            ax.boxplot(
                [values],
                positions=[x],
                widths=0.18,
                whis=(0, 100),
                showfliers=False,
                patch_artist=True,
                boxprops={"facecolor": (*colours[method][:3], 0.25), "edgecolor": colours[method]},
                medianprops={"color": colours[method]},
                whiskerprops={"color": colours[method]},
                capprops={"color": colours[method]},
            )
            jitter = rng.uniform(-0.06, 0.06, len(values))
            ax.plot(x + jitter, values, styles[run][0], color=colours[method], markersize=2.5, alpha=0.6)
            low, high = median_bounds(values, th.confidence) if len(values) > 1 else (np.nan, np.nan)
            medians.append(
                f"{_label(method)} on {pl.run_label(*run)} {np.median(values):.3f} {_interval(low, high)} "
                f"({len(values)} runs, {int(np.sum(values >= th.band_low))} at the band)"
            )
    ax.set_xticks(range(len(methods)))
    ax.set_xticklabels([_label(m) for m in methods])
    ax.set_xlim(-0.6, max(len(methods), 1) - 0.4)
    ax.set_ylabel("held-out accuracy (predictable bits)")
    lowest = min(float(data["test_accuracy"].min()) if len(data) else 0.5, th.band_low)
    ax.set_ylim(max(0.0, lowest - 0.05), 1.02)
    if not len(data):
        _no_data(ax)
    handles = [*_style_handles(styles), Line2D([], [], color="0.2", linestyle="--", label=f"A5 band {th.band_low:.0%}")]
    caption = (
        "Figure alopex_recurrent (claim A5). Elman nets on temporal XOR: accuracy on the predictable bits (every "
        "third) of a held-out stream, one point per run (boxes: quartiles, whiskers to the extremes), per method "
        f"and slice. Dashed: A5's band {th.band_low:.0%}; the check judges Alopex-94's median with exact "
        f"one-sided {th.confidence:.0%} order-statistic bounds: {'; '.join(medians) or 'no runs'}. Experiment "
        "recurrent. " + pl.provenance(table)
    )
    pl.finish(fig, "alopex_recurrent", caption, out_dir, handles, "slice")
    return caption


def _mean_interval(values: np.ndarray, confidence: float) -> tuple[float, float, float]:
    """Mean and its t-interval (NaN bounds for a single run)."""
    mean = float(np.mean(values))
    if len(values) < 2:
        return mean, np.nan, np.nan
    half = float(stats.t.ppf(0.5 + confidence / 2, len(values) - 1) * np.std(values, ddof=1) / np.sqrt(len(values)))
    return mean, mean - half, mean + half


def _monks(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    table = tables["monks"]
    th = thresholds.A6
    runs, colours = pl.runs(table), _colours()
    fig = Figure(figsize=(min(pl.MAX_WIDTH, 2.2 + 3.2 * len(runs)), 6.0))
    axes = fig.subplots(2, len(runs), squeeze=False, sharey="row")
    all_tasks, counts, summaries = [], [], []
    for c, run in enumerate(runs):
        outcomes = _outcomes(table, run)
        if "test_accuracy" not in outcomes:
            outcomes = outcomes.assign(test_accuracy=np.nan)
        tasks = pl.ordered(outcomes["task"], TASK_ORDER)
        methods = pl.ordered(outcomes["method"], METHOD_ORDER)
        all_tasks += tasks
        offsets = _offsets(len(methods), 0.4)
        ax = axes[0, c]
        for i, task in enumerate(tasks):
            for k, method in enumerate(methods):
                values = _sample(outcomes, task, method)["test_accuracy"].dropna().to_numpy(float)
                if not len(values):
                    continue
                counts.append(len(values))
                mean, low, high = _mean_interval(values, th.confidence)
                low, high = (mean, mean) if np.isnan(low) else (low, high)
                ax.errorbar(
                    [i + offsets[k]],
                    [mean],
                    yerr=[[mean - low], [high - mean]],
                    fmt="o",
                    color=colours[method],
                    markersize=4,
                    capsize=2,
                )
        _task_axis(ax, tasks)
        ax.set_title(pl.run_label(*run), fontsize=9)
        ax.set_ylabel("test accuracy (432 patterns)" if c == 0 else "")
        ax = axes[1, c]
        ax.axhline(0.0, color="0.2", linewidth=0.8)
        ax.axhline(-th.margin, color="0.2", linestyle="--", linewidth=0.9)
        try:
            details = check_monks({"monks": pl.run_rows(table, run)}, th).details
        except (ValueError, KeyError):
            details = []  # a problem without both methods: no paired difference in this slice
        for d in details:
            x = tasks.index(d["task"])
            ax.errorbar(
                [x],
                [d["difference"]],
                yerr=[[d["difference"] - d["low"]], [d["high"] - d["difference"]]],
                fmt="D",
                color=colours[ALOPEX_94],
                markersize=4,
                capsize=2,
            )
            summaries.append(f"{d['task']} ({run[0]}) {d['difference'] * 100:+.1f} pts")
        if not details:
            _no_data(ax, "no paired runs")
        _task_axis(ax, tasks)
        ax.set_ylabel("Alopex-94 - backprop (paired)" if c == 0 else "")
    methods_all = pl.ordered(table["method"], METHOD_ORDER)
    handles = [
        *_method_handles(methods_all),
        Line2D([], [], color=colours[ALOPEX_94], marker="D", linestyle="none", label="paired difference"),
        Line2D([], [], color="0.2", linestyle="--", label=f"A6 margin -{th.margin * 100:g} pts"),
    ]
    level = simultaneous_confidence(th.confidence, len(set(all_tasks)))
    caption = (
        "Figure alopex_monks (claim A6). Top: mean accuracy on all 432 patterns of each MONK's problem per method "
        f"and slice, with {th.confidence:.0%} t-intervals over runs. Bottom: the check's mean paired difference "
        f"Alopex-94 minus backprop (same initialisations) with its t-interval at {level:.2%} per problem "
        f"(Bonferroni for {th.confidence:.0%} over the problems); dashed: A6's margin -{th.margin * 100:g} points "
        f"(reproduced when every interval lies above it). {'; '.join(summaries) or 'No paired runs'}. Experiment "
        f"monks: problems {pl.fmt_list(pl.ordered(all_tasks, TASK_ORDER))}; {_counts(counts)} runs per problem and "
        "method. " + pl.provenance(table)
    )
    pl.finish(fig, "alopex_monks", caption, out_dir, handles)
    return caption


def _trace_summary(table: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Median and quartiles over runs of one trace per recorded iteration (missing values left out)."""
    rows = table[table["measure"] == measure]
    if rows.empty:
        return pd.DataFrame(columns=["step", "median", "q1", "q3"])
    grouped = rows.dropna(subset=["value"]).groupby("step")["value"]
    return pd.DataFrame(
        {"median": grouped.median(), "q1": grouped.quantile(0.25), "q3": grouped.quantile(0.75)}
    ).reset_index()


def _trace_panel(ax: Axes, table: pd.DataFrame, measure: str, groups: list, colours: dict, styles: dict) -> bool:
    """Median (line) and IQR (band) of ``measure`` for each (run, method) group; whether anything was drawn."""
    drawn, positive = False, True
    for run, method in groups:
        rows = pl.run_rows(table, run)
        summary = _trace_summary(rows[rows["method"] == method], measure)
        if summary.empty:
            continue
        drawn = True
        positive &= bool((summary["q1"].dropna() > 0).all())
        colour = colours[method]
        ax.plot(summary["step"], summary["median"], color=colour, linestyle=styles[run][1], linewidth=1.1)
        ax.fill_between(summary["step"], summary["q1"], summary["q3"], color=colour, alpha=0.15, linewidth=0)
    if drawn and positive and measure in LOG_TRACES:
        _log(ax)
    return drawn


def _annealing(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    table = tables["annealing"]
    th = thresholds.A7
    runs, colours = pl.runs(table), _colours()
    styles = _styles(runs)
    arms = [a for a in (ANNEALED, FIXED) if a in set(table["method"])] + sorted(
        set(table["method"]) - {ANNEALED, FIXED}
    )
    fig = Figure(figsize=(min(pl.MAX_WIDTH, 11.0), 3.8))
    ax_rate, ax_gain, ax_trace = fig.subplots(1, 3, gridspec_kw={"width_ratios": (1.0, 0.8, 1.6)})
    offsets = _offsets(len(runs), 0.4)
    summaries, counts = [], []
    ax_gain.axhline(0.0, color="0.2", linewidth=0.8)
    ax_gain.axhline(th.band, color="0.2", linestyle="--", linewidth=0.9)
    for s, run in enumerate(runs):
        outcomes = _outcomes(table, run)
        marker = styles[run][0]
        tasks = pl.ordered(outcomes["task"], TASK_ORDER)
        for i, arm in enumerate(arms):
            runs_of = _sample(outcomes, tasks[0], arm) if tasks else pd.DataFrame()
            if runs_of.empty:
                continue
            k, n = int(runs_of["reached"].sum()), len(runs_of)
            counts.append(n)
            low, high = clopper_pearson(k, n, th.confidence)
            ax_rate.errorbar(
                [i + offsets[s]],
                [k / n],
                yerr=[[k / n - low], [high - k / n]],
                fmt=marker,
                color=colours[arm],
                capsize=2,
            )
        if tasks and {ANNEALED, FIXED} <= set(outcomes["method"]):
            annealed, fixed = paired(outcomes, tasks[0], ANNEALED, FIXED)
            s1, n1, s2, n2 = int(annealed["reached"].sum()), len(annealed), int(fixed["reached"].sum()), len(fixed)
            gain, low, high = difference_ci(s1, n1, s2, n2, th.confidence)
            ax_gain.errorbar([s], [gain], yerr=[[gain - low], [high - gain]], fmt=marker, color="0.2", capsize=3)
            summaries.append(
                f"{pl.run_label(*run)}: {s1}/{n1} vs {s2}/{n2}, gain {gain * 100:+.0f} points "
                f"[{low * 100:+.0f}, {high * 100:+.0f}]"
            )
    ax_rate.set_xticks(range(len(arms)))
    ax_rate.set_xticklabels([_label(a) for a in arms])
    ax_rate.set_xlim(-0.6, max(len(arms), 1) - 0.4)
    ax_rate.set_ylim(-0.04, 1.06)
    ax_rate.set_ylabel("runs solved (fraction)")
    ax_rate.set_title("success rate", fontsize=9)
    ax_gain.set_xticks(range(len(runs)))
    ax_gain.set_xticklabels([r[0] for r in runs])
    ax_gain.set_xlim(-0.6, max(len(runs), 1) - 0.4)
    ax_gain.set_ylim(-1.05, 1.05)
    ax_gain.set_ylabel("annealed - fixed (fraction of runs)")
    ax_gain.set_title("gain", fontsize=9)
    evaluation = table[table["phase"] == EVALUATION] if "phase" in table else table
    if not _trace_panel(ax_trace, evaluation, "trace_error", [(r, a) for r in runs for a in arms], colours, styles):
        _no_data(ax_trace, "no error traces")
    ax_trace.set_xlabel("iteration")
    ax_trace.set_ylabel("training error (median, IQR)")
    ax_trace.set_title("error during training", fontsize=9)
    handles = [
        *_method_handles(arms, linestyle="-"),
        *_style_handles(styles),
        Line2D([], [], color="0.2", linestyle="--", label=f"A7 band +{th.band * 100:g} pts"),
    ]
    caption = (
        "Figure alopex_annealing (claim A7). XOR, Alopex-94 at one step size from the same initialisations, with "
        "its annealing schedule or a temperature held fixed. Left: fraction of runs solved with two-sided "
        f"{th.confidence:.0%} Clopper-Pearson intervals. Middle: the check's gain, annealed minus fixed, with "
        f"its {th.confidence:.0%} Newcombe interval; dashed: A7's band +{th.band * 100:g} points (reproduced "
        f"when the interval lies above it and Fisher's one-sided p < {th.alpha:g}). "
        f"{'; '.join(summaries) or 'No paired arms'}. Right: training error, median over runs (line) and "
        f"interquartile range (band) against the iteration. Experiment annealing: {_counts(counts)} runs per arm. "
        + pl.provenance(table)
    )
    pl.finish(fig, "alopex_annealing", caption, out_dir, handles)
    return caption


def _error_measure(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    table = tables["error_measure"]
    th = thresholds.A8
    runs, colours = pl.runs(table), _colours()
    styles = _styles(runs)
    arms = pl.ordered(table["method"], METHOD_ORDER)
    level = simultaneous_confidence(th.confidence, 2)
    medians = median_table(table, tuple(arms), th.confidence)
    fig = Figure(figsize=(min(pl.MAX_WIDTH, 11.0), 3.8))
    ax_rate, ax_med, ax_ratio = fig.subplots(1, 3)
    offsets = _offsets(len(runs), 0.4)
    bottom, top = _log_limits([*medians["median"], *medians["low"], *medians["high"], *medians["budget"]])
    ratios, summaries, counts = [], [], []
    for s, run in enumerate(runs):
        outcomes = _outcomes(table, run)
        marker = styles[run][0]
        for i, arm in enumerate(arms):
            for task in pl.ordered(outcomes["task"], TASK_ORDER):
                runs_of = _sample(outcomes, task, arm)
                if runs_of.empty:
                    continue
                k, n = int(runs_of["reached"].sum()), len(runs_of)
                counts.append(n)
                low, high = clopper_pearson(k, n, 2 * level - 1)
                ax_rate.errorbar(
                    [i + offsets[s]],
                    [k / n],
                    yerr=[[k / n - low], [high - k / n]],
                    fmt=marker,
                    color=colours[arm],
                    capsize=2,
                )
        rows = medians[(medians["framework"] == run[0]) & (medians["device"] == run[1])]
        for row in rows.itertuples():
            cap = row.budget if np.isfinite(row.budget) else top / 1.5
            label = f">{row.budget:g}" if np.isfinite(row.budget) else CENSORED
            x = arms.index(row.method) + offsets[s]
            _point(ax_med, x, row.median, row.low, row.high, colours[row.method], cap, bottom, marker, label)
        tasks = pl.ordered(outcomes["task"], TASK_ORDER)
        if tasks and {SQUARED, CROSS_ENTROPY} <= set(outcomes["method"]):
            ce, se = paired(outcomes, tasks[0], CROSS_ENTROPY, SQUARED)
            s1, n1, s2, n2 = int(ce["reached"].sum()), len(ce), int(se["reached"].sum()), len(se)
            diff, dlow, dhigh = difference_ci(s1, n1, s2, n2, level)
            ratio = paired_median_ratio_ci(*paired_arrays(ce, se), level, np.random.default_rng(SEED))
            ratios.append((s, run, ratio))
            summaries.append(
                f"{pl.run_label(*run)}: solved {s1}/{n1} vs {s2}/{n2}, difference {diff * 100:+.0f} points "
                f"[{dlow * 100:+.0f}, {dhigh * 100:+.0f}], ratio {_fmt(ratio.estimate)} "
                f"{_interval(ratio.low, ratio.high)}"
            )
    rbottom, rtop = _log_limits([*(r.low for *_, r in ratios), *(r.high for *_, r in ratios), 1.0, th.ratio_margin])
    ax_ratio.axhline(1.0, color="0.2", linewidth=0.8)
    ax_ratio.axhline(th.ratio_margin, color="0.2", linestyle="--", linewidth=0.9)
    for s, run, ratio in ratios:
        _point(ax_ratio, s, ratio.estimate, ratio.low, ratio.high, "0.2", rtop / 1.6, rbottom, styles[run][0], "inf")
    for ax in (ax_rate, ax_med):
        ax.set_xticks(range(len(arms)))
        ax.set_xticklabels([_label(a) for a in arms])
        ax.set_xlim(-0.6, max(len(arms), 1) - 0.4)
    ax_rate.set_ylim(-0.04, 1.06)
    ax_rate.set_ylabel("runs solved (fraction)")
    ax_rate.set_title("success rate", fontsize=9)
    _log(ax_med)
    ax_med.set_ylim(bottom, top)
    ax_med.set_ylabel("KM median iterations to criterion")
    ax_med.set_title("median iterations", fontsize=9)
    _log(ax_ratio)
    ax_ratio.set_ylim(rbottom, rtop)
    ax_ratio.set_xticks(range(len(runs)))
    ax_ratio.set_xticklabels([r[0] for r in runs])
    ax_ratio.set_xlim(-0.6, max(len(runs), 1) - 0.4)
    ax_ratio.set_ylabel("cross-entropy / squared (median iterations)")
    ax_ratio.set_title("paired ratio", fontsize=9)
    handles = [
        *_method_handles(arms),
        *_style_handles(styles),
        _censored_handle(),
        Line2D([], [], color="0.2", linestyle="--", label=f"A8 margin {th.ratio_margin:g}x"),
    ]
    caption = (
        "Figure alopex_error_measure (claim A8). XOR, Alopex-94 on squared error or cross-entropy, each at the "
        "best step size of its own sweep, from the same initialisations. Left: fraction of runs solved with "
        f"Clopper-Pearson intervals at {2 * level - 1:.1%}. Middle: Kaplan-Meier median iterations with pointwise "
        f"{th.confidence:.0%} bootstrap intervals (open triangle: beyond the budget). Right: the check's paired "
        f"ratio of medians, cross-entropy over squared, with its bootstrap interval at {level:.1%} (Bonferroni "
        f"over A8's two measures); dashed: A8's margin {th.ratio_margin:g} (non-inferior when the interval lies "
        f"below it, and the success difference's Newcombe interval above -{th.success_margin * 100:g} points). "
        f"{'; '.join(summaries) or 'No paired arms'}. Experiment error_measure: {_counts(counts)} runs per arm. "
        + pl.provenance(table)
    )
    pl.finish(fig, "alopex_error_measure", caption, out_dir, handles)
    return caption


def _traces(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    table = tables["learning_time"]
    evaluation = table[(table["phase"] == EVALUATION) & table["measure"].str.startswith("trace_")]
    tasks = pl.ordered(evaluation["task"], TASK_ORDER)
    task = TRACE_TASK if TRACE_TASK in tasks else (tasks[0] if tasks else TRACE_TASK)
    rows = evaluation[(evaluation["task"] == task) & evaluation["method"].isin((ALOPEX_94, ALOPEX_B))]
    runs, colours = pl.runs(table), _colours()
    styles = _styles(runs)
    methods = pl.ordered(rows["method"], METHOD_ORDER)
    fig = Figure(figsize=(min(pl.MAX_WIDTH, 9.0), 6.0))
    axes = fig.subplots(2, 2, sharex=True).ravel()
    groups = [(run, method) for run in runs for method in methods]
    for ax, (measure, name) in zip(axes, TRACES, strict=True):
        if measure == "trace_downhill_fraction":
            ax.axhline(0.5, color="0.4", linestyle=":", linewidth=0.9)  # a random walk's fraction
        if not _trace_panel(ax, rows, measure, groups, colours, styles):
            _no_data(ax)
        ax.set_title(name, fontsize=9)
    for ax in axes[2:]:
        ax.set_xlabel("iteration")
    counts = [
        int(g["run"].nunique()) for _, g in rows[rows["measure"] == "trace_error"].groupby(["framework", "method"])
    ]
    handles = [*_method_handles(methods, marker="", linestyle="-"), *_style_handles(styles)]
    handles.append(Patch(color="0.5", alpha=0.3, label="interquartile range"))
    caption = (
        f"Figure alopex_traces. {task}: Alopex-94 and Alopex-B at their best step sizes, the median over runs "
        "(line) and interquartile range (band) of the recorded traces against the iteration (strided): the "
        "temperature T used at the iteration, the mean over weights of the correlation |C| = |dw dE| (what "
        "Alopex-94's annealing sets T from), the fraction of the weights with C != 0 whose step went against "
        "the correlation (downhill; dotted: 1/2, a random walk), and the training error. A run stops at its "
        "first success: its error is held from then on and its step measures are missing, so late medians of the "
        "first three describe the runs still training. Log scale for T, |C| and the error where every quartile is "
        f"positive. Experiment learning_time, evaluation runs: {_counts(counts)} runs per method and slice. "
        + pl.provenance(table)
    )
    pl.finish(fig, "alopex_traces", caption, out_dir, handles)
    return caption


def cost_table(table: pd.DataFrame) -> pd.DataFrame:
    """Median (and quartiles) of seconds per iteration over the timed rounds, per slice, task, method and
    number of seeds run side by side."""
    rows = table[table["measure"] == "seconds_per_iteration"]
    keys = ["framework", "device", "task", "method", "seeds_batched"]
    if rows.empty:
        return pd.DataFrame(columns=[*keys, "median", "q1", "q3", "rounds"])
    grouped = rows.groupby(keys)["value"]
    return pd.DataFrame(
        {
            "median": grouped.median(),
            "q1": grouped.quantile(0.25),
            "q3": grouped.quantile(0.75),
            "rounds": grouped.size(),
        }
    ).reset_index()


def cost_ratios(table: pd.DataFrame) -> pd.DataFrame:
    """Per slice and task: t(alopex94)/t(forward_only) at each number of seeds (median seconds per iteration)."""
    costs = cost_table(table)
    wide = costs.pivot_table(
        index=["framework", "device", "task", "seeds_batched"], columns="method", values="median", aggfunc="first"
    )
    if ALOPEX_94 not in wide or FORWARD_ONLY not in wide:
        return pd.DataFrame(columns=["framework", "device", "task", "seeds_batched", "ratio"])
    return (wide[ALOPEX_94] / wide[FORWARD_ONLY]).rename("ratio").dropna().reset_index()


def _seeds_axis(ax: Axes, seeds: list[int]) -> None:
    ax.set_xscale("log", base=2)
    if seeds:
        ax.set_xticks(seeds)
        ax.set_xticklabels([str(s) for s in seeds])
        ax.minorticks_off()


def _iteration_cost(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> str:
    table = tables["iteration_cost"]
    runs, colours = pl.runs(table), _colours()
    costs, ratios = cost_table(table), cost_ratios(table)
    tasks = pl.ordered(costs["task"], TASK_ORDER)
    methods = pl.ordered(costs["method"], METHOD_ORDER)
    task_markers = pl.markers(tasks)
    seeds = sorted(int(s) for s in set(costs["seeds_batched"]))
    fig = Figure(figsize=(min(pl.MAX_WIDTH, 2.2 + 4.2 * len(runs)), 6.4))
    axes = fig.subplots(2, len(runs), squeeze=False, sharex=True)
    for c, run in enumerate(runs):
        ax = axes[0, c]
        sub = pl.run_rows(costs, run)
        for (task, method), rows in sub.groupby(["task", "method"]):
            rows = rows.sort_values("seeds_batched")
            ax.errorbar(
                rows["seeds_batched"],
                rows["median"] * 1e3,
                yerr=[(rows["median"] - rows["q1"]) * 1e3, (rows["q3"] - rows["median"]) * 1e3],
                color=colours.get(method, "0.3"),
                marker=task_markers[task],
                markersize=4,
                linewidth=1.1,
                capsize=2,
            )
        reference = sub[sub["method"] == ALOPEX_94]
        if len(reference):
            first = reference.sort_values("seeds_batched").groupby("task").first()
            grid = np.array(sorted(set(sub["seeds_batched"])), float)
            ax.plot(grid, first["median"].min() * 1e3 * grid / grid[0], color="0.4", linestyle=":", linewidth=0.9)
        _seeds_axis(ax, seeds)
        _log(ax)
        ax.set_title(pl.run_label(*run), fontsize=9)
        ax.set_ylabel("ms per iteration (median, IQR)" if c == 0 else "")
        ax = axes[1, c]
        ax.axhline(1.0, color="0.2", linewidth=0.8)
        for task, rows in pl.run_rows(ratios, run).groupby("task"):
            rows = rows.sort_values("seeds_batched")
            ax.plot(rows["seeds_batched"], rows["ratio"], color=colours[ALOPEX_94], marker=task_markers[task], lw=1.1)
        if pl.run_rows(ratios, run).empty:
            _no_data(ax)
        _seeds_axis(ax, seeds)
        ax.set_xlabel("seeds run side by side")
        ax.set_ylabel("t(Alopex-94) / t(forward pass only)" if c == 0 else "")
    handles = [
        *_method_handles(methods, linestyle="-"),
        *pl.marker_handles(task_markers),
        Line2D([], [], color="0.4", linestyle=":", label="proportional to seeds"),
    ]
    rounds = _counts(costs["rounds"].astype(int).tolist())
    caption = (
        "Figure alopex_iteration_cost. Top: wall time of one iteration (all seeds together) of Alopex-94, of a "
        "forward pass over the training set alone (the same error evaluations), and of full-batch backprop, "
        "against the number of seeds run side by side (a batch dimension), log-log; medians over interleaved "
        "timed rounds with interquartile bars, first calls (compilation) excluded; dotted: time growing in "
        "proportion to the seeds (no gain from batching). Bottom: Alopex-94 over the forward pass alone per task "
        "(1 means the correlation update is free). Experiment iteration_cost: tasks "
        f"{pl.fmt_list(tasks)}; seeds {pl.fmt_list(seeds)}; "
        f"{rounds} timed rounds per configuration. " + pl.provenance(table)
    )
    pl.finish(fig, "alopex_iteration_cost", caption, out_dir, handles)
    return caption


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("alopex_iterations", ("learning_time",), _iterations),
    FigureSpec("alopex_success", ("learning_time",), _success),
    FigureSpec("alopex_encoder_scaling", ("learning_time",), _encoder_scaling),
    FigureSpec("alopex_discontinuous", ("discontinuous",), _discontinuous),
    FigureSpec("alopex_recurrent", ("recurrent",), _recurrent),
    FigureSpec("alopex_monks", ("monks",), _monks),
    FigureSpec("alopex_annealing", ("annealing",), _annealing),
    FigureSpec("alopex_error_measure", ("error_measure",), _error_measure),
    FigureSpec("alopex_traces", ("learning_time",), _traces),
    FigureSpec("alopex_iteration_cost", ("iteration_cost",), _iteration_cost),
)


# ----------------------------------------------------------------------------------------------- report
LEARNING_TIME_COLUMNS = (
    "framework",
    "device",
    "task",
    "runs",
    "Alopex-94 median",
    "Alopex-B median",
    "backprop median",
    "Alopex-94 / backprop",
    "interval",
    "Alopex-B / Alopex-94",
    "interval (A9)",
)


def _median_cell(rows: pd.DataFrame, method: str) -> object:
    """A KM median for the report: a number, '> budget' (censored) or None (method absent)."""
    row = rows[rows["method"] == method]
    if row.empty:
        return None
    median, budget = float(row["median"].iloc[0]), float(row["budget"].iloc[0])
    if np.isfinite(median):
        return median
    return f"> {budget:g}" if np.isfinite(budget) else CENSORED


def _ratio_cells(ratios: pd.DataFrame, run: tuple[str, str], task: str) -> list[object]:
    row = ratios[(ratios["framework"] == run[0]) & (ratios["device"] == run[1]) & (ratios["task"] == task)]
    if row.empty:
        return [None, None]
    r = row.iloc[0]
    return [float(r["estimate"]), _interval(float(r["low"]), float(r["high"]))]


def learning_time_rows(table: pd.DataFrame) -> list[list[object]]:
    """REPORT.md rows: per slice and task, the KM median iterations of each method and the checks' ratios."""
    a2, a9 = thresholds.A2, thresholds.A9
    medians = median_table(table, (ALOPEX_94, ALOPEX_B, BACKPROP), a2.confidence)
    vs_backprop = ratio_table(table, ALOPEX_94, BACKPROP, a2.confidence)
    b_vs_94 = ratio_table(table, ALOPEX_B, ALOPEX_94, a9.confidence)
    out = []
    for run in pl.runs(table):
        sub = pl.run_rows(medians, run)
        for task in pl.ordered(sub["task"], TASK_ORDER):
            rows = sub[sub["task"] == task]
            out.append(
                [
                    run[0],
                    run[1],
                    task,
                    int(rows["runs"].max()),
                    *(_median_cell(rows, m) for m in (ALOPEX_94, ALOPEX_B, BACKPROP)),
                    *_ratio_cells(vs_backprop, run, task),
                    *_ratio_cells(b_vs_94, run, task),
                ]
            )
    return out


def iteration_cost_rows(table: pd.DataFrame) -> tuple[list[str], list[list[object]]]:
    """REPORT.md rows: per slice and task, t(alopex94)/t(forward_only) at the most seeds, and per method the
    time of an iteration at the most seeds over that at one seed (median seconds per iteration)."""
    costs, ratios = cost_table(table), cost_ratios(table)
    methods = pl.ordered(costs["method"], METHOD_ORDER)
    columns = [
        "framework",
        "device",
        "task",
        "seeds (most)",
        f"t({ALOPEX_94}) / t({FORWARD_ONLY}) at most seeds",
        *(f"{m}: t(most seeds) / t(1 seed)" for m in methods),
    ]
    rows = []
    for run in pl.runs(costs):
        sub = pl.run_rows(costs, run)
        for task in pl.ordered(sub["task"], TASK_ORDER):
            per_task = sub[sub["task"] == task]
            most = int(per_task["seeds_batched"].max())
            ratio = pl.run_rows(ratios, run)
            ratio = ratio[(ratio["task"] == task) & (ratio["seeds_batched"] == most)]["ratio"]
            scaling = []
            for method in methods:
                times = per_task[per_task["method"] == method].set_index("seeds_batched")["median"]
                low = times.index.min() if len(times) else None
                scaling.append(float(times[most] / times[low]) if most in times.index and low == 1 else None)
            rows.append([run[0], run[1], task, most, float(ratio.iloc[0]) if len(ratio) else None, *scaling])
    return columns, rows


def report_sections(tables: Mapping[str, pd.DataFrame]) -> list[dict]:
    """REPORT.md's sections of the study: the learning-time table (A2, A9) and the iteration-cost ratios."""
    sections = []
    if "learning_time" in tables and not tables["learning_time"].empty:
        a2 = thresholds.A2
        sections.append(
            {
                "title": "Alopex: learning time",
                "text": "Kaplan-Meier median iterations to the criterion over the evaluation runs (experiment "
                "`learning_time`; each method at the best step size of its own sweep, every method from the same "
                "initialisations; runs that never meet the criterion are censored at the budget, '> budget' when "
                "more than half are), and the checks' paired ratios of medians with their bootstrap intervals "
                f"(Bonferroni over the tasks of a slice): Alopex-94 / backprop for A2 (band (0, {a2.high:g}]; in "
                f"forward-pass equivalents divide by {FORWARD_PASSES_PER_ITERATION[BACKPROP]}), Alopex-B / "
                "Alopex-94 for A9 (faster where the interval lies below 1).",
                "columns": list(LEARNING_TIME_COLUMNS),
                "rows": learning_time_rows(tables["learning_time"]),
                "figure": "alopex_iterations",
            }
        )
    if "iteration_cost" in tables and not tables["iteration_cost"].empty:
        columns, rows = iteration_cost_rows(tables["iteration_cost"])
        sections.append(
            {
                "title": "Alopex: iteration cost",
                "text": "Ratios of median wall times per iteration measured side by side in one process (experiment "
                "`iteration_cost`; methods interleaved round by round, compilation and warm-up excluded): "
                "Alopex-94 over a forward pass alone at the most seeds run side by side (what the correlation "
                "update adds to the error evaluation), and per method the time of one iteration at the most seeds "
                "over that at one seed (1: extra seeds are free; the seed count: no gain from batching). Reported, "
                "not judged.",
                "columns": columns,
                "rows": rows,
                "figure": "alopex_iteration_cost",
            }
        )
    return sections
