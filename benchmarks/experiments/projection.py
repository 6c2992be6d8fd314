"""Experiment ``projection``: K tangents combined by averaging vs by orthogonal projection (claim B4).

On the ``quadratic`` task at n = ``projection.dim``, for each K and ``repeats`` independent draws:
- ``mean``: g = (1/K) sum_k (grad f . v_k) v_k (Baydin et al. 2022 with K tangents): its
  ``sq_error_ratio`` (theory (n+1)/K for Gaussian tangents) and ``cosine`` with grad f;
- ``projection``: g = Q Q^T grad f with Q an orthonormal basis of the K tangents (Flügel et al. 2024): its
  ``cosine`` with grad f (claimed ~ sqrt(K/n); exactly, cos^2 ~ Beta(K/2, (n-K)/2) with mean K/n).
Gaussian tangents, as in both papers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks.seeding import derive_seed

from .common import RunContext, block_means, cosines, measurements, relative_sq_errors
from .tasks import Task, function_task

NAME = "projection"
DISTRIBUTION = "gaussian"
_MAX_FLOATS_PER_CALL = 1 << 23


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.params.active.projection
    task = function_task("quadratic", cfg.dim, ctx.params.seed)
    grad = ctx.api.gradient(task.spec, task.theta).astype(np.float64)
    parts: list[pd.DataFrame] = []
    for k in cfg.ks:
        seed = derive_seed(ctx.params.seed, NAME, ctx.framework, cfg.dim, k)
        axes = {
            "experiment": NAME,
            "framework": ctx.framework,
            "device": ctx.device,
            "task": task.name,
            "dim": cfg.dim,
            "distribution": DISTRIBUTION,
            "seed": seed,
        }
        means = mean_aggregates(ctx, task, seed, k, cfg.repeats)
        ks = np.full(cfg.repeats, k)
        parts.append(measurements({**axes, "method": "mean"}, "sq_error_ratio", relative_sq_errors(means, grad), k=ks))
        parts.append(measurements({**axes, "method": "mean"}, "cosine", cosines(means, grad), k=ks))
        projected = ctx.api.projected_gradient_samples(task.spec, task.theta, seed, DISTRIBUTION, k, cfg.repeats)
        parts.append(measurements({**axes, "method": "projection"}, "cosine", cosines(projected, grad), k=ks))
    return pd.concat(parts, ignore_index=True)


def mean_aggregates(ctx: RunContext, task: Task, seed: int, k: int, repeats: int) -> np.ndarray:
    """``repeats`` K-tangent averages, drawn in memory-bounded calls with derived seeds."""
    per_call = max(1, _MAX_FLOATS_PER_CALL // (k * task.spec.dim))
    out: list[np.ndarray] = []
    for call, start in enumerate(range(0, repeats, per_call)):
        count = min(per_call, repeats - start)
        samples = ctx.api.forward_gradient_samples(
            task.spec, task.theta, derive_seed(seed, "mean", call), DISTRIBUTION, count * k
        )
        out.append(block_means(samples, k))
    return np.concatenate(out)
