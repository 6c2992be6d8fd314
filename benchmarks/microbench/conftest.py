"""Options and fixtures of the step micro-benchmarks (see :mod:`benchmarks.microbench`)."""

from __future__ import annotations

import os

import pytest

from benchmarks.microbench import DEFAULT_ROUNDS, DEFAULT_WARMUP_ROUNDS, PAPER_BATCH, PAPER_LAYERS, layers_option
from benchmarks.microbench.steps import StepBench


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("microbench", "training-step micro-benchmarks")
    group.addoption("--framework", default="pytorch", help="framework to benchmark (default: pytorch)")
    group.addoption("--target", default="cpu", help='device: "cpu", "cuda" or "cuda:N" (default: cpu)')
    group.addoption("--threads", type=int, default=os.cpu_count() or 1, help="CPU threads (default: all)")
    group.addoption("--layers", default=layers_option(PAPER_LAYERS), help="MLP widths, comma-separated")
    group.addoption("--batch", type=int, default=PAPER_BATCH, help=f"batch size (default: {PAPER_BATCH})")
    group.addoption("--seed", type=int, default=0, help="seed of the network, batch and tangents")
    group.addoption("--rounds", type=int, default=DEFAULT_ROUNDS, help="timed rounds per benchmark")
    group.addoption("--warmup-rounds", type=int, default=DEFAULT_WARMUP_ROUNDS, help="untimed rounds first")


@pytest.fixture(scope="session")
def step_bench(request: pytest.FixtureRequest) -> StepBench:
    """The session's :class:`StepBench`, from the command-line options."""
    option = request.config.getoption
    return StepBench(
        framework=option("framework"),
        target=option("target"),
        threads=option("threads"),
        layers=tuple(int(width) for width in option("layers").split(",")),
        batch=option("batch"),
        seed=option("seed"),
        rounds=option("rounds"),
        warmup_rounds=option("warmup_rounds"),
    )
