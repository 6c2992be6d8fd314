"""Objectives in PyTorch (definitions in ``implementations/specs.py``).

An :data:`Objective` maps parameters, a tuple of tensors, to a scalar tensor; a flat parameter vector is
the one-element tuple ``(theta,)`` (the torch.func convention of a pytree with one leaf). As in the JAX
twin, :func:`flat_objective` depends only on :func:`structure` and reads its arrays from
``data = objective_data(spec)``; :func:`build_objective` binds the two.

Every flat objective but ``mlp`` reduces over the last axis only, so it maps points [..., n] to values
[...]: :func:`batched_objective` evaluates many rows in one call without ``vmap`` (the descent protocols of
:mod:`.descent` run thousands of rows at once), and ``mlp`` falls back to ``torch.func.vmap``.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from implementations.specs import ObjectiveSpec, mlp_param_slices, objective_weights

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
    """The tensors the objective reads, on the configured device (a test function's weights, the MLP's
    batch)."""
    if spec.name == "mlp":
        return from_numpy(spec.inputs), from_numpy(spec.labels).long()
    weights = objective_weights(spec.name, spec.dim)
    return () if weights is None else (from_numpy(weights),)


def _sum(x: torch.Tensor) -> torch.Tensor:
    return torch.sum(x, dim=-1)


def _beale(x: torch.Tensor) -> torch.Tensor:
    a, b = x[..., 0], x[..., 1]
    return (1.5 - a + a * b) ** 2 + (2.25 - a + a * b**2) ** 2 + (2.625 - a + a * b**3) ** 2


def _zakharov(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    s = _sum(w * x)
    return _sum(x * x) + s**2 + s**4


_LAST_AXIS: dict[str, FlatObjective] = {
    "quadratic": lambda x, data: 0.5 * _sum(data[0] * x * x),
    "isotropic_quadratic": lambda x, data: 0.5 * _sum(x * x),
    "rosenbrock": lambda x, data: _sum(100.0 * (x[..., 1:] - x[..., :-1] ** 2) ** 2 + (1.0 - x[..., :-1]) ** 2),
    "beale": lambda x, data: _beale(x),
    "sphere": lambda x, data: _sum(x * x),
    "sum_squares": lambda x, data: _sum(data[0] * x * x),
    "rotated_hyper_ellipsoid": lambda x, data: _sum(data[0] * x * x),
    "zakharov": lambda x, data: _zakharov(x, data[0]),
    "dixon_price": lambda x, data: (x[..., 0] - 1.0) ** 2 + _sum(data[0] * (2.0 * x[..., 1:] ** 2 - x[..., :-1]) ** 2),
    "trid": lambda x, data: _sum((x - 1.0) ** 2) - _sum(x[..., 1:] * x[..., :-1]),
    "sum_of_different_powers": lambda x, data: _sum(torch.abs(x) ** data[0]),
    "schwefel_2_23": lambda x, data: _sum(x**10),
    "exponential": lambda x, data: -torch.exp(-0.5 * _sum(x * x)),
}
"""The objectives written on the last axis (definitions in ``implementations/specs.py``)."""


def flat_objective(key: Structure) -> FlatObjective:
    """``f(theta, data)`` on a flat float32 tensor for the objective of structure ``key`` (every objective but
    ``mlp`` also maps [..., n] to [...])."""
    name, _, layers = key
    if name in _LAST_AXIS:
        return _LAST_AXIS[name]
    if name == "mlp":
        return lambda theta, data: mlp_loss(unflatten(theta, layers), data[0], data[1])
    raise ValueError(f"unknown objective {name!r}")


def batched_objective(key: Structure) -> FlatObjective:
    """``F(X, data)``: the values [R] of the objective of structure ``key`` at the rows of X [R, n]."""
    f = flat_objective(key)
    if key[0] in _LAST_AXIS:
        return f
    return lambda x, data: torch.func.vmap(lambda row: f(row, data))(x)


def bind(f: FlatObjective, data: tuple[torch.Tensor, ...]) -> Objective:
    """The :data:`Objective` of the one-leaf parameters ``(theta,)``."""
    return lambda params: f(params[0], data)


def build_objective(spec: ObjectiveSpec) -> Objective:
    """``spec`` as an :data:`Objective` of the one-leaf parameters ``(theta,)``."""
    return bind(flat_objective(structure(spec)), objective_data(spec))
