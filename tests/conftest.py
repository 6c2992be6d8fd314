"""Shared fixtures: framework API modules (configured for the CPU) and small validated params."""

from __future__ import annotations

import copy

import pytest
import yaml

from benchmarks.config import Params, validate_params
from benchmarks.frameworks import FRAMEWORKS, load_framework
from benchmarks.paths import PARAMS_PATH


@pytest.fixture(scope="session", params=sorted(FRAMEWORKS))
def api(request: pytest.FixtureRequest):
    """Each framework's API module in turn."""
    return load_framework(request.param, "cpu", 2)


@pytest.fixture(scope="session")
def apis():
    """Both framework API modules, for parity tests."""
    return {name: load_framework(name, "cpu", 2) for name in sorted(FRAMEWORKS)}


def small_params(**overrides: dict) -> Params:
    """The repository's params.yaml at the smoke profile, with blocks of the smoke profile overridden."""
    data = yaml.safe_load(PARAMS_PATH.read_text())
    data["profile"] = "smoke"
    smoke = copy.deepcopy(data["profiles"]["smoke"])
    for block, values in overrides.items():
        smoke[block].update(values)
    data["profiles"] = {"smoke": smoke}
    return validate_params(data)
