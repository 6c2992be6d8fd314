"""Full-batch gradient descent (backprop) in JAX, seed-batched: the baseline of Unnikrishnan & Venugopal 1994
(Neural Computation 6(3):469-490). Contract and equations: :mod:`implementations.contracts.full_batch_gd`.

    v(n) = momentum v(n-1) + grad E(theta(n-1)),    theta(n) = theta(n-1) - lr v(n),    v(0) = 0.

The gradient is ``jax.grad`` of the error summed over seeds, ``sum_s E_s(theta_s)``: seeds are independent, so
its gradient with respect to theta [S, N] is every seed's own gradient in one reverse pass (through the
``lax.scan`` over time for the Elman net). Heaviside units (``0 * z + (z > 0)``) have an exactly zero
derivative, so GD on an all-Heaviside net never moves.

(a) Pure functions: :func:`init`, :func:`step`, :func:`measures`; the state holds the gradient at its
parameters, so every iteration is one forward and one backward pass, and E and the criterion at theta(n) come
with it. ``config`` may be a :class:`GradientDescentConfig` or its :class:`Hyper` arrays (traced arguments of
the compiled functions: one compilation per (net, shapes) serves every learning rate). A seed is frozen by
setting its ``rate`` to 0. (b) The NumPy-facing :func:`train` (chunks of ``record_every`` iterations, each one
compiled ``lax.fori_loop``), :func:`trajectory` (one ``lax.scan``), :func:`step_functions`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

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


class Hyper(NamedTuple):
    """A :class:`GradientDescentConfig` as float32 scalars."""

    lr: jax.Array
    momentum: jax.Array


def _hyper(config: GradientDescentConfig | Hyper) -> Hyper:
    """The :class:`Hyper` of a config (a :class:`Hyper` is returned as it is)."""
    if isinstance(config, Hyper):
        return config
    return Hyper(jnp.float32(config.lr), jnp.float32(config.momentum))


class GDState(NamedTuple):
    """Gradient descent at theta(n) for S seeds (a pytree)."""

    theta: jax.Array
    """[S, N] theta(n)."""
    velocity: jax.Array
    """[S, N] v(n)."""
    rate: jax.Array
    """[S] lr, or 0 for a frozen seed."""
    gradient: jax.Array
    """[S, N] grad E(theta(n))."""


def gradient(net: NetSpec, theta: jax.Array, data: Prepared) -> tuple[jax.Array, loop.StepStats]:
    """(grad E [S, N], StepStats(E, max |y - t|)) at theta [S, N], by ``jax.grad``."""

    def summed(th: jax.Array) -> tuple[jax.Array, tuple[jax.Array, jax.Array]]:
        error, deviation = evaluate(net, th, data)
        return jnp.sum(error), (error, deviation)

    grad, (error, deviation) = jax.grad(summed, has_aux=True)(theta)
    return grad, loop.StepStats(error, deviation)


def init(
    config: GradientDescentConfig | Hyper, net: NetSpec, theta0: jax.Array, data: Prepared
) -> tuple[GDState, loop.StepStats]:
    """The state at theta0 [S, N] (zero velocity, the gradient there) and E, max |y - t| at theta0."""
    grad, stats = gradient(net, theta0, data)
    rate = jnp.full((theta0.shape[0],), _hyper(config).lr, jnp.float32)
    return GDState(theta0, jnp.zeros_like(theta0), rate, grad), stats


def step(
    config: GradientDescentConfig | Hyper, net: NetSpec, state: GDState, data: Prepared
) -> tuple[GDState, loop.StepStats]:
    """One iteration for every seed; stats: E and max |y - t| at the new parameters."""
    h = _hyper(config)
    velocity = state.gradient + h.momentum * state.velocity
    theta = state.theta - state.rate[:, None] * velocity
    grad, stats = gradient(net, theta, data)
    return GDState(theta, velocity, state.rate, grad), stats


def measures(before: GDState, after: GDState) -> dict[str, jax.Array]:
    """``grad_norm`` [S]: ||grad E|| at the new parameters."""
    return {"grad_norm": jnp.linalg.norm(after.gradient, axis=1)}


def freeze(state: GDState, mask: jax.Array) -> GDState:
    """Stop the seeds in ``mask`` [S] from moving (their rate becomes 0)."""
    return state._replace(rate=jnp.where(mask, 0.0, state.rate))


# ---------------------------------------------------------------------------------------------------------
# (b) NumPy-facing functions (contract: implementations.contracts.full_batch_gd.GradientDescentMethod)


class _Args(NamedTuple):
    hyper: Hyper
    data: Prepared


@functools.cache
def _compiled_train(net: NetSpec) -> tuple[Callable, Callable]:
    """(start, chunk) for ``net``."""

    def start(h: Hyper, theta0: jax.Array, data: Prepared) -> tuple[GDState, loop.StepStats, jax.Array]:
        state, stats = init(h, net, theta0, data)
        return state, stats, measures(state, state)["grad_norm"]

    def advance(state: GDState, n: jax.Array, args: _Args) -> tuple[GDState, loop.StepStats]:
        return step(args.hyper, net, state, args.data)

    return jax.jit(start), loop._compile_chunk(advance, freeze, measures)


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
    """GD from theta0 [S, N], all seeds batched (``seed`` is ignored: GD is deterministic); one compiled
    ``fori_loop`` per chunk of ``record_every`` iterations; ``step_sizes``: per-seed learning rates."""
    del seed
    check_theta(net, theta0)
    check_budget(max_iterations, record_every)
    sizes = run_step_sizes(step_sizes, config.lr, theta0.shape[0])
    prepared, h = prepare(net, data), _hyper(config)
    start, chunk = _compiled_train(net)
    state, stats, norm = start(h, backend.from_numpy(theta0), prepared)
    state = state._replace(rate=backend.from_numpy(sizes))
    return loop._train_loop(
        chunk,
        state,
        stats,
        {"error": stats.error, "grad_norm": norm},
        freeze,
        lambda s: s.theta,
        _Args(h, prepared),
        data.margin,
        max_iterations,
        record_every,
        stop_at_success,
    )


@functools.cache
def _compiled_trajectory(net: NetSpec, iterations: int) -> Callable:
    def run(h: Hyper, theta0: jax.Array, data: Prepared) -> tuple:
        state, stats = init(h, net, theta0[None], data)

        def one(state: GDState, _: None) -> tuple:
            new, stats = step(h, net, state, data)
            return new, (new.theta[0], stats.error[0])

        _, (thetas, errors) = jax.lax.scan(one, state, None, length=iterations)
        return stats.error[0], thetas, errors

    return jax.jit(run)


def trajectory(
    net: NetSpec, config: GradientDescentConfig, theta0: np.ndarray, data: TrainingData, iterations: int
) -> dict[str, np.ndarray]:
    """One seed for ``iterations`` steps: {"theta" [T+1, N] float32, "error" [T+1]}."""
    check_theta(net, theta0, batched=False)
    check_budget(iterations, 1)
    e0, thetas, errors = _compiled_trajectory(net, int(iterations))(
        _hyper(config), backend.from_numpy(theta0), prepare(net, data)
    )
    return {
        "theta": np.concatenate([np.asarray(theta0, np.float32)[None], backend.to_numpy(thetas)]),
        "error": np.concatenate([backend.to_numpy(e0)[None], backend.to_numpy(errors)]),
    }


@functools.cache
def _compiled_loop(net: NetSpec, iterations: int) -> Callable:
    def run(state: GDState, h: Hyper, data: Prepared) -> GDState:
        return jax.lax.fori_loop(0, iterations, lambda _, s: step(h, net, s, data)[0], state)

    return jax.jit(run, donate_argnums=0)


def step_functions(
    net: NetSpec, config: GradientDescentConfig, data: TrainingData, num_seeds: int, seed: int, iterations: int
) -> dict[str, Callable[[], None]]:
    """``gd``: ``iterations`` calls of :func:`step` (forward, backward, update) for ``num_seeds`` seeds in one
    compiled ``fori_loop``; ``forward_only``: as many error evaluations of the same seeds. Both start from
    weights uniform in (-1, 1) drawn with ``jax.random``, are compiled (once per net, iteration count and
    shapes) and run once here, and block until ready."""
    prepared, h = prepare(net, data), _hyper(config)
    theta0 = jax.random.uniform(backend.make_rng(seed), (num_seeds, net.num_params), jnp.float32, -1.0, 1.0)
    forward = loop._timed_forward_passes(net, theta0, prepared, iterations)
    compiled = _compiled_loop(net, iterations)
    start = _compiled_train(net)[0]
    box = {"state": compiled(start(h, jnp.array(theta0, copy=True), prepared)[0], h, prepared)}

    def gd() -> None:
        box["state"] = compiled(box["state"], h, prepared)
        jax.block_until_ready(box["state"])

    jax.block_until_ready(box["state"])
    return {"gd": gd, "forward_only": forward}
