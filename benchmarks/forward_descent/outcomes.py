"""Read the study's tables into per-run and per-problem frames (shared by the checks and the figures, so
both show the same numbers), and the Dolan-Moré profiles of Belouze's protocol.

- :func:`protocol_runs`: one row per run of the ``protocol`` experiment, one column per measure;
- :func:`solver_matrix`: a (problem x solver) matrix of a per-run quantity, aggregated over a stochastic
  solver's repeats by the median (a failed run counts as +inf cost or -inf accuracy, so a problem counts
  as solved by a stochastic solver when most of its repeats solve it);
- :func:`performance_profile`: Dolan & Moré 2002 (Math. Program. 91:201), rho_s(tau) = fraction of problems
  whose cost is within tau times the best solver's (problems no solver solves count as failures for all);
- :func:`accuracy_profile`: Hare & Sagastizábal 2006 as Belouze computes it, the fraction of problems on
  which a solver reached at least tau of accuracy ln((f(x0) - f*) / (f_best - f*)), capped at
  :data:`MAX_ACCURACY` (his M = 10); a diverged run reaches none.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

RUN_KEYS = ["framework", "device", "dim", "task", "method", "optimizer", "distribution", "start", "repeat"]
MEASURES = ["solved", "evaluations", "diverged_at", "best_gap", "initial_gap"]
MAX_ACCURACY = 10.0
SOURCES = ("backprop", "forward")


def protocol_runs(table: pd.DataFrame) -> pd.DataFrame:
    """One row per run: the run keys and one column per measure, plus ``accuracy``."""
    rows = table[table["measure"].isin(MEASURES) & table["method"].isin(SOURCES)]
    wide = rows.set_index([*RUN_KEYS, "measure"])["value"].unstack("measure").reset_index()
    wide.columns.name = None
    with np.errstate(divide="ignore", invalid="ignore"):
        accuracy = np.log(wide["initial_gap"] / wide["best_gap"].clip(lower=0.0))
    accuracy = np.minimum(np.where(wide["best_gap"] <= 0, MAX_ACCURACY, accuracy), MAX_ACCURACY)
    wide["accuracy"] = np.where(wide["diverged_at"].notna(), np.nan, accuracy)
    return wide


def solver_matrix(
    runs: pd.DataFrame, problem: list[str], solver: list[str], value: str, failure: float
) -> tuple[pd.DataFrame, list[tuple]]:
    """(matrix [problems, solvers] of the median of ``value`` over each solver's runs of a problem, with
    NaN replaced by ``failure``; the solver keys, in column order)."""
    frame = runs.assign(_v=runs[value].fillna(failure))
    matrix = frame.pivot_table(index=problem, columns=solver, values="_v", aggfunc="median")
    return matrix, list(matrix.columns)


def performance_profile(costs: np.ndarray, taus: np.ndarray) -> np.ndarray:
    """[solvers, taus]: fraction of problems (rows of ``costs`` [P, S], +inf = unsolved) solved within tau
    times the smallest cost of any solver."""
    costs = np.asarray(costs, dtype=float)
    best = np.min(costs, axis=1, keepdims=True)
    with np.errstate(invalid="ignore"):
        ratio = np.where(np.isfinite(best), costs / best, np.inf)
    return np.mean(ratio[:, :, None] <= np.asarray(taus)[None, None, :], axis=0)


def accuracy_profile(accuracy: np.ndarray, taus: np.ndarray) -> np.ndarray:
    """[solvers, taus]: fraction of problems (rows of ``accuracy`` [P, S], -inf = diverged) on which a
    solver reached at least tau."""
    return np.mean(np.asarray(accuracy, dtype=float)[:, :, None] >= np.asarray(taus)[None, None, :], axis=0)
