"""Real Alopex runs through a claim check, honest and with the algorithm defects the issue names planted in the
framework's step: the correlation's sign flipped, a temperature that never updates, delta ignored.

A1's rule is run on the 4-2-4 encoder (which Alopex-94 solves in essentially every run at this budget, so the
honest run must read ``reproduced``); each defect must read ``not reproduced``. These defects are gross (they
break learning outright); the checks' behaviour at their detection limits is tested on synthetic runs in
``test_checks.py``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from types import ModuleType

import pandas as pd
import pytest

from benchmarks.alopex import thresholds
from benchmarks.alopex.check_success import check_learns_boolean
from benchmarks.alopex.runs import ALOPEX_94, EVALUATION, Arm, initial_weights, method_config, run_arm
from benchmarks.alopex.tasks import boolean_task
from benchmarks.verdicts import NOT_REPRODUCED, REPRODUCED
from tests.conftest import load_methods, run_context, small_params

TASK, DELTA, RUNS, BUDGET = "encoder_4_2_4", 0.03, 64, 4000


def _learning_time(framework: str, methods: dict[str, ModuleType]) -> pd.DataFrame:
    params = small_params("smoke", alopex={"learning_time": {"tasks": [TASK], "seeds": RUNS, "max_iterations": BUDGET}})
    ctx = run_context(params, "alopex", "learning_time", framework, methods)
    task = boolean_task(TASK, ctx.config.margin)
    theta0 = initial_weights(ctx, task, EVALUATION, RUNS, ctx.config.init_scale)
    arm = Arm(ALOPEX_94, ALOPEX_94, method_config(ALOPEX_94, DELTA, ctx.config.alopex), DELTA)
    return run_arm(ctx, task, arm, theta0, ctx.config, EVALUATION)[0]


def _fixed_step(state, size: float):  # noqa: ANN001, ANN202 - either framework's AlopexState
    """The state with every moving seed's step size replaced by ``size`` (field names differ per framework)."""
    if hasattr(state, "step_size"):  # JAX: one step size per seed
        return state._replace(step_size=(state.step_size > 0) * size)
    up = (state.step_up > 0) * size  # PyTorch: +delta and -delta per seed
    return state._replace(step_up=up, step_down=-up)


@pytest.fixture()
def planted(framework: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Plant a defect in the framework's Alopex step (and drop compiled functions built with the honest one)."""
    module = importlib.import_module(f"implementations.{framework}.alopex")
    honest_step = module.step

    def clear() -> None:
        for value in vars(module).values():
            if hasattr(value, "cache_clear"):
                value.cache_clear()

    def plant(defect: str) -> None:
        def step(config, net, state, data, uniforms):  # noqa: ANN001, ANN202 - the framework's own signature
            if defect == "sign_flipped":
                state = state._replace(error_change=-state.error_change)
            elif defect == "frozen_temperature":
                state = state._replace(temperature=state.temperature * 0 + 1000.0)
            elif defect == "delta_ignored":  # a hard-coded step of 1e-3 whatever delta says (frozen seeds stay)
                state = _fixed_step(state, 1e-3)
            return honest_step(config, net, state, data, uniforms)

        monkeypatch.setattr(module, "step", step)
        clear()

    yield plant
    clear()


def test_honest_runs_reproduce_and_planted_defects_do_not(framework: str, planted: Callable[[str], None]) -> None:
    methods = load_methods(framework, ("alopex", "full_batch_gd", "small_nets"))
    honest = check_learns_boolean({"learning_time": _learning_time(framework, methods)}, thresholds.A1)
    assert honest.verdict == REPRODUCED, honest.summary
    for defect in ("sign_flipped", "frozen_temperature", "delta_ignored"):
        planted(defect)
        result = check_learns_boolean({"learning_time": _learning_time(framework, methods)}, thresholds.A1)
        assert result.verdict == NOT_REPRODUCED, (defect, result.summary)


@pytest.mark.parametrize("framework", ["pytorch", "jax"])
def test_recorded_seed_is_the_generator_seed(framework: str) -> None:
    """The table's ``seed`` column is the seed the runs were trained with: training again from it (same
    initialisations, same configuration) gives exactly the same weights; the next seed does not."""
    methods = load_methods(framework, ("small_nets", "alopex", "full_batch_gd"))
    params = small_params("smoke", alopex={"learning_time": {"tasks": ["xor"], "seeds": 8, "max_iterations": 300}})
    ctx = run_context(params, "alopex", "learning_time", framework, methods)
    task = boolean_task("xor", ctx.config.margin)
    theta0 = initial_weights(ctx, task, EVALUATION, 8, ctx.config.init_scale)
    arm = Arm(ALOPEX_94, ALOPEX_94, method_config(ALOPEX_94, DELTA, ctx.config.alopex), DELTA)
    rows, result, _ = run_arm(ctx, task, arm, theta0, ctx.config, EVALUATION)
    seeds = rows["seed"].unique()
    assert len(seeds) == 1
    again = methods["alopex"].train(task.net, arm.config, theta0, task.train, int(seeds[0]), 300, 300, True, None)
    assert (again.theta == result.theta).all() and (again.first_success == result.first_success).all()
    other = methods["alopex"].train(task.net, arm.config, theta0, task.train, int(seeds[0]) + 1, 300, 300, True, None)
    assert not (other.theta == result.theta).all()
