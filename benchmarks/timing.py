"""Wall-clock timing of callables that each end by waiting for their device (engine: knows no paper).

The measurement rules (README): the first call (compilation, allocation) is timed apart; then ``warmup``
untimed rounds; then ``repeats`` rounds in which every callable runs once, interleaved, so drift (thermal,
other load) hits all alike; each call timed with ``time.perf_counter``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Timings:
    """Seconds of the first call and of each timed round, per callable name."""

    first_call: dict[str, float]
    rounds: dict[str, list[float]]


def time_once(fn: Callable[[], None]) -> float:
    """Seconds one call of ``fn`` takes."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def time_interleaved(steps: Mapping[str, Callable[[], None]], warmup: int, repeats: int) -> Timings:
    """Time every callable: first call apart, ``warmup`` untimed rounds, ``repeats`` interleaved rounds."""
    first = {name: time_once(fn) for name, fn in steps.items()}
    for _ in range(warmup):
        for fn in steps.values():
            fn()
    rounds: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(repeats):
        for name, fn in steps.items():
            rounds[name].append(time_once(fn))
    return Timings(first, rounds)
