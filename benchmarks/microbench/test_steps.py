"""pytest-benchmark micro-benchmarks of one MLP training step per kind (see :mod:`benchmarks.microbench`).

Run through :func:`benchmarks.microbench.run_microbench`, or directly, e.g.
``pytest benchmarks/microbench --benchmark-enable --framework jax --benchmark-json=out.json``.
"""

from __future__ import annotations

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from benchmarks.microbench.steps import CASES, StepBench


@pytest.mark.parametrize(("step", "tangents"), CASES, ids=[f"{s}-{t}" if t else s for s, t in CASES])
def test_step(benchmark: BenchmarkFixture, step_bench: StepBench, step: str, tangents: str) -> None:
    fn = step_bench.step(step, tangents) if tangents else step_bench.step(step)
    benchmark.group = "training step"
    benchmark.extra_info.update(step_bench.extra_info(step, tangents))
    benchmark.pedantic(fn, rounds=step_bench.rounds, warmup_rounds=step_bench.warmup_rounds, iterations=1)
