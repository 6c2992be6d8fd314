"""Gradient estimators in PyTorch: backprop, forward gradients, orthogonal projection onto K tangents.

Baydin et al. 2022 (arXiv 2202.08587): the forward gradient ``g = (grad f . v) v`` is unbiased when
E[v v^T] = I (Eq. 1-2, Thm. 1), and ``grad f . v`` costs one forward-mode JVP (Eq. 3,
``torch.func.jvp``); K tangents are averaged. The directional derivative may instead come from a finite
difference along v. The "projection" source is the orthogonal projection of grad f onto span(v_1..v_K),
``Q Q^T grad f`` with Q from a QR of the tangents (Flügel et al. 2024), from K JVPs along Q's columns.
Tangents: Belouze 2022 (arXiv 2209.06302) and :mod:`.tangents`. Contract:
:mod:`implementations.contracts.forward_gradient`.

(a) Pure functions in torch.func style on a tuple of parameter tensors (a flat vector is ``(theta,)``),
generators passed explicitly: :func:`draw` tangents, :func:`derivatives` along them, :func:`estimate` a
gradient from them. Tangents for K directions carry a leading axis K on every tensor.

(b) The NumPy-facing functions of the contract, at the bottom.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch

from implementations.contracts.forward_gradient import EstimatorConfig
from implementations.specs import ObjectiveSpec

from . import backend, tangents
from .objectives import Objective, Params, build_objective

Tangents = tuple[torch.Tensor, ...] | None
"""Like the parameters with a leading axis K on every tensor (None for backprop)."""
Stats = dict[str, torch.Tensor]

# ---------------------------------------------------------------------------------------------------------
# (a) pure functions


def draw(config: EstimatorConfig, params: Params, rng: torch.Generator, batch: tuple[int, ...] = ()) -> Tangents:
    """K = ``config.num_tangents`` tangents for ``params`` from the generator ``rng`` (leading axes
    ``(*batch, K)`` on every tensor; None when the source is backprop)."""
    if config.source == "backprop":
        return None
    return tangents.sample_like(rng, config.distribution, params, (*batch, config.num_tangents))


def _shift(params: Params, direction: Params, step: float) -> Params:
    return tuple(p + step * v for p, v in zip(params, direction, strict=True))


def derivatives(
    objective: Objective, params: Params, directions: Params, derivative: str = "jvp", epsilon: float = 1e-3
) -> tuple[torch.Tensor, torch.Tensor]:
    """(f(params), [K] directional derivatives ``grad f . v_k``) by JVP or finite difference."""
    k = directions[0].shape[0]
    if derivative == "jvp":
        dtype = params[0].dtype

        def one(v: Params) -> tuple[torch.Tensor, torch.Tensor]:
            value, dd = torch.func.jvp(lambda *ps: objective(ps), params, v)
            # torch 2.13's forward mode returns float64 tangents for `python_float * tensor`; keep the dtype
            return value, dd.to(dtype)

        if k == 1:
            value, dd = one(tuple(v[0] for v in directions))
            return value, dd[None]
        values, dd = torch.func.vmap(one)(directions)
        return values[0], dd
    value = objective(params)
    plus = torch.func.vmap(lambda v: objective(_shift(params, v, epsilon)))(directions)
    if derivative == "fd_forward":
        return value, (plus - value) / epsilon
    if derivative == "fd_central":
        minus = torch.func.vmap(lambda v: objective(_shift(params, v, -epsilon)))(directions)
        return value, (plus - minus) / (2.0 * epsilon)
    raise ValueError(f"derivative={derivative!r}; valid: jvp, fd_forward, fd_central")


def _to_rows(stacked: Params) -> torch.Tensor:
    """[K, n]: the K directions, each flattened over all tensors."""
    return torch.cat([v.reshape(v.shape[0], -1) for v in stacked], dim=1)


def _from_rows(rows: torch.Tensor, params: Params) -> Params:
    """Inverse of :func:`_to_rows`: [m, n] -> tensors shaped like ``params`` with a leading axis m."""
    parts = rows.split([p.numel() for p in params], dim=1)
    return tuple(part.reshape(rows.shape[0], *p.shape) for part, p in zip(parts, params, strict=True))


def estimate(
    config: EstimatorConfig, objective: Objective, params: Params, directions: Tangents
) -> tuple[Params, Stats]:
    """(gradient estimate shaped like ``params``, stats {"loss", "directional_derivatives"}) from the tangents
    ``directions`` (ignored for backprop)."""
    if config.source == "backprop":
        grads, value = torch.func.grad_and_value(objective)(params)
        return grads, {"loss": value}
    if config.source == "projection":
        basis, _ = torch.linalg.qr(_to_rows(directions).T)
        value, dd = derivatives(objective, params, _from_rows(basis.T, params), config.derivative, config.epsilon)
        grads = tuple(g[0] for g in _from_rows((basis @ dd)[None], params))
        return grads, {"loss": value, "directional_derivatives": dd}
    value, dd = derivatives(objective, params, directions, config.derivative, config.epsilon)
    k = dd.shape[0]
    if k == 1:
        grads = tuple(dd[0] * v[0] for v in directions)
    else:
        grads = tuple(torch.tensordot(dd, v, dims=1) / k for v in directions)
    return grads, {"loss": value, "directional_derivatives": dd}


# ---------------------------------------------------------------------------------------------------------
# (b) NumPy-facing functions (contract: implementations.contracts.forward_gradient.ForwardGradientMethod)

_SAMPLE_BUDGET = 1 << 22  # floats of tangents per chunk of aggregated_samples (16 MiB)


def _one_leaf(theta: np.ndarray) -> Params:
    return (backend.from_numpy(theta),)


def gradient(spec: ObjectiveSpec, theta: np.ndarray) -> np.ndarray:
    """The exact gradient by reverse mode, [n] float32."""
    grads, _ = estimate(EstimatorConfig("backprop"), build_objective(spec), _one_leaf(theta), None)
    return backend.to_numpy(grads[0])


@torch.no_grad()
def objective_value(spec: ObjectiveSpec, theta: np.ndarray) -> float:
    """f(theta)."""
    return float(build_objective(spec)(_one_leaf(theta)))


def sample_tangents(seed: int, distribution: str, count: int, dim: int) -> np.ndarray:
    """``count`` tangents from PyTorch's native generator, [count, dim] float32."""
    return backend.to_numpy(tangents.sample_tangents(backend.make_rng(seed), distribution, (count, dim)))


