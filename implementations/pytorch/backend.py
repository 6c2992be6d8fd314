"""PyTorch device selection, thread count, synchronisation and library versions."""

from __future__ import annotations

import platform

import numpy as np
import torch

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


def library_versions() -> dict[str, str]:
    """Versions of the libraries this implementation runs on."""
    versions = {"torch": torch.__version__}
    if torch.version.cuda:
        versions["cuda"] = torch.version.cuda
    return versions


def as_tensor(array: np.ndarray) -> torch.Tensor:
    """A NumPy array on the configured device (float arrays become float32)."""
    tensor = torch.as_tensor(np.asarray(array))
    if tensor.is_floating_point():
        tensor = tensor.to(torch.float32)
    return tensor.to(device())


def to_numpy(tensor: torch.Tensor) -> np.ndarray:
    """Copy a tensor back to host memory."""
    return tensor.detach().cpu().numpy()


def generator(seed: int) -> torch.Generator:
    """A native PyTorch generator on the configured device, seeded with ``seed``."""
    gen = torch.Generator(device=device())
    gen.manual_seed(int(seed))
    return gen
