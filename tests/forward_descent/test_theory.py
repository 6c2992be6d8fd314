"""The first-passage law of forward-gradient descent on 1/2||x||^2 (benchmarks/forward_descent/theory.py)
against a float64 simulation of the same descent, and the mean-contraction identity."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.forward_descent import theory


def _simulate(dim: int, tolerance: float, runs: int, seed: int) -> np.ndarray:
    """First t with f(x_t) <= tolerance f(x_0), float64 NumPy, Gaussian tangents, lr 1/(n+2)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((runs, dim))
    f0 = 0.5 * np.sum(x * x, axis=1)
    hit = np.full(runs, -1)
    t = 0
    while np.any(hit < 0):
        t += 1
        v = rng.standard_normal((runs, dim))
        x = x - np.sum(x * v, axis=1, keepdims=True) * v / (dim + 2)
        hit[(hit < 0) & (0.5 * np.sum(x * x, axis=1) <= tolerance * f0)] = t
    return hit


@pytest.mark.parametrize("dim", [3, 12])
def test_first_passage_law_matches_simulation(dim: int) -> None:
    hits = _simulate(dim, 1e-4, 3000, dim)
    law = theory.first_passage_iterations(dim, 1e-4)
    se = hits.std(ddof=1) / np.sqrt(hits.size)
    assert abs(hits.mean() - law) <= 4 * se + 0.01 * law, (hits.mean(), law, se)


def test_log_contraction_moments_match_monte_carlo() -> None:
    rng = np.random.default_rng(1)
    for dim in (2, 9, 100):
        a, c, eta = rng.standard_normal(400_000), rng.chisquare(dim - 1, 400_000), 1.0 / (dim + 2)
        x = -np.log((1 - eta * a * a) ** 2 + eta**2 * a * a * c)
        m1, m2 = theory.log_contraction_moments(dim)
        assert abs(m1 - x.mean()) <= 5 * x.std() / np.sqrt(x.size)
        assert abs(m2 - np.mean(x * x)) <= 5 * np.std(x * x) / np.sqrt(x.size)
        assert m1 > -np.log1p(-1.0 / (dim + 2))  # Jensen: a run falls faster than the mean


def test_mean_contraction_line_is_linear_in_n() -> None:
    lines = np.array([theory.mean_contraction_iterations(n, 1e-6) for n in (100, 200, 400)])
    assert np.allclose(lines / (np.array([102, 202, 402]) * np.log(1e6)), 1.0, atol=0.01)
    assert theory.budget(10, 1e-6, 3.0) == int(np.ceil(3.0 * theory.mean_contraction_iterations(10, 1e-6)))
    with pytest.raises(ValueError, match="n >= 2"):
        theory.log_contraction_moments(1)