@torch.no_grad()
def directional_derivatives(
    spec: ObjectiveSpec, theta: np.ndarray, tangents: np.ndarray, derivative: str = "jvp", epsilon: float = 1e-3
) -> np.ndarray:
    """``grad f . v`` for each given tangent row (parity mode), [K] float32."""
    _, dd = derivatives(build_objective(spec), _one_leaf(theta), _one_leaf(tangents), derivative, epsilon)
    return backend.to_numpy(dd)


@torch.no_grad()
def estimate_from_tangents(
    spec: ObjectiveSpec, theta: np.ndarray, tangents: np.ndarray, estimator: EstimatorConfig
) -> np.ndarray:
    """The estimate of ``estimator.source`` from the given [K, n] tangents (parity mode), [n] float32."""
    grads, _ = estimate(estimator, build_objective(spec), _one_leaf(theta), _one_leaf(tangents))
    return backend.to_numpy(grads[0])


@torch.no_grad()
def iter_single_tangent_samples(
    spec: ObjectiveSpec,
    theta: np.ndarray,
    seed: int,
    distribution: str,
    count: int,
    chunk: int = 4096,
    derivative: str = "jvp",
    epsilon: float = 1e-3,
) -> Iterator[np.ndarray]:
    """``count`` single-tangent forward gradients ``(grad f . v) v`` in consecutive [<= chunk, n] arrays
    (one generator seeded with ``seed`` draws the chunks in order)."""
    objective, params, gen = build_objective(spec), _one_leaf(theta), backend.make_rng(seed)
    single = EstimatorConfig("forward", distribution, 1, derivative, epsilon)

    def one(v: torch.Tensor) -> torch.Tensor:
        return estimate(single, objective, params, (v[None],))[0][0]

    for start in range(0, count, chunk):
        (v,) = tangents.sample_like(gen, distribution, params, (min(chunk, count - start),))
        yield backend.to_numpy(torch.func.vmap(one)(v))


@torch.no_grad()
def aggregated_samples(
    spec: ObjectiveSpec, theta: np.ndarray, seed: int, estimator: EstimatorConfig, repeats: int
) -> np.ndarray:
    """``repeats`` independent K-tangent estimates, [repeats, n] float32, in chunks of at most ~2^22 tangent
    floats (one generator seeded with ``seed`` draws them in order)."""
    objective, params, gen = build_objective(spec), _one_leaf(theta), backend.make_rng(seed)
    if estimator.source == "backprop":
        return np.repeat(gradient(spec, theta)[None], repeats, axis=0)
    size = max(1, _SAMPLE_BUDGET // (estimator.num_tangents * spec.dim))

    def one(directions: Params) -> torch.Tensor:
        return estimate(estimator, objective, params, directions)[0][0]

    out = [np.zeros((0, spec.dim), np.float32)]
    for start in range(0, repeats, size):
        directions = draw(estimator, params, gen, (min(size, repeats - start),))
        out.append(backend.to_numpy(torch.func.vmap(one)(directions)))
    return np.concatenate(out)
