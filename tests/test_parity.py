"""Parity: the same parameters and tangents give the same numbers in PyTorch and JAX, and the forward
gradient's directional derivative equals the backprop gradient's (grad f . v).

Tolerance: float32 has eps = 1.2e-7; a directional derivative sums n products, so its rounding error is
bounded by about n * eps * sum_i |d_i f| |v_i|. We allow 20 * sqrt(n) * eps times that scale (errors add
like a random walk in practice) plus a floor, which is orders of magnitude below any real discrepancy
(a wrong sign, scale or tangent would be off by O(1) of the value).
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.experiments.tasks import function_task, network_task
from implementations.specs import ObjectiveSpec, sample_tangents_numpy

EPS32 = float(np.finfo(np.float32).eps)


def _tasks():
    return [
        function_task("quadratic", 50, 1),
        function_task("rosenbrock", 50, 2),
        function_task("rosenbrock", 2, 3),
        network_task("mlp_digits", 4),
    ]


def _scale(grad: np.ndarray, tangents: np.ndarray) -> np.ndarray:
    return np.abs(tangents) @ np.abs(grad) * 20 * np.sqrt(grad.size) * EPS32 + 1e-6


@pytest.mark.parametrize("task", _tasks(), ids=lambda t: f"{t.name}-{t.spec.dim}")
@pytest.mark.parametrize("distribution", ["gaussian", "rademacher", "sphere"])
def test_jvp_matches_backprop_and_other_framework(apis, task, distribution):
    rng = np.random.default_rng(0)
    tangents = sample_tangents_numpy(rng, distribution, 8, task.spec.dim)
    grads = {name: a.gradient(task.spec, task.theta) for name, a in apis.items()}
    np.testing.assert_allclose(grads["pytorch"], grads["jax"], rtol=1e-4, atol=1e-5 * np.abs(grads["jax"]).max())
    reference = tangents.astype(np.float64) @ grads["jax"].astype(np.float64)
    tol = _scale(grads["jax"], tangents)
    for name, a in apis.items():
        dd = a.directional_derivatives(task.spec, task.theta, tangents, "jvp")
        assert np.all(np.abs(dd - reference) <= tol), name
        g = a.forward_gradient_from_tangents(task.spec, task.theta, tangents, "jvp")
        np.testing.assert_allclose(
            g, reference @ tangents / len(tangents), rtol=1e-3, atol=float(tol.max() * np.abs(tangents).max())
        )


@pytest.mark.parametrize("method,order", [("fd_forward", 1), ("fd_central", 2)])
def test_finite_differences_agree_with_jvp_to_epsilon_order(apis, method, order):
    spec = ObjectiveSpec("rosenbrock", 2)
    theta = np.array([0.3, -0.2], np.float32)
    tangents = sample_tangents_numpy(np.random.default_rng(1), "gaussian", 4, 2)
    for a in apis.values():
        exact = a.directional_derivatives(spec, theta, tangents, "jvp")
        errors = [
            np.abs(a.directional_derivatives(spec, theta, tangents, method, eps) - exact).max() for eps in (1e-1, 1e-2)
        ]
        # error shrinks like eps^order (float32 rounding stays well below at these steps)
        assert errors[1] < errors[0] * 10.0 ** (-order) * 3
    fd = {n: a.directional_derivatives(spec, theta, tangents, method, 1e-2) for n, a in apis.items()}
    np.testing.assert_allclose(fd["pytorch"], fd["jax"], rtol=1e-3)


def test_objective_values_match(apis):
    for task in _tasks():
        values = [a.objective_value(task.spec, task.theta) for a in apis.values()]
        assert values[0] == pytest.approx(values[1], rel=1e-5)


def test_projection_is_orthogonal_projection(apis):
    task = function_task("quadratic", 30, 5)
    for a in apis.values():
        grad = a.gradient(task.spec, task.theta)
        proj = a.projected_gradient_samples(task.spec, task.theta, 0, "gaussian", 30, 2)
        np.testing.assert_allclose(proj, np.broadcast_to(grad, proj.shape), rtol=1e-3, atol=1e-3)
        one = a.projected_gradient_samples(task.spec, task.theta, 0, "gaussian", 5, 3)
        # Q Q^T g is idempotent-projection output: its residual is orthogonal to it
        residual = grad - one
        np.testing.assert_allclose(np.einsum("ij,ij->i", residual, one), 0.0, atol=1e-3 * grad @ grad)
