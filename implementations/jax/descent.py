"""Descent in JAX: an optimizer fed by a gradient source ("optimizer x gradient source" is configuration).

With the forward estimator, one tangent and SGD, :func:`step` is forward gradient descent, Baydin et al.
2022 (arXiv 2202.08587), Alg. 1: ``x <- x - eta (grad f(x) . v) v``; other sources and optimizers come from
:mod:`.forward_gradient` and :mod:`.optimizers`. :func:`iterations_to_tolerance` implements the
iterations-to-target protocol of Belouze 2022 (arXiv 2209.06302). Contract:
:mod:`implementations.contracts.descent`.

(a) Pure functions in evosax style (``rng``: a PRNG key): ``init(config, params, rng) -> state``,
``step(config, state, objective, rng) -> (state, stats)``; :func:`step_from_tangents` is the one place
where an estimate meets an update.
(b) Batched descents: many independent descents as the rows of one array, grouped by
:func:`implementations.contracts.descent.batch_plan` (Belouze 2022's protocol runs every function,
optimizer and gradient source of a dimension in one compiled loop): per iteration, tangents drawn per
distribution, :func:`.forward_gradient.estimate` under ``vmap`` once per (objective, source) over its rows,
and each optimizer's update under ``vmap`` over its rows.
(c) The NumPy-facing functions at the bottom: one compiled ``lax.while_loop`` / ``lax.scan`` /
``lax.fori_loop`` each, built once per (objective structure, config) or per tuple of blocks.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from implementations.contracts.descent import DescentConfig, RunBlock, batch_plan, contiguous
from implementations.contracts.forward_gradient import EstimatorConfig
from implementations.specs import ObjectiveSpec

from . import backend, objectives, optimizers, tangents
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
# (b) batched descents

_ESTIMATORS = {"forward": EstimatorConfig("forward"), "backprop": EstimatorConfig("backprop")}


def _take(array: jax.Array, rows: np.ndarray) -> jax.Array:
    span = contiguous(rows)
    return array[span[0] : span[1]] if span is not None else array[rows]


def _put(array: jax.Array, rows: np.ndarray, values: jax.Array) -> jax.Array:
    span = contiguous(rows)
    return array.at[span[0] : span[1]].set(values) if span is not None else array.at[rows].set(values)


class BatchFunctions(NamedTuple):
    """Pure functions of a batch: ``init(x) -> states``; ``step(x, states, key, datas, active) -> (x, states,
    values)`` (rows where ``active`` is False keep their iterate; values are f at the iterates the step
    started from); ``values(x, datas)``."""

    init: Callable
    step: Callable
    values: Callable


@functools.cache
def _batch_functions(blocks: tuple[RunBlock, ...]) -> BatchFunctions:
    """The pure functions of the batch of ``blocks`` (built once per tuple of blocks); ``datas`` holds each
    estimate group's objective data, in :func:`_batch_data`'s order."""
    plan = batch_plan(blocks)
    fs = [objectives.flat_objective(objectives.structure(spec)) for spec, _, _ in plan.estimates]

    def init(x: jax.Array) -> list:
        return [jax.vmap(lambda row, c=c: optimizers.init(c, row))(_take(x, rows)) for c, rows in plan.updates]

    def estimates(x: jax.Array, v: jax.Array, datas: tuple) -> tuple[jax.Array, jax.Array]:
        values, grads = jnp.zeros(x.shape[0], x.dtype), jnp.zeros_like(x)
        for (_, source, rows), f, data in zip(plan.estimates, fs, datas, strict=True):
            objective = objectives.bind(f, data)

            def one(row: jax.Array, tangent: jax.Array, objective: Callable = objective, source: str = source):
                direction = None if source == "backprop" else tangent[None]
                grad, stats = fg.estimate(_ESTIMATORS[source], objective, row, direction)
                return stats["loss"], grad

            value, grad = jax.vmap(one)(_take(x, rows), _take(v, rows))
            values, grads = _put(values, rows, value), _put(grads, rows, grad)
        return values, grads

    def step(x: jax.Array, states: list, key: jax.Array, datas: tuple, active: jax.Array) -> tuple:
        v = jnp.zeros_like(x)
        for (name, rows), sub in zip(plan.tangents, jax.random.split(key, max(1, len(plan.tangents))), strict=False):
            v = _put(v, rows, tangents.sample_tangents(sub, name, (rows.size, plan.dim)))
        values, grads = estimates(x, v, datas)
        new, out = jnp.zeros_like(x), []
        for (config, rows), state in zip(plan.updates, states, strict=True):
            update = jax.vmap(lambda g, s, p, c=config: optimizers.update(c, g, s, p))
            params, state = update(_take(grads, rows), state, _take(x, rows))
            new, out = _put(new, rows, params), [*out, state]
        return jnp.where(active[:, None], new, x), out, values

    def values(x: jax.Array, datas: tuple) -> jax.Array:
        return estimates(x, jnp.zeros_like(x), datas)[0]

    return BatchFunctions(init, step, values)


def _batch_data(blocks: tuple[RunBlock, ...]) -> tuple:
    """The objective data of each estimate group of ``blocks`` (arguments of the compiled functions)."""
    return tuple(objectives.objective_data(spec) for spec, _, _ in batch_plan(blocks).estimates)


# ---------------------------------------------------------------------------------------------------------
# (c) NumPy-facing functions (contract: implementations.contracts.descent.DescentMethod)


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


@functools.cache
def _compiled_values_and_gradients(key: objectives.Structure) -> Callable:
    f = objectives.batched_objective(key)

    def run(x: jax.Array, data: tuple) -> tuple[jax.Array, jax.Array]:
        values, pull = jax.vjp(lambda y: f(y, data), x)
        return values, pull(jnp.ones_like(values))[0]

    return jax.jit(run)


def values_and_gradients(spec: ObjectiveSpec, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(f at each row of ``points`` [R, n], [R] float32; its backprop gradient, [R, n] float32)."""
    compiled = _compiled_values_and_gradients(objectives.structure(spec))
    values, grads = compiled(backend.from_numpy(np.asarray(points, np.float32)), objectives.objective_data(spec))
    return backend.to_numpy(values), backend.to_numpy(grads)


