"""Objectives on a flat parameter vector in JAX (definitions in ``implementations/specs.py``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp

from implementations.specs import ObjectiveSpec, mlp_param_slices, quadratic_coefficients

from .backend import as_array

Objective = Callable[[jax.Array], jax.Array]


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
    logits = mlp_logits(params, x)
    log_probs = jax.nn.log_softmax(logits, axis=-1)
    return -jnp.mean(jnp.take_along_axis(log_probs, y[:, None], axis=-1))


def unflatten(theta: jax.Array, layers: tuple[int, ...]) -> list[jax.Array]:
    """Split a flat vector into (W_1, b_1, ..., W_L, b_L)."""
    return [theta[start:stop].reshape(shape) for start, stop, shape in mlp_param_slices(layers)]


def build_objective(spec: ObjectiveSpec) -> Objective:
    """A scalar function of a flat float32 array implementing ``spec``."""
    if spec.name == "quadratic":
        c = as_array(quadratic_coefficients(spec.dim))
        return lambda x: 0.5 * jnp.sum(c * x * x)
    if spec.name == "isotropic_quadratic":
        return lambda x: 0.5 * jnp.sum(x * x)
    if spec.name == "rosenbrock":
        return lambda x: jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)
    if spec.name == "mlp":
        inputs, labels = as_array(spec.inputs), as_array(spec.labels).astype(jnp.int32)
        return lambda theta: mlp_loss(unflatten(theta, spec.layers), inputs, labels)
    raise ValueError(f"unknown objective {spec.name!r}")
