"""One training step of a classifier, several ways, for cost and memory measurement (Baydin et al. 2022,
arXiv 2202.08587, Sec. 5.2: R_f = t(FG)/t(f), R_b = t(BP)/t(f)). Contract, kinds and the memory
mechanisms: :mod:`implementations.contracts.step_costs`.

``fg``, ``fd`` and ``bp`` are :func:`implementations.jax.descent.step` (tangents drawn inside the compiled
step from a key split off the carried key, :func:`.minibatch_training.tangent_rng`), exactly the step
:mod:`.minibatch_training` scans; ``jvp`` is :func:`implementations.jax.forward_gradient.derivatives` with
fixed tangents; ``minimal_bp`` / ``minimal_fg`` are written here with plain ``jax.grad`` / ``jax.jvp`` and a
``tree_map`` SGD, as a user would, and nothing from the suite but the model. Every step is compiled ahead
of time with its parameter (and key) buffers donated, so updates happen in place; each callable runs one
compiled step and blocks until it is ready. Peak memory is XLA's compiled memory analysis of the same
compiled steps.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from implementations.contracts.classifiers import ClassifierSpec, check_inputs, check_params
from implementations.contracts.descent import DescentConfig
from implementations.contracts.forward_gradient import EstimatorConfig
from implementations.contracts.optimizers import OptimizerConfig
from implementations.contracts.step_costs import FD_EPSILON, MemoryReading, StepSpec

from . import backend, classifiers, descent
from . import forward_gradient as fg
from .minibatch_training import tangent_rng

MEMORY_SOURCE = "XLA compiled memory analysis: argument + output + temp - alias bytes of the compiled step"


def _minimal_tangents(rng: jax.Array, distribution: str, params: tuple, k: int) -> tuple:
    """K tangents per leaf with jax.random directly (the hand-written reference's sampler)."""
    keys = jax.random.split(rng, len(params))
    if distribution == "rademacher":
        return tuple(
            jax.random.rademacher(key, (k, *p.shape), jnp.float32) for key, p in zip(keys, params, strict=True)
        )
    v = tuple(jax.random.normal(key, (k, *p.shape), jnp.float32) for key, p in zip(keys, params, strict=True))
    if distribution == "sphere":
        norm = jnp.sqrt(sum(jnp.sum(t.reshape(k, -1) ** 2, axis=1) for t in v))
        scale = math.sqrt(sum(p.size for p in params)) / norm
        v = tuple(t * scale.reshape(k, *([1] * (t.ndim - 1))) for t in v)
    return v


def _build(
    spec: ClassifierSpec, params: tuple, x: jax.Array, y: jax.Array, step: StepSpec, seed: int, lr: float, decay: float
) -> tuple[Any, list]:
    """(compiled step, its argument list); the first argument is the carried state where the step updates."""

    def objective(ps: tuple, xb: jax.Array, yb: jax.Array) -> jax.Array:
        return classifiers.loss(spec, ps, xb, yb)

    sgd = OptimizerConfig("sgd", lr, decay=decay)
    params = jax.tree.map(jnp.copy, params)  # own buffers: donation never touches another step's
    if step.kind == "forward":
        return jax.jit(objective).lower(params, x, y).compile(), [params, x, y]
    if step.kind == "jvp":
        estimator = EstimatorConfig("forward", step.distribution, step.k)
        tangents = fg.draw(estimator, params, tangent_rng(seed, step.distribution))

        def jvp(ps: tuple, v: tuple, xb: jax.Array, yb: jax.Array) -> tuple:
            return fg.derivatives(lambda p: objective(p, xb, yb), ps, v, "jvp")

        return jax.jit(jvp).lower(params, tangents, x, y).compile(), [params, tangents, x, y]
    if step.kind in ("fg", "fd"):
        derivative = "jvp" if step.kind == "fg" else "fd_forward"
        config = DescentConfig(EstimatorConfig("forward", step.distribution, step.k, derivative, FD_EPSILON), sgd)

        def update(carry: tuple, xb: jax.Array, yb: jax.Array) -> tuple:
            state, key = carry
            key, sub = jax.random.split(key)
            return descent.step(config, state, lambda p: objective(p, xb, yb), sub)[0], key

        carry = (descent.init(config, params), tangent_rng(seed, step.distribution))
        return jax.jit(update, donate_argnums=0).lower(carry, x, y).compile(), [carry, x, y]
    if step.kind == "bp":
        config = DescentConfig(EstimatorConfig("backprop"), sgd)

        def bp_update(state: descent.DescentState, xb: jax.Array, yb: jax.Array) -> descent.DescentState:
            return descent.step(config, state, lambda p: objective(p, xb, yb), None)[0]

        state = descent.init(config, params)
        return jax.jit(bp_update, donate_argnums=0).lower(state, x, y).compile(), [state, x, y]
    if step.kind == "minimal_bp":

        def minimal_bp(ps: tuple, xb: jax.Array, yb: jax.Array) -> tuple:
            grads = jax.grad(objective)(ps, xb, yb)
            return jax.tree.map(lambda p, g: p - lr * g, ps, grads)

        return jax.jit(minimal_bp, donate_argnums=0).lower(params, x, y).compile(), [params, x, y]

    def minimal_fg(carry: tuple, xb: jax.Array, yb: jax.Array) -> tuple:
        ps, key = carry
        key, sub = jax.random.split(key)
        v = _minimal_tangents(sub, step.distribution, ps, step.k)
        _, dd = jax.vmap(lambda t: jax.jvp(lambda p: objective(p, xb, yb), (ps,), (t,)))(v)
        return jax.tree.map(lambda p, t: p - (lr / step.k) * jnp.tensordot(dd, t, axes=1), ps, v), key

    carry = (params, tangent_rng(seed, step.distribution))
    return jax.jit(minimal_fg, donate_argnums=0).lower(carry, x, y).compile(), [carry, x, y]


def _prepared(spec: ClassifierSpec, params: list[np.ndarray], inputs: np.ndarray, labels: np.ndarray) -> tuple:
    check_params(spec, params)
    check_inputs(spec, inputs)
    x = backend.from_numpy(inputs)
    return classifiers.to_device(params), x, backend.from_numpy(np.asarray(labels).astype(np.int32))


def _runner(compiled: Any, args: list, carries: bool) -> Callable[[], None]:
    def run() -> None:
        out = compiled(*args)
        if carries:
            args[0] = out
        jax.block_until_ready(out)

    return run


def step_functions(
    spec: ClassifierSpec,
    params: list[np.ndarray],
    inputs: np.ndarray,
    labels: np.ndarray,
    steps: tuple[StepSpec, ...],
    seed: int,
    lr: float = 2e-4,
    decay: float = 1e-4,
) -> dict[str, Callable[[], None]]:
    """{step.label: callable running one compiled step on the batch} for every step in ``steps``."""
    device_params, x, y = _prepared(spec, params, inputs, labels)
    out = {}
    for step in steps:
        compiled, args = _build(spec, device_params, x, y, step, seed, lr, decay)
        out[step.label] = _runner(compiled, args, step.kind not in ("forward", "jvp"))
    return out


def step_memory(
    spec: ClassifierSpec,
    params: list[np.ndarray],
    inputs: np.ndarray,
    labels: np.ndarray,
    steps: tuple[StepSpec, ...],
    seed: int,
    lr: float = 2e-4,
    decay: float = 1e-4,
) -> dict[str, MemoryReading]:
    """{step.label: XLA's compiled memory analysis of the step} (argument bytes are the resident part)."""
    device_params, x, y = _prepared(spec, params, inputs, labels)
    out = {}
    for step in steps:
        analysis = _build(spec, device_params, x, y, step, seed, lr, decay)[0].memory_analysis()
        resident = int(analysis.argument_size_in_bytes)
        transient = int(analysis.output_size_in_bytes + analysis.temp_size_in_bytes - analysis.alias_size_in_bytes)
        out[step.label] = MemoryReading(resident + transient, resident, transient, MEMORY_SOURCE)
    return out
