"""The seed-batched training loop shared by :mod:`.alopex` and :mod:`.full_batch_gd` (PyTorch).

Unnikrishnan & Venugopal 1994 (Neural Computation 6(3):469-490) count learning time as the iterations until
every output is within a margin of its target; this module runs S independent seeds side by side (a batch
dimension) and, after every iteration, records each seed's first success and (with ``stop_at_success``)
freezes it there. The host side (chunks of ``record_every`` iterations, trace rows, early exit, the
:class:`~implementations.contracts.small_nets.TrainResult`) is the framework-neutral
:func:`~implementations.contracts.small_nets.drive_training`.

A method supplies ``advance(state) -> (state, StepStats)`` (one iteration for all seeds), ``freeze(state,
mask) -> state`` (stop the masked seeds from moving) and ``measures(before, after) -> {name: [S]}`` (the trace
measures of the iteration from ``before`` to ``after``, computed only at recorded iterations).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import torch

from implementations.contracts.small_nets import TrainResult, drive_training

from . import backend

State = Any
"""A method's state (a NamedTuple of tensors)."""


class StepStats(NamedTuple):
    """What the loop needs from every iteration, per seed."""

    error: torch.Tensor
    """[S, 1]: E at the new parameters."""
    max_deviation: torch.Tensor
    """[S, 1]: max |y - t| over the counted outputs (the criterion holds when it is below the margin)."""


class UniformStream:
    """U[0, 1) float32 arrays of one shape from a ``torch.Generator``, drawn in blocks of up to 64 (one kernel
    per block instead of one per iteration). The block length depends only on the shape, so a seed's
    stream is the same however the iterations are chunked."""

    def __init__(self, generator: torch.Generator, shape: tuple[int, ...]) -> None:
        self.generator, self.shape = generator, tuple(shape)
        self.block = max(1, min(64, 2**22 // max(1, math.prod(self.shape))))
        self.buffer: torch.Tensor | None = None
        self.index = self.block

    def __call__(self) -> torch.Tensor:
        if self.index == self.block:
            self.buffer = torch.rand(
                (self.block, *self.shape), generator=self.generator, device=backend.device(), dtype=torch.float32
            )
            self.index = 0
        self.index += 1
        return self.buffer[self.index - 1]


def _numpy(value: torch.Tensor) -> np.ndarray:
    return backend.to_numpy(value).reshape(-1)


def _numpy_row(row: dict[str, torch.Tensor]) -> dict[str, np.ndarray]:
    return {name: _numpy(value).astype(np.float64) for name, value in row.items()}


def _train_loop(
    state: State,
    start: StepStats,
    start_row: dict[str, torch.Tensor],
    advance: Callable[[State], tuple[State, StepStats]],
    freeze: Callable[[State, torch.Tensor], State],
    measures: Callable[[State, State], dict[str, torch.Tensor]],
    theta_of: Callable[[State], torch.Tensor],
    margin: float,
    max_iterations: int,
    record_every: int,
    stop_at_success: bool,
    step_measures: tuple[str, ...] = (),
) -> TrainResult:
    """Run ``advance`` up to ``max_iterations`` times from ``state`` (whose stats are ``start`` and trace row
    ``start_row``); the trace row of an iteration is ``{"error": E, **measures(before, after)}``. Per-seed
    tensors are [S, 1] (or [S]); ``freeze`` gets an [S, 1] mask."""
    solved = start.max_deviation < margin
    first = torch.where(solved, 0, -1).to(torch.int64)
    if stop_at_success:
        state = freeze(state, solved)
    box = {"state": state, "first": first, "solved": solved, "n": 0}

    def run_chunk(count: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        state, first, solved, n = box["state"], box["first"], box["solved"], box["n"]
        before = state
        for _ in range(count):
            before = state
            n += 1
            state, stats = advance(state)
            ok = stats.max_deviation < margin
            newly = ok > solved  # ok and not yet solved
            solved = solved | ok
            first = torch.where(newly, n, first)
            if stop_at_success:
                state = freeze(state, newly)
        box.update(state=state, first=first, solved=solved, n=n)
        return _numpy(first), _numpy_row({"error": stats.error, **measures(before, state)})

    return drive_training(
        run_chunk,
        (_numpy(first), _numpy_row(start_row)),
        lambda: backend.to_numpy(theta_of(box["state"])),
        max_iterations,
        record_every,
        stop_at_success,
        step_measures,
    )


def _timed_forward_passes(
    evaluate: Callable[[torch.Tensor], Any], theta: Callable[[], torch.Tensor], iterations: int
) -> Callable[[], None]:
    """A callable running ``iterations`` error evaluations at ``theta() + i 1e-6`` (a different point each time,
    so nothing can be reused) and waiting for the device: the cost baseline of a training iteration."""

    @torch.no_grad()
    def run() -> None:
        base = theta()
        for i in range(iterations):
            evaluate(base + i * 1e-6)
        backend.synchronize()

    return run
