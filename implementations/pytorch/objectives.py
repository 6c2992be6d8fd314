"""Objectives in PyTorch (definitions in ``implementations/specs.py``).

An :data:`Objective` maps parameters, a tuple of tensors, to a scalar tensor; a flat parameter vector is
the one-element tuple ``(theta,)`` (the torch.func convention of a pytree with one leaf). As in the JAX
twin, :func:`flat_objective` depends only on :func:`structure` and reads its arrays from
``data = objective_data(spec)``; :func:`build_objective` binds the two.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from implementations.specs import ObjectiveSpec, mlp_param_slices, quadratic_coefficients

from .backend import from_numpy

Params = tuple[torch.Tensor, ...]
Objective = Callable[[Params], torch.Tensor]
Structure = tuple[str, int, tuple[int, ...]]
FlatObjective = Callable[[torch.Tensor, tuple[torch.Tensor, ...]], torch.Tensor]


def mlp_logits(params: Params | list[torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """ReLU MLP; ``params`` alternates weights (fan_in, fan_out) and biases."""
    h = x
    n_layers = len(params) // 2
    for i in range(n_layers):
        h = h @ params[2 * i] + params[2 * i + 1]
        if i < n_layers - 1:
            h = torch.relu(h)
    return h


def mlp_loss(params: Params | list[torch.Tensor], x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean softmax cross-entropy of the MLP on one batch."""
    return F.cross_entropy(mlp_logits(params, x), y)


def unflatten(theta: torch.Tensor, layers: tuple[int, ...]) -> Params:
    """Split a flat vector into (W_1, b_1, ..., W_L, b_L) (views)."""
    return tuple(theta[start:stop].reshape(shape) for start, stop, shape in mlp_param_slices(layers))


def structure(spec: ObjectiveSpec) -> Structure:
    """What determines the objective's code (not its data): name, dim, layers."""
    return spec.name, spec.dim, spec.layers


def objective_data(spec: ObjectiveSpec) -> tuple[torch.Tensor, ...]:
    """The tensors the objective reads, on the configured device."""
    if spec.name == "quadratic":
        return (from_numpy(quadratic_coefficients(spec.dim)),)
    if spec.name == "mlp":
        return from_numpy(spec.inputs), from_numpy(spec.labels).long()
    return ()


def flat_objective(key: Structure) -> FlatObjective:
    """``f(theta, data)`` on a flat float32 tensor for the objective of structure ``key``."""
    name, _, layers = key
    if name == "quadratic":
        return lambda x, data: 0.5 * torch.sum(data[0] * x * x)
    if name == "isotropic_quadratic":
        return lambda x, data: 0.5 * torch.sum(x * x)
    if name == "rosenbrock":
        return lambda x, data: torch.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)
    if name == "mlp":
        return lambda theta, data: mlp_loss(unflatten(theta, layers), data[0], data[1])
    raise ValueError(f"unknown objective {name!r}")


def bind(f: FlatObjective, data: tuple[torch.Tensor, ...]) -> Objective:
    """The :data:`Objective` of the one-leaf parameters ``(theta,)``."""
    return lambda params: f(params[0], data)


def build_objective(spec: ObjectiveSpec) -> Objective:
    """``spec`` as an :data:`Objective` of the one-leaf parameters ``(theta,)``."""
    return bind(flat_objective(structure(spec)), objective_data(spec))
