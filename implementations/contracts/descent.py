"""Contract of descent: ``implementations/<framework>/descent.py`` (an optimizer fed by a gradient source).

One step draws tangents (unless the source is backprop), estimates the gradient
(:mod:`.forward_gradient`) and applies the optimizer (:mod:`.optimizers`). With ``source="forward"``,
``num_tangents=1`` and ``sgd`` this is forward gradient descent, Baydin et al. 2022 (arXiv 2202.08587),
Alg. 1: ``x <- x - eta (grad f(x) . v) v``, a fresh tangent every step.

``iterations_to_tolerance`` is the iterations-to-target protocol of Belouze 2022 (arXiv 2209.06302): for
each start, the first iteration t with ``f(x_t) <= tolerance * f(x_0)`` (-1 if none within the budget).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Protocol

import numpy as np

from implementations.contracts._common import EPS32, reference_tasks, require
from implementations.contracts.forward_gradient import EstimatorConfig
from implementations.contracts.optimizers import OptimizerConfig, trajectory_tolerance
from implementations.specs import ObjectiveSpec, quadratic_coefficients, sample_tangents_numpy

ROLE = "method"


@dataclass(frozen=True)
class DescentConfig:
    """ "Optimizer x gradient source": where each step's gradient comes from and what is done with it."""

    estimator: EstimatorConfig = EstimatorConfig()
    optimizer: OptimizerConfig = OptimizerConfig()

    def __post_init__(self) -> None:
        if not isinstance(self.estimator, EstimatorConfig):
            raise ValueError(f"estimator={self.estimator!r}; must be an EstimatorConfig")
        if not isinstance(self.optimizer, OptimizerConfig):
            raise ValueError(f"optimizer={self.optimizer!r}; must be an OptimizerConfig")


class DescentMethod(Protocol):
    """The NumPy-facing functions of ``implementations/<framework>/descent.py``."""

    def iterations_to_tolerance(
        self,
        spec: ObjectiveSpec,
        starts: np.ndarray,
        seed: int,
        config: DescentConfig,
        max_iterations: int,
        tolerance: float,
    ) -> np.ndarray:
        """int64 [R]: per row of ``starts`` [R, n], the first t with f(x_t) <= tolerance f(x_0), else -1."""
        ...

    def trajectory_from_tangents(
        self, spec: ObjectiveSpec, theta0: np.ndarray, tangents: np.ndarray, config: DescentConfig
    ) -> np.ndarray:
        """Feed tangents [T, K, n] in order (parity mode; ignored by backprop): the trajectory [T+1, n]."""
        ...


PROTOCOL = DescentMethod


def forward_sgd(distribution: str, lr: float, num_tangents: int = 1) -> DescentConfig:
    """Baydin et al. 2022's Alg. 1 (with K tangents averaged): forward gradient, constant-step SGD."""
    return DescentConfig(EstimatorConfig("forward", distribution, num_tangents), OptimizerConfig("sgd", lr))


def sample_configs() -> list[DescentConfig]:
    """Every source and every optimizer at least once."""
    return [
        forward_sgd("gaussian", 0.01),
        DescentConfig(EstimatorConfig("forward", "rademacher", 2, "fd_central", 1e-2), OptimizerConfig("adam", 0.01)),
        DescentConfig(EstimatorConfig("projection", "sphere", 4), OptimizerConfig("adabelief", 0.01, decay=0.05)),
        DescentConfig(EstimatorConfig("backprop"), OptimizerConfig("clipped_sgd", 0.05, decay=0.1, clip_norm=0.5)),
    ]


def check_iterations_to_tolerance(impl: ModuleType) -> None:
    """int64 [R]; the exact count where it is deterministic; the expected count for Alg. 1; -1 when out of
    budget; identical twice for the same seed."""
    n = 4
    spec = ObjectiveSpec("isotropic_quadratic", n)
    starts = np.random.default_rng(4).standard_normal((6, n)).astype(np.float32)
    # backprop + SGD with step 1/2 halves x, so f(x_t) = f(x_0) / 4^t: first t with 4^-t <= 1e-3 is 5
    halving = DescentConfig(EstimatorConfig("backprop"), OptimizerConfig("sgd", 0.5))
    hits = impl.iterations_to_tolerance(spec, starts, 0, halving, 100, 1e-3)
    require(hits.dtype == np.int64 and hits.shape == (6,), f"dtype/shape {hits.dtype} {hits.shape}")
    np.testing.assert_array_equal(hits, 5)
    np.testing.assert_array_equal(impl.iterations_to_tolerance(spec, starts, 0, halving, 4, 1e-3), -1)
    # Alg. 1 with step 1/(n+2) contracts E f by 1 - 1/(n+2) per step (Belouze 2022): ~38 steps for 1e-3
    config = forward_sgd("gaussian", 1.0 / (n + 2))
    hits = impl.iterations_to_tolerance(spec, starts, 1, config, 5000, 1e-3)
    require(bool(np.all(hits > 0)), f"Alg. 1 did not reach the target: {hits}")
    require(10 <= float(np.mean(hits)) <= 150, f"Alg. 1 mean iterations {np.mean(hits)} (expected ~38)")
    np.testing.assert_array_equal(hits, impl.iterations_to_tolerance(spec, starts, 1, config, 5000, 1e-3))
    other = sample_configs()[2]  # projection + AdaBelief with decay: every piece of state under vmap
    again = [impl.iterations_to_tolerance(spec, starts, 2, other, 30, 0.5) for _ in range(2)]
    np.testing.assert_array_equal(again[0], again[1])


