"""Tangent sampling for forward gradients in PyTorch (Baydin et al. 2022, Sec. 3; Belouze 2022, Sec. 3).

Every distribution has E[v v^T] = I, so ``(grad f . v) v`` is unbiased:
- gaussian: v ~ N(0, I)            (Baydin et al. 2022, the paper's choice)
- rademacher: v uniform on {-1,+1}^n, drawn as random bytes unpacked to signs through a 256 x 8 lookup
  table (one random bit per entry instead of one Box-Muller normal: the cheap tangent of the notes this
  suite started from)
- sphere: v uniform on the sphere of radius sqrt(n) (Belouze 2022's constant-norm optimum)
The generator is always passed explicitly.
"""

from __future__ import annotations

import math

import torch

_BITS = 8
_SIGN_TABLES: dict[torch.device, torch.Tensor] = {}


def _sign_table(device: torch.device) -> torch.Tensor:
    """[256, 8] float32: row b holds the signs (+1 for a set bit, -1 otherwise) of the 8 bits of byte b
    (a constant, cached per device)."""
    if device not in _SIGN_TABLES:
        byte = torch.arange(256, dtype=torch.int64)[:, None]
        bits = torch.bitwise_and(torch.bitwise_right_shift(byte, torch.arange(_BITS)), 1)
        _SIGN_TABLES[device] = (bits.to(torch.float32) * 2.0 - 1.0).to(device)
    return _SIGN_TABLES[device]


def rademacher(rng: torch.Generator, shape: tuple[int, ...]) -> torch.Tensor:
    """Signs in {-1, +1} on ``rng``'s device: one random byte per 8 entries, expanded by one embedding lookup
    in a 256 x 8 table (a single pass writing float32; ``embedding`` is several times faster than advanced
    indexing)."""
    count = math.prod(shape)
    n_bytes = (count + _BITS - 1) // _BITS
    raw = torch.randint(0, 256, (n_bytes,), generator=rng, device=rng.device, dtype=torch.uint8)
    signs = torch.nn.functional.embedding(raw.to(torch.int32), _sign_table(rng.device))
    return signs.reshape(-1)[:count].reshape(shape)


def sample_tangents(rng: torch.Generator, distribution: str, shape: tuple[int, ...]) -> torch.Tensor:
    """Draw tangents of ``shape`` from the generator ``rng`` (on its device); for ``sphere`` the last axis is
    the vector whose norm is sqrt(n)."""
    if distribution == "gaussian":
        return torch.randn(shape, generator=rng, device=rng.device)
    if distribution == "rademacher":
        return rademacher(rng, shape)
    if distribution == "sphere":
        v = torch.randn(shape, generator=rng, device=rng.device)
        return v * (shape[-1] ** 0.5 / torch.linalg.vector_norm(v, dim=-1, keepdim=True))
    raise ValueError(f"distribution={distribution!r}; valid: gaussian, rademacher, sphere")


def sample_like(
    rng: torch.Generator, distribution: str, params: tuple[torch.Tensor, ...], leading: tuple[int, ...]
) -> tuple[torch.Tensor, ...]:
    """Tangents for a tuple of parameter tensors: each of shape s gets shape (*leading, *s), entries jointly
    i.i.d. (``sphere`` is normalised over all tensors together, radius sqrt(total size))."""
    if distribution == "sphere":
        sizes = [p.numel() for p in params]
        flat = sample_tangents(rng, "sphere", (*leading, sum(sizes)))
        return tuple(
            part.reshape(*leading, *p.shape) for part, p in zip(flat.split(sizes, dim=-1), params, strict=True)
        )
    return tuple(sample_tangents(rng, distribution, (*leading, *p.shape)) for p in params)
