"""Contract of a framework backend: ``implementations/<framework>/backend.py``.

A backend selects the device (``configure``), names it, reports library versions, waits for queued device
work (``synchronize``, needed before reading a clock) and measures peak memory. ``memory_stats`` returns
``{"peak_bytes": int, "source": str}`` where ``source`` names the mechanism, because the numbers are not
comparable across mechanisms:

- CUDA (PyTorch): ``torch.cuda.max_memory_allocated`` since the last ``reset_peak_memory``;
- GPU (JAX): ``device.memory_stats()['peak_bytes_in_use']``;
- CPU (both): the process peak resident set size from ``resource.getrusage``, which includes everything the
  process ever held (the other framework, the interpreter) and cannot be reset.
"""

from __future__ import annotations

import resource
import sys
from types import ModuleType
from typing import Protocol

from implementations.contracts._common import require

ROLE = "backend"

CPU_PEAK_SOURCE = "process peak RSS (resource.getrusage(RUSAGE_SELF).ru_maxrss; cannot be reset)"


class Backend(Protocol):
    """What every ``implementations/<framework>/backend.py`` exports."""

    NAME: str

    def configure(self, target: str, threads: int) -> None:
        """Select the device named by ``target`` ("cpu", "cuda", "cuda:N"); raise if it is unavailable."""
        ...

    def device_name(self) -> str:
        """Human-readable name of the configured device."""
        ...

    def library_versions(self) -> dict[str, str]:
        """Versions of the libraries the implementation runs on."""
        ...

    def synchronize(self) -> None:
        """Wait for queued device work."""
        ...

    def reset_peak_memory(self) -> None:
        """Restart peak-memory tracking where the mechanism allows it (a no-op otherwise)."""
        ...

    def memory_stats(self) -> dict[str, int | str]:
        """``{"peak_bytes": int, "source": str}``."""
        ...


PROTOCOL = Backend


def process_peak_memory() -> dict[str, int | str]:
    """The CPU fallback of ``memory_stats``: the process peak RSS in bytes (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"peak_bytes": int(peak if sys.platform == "darwin" else peak * 1024), "source": CPU_PEAK_SOURCE}


def check_reports(impl: ModuleType) -> None:
    """NAME matches the package, names and versions are strings, memory stats have the documented keys."""
    require(impl.NAME == impl.__name__.split(".")[-2], f"NAME {impl.NAME!r} != package of {impl.__name__}")
    require(isinstance(impl.device_name(), str) and impl.device_name() != "", "device_name() must be a str")
    versions = impl.library_versions()
    require(all(isinstance(k, str) and isinstance(v, str) for k, v in versions.items()), f"versions {versions}")
    impl.synchronize()
    impl.reset_peak_memory()
    stats = impl.memory_stats()
    require(set(stats) == {"peak_bytes", "source"}, f"memory_stats keys {sorted(stats)}")
    require(isinstance(stats["peak_bytes"], int) and stats["peak_bytes"] > 0, f"peak_bytes {stats['peak_bytes']}")
    require(isinstance(stats["source"], str) and stats["source"] != "", f"source {stats['source']!r}")


SINGLE_CHECKS = (check_reports,)
PARITY_CHECKS = ()
