"""Experiment ``depth``: t(FG)/t(BP) against the number of layers (claim F9, a secondary-source statement
about Baydin et al. 2022, arXiv 2202.08587: the speed-up shrinks with depth).

MLPs with ``depths`` hidden layers of ``width`` units, one fixed minibatch of real training examples; per
depth the suite's forward-gradient step (``fg``, one tangent of ``distribution``) and the suite's backprop
step (``bp``) are built, their first calls timed apart, then
timed over ``repeats`` interleaved rounds (``step`` = round), as in :mod:`.step_cost`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from benchmarks.forward_training.tasks import depth_network, fixed_batch, load_data, task_name
from benchmarks.seeding import derive_seed
from benchmarks.tables import measurements
from benchmarks.timing import time_interleaved
from implementations.contracts.classifiers import init_params
from implementations.contracts.minibatch_training import PAPER_DECAY, PAPER_LR
from implementations.contracts.step_costs import StepSpec

if TYPE_CHECKING:
    from benchmarks.runner import RunContext

NAME = "depth"


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.config
    data = load_data(cfg.dataset)
    costs = ctx.methods["step_costs"]
    steps = (StepSpec("fg", cfg.distribution, 1), StepSpec("bp"))
    parts: list[pd.DataFrame] = []
    for depth in ctx.progress.over(cfg.depths, lambda d: f"{d} hidden layers of {cfg.width}"):
        spec = depth_network(data.x_train.shape[1], depth, cfg.width)
        seed = derive_seed(ctx.root_seed, NAME, depth)
        x, y = fixed_batch(data, cfg.batch, seed)
        params = init_params(spec, np.random.default_rng(seed))
        functions = costs.step_functions(
            spec, params, x, y, steps, derive_seed(seed, ctx.framework), PAPER_LR, PAPER_DECAY
        )
        timings = time_interleaved(functions, cfg.warmup, cfg.repeats)
        for step in steps:
            fixed = ctx.identity(
                task=task_name(spec, cfg.dataset, cfg.batch),
                method=step.kind,
                seed=seed,
                depth=depth,
                distribution=step.distribution,
            )
            parts.append(measurements(fixed, "seconds", timings.rounds[step.label], step=np.arange(cfg.repeats)))
            parts.append(measurements(fixed, "first_call_seconds", timings.first_call[step.label]))
    return pd.concat(parts, ignore_index=True)
