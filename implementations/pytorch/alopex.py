"""Alopex in PyTorch, seed-batched: Unnikrishnan & Venugopal 1994 (Neural Computation 6(3):469-490, Sec. 2)
and Alopex-B's temperature (Bia 2001, Int. J. Neural Systems 11(6)). Contract and equations:
:mod:`implementations.contracts.alopex`.

Per iteration n, for S seeds at once (tensors [S, N]):

    C(n) = dw(n-1) dE(n-1);  p(n) = sigmoid(C(n) / T(n));  dw(n) = -delta where u(n) < p(n), else +delta;
    w(n) = w(n-1) + dw(n);   E(n) = E(w(n)) (one forward pass);  then T(n+1).

Alopex-94's refresh uses ``mean_k |C_k(n)| = |dw(n-1)| |dE(n-1)|`` (every weight moves by the same delta), a
running per-seed sum updated in O(1); a refresh whose mean is 0 keeps T; every T is floored at 1e-30.

(a) Pure functions on explicit state: :func:`init`, :func:`step` (one iteration from given uniforms; no
autograd), :func:`measures` (the trace measures of one iteration, at recorded iterations only). A seed is
frozen by setting its step sizes to 0. Per-seed values are [S, 1] so that they broadcast against [S, N]
without reshapes: an iteration is the forward pass plus 9 (Alopex-94) to 11 (Alopex-B) small elementwise
kernels, the uniforms coming in blocks of 64 iterations. (b) The NumPy-facing functions: :func:`train` (uniforms from a
``torch.Generator`` on the configured device, drawn in blocks), :func:`trajectory_from_uniforms` and
:func:`step_functions` all run :func:`step`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import torch

from implementations.contracts.alopex import STEP_MEASURES, TEMPERATURE_FLOOR, AlopexConfig
from implementations.contracts.small_nets import (
    NetSpec,
    TrainingData,
    TrainResult,
    check_budget,
    check_theta,
    run_step_sizes,
)

from . import backend
from . import seed_batched_training as loop
from .small_nets import Prepared, evaluate, prepare

# ---------------------------------------------------------------------------------------------------------
# (a) pure functions


class AlopexState(NamedTuple):
    """Alopex after iteration n - 1, for S seeds (per-seed values [S, 1], broadcasting against [S, N])."""

    theta: torch.Tensor
    """[S, N] w(n-1)."""
    step: torch.Tensor
    """[S, N] dw(n-1), the step taken (+-delta; 0 before the first move)."""
    step_up: torch.Tensor
    """[S, 1] delta, or 0 for a frozen seed."""
    step_down: torch.Tensor
    """[S, 1] -step_up (kept, so a step is one ``where``)."""
    error: torch.Tensor
    """[S, 1] E(n-1)."""
    error_change: torch.Tensor
    """[S, 1] dE(n-1) (0 before the first move)."""
    temperature: torch.Tensor
    """[S, 1] T(n), the temperature of the next iteration."""
    cycle_sum: torch.Tensor
    """[S, 1] Alopex-94: sum over the current cycle of mean_k |C_k|."""
    iteration: int
    """n - 1, iterations done."""


def init(config: AlopexConfig, net: NetSpec, theta0: torch.Tensor, data: Prepared) -> AlopexState:
    """The state at theta0 [S, N]: E(0), no step yet, T(1) (initial_temperature; Alopex-B: forgetting T(0))."""
    error, _ = evaluate(net, theta0, data)
    t1 = config.initial_temperature
    if config.variant == "alopex_b" and config.anneal:
        t1 = max(config.forgetting * t1, TEMPERATURE_FLOOR)

    def full(value: float) -> torch.Tensor:
        return torch.full((theta0.shape[0], 1), value, device=theta0.device, dtype=torch.float32)

    return AlopexState(
        theta=theta0,
        step=torch.zeros_like(theta0),
        step_up=full(config.delta),
        step_down=full(-config.delta),
        error=error,
        error_change=full(0.0),
        temperature=full(t1),
        cycle_sum=full(0.0),
        iteration=0,
    )


def step(
    config: AlopexConfig, net: NetSpec, state: AlopexState, data: Prepared, uniforms: torch.Tensor
) -> tuple[AlopexState, loop.StepStats]:
    """Iteration n = state.iteration + 1 for every seed with uniforms [S, N]; stats: E(n) and max |y - t|."""
    n = state.iteration + 1
    t = state.temperature
    # p = sigmoid(C / T) with C = dw(n-1) dE(n-1); u < p: step down
    p = torch.sigmoid(state.step * (state.error_change / t))
    new_step = torch.where(uniforms < p, state.step_down, state.step_up)
    theta = state.theta + new_step
    error, deviation = evaluate(net, theta, data)
    change = error - state.error
    cycle_sum = state.cycle_sum
    if config.anneal and config.variant == "alopex_b":
        # T(n+1) = f T(n) + (1 - f) delta |dE(n)| (each seed's own delta)
        t = torch.clamp_min(
            torch.addcmul(t * config.forgetting, change.abs(), state.step_up, value=1 - config.forgetting),
            TEMPERATURE_FLOOR,
        )
    elif config.anneal:
        # mean_k |C_k(n)| = |dw(n-1)| |dE(n-1)|, summed over the cycle
        cycle_sum = torch.addcmul(cycle_sum, state.step_up, state.error_change.abs())
        if n % config.cycle == 0:
            mean = cycle_sum / config.cycle
            if config.temperature_rule == "delta_scaled":
                mean = mean * state.step_up
            t = torch.where(mean > 0, torch.clamp_min(mean, TEMPERATURE_FLOOR), t)
            cycle_sum = torch.zeros_like(cycle_sum)
    new = AlopexState(theta, new_step, state.step_up, state.step_down, error, change, t, cycle_sum, n)
    return new, loop.StepStats(error, deviation)


def measures(before: AlopexState, after: AlopexState) -> dict[str, torch.Tensor]:
    """Trace measures of the iteration from ``before`` to ``after`` ([S] each): the temperature it used,
    ``mean_k |C_k|`` and the fraction of weights (among C_k != 0) that stepped against their correlation."""
    c = before.step * before.error_change
    counted = (c != 0).sum(1)
    against = ((after.step * c) < 0).sum(1)
    fraction = torch.where(counted > 0, against / counted.clamp_min(1), torch.nan)
    return {
        "temperature": before.temperature.view(-1),
        "mean_abs_correlation": c.abs().mean(1),
        "downhill_fraction": fraction,
    }


def freeze(state: AlopexState, mask: torch.Tensor) -> AlopexState:
    """Stop the seeds in ``mask`` [S, 1] from moving (their step size becomes 0)."""
    return state._replace(
        step_up=torch.where(mask, 0.0, state.step_up), step_down=torch.where(mask, 0.0, state.step_down)
    )


# ---------------------------------------------------------------------------------------------------------
# (b) NumPy-facing functions (contract: implementations.contracts.alopex.AlopexMethod)


@torch.no_grad()
def train(
    net: NetSpec,
    config: AlopexConfig,
    theta0: np.ndarray,
    data: TrainingData,
    seed: int,
    max_iterations: int,
    record_every: int,
    stop_at_success: bool = True,
    step_sizes: np.ndarray | None = None,
) -> TrainResult:
    """Alopex from theta0 [S, N], uniforms from a ``torch.Generator`` seeded with ``seed`` (drawn [S, N] per
    iteration, in blocks), all seeds in one batch; see :func:`.seed_batched_training._train_loop`;
    ``step_sizes``: per-seed deltas."""
    check_theta(net, theta0)
    check_budget(max_iterations, record_every)
    sizes = backend.from_numpy(run_step_sizes(step_sizes, config.delta, theta0.shape[0])[:, None])
    prepared = prepare(net, data)
    state = init(config, net, backend.from_numpy(theta0), prepared)
    state = state._replace(step_up=sizes, step_down=-sizes)
    draw = loop.UniformStream(backend.make_rng(seed), tuple(theta0.shape))
    error, deviation = evaluate(net, state.theta, prepared)
    nan = torch.full_like(error, torch.nan)
    return loop._train_loop(
        state,
        loop.StepStats(error, deviation),
        {"error": error, **dict.fromkeys(STEP_MEASURES, nan)},
        lambda s: step(config, net, s, prepared, draw()),
        freeze,
        measures,
        lambda s: s.theta,
        data.margin,
        max_iterations,
        record_every,
        stop_at_success,
        STEP_MEASURES,
    )


@torch.no_grad()
def trajectory_from_uniforms(
    net: NetSpec, config: AlopexConfig, theta0: np.ndarray, data: TrainingData, uniforms: np.ndarray
) -> dict[str, np.ndarray]:
    """One seed fed uniforms [T, N] as u(1..T): {"theta" [T+1, N], "error" [T+1], "temperature" [T]}."""
    check_theta(net, theta0, batched=False)
    if np.ndim(uniforms) != 2 or np.shape(uniforms)[1] != net.num_params:
        raise ValueError(f"uniforms shape {np.shape(uniforms)}; valid: [T, {net.num_params}]")
    prepared = prepare(net, data)
    state = init(config, net, backend.from_numpy(theta0)[None], prepared)
    thetas, errors, temperatures = [state.theta[0]], [state.error[0, 0]], []
    for u in backend.from_numpy(uniforms):
        temperatures.append(state.temperature[0, 0])
        state, _ = step(config, net, state, prepared, u[None])
        thetas.append(state.theta[0])
        errors.append(state.error[0, 0])
    stacked = {"theta": thetas, "error": errors, "temperature": temperatures}
    return {k: backend.to_numpy(torch.stack(v)) if v else np.zeros((0,), np.float32) for k, v in stacked.items()}


def step_functions(
    net: NetSpec, config: AlopexConfig, data: TrainingData, num_seeds: int, seed: int, iterations: int
) -> dict[str, Callable[[], None]]:
    """``alopex``: ``iterations`` calls of :func:`step` for ``num_seeds`` seeds (uniforms drawn as in
    :func:`train`; E and max |y - t| are computed by the step, the first-success bookkeeping and recording of
    :func:`train` are not run); ``forward_only``: as many error evaluations of the same seeds. Weights start
    uniform in (-1, 1) from the generator; both synchronise the device before returning."""
    prepared = prepare(net, data)
    gen = backend.make_rng(seed)
    shape = (num_seeds, net.num_params)
    theta0 = torch.rand(shape, generator=gen, device=backend.device(), dtype=torch.float32) * 2 - 1
    box = {"state": init(config, net, theta0, prepared)}
    draw = loop.UniformStream(gen, shape)

    @torch.no_grad()
    def alopex() -> None:
        state = box["state"]
        for _ in range(iterations):
            state, _ = step(config, net, state, prepared, draw())
        box["state"] = state
        backend.synchronize()

    def errors_at(theta: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return evaluate(net, theta, prepared)

    return {
        "alopex": alopex,
        "forward_only": loop._timed_forward_passes(errors_at, lambda: box["state"].theta, iterations),
    }
