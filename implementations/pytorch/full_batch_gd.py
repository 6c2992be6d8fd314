"""Full-batch gradient descent (backprop) in PyTorch, seed-batched: the baseline of Unnikrishnan & Venugopal
1994 (Neural Computation 6(3):469-490). Contract and equations: :mod:`implementations.contracts.full_batch_gd`.

    v(n) = momentum v(n-1) + grad E(theta(n-1)),    theta(n) = theta(n-1) - lr v(n),    v(0) = 0.

The gradient comes from ``torch.func.grad`` of the error summed over seeds, ``sum_s E_s(theta_s)``: seeds are
independent, so its gradient with respect to theta [S, N] is every seed's own gradient in one reverse pass
(backprop through time for the Elman net, whose time steps are a Python loop). Heaviside units
(``0 * z + (z > 0)``) have an exactly zero derivative, so GD on an all-Heaviside net never moves.

(a) Pure functions: :func:`init`, :func:`step`, :func:`measures`; the state holds the gradient at its
parameters, so every iteration is one forward and one backward pass, and E and the criterion at theta(n) come
with it. A seed is frozen by setting its ``rate`` to 0. (b) The NumPy-facing :func:`train`, :func:`trajectory`,
:func:`step_functions`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import torch

from implementations.contracts.full_batch_gd import GradientDescentConfig
from implementations.contracts.small_nets import (
    NetSpec,
    TrainingData,
    TrainResult,
    check_budget,
    check_theta,
    run_step_sizes,
)

from . import backend
from . import seed_batched_training as loop
from .small_nets import Prepared, evaluate, prepare

# ---------------------------------------------------------------------------------------------------------
# (a) pure functions


class GDState(NamedTuple):
    """Gradient descent at theta(n) for S seeds."""

    theta: torch.Tensor
    """[S, N] theta(n)."""
    velocity: torch.Tensor
    """[S, N] v(n)."""
    rate: torch.Tensor
    """[S, 1] lr, or 0 for a frozen seed."""
    gradient: torch.Tensor
    """[S, N] grad E(theta(n))."""


def gradient(net: NetSpec, theta: torch.Tensor, data: Prepared) -> tuple[torch.Tensor, loop.StepStats]:
    """(grad E [S, N], StepStats(E, max |y - t|)) at theta [S, N], by ``torch.func.grad``."""

    def summed(th: torch.Tensor) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        error, deviation = evaluate(net, th, data)
        return error.sum(), (error, deviation)

    grad, (error, deviation) = torch.func.grad(summed, has_aux=True)(theta)
    return grad, loop.StepStats(error, deviation)


def init(
    config: GradientDescentConfig, net: NetSpec, theta0: torch.Tensor, data: Prepared
) -> tuple[GDState, loop.StepStats]:
    """The state at theta0 [S, N] (zero velocity, the gradient there) and E, max |y - t| at theta0."""
    grad, stats = gradient(net, theta0, data)
    rate = torch.full((theta0.shape[0], 1), config.lr, device=theta0.device, dtype=torch.float32)
    return GDState(theta0, torch.zeros_like(theta0), rate, grad), stats


def step(config: GradientDescentConfig, net: NetSpec, state: GDState, data: Prepared) -> tuple[GDState, loop.StepStats]:
    """One iteration for every seed; stats: E and max |y - t| at the new parameters."""
    velocity = torch.add(state.gradient, state.velocity, alpha=config.momentum)
    theta = torch.addcmul(state.theta, state.rate, velocity, value=-1.0)
    grad, stats = gradient(net, theta, data)
    return GDState(theta, velocity, state.rate, grad), stats


def measures(before: GDState, after: GDState) -> dict[str, torch.Tensor]:
    """``grad_norm`` [S]: ||grad E|| at the new parameters."""
    return {"grad_norm": torch.linalg.vector_norm(after.gradient, dim=1)}


def freeze(state: GDState, mask: torch.Tensor) -> GDState:
    """Stop the seeds in ``mask`` [S, 1] from moving (their rate becomes 0)."""
    return state._replace(rate=torch.where(mask, 0.0, state.rate))


# ---------------------------------------------------------------------------------------------------------
# (b) NumPy-facing functions (contract: implementations.contracts.full_batch_gd.GradientDescentMethod)


@torch.no_grad()
def train(
    net: NetSpec,
    config: GradientDescentConfig,
    theta0: np.ndarray,
    data: TrainingData,
    seed: int,
    max_iterations: int,
    record_every: int,
    stop_at_success: bool = True,
    step_sizes: np.ndarray | None = None,
) -> TrainResult:
    """GD from theta0 [S, N], all seeds in one batch (``seed`` is ignored: GD is deterministic);
    ``step_sizes``: per-seed learning rates."""
    del seed
    check_theta(net, theta0)
    check_budget(max_iterations, record_every)
    sizes = run_step_sizes(step_sizes, config.lr, theta0.shape[0])
    prepared = prepare(net, data)
    state, stats = init(config, net, backend.from_numpy(theta0), prepared)
    state = state._replace(rate=backend.from_numpy(sizes[:, None]))
    return loop._train_loop(
        state,
        stats,
        {"error": stats.error, **measures(state, state)},
        lambda s: step(config, net, s, prepared),
        freeze,
        measures,
        lambda s: s.theta,
        data.margin,
        max_iterations,
        record_every,
        stop_at_success,
    )


@torch.no_grad()
def trajectory(
    net: NetSpec, config: GradientDescentConfig, theta0: np.ndarray, data: TrainingData, iterations: int
) -> dict[str, np.ndarray]:
    """One seed for ``iterations`` steps: {"theta" [T+1, N] float32, "error" [T+1]}."""
    check_theta(net, theta0, batched=False)
    check_budget(iterations, 1)
    prepared = prepare(net, data)
    state, stats = init(config, net, backend.from_numpy(theta0)[None], prepared)
    thetas, errors = [state.theta[0]], [stats.error[0, 0]]
    for _ in range(iterations):
        state, stats = step(config, net, state, prepared)
        thetas.append(state.theta[0])
        errors.append(stats.error[0, 0])
    return {"theta": backend.to_numpy(torch.stack(thetas)), "error": backend.to_numpy(torch.stack(errors))}


def step_functions(
    net: NetSpec, config: GradientDescentConfig, data: TrainingData, num_seeds: int, seed: int, iterations: int
) -> dict[str, Callable[[], None]]:
    """``gd``: ``iterations`` calls of :func:`step` (forward, backward, update) for ``num_seeds`` seeds;
    ``forward_only``: as many error evaluations of the same seeds. Weights start uniform in (-1, 1) from a
    generator seeded with ``seed``; both synchronise the device before returning."""
    prepared = prepare(net, data)
    gen = backend.make_rng(seed)
    theta0 = torch.rand((num_seeds, net.num_params), generator=gen, device=backend.device(), dtype=torch.float32)
    box = {"state": init(config, net, theta0 * 2 - 1, prepared)[0]}

    @torch.no_grad()
    def gd() -> None:
        state = box["state"]
        for _ in range(iterations):
            state, _ = step(config, net, state, prepared)
        box["state"] = state
        backend.synchronize()

    def errors_at(theta: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return evaluate(net, theta, prepared)

    return {"gd": gd, "forward_only": loop._timed_forward_passes(errors_at, lambda: box["state"].theta, iterations)}
