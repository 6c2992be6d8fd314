"""pytest-benchmark micro-benchmarks of one training step per (model, kind, tangent law, K): the step
kinds Baydin et al. 2022 (arXiv:2202.08587, Sec. 5.2) compare, on logistic regression, the MLP and the CNN
(cases and what is measured: :mod:`benchmarks.microbench.steps`, :mod:`benchmarks.microbench`).

Run through :func:`benchmarks.microbench.run_microbench`, or directly, e.g.
``pytest benchmarks/microbench --benchmark-enable --framework jax --benchmark-json=out.json``
(``-k mlp`` for one model's cases).
"""

from __future__ import annotations

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from benchmarks.microbench.steps import CASES, StepBench, case_name, network
from implementations.contracts.step_costs import StepSpec


@pytest.mark.parametrize(("model", "step"), CASES, ids=[case_name(m, s) for m, s in CASES])
def test_step(benchmark: BenchmarkFixture, step_bench: StepBench, model: str, step: StepSpec) -> None:
    fn = step_bench.step(model, step)
    benchmark.group = network(model, step_bench.setup).name
    benchmark.extra_info.update(step_bench.extra_info(model, step))
    setup = step_bench.setup
    benchmark.pedantic(fn, rounds=setup.rounds, warmup_rounds=setup.warmup_rounds, iterations=1)
