"""Where a framework's backend and method modules are: ``implementations.<framework>.<method>``.

``benchmarks/`` reaches PyTorch and JAX only through :func:`load_backend` and :func:`load_method` (NumPy in,
NumPy out). A new framework is one folder under ``implementations/`` mirroring the others plus one entry in
:data:`FRAMEWORKS`; a new method is a contract in ``implementations/contracts/`` plus one module per
framework.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

from implementations.contracts import METHODS

FRAMEWORKS: tuple[str, ...] = ("pytorch", "jax")


def _check_framework(framework: str) -> None:
    if framework not in FRAMEWORKS:
        raise ValueError(f"unknown framework {framework!r}; valid: {', '.join(FRAMEWORKS)}")


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


def load_backend(framework: str, target: str = "cpu", threads: int = 1) -> ModuleType:
    """Set the CPU thread environment, then import, configure and return ``implementations.<framework>.backend``.

    Call it before :func:`load_method` (the thread environment only takes effect before the framework's
    first import).
    """
    _check_framework(framework)
    set_thread_environment(threads)
    backend = importlib.import_module(f"implementations.{framework}.backend")
    backend.configure(target, threads)
    return backend


def load_method(method: str, framework: str) -> ModuleType:
    """The module ``implementations.<framework>.<method>`` (see ``implementations.contracts.METHODS``)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; valid: {', '.join(METHODS)}")
    _check_framework(framework)
    return importlib.import_module(f"implementations.{framework}.{method}")
