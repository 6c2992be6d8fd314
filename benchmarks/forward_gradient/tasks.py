"""Objectives and evaluation points the estimator experiments use, built framework-neutrally.

The evaluation point of every task is drawn with NumPy from the root seed and the task's name, so both
frameworks evaluate the same function at the same point (only their tangents differ, drawn natively).
- ``quadratic`` / ``rosenbrock`` at n: theta ~ N(0, I_n) (Rosenbrock: 0.5 * N(0, I_n)).
- ``mlp_digits``: a 64-32-10 ReLU MLP at its LeCun-normal initialisation, cross-entropy on the first 64
  training images of scikit-learn's digits (``datasets/digits``): a real network loss, n = 2410.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from benchmarks.datasets import load_dataset
from benchmarks.seeding import derive_seed
from implementations.specs import ObjectiveSpec, mlp_init_flat, mlp_num_params

MLP_DIGITS_LAYERS = (64, 32, 10)
MLP_DIGITS_BATCH = 64


@dataclass(frozen=True)
class Task:
    """A named objective with the point at which estimators are evaluated."""

    name: str
    spec: ObjectiveSpec
    theta: np.ndarray


def function_task(function: str, dim: int, root_seed: int) -> Task:
    """``quadratic`` or ``rosenbrock`` in ``dim`` dimensions at a seeded Gaussian point."""
    rng = np.random.default_rng(derive_seed(root_seed, "point", function, dim))
    scale = 0.5 if function == "rosenbrock" else 1.0
    theta = (scale * rng.standard_normal(dim)).astype(np.float32)
    return Task(function, ObjectiveSpec(function, dim), theta)


def network_task(network: str, root_seed: int) -> Task:
    """A real network loss; ``mlp_digits`` is the only one so far."""
    if network != "mlp_digits":
        raise ValueError(f"network {network!r}; valid: mlp_digits")
    data = load_dataset("digits")
    x = data.x_train[:MLP_DIGITS_BATCH].reshape(MLP_DIGITS_BATCH, -1).astype(np.float32)
    y = data.y_train[:MLP_DIGITS_BATCH].astype(np.int64)
    rng = np.random.default_rng(derive_seed(root_seed, "point", network))
    theta = mlp_init_flat(MLP_DIGITS_LAYERS, rng)
    spec = ObjectiveSpec("mlp", mlp_num_params(MLP_DIGITS_LAYERS), MLP_DIGITS_LAYERS, x, y)
    return Task(network, spec, theta)


def estimator_tasks(functions: list[str], dims: list[int], network: str | None, root_seed: int) -> list[Task]:
    """Every (function, dim) task plus the network task, in a fixed order."""
    tasks = [function_task(f, d, root_seed) for f in functions for d in dims]
    if network:
        tasks.append(network_task(network, root_seed))
    return tasks
