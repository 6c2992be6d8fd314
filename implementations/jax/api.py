"""The JAX side of the framework protocol: NumPy in, NumPy out.

``benchmarks/`` never imports jax; it calls these functions (the PyTorch twin is
``implementations/pytorch/api.py``, same names and signatures). Tangents are drawn with JAX's own
counter-based PRNG from an integer seed, inside the compiled function, except where a function takes them
explicitly (parity mode).
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import numpy as np

from implementations.specs import ObjectiveSpec

from . import backend, fgd, forward_gradient, mlp_steps
from .objectives import build_objective
from .tangents import sample_tangents as _sample

NAME = "jax"
configure = backend.configure
device_name = backend.device_name
library_versions = backend.library_versions


def objective_value(spec: ObjectiveSpec, theta: np.ndarray) -> float:
    """f(theta)."""
    return float(build_objective(spec)(backend.as_array(theta)))


def gradient(spec: ObjectiveSpec, theta: np.ndarray) -> np.ndarray:
    """Backprop reference gradient."""
    return backend.to_numpy(forward_gradient.backprop_gradient(build_objective(spec), backend.as_array(theta)))


def directional_derivatives(
    spec: ObjectiveSpec, theta: np.ndarray, tangents: np.ndarray, method: str = "jvp", epsilon: float = 1e-3
) -> np.ndarray:
    """grad f . v for each given tangent row (parity mode)."""
    f, x = build_objective(spec), backend.as_array(theta)
    return backend.to_numpy(forward_gradient.directional_derivatives(f, x, backend.as_array(tangents), method, epsilon))


def forward_gradient_from_tangents(
    spec: ObjectiveSpec, theta: np.ndarray, tangents: np.ndarray, method: str = "jvp", epsilon: float = 1e-3
) -> np.ndarray:
    """The K-tangent forward gradient for the given tangents (parity mode)."""
    f, x = build_objective(spec), backend.as_array(theta)
    return backend.to_numpy(forward_gradient.forward_gradient(f, x, backend.as_array(tangents), method, epsilon))


def sample_tangents(seed: int, distribution: str, count: int, dim: int) -> np.ndarray:
    """``count`` tangents from JAX's native PRNG."""
    return backend.to_numpy(_sample(backend.key(seed), distribution, (count, dim)))


def forward_gradient_samples(
    spec: ObjectiveSpec,
    theta: np.ndarray,
    seed: int,
    distribution: str,
    count: int,
    method: str = "jvp",
    epsilon: float = 1e-3,
    chunk: int = 512,
) -> np.ndarray:
    """``count`` independent single-tangent forward gradients, shape [count, n]."""
    f, x = build_objective(spec), backend.as_array(theta)

    def estimates(k: jax.Array, size: int) -> jax.Array:
        v = _sample(k, distribution, (size, spec.dim))
        return forward_gradient.single_tangent_estimates(f, x, v, method, epsilon)

    compiled = jax.jit(estimates, static_argnums=1)
    sizes = [min(chunk, count - start) for start in range(0, count, chunk)]
    keys = jax.random.split(backend.key(seed), len(sizes))
    return np.concatenate([backend.to_numpy(compiled(k, size)) for k, size in zip(keys, sizes, strict=True)])


def projected_gradient_samples(
    spec: ObjectiveSpec, theta: np.ndarray, seed: int, distribution: str, k: int, repeats: int
) -> np.ndarray:
    """``repeats`` projections of grad f onto the span of K fresh tangents, shape [repeats, n]."""
    f, x = build_objective(spec), backend.as_array(theta)

    def one(key: jax.Array) -> jax.Array:
        return forward_gradient.projected_gradient(f, x, _sample(key, distribution, (k, spec.dim)))

    keys = jax.random.split(backend.key(seed), repeats)
    return backend.to_numpy(jax.jit(jax.vmap(one))(keys))


def fgd_iterations(
    spec: ObjectiveSpec,
    starts: np.ndarray,
    seed: int,
    distribution: str,
    lr: float,
    max_iterations: int,
    tolerance: float,
) -> np.ndarray:
    """Iterations of forward-gradient descent to reach ``tolerance * f(start)`` per start (-1: not reached)."""
    hits = fgd.iterations_to_tolerance(
        build_objective(spec),
        backend.as_array(starts),
        backend.key(seed),
        distribution,
        lr,
        max_iterations,
        tolerance,
    )
    return backend.to_numpy(hits).astype(np.int64)


def step_functions(layers: tuple[int, ...], batch: int, seed: int, distribution: str) -> dict[str, Callable[[], None]]:
    """One-step callables (fg_step, jvp_only, bp_step, forward_only), each blocking until ready."""
    return mlp_steps.step_functions(layers, batch, seed, distribution)
