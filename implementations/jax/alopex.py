"""Alopex in JAX, seed-batched: Unnikrishnan & Venugopal 1994 (Neural Computation 6(3):469-490, Sec. 2) and
Alopex-B's temperature (Bia 2001, Int. J. Neural Systems 11(6)). Contract and equations:
:mod:`implementations.contracts.alopex`.

Per iteration n, for S seeds at once (arrays [S, N]):

    C(n) = dw(n-1) dE(n-1);  p(n) = sigmoid(C(n) / T(n));  dw(n) = -delta where u(n) < p(n), else +delta;
    w(n) = w(n-1) + dw(n);   E(n) = E(w(n)) (one forward pass);  then T(n+1).

Alopex-94's refresh uses ``mean_k |C_k(n)| = |dw(n-1)| |dE(n-1)|`` (every weight moves by the same delta), a
running per-seed sum updated in O(1); a refresh whose mean is 0 keeps T; every T is floored at 1e-30.

(a) Pure functions on explicit state (evosax style): :func:`init`, :func:`step` (one iteration from given
uniforms), :func:`measures`. ``config`` may be an :class:`AlopexConfig` or its :class:`Hyper` arrays: the
compiled functions take :class:`Hyper` as a traced argument and select the variant and schedule with
``jnp.where``, so one compilation per (net, shapes) serves every configuration (a step-size sweep compiles
nothing new). A seed is frozen by setting its ``step_size`` to 0.
(b) The NumPy-facing functions: :func:`train` (chunks of ``record_every`` iterations, each one compiled
``lax.fori_loop``, uniforms drawn inside it with ``jax.random.uniform(fold_in(key, n))``),
:func:`trajectory_from_uniforms` (one compiled ``lax.scan``) and :func:`step_functions`, all on :func:`step`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from implementations.contracts.alopex import STEP_MEASURES, TEMPERATURE_FLOOR, AlopexConfig
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
    """An :class:`AlopexConfig` as float32 / int32 / bool scalars (traced arguments of compiled functions)."""

    delta: jax.Array
    initial_temperature: jax.Array
    forgetting: jax.Array
    cycle: jax.Array
    delta_scaled: jax.Array
    """Alopex-94: T = (sum over the cycle of mean |C|) / M, times the seed's delta when True."""
    alopex_b: jax.Array
    anneal: jax.Array


def _hyper(config: AlopexConfig | Hyper) -> Hyper:
    """The :class:`Hyper` of a config (a :class:`Hyper` is returned as it is)."""
    if isinstance(config, Hyper):
        return config
    return Hyper(
        jnp.float32(config.delta),
        jnp.float32(config.initial_temperature),
        jnp.float32(config.forgetting),
        jnp.int32(config.cycle),
        jnp.bool_(config.temperature_rule == "delta_scaled"),
        jnp.bool_(config.variant == "alopex_b"),
        jnp.bool_(config.anneal),
    )


class AlopexState(NamedTuple):
    """Alopex after iteration n - 1, for S seeds (a pytree)."""

    theta: jax.Array
    """[S, N] w(n-1)."""
    step: jax.Array
    """[S, N] dw(n-1), the step taken (+-delta; 0 before the first move)."""
    step_size: jax.Array
    """[S] delta, or 0 for a frozen seed."""
    error: jax.Array
    """[S] E(n-1)."""
    error_change: jax.Array
    """[S] dE(n-1) (0 before the first move)."""
    temperature: jax.Array
    """[S] T(n), the temperature of the next iteration."""
    cycle_sum: jax.Array
    """[S] Alopex-94: sum over the current cycle of mean_k |C_k|."""
    iteration: jax.Array
    """int32 scalar: n - 1, iterations done."""


def init(config: AlopexConfig | Hyper, net: NetSpec, theta0: jax.Array, data: Prepared) -> AlopexState:
    """The state at theta0 [S, N]: E(0), no step yet, T(1) (initial_temperature; Alopex-B: forgetting T(0))."""
    h = _hyper(config)
    error, _ = evaluate(net, theta0, data)
    seeds = theta0.shape[0]
    t0 = h.initial_temperature
    t1 = jnp.where(h.anneal & h.alopex_b, jnp.maximum(h.forgetting * t0, TEMPERATURE_FLOOR), t0)
    zeros = jnp.zeros((seeds,), jnp.float32)
    return AlopexState(
        theta=theta0,
        step=jnp.zeros_like(theta0),
        step_size=jnp.full((seeds,), h.delta, jnp.float32),
        error=error,
        error_change=zeros,
        temperature=jnp.full((seeds,), t1, jnp.float32),
        cycle_sum=zeros,
        iteration=jnp.int32(0),
    )


