"""Experiment ``fd_agreement`` (claim F10a): finite-difference vs JVP directional derivatives on smooth losses.

For each smooth task (Rosenbrock; the sigmoid twin of a step net on a digits batch) and tangent law, draw
``tangents`` NumPy tangents (shared by both frameworks), compute grad f . v by forward mode (the JVP) and by
the forward and central differences at every eps of the grid, all through each framework's
``forward_gradient.derivatives``. Since the forward gradients g = d v share their tangent, ||g_FD - g_JVP||
is |d_FD - d_JVP| ||v||: the directional derivatives carry all of the comparison.

Rows (``step`` = tangent index): ``directional_derivative`` (derivative ``jvp`` at epsilon 0, ``fd_forward`` /
``fd_central`` at each eps) and, once per task, ``objective_value`` f(theta) (the check's float32 rounding
scale).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from benchmarks.forward_variants.tasks import AgreementTask, agreement_tasks
from benchmarks.seeding import derive_seed
from benchmarks.tables import measurements
from implementations.contracts.discrete_nets import TRAINING_DERIVATIVES

if TYPE_CHECKING:
    from benchmarks.runner import RunContext

NAME = "fd_agreement"
METHOD = "forward_gradient"


def _tangents(distribution: str, count: int, dim: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if distribution == "gaussian":
        return rng.standard_normal((count, dim)).astype(np.float32)
    return rng.choice(np.array([-1.0, 1.0], np.float32), size=(count, dim))


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.config
    fg, dn = ctx.methods["forward_gradient"], ctx.methods["discrete_nets"]
    tasks = agreement_tasks(cfg.rosenbrock_dim, list(cfg.net_layers), cfg.batch, ctx.root_seed)
    epsilons = np.asarray(cfg.epsilons, np.float32)
    parts: list[pd.DataFrame] = []

    def value(task: AgreementTask) -> float:
        if task.spec is not None:
            return fg.objective_value(task.spec, task.theta)
        return float(dn.step_loss(task.net, task.data, task.theta[None])[0])

    def jvp(task: AgreementTask, v: np.ndarray) -> np.ndarray:
        if task.spec is not None:
            return fg.directional_derivatives(task.spec, task.theta, v, "jvp")
        return dn.step_jvp(task.net, task.data, task.theta, v)

    def sweep(task: AgreementTask, v: np.ndarray, derivative: str) -> np.ndarray:
        if task.spec is not None:
            return dn.objective_fd_sweep(task.spec, task.theta, v, derivative, epsilons)
        return dn.step_fd_sweep(task.net, task.data, task.theta, v, derivative, epsilons)

    items = [(task, law) for task in tasks for law in cfg.distributions]
    for task, law in ctx.progress.over(items, lambda item: f"{item[0].name} {item[1]}"):
        seed = derive_seed(ctx.root_seed, NAME, task.name, law)
        v = _tangents(law, cfg.tangents, task.dim, seed)
        index = np.arange(cfg.tangents)
        fixed = ctx.identity(task=task.name, method=METHOD, seed=seed, distribution=law)
        parts.append(measurements({**fixed, "derivative": "jvp", "epsilon": 0.0}, "objective_value", value(task)))
        parts.append(
            measurements(
                {**fixed, "derivative": "jvp", "epsilon": 0.0}, "directional_derivative", jvp(task, v), step=index
            )
        )
        for derivative in TRAINING_DERIVATIVES:
            rows = sweep(task, v, derivative)
            for eps, row in zip(epsilons, rows, strict=True):
                at = {**fixed, "derivative": derivative, "epsilon": float(eps)}
                parts.append(measurements(at, "directional_derivative", row, step=index))
    return pd.concat(parts, ignore_index=True)
