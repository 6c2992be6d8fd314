"""Experiment ``projection``: K Gaussian tangents combined by averaging vs orthogonal projection (claim B4).

On the ``quadratic`` task at n = ``dim``, for each K, R_K independent estimates of each method:
- ``mean``: g = (1/K) sum_k (grad f . v_k) v_k: moments of ||g - a||^2 / ||a||^2 (theory (n+1)/K) and of
  cos(g, a);
- ``projection``: g = Q Q' a with Q an orthonormal basis of the K tangents (Flügel et al. 2024): moments of
  cos(g, a) (exact law: cos^2 ~ Beta(K/2, (n-K)/2), cos = 1 at K = n).
R_K is sized so each method's interval at that K reaches the relative half-width ``half_width`` at the
simultaneous level of B4's intervals (closed-form per-sample sds, :mod:`benchmarks.forward_gradient.theory`),
clamped to [min_repeats, max_repeats] and rounded up to whole calls of equal size (memory-bounded, derived
seeds), so a framework compiles one shape per (K, method).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from benchmarks.forward_gradient import theory
from benchmarks.forward_gradient.tasks import function_task
from benchmarks.forward_gradient.thresholds import B4
from benchmarks.seeding import derive_seed
from benchmarks.stats import Moments, samples_for_half_width, simultaneous_confidence, z_value
from benchmarks.tables import measurements
from implementations.contracts.forward_gradient import EstimatorConfig

if TYPE_CHECKING:
    from benchmarks.runner import RunContext

NAME = "projection"
DISTRIBUTION = "gaussian"
METHODS = {"mean": "forward", "projection": "projection"}
_FLOATS_PER_CALL = 1 << 23


def repeats_needed(cfg: object, k: int, z: float) -> dict[str, int]:
    """R_K per method (module docstring)."""
    n = cfg.dim
    mean, var = theory.mean_of_k_moments(n, k)
    proj_mean = theory.projection_cosine_mean(k, n)
    relsd = {
        "mean": np.sqrt(var) / mean,
        "projection": np.sqrt(theory.projection_cosine_variance(k, n)) / proj_mean,
    }
    return {m: samples_for_half_width(s, z, cfg.half_width, cfg.min_repeats, cfg.max_repeats) for m, s in relsd.items()}


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.config
    fg = ctx.methods["forward_gradient"]
    task = function_task("quadratic", cfg.dim, ctx.root_seed)
    grad = fg.gradient(task.spec, task.theta).astype(np.float64)
    z = z_value(simultaneous_confidence(B4.confidence, 2 * len(cfg.ks)))
    parts: list[pd.DataFrame] = []
    items = [(k, method) for k in cfg.ks for method in METHODS]
    for k, method in ctx.progress.over(items, lambda item: f"K={item[0]} {item[1]}"):
        repeats = repeats_needed(cfg, k, z)[method]
        seed = derive_seed(ctx.root_seed, NAME, ctx.framework, cfg.dim, k, method)
        estimator = EstimatorConfig(METHODS[method], DISTRIBUTION, num_tangents=k)
        cosine, sq_error = Moments(), Moments()
        per_call = min(repeats, max(1, _FLOATS_PER_CALL // (k * cfg.dim)))
        repeats = -(-repeats // per_call) * per_call  # equal calls: one compiled shape per (K, method)
        for call, start in enumerate(range(0, repeats, per_call)):
            rows = fg.aggregated_samples(
                task.spec, task.theta, derive_seed(seed, call), estimator, min(per_call, repeats - start)
            ).astype(np.float64)
            diff = rows - grad
            sq_error.add(np.einsum("ij,ij->i", diff, diff) / (grad @ grad))
            norms = np.linalg.norm(rows, axis=1) * np.linalg.norm(grad)
            cosine.add(np.where(norms > 0, rows @ grad / np.where(norms > 0, norms, 1.0), 0.0))
        fixed = ctx.identity(task=task.name, method=method, seed=seed, dim=cfg.dim, distribution=DISTRIBUTION, k=k)
        stats_ = {"samples": repeats, "cosine_mean": cosine.mean, "cosine_var": cosine.variance}
        if method == "mean":
            stats_ |= {"sq_error_ratio_mean": sq_error.mean, "sq_error_ratio_var": sq_error.variance}
        parts.extend(measurements(fixed, name, value) for name, value in stats_.items())
    return pd.concat(parts, ignore_index=True)
