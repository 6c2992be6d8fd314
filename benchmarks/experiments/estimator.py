"""Experiment ``estimator``: the statistics of single-tangent forward gradients (claims F1, F2, B1).

For each task (test function at n, or the MLP loss) and tangent distribution, draw S independent
forward gradients ``g_i = (grad f . v_i) v_i`` (Baydin et al. 2022, Eq. 1) at one point, and record
- ``sq_error_ratio`` = ||g_i - grad f||^2 / ||grad f||^2 per sample (F2: mean n+1 Gaussian, n-1 otherwise)
- ``cosine`` = cos(g_i, grad f) per sample (F2: E|cos| ~ sqrt(2 / (pi n)))
- ``grad_projection`` = g_i . grad f / ||grad f||^2 per sample (mean 1 iff unbiased along grad f)
- ``coord_mean_error`` / ``coord_std`` per coordinate j: mean_i g_ij - d_j f and the sample sd (F1 t-tests)
- ``relative_error`` at K: ||mean of K samples - grad f|| / ||grad f|| per disjoint block (F1's K sweep)
- ``samples``: S, and ``grad_norm``: ||grad f||.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks.seeding import derive_seed

from .common import RunContext, block_means, cosines, measurements, relative_sq_errors
from .tasks import estimator_tasks

NAME = "estimator"


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.params.active.estimator
    root = ctx.params.seed
    parts: list[pd.DataFrame] = []
    for task in estimator_tasks(list(cfg.functions), list(cfg.dims), cfg.network, root):
        grad = ctx.api.gradient(task.spec, task.theta).astype(np.float64)
        for distribution in cfg.distributions:
            seed = derive_seed(root, NAME, ctx.framework, task.name, task.spec.dim, distribution)
            samples = ctx.api.forward_gradient_samples(task.spec, task.theta, seed, distribution, cfg.samples)
            axes = {
                "experiment": NAME,
                "framework": ctx.framework,
                "device": ctx.device,
                "task": task.name,
                "dim": task.spec.dim,
                "method": "jvp",
                "distribution": distribution,
                "seed": seed,
            }
            parts.extend(sample_measurements(axes, samples, grad, list(cfg.ks)))
    return pd.concat(parts, ignore_index=True)


def sample_measurements(axes: dict, samples: np.ndarray, grad: np.ndarray, ks: list[int]) -> list[pd.DataFrame]:
    """The rows described in the module docstring for one (task, distribution) sample set."""
    grad_sq = float(grad @ grad)
    coords = np.arange(grad.size)
    rows = [
        measurements(axes, "samples", np.array([samples.shape[0]])),
        measurements(axes, "grad_norm", np.array([np.sqrt(grad_sq)])),
        measurements(axes, "sq_error_ratio", relative_sq_errors(samples, grad)),
        measurements(axes, "cosine", cosines(samples, grad)),
        measurements(axes, "grad_projection", samples.astype(np.float64) @ grad / grad_sq),
        measurements(axes, "coord_mean_error", samples.mean(axis=0, dtype=np.float64) - grad, index=coords),
        measurements(axes, "coord_std", samples.std(axis=0, ddof=1, dtype=np.float64), index=coords),
    ]
    for k in ks:
        means = block_means(samples, k)
        err = np.linalg.norm(means - grad, axis=1) / np.sqrt(grad_sq)
        rows.append(measurements(axes, "relative_error", err, k=np.full(err.size, k)))
    return rows
