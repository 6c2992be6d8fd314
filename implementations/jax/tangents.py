"""Tangent sampling for forward gradients in JAX (Baydin et al. 2022, Sec. 3; Belouze 2022, Sec. 3).

Every distribution has E[v v^T] = I, so ``(grad f . v) v`` is unbiased:
- gaussian: v ~ N(0, I)            (Baydin et al. 2022, the paper's choice)
- rademacher: v uniform on {-1,+1}^n, drawn as 32-bit random words unpacked to signs (one random bit per
  entry: the cheap tangent of the notes this suite started from)
- sphere: v uniform on the sphere of radius sqrt(n) (Belouze 2022's constant-norm optimum)
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

_BITS = 32


def rademacher(key: jax.Array, shape: tuple[int, ...]) -> jax.Array:
    """Signs in {-1, +1} unpacked from random 32-bit words (32 entries per word)."""
    count = math.prod(shape)
    words = jax.random.bits(key, ((count + _BITS - 1) // _BITS, 1), dtype=jnp.uint32)
    bits = (words >> jnp.arange(_BITS, dtype=jnp.uint32)) & 1
    return (bits.reshape(-1)[:count].astype(jnp.float32) * 2.0 - 1.0).reshape(shape)


def sample_tangents(key: jax.Array, distribution: str, shape: tuple[int, ...]) -> jax.Array:
    """Draw tangents of ``shape``; for ``sphere`` the last axis is the vector whose norm is sqrt(n)."""
    if distribution == "gaussian":
        return jax.random.normal(key, shape, dtype=jnp.float32)
    if distribution == "rademacher":
        return rademacher(key, shape)
    if distribution == "sphere":
        v = jax.random.normal(key, shape, dtype=jnp.float32)
        return v * (math.sqrt(shape[-1]) / jnp.linalg.norm(v, axis=-1, keepdims=True))
    raise ValueError(f"distribution={distribution!r}; valid: gaussian, rademacher, sphere")


def sample_like(key: jax.Array, distribution: str, params: list[jax.Array]) -> list[jax.Array]:
    """One tangent per parameter array, jointly i.i.d. entries (``sphere`` is normalised over all of them)."""
    sizes = [p.size for p in params]
    if distribution == "sphere":
        flat = sample_tangents(key, "sphere", (sum(sizes),))
        offsets = [sum(sizes[:i]) for i in range(len(sizes))]
        return [flat[o : o + s].reshape(p.shape) for o, s, p in zip(offsets, sizes, params, strict=True)]
    keys = jax.random.split(key, len(params))
    return [sample_tangents(k, distribution, p.shape) for k, p in zip(keys, params, strict=True)]
