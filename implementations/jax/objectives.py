"""Objectives in JAX (definitions in ``implementations/specs.py``).

An :data:`Objective` maps parameters (any pytree; a flat vector is a one-leaf pytree) to a scalar. For
compiled functions that must be built once and reused, :func:`flat_objective` returns ``f(theta, data)``
depending only on :func:`structure` (name, dim, layers: hashable) with the arrays (quadratic
coefficients, the MLP's batch) passed as ``data = objective_data(spec)``, so a compiled function never
captures one spec's data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp

from implementations.specs import ObjectiveSpec, mlp_param_slices, quadratic_coefficients

from .backend import from_numpy

Params = Any
"""A pytree of float32 arrays."""
Objective = Callable[[Params], jax.Array]
Structure = tuple[str, int, tuple[int, ...]]
FlatObjective = Callable[[jax.Array, tuple[jax.Array, ...]], jax.Array]


def mlp_logits(params: Sequence[jax.Array], x: jax.Array) -> jax.Array:
    """ReLU MLP; ``params`` alternates weights (fan_in, fan_out) and biases."""
    h = x
    n_layers = len(params) // 2
    for i in range(n_layers):
        h = h @ params[2 * i] + params[2 * i + 1]
        if i < n_layers - 1:
            h = jax.nn.relu(h)
    return h


def mlp_loss(params: Sequence[jax.Array], x: jax.Array, y: jax.Array) -> jax.Array:
    """Mean softmax cross-entropy of the MLP on one batch."""
    log_probs = jax.nn.log_softmax(mlp_logits(params, x), axis=-1)
    return -jnp.mean(jnp.take_along_axis(log_probs, y[:, None], axis=-1))


def unflatten(theta: jax.Array, layers: tuple[int, ...]) -> tuple[jax.Array, ...]:
    """Split a flat vector into (W_1, b_1, ..., W_L, b_L)."""
    return tuple(theta[start:stop].reshape(shape) for start, stop, shape in mlp_param_slices(layers))


def structure(spec: ObjectiveSpec) -> Structure:
    """What determines the objective's code (not its data): a hashable cache key for compiled functions."""
    return spec.name, spec.dim, spec.layers


def objective_data(spec: ObjectiveSpec) -> tuple[jax.Array, ...]:
    """The arrays the objective reads, on the configured device."""
    if spec.name == "quadratic":
        return (from_numpy(quadratic_coefficients(spec.dim)),)
    if spec.name == "mlp":
        return from_numpy(spec.inputs), from_numpy(spec.labels).astype(jnp.int32)
    return ()


def flat_objective(key: Structure) -> FlatObjective:
    """``f(theta, data)`` on a flat float32 vector for the objective of structure ``key``."""
    name, _, layers = key
    if name == "quadratic":
        return lambda x, data: 0.5 * jnp.sum(data[0] * x * x)
    if name == "isotropic_quadratic":
        return lambda x, data: 0.5 * jnp.sum(x * x)
    if name == "rosenbrock":
        return lambda x, data: jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)
    if name == "mlp":
        return lambda theta, data: mlp_loss(unflatten(theta, layers), data[0], data[1])
    raise ValueError(f"unknown objective {name!r}")


def bind(f: FlatObjective, data: tuple[jax.Array, ...]) -> Objective:
    """The :data:`Objective` of the flat vector (a one-leaf pytree)."""
    return lambda theta: f(theta, data)


def build_objective(spec: ObjectiveSpec) -> Objective:
    """``spec`` as an :data:`Objective` of the flat vector (eager use; compiled code uses :func:`bind`)."""
    return bind(flat_objective(structure(spec)), objective_data(spec))
