"""Experiment ``dimension``: iterations of forward-gradient descent to ``tolerance`` x f(x0) on
f(x) = 1/2 ||x||^2 against n, with Gaussian tangents and the step 1/(n+2) (Belouze 2022's dimension
argument; claim B3; theory in :mod:`benchmarks.forward_descent.theory`).

Per n: ``seeds`` Gaussian starts (NumPy, shared by both frameworks) descend together with a budget of
``budget_factor`` x (n+2) ln(1/tolerance), through ``descent.first_passage`` with the per-run target
tolerance x f(x0) (the iterations-to-tolerance protocol: the first t, counted in updates, with
f(x_t) <= tolerance f(x0)) and no divergence line. Rows (``step`` = seed): ``iterations`` (NaN if the
budget ran out) and ``reached`` (1/0); one ``budget`` and one ``tolerance`` row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from benchmarks.forward_descent.theory import budget
from benchmarks.seeding import derive_seed
from benchmarks.tables import measurements
from implementations.contracts.descent import RunBlock, forward_sgd
from implementations.specs import ObjectiveSpec

if TYPE_CHECKING:
    from benchmarks.runner import RunContext

NAME = "dimension"
TASK = "isotropic_quadratic"
METHOD = "fgd_sgd"


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.config
    descent = ctx.methods["descent"]
    parts: list[pd.DataFrame] = []
    for dim in ctx.progress.over(cfg.dims, lambda n: f"n={n}"):
        rng = np.random.default_rng(derive_seed(ctx.root_seed, NAME, "starts", dim))
        starts = rng.standard_normal((cfg.seeds, dim)).astype(np.float32)
        seed = derive_seed(ctx.root_seed, NAME, ctx.framework, dim)
        limit = budget(dim, cfg.tolerance, cfg.budget_factor)
        blocks = (RunBlock(ObjectiveSpec(TASK, dim), forward_sgd("gaussian", 1.0 / (dim + 2)), cfg.seeds),)
        targets = cfg.tolerance * 0.5 * np.sum(starts.astype(np.float64) ** 2, axis=1)
        hits, _, _ = descent.first_passage(blocks, starts, seed, limit + 1, targets, np.full(cfg.seeds, np.inf))
        fixed = ctx.identity(task=TASK, method=METHOD, seed=seed, dim=dim)
        index = np.arange(cfg.seeds)
        parts.append(measurements(fixed, "iterations", np.where(hits >= 0, hits, np.nan), step=index))
        parts.append(measurements(fixed, "reached", (hits >= 0).astype(float), step=index))
        parts.append(measurements(fixed, "budget", float(limit)))
        parts.append(measurements(fixed, "tolerance", cfg.tolerance))
    return pd.concat(parts, ignore_index=True)
