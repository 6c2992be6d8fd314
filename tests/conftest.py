"""Shared fixtures: small validated params for the new layout, method modules per framework, a test RunContext."""

from __future__ import annotations

import copy
import os
from types import ModuleType
from typing import Any

import pytest
from ruamel.yaml import YAML

from benchmarks.config import Params, validate_params
from benchmarks.paths import PARAMS_PATH
from benchmarks.runner import RunContext
from implementations.registry import FRAMEWORKS, load_backend, load_method

MACHINE_CORES: frozenset[int] = frozenset(os.sched_getaffinity(0))
"""The cores this test run may use, read before :func:`pytest_configure` pins an xdist worker to one of them."""


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist (``make test`` runs ``-n 2``), pin each worker to a core of its own before any
    framework starts its thread pools: worker gwN gets core N. Without this, every worker that loads a
    framework with one thread would pin itself to the first core (:func:`implementations.registry.
    set_thread_environment` takes the first ``threads`` available cores) and the workers would share it. A
    worker's subprocesses inherit its core, except the end-to-end ``dvc repro``, which gets
    :data:`MACHINE_CORES` back (its stages set their own threads, and it outlasts every other test)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker.startswith("gw"):
        cores = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cores[int(worker[2:]) % len(cores)]})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The end-to-end pipeline tests first: they take most of the run, and under ``-n 2 --dist worksteal`` the
    worker whose share starts with them begins at once while the other works through the rest and steals back
    what is left (collected in file order they started minutes late, and the run waited for them)."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is None)


def small_params(profile: str = "smoke", **overrides: dict[str, dict[str, Any]]) -> Params:
    """params.yaml at ``profile``, with experiment blocks overridden per study:
    ``small_params(forward_gradient={"estimator": {"dims": [10]}})``."""
    data = YAML(typ="safe").load(PARAMS_PATH.read_text())
    data["profile"] = profile
    chosen = copy.deepcopy(data["profiles"][profile])
    for study, experiments in overrides.items():
        for experiment, values in experiments.items():
            chosen[study][experiment].update(values)
    data["profiles"] = {profile: chosen}
    return validate_params(data)


def load_methods(framework: str, names: tuple[str, ...]) -> dict[str, ModuleType]:
    """The method modules ``names`` of ``framework`` on the CPU (2 threads)."""
    load_backend(framework, "cpu", 2)
    return {name: load_method(name, framework) for name in names}


def run_context(
    params: Params, study: str, experiment: str, framework: str, methods: dict[str, ModuleType]
) -> RunContext:
    """A RunContext for tests (device 'cpu (test)')."""
    config = getattr(getattr(params.active, study), experiment)
    return RunContext(params, study, experiment, config, framework, "cpu (test)", methods)


@pytest.fixture(scope="session", params=sorted(FRAMEWORKS))
def framework(request: pytest.FixtureRequest) -> str:
    """Each framework in turn (backend configured for the CPU)."""
    load_backend(request.param, "cpu", 2)
    return request.param
