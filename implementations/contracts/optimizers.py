"""Contract of the optimizers: ``implementations/<framework>/optimizers.py``.

An optimizer turns a gradient (from any source of :mod:`implementations.contracts.forward_gradient`) into a
parameter update; which source feeds which optimizer is configuration (:mod:`.descent`). All share the
learning-rate schedule ``eta_t = eta_0 exp(-decay t)``, t = 0 at the first update (``decay = 0``: constant).

- ``sgd``: ``x <- x - eta_t g``;
- ``clipped_sgd``: SGD on ``g min(1, c / ||g||)`` with ``||g||`` the global norm over all parameter arrays
  (Pascanu et al. 2013);
- ``adam`` (Kingma & Ba 2015): ``m <- b1 m + (1-b1) g``, ``s <- b2 s + (1-b2) g^2``,
  ``x <- x - eta_t m_hat / (sqrt(s_hat + eps_root) + eps)`` with ``m_hat = m / (1 - b1^t)``,
  ``s_hat = s / (1 - b2^t)``, eps_root = 0;
- ``adabelief`` (Zhuang et al. 2020): as Adam but ``s <- b2 s + (1-b2) (g - m)^2 + eps_root`` (eps_root is
  stored in the state, as optax 0.2.8 does) and ``x <- x - eta_t m_hat / (sqrt(s_hat) + eps)``.

The formulas, and where eps and eps_root enter, are optax 0.2.8's (``optax.sgd``, ``clip_by_global_norm``,
``optax.adam``, ``optax.adabelief`` with ``optax.exponential_decay``): the JAX implementation *is* optax and
the PyTorch implementation mirrors it operation by operation, so the two agree to float32 rounding.

``eps``: ``None`` (the default) means optax's default of the chosen optimizer: 1e-8 for Adam (eps_root 0),
1e-16 for AdaBelief (eps_root 1e-16, optax's default; the AdaBelief paper uses eps 1e-8, eps_root 0). An
explicit ``eps`` is used as given; eps_root is not configurable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import ModuleType
from typing import Literal, Protocol

import numpy as np

from implementations.contracts._common import EPS32, require

ROLE = "method"

OptimizerName = Literal["sgd", "clipped_sgd", "adam", "adabelief"]
OPTIMIZERS: tuple[str, ...] = ("sgd", "clipped_sgd", "adam", "adabelief")

_DEFAULT_EPS = {"adam": (1e-8, 0.0), "adabelief": (1e-16, 1e-16)}


@dataclass(frozen=True)
class OptimizerConfig:
    """An optimizer and its hyperparameters (``b1``, ``b2``, ``eps`` are read by adam / adabelief only,
    ``clip_norm`` by clipped_sgd only)."""

    name: OptimizerName = "sgd"
    learning_rate: float = 0.01
    decay: float = 0.0
    clip_norm: float = 1.0
    b1: float = 0.9
    b2: float = 0.999
    eps: float | None = None

    def __post_init__(self) -> None:
        if self.name not in OPTIMIZERS:
            raise ValueError(f"name={self.name!r}; valid: {', '.join(OPTIMIZERS)}")
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate={self.learning_rate}; must be > 0")
        if not self.decay >= 0:
            raise ValueError(f"decay={self.decay}; must be >= 0")
        if not self.clip_norm > 0:
            raise ValueError(f"clip_norm={self.clip_norm}; must be > 0")
        for field_name in ("b1", "b2"):
            if not 0 <= getattr(self, field_name) < 1:
                raise ValueError(f"{field_name}={getattr(self, field_name)}; must be in [0, 1)")
        if self.eps is not None and not self.eps >= 0:
            raise ValueError(f"eps={self.eps}; must be >= 0 (or None for the optimizer's default)")

    @property
    def decay_rate(self) -> float:
        """Per-step factor of the schedule: ``eta_{t+1} / eta_t = exp(-decay)``."""
        return math.exp(-self.decay)

    def epsilons(self) -> tuple[float, float]:
        """(eps, eps_root) of adam / adabelief, resolving ``eps=None`` to optax's default (see the module)."""
        eps, eps_root = _DEFAULT_EPS.get(self.name, (0.0, 0.0))
        return (eps if self.eps is None else self.eps), eps_root


