"""The framework registry: a framework name -> its ``implementations/<name>/api.py`` module.

``benchmarks/`` talks to PyTorch and JAX only through these modules (NumPy in, NumPy out), which share
function names and signatures (the :class:`FrameworkAPI` protocol). A new framework is one new folder
under ``implementations/`` plus one line in :data:`FRAMEWORKS`.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import Protocol

import numpy as np

from implementations.specs import ObjectiveSpec

FRAMEWORKS: dict[str, str] = {
    "pytorch": "implementations.pytorch.api",
    "jax": "implementations.jax.api",
}


class FrameworkAPI(Protocol):
    """What every ``implementations/<framework>/api.py`` provides."""

    NAME: str

    def configure(self, target: str, threads: int) -> None: ...
    def device_name(self) -> str: ...
    def library_versions(self) -> dict[str, str]: ...
    def objective_value(self, spec: ObjectiveSpec, theta: np.ndarray) -> float: ...
    def gradient(self, spec: ObjectiveSpec, theta: np.ndarray) -> np.ndarray: ...
    def directional_derivatives(
        self,
        spec: ObjectiveSpec,
        theta: np.ndarray,
        tangents: np.ndarray,
        method: str = ...,
        epsilon: float = ...,
    ) -> np.ndarray: ...
    def forward_gradient_from_tangents(
        self,
        spec: ObjectiveSpec,
        theta: np.ndarray,
        tangents: np.ndarray,
        method: str = ...,
        epsilon: float = ...,
    ) -> np.ndarray: ...
    def sample_tangents(self, seed: int, distribution: str, count: int, dim: int) -> np.ndarray: ...
    def forward_gradient_samples(
        self,
        spec: ObjectiveSpec,
        theta: np.ndarray,
        seed: int,
        distribution: str,
        count: int,
        method: str = ...,
        epsilon: float = ...,
        chunk: int = ...,
    ) -> np.ndarray: ...
    def projected_gradient_samples(
        self, spec: ObjectiveSpec, theta: np.ndarray, seed: int, distribution: str, k: int, repeats: int
    ) -> np.ndarray: ...
    def fgd_iterations(
        self,
        spec: ObjectiveSpec,
        starts: np.ndarray,
        seed: int,
        distribution: str,
        lr: float,
        max_iterations: int,
        tolerance: float,
    ) -> np.ndarray: ...
    def step_functions(
        self, layers: tuple[int, ...], batch: int, seed: int, distribution: str
    ) -> dict[str, Callable[[], None]]: ...


def set_thread_environment(threads: int) -> None:
    """Fix CPU parallelism before a framework is imported.

    XLA has no flag for an exact intra-op thread count, so the process is pinned to ``threads`` cores
    (which bounds every thread pool, PyTorch's and XLA's alike); ``threads == 1`` also turns off XLA's
    multi-threaded Eigen kernels. PyTorch's own count is set in its ``configure``.
    """
    available = sorted(os.sched_getaffinity(0))
    if threads < len(available):
        os.sched_setaffinity(0, available[:threads])
    if threads == 1 and "xla_cpu_multi_thread_eigen" not in os.environ.get("XLA_FLAGS", ""):
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=false").strip()


def load_framework(name: str, target: str = "cpu", threads: int = 1) -> FrameworkAPI:
    """Import, configure and return the API module of framework ``name``."""
    if name not in FRAMEWORKS:
        raise ValueError(f"unknown framework {name!r}; valid: {', '.join(FRAMEWORKS)}")
    set_thread_environment(threads)
    module = importlib.import_module(FRAMEWORKS[name])
    module.configure(target, threads)
    return module  # type: ignore[return-value]
