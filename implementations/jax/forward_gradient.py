"""Gradient estimators in JAX: backprop, forward gradients, orthogonal projection onto K tangents.

Baydin et al. 2022 (arXiv 2202.08587): the forward gradient ``g = (grad f . v) v`` is unbiased when
E[v v^T] = I (Eq. 1-2, Thm. 1), and ``grad f . v`` costs one forward-mode JVP (Eq. 3, ``jax.jvp``); K
tangents are averaged. The directional derivative may instead come from a finite difference along v. The
"projection" source is the orthogonal projection of grad f onto span(v_1..v_K), ``Q Q^T grad f`` with Q
from a QR of the tangents (Flügel et al. 2024), from K JVPs along Q's columns. Tangents: Belouze 2022
(arXiv 2209.06302) and :mod:`.tangents`. Contract: :mod:`implementations.contracts.forward_gradient`.

(a) Pure functions on pytrees (a flat vector is a one-leaf pytree), keys passed explicitly:
:func:`draw` tangents, :func:`derivatives` along them, :func:`estimate` a gradient from them. Tangents for
K directions carry a leading axis K on every leaf.

(b) The NumPy-facing functions of the contract, at the bottom; their compiled functions are built once per
(objective structure, settings) and take the objective's data as arguments.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from implementations.contracts.forward_gradient import EstimatorConfig
from implementations.specs import ObjectiveSpec

from . import backend, objectives, tangents
from .objectives import Objective, Params

Tangents = Any
"""A pytree like the parameters with a leading axis K on every leaf (or None for backprop)."""
Stats = dict[str, jax.Array]

# ---------------------------------------------------------------------------------------------------------
# (a) pure functions


def draw(config: EstimatorConfig, params: Params, rng: jax.Array, batch: tuple[int, ...] = ()) -> Tangents:
    """K = ``config.num_tangents`` tangents for ``params`` from the key ``rng`` (leading axes ``(*batch, K)``
    on every leaf; None when the source is backprop)."""
    if config.source == "backprop":
        return None
    return tangents.sample_like(rng, config.distribution, params, (*batch, config.num_tangents))


def _shift(params: Params, direction: Params, step: float) -> Params:
    return jax.tree.map(lambda p, v: p + step * v, params, direction)


def derivatives(
    objective: Objective, params: Params, directions: Tangents, derivative: str = "jvp", epsilon: float = 1e-3
) -> tuple[jax.Array, jax.Array]:
    """(f(params), [K] directional derivatives ``grad f . v_k``) by JVP or finite difference."""
    k = jax.tree.leaves(directions)[0].shape[0]
    if derivative == "jvp":
        if k == 1:
            value, dd = jax.jvp(objective, (params,), (jax.tree.map(lambda v: v[0], directions),))
            return value, dd[None]
        values, dd = jax.vmap(lambda v: jax.jvp(objective, (params,), (v,)))(directions)
        return values[0], dd
    value = objective(params)
    plus = jax.vmap(lambda v: objective(_shift(params, v, epsilon)))(directions)
    if derivative == "fd_forward":
        return value, (plus - value) / epsilon
    if derivative == "fd_central":
        minus = jax.vmap(lambda v: objective(_shift(params, v, -epsilon)))(directions)
        return value, (plus - minus) / (2.0 * epsilon)
    raise ValueError(f"derivative={derivative!r}; valid: jvp, fd_forward, fd_central")


def _to_rows(stacked: Tangents) -> jax.Array:
    """[K, n]: the K directions, each flattened over all leaves."""
    leaves = jax.tree.leaves(stacked)
    return jnp.concatenate([leaf.reshape(leaf.shape[0], -1) for leaf in leaves], axis=1)


def _from_rows(rows: jax.Array, params: Params) -> Tangents:
    """Inverse of :func:`_to_rows`: [m, n] -> the pytree of ``params`` with a leading axis m."""
    leaves, treedef = jax.tree.flatten(params)
    pieces = jnp.split(rows, np.cumsum([leaf.size for leaf in leaves])[:-1], axis=1)
    parts = [piece.reshape(rows.shape[0], *leaf.shape) for piece, leaf in zip(pieces, leaves, strict=True)]
    return jax.tree.unflatten(treedef, parts)


def estimate(
    config: EstimatorConfig, objective: Objective, params: Params, directions: Tangents
) -> tuple[Params, Stats]:
    """(gradient estimate shaped like ``params``, stats {"loss", "directional_derivatives"}) from the tangents
    ``directions`` (ignored for backprop)."""
    if config.source == "backprop":
        value, grads = jax.value_and_grad(objective)(params)
        return grads, {"loss": value}
    if config.source == "projection":
        basis, _ = jnp.linalg.qr(_to_rows(directions).T)
        value, dd = derivatives(objective, params, _from_rows(basis.T, params), config.derivative, config.epsilon)
        grads = jax.tree.map(lambda g: g[0], _from_rows((basis @ dd)[None], params))
        return grads, {"loss": value, "directional_derivatives": dd}
    value, dd = derivatives(objective, params, directions, config.derivative, config.epsilon)
    k = dd.shape[0]
    if k == 1:
        grads = jax.tree.map(lambda v: dd[0] * v[0], directions)
    else:
        grads = jax.tree.map(lambda v: jnp.tensordot(dd, v, axes=1) / k, directions)
    return grads, {"loss": value, "directional_derivatives": dd}


# ---------------------------------------------------------------------------------------------------------
# (b) NumPy-facing functions (contract: implementations.contracts.forward_gradient.ForwardGradientMethod)

_SAMPLE_BUDGET = 1 << 22  # floats of tangents per compiled chunk of aggregated_samples (16 MiB)


@functools.cache
def _compiled_value_and_grad(key: objectives.Structure) -> Callable:
    return jax.jit(jax.value_and_grad(objectives.flat_objective(key)))


@functools.cache
def _compiled_derivatives(key: objectives.Structure, derivative: str, epsilon: float) -> Callable:
    f = objectives.flat_objective(key)
    return jax.jit(lambda theta, v, data: derivatives(objectives.bind(f, data), theta, v, derivative, epsilon)[1])


@functools.cache
def _compiled_estimate(key: objectives.Structure, config: EstimatorConfig) -> Callable:
    f = objectives.flat_objective(key)
    return jax.jit(lambda theta, v, data: estimate(config, objectives.bind(f, data), theta, v)[0])


@functools.cache
def _compiled_singles(
    key: objectives.Structure, distribution: str, size: int, derivative: str, epsilon: float
) -> Callable:
    f = objectives.flat_objective(key)
    single = EstimatorConfig("forward", distribution, 1, derivative, epsilon)

    def rows(theta: jax.Array, chunk_key: jax.Array, data: tuple) -> jax.Array:
        v = tangents.sample_like(chunk_key, distribution, theta, (size,))
        return jax.vmap(lambda u: estimate(single, objectives.bind(f, data), theta, u[None])[0])(v)

    return jax.jit(rows)


@functools.cache
def _compiled_aggregates(key: objectives.Structure, config: EstimatorConfig, size: int) -> Callable:
    f = objectives.flat_objective(key)

    def rows(theta: jax.Array, chunk_key: jax.Array, data: tuple) -> jax.Array:
        def one(k: jax.Array) -> jax.Array:
            return estimate(config, objectives.bind(f, data), theta, draw(config, theta, k))[0]

        return jax.vmap(one)(jax.random.split(chunk_key, size))

    return jax.jit(rows)


_sample = jax.jit(tangents.sample_tangents, static_argnums=(1, 2))


def gradient(spec: ObjectiveSpec, theta: np.ndarray) -> np.ndarray:
    """The exact gradient by reverse mode, [n] float32."""
    _, grads = _compiled_value_and_grad(objectives.structure(spec))(
        backend.from_numpy(theta), objectives.objective_data(spec)
    )
    return backend.to_numpy(grads)


def objective_value(spec: ObjectiveSpec, theta: np.ndarray) -> float:
    """f(theta)."""
    value, _ = _compiled_value_and_grad(objectives.structure(spec))(
        backend.from_numpy(theta), objectives.objective_data(spec)
    )
    return float(value)


def sample_tangents(seed: int, distribution: str, count: int, dim: int) -> np.ndarray:
    """``count`` tangents from JAX's native PRNG, [count, dim] float32."""
    return backend.to_numpy(_sample(backend.make_rng(seed), distribution, (count, dim)))


