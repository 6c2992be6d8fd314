"""Experiment ``descent_2d``: forward-gradient descent against gradient descent on Beale and Rosenbrock in
2-D (Baydin et al. 2022, Sec. 5.1: SGD with lr 0.01 for 1000 iterations, the forward gradient
(grad f . v) v with Gaussian v against the true gradient; claim F3).

For each function, learning rate and gradient source, all ``seeds`` runs step together (one batch; starts:
:func:`benchmarks.forward_descent.problems.standard_starts`, shared by both sources and frameworks).
Every ``stride`` iterations the batch is read back: the 10/50/90 % quantiles over seeds of the loss and of
the distance to the minimiser (non-finite values count as +inf) at ``step`` = iteration, and the cumulative
wall-clock of the batch (``seconds``: each segment of ``stride`` steps timed alone, the device waited for,
reads excluded). ``build_seconds`` is the time to build (and compile) the batch, timed apart. Per seed
(axis ``start``): ``final_distance`` and ``final_loss`` after the last iteration. Rows of the quantile
curves have no ``start`` (NaN).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from benchmarks.forward_descent.problems import distance_to_minimiser, standard_starts
from benchmarks.seeding import derive_seed
from benchmarks.tables import measurements
from benchmarks.timing import time_once
from implementations.contracts.descent import DescentConfig
from implementations.contracts.forward_gradient import EstimatorConfig
from implementations.contracts.optimizers import OptimizerConfig
from implementations.specs import ObjectiveSpec

if TYPE_CHECKING:
    from benchmarks.runner import RunContext

NAME = "descent_2d"
SOURCES = {"backprop": EstimatorConfig("backprop"), "forward": EstimatorConfig("forward", "gaussian")}
QUANTILES = (0.1, 0.5, 0.9)


def quantile_rows(fixed: dict, measure: str, values: np.ndarray, steps: np.ndarray) -> list[pd.DataFrame]:
    """``<measure>_q10`` ... rows: quantiles over seeds (axis 1 of ``values`` [S, R]), +inf for non-finite."""
    values = np.where(np.isfinite(values), values, np.inf)
    return [
        measurements(
            fixed, f"{measure}_q{round(100 * q)}", np.quantile(values, q, axis=1, method="nearest"), step=steps
        )
        for q in QUANTILES
    ]


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.config
    descent = ctx.methods["descent"]
    parts: list[pd.DataFrame] = []
    items = [(f, lr, source) for f in cfg.functions for lr in cfg.learning_rates for source in SOURCES]
    points = cfg.iterations // cfg.stride
    steps = np.arange(points + 1) * cfg.stride
    for function, lr, source in ctx.progress.over(items, lambda i: f"{i[0]} lr={i[1]:g} {i[2]}"):
        spec = ObjectiveSpec(function, 2)
        starts = standard_starts(function, cfg.seeds, cfg.start_spread, ctx.root_seed)
        seed = derive_seed(ctx.root_seed, NAME, ctx.framework, function, lr, source)
        config = DescentConfig(SOURCES[source], OptimizerConfig("sgd", lr))
        begin = time.perf_counter()
        advance, read = descent.descent_runner(spec, starts, seed, config, cfg.stride)
        build = time.perf_counter() - begin
        x, value = read()
        trace_x, trace_f, seconds = [x], [value], [0.0]
        for _ in range(points):
            seconds.append(seconds[-1] + time_once(advance))
            x, value = read()
            trace_x.append(x)
            trace_f.append(value)
        loss = np.asarray(trace_f, dtype=np.float64)
        distance = distance_to_minimiser(function, np.asarray(trace_x))
        fixed = ctx.identity(task=function, method=source, seed=seed, lr=lr)
        curve = fixed | {"start": np.nan}
        parts += quantile_rows(curve, "loss", loss, steps) + quantile_rows(curve, "distance", distance, steps)
        parts.append(measurements(curve, "seconds", seconds, step=steps))
        parts.append(measurements(curve, "build_seconds", build))
        index, last = np.arange(cfg.seeds), np.full(cfg.seeds, cfg.iterations)
        parts.append(measurements(fixed, "final_distance", distance[-1], start=index, step=last))
        parts.append(measurements(fixed, "final_loss", loss[-1], start=index, step=last))
    return pd.concat(parts, ignore_index=True)
