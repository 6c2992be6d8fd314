"""Estimators beyond the generic contract checks: finite differences converge at their order, the projection
onto K = n Gaussian tangents returns grad f, a projection's residual is orthogonal to it, and the pure
estimators give on a tuple of MLP tensors what the NumPy-facing ones give on the flat vector."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from implementations.contracts._common import reference_tasks
from implementations.contracts.forward_gradient import (
    SOURCES,
    EstimatorConfig,
    forward_reference,
    gradient_tolerance,
    projection_reference,
)
from implementations.specs import ObjectiveSpec, mlp_param_slices, sample_tangents_numpy


@pytest.mark.parametrize("derivative,order", [("fd_forward", 1), ("fd_central", 2)])
def test_finite_differences_converge_at_their_order(estimators, derivative, order):
    spec = ObjectiveSpec("rosenbrock", 2)
    theta = np.array([0.3, -0.2], np.float32)
    tangents = sample_tangents_numpy(np.random.default_rng(1), "gaussian", 4, 2)
    exact = estimators.directional_derivatives(spec, theta, tangents, "jvp")
    errors = [
        np.abs(estimators.directional_derivatives(spec, theta, tangents, derivative, eps) - exact).max()
        for eps in (1e-1, 1e-2)
    ]
    # the truncation error shrinks like eps^order (float32 rounding, ~eps32 |f| / eps = 1e-5, stays well below)
    assert errors[1] < errors[0] * 10.0 ** (-order) * 3


def test_projection_onto_n_gaussian_tangents_is_the_gradient(estimators):
    task = reference_tasks()[0]  # quadratic, n = 50
    n = task.spec.dim
    grad = estimators.gradient(task.spec, task.theta)
    rows = estimators.aggregated_samples(task.spec, task.theta, 0, EstimatorConfig("projection", "gaussian", n), 2)
    # Q is an orthonormal basis of R^n, so Q Q^T g = g up to the QR's rounding (projection_reference's bound)
    tol = projection_reference(grad, sample_tangents_numpy(np.random.default_rng(0), "gaussian", n, n))[1]
    np.testing.assert_allclose(rows, np.broadcast_to(grad, rows.shape), rtol=0, atol=tol)


def test_projection_residual_is_orthogonal(estimators):
    task = reference_tasks()[0]
    grad = estimators.gradient(task.spec, task.theta).astype(np.float64)
    one = estimators.aggregated_samples(task.spec, task.theta, 0, EstimatorConfig("projection", "gaussian", 5), 3)
    one = one.astype(np.float64)
    np.testing.assert_allclose(np.einsum("ij,ij->i", grad - one, one), 0.0, atol=1e-4 * grad @ grad)
    assert np.all(np.linalg.norm(one, axis=1) < np.linalg.norm(grad))


@pytest.mark.parametrize("source", SOURCES)
def test_estimators_work_on_a_tuple_of_tensors(framework, estimators, source):
    task = reference_tasks()[3]  # the MLP
    spec, theta = task.spec, task.theta
    backend = importlib.import_module(f"implementations.{framework}.backend")
    objectives = importlib.import_module(f"implementations.{framework}.objectives")
    native = backend.from_numpy
    x, y = native(spec.inputs), native(spec.labels.astype(np.int32 if framework == "jax" else np.int64))
    tangents = sample_tangents_numpy(np.random.default_rng(3), "gaussian", 3, spec.dim)

    def split(flat: np.ndarray) -> tuple:
        return tuple(
            native(flat[..., a:b].reshape(*flat.shape[:-1], *shape)) for a, b, shape in mlp_param_slices(spec.layers)
        )

    config = EstimatorConfig(source, "gaussian", 3)
    grads, stats = estimators.estimate(config, lambda ps: objectives.mlp_loss(ps, x, y), split(theta), split(tangents))
    got = np.concatenate([backend.to_numpy(g).ravel() for g in grads])
    np.testing.assert_allclose(float(stats["loss"]), estimators.objective_value(spec, theta), rtol=1e-6)
    grad = estimators.gradient(spec, theta)
    if source == "forward":
        reference, atol = forward_reference(grad, tangents)
    elif source == "projection":
        reference, atol = projection_reference(grad, tangents)
    else:
        rtol, floor = gradient_tolerance(grad)
        reference, atol = grad, rtol * np.abs(grad) + floor
    np.testing.assert_array_less(np.abs(got - reference), atol + 1e-12)
