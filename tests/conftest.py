"""Shared fixtures: small validated params for the new layout, method modules per framework, a test RunContext."""

from __future__ import annotations

import copy
from types import ModuleType
from typing import Any

import pytest
from ruamel.yaml import YAML

from benchmarks.config import Params, validate_params
from benchmarks.paths import PARAMS_PATH
from benchmarks.runner import RunContext
from implementations.registry import FRAMEWORKS, load_backend, load_method


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
