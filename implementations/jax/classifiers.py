"""The image classifiers of Baydin et al. 2022 (arXiv 2202.08587, Sec. 5.2) in JAX: multinomial logistic
regression, ReLU MLPs (the dense layers are :func:`implementations.jax.objectives.mlp_logits`) and the
paper's CNN (four 3x3 convolutions, ``lax.conv_general_dilated`` computed channels-last, 2x2 max-pools after the
second and fourth, FC, linear). Contract (definitions, layout, reference): :mod:`implementations.contracts.classifiers`.

(a) Pure functions on a tuple of arrays (a pytree): :func:`to_device`, :func:`logits`, :func:`loss`.
(b) The NumPy-facing :func:`predict_logits` and :func:`loss_and_gradient`, compiled once per spec.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from implementations.contracts.classifiers import (
    CONVOLUTIONS,
    POOL_AFTER,
    ClassifierSpec,
    check_inputs,
    check_params,
)

from . import backend
from .objectives import mlp_logits

Params = tuple[jax.Array, ...]

# ---------------------------------------------------------------------------------------------------------
# (a) pure functions


def to_device(params: list[np.ndarray]) -> Params:
    """NumPy parameter arrays as a tuple of float32 arrays on the configured device."""
    return tuple(backend.from_numpy(p) for p in params)


def _features(spec: ClassifierSpec, params: Params, x: jax.Array) -> jax.Array:
    """The CNN's convolutional part: [B, side^2] -> [B, C (side/4)^2], flattened channel-major.

    Computed channels-last (NHWC activations, HWIO kernels transposed from the stored OIHW, which costs
    nothing next to a convolution): XLA's CPU convolutions and their gradients run 2-4x faster in that
    layout than in NCHW; the flatten goes back to channel-major so the layout is invisible outside."""
    h = x.reshape(x.shape[0], spec.side, spec.side, 1)
    for index in range(CONVOLUTIONS):
        kernel = params[2 * index].transpose(2, 3, 1, 0)
        h = jax.lax.conv_general_dilated(
            h, kernel, (1, 1), ((1, 1), (1, 1)), dimension_numbers=("NHWC", "HWIO", "NHWC")
        )
        h = jax.nn.relu(h + params[2 * index + 1])
        if index in POOL_AFTER:
            b, side, _, c = h.shape
            h = h.reshape(b, side // 2, 2, side // 2, 2, c).max(axis=(2, 4))
    return h.transpose(0, 3, 1, 2).reshape(h.shape[0], -1)


def logits(spec: ClassifierSpec, params: Params, x: jax.Array) -> jax.Array:
    """Logits [B, classes] of flat inputs [B, spec.inputs]."""
    if spec.kind == "cnn":
        return mlp_logits(params[2 * CONVOLUTIONS :], _features(spec, params, x))
    return mlp_logits(params, x)


def loss(spec: ClassifierSpec, params: Params, x: jax.Array, y: jax.Array) -> jax.Array:
    """Mean softmax cross-entropy on one batch (labels int32 [B])."""
    log_probs = jax.nn.log_softmax(logits(spec, params, x), axis=-1)
    return -jnp.mean(jnp.take_along_axis(log_probs, y[:, None], axis=-1))


# ---------------------------------------------------------------------------------------------------------
# (b) NumPy-facing functions (contract: implementations.contracts.classifiers.ClassifiersModel)


@functools.cache
def _compiled_logits(spec: ClassifierSpec) -> Callable:
    return jax.jit(functools.partial(logits, spec))


@functools.cache
def _compiled_value_and_grad(spec: ClassifierSpec) -> Callable:
    return jax.jit(jax.value_and_grad(functools.partial(loss, spec)))


def predict_logits(spec: ClassifierSpec, params: list[np.ndarray], inputs: np.ndarray) -> np.ndarray:
    """Logits [B, classes] float32 of the inputs [B, spec.inputs]."""
    check_params(spec, params)
    check_inputs(spec, inputs)
    return backend.to_numpy(_compiled_logits(spec)(to_device(params), backend.from_numpy(inputs)))


def loss_and_gradient(
    spec: ClassifierSpec, params: list[np.ndarray], inputs: np.ndarray, labels: np.ndarray
) -> tuple[float, list[np.ndarray]]:
    """(mean cross-entropy, its gradient by reverse mode: one float32 array per parameter array)."""
    check_params(spec, params)
    check_inputs(spec, inputs)
    y = backend.from_numpy(np.asarray(labels).astype(np.int32))
    value, grads = _compiled_value_and_grad(spec)(to_device(params), backend.from_numpy(inputs), y)
    return float(value), [backend.to_numpy(g) for g in grads]
