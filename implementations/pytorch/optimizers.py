"""Optimizers in PyTorch: a functional mirror of optax 0.2.8's ``sgd``, ``clip_by_global_norm`` + ``sgd``,
``adam`` (Kingma & Ba 2015) and ``adabelief`` (Zhuang et al. 2020) with ``exponential_decay``
(``eta_t = eta_0 exp(-decay t)``). Same formulas, same order of operations, same float32 scalars (bias
corrections and the schedule are computed in float32 as optax does), so the two frameworks agree to float32
rounding; the formulas and eps / eps_root are in :mod:`implementations.contracts.optimizers`.

(a) Pure functions in torch.func style on tuples of tensors: ``init(config, params) -> state``,
``update(config, grads, state, params) -> (new_params, state)``; they work under ``torch.func.vmap``.
(b) The NumPy-facing :func:`apply_gradient_sequence` at the bottom.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

from implementations.contracts.optimizers import OptimizerConfig

from . import backend
from .objectives import Params

# ---------------------------------------------------------------------------------------------------------
# (a) pure functions


class OptimizerState(NamedTuple):
    """optax's state, flattened: the step counter (int32, read by the schedule and the bias corrections) and
    the first / second moments (empty for SGD)."""

    count: torch.Tensor
    mu: Params
    nu: Params


def init(config: OptimizerConfig, params: Params) -> OptimizerState:
    """The optimizer state for ``params`` (moments at zero, step counter at 0)."""
    count = torch.zeros((), dtype=torch.int32, device=params[0].device)
    if config.name in ("adam", "adabelief"):
        return OptimizerState(
            count, tuple(torch.zeros_like(p) for p in params), tuple(torch.zeros_like(p) for p in params)
        )
    return OptimizerState(count, (), ())


def learning_rate(config: OptimizerConfig, count: torch.Tensor) -> torch.Tensor | float:
    """``optax.exponential_decay(lr, 1, exp(-decay))(count)``: ``lr rate^count`` in float32 (lr at count 0;
    without decay the constant lr itself, which is what that formula gives exactly since 1^t = 1)."""
    if config.decay == 0:
        return config.learning_rate
    rate = config.decay_rate ** count.to(torch.float32)
    return torch.where(count <= 0, config.learning_rate, config.learning_rate * rate)


def _bias_correction(moment: Params, decay: float, count: torch.Tensor) -> Params:
    """``moment / (1 - decay^count)`` with the power in float32 (optax's ``tree_bias_correction``)."""
    correction = 1 - decay ** count.to(torch.float32)
    return tuple(m / correction for m in moment)


def _global_norm_clip(grads: Params, max_norm: float) -> Params:
    """``optax.clip_by_global_norm``: g if ||g|| < max_norm else (g / ||g||) max_norm."""
    norm = torch.sqrt(sum(torch.sum(g * g) for g in grads))
    return tuple(torch.where(norm < max_norm, g, (g / norm) * max_norm) for g in grads)


def update(
    config: OptimizerConfig, grads: Params, state: OptimizerState, params: Params
) -> tuple[Params, OptimizerState]:
    """One step: (new parameters, new state)."""
    step = -learning_rate(config, state.count)
    count = state.count + 1
    mu, nu = state.mu, state.nu
    if config.name == "sgd":
        direction = grads
    elif config.name == "clipped_sgd":
        direction = _global_norm_clip(grads, config.clip_norm)
    elif config.name in ("adam", "adabelief"):
        b1, b2 = config.b1, config.b2
        eps, eps_root = config.epsilons()
        mu = tuple((1 - b1) * g + b1 * m for g, m in zip(grads, state.mu, strict=True))
        if config.name == "adam":
            nu = tuple((1 - b2) * (g * g) + b2 * v for g, v in zip(grads, state.nu, strict=True))
        else:
            errors = tuple(g - m for g, m in zip(grads, mu, strict=True))
            nu = tuple((1 - b2) * (e * e) + b2 * v + eps_root for e, v in zip(errors, state.nu, strict=True))
        mu_hat, nu_hat = _bias_correction(mu, b1, count), _bias_correction(nu, b2, count)
        if config.name == "adam":
            direction = tuple(m / (torch.sqrt(v + eps_root) + eps) for m, v in zip(mu_hat, nu_hat, strict=True))
        else:
            direction = tuple(m / (torch.sqrt(v) + eps) for m, v in zip(mu_hat, nu_hat, strict=True))
    else:
        raise ValueError(f"optimizer {config.name!r}; valid: sgd, clipped_sgd, adam, adabelief")
    if isinstance(step, float):  # constant schedule: one fused pass p + step d per tensor
        new_params = tuple(torch.add(p, d, alpha=step) for p, d in zip(params, direction, strict=True))
    else:
        new_params = tuple(p + step * d for p, d in zip(params, direction, strict=True))
    return new_params, OptimizerState(count, mu, nu)


# ---------------------------------------------------------------------------------------------------------
# (b) NumPy-facing function (contract: implementations.contracts.optimizers.OptimizerMethod)


@torch.no_grad()
def apply_gradient_sequence(config: OptimizerConfig, theta0: np.ndarray, gradients: np.ndarray) -> np.ndarray:
    """Feed gradients [T, n] in order from theta0 [n]; the trajectory [T+1, n] float32 (row 0 = theta0)."""
    params = (backend.from_numpy(theta0),)
    state = init(config, params)
    path = [params[0]]
    for g in backend.from_numpy(gradients):
        params, state = update(config, (g,), state, params)
        path.append(params[0])
    return backend.to_numpy(torch.stack(path))
