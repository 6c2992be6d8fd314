"""Forward-gradient descent to a tolerance, many starts at once (Baydin et al. 2022, Alg. 1).

``theta <- theta - lr * (grad f . v) v`` with a fresh tangent per start and step; records the first
iteration at which ``f(theta) <= tolerance * f(theta_0)`` (Belouze 2022's iterations-to-target protocol).
The whole loop is one compiled ``lax.while_loop`` that stops when every start has reached the target.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .objectives import Objective
from .tangents import sample_tangents


def iterations_to_tolerance(
    f: Objective,
    starts: jax.Array,
    key: jax.Array,
    distribution: str,
    lr: float,
    max_iterations: int,
    tolerance: float,
) -> jax.Array:
    """Per start (rows of ``starts``), the first iteration reaching the tolerance, or -1 if none did."""
    batched_f = jax.vmap(f)
    batched_jvp = jax.vmap(lambda x, v: jax.jvp(f, (x,), (v,))[1])
    target = tolerance * batched_f(starts)

    def not_finished(state: tuple) -> jax.Array:
        iteration, _, _, hit = state
        return (iteration < max_iterations) & jnp.any(hit < 0)

    def step(state: tuple) -> tuple:
        iteration, x, key, hit = state
        key, sub = jax.random.split(key)
        v = sample_tangents(sub, distribution, x.shape)
        x = x - lr * batched_jvp(x, v)[:, None] * v
        iteration = iteration + 1
        hit = jnp.where((hit < 0) & (batched_f(x) <= target), iteration, hit)
        return iteration, x, key, hit

    hit0 = jnp.full((starts.shape[0],), -1, dtype=jnp.int32)
    state = jax.jit(lambda s: jax.lax.while_loop(not_finished, step, s))((jnp.int32(0), starts, key, hit0))
    return state[3]
