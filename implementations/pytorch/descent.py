"""Descent in PyTorch: an optimizer fed by a gradient source ("optimizer x gradient source" is configuration).

With the forward estimator, one tangent and SGD, :func:`step` is forward gradient descent, Baydin et al.
2022 (arXiv 2202.08587), Alg. 1: ``x <- x - eta (grad f(x) . v) v``; other sources and optimizers come from
:mod:`.forward_gradient` and :mod:`.optimizers`. :func:`iterations_to_tolerance` implements the
iterations-to-target protocol of Belouze 2022 (arXiv 2209.06302). Contract:
:mod:`implementations.contracts.descent`.

(a) Pure functions in torch.func style (``rng``: a ``torch.Generator``): ``init(config, params, rng) -> state``,
``step(config, state, objective, rng) -> (state, stats)``; :func:`step_from_tangents` is the one
place where an estimate meets an update (it runs under ``torch.func.vmap`` for many starts at once).
(b) The NumPy-facing functions at the bottom.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

from implementations.contracts.descent import DescentConfig
from implementations.specs import ObjectiveSpec

from . import backend, optimizers
from . import forward_gradient as fg
from .objectives import Objective, Params, build_objective

_CHECK_EVERY = 50  # iterations between host-side "all done?" checks in iterations_to_tolerance

# ---------------------------------------------------------------------------------------------------------
# (a) pure functions


class DescentState(NamedTuple):
    """Parameters and optimizer state."""

    params: Params
    optimizer: optimizers.OptimizerState


def init(config: DescentConfig, params: Params, rng: torch.Generator | None = None) -> DescentState:
    """The state at ``params``. ``rng`` (a generator) is accepted for the uniform ``init`` signature;
    descent draws no randomness at initialisation."""
    del rng
    return DescentState(params, optimizers.init(config.optimizer, params))


def step_from_tangents(
    config: DescentConfig, state: DescentState, objective: Objective, directions: fg.Tangents
) -> tuple[DescentState, fg.Stats]:
    """One step with given tangents (tensors [K, ...]; None for backprop): estimate, then update."""
    grads, stats = fg.estimate(config.estimator, objective, state.params, directions)
    params, opt_state = optimizers.update(config.optimizer, grads, state.optimizer, state.params)
    return DescentState(params, opt_state), stats


def step(
    config: DescentConfig, state: DescentState, objective: Objective, rng: torch.Generator | None
) -> tuple[DescentState, fg.Stats]:
    """One step with fresh tangents drawn from the generator ``rng`` (unused by backprop); stats: {"loss"
    (before the step), "directional_derivatives"}."""
    return step_from_tangents(config, state, objective, fg.draw(config.estimator, state.params, rng))


# ---------------------------------------------------------------------------------------------------------
# (b) NumPy-facing functions (contract: implementations.contracts.descent.DescentMethod)


@torch.no_grad()
def iterations_to_tolerance(
    spec: ObjectiveSpec, starts: np.ndarray, seed: int, config: DescentConfig, max_iterations: int, tolerance: float
) -> np.ndarray:
    """int64 [R]: per row of ``starts`` [R, n], the first t with f(x_t) <= tolerance f(x_0), else -1.

    All starts step together (:func:`step_from_tangents` under ``torch.func.vmap``) with the tangents of all
    starts drawn at once from one generator; the loop exits early once every start is done (checked every
    50 iterations, to keep host synchronisation rare).
    """
    objective = build_objective(spec)
    x = backend.from_numpy(starts)
    batched_f = torch.func.vmap(lambda theta: objective((theta,)))
    single = (x[0],)
    state = torch.func.vmap(lambda theta: init(config, (theta,)))(x)
    if config.estimator.source == "backprop":
        batched_step = torch.func.vmap(lambda s: step_from_tangents(config, s, objective, None)[0])
    else:
        batched_step = torch.func.vmap(lambda s, v: step_from_tangents(config, s, objective, v)[0])
    gen = backend.make_rng(seed)
    target = tolerance * batched_f(x)
    hit = torch.full((x.shape[0],), -1, dtype=torch.int64, device=x.device)
    for iteration in range(1, max_iterations + 1):
        directions = fg.draw(config.estimator, single, gen, (x.shape[0],))
        state = batched_step(state) if directions is None else batched_step(state, directions)
        newly = (hit < 0) & (batched_f(state.params[0]) <= target)
        hit = torch.where(newly, torch.full_like(hit, iteration), hit)
        if iteration % _CHECK_EVERY == 0 and bool((hit >= 0).all()):
            break
    return backend.to_numpy(hit)


@torch.no_grad()
def trajectory_from_tangents(
    spec: ObjectiveSpec, theta0: np.ndarray, tangents: np.ndarray, config: DescentConfig
) -> np.ndarray:
    """Feed tangents [T, K, n] in order (parity mode; ignored by backprop): the trajectory [T+1, n] float32."""
    objective = build_objective(spec)
    state = init(config, (backend.from_numpy(theta0),))
    path = [state.params[0]]
    for v in backend.from_numpy(tangents):
        directions = None if config.estimator.source == "backprop" else (v,)
        state, _ = step_from_tangents(config, state, objective, directions)
        path.append(state.params[0])
    return backend.to_numpy(torch.stack(path))
