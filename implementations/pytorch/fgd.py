"""Forward-gradient descent to a tolerance, many starts at once (Baydin et al. 2022, Alg. 1).

``theta <- theta - lr * (grad f . v) v`` with a fresh tangent per start and step; records the first
iteration at which ``f(theta) <= tolerance * f(theta_0)`` (Belouze 2022's iterations-to-target protocol).
"""

from __future__ import annotations

import torch

from .objectives import Objective
from .tangents import sample_tangents

_CHECK_EVERY = 50


def iterations_to_tolerance(
    f: Objective,
    starts: torch.Tensor,
    gen: torch.Generator,
    distribution: str,
    lr: float,
    max_iterations: int,
    tolerance: float,
) -> torch.Tensor:
    """Per start (rows of ``starts``), the first iteration reaching the tolerance, or -1 if none did."""
    batched_f = torch.func.vmap(f)

    def jvp_one(x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        return torch.func.jvp(f, (x,), (v,))[1]

    batched_jvp = torch.func.vmap(jvp_one)
    x = starts.clone()
    target = tolerance * batched_f(x)
    hit = torch.full((x.shape[0],), -1, dtype=torch.int64, device=x.device)
    for iteration in range(1, max_iterations + 1):
        v = sample_tangents(gen, distribution, tuple(x.shape), x.device)
        x = x - lr * batched_jvp(x, v)[:, None] * v
        newly = (hit < 0) & (batched_f(x) <= target)
        hit = torch.where(newly, torch.full_like(hit, iteration), hit)
        if iteration % _CHECK_EVERY == 0 and bool((hit >= 0).all()):
            break
    return hit
