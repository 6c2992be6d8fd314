"""Weight vs activity perturbation of one layer of a ReLU MLP, in JAX (Ren, Kornblith, Liao & Hinton 2023,
*Scaling Forward Gradient with Local Losses*, ICLR 2023, arXiv 2210.03310, Sec. 3).

- weight perturbation: ``g_W = (grad_W f . V) V``, the directional derivative by one JVP of the loss as a
  function of W_l alone (:func:`.forward_gradient.derivatives`, the estimator study's code);
- activity perturbation: one JVP of the per-example losses as functions of the layer's pre-activations z
  [B, fan_out] along per-example tangents U gives ``d_n = grad_{z_n} L_n . u_n``; ``G_z = d U / B`` and
  ``g_W = X^T G_z`` (``jax.jvp``).

Definitions, variances and the float64 references: :mod:`implementations.contracts.perturbation`.
(a) Pure functions on the tuple of MLP parameters; (b) the NumPy-facing functions of the contract, compiled
once per (objective structure, layer, kind[, law, chunk]) with the batch passed as data.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from implementations.contracts.perturbation import check_request, tangent_shape
from implementations.specs import ObjectiveSpec

from . import backend, forward_gradient, objectives
from .discrete_nets import draw
from .objectives import objective_data, unflatten

Params = Any
"""The tuple (W_1, b_1, ..., W_L, b_L)."""

# ---------------------------------------------------------------------------------------------------------
# (a) pure functions


def layer_input(params: Params, x: jax.Array, layer: int) -> jax.Array:
    """X_l [B, fan_in]: the input of weight matrix ``layer`` (ReLU after every earlier layer)."""
    h = x
    for i in range(layer):
        h = jax.nn.relu(h @ params[2 * i] + params[2 * i + 1])
    return h


def tail_losses(params: Params, layer: int, z: jax.Array, y: jax.Array) -> jax.Array:
    """[B]: each example's cross-entropy as a function of layer ``layer``'s pre-activations z [B, fan_out]."""
    h = z
    for i in range(layer + 1, len(params) // 2):
        h = jax.nn.relu(h) @ params[2 * i] + params[2 * i + 1]
    log_p = jax.nn.log_softmax(h, axis=-1)
    return -jnp.take_along_axis(log_p, y[:, None], axis=-1)[:, 0]


def weight_loss(params: Params, layer: int, x_l: jax.Array, y: jax.Array, w: jax.Array) -> jax.Array:
    """f as a function of the layer's weight matrix ``w`` alone."""
    return jnp.mean(tail_losses(params, layer, x_l @ w + params[2 * layer + 1], y))


def weight_perturbed(params: Params, layer: int, x_l: jax.Array, y: jax.Array, v: jax.Array) -> jax.Array:
    """[S, fan_in, fan_out]: ``(grad_W f . V_s) V_s`` for tangents v [S, fan_in, fan_out]."""
    objective = lambda w: weight_loss(params, layer, x_l, y, w)  # noqa: E731
    _, dd = forward_gradient.derivatives(objective, params[2 * layer], v, "jvp")
    return dd[:, None, None] * v


def activity_perturbed(params: Params, layer: int, x_l: jax.Array, y: jax.Array, u: jax.Array) -> jax.Array:
    """[S, fan_in, fan_out]: ``X^T (d U / B)`` for per-example tangents u [S, B, fan_out]."""
    z = x_l @ params[2 * layer] + params[2 * layer + 1]

    def one(tangent: jax.Array) -> jax.Array:
        _, d = jax.jvp(lambda pre: tail_losses(params, layer, pre, y), (z,), (tangent,))
        return x_l.T @ (d[:, None] * tangent / z.shape[0])

    return jax.vmap(one)(u)


# ---------------------------------------------------------------------------------------------------------
# (b) NumPy-facing functions (contract: implementations.contracts.perturbation.Perturbation)


def _setup(layers: tuple[int, ...], theta: jax.Array, layer: int, data: tuple) -> tuple[Params, jax.Array, jax.Array]:
    params = unflatten(theta, layers)
    return params, layer_input(params, data[0], layer), data[1]


def _estimator(layers: tuple[int, ...], layer: int, kind: str) -> Callable:
    def estimates(theta: jax.Array, t: jax.Array, data: tuple) -> jax.Array:
        params, x_l, y = _setup(layers, theta, layer, data)
        return (weight_perturbed if kind == "weight" else activity_perturbed)(params, layer, x_l, y, t)

    return estimates


@functools.cache
def _compiled_gradient(key: objectives.Structure, layer: int) -> Callable:
    def gradient(theta: jax.Array, data: tuple) -> jax.Array:
        params, x_l, y = _setup(key[2], theta, layer, data)
        return jax.grad(lambda w: weight_loss(params, layer, x_l, y, w))(params[2 * layer])

    return jax.jit(gradient)


@functools.cache
def _compiled_estimates(key: objectives.Structure, layer: int, kind: str) -> Callable:
    return jax.jit(_estimator(key[2], layer, kind))


@functools.cache
def _compiled_sampler(
    key: objectives.Structure, layer: int, kind: str, distribution: str, shape: tuple[int, ...]
) -> Callable:
    estimates = _estimator(key[2], layer, kind)

    def sample(theta: jax.Array, chunk_key: jax.Array, data: tuple) -> jax.Array:
        return estimates(theta, draw(chunk_key, distribution, shape), data)

    return jax.jit(sample)


def layer_gradient(spec: ObjectiveSpec, theta: np.ndarray, layer: int) -> np.ndarray:
    """float32 [fan_in, fan_out]: grad_W f of layer ``layer`` by backprop."""
    check_request(spec, layer, "weight")
    grad = _compiled_gradient(objectives.structure(spec), layer)(backend.from_numpy(theta), objective_data(spec))
    return backend.to_numpy(grad)


def perturbed_from_tangents(
    spec: ObjectiveSpec, theta: np.ndarray, layer: int, kind: str, tangents: np.ndarray
) -> np.ndarray:
    """float32 [S, fan_in, fan_out]: the estimate of ``kind`` for each given tangent [S, *tangent_shape]."""
    check_request(spec, layer, kind)
    compiled = _compiled_estimates(objectives.structure(spec), layer, kind)
    return backend.to_numpy(compiled(backend.from_numpy(theta), backend.from_numpy(tangents), objective_data(spec)))


def iter_perturbed(
    spec: ObjectiveSpec,
    theta: np.ndarray,
    layer: int,
    kind: str,
    seed: int,
    distribution: str,
    count: int,
    chunk: int = 1024,
) -> Iterator[np.ndarray]:
    """``count`` estimates in [<= chunk, fan_in, fan_out]; chunk i uses the key ``fold_in(make_rng(seed), i)``
    and every chunk is computed at full size by one compiled function (the last one is cut)."""
    check_request(spec, layer, kind, distribution)
    size = max(1, min(chunk, count))
    shape = (size, *tangent_shape(spec, layer, kind))
    compiled = _compiled_sampler(objectives.structure(spec), layer, kind, distribution, shape)
    x, data, base = backend.from_numpy(theta), objective_data(spec), backend.make_rng(seed)
    for index, start in enumerate(range(0, count, size)):
        rows = backend.to_numpy(compiled(x, jax.random.fold_in(base, index), data))
        yield rows[: min(size, count - start)]
