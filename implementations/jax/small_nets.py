"""The small nets of Unnikrishnan & Venugopal 1994 (Neural Computation 6(3):469-490) in JAX, seed-batched.
Contract (definitions, flat layout, error measures, criterion): :mod:`implementations.contracts.small_nets`.

The net is written for one parameter vector theta [N] (:func:`_forward_one`, the Elman net as a ``lax.scan``
over time steps, ``h_t = act(x_t @ W_in + b_h + h_{t-1} @ W_rec)``) and ``vmap``-ed over seeds, theta [S, N].
Heaviside units are written ``0 * z + (z > 0)`` so that autodiff (:mod:`.full_batch_gd`) yields their
derivative, exactly zero. Matrix products ask for ``Precision.HIGHEST``: plain float32 everywhere (a GPU's
default would round the operands to TF32, and the parity checks would see it).

(a) Array functions: :func:`prepare` (data as a pytree of device arrays, so compiled functions take it as an
argument and never capture one data set), :func:`forward`, :func:`evaluate` (E and the criterion's
max |y - t| per seed). (b) The NumPy-facing :func:`predict` and :func:`errors`, compiled once per net.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from implementations.contracts.small_nets import (
    CLIP,
    NetSpec,
    TrainingData,
    check_data,
    check_inputs,
    check_theta,
    param_slices,
)

from . import backend

# ---------------------------------------------------------------------------------------------------------
# (a) array functions


class Prepared(NamedTuple):
    """Training data on the configured device (a pytree; the margin travels separately)."""

    inputs: jax.Array
    """mlp [P, in]; elman [B, L, in]."""
    targets: jax.Array
    """[..., out] float32 (0 or 1)."""
    positive: jax.Array
    """bool, targets == 1 (picks log y or log(1 - y) in the cross-entropy)."""
    weight: jax.Array
    """float32 [..., 1]: 1 where the pattern counts, 0 where the mask drops it."""


def prepare(net: NetSpec, data: TrainingData) -> Prepared:
    """``data`` as device arrays (validated against ``net``)."""
    check_data(net, data)
    targets = backend.from_numpy(data.targets)
    weight = data.counted()[..., None].astype(np.float32)
    return Prepared(backend.from_numpy(data.inputs), targets, targets > 0.5, backend.from_numpy(weight))


def unflatten(net: NetSpec, theta: jax.Array) -> dict[str, jax.Array]:
    """The parameter arrays of one flat theta [N]."""
    return {name: theta[a:b].reshape(shape) for name, a, b, shape in param_slices(net)}


def activation(name: str, z: jax.Array) -> jax.Array:
    """sigmoid, tanh or heaviside (``0 * z + (z > 0)``: value 1 where z > 0, else 0; derivative 0)."""
    if name == "sigmoid":
        return jax.nn.sigmoid(z)
    if name == "tanh":
        return jnp.tanh(z)
    return z * 0 + (z > 0).astype(z.dtype)


def _mm(x: jax.Array, w: jax.Array) -> jax.Array:
    """x @ w in full float32 (no TF32 or bf16 passes on GPUs, whose default precision would break parity)."""
    return jnp.matmul(x, w, precision=jax.lax.Precision.HIGHEST)


def _forward_one(net: NetSpec, theta: jax.Array, inputs: jax.Array) -> jax.Array:
    """Outputs of one theta [N]: [P, out] (mlp) or [B, L, out] (elman)."""
    p = unflatten(net, theta)
    if net.kind == "mlp":
        depth = len(net.layers) - 1
        x = inputs
        for index in range(depth):
            z = _mm(x, p[f"W_{index + 1}"]) + p[f"b_{index + 1}"]
            x = activation(net.output if index == depth - 1 else net.hidden, z)
        return x
    drive = _mm(inputs, p["W_in"]) + p["b_h"]  # [B, L, h]

    def tick(h: jax.Array, d: jax.Array) -> tuple[jax.Array, jax.Array]:
        h = activation(net.hidden, d + _mm(h, p["W_rec"]))
        return h, h

    h0 = jnp.zeros((inputs.shape[0], net.layers[1]), theta.dtype)
    _, states = jax.lax.scan(tick, h0, jnp.swapaxes(drive, 0, 1))  # over time: [L, B, h]
    return activation(net.output, _mm(jnp.swapaxes(states, 0, 1), p["W_out"]) + p["b_out"])


def forward(net: NetSpec, theta: jax.Array, inputs: jax.Array) -> jax.Array:
    """Outputs [S, *targets_shape] of theta [S, N]."""
    return jax.vmap(lambda th: _forward_one(net, th, inputs))(theta)


def _evaluate_one(net: NetSpec, theta: jax.Array, data: Prepared) -> tuple[jax.Array, jax.Array]:
    """(E, max |y - t| over the counted outputs) of one theta [N]: one forward pass."""
    y = _forward_one(net, theta, data.inputs)
    diff = (y - data.targets) * data.weight
    if net.error == "squared":
        error = 0.5 * jnp.sum(diff * diff)
    else:
        error = -jnp.sum(jnp.log(jnp.maximum(jnp.where(data.positive, y, 1 - y), CLIP)) * data.weight)
    return error, jnp.max(jnp.abs(diff))


def evaluate(net: NetSpec, theta: jax.Array, data: Prepared) -> tuple[jax.Array, jax.Array]:
    """(E [S], max |y - t| [S]) of theta [S, N]."""
    return jax.vmap(lambda th: _evaluate_one(net, th, data))(theta)


# ---------------------------------------------------------------------------------------------------------
# (b) NumPy-facing functions (contract: implementations.contracts.small_nets.SmallNets)


@functools.cache
def _compiled_predict(net: NetSpec) -> Callable:
    return jax.jit(functools.partial(forward, net))


@functools.cache
def _compiled_errors(net: NetSpec) -> Callable:
    return jax.jit(lambda theta, data: evaluate(net, theta, data)[0])


def predict(net: NetSpec, theta: np.ndarray, inputs: np.ndarray) -> np.ndarray:
    """float32 outputs [S, *targets_shape] of theta [S, N] on ``inputs``."""
    check_theta(net, theta)
    check_inputs(net, inputs)
    return backend.to_numpy(_compiled_predict(net)(backend.from_numpy(theta), backend.from_numpy(inputs)))


def errors(net: NetSpec, theta: np.ndarray, data: TrainingData) -> np.ndarray:
    """float64 [S]: E of every row of theta [S, N] (computed in float32)."""
    check_theta(net, theta)
    error = _compiled_errors(net)(backend.from_numpy(theta), prepare(net, data))
    return backend.to_numpy(error).astype(np.float64)