def directional_derivatives(
    spec: ObjectiveSpec, theta: np.ndarray, tangents: np.ndarray, derivative: str = "jvp", epsilon: float = 1e-3
) -> np.ndarray:
    """``grad f . v`` for each given tangent row (parity mode), [K] float32."""
    compiled = _compiled_derivatives(objectives.structure(spec), derivative, float(epsilon))
    dd = compiled(backend.from_numpy(theta), backend.from_numpy(tangents), objectives.objective_data(spec))
    return backend.to_numpy(dd)


def estimate_from_tangents(
    spec: ObjectiveSpec, theta: np.ndarray, tangents: np.ndarray, estimator: EstimatorConfig
) -> np.ndarray:
    """The estimate of ``estimator.source`` from the given [K, n] tangents (parity mode), [n] float32."""
    # the tangents are given: their distribution and count are not part of the compiled function
    settings = dataclasses.replace(estimator, distribution="gaussian", num_tangents=1)
    compiled = _compiled_estimate(objectives.structure(spec), settings)
    g = compiled(backend.from_numpy(theta), backend.from_numpy(tangents), objectives.objective_data(spec))
    return backend.to_numpy(g)


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
    """``count`` single-tangent forward gradients ``(grad f . v) v`` in consecutive [<= chunk, n] arrays.

    Chunk i uses the key ``fold_in(make_rng(seed), i)``, so a longer run extends a shorter one; every chunk is
    computed at full size by one compiled function (the last one is cut), so there is one compilation.
    """
    size = max(1, min(chunk, count))
    compiled = _compiled_singles(objectives.structure(spec), distribution, size, derivative, float(epsilon))
    x, data, base = backend.from_numpy(theta), objectives.objective_data(spec), backend.make_rng(seed)
    for index, start in enumerate(range(0, count, size)):
        rows = backend.to_numpy(compiled(x, jax.random.fold_in(base, index), data))
        yield rows[: min(size, count - start)]


def aggregated_samples(
    spec: ObjectiveSpec, theta: np.ndarray, seed: int, estimator: EstimatorConfig, repeats: int
) -> np.ndarray:
    """``repeats`` independent K-tangent estimates, [repeats, n] float32, in chunks of at most ~2^22 tangent
    floats (chunk i uses the key ``fold_in(make_rng(seed), i)``)."""
    size = max(1, min(repeats, _SAMPLE_BUDGET // (estimator.num_tangents * spec.dim)))
    compiled = _compiled_aggregates(objectives.structure(spec), estimator, size)
    x, data, base = backend.from_numpy(theta), objectives.objective_data(spec), backend.make_rng(seed)
    out = [
        backend.to_numpy(compiled(x, jax.random.fold_in(base, index), data))
        for index in range((repeats + size - 1) // size)
    ]
    return np.concatenate(out)[:repeats] if out else np.zeros((0, spec.dim), np.float32)
