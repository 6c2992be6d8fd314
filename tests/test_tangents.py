"""Native tangent samplers: support, norms, moments E[v v^T] = I, and determinism per seed."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.mark.parametrize("distribution", ["gaussian", "rademacher", "sphere"])
def test_second_moment_is_identity(api, distribution):
    n, count = 6, 40000
    raw = api.sample_tangents(7, distribution, count, n)
    assert raw.shape == (count, n) and raw.dtype == np.float32
    v = raw.astype(np.float64)
    second = v.T @ v / count
    # sd of each entry of the empirical second moment is <= sqrt(3 / count) = 0.009; 6 sd margin
    np.testing.assert_allclose(second, np.eye(n), atol=0.055)
    np.testing.assert_allclose(v.mean(axis=0), 0.0, atol=0.03)


def test_rademacher_support_and_sphere_norm(api):
    r = api.sample_tangents(1, "rademacher", 100, 37)
    assert set(np.unique(r)) == {-1.0, 1.0}
    s = api.sample_tangents(1, "sphere", 100, 37)
    np.testing.assert_allclose(np.linalg.norm(s, axis=1), np.sqrt(37), rtol=1e-5)


def test_same_seed_same_tangents_different_seed_different(api):
    a = api.sample_tangents(3, "gaussian", 10, 5)
    np.testing.assert_array_equal(a, api.sample_tangents(3, "gaussian", 10, 5))
    assert not np.array_equal(a, api.sample_tangents(4, "gaussian", 10, 5))
