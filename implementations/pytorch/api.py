"""The PyTorch side of the framework protocol: NumPy in, NumPy out.

``benchmarks/`` never imports torch; it calls these functions (the JAX twin is
``implementations/jax/api.py``, same names and signatures). Tangents are drawn with PyTorch's own
generator from an integer seed, except where a function takes them explicitly (parity mode).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from implementations.specs import ObjectiveSpec

from . import backend, fgd, forward_gradient, mlp_steps
from .objectives import build_objective
from .tangents import sample_tangents as _sample

NAME = "pytorch"
configure = backend.configure
device_name = backend.device_name
library_versions = backend.library_versions


def objective_value(spec: ObjectiveSpec, theta: np.ndarray) -> float:
    """f(theta)."""
    with torch.no_grad():
        return float(build_objective(spec)(backend.as_tensor(theta)))


def gradient(spec: ObjectiveSpec, theta: np.ndarray) -> np.ndarray:
    """Backprop reference gradient."""
    return backend.to_numpy(forward_gradient.backprop_gradient(build_objective(spec), backend.as_tensor(theta)))


def directional_derivatives(
    spec: ObjectiveSpec, theta: np.ndarray, tangents: np.ndarray, method: str = "jvp", epsilon: float = 1e-3
) -> np.ndarray:
    """grad f . v for each given tangent row (parity mode)."""
    f, x = build_objective(spec), backend.as_tensor(theta)
    with torch.no_grad():
        dd = forward_gradient.directional_derivatives(f, x, backend.as_tensor(tangents), method, epsilon)
    return backend.to_numpy(dd)


def forward_gradient_from_tangents(
    spec: ObjectiveSpec, theta: np.ndarray, tangents: np.ndarray, method: str = "jvp", epsilon: float = 1e-3
) -> np.ndarray:
    """The K-tangent forward gradient for the given tangents (parity mode)."""
    f, x = build_objective(spec), backend.as_tensor(theta)
    with torch.no_grad():
        g = forward_gradient.forward_gradient(f, x, backend.as_tensor(tangents), method, epsilon)
    return backend.to_numpy(g)


def sample_tangents(seed: int, distribution: str, count: int, dim: int) -> np.ndarray:
    """``count`` tangents from PyTorch's native generator."""
    return backend.to_numpy(_sample(backend.generator(seed), distribution, (count, dim), backend.device()))


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
    f, x, gen = build_objective(spec), backend.as_tensor(theta), backend.generator(seed)
    out = []
    with torch.no_grad():
        for start in range(0, count, chunk):
            v = _sample(gen, distribution, (min(chunk, count - start), spec.dim), backend.device())
            out.append(backend.to_numpy(forward_gradient.single_tangent_estimates(f, x, v, method, epsilon)))
    return np.concatenate(out)


def projected_gradient_samples(
    spec: ObjectiveSpec, theta: np.ndarray, seed: int, distribution: str, k: int, repeats: int
) -> np.ndarray:
    """``repeats`` projections of grad f onto the span of K fresh tangents, shape [repeats, n]."""
    f, x, gen = build_objective(spec), backend.as_tensor(theta), backend.generator(seed)
    with torch.no_grad():
        rows = [
            forward_gradient.projected_gradient(f, x, _sample(gen, distribution, (k, spec.dim), backend.device()))
            for _ in range(repeats)
        ]
    return backend.to_numpy(torch.stack(rows))


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
    with torch.no_grad():
        hits = fgd.iterations_to_tolerance(
            build_objective(spec),
            backend.as_tensor(starts),
            backend.generator(seed),
            distribution,
            lr,
            max_iterations,
            tolerance,
        )
    return backend.to_numpy(hits)


def step_functions(layers: tuple[int, ...], batch: int, seed: int, distribution: str) -> dict[str, Callable[[], None]]:
    """One-step callables (fg_step, jvp_only, bp_step, forward_only), each synchronised."""
    return mlp_steps.step_functions(layers, batch, seed, distribution)
