"""One training step of a ReLU MLP, four ways, for step-cost measurement (Baydin et al. 2022, Sec. 5.2).

- ``fg_step``: sample tangents, one JVP, ``theta <- theta - lr (grad f . v) v`` (forward gradient descent)
- ``jvp_only``: the JVP alone with precomputed tangents (the floor a forward-gradient step can reach)
- ``bp_step``: reverse-mode gradient and SGD update (backprop)
- ``forward_only``: the loss alone (R_f and R_b are ratios to this)
Each returned callable runs one step and synchronises the device, so a wall clock around it is honest.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from implementations.specs import mlp_init_flat

from .backend import as_tensor, generator, synchronize
from .objectives import mlp_loss, unflatten
from .tangents import sample_like


def step_functions(
    layers: tuple[int, ...], batch: int, seed: int, distribution: str, lr: float = 2e-4
) -> dict[str, Callable[[], None]]:
    """Callables for one step of each kind on a fresh MLP and a fixed random batch."""
    rng = np.random.default_rng(seed)
    params = [p.clone() for p in unflatten(as_tensor(mlp_init_flat(layers, rng)), layers)]
    x = as_tensor(rng.standard_normal((batch, layers[0])).astype(np.float32))
    y = as_tensor(rng.integers(0, layers[-1], batch)).long()
    gen = generator(seed)
    fixed_tangents = tuple(sample_like(gen, distribution, params))

    def loss_of(*ps: torch.Tensor) -> torch.Tensor:
        return mlp_loss(ps, x, y)

    grad_fn = torch.func.grad(lambda ps: mlp_loss(ps, x, y))

    @torch.no_grad()
    def fg_step() -> None:
        tangents = sample_like(gen, distribution, params)
        _, dd = torch.func.jvp(loss_of, tuple(params), tuple(tangents))
        coef = (-lr * dd).to(params[0].dtype).reshape(1)
        for p, v in zip(params, tangents, strict=True):
            p.addcmul_(v, coef)
        synchronize()

    @torch.no_grad()
    def jvp_only() -> None:
        torch.func.jvp(loss_of, tuple(params), fixed_tangents)
        synchronize()

    def bp_step() -> None:
        grads = grad_fn(tuple(params))
        with torch.no_grad():
            torch._foreach_add_(params, grads, alpha=-lr)
        synchronize()

    @torch.no_grad()
    def forward_only() -> None:
        loss_of(*params)
        synchronize()

    return {"fg_step": fg_step, "jvp_only": jvp_only, "bp_step": bp_step, "forward_only": forward_only}
