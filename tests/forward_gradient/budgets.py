"""Small but sufficient test budgets for the study (no degenerate configurations: n >= 10, K < n)."""

from __future__ import annotations

from benchmarks.config import Params
from tests.conftest import small_params

HONESTY = small_params(
    forward_gradient={
        "estimator": {
            "functions": ["quadratic"],
            "dims": [10, 100],
            "network": None,
            "distributions": ["gaussian", "rademacher", "sphere"],
            "ks": [1, 2, 4, 8, 16, 32, 64],
            "half_width": 0.0125,
            "min_samples": 8192,
            "max_samples": 262144,
        },
        "projection": {
            "dim": 64,
            "ks": [1, 2, 4, 8, 16, 32],
            "half_width": 0.0125,
            "min_repeats": 256,
            "max_repeats": 131072,
        },
        "fgd": {
            "dims": [10, 50],
            "distributions": ["gaussian", "rademacher", "sphere"],
            "seeds": 40,
            "max_iterations": 5000,
            "tolerance": 1.0e-6,
        },
    }
)

TINY: Params = small_params(
    forward_gradient={
        "estimator": {
            "functions": ["rosenbrock"],
            "dims": [2, 10],
            "network": None,
            "ks": [1, 4, 16],
            "min_samples": 256,
            "max_samples": 512,
        },
        "projection": {"dim": 16, "ks": [1, 4, 16], "min_repeats": 8, "max_repeats": 16},
        "fgd": {"dims": [2, 10], "seeds": 4, "max_iterations": 2000},
    }
)
