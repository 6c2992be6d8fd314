"""Dolan-Moré performance profiles, accuracy profiles and the per-run reading of the protocol table."""

from __future__ import annotations

import numpy as np

from benchmarks.forward_descent.outcomes import (
    MAX_ACCURACY,
    accuracy_profile,
    performance_profile,
    protocol_runs,
    solver_matrix,
)
from tests.forward_descent.helpers import synthetic_protocol


def test_performance_profile_by_hand() -> None:
    costs = np.array([[10.0, 20.0], [30.0, 15.0], [np.inf, 5.0], [np.inf, np.inf]])
    rho = performance_profile(costs, np.array([1.0, 2.0, 10.0]))
    # solver 0: best on problem 0, 2x on problem 1, never on 2 or 3; solver 1: best on 1 and 2, 2x on 0
    np.testing.assert_allclose(rho, [[0.25, 0.5, 0.5], [0.5, 0.75, 0.75]])


def test_accuracy_profile_by_hand() -> None:
    accuracy = np.array([[2.0, 5.0], [-np.inf, 1.0], [MAX_ACCURACY, 0.0]])
    np.testing.assert_allclose(
        accuracy_profile(accuracy, np.array([0.0, 2.0, MAX_ACCURACY])), [[2 / 3, 2 / 3, 1 / 3], [1.0, 1 / 3, 0.0]]
    )


def test_protocol_runs_and_median_over_repeats() -> None:
    runs = protocol_runs(synthetic_protocol({2: (1.0, 0.0), 4: (1.0, 1.0)}))
    assert len(runs) == 2 * 10 * 5 * 4 * (1 + 5)
    assert np.allclose(runs["accuracy"], np.where(runs["solved"] > 0, np.log(100 / 0.05), np.log(100.0)))
    matrix, solvers = solver_matrix(runs[runs["dim"] == 2], ["task", "start"], ["method"], "evaluations", np.inf)
    assert solvers == ["backprop", "forward"] and matrix.shape == (50, 2)
    assert np.all(matrix["backprop"] == 100.0) and np.all(np.isinf(matrix["forward"]))
