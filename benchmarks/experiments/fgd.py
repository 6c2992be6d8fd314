"""Experiment ``fgd``: iterations of forward-gradient descent to a target, per tangent distribution (B1).

On f(x) = 1/2 ||x||^2 in n dimensions, from ``seeds`` Gaussian starts shared by every distribution and
framework, run ``x <- x - lr (grad f . v) v`` with lr = 1/(n+2) (the optimal step for Gaussian tangents,
Belouze 2022) until f(x) <= tolerance * f(x_0). Records ``iterations`` (NaN when the budget ran out) and
``reached`` (1/0) per start. The same lr for every distribution: the comparison is at equal step size.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks.seeding import derive_seed
from implementations.specs import ObjectiveSpec

from .common import RunContext, measurements

NAME = "fgd"
TASK = "isotropic_quadratic"


def step_size(dim: int) -> float:
    """lr = 1/(n+2): minimises E f(x_{t+1}) for Gaussian tangents on 1/2 ||x||^2."""
    return 1.0 / (dim + 2)


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.params.active.fgd
    parts: list[pd.DataFrame] = []
    for dim in cfg.dims:
        starts = np.random.default_rng(derive_seed(ctx.params.seed, NAME, "starts", dim))
        starts = starts.standard_normal((cfg.seeds, dim)).astype(np.float32)
        for distribution in cfg.distributions:
            seed = derive_seed(ctx.params.seed, NAME, ctx.framework, dim, distribution)
            hits = ctx.api.fgd_iterations(
                ObjectiveSpec(TASK, dim),
                starts,
                seed,
                distribution,
                step_size(dim),
                cfg.max_iterations,
                cfg.tolerance,
            )
            axes = {
                "experiment": NAME,
                "framework": ctx.framework,
                "device": ctx.device,
                "task": TASK,
                "dim": dim,
                "method": "fgd",
                "distribution": distribution,
                "seed": seed,
            }
            iterations = np.where(hits >= 0, hits, np.nan)
            parts.append(measurements(axes, "iterations", iterations))
            parts.append(measurements(axes, "reached", (hits >= 0).astype(float)))
    return pd.concat(parts, ignore_index=True)
