"""Tangent sampling for forward gradients in PyTorch (Baydin et al. 2022, Sec. 3; Belouze 2022, Sec. 3).

Every distribution has E[v v^T] = I, so ``(grad f . v) v`` is unbiased:
- gaussian: v ~ N(0, I)            (Baydin et al. 2022, the paper's choice)
- rademacher: v uniform on {-1,+1}^n, drawn as random bits unpacked to signs (one random bit per entry
  instead of one Box-Muller normal: the cheap tangent of the notes this suite started from)
- sphere: v uniform on the sphere of radius sqrt(n) (Belouze 2022's constant-norm optimum)
"""

from __future__ import annotations

import torch

_BITS = 8


def rademacher(shape: tuple[int, ...], gen: torch.Generator, device: torch.device) -> torch.Tensor:
    """Signs in {-1, +1} unpacked from random bytes (8 entries per random byte)."""
    count = 1
    for size in shape:
        count *= size
    n_bytes = (count + _BITS - 1) // _BITS
    raw = torch.randint(0, 256, (n_bytes, 1), generator=gen, device=device, dtype=torch.uint8)
    shifts = torch.arange(_BITS, device=device, dtype=torch.uint8)
    bits = torch.bitwise_and(torch.bitwise_right_shift(raw, shifts), 1).reshape(-1)[:count]
    return (bits.to(torch.float32) * 2.0 - 1.0).reshape(shape)


def sample_tangents(
    gen: torch.Generator, distribution: str, shape: tuple[int, ...], device: torch.device
) -> torch.Tensor:
    """Draw tangents of ``shape``; for ``sphere`` the last axis is the vector whose norm is sqrt(n)."""
    if distribution == "gaussian":
        return torch.randn(shape, generator=gen, device=device)
    if distribution == "rademacher":
        return rademacher(shape, gen, device)
    if distribution == "sphere":
        v = torch.randn(shape, generator=gen, device=device)
        return v * (shape[-1] ** 0.5 / torch.linalg.vector_norm(v, dim=-1, keepdim=True))
    raise ValueError(f"distribution={distribution!r}; valid: gaussian, rademacher, sphere")


def sample_like(gen: torch.Generator, distribution: str, params: list[torch.Tensor]) -> list[torch.Tensor]:
    """One tangent per parameter tensor, jointly i.i.d. entries (``sphere`` is normalised over all of them)."""
    if distribution == "sphere":
        flat = sample_tangents(gen, "gaussian", (sum(p.numel() for p in params),), params[0].device)
        flat = flat * (flat.numel() ** 0.5 / torch.linalg.vector_norm(flat))
        return [chunk.view_as(p) for chunk, p in zip(flat.split([p.numel() for p in params]), params, strict=True)]
    return [sample_tangents(gen, distribution, tuple(p.shape), p.device) for p in params]
