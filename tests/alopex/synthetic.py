"""Synthetic per-run tables in the study's exact layout, for testing the claim checks near their limits."""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks.alopex.runs import EVALUATION


def arm_rows(
    experiment: str,
    task: str,
    method: str,
    iterations: np.ndarray,
    budget: int,
    framework: str = "jax",
    **per_run: np.ndarray,
) -> pd.DataFrame:
    """Per-run rows of one arm: runs with ``iterations >= budget`` are censored at the budget."""
    iterations = np.asarray(iterations, float)
    reached = iterations < budget
    values = {
        "iterations": np.where(reached, iterations, budget),
        "reached": reached.astype(float),
        "forward_passes": np.where(reached, iterations, budget),
        "final_error": np.zeros(len(iterations)),
        "budget": np.full(len(iterations), float(budget)),
        **per_run,
    }
    frames = [
        pd.DataFrame(
            {
                "study": "alopex",
                "experiment": experiment,
                "framework": framework,
                "device": "cpu",
                "task": task,
                "method": method,
                "seed": 1,
                "step": 0,
                "measure": measure,
                "value": np.asarray(column, float),
                "phase": EVALUATION,
                "step_size": 0.01,
                "run": np.arange(len(column)),
            }
        )
        for measure, column in values.items()
    ]
    return pd.concat(frames, ignore_index=True)


def lognormal_times(median: float, runs: int, seed: int, spread: float = 0.3) -> np.ndarray:
    """Iterations with the given median and a lognormal spread (deterministic for a seed)."""
    return median * np.exp(spread * np.random.default_rng(seed).standard_normal(runs))


def successes_at(rate: float, runs: int, budget: int, solved_at: float = 100.0) -> np.ndarray:
    """Iterations of ``runs`` runs of which ``floor(rate * runs)`` succeed (the rest censored)."""
    solved = int(np.floor(rate * runs))
    return np.array([solved_at] * solved + [2.0 * budget] * (runs - solved))
