"""Experiment ``iteration_cost``: what an Alopex iteration costs beside a forward pass, and what extra seeds
cost when vectorised.

Unnikrishnan & Venugopal 1994: one Alopex iteration is one error evaluation (a forward pass over the training
set) plus O(N) work per weight. Per task and number of seeds S run side by side (a batch dimension in
PyTorch, ``vmap``-style batching in JAX), the implementations' ``step_functions`` run ``iterations``
iterations of ``alopex94`` (the real training step), of ``forward_only`` (the same number of error
evaluations of the same net, data and seeds) and of ``backprop`` (full-batch gradient descent), timed
interleaved (:func:`benchmarks.timing.time_interleaved`); rows ``seconds_per_iteration`` (``step`` = round)
and ``first_call_seconds`` (compilation included).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from benchmarks.alopex.runs import ALOPEX_94, BACKPROP, method_config
from benchmarks.alopex.tasks import boolean_task
from benchmarks.seeding import derive_seed
from benchmarks.tables import measurements
from benchmarks.timing import time_interleaved

if TYPE_CHECKING:
    from benchmarks.runner import RunContext

FORWARD_ONLY = "forward_only"
MARGIN = 0.4  # the criterion is not evaluated by the timed steps; any valid margin


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.config
    alopex_config = method_config(ALOPEX_94, cfg.delta, cfg.alopex)
    backprop_config = method_config(BACKPROP, cfg.lr, cfg.alopex)
    parts = []
    items = [(name, seeds) for name in cfg.tasks for seeds in cfg.seeds_batched]
    for name, seeds in ctx.progress.over(items, lambda item: f"{item[0]} x {item[1]} seeds"):
        task = boolean_task(name, MARGIN)
        seed = derive_seed(ctx.root_seed, ctx.experiment, ctx.framework, name, seeds)
        alopex = ctx.methods["alopex"].step_functions(task.net, alopex_config, task.train, seeds, seed, cfg.iterations)
        backprop = ctx.methods["full_batch_gd"].step_functions(
            task.net, backprop_config, task.train, seeds, seed, cfg.iterations
        )
        steps = {ALOPEX_94: alopex["alopex"], FORWARD_ONLY: alopex["forward_only"], BACKPROP: backprop["gd"]}
        timings = time_interleaved(steps, cfg.warmup, cfg.repeats)
        for method, rounds in timings.rounds.items():
            fixed = ctx.identity(task=name, method=method, seed=seed, seeds_batched=seeds)
            per_iteration = np.asarray(rounds) / cfg.iterations
            parts.append(measurements(fixed, "seconds_per_iteration", per_iteration, step=np.arange(cfg.repeats)))
            parts.append(measurements(fixed, "first_call_seconds", timings.first_call[method]))
    return pd.concat(parts, ignore_index=True)
