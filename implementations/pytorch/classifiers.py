"""The image classifiers of Baydin et al. 2022 (arXiv 2202.08587, Sec. 5.2) in PyTorch: multinomial logistic
regression, ReLU MLPs (the dense layers are :func:`implementations.pytorch.objectives.mlp_logits`) and the
paper's CNN (four 3x3 convolutions, ``F.conv2d`` with padding 1, 2x2 max-pools after the second and fourth,
FC, linear). Contract (definitions, layout, reference): :mod:`implementations.contracts.classifiers`.

(a) Pure functions on a tuple of tensors (they work under ``torch.func``): :func:`to_device`,
:func:`logits`, :func:`loss`. (b) The NumPy-facing :func:`predict_logits` and :func:`loss_and_gradient`.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from implementations.contracts.classifiers import (
    CONVOLUTIONS,
    POOL_AFTER,
    ClassifierSpec,
    check_inputs,
    check_params,
)

from . import backend
from .objectives import mlp_logits

Params = tuple[torch.Tensor, ...]

# ---------------------------------------------------------------------------------------------------------
# (a) pure functions


def to_device(params: list[np.ndarray]) -> Params:
    """NumPy parameter arrays as a tuple of float32 tensors on the configured device (own storage)."""
    return tuple(backend.from_numpy(np.array(p, dtype=np.float32)) for p in params)


def _features(spec: ClassifierSpec, params: Params, x: torch.Tensor) -> torch.Tensor:
    """The CNN's convolutional part: [B, side^2] -> [B, C (side/4)^2], flattened channel-major."""
    h = x.reshape(x.shape[0], 1, spec.side, spec.side)
    for index in range(CONVOLUTIONS):
        h = torch.relu(F.conv2d(h, params[2 * index], params[2 * index + 1], padding=1))
        if index in POOL_AFTER:
            h = F.max_pool2d(h, 2)
    return h.reshape(h.shape[0], -1)


def logits(spec: ClassifierSpec, params: Params, x: torch.Tensor) -> torch.Tensor:
    """Logits [B, classes] of flat inputs [B, spec.inputs]."""
    if spec.kind == "cnn":
        return mlp_logits(params[2 * CONVOLUTIONS :], _features(spec, params, x))
    return mlp_logits(params, x)


def loss(spec: ClassifierSpec, params: Params, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean softmax cross-entropy on one batch (labels int64 [B])."""
    return F.cross_entropy(logits(spec, params, x), y)


# ---------------------------------------------------------------------------------------------------------
# (b) NumPy-facing functions (contract: implementations.contracts.classifiers.ClassifiersModel)


@torch.no_grad()
def predict_logits(spec: ClassifierSpec, params: list[np.ndarray], inputs: np.ndarray) -> np.ndarray:
    """Logits [B, classes] float32 of the inputs [B, spec.inputs]."""
    check_params(spec, params)
    check_inputs(spec, inputs)
    return backend.to_numpy(logits(spec, to_device(params), backend.from_numpy(inputs)))


def loss_and_gradient(
    spec: ClassifierSpec, params: list[np.ndarray], inputs: np.ndarray, labels: np.ndarray
) -> tuple[float, list[np.ndarray]]:
    """(mean cross-entropy, its gradient by reverse mode: one float32 array per parameter array)."""
    check_params(spec, params)
    check_inputs(spec, inputs)
    x, y = backend.from_numpy(inputs), backend.from_numpy(np.asarray(labels)).long()
    grads, value = torch.func.grad_and_value(lambda ps: loss(spec, ps, x, y))(to_device(params))
    return float(value), [backend.to_numpy(g) for g in grads]
