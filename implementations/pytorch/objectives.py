"""Objectives on a flat parameter vector in PyTorch (definitions in ``implementations/specs.py``)."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from implementations.specs import ObjectiveSpec, mlp_param_slices, quadratic_coefficients

from .backend import as_tensor

Objective = Callable[[torch.Tensor], torch.Tensor]


def mlp_logits(params: list[torch.Tensor] | tuple[torch.Tensor, ...], x: torch.Tensor) -> torch.Tensor:
    """ReLU MLP; ``params`` alternates weights (fan_in, fan_out) and biases."""
    h = x
    n_layers = len(params) // 2
    for i in range(n_layers):
        h = h @ params[2 * i] + params[2 * i + 1]
        if i < n_layers - 1:
            h = torch.relu(h)
    return h


def mlp_loss(params: list[torch.Tensor] | tuple[torch.Tensor, ...], x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean softmax cross-entropy of the MLP on one batch."""
    return F.cross_entropy(mlp_logits(params, x), y)


def unflatten(theta: torch.Tensor, layers: tuple[int, ...]) -> list[torch.Tensor]:
    """Split a flat vector into (W_1, b_1, ..., W_L, b_L)."""
    return [theta[start:stop].reshape(shape) for start, stop, shape in mlp_param_slices(layers)]


def build_objective(spec: ObjectiveSpec) -> Objective:
    """A scalar function of a flat float32 tensor implementing ``spec``."""
    if spec.name == "quadratic":
        c = as_tensor(quadratic_coefficients(spec.dim))
        return lambda x: 0.5 * torch.sum(c * x * x)
    if spec.name == "isotropic_quadratic":
        return lambda x: 0.5 * torch.sum(x * x)
    if spec.name == "rosenbrock":
        return lambda x: torch.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)
    if spec.name == "mlp":
        inputs, labels = as_tensor(spec.inputs), as_tensor(spec.labels).long()
        return lambda theta: mlp_loss(unflatten(theta, spec.layers), inputs, labels)
    raise ValueError(f"unknown objective {spec.name!r}")