def step(
    config: AlopexConfig | Hyper, net: NetSpec, state: AlopexState, data: Prepared, uniforms: jax.Array
) -> tuple[AlopexState, loop.StepStats]:
    """Iteration n = state.iteration + 1 for every seed with uniforms [S, N]; stats: E(n) and max |y - t|."""
    h = _hyper(config)
    n = state.iteration + 1
    t = state.temperature
    # p = sigmoid(C / T) with C = dw(n-1) dE(n-1); u < p: step down
    p = jax.nn.sigmoid(state.step * (state.error_change / t)[:, None])
    size = state.step_size[:, None]
    new_step = jnp.where(uniforms < p, -size, size)
    theta = state.theta + new_step
    error, deviation = evaluate(net, theta, data)
    change = error - state.error
    # Alopex-B: T(n+1) = f T(n) + (1 - f) delta |dE(n)| (each seed's own delta)
    t_b = jnp.maximum(t * h.forgetting + jnp.abs(change) * ((1 - h.forgetting) * state.step_size), TEMPERATURE_FLOOR)
    # Alopex-94: mean_k |C_k(n)| = |dw(n-1)| |dE(n-1)|, summed over the cycle, T refreshed after every M
    cycle_sum = state.cycle_sum + state.step_size * jnp.abs(state.error_change)
    refresh = (n % h.cycle) == 0
    mean = cycle_sum / h.cycle * jnp.where(h.delta_scaled, state.step_size, 1.0)
    t_94 = jnp.where(refresh & (mean > 0), jnp.maximum(mean, TEMPERATURE_FLOOR), t)
    cycle_sum = jnp.where(refresh, 0.0, cycle_sum)
    t = jnp.where(h.anneal, jnp.where(h.alopex_b, t_b, t_94), t)
    new = AlopexState(theta, new_step, state.step_size, error, change, t, cycle_sum, n)
    return new, loop.StepStats(error, deviation)


def measures(before: AlopexState, after: AlopexState) -> dict[str, jax.Array]:
    """Trace measures of the iteration from ``before`` to ``after`` ([S] each): the temperature it used,
    ``mean_k |C_k|`` and the fraction of weights (among C_k != 0) that stepped against their correlation."""
    c = before.step * before.error_change[:, None]
    counted = jnp.sum(c != 0, axis=1)
    against = jnp.sum(after.step * c < 0, axis=1)
    fraction = jnp.where(counted > 0, against / jnp.maximum(counted, 1), jnp.nan)
    return {
        "temperature": before.temperature,
        "mean_abs_correlation": jnp.mean(jnp.abs(c), axis=1),
        "downhill_fraction": fraction.astype(jnp.float32),
    }


def freeze(state: AlopexState, mask: jax.Array) -> AlopexState:
    """Stop the seeds in ``mask`` [S] from moving (their step size becomes 0)."""
    return state._replace(step_size=jnp.where(mask, 0.0, state.step_size))


def _draw(key: jax.Array, n: jax.Array, shape: tuple[int, ...]) -> jax.Array:
    """u(n): U[0, 1) float32 of ``shape`` from ``fold_in(key, n)`` (independent of how iterations are chunked)."""
    return jax.random.uniform(jax.random.fold_in(key, n), shape, jnp.float32)


# ---------------------------------------------------------------------------------------------------------
# (b) NumPy-facing functions (contract: implementations.contracts.alopex.AlopexMethod)


class _Args(NamedTuple):
    hyper: Hyper
    data: Prepared
    key: jax.Array


@functools.cache
def _compiled_train(net: NetSpec) -> tuple[Callable, Callable]:
    """(start, chunk) for ``net``: the initial state and stats, and a chunk of iterations."""

    def start(h: Hyper, theta0: jax.Array, data: Prepared) -> tuple[AlopexState, loop.StepStats]:
        state = init(h, net, theta0, data)
        return state, loop.StepStats(*evaluate(net, theta0, data))

    def advance(state: AlopexState, n: jax.Array, args: _Args) -> tuple[AlopexState, loop.StepStats]:
        return step(args.hyper, net, state, args.data, _draw(args.key, n, state.theta.shape))

    return jax.jit(start), loop._compile_chunk(advance, freeze, measures)


