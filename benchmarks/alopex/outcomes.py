"""Per-run outcomes from the study's tables (one row per run), as the checks and the figures read them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks.alopex.runs import EVALUATION

RUN_MEASURES: tuple[str, ...] = ("iterations", "reached", "forward_passes", "final_error", "budget", "test_accuracy")
ENCODERS: tuple[str, ...] = ("encoder_4_2_4", "encoder_8_3_8", "encoder_16_4_16", "encoder_32_5_32")


def run_outcomes(table: pd.DataFrame, phase: str = EVALUATION) -> pd.DataFrame:
    """One row per (task, method, step_size, run) of ``phase``: a column per per-run measure present
    (``reached`` as bool)."""
    rows = table[(table["phase"] == phase) & table["measure"].isin(RUN_MEASURES)]
    wide = rows.pivot_table(
        index=["task", "method", "step_size", "run"], columns="measure", values="value", aggfunc="first"
    ).reset_index()
    wide.columns.name = None
    if "reached" in wide:
        wide["reached"] = wide["reached"] > 0.5
    return wide.sort_values(["task", "method", "run"]).reset_index(drop=True)


def method_runs(outcomes: pd.DataFrame, task: str, method: str) -> pd.DataFrame:
    """The runs of one (task, method), ordered by run index (so paired methods line up)."""
    runs = outcomes[(outcomes["task"] == task) & (outcomes["method"] == method)].sort_values("run")
    if runs.empty:
        raise ValueError(f"no evaluation runs of method {method!r} on task {task!r}")
    return runs


def paired(outcomes: pd.DataFrame, task: str, method_a: str, method_b: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The runs of two methods on one task, restricted to the run indices both have (paired by initialisation)."""
    a, b = method_runs(outcomes, task, method_a), method_runs(outcomes, task, method_b)
    common = np.intersect1d(a["run"], b["run"])
    return a[a["run"].isin(common)], b[b["run"].isin(common)]


def tasks_in(outcomes: pd.DataFrame, method: str) -> list[str]:
    """Tasks with evaluation runs of ``method``, in table order."""
    return list(dict.fromkeys(outcomes.loc[outcomes["method"] == method, "task"]))


def arrays(runs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(iterations, reached) of some runs, as the survival statistics take them."""
    return runs["iterations"].to_numpy(), runs["reached"].to_numpy()


def paired_arrays(a: pd.DataFrame, b: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(times_a, reached_a, times_b, reached_b) of paired runs."""
    return (*arrays(a), *arrays(b))


def common_budget(a: pd.DataFrame, b: pd.DataFrame) -> float:
    """The iteration budget both arms ran under (ValueError if they differ: censoring must be comparable)."""
    budgets = set(a["budget"]) | set(b["budget"])
    if len(budgets) != 1:
        raise ValueError(f"paired arms ran under different budgets {sorted(budgets)}")
    return float(budgets.pop())
