"""Forward gradients in PyTorch (Baydin et al. 2022, arXiv 2202.08587).

- :func:`directional_derivatives`: ``grad f(theta) . v`` for a batch of tangents, by forward-mode AD
  (``torch.func.jvp``, Eq. 3 of the paper) or by a finite difference along v (forward
  ``(f(theta + eps v) - f(theta)) / eps`` or central ``(f(theta + eps v) - f(theta - eps v)) / (2 eps)``).
- :func:`forward_gradient`: ``g = (1/K) sum_k (grad f . v_k) v_k`` (Eq. 1-2, averaged over K tangents).
- :func:`single_tangent_estimates`: one estimate per tangent, ``(grad f . v_k) v_k`` (for the statistics).
- :func:`projected_gradient`: the projection of grad f onto span(v_1..v_K) (orthonormalised by QR), the
  "orthogonal projection" aggregation of Flügel et al. 2024; its cosine with grad f is about sqrt(K/n).
- :func:`backprop_gradient`: reverse-mode reference.
"""

from __future__ import annotations

import torch

from .objectives import Objective


def directional_derivatives(
    f: Objective, theta: torch.Tensor, tangents: torch.Tensor, method: str = "jvp", epsilon: float = 1e-3
) -> torch.Tensor:
    """``grad f(theta) . v`` for each row ``v`` of ``tangents`` (shape [K, n]) -> shape [K]."""
    if method == "jvp":
        # torch 2.13's forward mode returns float64 tangents for `python_float * tensor`; keep theta's dtype.
        def one(v: torch.Tensor) -> torch.Tensor:
            return torch.func.jvp(f, (theta,), (v,))[1].to(theta.dtype)

        return torch.func.vmap(one)(tangents)
    batched_f = torch.func.vmap(f)
    if method == "fd_forward":
        return (batched_f(theta + epsilon * tangents) - f(theta)) / epsilon
    if method == "fd_central":
        return (batched_f(theta + epsilon * tangents) - batched_f(theta - epsilon * tangents)) / (2.0 * epsilon)
    raise ValueError(f"method={method!r}; valid: jvp, fd_forward, fd_central")


def single_tangent_estimates(
    f: Objective, theta: torch.Tensor, tangents: torch.Tensor, method: str = "jvp", epsilon: float = 1e-3
) -> torch.Tensor:
    """Rows ``(grad f . v_k) v_k``, one forward gradient per tangent: shape [K, n]."""
    return directional_derivatives(f, theta, tangents, method, epsilon)[:, None] * tangents


def forward_gradient(
    f: Objective, theta: torch.Tensor, tangents: torch.Tensor, method: str = "jvp", epsilon: float = 1e-3
) -> torch.Tensor:
    """The K-tangent forward gradient ``(1/K) sum_k (grad f . v_k) v_k``."""
    return directional_derivatives(f, theta, tangents, method, epsilon) @ tangents / tangents.shape[0]


def projected_gradient(f: Objective, theta: torch.Tensor, tangents: torch.Tensor) -> torch.Tensor:
    """``Q Q^T grad f`` with ``Q`` an orthonormal basis of the K tangents (K JVPs along Q's columns)."""
    q, _ = torch.linalg.qr(tangents.T)
    return q @ directional_derivatives(f, theta, q.T.contiguous())


def backprop_gradient(f: Objective, theta: torch.Tensor) -> torch.Tensor:
    """The exact gradient by reverse mode (the reference every estimator is compared with)."""
    return torch.func.grad(f)(theta)