def train(
    net: NetSpec,
    config: AlopexConfig,
    theta0: np.ndarray,
    data: TrainingData,
    seed: int,
    max_iterations: int,
    record_every: int,
    stop_at_success: bool = True,
    step_sizes: np.ndarray | None = None,
) -> TrainResult:
    """Alopex from theta0 [S, N], uniforms from ``jax.random.key(seed)`` (``fold_in`` the iteration number),
    all seeds batched; one compiled ``fori_loop`` per chunk of ``record_every`` iterations; ``step_sizes``:
    per-seed deltas."""
    check_theta(net, theta0)
    check_budget(max_iterations, record_every)
    sizes = run_step_sizes(step_sizes, config.delta, theta0.shape[0])
    prepared, h = prepare(net, data), _hyper(config)
    start, chunk = _compiled_train(net)
    state, stats = start(h, backend.from_numpy(theta0), prepared)
    state = state._replace(step_size=backend.from_numpy(sizes))
    nan = jnp.full_like(stats.error, jnp.nan)
    return loop._train_loop(
        chunk,
        state,
        stats,
        {"error": stats.error, **dict.fromkeys(STEP_MEASURES, nan)},
        freeze,
        lambda s: s.theta,
        _Args(h, prepared, backend.make_rng(seed)),
        data.margin,
        max_iterations,
        record_every,
        stop_at_success,
        STEP_MEASURES,
    )


@functools.cache
def _compiled_trajectory(net: NetSpec) -> Callable:
    def run(h: Hyper, theta0: jax.Array, data: Prepared, uniforms: jax.Array) -> tuple:
        state = init(h, net, theta0[None], data)

        def one(state: AlopexState, u: jax.Array) -> tuple:
            new, _ = step(h, net, state, data, u[None])
            return new, (new.theta[0], new.error[0], state.temperature[0])

        _, (thetas, errors, temperatures) = jax.lax.scan(one, state, uniforms)
        return state.error[0], thetas, errors, temperatures

    return jax.jit(run)


def trajectory_from_uniforms(
    net: NetSpec, config: AlopexConfig, theta0: np.ndarray, data: TrainingData, uniforms: np.ndarray
) -> dict[str, np.ndarray]:
    """One seed fed uniforms [T, N] as u(1..T): {"theta" [T+1, N], "error" [T+1], "temperature" [T]}."""
    check_theta(net, theta0, batched=False)
    if np.ndim(uniforms) != 2 or np.shape(uniforms)[1] != net.num_params:
        raise ValueError(f"uniforms shape {np.shape(uniforms)}; valid: [T, {net.num_params}]")
    theta = backend.from_numpy(theta0)
    e0, thetas, errors, temperatures = _compiled_trajectory(net)(
        _hyper(config), theta, prepare(net, data), backend.from_numpy(uniforms)
    )
    return {
        "theta": np.concatenate([np.asarray(theta0, np.float32)[None], backend.to_numpy(thetas)]),
        "error": np.concatenate([backend.to_numpy(e0)[None], backend.to_numpy(errors)]),
        "temperature": backend.to_numpy(temperatures),
    }


@functools.cache
def _compiled_loop(net: NetSpec, iterations: int) -> Callable:
    def run(state: AlopexState, h: Hyper, data: Prepared, key: jax.Array) -> AlopexState:
        def body(_: jax.Array, s: AlopexState) -> AlopexState:
            return step(h, net, s, data, _draw(key, s.iteration + 1, s.theta.shape))[0]

        return jax.lax.fori_loop(0, iterations, body, state)

    return jax.jit(run, donate_argnums=0)


def step_functions(
    net: NetSpec, config: AlopexConfig, data: TrainingData, num_seeds: int, seed: int, iterations: int
) -> dict[str, Callable[[], None]]:
    """``alopex``: ``iterations`` calls of :func:`step` for ``num_seeds`` seeds in one compiled ``fori_loop``
    (uniforms drawn inside, as in :func:`train`; the criterion's max |y - t| is dead code XLA removes, and
    the first-success bookkeeping and recording of :func:`train` are not run); ``forward_only``: as many
    error evaluations of the same seeds. Both start from weights uniform in (-1, 1) drawn with ``jax.random``,
    are compiled (once per net, iteration count and shapes) and run once here, and block until ready."""
    prepared, h = prepare(net, data), _hyper(config)
    start_key, key = jax.random.split(backend.make_rng(seed))
    theta0 = jax.random.uniform(start_key, (num_seeds, net.num_params), jnp.float32, -1.0, 1.0)
    forward = loop._timed_forward_passes(net, theta0, prepared, iterations)
    compiled = _compiled_loop(net, iterations)
    start = _compiled_train(net)[0]
    box = {"state": compiled(start(h, jnp.array(theta0, copy=True), prepared)[0], h, prepared, key)}

    def alopex() -> None:
        box["state"] = compiled(box["state"], h, prepared, key)
        jax.block_until_ready(box["state"])

    jax.block_until_ready(box["state"])
    return {"alopex": alopex, "forward_only": forward}