class OptimizerMethod(Protocol):
    """The NumPy-facing function of ``implementations/<framework>/optimizers.py``."""

    def apply_gradient_sequence(self, config: OptimizerConfig, theta0: np.ndarray, gradients: np.ndarray) -> np.ndarray:
        """Feed gradients [T, n] in order from theta0 [n]; the trajectory [T+1, n] float32 (row 0 = theta0)."""
        ...


PROTOCOL = OptimizerMethod


def sample_configs() -> list[OptimizerConfig]:
    """One configuration per optimizer, with a decaying schedule and (for clipped_sgd) clipping that binds on
    some steps only."""
    return [
        OptimizerConfig("sgd", 0.05, decay=0.1),
        OptimizerConfig("clipped_sgd", 0.05, decay=0.1, clip_norm=4.0),
        OptimizerConfig("adam", 0.05, decay=0.1),
        OptimizerConfig("adabelief", 0.05, decay=0.1),
    ]


def _gradient_sequence(steps: int = 20, dim: int = 17) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    scales = rng.uniform(0.2, 1.5, steps)[:, None]  # global norms from ~1 to ~6: clipping at 4 binds sometimes
    return rng.standard_normal(dim).astype(np.float32), (scales * rng.standard_normal((steps, dim))).astype(np.float32)


def trajectory_tolerance(config: OptimizerConfig, trajectory: np.ndarray) -> float:
    """Allowed |difference| between two float32 trajectories of T steps.

    Each update is a handful of float32 operations (moments, bias corrections, sqrt, divide, schedule), each
    off by <= eps relative, so an update of size <= eta_0 / (1 - b1) (Adam's step is at most about eta_0 per
    unit of |m_hat / sqrt(s_hat)|, and that ratio stays below a few for these gradients) is off by ~16 eps of
    its size; adding it to x rounds by eps |x|. Over T steps that is ``T (16 eps eta_0 r + 2 eps max|x|)``
    with r = 10 a generous bound on |m_hat / sqrt(s_hat)| and on |g|.
    """
    steps = len(trajectory) - 1
    return steps * (16 * EPS32 * config.learning_rate * 10 + 2 * EPS32 * float(np.abs(trajectory).max()))


def check_shapes_and_determinism(impl: ModuleType) -> None:
    """[T+1, n] float32 trajectory starting at theta0; the same inputs twice give identical arrays."""
    theta0, gradients = _gradient_sequence()
    for config in sample_configs():
        path = impl.apply_gradient_sequence(config, theta0, gradients)
        require(path.shape == (len(gradients) + 1, theta0.size), f"{config.name}: shape {path.shape}")
        require(path.dtype == np.float32, f"{config.name}: dtype {path.dtype}")
        np.testing.assert_array_equal(path[0], theta0)
        np.testing.assert_array_equal(path, impl.apply_gradient_sequence(config, theta0, gradients))


def check_trajectories_agree(impls: dict[str, ModuleType]) -> None:
    """The same gradients give the same trajectory in every framework (:func:`trajectory_tolerance`)."""
    theta0, gradients = _gradient_sequence()
    for config in sample_configs():
        paths = {name: impl.apply_gradient_sequence(config, theta0, gradients) for name, impl in impls.items()}
        first, *others = paths
        for other in others:
            np.testing.assert_allclose(
                paths[other],
                paths[first],
                rtol=0,
                atol=trajectory_tolerance(config, paths[first]),
                err_msg=f"{config.name}: {other} != {first}",
            )


SINGLE_CHECKS = (check_shapes_and_determinism,)
PARITY_CHECKS = (check_trajectories_agree,)
