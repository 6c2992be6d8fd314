"""Options and fixtures of the step micro-benchmarks (see :mod:`benchmarks.microbench`): the framework,
device and threads, a seed, and one option per :class:`~benchmarks.microbench.BenchSetup` field."""

from __future__ import annotations

import os
from dataclasses import fields

import pytest

from benchmarks.microbench import BenchSetup, option_name, option_value, parse_widths
from benchmarks.microbench.steps import StepBench

DEFAULT_SETUP = BenchSetup()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("microbench", "training-step micro-benchmarks")
    group.addoption("--framework", default="pytorch", help="framework to benchmark (default: pytorch)")
    group.addoption("--target", default="cpu", help='device: "cpu", "cuda" or "cuda:N" (default: cpu)')
    group.addoption("--threads", type=int, default=os.cpu_count() or 1, help="CPU threads (default: all)")
    group.addoption("--seed", type=int, default=0, help="seed of the networks, batches and tangents")
    for f in fields(BenchSetup):
        default = getattr(DEFAULT_SETUP, f.name)
        group.addoption(
            option_name(f.name),
            type=parse_widths if isinstance(default, tuple) else int,
            default=default,
            help=f"{f.metadata['help']} (default: {option_value(default)})",
        )


@pytest.fixture(scope="session")
def step_bench(request: pytest.FixtureRequest) -> StepBench:
    """The session's :class:`StepBench`, from the command-line options, with the steps of every selected
    benchmark built (and compiled) before the first is timed."""
    option = request.config.getoption
    bench = StepBench(
        framework=option("framework"),
        target=option("target"),
        threads=option("threads"),
        setup=BenchSetup(**{f.name: option(f.name) for f in fields(BenchSetup)}),
        seed=option("seed"),
    )
    selected = [item.callspec.params for item in request.session.items if hasattr(item, "callspec")]
    bench.prebuild((params["model"], params["step"]) for params in selected)
    return bench
