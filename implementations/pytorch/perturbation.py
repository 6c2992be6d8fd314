"""Weight vs activity perturbation of one layer of a ReLU MLP, in PyTorch (Ren, Kornblith, Liao & Hinton
2023, *Scaling Forward Gradient with Local Losses*, ICLR 2023, arXiv 2210.03310, Sec. 3).

- weight perturbation: ``g_W = (grad_W f . V) V``, the directional derivative by one JVP of the loss as a
  function of W_l alone (:func:`.forward_gradient.derivatives`, the estimator study's code);
- activity perturbation: one JVP of the per-example losses as functions of the layer's pre-activations z
  [B, fan_out] along per-example tangents U gives ``d_n = grad_{z_n} L_n . u_n``; ``G_z = d U / B`` and
  ``g_W = X^T G_z`` (``torch.func.jvp``).

Definitions, variances and the float64 references: :mod:`implementations.contracts.perturbation`.
(a) Pure functions on the tuple of MLP parameters; (b) the NumPy-facing functions of the contract.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch
import torch.nn.functional as F

from implementations.contracts.perturbation import check_request, tangent_shape
from implementations.specs import ObjectiveSpec

from . import backend, forward_gradient
from .discrete_nets import draw
from .objectives import Params, objective_data, unflatten

# ---------------------------------------------------------------------------------------------------------
# (a) pure functions


def layer_input(params: Params, x: torch.Tensor, layer: int) -> torch.Tensor:
    """X_l [B, fan_in]: the input of weight matrix ``layer`` (ReLU after every earlier layer)."""
    h = x
    for i in range(layer):
        h = torch.relu(h @ params[2 * i] + params[2 * i + 1])
    return h


def tail_losses(params: Params, layer: int, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """[B]: each example's cross-entropy as a function of layer ``layer``'s pre-activations z [B, fan_out]."""
    h = z
    for i in range(layer + 1, len(params) // 2):
        h = torch.relu(h) @ params[2 * i] + params[2 * i + 1]
    return F.cross_entropy(h, y, reduction="none")


def weight_loss(params: Params, layer: int, x_l: torch.Tensor, y: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """f as a function of the layer's weight matrix ``w`` alone."""
    return torch.mean(tail_losses(params, layer, x_l @ w + params[2 * layer + 1], y))


def weight_perturbed(params: Params, layer: int, x_l: torch.Tensor, y: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """[S, fan_in, fan_out]: ``(grad_W f . V_s) V_s`` for tangents v [S, fan_in, fan_out]."""
    objective = lambda ws: weight_loss(params, layer, x_l, y, ws[0])  # noqa: E731
    _, dd = forward_gradient.derivatives(objective, (params[2 * layer],), (v,), "jvp")
    return dd[:, None, None] * v


def activity_perturbed(params: Params, layer: int, x_l: torch.Tensor, y: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """[S, fan_in, fan_out]: ``X^T (d U / B)`` for per-example tangents u [S, B, fan_out]."""
    z = x_l @ params[2 * layer] + params[2 * layer + 1]

    def one(tangent: torch.Tensor) -> torch.Tensor:
        _, d = torch.func.jvp(lambda pre: tail_losses(params, layer, pre, y), (z,), (tangent,))
        return x_l.T @ (d[:, None] * tangent / z.shape[0])

    return torch.func.vmap(one)(u)


# ---------------------------------------------------------------------------------------------------------
# (b) NumPy-facing functions (contract: implementations.contracts.perturbation.Perturbation)


def _setup(spec: ObjectiveSpec, theta: np.ndarray, layer: int) -> tuple[Params, torch.Tensor, torch.Tensor]:
    x, y = objective_data(spec)
    params = unflatten(backend.from_numpy(theta), spec.layers)
    return params, layer_input(params, x, layer), y


def _estimates(spec: ObjectiveSpec, theta: np.ndarray, layer: int, kind: str, t: torch.Tensor) -> torch.Tensor:
    params, x_l, y = _setup(spec, theta, layer)
    return (weight_perturbed if kind == "weight" else activity_perturbed)(params, layer, x_l, y, t)


def layer_gradient(spec: ObjectiveSpec, theta: np.ndarray, layer: int) -> np.ndarray:
    """float32 [fan_in, fan_out]: grad_W f of layer ``layer`` by backprop."""
    check_request(spec, layer, "weight")
    params, x_l, y = _setup(spec, theta, layer)
    grad = torch.func.grad(lambda w: weight_loss(params, layer, x_l, y, w))(params[2 * layer])
    return backend.to_numpy(grad)


@torch.no_grad()
def perturbed_from_tangents(
    spec: ObjectiveSpec, theta: np.ndarray, layer: int, kind: str, tangents: np.ndarray
) -> np.ndarray:
    """float32 [S, fan_in, fan_out]: the estimate of ``kind`` for each given tangent [S, *tangent_shape]."""
    check_request(spec, layer, kind)
    return backend.to_numpy(_estimates(spec, theta, layer, kind, backend.from_numpy(tangents)))


@torch.no_grad()
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
    """``count`` estimates with tangents from one generator seeded with ``seed``, in [<= chunk, fan_in, fan_out]."""
    check_request(spec, layer, kind, distribution)
    gen, shape = backend.make_rng(seed), tangent_shape(spec, layer, kind)
    for start in range(0, count, chunk):
        t = draw(gen, distribution, (min(chunk, count - start), *shape))
        yield backend.to_numpy(_estimates(spec, theta, layer, kind, t))
