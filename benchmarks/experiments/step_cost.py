"""Experiment ``step_cost``: wall time of one MLP training step, four ways (measurement rules in README).

For each tangent distribution: ``fg_step`` (sample tangents + JVP + update), ``jvp_only`` (the JVP with
precomputed tangents), ``bp_step`` (backprop + SGD update) and ``forward_only`` (the loss). Data are on the
device before timing; the first call (compilation, allocation) is timed apart as ``first_call_seconds``;
then ``warmup`` untimed rounds; then ``repeats`` rounds in which the four kinds run interleaved (so drift
hits all alike), each timed with ``time.perf_counter`` around a call that ends with device synchronisation.
Ratios (t(fg_step)/t(jvp_only), R_f = t(fg_step)/t(forward_only), R_b = t(bp_step)/t(forward_only)) are
computed from these rows, measured side by side in one process.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from benchmarks.seeding import derive_seed
from implementations.specs import mlp_num_params

from .common import RunContext, measurements

NAME = "step_cost"
DISTRIBUTIONS = ("gaussian", "rademacher", "sphere")


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.params.active.step_cost
    layers = tuple(cfg.layers)
    task = "mlp_" + "-".join(str(width) for width in layers) + f"_batch{cfg.batch}"
    parts: list[pd.DataFrame] = []
    for distribution in DISTRIBUTIONS:
        seed = derive_seed(ctx.params.seed, NAME, ctx.framework, distribution)
        steps = ctx.api.step_functions(layers, cfg.batch, seed, distribution)
        first = {name: _time_once(fn) for name, fn in steps.items()}
        for _ in range(cfg.warmup):
            for fn in steps.values():
                fn()
        timings: dict[str, list[float]] = {name: [] for name in steps}
        for _ in range(cfg.repeats):
            for name, fn in steps.items():
                timings[name].append(_time_once(fn))
        for name in steps:
            axes = {
                "experiment": NAME,
                "framework": ctx.framework,
                "device": ctx.device,
                "task": task,
                "dim": mlp_num_params(layers),
                "method": name,
                "distribution": distribution,
                "seed": seed,
            }
            parts.append(measurements(axes, "seconds", np.array(timings[name])))
            parts.append(measurements(axes, "first_call_seconds", np.array([first[name]])))
    return pd.concat(parts, ignore_index=True)


def _time_once(fn: Callable[[], None]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start
