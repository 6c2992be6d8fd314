"""The small nets of Unnikrishnan & Venugopal 1994 (Neural Computation 6(3):469-490) in PyTorch, seed-batched.
Contract (definitions, flat layout, error measures, criterion): :mod:`implementations.contracts.small_nets`.

Every function takes parameters for S seeds at once, theta [S, N], with the seeds as a batch dimension: a
layer is one ``torch.baddbmm`` (``b + x @ W`` for all seeds) and an activation; the Elman net runs its time
steps in a Python loop, ``h_t = act(x_t @ W_in + b_h + h_{t-1} @ W_rec)`` with the input projection of all
time steps computed up front. Heaviside units are written ``0 * z + (z > 0)`` so that autodiff
(:mod:`.full_batch_gd`) sees their derivative, exactly zero, instead of failing.

(a) Tensor functions: :func:`prepare` (data on the device), :func:`forward`, :func:`evaluate` (E and the
criterion's max |y - t| per seed). (b) The NumPy-facing :func:`predict` and :func:`errors`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

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
# (a) tensor functions


class Prepared(NamedTuple):
    """Training data on the configured device, laid out for :func:`evaluate`."""

    inputs: torch.Tensor
    """mlp [P, in]; elman [B, L, in]."""
    targets: torch.Tensor
    """[..., out] float32 (0 or 1)."""
    positive: torch.Tensor
    """bool, targets == 1 (picks log y or log(1 - y) in the cross-entropy)."""
    weight: torch.Tensor | None
    """float32 [..., 1]: 1 where the pattern counts, 0 where the mask drops it; None when all count."""
    margin: float


def prepare(net: NetSpec, data: TrainingData) -> Prepared:
    """``data`` as device tensors (validated against ``net``)."""
    check_data(net, data)
    targets = backend.from_numpy(data.targets)
    weight = None if data.mask is None else backend.from_numpy(data.mask[..., None].astype(np.float32))
    return Prepared(backend.from_numpy(data.inputs), targets, targets > 0.5, weight, data.margin)


def unflatten(net: NetSpec, theta: torch.Tensor) -> dict[str, torch.Tensor]:
    """Views [S, *shape] of every parameter array inside theta [S, N] (one ``split``; each row of a slice is
    contiguous, so the reshapes are views too)."""
    slices = param_slices(net)
    parts = torch.split(theta, [b - a for _, a, b, _ in slices], dim=1)
    return {name: part.view(theta.shape[0], *shape) for (name, _, _, shape), part in zip(slices, parts, strict=True)}


def activation(name: str, z: torch.Tensor) -> torch.Tensor:
    """sigmoid, tanh or heaviside (``0 * z + (z > 0)``: value 1 where z > 0, else 0; derivative 0)."""
    if name == "sigmoid":
        return torch.sigmoid(z)
    if name == "tanh":
        return torch.tanh(z)
    return z * 0 + (z > 0).to(z.dtype)


def forward(net: NetSpec, theta: torch.Tensor, inputs: torch.Tensor) -> torch.Tensor:
    """Outputs [S, P, out] (mlp, inputs [P, in]) or [S, B, L, out] (elman, inputs [B, L, in])."""
    p = unflatten(net, theta)
    seeds = theta.shape[0]
    if net.kind == "mlp":
        depth = len(net.layers) - 1
        x = inputs.expand(seeds, *inputs.shape)
        for index in range(depth):
            bias = p[f"b_{index + 1}"].view(seeds, 1, -1)
            z = torch.baddbmm(bias, x, p[f"W_{index + 1}"])
            x = activation(net.output if index == depth - 1 else net.hidden, z)
        return x
    sequences, length, width = inputs.shape
    hidden, outputs = net.layers[1], net.layers[2]
    flat = inputs.reshape(1, sequences * length, width).expand(seeds, -1, -1)
    drive = torch.baddbmm(p["b_h"].unsqueeze(1), flat, p["W_in"]).view(seeds, sequences, length, hidden)
    h = activation(net.hidden, drive[:, :, 0])
    states = [h]
    for t in range(1, length):
        h = activation(net.hidden, torch.baddbmm(drive[:, :, t], h, p["W_rec"]))
        states.append(h)
    context = torch.stack(states, dim=2).view(seeds, sequences * length, hidden)
    z = torch.baddbmm(p["b_out"].unsqueeze(1), context, p["W_out"])
    return activation(net.output, z).view(seeds, sequences, length, outputs)


def evaluate(net: NetSpec, theta: torch.Tensor, data: Prepared) -> tuple[torch.Tensor, torch.Tensor]:
    """(E [S, 1], max |y - t| over the counted outputs [S, 1]) of theta [S, N]: one forward pass. Per-seed
    values keep a trailing axis so they broadcast against [S, N] without a reshape."""
    y = forward(net, theta, data.inputs)
    seeds = theta.shape[0]
    diff = y - data.targets
    if data.weight is not None:
        diff = diff * data.weight
    flat = diff.reshape(seeds, -1)
    if net.error == "squared":
        error = torch.sum(flat * flat, 1, keepdim=True) * 0.5
    else:
        terms = -torch.log(torch.clamp_min(torch.where(data.positive, y, 1 - y), CLIP))
        if data.weight is not None:
            terms = terms * data.weight
        error = terms.reshape(seeds, -1).sum(1, keepdim=True)
    return error, torch.linalg.vector_norm(flat, ord=float("inf"), dim=1, keepdim=True)


# ---------------------------------------------------------------------------------------------------------
# (b) NumPy-facing functions (contract: implementations.contracts.small_nets.SmallNets)


@torch.no_grad()
def predict(net: NetSpec, theta: np.ndarray, inputs: np.ndarray) -> np.ndarray:
    """float32 outputs [S, *targets_shape] of theta [S, N] on ``inputs``."""
    check_theta(net, theta)
    check_inputs(net, inputs)
    return backend.to_numpy(forward(net, backend.from_numpy(theta), backend.from_numpy(inputs)))


@torch.no_grad()
def errors(net: NetSpec, theta: np.ndarray, data: TrainingData) -> np.ndarray:
    """float64 [S]: E of every row of theta [S, N] (computed in float32)."""
    check_theta(net, theta)
    error, _ = evaluate(net, backend.from_numpy(theta), prepare(net, data))
    return backend.to_numpy(error).reshape(-1).astype(np.float64)