def check_trajectory_matches_algorithm_1(impl: ModuleType) -> None:
    """Parity mode against Alg. 1 in float64 NumPy on the quadratic (grad f = c x), K = 1 and K = 3.

    Each step computes ``c x . v`` (n products: ~sqrt(n) eps relative) and an update; with ``lr c_max |v|^2``
    = 0.1 the step map is a contraction or a mild expansion (<= 1.1 per step), so after T = 8 steps the
    float32 trajectory is within ``T 1.1^T 20 sqrt(n) eps max|x|`` of the float64 one.
    """
    n, steps = 10, 8
    spec = ObjectiveSpec("quadratic", n)
    c = quadratic_coefficients(n).astype(np.float64)
    rng = np.random.default_rng(5)
    theta0 = rng.standard_normal(n).astype(np.float32)
    for k in (1, 3):
        tangents = sample_tangents_numpy(rng, "gaussian", steps * k, n).reshape(steps, k, n)
        lr = 0.1 / (100.0 * n)
        path = impl.trajectory_from_tangents(spec, theta0, tangents, forward_sgd("gaussian", lr, k))
        require(path.shape == (steps + 1, n) and path.dtype == np.float32, f"shape {path.shape} {path.dtype}")
        x = theta0.astype(np.float64)
        reference = [x]
        for v in tangents.astype(np.float64):
            x = x - lr * ((v @ (c * x)) @ v) / k
            reference.append(x)
        tol = steps * 1.1**steps * 20 * np.sqrt(n) * EPS32 * float(np.abs(theta0).max())
        np.testing.assert_allclose(path, np.array(reference), rtol=0, atol=tol, err_msg=f"K={k}")


def trajectory_parity_tolerance(config: DescentConfig, path: np.ndarray) -> float:
    """Allowed |difference| between two frameworks' trajectories of T steps on the same tangents.

    Per step the two gradient estimates differ by float32 rounding (~1e-5 of their size, see
    :mod:`.forward_gradient`'s tolerances; finite differences ~1e-3, their cancellation error) and the
    optimizers by :func:`~implementations.contracts.optimizers.trajectory_tolerance`. The difference between
    two steps is bounded by the largest move ``max |x_t+1 - x_t|`` times that relative error, and a small
    learning rate keeps the step map within a factor 2 of a contraction over the T = 6 steps used here.
    """
    relative = 1e-3 if config.estimator.derivative != "jvp" and config.estimator.source != "backprop" else 1e-5
    move = float(np.abs(np.diff(path, axis=0)).max())
    steps = len(path) - 1
    return 2 * steps * relative * move + trajectory_tolerance(config.optimizer, path)


def check_trajectories_agree(impls: dict[str, ModuleType]) -> None:
    """Same start and tangents give the same trajectory in every framework, for every source and optimizer,
    on the MLP objective (:func:`trajectory_parity_tolerance`)."""
    task = reference_tasks()[3]
    steps = 6
    for config in sample_configs():
        k = config.estimator.num_tangents
        tangents = sample_tangents_numpy(
            np.random.default_rng(6), config.estimator.distribution, steps * k, task.spec.dim
        )
        tangents = tangents.reshape(steps, k, task.spec.dim)
        paths = {n: impl.trajectory_from_tangents(task.spec, task.theta, tangents, config) for n, impl in impls.items()}
        first, *others = paths
        for other in others:
            tol = trajectory_parity_tolerance(config, paths[first])
            np.testing.assert_allclose(paths[other], paths[first], rtol=0, atol=tol, err_msg=str(config))


SINGLE_CHECKS = (check_iterations_to_tolerance, check_trajectory_matches_algorithm_1)
PARITY_CHECKS = (check_trajectories_agree,)
