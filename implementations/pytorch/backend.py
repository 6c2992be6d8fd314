"""PyTorch device selection, thread count, synchronisation, peak memory and library versions (contract:
:mod:`implementations.contracts.backend`)."""

from __future__ import annotations

import platform

import numpy as np
import torch

from implementations.contracts.backend import process_peak_memory

NAME = "pytorch"

_state: dict[str, torch.device] = {"device": torch.device("cpu")}


def configure(target: str, threads: int) -> None:
    """Select the device named by ``target`` ("cpu", "cuda", "cuda:N") and fix the CPU thread count."""
    torch.set_num_threads(threads)
    device = torch.device(target)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise RuntimeError(f"target={target!r} but this PyTorch build sees no CUDA device; valid here: cpu")
        index = device.index or 0
        if index >= torch.cuda.device_count():
            raise RuntimeError(f"target={target!r} but only {torch.cuda.device_count()} CUDA device(s) exist")
    _state["device"] = device


def device() -> torch.device:
    """The configured device."""
    return _state["device"]


def device_name() -> str:
    """Human-readable name of the configured device (GPU model or CPU architecture + threads)."""
    dev = device()
    if dev.type == "cuda":
        return f"{dev} ({torch.cuda.get_device_name(dev)})"
    return f"cpu ({platform.machine()}, {torch.get_num_threads()} threads)"


def synchronize() -> None:
    """Wait for queued device work (needed before reading a clock)."""
    if device().type == "cuda":
        torch.cuda.synchronize(device())


def reset_peak_memory() -> None:
    """Restart CUDA peak tracking; on the CPU a no-op (the process peak RSS cannot be reset)."""
    if device().type == "cuda":
        torch.cuda.reset_peak_memory_stats(device())


def memory_stats() -> dict[str, int | str]:
    """``{"peak_bytes", "source"}``: CUDA's allocator peak since :func:`reset_peak_memory`, or on the CPU the
    process peak RSS."""
    if device().type == "cuda":
        return {
            "peak_bytes": int(torch.cuda.max_memory_allocated(device())),
            "source": "torch.cuda.max_memory_allocated (since reset_peak_memory)",
        }
    return process_peak_memory()


def library_versions() -> dict[str, str]:
    """Versions of the libraries this implementation runs on."""
    versions = {"torch": torch.__version__}
    if torch.version.cuda:
        versions["cuda"] = torch.version.cuda
    return versions


def from_numpy(array: np.ndarray) -> torch.Tensor:
    """A NumPy array on the configured device (float arrays become float32)."""
    tensor = torch.as_tensor(np.asarray(array))
    if tensor.is_floating_point():
        tensor = tensor.to(torch.float32)
    return tensor.to(device())


def to_numpy(array: torch.Tensor) -> np.ndarray:
    """Copy a tensor back to host memory."""
    return array.detach().cpu().numpy()


def make_rng(seed: int) -> torch.Generator:
    """A native PyTorch generator on the configured device, seeded with ``seed``."""
    gen = torch.Generator(device=device())
    gen.manual_seed(int(seed))
    return gen
