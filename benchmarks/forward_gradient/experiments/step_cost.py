"""Experiment ``step_cost``: wall time of one MLP training step, four ways (measurement rules in README).

For each tangent distribution: ``fg_step`` (sample tangents + JVP + update), ``jvp_only`` (the JVP with
precomputed tangents), ``bp_step`` (backprop + SGD update) and ``forward_only`` (the loss). Data are on the
device before timing; the first call (compilation, allocation) is timed apart as ``first_call_seconds``;
then ``warmup`` untimed rounds; then ``repeats`` rounds (``step`` = round) in which the four kinds run
interleaved (so drift hits all alike), each timed around a call that ends with device synchronisation
(:func:`benchmarks.timing.time_interleaved`). Ratios are computed from these rows
(:mod:`benchmarks.forward_gradient.timing`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from benchmarks.seeding import derive_seed
from benchmarks.tables import measurements
from benchmarks.timing import time_interleaved
from implementations.specs import mlp_num_params

if TYPE_CHECKING:
    from benchmarks.runner import RunContext

NAME = "step_cost"
DISTRIBUTIONS = ("gaussian", "rademacher", "sphere")


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.config
    layers = tuple(cfg.layers)
    task = "mlp_" + "-".join(str(width) for width in layers) + f"_batch{cfg.batch}"
    parts: list[pd.DataFrame] = []
    for distribution in ctx.progress.over(DISTRIBUTIONS):
        seed = derive_seed(ctx.root_seed, NAME, ctx.framework, distribution)
        steps = ctx.methods["training_steps"].step_functions(layers, cfg.batch, seed, distribution)
        timings = time_interleaved(steps, cfg.warmup, cfg.repeats)
        for name in steps:
            fixed = ctx.identity(
                task=task, method=name, seed=seed, dim=mlp_num_params(layers), distribution=distribution
            )
            parts.append(measurements(fixed, "seconds", timings.rounds[name], step=np.arange(cfg.repeats)))
            parts.append(measurements(fixed, "first_call_seconds", timings.first_call[name]))
    return pd.concat(parts, ignore_index=True)
