"""JAX device selection, synchronisation and library versions.

The CPU thread count must be fixed before jax is first imported (XLA reads ``XLA_FLAGS`` once);
``benchmarks/frameworks.py`` sets it from ``params.yaml``'s ``threads``, and :func:`configure` records it.
"""

from __future__ import annotations

import os
import platform

import jax
import jax.numpy as jnp
import numpy as np

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

    return {"jax": jax.__version__, "jaxlib": jaxlib.__version__}


def as_array(array: np.ndarray) -> jax.Array:
    """A NumPy array on the configured device (float arrays become float32)."""
    arr = np.asarray(array)
    if np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float32)
    return jax.device_put(jnp.asarray(arr), device())


def to_numpy(array: jax.Array) -> np.ndarray:
    """Copy an array back to host memory (waits for it)."""
    return np.asarray(jax.device_get(array))


def key(seed: int) -> jax.Array:
    """A native JAX PRNG key from an integer seed."""
    return jax.random.key(int(seed))
