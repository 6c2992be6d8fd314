"""The problems the experiments solve, drawn with NumPy from the root seed so that both frameworks start
from the same points (only their tangents differ, drawn natively).

- :func:`standard_starts`: Beale from (1, 1) and Rosenbrock from (-1.2, 1), the standard starting points of
  Moré, Garbow & Hillstrom 1981 (problems 5 and 1), each seed jittered by N(0, spread^2 I);
- :func:`box_starts`: Belouze 2022's protocol draws each start uniformly in the function's search box
  (``implementations.specs.FUNCTION_INFO``).
"""

from __future__ import annotations

import numpy as np

from benchmarks.seeding import derive_seed
from implementations.specs import function_info

STANDARD_STARTS: dict[str, tuple[float, float]] = {"beale": (1.0, 1.0), "rosenbrock": (-1.2, 1.0)}


def standard_starts(function: str, seeds: int, spread: float, root_seed: int) -> np.ndarray:
    """[seeds, 2] float32: the standard start of ``function`` plus Gaussian jitter of sd ``spread``."""
    rng = np.random.default_rng(derive_seed(root_seed, "standard_starts", function))
    jitter = spread * rng.standard_normal((seeds, 2))
    return (np.asarray(STANDARD_STARTS[function]) + jitter).astype(np.float32)


def box_starts(function: str, dim: int, count: int, root_seed: int) -> np.ndarray:
    """[count, dim] float32 drawn uniformly in the search box of ``function`` at ``dim``."""
    low, high = function_info(function).box(dim)
    rng = np.random.default_rng(derive_seed(root_seed, "box_starts", function, dim))
    return rng.uniform(low, high, (count, dim)).astype(np.float32)


def distance_to_minimiser(function: str, points: np.ndarray) -> np.ndarray:
    """Euclidean distance of points [..., n] to the minimiser of ``function`` (float64; NaN -> inf)."""
    points = np.asarray(points, dtype=np.float64)
    minimiser = function_info(function).minimiser(points.shape[-1])
    with np.errstate(invalid="ignore", over="ignore"):
        distance = np.linalg.norm(points - minimiser, axis=-1)
    return np.where(np.isfinite(distance), distance, np.inf)
