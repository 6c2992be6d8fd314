"""Descent in JAX: an optimizer fed by a gradient source ("optimizer x gradient source" is configuration).

With the forward estimator, one tangent and SGD, :func:`step` is forward gradient descent, Baydin et al.
2022 (arXiv 2202.08587), Alg. 1: ``x <- x - eta (grad f(x) . v) v``; other sources and optimizers come from
:mod:`.forward_gradient` and :mod:`.optimizers`. :func:`iterations_to_tolerance` implements the
iterations-to-target protocol of Belouze 2022 (arXiv 2209.06302). Contract:
:mod:`implementations.contracts.descent`.

(a) Pure functions in evosax style (``rng``: a PRNG key): ``init(config, params, rng) -> state``,
``step(config, state, objective, rng) -> (state, stats)``; :func:`step_from_tangents` is the one place
where an estimate meets an update.
(b) The NumPy-facing functions at the bottom: one compiled ``lax.while_loop`` / ``lax.scan`` each, built
once per (objective structure, config).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from implementations.contracts.descent import DescentConfig
from implementations.specs import ObjectiveSpec

from . import backend, objectives, optimizers
from . import forward_gradient as fg
from .objectives import Objective, Params

# ---------------------------------------------------------------------------------------------------------
# (a) pure functions


class DescentState(NamedTuple):
    """Parameters and optimizer state (a pytree)."""

    params: Params
    optimizer: Any


def init(config: DescentConfig, params: Params, rng: jax.Array | None = None) -> DescentState:
    """The state at ``params``. ``rng`` (a PRNG key) is accepted for the uniform ``init`` signature; descent
    draws no randomness at initialisation."""
    del rng
    return DescentState(params, optimizers.init(config.optimizer, params))


def step_from_tangents(
    config: DescentConfig, state: DescentState, objective: Objective, directions: fg.Tangents
) -> tuple[DescentState, fg.Stats]:
    """One step with given tangents (leaves [K, ...]; None for backprop): estimate, then update."""
    grads, stats = fg.estimate(config.estimator, objective, state.params, directions)
    params, opt_state = optimizers.update(config.optimizer, grads, state.optimizer, state.params)
    return DescentState(params, opt_state), stats


def step(
    config: DescentConfig, state: DescentState, objective: Objective, rng: jax.Array | None
) -> tuple[DescentState, fg.Stats]:
    """One step with fresh tangents drawn with the key ``rng`` (unused by backprop); stats: {"loss" (before
    the step), "directional_derivatives"}."""
    return step_from_tangents(config, state, objective, fg.draw(config.estimator, state.params, rng))


# ---------------------------------------------------------------------------------------------------------
# (b) NumPy-facing functions (contract: implementations.contracts.descent.DescentMethod)


@functools.cache
def _compiled_tolerance_loop(key: objectives.Structure, config: DescentConfig) -> Callable:
    f = objectives.flat_objective(key)

    def run(
        starts: jax.Array, rng: jax.Array, data: tuple, max_iterations: jax.Array, tolerance: jax.Array
    ) -> jax.Array:
        objective = objectives.bind(f, data)
        batched_f = jax.vmap(objective)
        batched_step = jax.vmap(lambda s, k: step(config, s, objective, k)[0])
        target = tolerance * batched_f(starts)

        def not_finished(carry: tuple) -> jax.Array:
            iteration, _, _, hit = carry
            return (iteration < max_iterations) & jnp.any(hit < 0)

        def body(carry: tuple) -> tuple:
            iteration, state, rng, hit = carry
            rng, sub = jax.random.split(rng)
            state = batched_step(state, jax.random.split(sub, starts.shape[0]))
            iteration = iteration + 1
            hit = jnp.where((hit < 0) & (batched_f(state.params) <= target), iteration, hit)
            return iteration, state, rng, hit

        state = jax.vmap(lambda x: init(config, x))(starts)
        hit = jnp.full((starts.shape[0],), -1, dtype=jnp.int32)
        return jax.lax.while_loop(not_finished, body, (jnp.int32(0), state, rng, hit))[3]

    return jax.jit(run)


def iterations_to_tolerance(
    spec: ObjectiveSpec, starts: np.ndarray, seed: int, config: DescentConfig, max_iterations: int, tolerance: float
) -> np.ndarray:
    """int64 [R]: per row of ``starts`` [R, n], the first t with f(x_t) <= tolerance f(x_0), else -1.

    All starts run together (``vmap`` of :func:`step`) inside one compiled ``lax.while_loop`` that stops when
    every start is done; each iteration splits the loop's key into one key per start.
    """
    compiled = _compiled_tolerance_loop(objectives.structure(spec), config)
    hits = compiled(
        backend.from_numpy(starts),
        backend.make_rng(seed),
        objectives.objective_data(spec),
        jnp.int32(max_iterations),
        jnp.float32(tolerance),
    )
    return backend.to_numpy(hits).astype(np.int64)


@functools.cache
def _compiled_trajectory(key: objectives.Structure, config: DescentConfig) -> Callable:
    f = objectives.flat_objective(key)

    def run(theta0: jax.Array, tangents: jax.Array, data: tuple) -> jax.Array:
        objective = objectives.bind(f, data)

        def one(state: DescentState, v: jax.Array) -> tuple:
            directions = None if config.estimator.source == "backprop" else v
            state, _ = step_from_tangents(config, state, objective, directions)
            return state, state.params

        _, path = jax.lax.scan(one, init(config, theta0), tangents)
        return path

    return jax.jit(run)


def trajectory_from_tangents(
    spec: ObjectiveSpec, theta0: np.ndarray, tangents: np.ndarray, config: DescentConfig
) -> np.ndarray:
    """Feed tangents [T, K, n] in order (parity mode; ignored by backprop): the trajectory [T+1, n] float32."""
    theta = backend.from_numpy(theta0)
    path = _compiled_trajectory(objectives.structure(spec), config)(
        theta, backend.from_numpy(tangents), objectives.objective_data(spec)
    )
    return np.concatenate([np.asarray(theta0, np.float32)[None], backend.to_numpy(path)])
