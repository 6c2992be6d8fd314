"""Experiment ``estimator``: statistics of single-tangent forward gradients (claims F1, F2, B1).

For each task (test function at n, or the MLP loss) and tangent distribution, draw S independent forward
gradients g_i = (grad f . v_i) v_i (Baydin et al. 2022, Eq. 1) at one point and keep their sufficient
statistics (:mod:`benchmarks.forward_gradient.sample_summary`), never the S x n samples.

S is sized per configuration so that F2's simultaneous interval reaches the target relative half-width
``half_width``: S = ceil((z * relsd / w)^2), with relsd the closed-form per-sample relative sd of the
variance ratio and of |cos| under the claim (:mod:`benchmarks.forward_gradient.theory`) and z the normal
quantile of F2's simultaneous level, clamped to [min_samples, max_samples] and rounded up to whole chunks
(a multiple of max(ks); one compiled shape per configuration). The row ``samples`` records S.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from benchmarks.forward_gradient import theory
from benchmarks.forward_gradient.sample_summary import SampleSummary
from benchmarks.forward_gradient.tasks import Task, estimator_tasks
from benchmarks.forward_gradient.thresholds import F2
from benchmarks.seeding import derive_seed
from benchmarks.stats import samples_for_half_width, simultaneous_confidence, z_value

if TYPE_CHECKING:
    from benchmarks.runner import RunContext

NAME = "estimator"
METHOD = "jvp"
CHUNK = 4096


def f2_intervals(tasks: int, distributions: list[str]) -> int:
    """How many simultaneous intervals F2 forms: a variance ratio per configuration, E|cos| for the
    uniform-direction laws, and the pooled variance ratio."""
    uniform = sum(d in theory.UNIFORM_DIRECTION for d in distributions)
    return tasks * (len(distributions) + uniform) + 1


def sample_count(cfg: object, task: Task, distribution: str, grad: np.ndarray, z: float, chunk: int) -> int:
    """S for one configuration (module docstring)."""
    dim = task.spec.dim
    relsd = np.sqrt(theory.sq_error_variance(distribution, dim, grad)) / theory.variance_theory(distribution, dim)
    if distribution in theory.UNIFORM_DIRECTION:
        relsd = max(relsd, np.sqrt(theory.abs_cosine_variance(dim)) / theory.abs_cosine_exact(dim))
    count = samples_for_half_width(relsd, z, cfg.half_width, cfg.min_samples, cfg.max_samples)
    unit = chunk if count > chunk else cfg.ks[-1]
    return -(-count // unit) * unit


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.config
    fg = ctx.methods["forward_gradient"]
    tasks = estimator_tasks(list(cfg.functions), list(cfg.dims), cfg.network, ctx.root_seed)
    z = z_value(simultaneous_confidence(F2.confidence, f2_intervals(len(tasks), list(cfg.distributions))))
    chunk = max(cfg.ks[-1], CHUNK // cfg.ks[-1] * cfg.ks[-1])
    configs = [(task, distribution) for task in tasks for distribution in cfg.distributions]
    grads: dict[str, np.ndarray] = {}
    parts: list[pd.DataFrame] = []
    for task, distribution in ctx.progress.over(configs, lambda c: f"{c[0].name} n={c[0].spec.dim} {c[1]}"):
        key = f"{task.name}/{task.spec.dim}"
        if key not in grads:
            grads[key] = fg.gradient(task.spec, task.theta).astype(np.float64)
        grad = grads[key]
        count = sample_count(cfg, task, distribution, grad, z, chunk)
        seed = derive_seed(ctx.root_seed, NAME, ctx.framework, task.name, task.spec.dim, distribution)
        summary = SampleSummary(grad, list(cfg.ks))
        for samples in fg.iter_single_tangent_samples(task.spec, task.theta, seed, distribution, count, chunk):
            summary.add(samples)
        fixed = ctx.identity(task=task.name, method=METHOD, seed=seed, dim=task.spec.dim, distribution=distribution)
        parts.extend(summary.rows(fixed))
    return pd.concat(parts, ignore_index=True)
