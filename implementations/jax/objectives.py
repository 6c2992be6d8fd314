"""Objectives in JAX (definitions in ``implementations/specs.py``).

An :data:`Objective` maps parameters (any pytree; a flat vector is a one-leaf pytree) to a scalar. For
compiled functions that must be built once and reused, :func:`flat_objective` returns ``f(theta, data)``
depending only on :func:`structure` (name, dim, layers: hashable) with the arrays (quadratic
coefficients, the MLP's batch) passed as ``data = objective_data(spec)``, so a compiled function never
captures one spec's data. The test functions' weights (``implementations/specs.py``,
:func:`~implementations.specs.objective_weights`) are such data too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp

from implementations.specs import ObjectiveSpec, mlp_param_slices, objective_weights

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
    """The arrays the objective reads, on the configured device (a test function's weights, the MLP's
    batch)."""
    if spec.name == "mlp":
        return from_numpy(spec.inputs), from_numpy(spec.labels).astype(jnp.int32)
    weights = objective_weights(spec.name, spec.dim)
    return () if weights is None else (from_numpy(weights),)


def _beale(x: jax.Array) -> jax.Array:
    a, b = x[0], x[1]
    return (1.5 - a + a * b) ** 2 + (2.25 - a + a * b**2) ** 2 + (2.625 - a + a * b**3) ** 2


def _zakharov(x: jax.Array, w: jax.Array) -> jax.Array:
    s = jnp.sum(w * x)
    return jnp.sum(x * x) + s**2 + s**4


_FLAT: dict[str, FlatObjective] = {
    "quadratic": lambda x, data: 0.5 * jnp.sum(data[0] * x * x),
    "isotropic_quadratic": lambda x, data: 0.5 * jnp.sum(x * x),
    "rosenbrock": lambda x, data: jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2),
    "beale": lambda x, data: _beale(x),
    "sphere": lambda x, data: jnp.sum(x * x),
    "sum_squares": lambda x, data: jnp.sum(data[0] * x * x),
    "rotated_hyper_ellipsoid": lambda x, data: jnp.sum(data[0] * x * x),
    "zakharov": lambda x, data: _zakharov(x, data[0]),
    "dixon_price": lambda x, data: (x[0] - 1.0) ** 2 + jnp.sum(data[0] * (2.0 * x[1:] ** 2 - x[:-1]) ** 2),
    "trid": lambda x, data: jnp.sum((x - 1.0) ** 2) - jnp.sum(x[1:] * x[:-1]),
    "sum_of_different_powers": lambda x, data: jnp.sum(jnp.abs(x) ** data[0]),
    "schwefel_2_23": lambda x, data: jnp.sum(x**10),
    "exponential": lambda x, data: -jnp.exp(-0.5 * jnp.sum(x * x)),
}
"""The objectives on one flat vector (definitions in ``implementations/specs.py``; batches go through
``jax.vmap``)."""


def flat_objective(key: Structure) -> FlatObjective:
    """``f(theta, data)`` on a flat float32 vector for the objective of structure ``key``."""
    name, _, layers = key
    if name in _FLAT:
        return _FLAT[name]
    if name == "mlp":
        return lambda theta, data: mlp_loss(unflatten(theta, layers), data[0], data[1])
    raise ValueError(f"unknown objective {name!r}")


def batched_objective(key: Structure) -> FlatObjective:
    """``F(X, data)``: the values [R] of the objective of structure ``key`` at the rows of X [R, n]."""
    f = flat_objective(key)
    return lambda x, data: jax.vmap(lambda row: f(row, data))(x)


def bind(f: FlatObjective, data: tuple[jax.Array, ...]) -> Objective:
    """The :data:`Objective` of the flat vector (a one-leaf pytree)."""
    return lambda theta: f(theta, data)


def build_objective(spec: ObjectiveSpec) -> Objective:
    """``spec`` as an :data:`Objective` of the flat vector (eager use; compiled code uses :func:`bind`)."""
    return bind(flat_objective(structure(spec)), objective_data(spec))
