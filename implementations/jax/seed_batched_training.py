"""The seed-batched training loop shared by :mod:`.alopex` and :mod:`.full_batch_gd` (JAX).

Unnikrishnan & Venugopal 1994 (Neural Computation 6(3):469-490) count learning time as the iterations until
every output is within a margin of its target; this module runs S independent seeds side by side and, after
every iteration, records each seed's first success and (with ``stop_at_success``) freezes it there.

A chunk of iterations is one compiled call (:func:`_compile_chunk`: a ``lax.fori_loop`` over ``count - 1``
iterations, then the last one with its trace measures; ``count``, the margin and the stopping flag are
traced arguments, so one compilation serves every chunk length and setting). The host side (chunks of
``record_every`` iterations, trace rows, early exit once every seed has succeeded, the
:class:`~implementations.contracts.small_nets.TrainResult`) is the framework-neutral
:func:`~implementations.contracts.small_nets.drive_training`.

A method supplies ``advance(state, n, args) -> (state, StepStats)`` (iteration n for all seeds; ``args`` a
pytree of traced arguments: hyperparameters, data, PRNG key), ``freeze(state, mask) -> state`` and
``measures(before, after) -> {name: [S]}``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from implementations.contracts.small_nets import NetSpec, TrainResult, drive_training

from . import backend
from .small_nets import Prepared, evaluate

State = Any
"""A method's state (a pytree)."""


class StepStats(NamedTuple):
    """What the loop needs from every iteration, per seed."""

    error: jax.Array
    """[S]: E at the new parameters."""
    max_deviation: jax.Array
    """[S]: max |y - t| over the counted outputs (the criterion holds when it is below the margin)."""


def _compile_chunk(
    advance: Callable[[State, jax.Array, Any], tuple[State, StepStats]],
    freeze: Callable[[State, jax.Array], State],
    measures: Callable[[State, State], dict[str, jax.Array]],
) -> Callable:
    """``chunk(state, first, n, count, margin, stop, args) -> (state, first, n, row)``, jit-compiled: ``count``
    (>= 1) iterations from iteration ``n``; ``first`` [S] int32 is each seed's first success (-1: none yet);
    ``row`` the trace measures of the last iteration, ``{"error": E, **measures(before, after)}``. The loop
    carries the state before each iteration along (one copy of the state per iteration), so the step is traced
    once, not once more for the measured last iteration."""

    def chunk(
        state: State, first: jax.Array, n: jax.Array, count: jax.Array, margin: jax.Array, stop: jax.Array, args: Any
    ) -> tuple:
        def one(_: jax.Array, carry: tuple) -> tuple:
            state, _, first, n, _ = carry
            n = n + 1
            after, stats = advance(state, n, args)
            newly = (stats.max_deviation < margin) & (first < 0)
            first = jnp.where(newly, n, first)
            return freeze(after, newly & stop), state, first, n, stats.error

        start = (state, state, first, n, jnp.zeros_like(first, jnp.float32))
        after, before, first, n, error = jax.lax.fori_loop(0, count, one, start)
        return after, first, n, {"error": error, **measures(before, after)}

    return jax.jit(chunk)


def _train_loop(
    chunk: Callable,
    state: State,
    start: StepStats,
    start_row: dict[str, jax.Array],
    freeze: Callable[[State, jax.Array], State],
    theta_of: Callable[[State], jax.Array],
    args: Any,
    margin: float,
    max_iterations: int,
    record_every: int,
    stop_at_success: bool,
    step_measures: tuple[str, ...] = (),
) -> TrainResult:
    """Run the compiled ``chunk`` until ``max_iterations`` (or every seed has succeeded, with
    ``stop_at_success``) from ``state``, whose stats are ``start`` and trace row ``start_row``."""
    solved = start.max_deviation < margin
    first = jnp.where(solved, 0, -1).astype(jnp.int32)
    if stop_at_success:
        state = freeze(state, solved)
    # every argument committed to the device, so the first chunk call and the later ones share one executable
    box = {"state": state, "first": first, "n": backend.from_numpy(np.int32(0))}
    margin32, stop = backend.from_numpy(np.float32(margin)), backend.from_numpy(np.bool_(stop_at_success))

    def run_chunk(count: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        count32 = backend.from_numpy(np.int32(count))
        state, first, n, row = chunk(box["state"], box["first"], box["n"], count32, margin32, stop, args)
        box.update(state=state, first=first, n=n)
        return backend.to_numpy(first), {k: backend.to_numpy(v).astype(np.float64) for k, v in row.items()}

    return drive_training(
        run_chunk,
        (backend.to_numpy(first), {k: backend.to_numpy(v).astype(np.float64) for k, v in start_row.items()}),
        lambda: backend.to_numpy(theta_of(box["state"])),
        max_iterations,
        record_every,
        stop_at_success,
        step_measures,
    )


@functools.cache
def _compiled_forward_only(net: NetSpec, iterations: int) -> Callable:
    def run(theta: jax.Array, data: Prepared) -> jax.Array:
        def body(i: jax.Array, total: jax.Array) -> jax.Array:
            return total + jnp.sum(evaluate(net, theta + i.astype(theta.dtype) * 1e-6, data)[0])

        return jax.lax.fori_loop(0, iterations, body, jnp.float32(0))

    return jax.jit(run)


def _timed_forward_passes(net: NetSpec, theta: jax.Array, data: Prepared, iterations: int) -> Callable[[], None]:
    """A callable running ``iterations`` error evaluations of ``net`` at ``theta + i 1e-6`` (a different point
    each time, so nothing is hoisted out of the loop; the errors are summed so none is dead code) in one
    compiled ``fori_loop`` and blocking until the result is ready: the cost baseline of a training iteration.
    Compiled (once per net, iteration count and shapes) and run once here, so no timed call compiles."""
    compiled = _compiled_forward_only(net, iterations)
    jax.block_until_ready(compiled(theta, data))

    def call() -> None:
        jax.block_until_ready(compiled(theta, data))

    return call
