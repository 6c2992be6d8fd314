"""One training step of a ReLU MLP, four ways, for step-cost measurement (Baydin et al. 2022, Sec. 5.2).

- ``fg_step``: sample tangents inside the compiled step, one JVP, ``theta <- theta - lr (grad f . v) v``
- ``jvp_only``: the JVP alone with precomputed tangents (the floor a forward-gradient step can reach)
- ``bp_step``: reverse-mode gradient and SGD update (backprop)
- ``forward_only``: the loss alone (R_f and R_b are ratios to this)
Each returned callable runs one compiled step and blocks until it is ready, so a wall clock around it is
honest; parameter buffers are donated so updates happen in place.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import numpy as np

from implementations.specs import mlp_init_flat

from .backend import as_array, key
from .objectives import mlp_loss, unflatten
from .tangents import sample_like


def step_functions(
    layers: tuple[int, ...], batch: int, seed: int, distribution: str, lr: float = 2e-4
) -> dict[str, Callable[[], None]]:
    """Callables for one step of each kind on a fresh MLP and a fixed random batch."""
    rng = np.random.default_rng(seed)
    params = unflatten(as_array(mlp_init_flat(layers, rng)), layers)
    x = as_array(rng.standard_normal((batch, layers[0])).astype(np.float32))
    y = as_array(rng.integers(0, layers[-1], batch).astype(np.int32))
    state = {"fg": (params, key(seed)), "bp": [p.copy() for p in params]}
    fixed_tangents = sample_like(key(seed + 1), distribution, params)

    def loss_of(ps: list[jax.Array]) -> jax.Array:
        return mlp_loss(ps, x, y)

    def fg_update(ps: list[jax.Array], k: jax.Array) -> tuple[list[jax.Array], jax.Array]:
        k, sub = jax.random.split(k)
        tangents = sample_like(sub, distribution, ps)
        _, dd = jax.jvp(loss_of, (ps,), (tangents,))
        return [p - (lr * dd) * v for p, v in zip(ps, tangents, strict=True)], k

    fg = jax.jit(fg_update, donate_argnums=0)
    jvp = jax.jit(lambda ps, ts: jax.jvp(loss_of, (ps,), (ts,)))
    bp = jax.jit(lambda ps: [p - lr * g for p, g in zip(ps, jax.grad(loss_of)(ps), strict=True)], donate_argnums=0)
    forward = jax.jit(loss_of)

    def fg_step() -> None:
        state["fg"] = fg(*state["fg"])
        jax.block_until_ready(state["fg"])

    def jvp_only() -> None:
        jax.block_until_ready(jvp(state["fg"][0], fixed_tangents))

    def bp_step() -> None:
        state["bp"] = bp(state["bp"])
        jax.block_until_ready(state["bp"])

    def forward_only() -> None:
        jax.block_until_ready(forward(state["bp"]))

    return {"fg_step": fg_step, "jvp_only": jvp_only, "bp_step": bp_step, "forward_only": forward_only}
