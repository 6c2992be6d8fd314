"""JAX device selection, synchronisation, peak memory and library versions (contract:
:mod:`implementations.contracts.backend`).

The CPU thread count must be fixed before jax is first imported (XLA reads ``XLA_FLAGS`` once):
:func:`implementations.registry.load_backend` sets it, and :func:`configure` records it.
"""

from __future__ import annotations

import os
import platform

import jax
import jax.numpy as jnp
import numpy as np

from implementations.contracts.backend import process_peak_memory

NAME = "jax"

_state: dict[str, object] = {"device": None, "threads": None}


def configure(target: str, threads: int) -> None:
    """Select the device named by ``target`` ("cpu", "cuda", "cuda:N")."""
    if target == "cpu":
        dev = jax.devices("cpu")[0]
    else:
        index = int(target.split(":", 1)[1]) if ":" in target else 0
        try:
            gpus = jax.devices("gpu")
        except RuntimeError as err:
            raise RuntimeError(f"target={target!r} but JAX sees no GPU ({err}); valid here: cpu") from err
        if index >= len(gpus):
            raise RuntimeError(f"target={target!r} but JAX sees only {len(gpus)} GPU(s)")
        dev = gpus[index]
    jax.config.update("jax_default_device", dev)
    _state["device"] = dev
    _state["threads"] = threads


def device() -> jax.Device:
    """The configured device (the default CPU device until :func:`configure` runs)."""
    return _state["device"] or jax.devices("cpu")[0]


def device_name() -> str:
    """Human-readable name of the configured device."""
    dev = device()
    if dev.platform == "cpu":
        return f"cpu ({platform.machine()}, {_state['threads'] or os.cpu_count()} threads)"
    return f"cuda:{dev.id} ({dev.device_kind})"


def library_versions() -> dict[str, str]:
    """Versions of the libraries this implementation runs on."""
    import jaxlib
    import optax

    return {"jax": jax.__version__, "jaxlib": jaxlib.__version__, "optax": optax.__version__}


def synchronize() -> None:
    """Wait for work queued on the configured device: XLA runs a device's computations in order, so waiting
    for a trivial computation enqueued last waits for all of them."""
    jax.block_until_ready(jax.device_put(jnp.zeros(()), device()) + 0)


def reset_peak_memory() -> None:
    """A no-op: neither XLA's ``peak_bytes_in_use`` nor the process peak RSS can be reset (``memory_stats``
    says so in its ``source``)."""


def memory_stats() -> dict[str, int | str]:
    """``{"peak_bytes", "source"}``: the device allocator's peak on a GPU, the process peak RSS on the CPU."""
    stats = device().memory_stats() if device().platform != "cpu" else None
    if stats and "peak_bytes_in_use" in stats:
        return {
            "peak_bytes": int(stats["peak_bytes_in_use"]),
            "source": "jax device.memory_stats()['peak_bytes_in_use'] (since process start; cannot be reset)",
        }
    return process_peak_memory()


def from_numpy(array: np.ndarray) -> jax.Array:
    """A NumPy array on the configured device (float arrays become float32)."""
    arr = np.asarray(array)
    if np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float32)
    return jax.device_put(jnp.asarray(arr), device())


def to_numpy(array: jax.Array) -> np.ndarray:
    """Copy an array back to host memory (waits for it)."""
    return np.asarray(jax.device_get(array))


def make_rng(seed: int) -> jax.Array:
    """A native JAX PRNG key from an integer seed."""
    return jax.random.key(int(seed))
