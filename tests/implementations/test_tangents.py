"""Native tangent samplers: support, norms, moments E[v v^T] = I, determinism per seed, and sampling for
several parameter tensors at once (the MLP's pytree / tuple of tensors)."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from implementations.specs import DISTRIBUTIONS


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_second_moment_is_identity(estimators, distribution):
    n, count = 6, 40000
    raw = estimators.sample_tangents(7, distribution, count, n)
    assert raw.shape == (count, n) and raw.dtype == np.float32
    v = raw.astype(np.float64)
    second = v.T @ v / count
    # sd of each entry of the empirical second moment is <= sqrt(3 / count) = 0.009; 6 sd margin
    np.testing.assert_allclose(second, np.eye(n), atol=0.055)
    np.testing.assert_allclose(v.mean(axis=0), 0.0, atol=0.03)


def test_rademacher_support_and_sphere_norm(estimators):
    r = estimators.sample_tangents(1, "rademacher", 100, 37)
    assert set(np.unique(r)) == {-1.0, 1.0}
    s = estimators.sample_tangents(1, "sphere", 100, 37)
    np.testing.assert_allclose(np.linalg.norm(s, axis=1), np.sqrt(37), rtol=1e-5)


def test_same_seed_same_tangents_different_seed_different(estimators):
    a = estimators.sample_tangents(3, "gaussian", 10, 5)
    np.testing.assert_array_equal(a, estimators.sample_tangents(3, "gaussian", 10, 5))
    assert not np.array_equal(a, estimators.sample_tangents(4, "gaussian", 10, 5))


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_tangents_for_several_tensors(framework, estimators, distribution):
    """``draw`` on a tuple of tensors (the MLP's parameters): leading axis K on each, the sphere's radius is
    sqrt(total size) across all tensors, and together the entries still have unit second moment."""
    from implementations.contracts.forward_gradient import EstimatorConfig

    backend = importlib.import_module(f"implementations.{framework}.backend")
    params = tuple(backend.from_numpy(np.zeros(shape, np.float32)) for shape in [(7, 5), (5,), (5, 3)])
    k = 4000
    drawn = estimators.draw(EstimatorConfig("forward", distribution, k), params, backend.make_rng(0))
    parts = [backend.to_numpy(t) for t in drawn]
    assert [p.shape for p in parts] == [(k, 7, 5), (k, 5), (k, 5, 3)]
    flat = np.concatenate([p.reshape(k, -1) for p in parts], axis=1).astype(np.float64)
    if distribution == "sphere":
        np.testing.assert_allclose(np.linalg.norm(flat, axis=1), np.sqrt(flat.shape[1]), rtol=1e-5)
    if distribution == "rademacher":
        assert set(np.unique(flat)) == {-1.0, 1.0}
    # mean of v_i^2 over 4000 x 55 entries: sd ~ sqrt(2 / 220000) = 0.003
    np.testing.assert_allclose((flat**2).mean(), 1.0, atol=0.02)
    np.testing.assert_allclose((flat[:, :-1] * flat[:, 1:]).mean(), 0.0, atol=0.02)
