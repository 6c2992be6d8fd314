"""Optimizers in JAX, built on optax 0.2.8: SGD, clipped SGD (global norm), Adam (Kingma & Ba 2015),
AdaBelief (Zhuang et al. 2020), all with the schedule ``eta_t = eta_0 exp(-decay t)``
(``optax.exponential_decay``, its step counter in the optimizer state). The formulas and the choice of eps /
eps_root are in :mod:`implementations.contracts.optimizers`.

(a) Pure functions in optax style: ``init(config, params) -> state``,
``update(config, grads, state, params) -> (new_params, state)``, on any pytree of parameters.
(b) The NumPy-facing :func:`apply_gradient_sequence` at the bottom.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax
import numpy as np
import optax

from implementations.contracts.optimizers import OptimizerConfig

from . import backend
from .objectives import Params

# ---------------------------------------------------------------------------------------------------------
# (a) pure functions


def learning_rate(config: OptimizerConfig, count: jax.Array) -> jax.Array:
    """``eta_count = eta_0 exp(-decay count)``: ``optax.exponential_decay(lr, 1, exp(-decay))(count)``."""
    return optax.exponential_decay(config.learning_rate, transition_steps=1, decay_rate=config.decay_rate)(count)


@functools.cache
def _transformation(config: OptimizerConfig) -> optax.GradientTransformation:
    """The optax transformation of ``config`` (built once per config)."""
    schedule = functools.partial(learning_rate, config)
    eps, eps_root = config.epsilons()
    if config.name == "sgd":
        return optax.sgd(schedule)
    if config.name == "clipped_sgd":
        return optax.chain(optax.clip_by_global_norm(config.clip_norm), optax.sgd(schedule))
    if config.name == "adam":
        return optax.adam(schedule, b1=config.b1, b2=config.b2, eps=eps, eps_root=eps_root)
    if config.name == "adabelief":
        return optax.adabelief(schedule, b1=config.b1, b2=config.b2, eps=eps, eps_root=eps_root)
    raise ValueError(f"optimizer {config.name!r}; valid: sgd, clipped_sgd, adam, adabelief")


def init(config: OptimizerConfig, params: Params) -> optax.OptState:
    """The optimizer state for ``params`` (moments at zero, step counter at 0)."""
    return _transformation(config).init(params)


def update(config: OptimizerConfig, grads: Params, state: optax.OptState, params: Params) -> tuple[Params, Any]:
    """One step: (new parameters, new state)."""
    updates, state = _transformation(config).update(grads, state, params)
    return optax.apply_updates(params, updates), state


# ---------------------------------------------------------------------------------------------------------
# (b) NumPy-facing function (contract: implementations.contracts.optimizers.OptimizerMethod)


@functools.cache
def _compiled_sequence(config: OptimizerConfig) -> Callable:
    def run(theta0: jax.Array, gradients: jax.Array) -> jax.Array:
        def one(carry: tuple, g: jax.Array) -> tuple:
            params, state = update(config, g, carry[1], carry[0])
            return (params, state), params

        _, path = jax.lax.scan(one, (theta0, init(config, theta0)), gradients)
        return path

    return jax.jit(run)


def apply_gradient_sequence(config: OptimizerConfig, theta0: np.ndarray, gradients: np.ndarray) -> np.ndarray:
    """Feed gradients [T, n] in order from theta0 [n]; the trajectory [T+1, n] float32 (row 0 = theta0)."""
    theta = backend.from_numpy(theta0)
    path = _compiled_sequence(config)(theta, backend.from_numpy(gradients))
    return np.concatenate([np.asarray(theta0, np.float32)[None], backend.to_numpy(path)])