@functools.cache
def _compiled_first_passage(blocks: tuple[RunBlock, ...]) -> Callable:
    functions = _batch_functions(blocks)

    def run(x0: jax.Array, rng: jax.Array, datas: tuple, budget: jax.Array, target: jax.Array, ceiling: jax.Array):
        def not_finished(carry: tuple) -> jax.Array:
            return (carry[0] < budget) & jnp.any(carry[-1])

        def body(carry: tuple) -> tuple:
            t, x, states, rng, hit, out, best, active = carry
            rng, sub = jax.random.split(rng)
            x, states, values = functions.step(x, states, sub, datas, active)
            reached = active & (values <= target)
            failed = active & ~reached & ~(jnp.isfinite(values) & (values <= ceiling))
            best = jnp.where(active & jnp.isfinite(values), jnp.minimum(best, values), best)
            hit, out = jnp.where(reached, t, hit), jnp.where(failed, t, out)
            return t + 1, x, states, rng, hit, out, best, active & ~reached & ~failed

        rows = x0.shape[0]
        never = jnp.full((rows,), -1, jnp.int32)
        start = (jnp.int32(0), x0, functions.init(x0), rng, never, never, jnp.full((rows,), jnp.inf, x0.dtype))
        return jax.lax.while_loop(not_finished, body, (*start, jnp.ones(rows, bool)))[4:7]

    return jax.jit(run)


def first_passage(
    blocks: tuple[RunBlock, ...],
    starts: np.ndarray,
    seed: int,
    max_iterations: int,
    targets: np.ndarray,
    ceilings: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Belouze 2022's protocol for every row at once (contract: ``DescentMethod.first_passage``): hit, out
    (int64 [R], -1 if never) and best (float64 [R]), from one compiled ``lax.while_loop`` that stops when
    every row has ended."""
    plan = batch_plan(blocks)
    if starts.shape != (plan.rows, plan.dim):
        raise ValueError(f"starts {starts.shape}; blocks need ({plan.rows}, {plan.dim})")
    hit, out, best = _compiled_first_passage(blocks)(
        backend.from_numpy(starts),
        backend.make_rng(seed),
        _batch_data(blocks),
        jnp.int32(max_iterations),
        backend.from_numpy(targets),
        backend.from_numpy(ceilings),
    )
    return (
        backend.to_numpy(hit).astype(np.int64),
        backend.to_numpy(out).astype(np.int64),
        backend.to_numpy(best).astype(np.float64),
    )


@functools.cache
def _compiled_segment(blocks: tuple[RunBlock, ...], stride: int) -> tuple[Callable, Callable]:
    functions = _batch_functions(blocks)

    def segment(carry: tuple, datas: tuple) -> tuple:
        def one(_: int, inner: tuple) -> tuple:
            x, states, rng = inner
            rng, sub = jax.random.split(rng)
            x, states, _ = functions.step(x, states, sub, datas, jnp.ones(x.shape[0], bool))
            return x, states, rng

        return jax.lax.fori_loop(0, stride, one, carry)

    return jax.jit(segment), jax.jit(functions.values)


def descent_runner(
    spec: ObjectiveSpec, starts: np.ndarray, seed: int, config: DescentConfig, stride: int
) -> tuple[Callable[[], None], Callable[[], tuple[np.ndarray, np.ndarray]]]:
    """(advance, read) (contract: ``DescentMethod.descent_runner``): ``stride`` steps per compiled
    ``lax.fori_loop`` call, compiled and run once on the initial state (result discarded) before returning.
    The initial state is placed on the device as a whole, as a segment's output is: an uncommitted key or
    optimizer state would make the second call compile again, inside the timed segments."""
    blocks = (RunBlock(spec, config, int(starts.shape[0])),)
    segment, values = _compiled_segment(blocks, stride)
    datas = _batch_data(blocks)
    x0 = backend.from_numpy(starts)
    carry = (x0, _batch_functions(blocks).init(x0), backend.make_rng(seed))
    state = {"carry": jax.device_put(carry, backend.device())}
    jax.block_until_ready(segment(state["carry"], datas))
    jax.block_until_ready(values(x0, datas))

    def advance() -> None:
        state["carry"] = segment(state["carry"], datas)
        jax.block_until_ready(state["carry"])

    def read() -> tuple[np.ndarray, np.ndarray]:
        x = state["carry"][0]
        return backend.to_numpy(x), backend.to_numpy(values(x, datas))

    return advance, read
