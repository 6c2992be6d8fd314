"""Tangent sampling for forward gradients in JAX (Baydin et al. 2022, Sec. 3; Belouze 2022, Sec. 3).

Every distribution has E[v v^T] = I, so ``(grad f . v) v`` is unbiased:
- gaussian: v ~ N(0, I)            (Baydin et al. 2022, the paper's choice)
- rademacher: v uniform on {-1,+1}^n, drawn as 32-bit random words unpacked to signs (one random bit per
  entry: the cheap tangent of the notes this suite started from)
- sphere: v uniform on the sphere of radius sqrt(n) (Belouze 2022's constant-norm optimum)
Keys are explicit (``jax.random``); nothing here holds state.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

_BITS = 32


def rademacher(rng: jax.Array, shape: tuple[int, ...]) -> jax.Array:
    """Signs in {-1, +1} unpacked from random 32-bit words (32 entries per word); ``rng`` is a PRNG key."""
    count = math.prod(shape)
    words = jax.random.bits(rng, ((count + _BITS - 1) // _BITS, 1), dtype=jnp.uint32)
    bits = (words >> jnp.arange(_BITS, dtype=jnp.uint32)) & 1
    return (bits.reshape(-1)[:count].astype(jnp.float32) * 2.0 - 1.0).reshape(shape)


def sample_tangents(rng: jax.Array, distribution: str, shape: tuple[int, ...]) -> jax.Array:
    """Draw tangents of ``shape`` with the key ``rng``; for ``sphere`` the last axis is the vector whose norm
    is sqrt(n)."""
    if distribution == "gaussian":
        return jax.random.normal(rng, shape, dtype=jnp.float32)
    if distribution == "rademacher":
        return rademacher(rng, shape)
    if distribution == "sphere":
        v = jax.random.normal(rng, shape, dtype=jnp.float32)
        return v * (math.sqrt(shape[-1]) / jnp.linalg.norm(v, axis=-1, keepdims=True))
    raise ValueError(f"distribution={distribution!r}; valid: gaussian, rademacher, sphere")


def sample_like(rng: jax.Array, distribution: str, params: Any, leading: tuple[int, ...]) -> Any:
    """Tangents for a pytree of parameters: each leaf of shape s gets shape (*leading, *s), entries jointly
    i.i.d. (``sphere`` is normalised over all leaves together, radius sqrt(total size))."""
    leaves, treedef = jax.tree.flatten(params)
    if distribution == "sphere":
        flat = sample_tangents(rng, "sphere", (*leading, sum(leaf.size for leaf in leaves)))
        pieces = jnp.split(flat, np.cumsum([leaf.size for leaf in leaves])[:-1], axis=-1)
        parts = [piece.reshape(*leading, *leaf.shape) for piece, leaf in zip(pieces, leaves, strict=True)]
    else:
        keys = jax.random.split(rng, len(leaves))
        parts = [
            sample_tangents(k, distribution, (*leading, *leaf.shape)) for k, leaf in zip(keys, leaves, strict=True)
        ]
    return jax.tree.unflatten(treedef, parts)
