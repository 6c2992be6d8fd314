"""Shared pieces of every experiment: the run context and the tidy long-table builder.

Every experiment writes one long table: one row per measurement, with the axes (experiment, framework,
device, task, dim, method, distribution, seed, k, index), the ``measure`` name and its ``value``.
Figures and claim verdicts are computed from these tables alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from benchmarks.config import Params
from benchmarks.frameworks import FrameworkAPI

AXES = ("experiment", "framework", "device", "task", "dim", "method", "distribution", "seed", "k", "index")
COLUMNS = (*AXES, "measure", "value")


@dataclass(frozen=True)
class RunContext:
    """What an experiment needs: validated params, the framework's API module and where it runs."""

    params: Params
    framework: str
    api: FrameworkAPI
    device: str


def measurements(axes: Mapping[str, object], measure: str, values: np.ndarray, **per_row: np.ndarray) -> pd.DataFrame:
    """Rows ``measure = values[i]`` sharing ``axes``; ``per_row`` gives axis columns that vary by row
    (e.g. ``index=np.arange(n)``). Missing axes are filled with neutral values (k=0, index=row number)."""
    values = np.asarray(values, dtype=np.float64).ravel()
    n = values.size
    frame: dict[str, object] = {"k": np.zeros(n, np.int64), "index": np.arange(n, dtype=np.int64)}
    frame.update({key: value for key, value in axes.items()})
    frame.update({key: np.asarray(col) for key, col in per_row.items()})
    frame["measure"] = measure
    frame["value"] = values
    missing = [col for col in COLUMNS if col not in frame]
    if missing:
        raise ValueError(f"measurement rows lack axis columns {missing}")
    return pd.DataFrame(frame, columns=list(COLUMNS))


def relative_sq_errors(estimates: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """``||g_i - grad||^2 / ||grad||^2`` per row (float64)."""
    diff = estimates.astype(np.float64) - grad.astype(np.float64)
    return np.einsum("ij,ij->i", diff, diff) / float(grad.astype(np.float64) @ grad.astype(np.float64))


def cosines(estimates: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """cos(g_i, grad) per row (float64)."""
    est = estimates.astype(np.float64)
    g = grad.astype(np.float64)
    return est @ g / (np.linalg.norm(est, axis=1) * np.linalg.norm(g))


def block_means(samples: np.ndarray, k: int) -> np.ndarray:
    """Means of consecutive, disjoint blocks of ``k`` rows (the K-tangent averages), shape [S // k, n]."""
    blocks = samples.shape[0] // k
    return samples[: blocks * k].reshape(blocks, k, -1).mean(axis=1, dtype=np.float64)
