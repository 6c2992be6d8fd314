"""Experiment ``fgd``: iterations of forward-gradient descent to a target, per tangent distribution (B1).

On f(x) = 1/2 ||x||^2 in n dimensions, from ``seeds`` Gaussian starts shared by every distribution and
framework, run plain SGD on the single-tangent forward gradient, x <- x - lr (grad f . v) v, with
lr = 1/(n+2) (the optimal step for Gaussian tangents, Belouze 2022) until f(x) <= tolerance * f(x_0).
Rows (``step`` = start index): ``iterations`` (NaN when the budget ran out) and ``reached`` (1/0). The same
lr for every distribution: the comparison is at equal step size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from benchmarks.seeding import derive_seed
from benchmarks.tables import measurements
from implementations.contracts.descent import DescentConfig
from implementations.contracts.forward_gradient import EstimatorConfig
from implementations.contracts.optimizers import OptimizerConfig
from implementations.specs import ObjectiveSpec

if TYPE_CHECKING:
    from benchmarks.runner import RunContext

NAME = "fgd"
TASK = "isotropic_quadratic"
METHOD = "fgd_sgd"


def step_size(dim: int) -> float:
    """lr = 1/(n+2): minimises E f(x_{t+1}) for Gaussian tangents on 1/2 ||x||^2."""
    return 1.0 / (dim + 2)


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.config
    descent = ctx.methods["descent"]
    parts: list[pd.DataFrame] = []
    items = [(dim, distribution) for dim in cfg.dims for distribution in cfg.distributions]
    for dim, distribution in ctx.progress.over(items, lambda item: f"n={item[0]} {item[1]}"):
        rng = np.random.default_rng(derive_seed(ctx.root_seed, NAME, "starts", dim))
        starts = rng.standard_normal((cfg.seeds, dim)).astype(np.float32)
        seed = derive_seed(ctx.root_seed, NAME, ctx.framework, dim, distribution)
        config = DescentConfig(
            EstimatorConfig("forward", distribution, num_tangents=1), OptimizerConfig("sgd", step_size(dim))
        )
        hits = descent.iterations_to_tolerance(
            ObjectiveSpec(TASK, dim), starts, seed, config, cfg.max_iterations, cfg.tolerance
        )
        fixed = ctx.identity(task=TASK, method=METHOD, seed=seed, dim=dim, distribution=distribution)
        index = np.arange(cfg.seeds)
        parts.append(measurements(fixed, "iterations", np.where(hits >= 0, hits, np.nan), step=index))
        parts.append(measurements(fixed, "reached", (hits >= 0).astype(float), step=index))
    return pd.concat(parts, ignore_index=True)
