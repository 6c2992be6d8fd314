"""One training step of a ReLU MLP, four ways, for step-cost measurement (Baydin et al. 2022,
arXiv 2202.08587, Sec. 5.2). Contract: :mod:`implementations.contracts.training_steps`.

``fg_step`` and ``bp_step`` are :func:`implementations.pytorch.descent.step` with the forward (one tangent)
and the backprop estimator and plain SGD; ``jvp_only`` is
:func:`implementations.pytorch.forward_gradient.derivatives` with fixed tangents; ``forward_only`` the loss.
Each callable runs one step and synchronises the device, so a wall clock around it is honest.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from implementations.contracts.descent import DescentConfig
from implementations.contracts.forward_gradient import EstimatorConfig
from implementations.contracts.optimizers import OptimizerConfig
from implementations.specs import mlp_init_flat

from . import descent
from . import forward_gradient as fg
from .backend import from_numpy, make_rng, synchronize
from .objectives import Params, mlp_loss, unflatten


def step_functions(
    layers: tuple[int, ...], batch: int, seed: int, distribution: str, lr: float = 2e-4
) -> dict[str, Callable[[], None]]:
    """Callables for one step of each kind on a fresh MLP and a fixed random batch."""
    rng = np.random.default_rng(seed)
    params = tuple(p.clone() for p in unflatten(from_numpy(mlp_init_flat(layers, rng)), layers))
    x = from_numpy(rng.standard_normal((batch, layers[0])).astype(np.float32))
    y = from_numpy(rng.integers(0, layers[-1], batch)).long()
    sgd = OptimizerConfig("sgd", lr)
    forward = DescentConfig(EstimatorConfig("forward", distribution, 1, "jvp"), sgd)
    backprop = DescentConfig(EstimatorConfig("backprop", distribution), sgd)
    gen = make_rng(seed)

    def objective(ps: Params) -> torch.Tensor:
        return mlp_loss(ps, x, y)

    state = {
        "fg": descent.init(forward, params),
        "bp": descent.init(backprop, tuple(p.clone() for p in params)),
    }
    fixed_tangents = fg.draw(forward.estimator, params, gen)

    @torch.no_grad()
    def fg_step() -> None:
        state["fg"], _ = descent.step(forward, state["fg"], objective, gen)
        synchronize()

    @torch.no_grad()
    def jvp_only() -> None:
        fg.derivatives(objective, state["fg"].params, fixed_tangents, "jvp")
        synchronize()

    @torch.no_grad()
    def bp_step() -> None:
        state["bp"], _ = descent.step(backprop, state["bp"], objective, None)
        synchronize()

    @torch.no_grad()
    def forward_only() -> None:
        objective(state["bp"].params)
        synchronize()

    return {"fg_step": fg_step, "jvp_only": jvp_only, "bp_step": bp_step, "forward_only": forward_only}
