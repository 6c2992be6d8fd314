"""One training step of a ReLU MLP, four ways, for step-cost measurement (Baydin et al. 2022,
arXiv 2202.08587, Sec. 5.2). Contract: :mod:`implementations.contracts.training_steps`.

``fg_step`` and ``bp_step`` are :func:`implementations.jax.descent.step` with the forward (one tangent,
sampled inside the compiled step) and the backprop estimator and plain SGD; ``jvp_only`` is
:func:`implementations.jax.forward_gradient.derivatives` with fixed tangents; ``forward_only`` the loss.
Each callable runs one compiled step and blocks until it is ready, so a wall clock around it is honest;
parameter (and optimizer-state) buffers are donated, so updates happen in place.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import numpy as np

from implementations.contracts.descent import DescentConfig
from implementations.contracts.forward_gradient import EstimatorConfig
from implementations.contracts.optimizers import OptimizerConfig
from implementations.specs import mlp_init_flat

from . import descent
from . import forward_gradient as fg
from .backend import from_numpy, make_rng
from .objectives import mlp_loss, unflatten


def step_functions(
    layers: tuple[int, ...], batch: int, seed: int, distribution: str, lr: float = 2e-4
) -> dict[str, Callable[[], None]]:
    """Callables for one step of each kind on a fresh MLP and a fixed random batch."""
    rng = np.random.default_rng(seed)
    params = unflatten(from_numpy(mlp_init_flat(layers, rng)), layers)
    x = from_numpy(rng.standard_normal((batch, layers[0])).astype(np.float32))
    y = from_numpy(rng.integers(0, layers[-1], batch).astype(np.int32))
    sgd = OptimizerConfig("sgd", lr)
    forward = DescentConfig(EstimatorConfig("forward", distribution, 1, "jvp"), sgd)
    backprop = DescentConfig(EstimatorConfig("backprop", distribution), sgd)

    def fg_update(carry: tuple, x: jax.Array, y: jax.Array) -> tuple:
        state, k = carry
        k, sub = jax.random.split(k)
        state, _ = descent.step(forward, state, lambda ps: mlp_loss(ps, x, y), sub)
        return state, k

    def bp_update(state: descent.DescentState, x: jax.Array, y: jax.Array) -> descent.DescentState:
        return descent.step(backprop, state, lambda ps: mlp_loss(ps, x, y), None)[0]

    def jvp(ps: tuple, tangents: tuple, x: jax.Array, y: jax.Array) -> tuple:
        return fg.derivatives(lambda p: mlp_loss(p, x, y), ps, tangents, "jvp")

    state = {
        "fg": (descent.init(forward, params), make_rng(seed)),
        "bp": descent.init(backprop, jax.tree.map(lambda p: p.copy(), params)),
    }
    fixed_tangents = fg.draw(forward.estimator, params, make_rng(seed + 1))
    # compiled ahead of time, here, so no timed call pays for tracing or compilation
    compiled = {
        "fg": jax.jit(fg_update, donate_argnums=0).lower(state["fg"], x, y).compile(),
        "bp": jax.jit(bp_update, donate_argnums=0).lower(state["bp"], x, y).compile(),
        "jvp": jax.jit(jvp).lower(params, fixed_tangents, x, y).compile(),
        "forward": jax.jit(mlp_loss).lower(params, x, y).compile(),
    }

    def fg_step() -> None:
        state["fg"] = compiled["fg"](state["fg"], x, y)
        jax.block_until_ready(state["fg"])

    def jvp_only() -> None:
        jax.block_until_ready(compiled["jvp"](state["fg"][0].params, fixed_tangents, x, y))

    def bp_step() -> None:
        state["bp"] = compiled["bp"](state["bp"], x, y)
        jax.block_until_ready(state["bp"])

    def forward_only() -> None:
        jax.block_until_ready(compiled["forward"](state["bp"].params, x, y))

    return {"fg_step": fg_step, "jvp_only": jvp_only, "bp_step": bp_step, "forward_only": forward_only}
