"""Fixtures for the implementation tests: each framework's backend and method modules, configured for the
CPU with 2 threads (``implementations.registry``), or for the device named by ``NOBP_TEST_TARGET`` (e.g.
``cuda``) to run the same conformance and parity checks on a GPU."""

from __future__ import annotations

import os
from types import ModuleType

import pytest

from implementations.registry import FRAMEWORKS, load_backend, load_method

TARGET = os.environ.get("NOBP_TEST_TARGET", "cpu")


def implementation(contract: str, framework: str) -> ModuleType:
    """``implementations.<framework>.<contract>``, its backend configured for :data:`TARGET` (2 CPU threads)."""
    backend = load_backend(framework, TARGET, 2)
    return backend if contract == "backend" else load_method(contract, framework)


@pytest.fixture(scope="session", params=FRAMEWORKS)
def framework(request: pytest.FixtureRequest) -> str:
    """Each framework in turn."""
    return request.param


@pytest.fixture(scope="session")
def estimators(framework: str) -> ModuleType:
    """The framework's ``forward_gradient`` module."""
    return implementation("forward_gradient", framework)


@pytest.fixture(scope="session")
def optimizers(framework: str) -> ModuleType:
    """The framework's ``optimizers`` module."""
    return implementation("optimizers", framework)
