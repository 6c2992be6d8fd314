"""The registry and the contracts package: discovery without a hand-kept list, clear errors, thread
environment set before a framework is imported, and no framework imported by the neutral modules."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from implementations import registry
from implementations.contracts import CONTRACTS, METHODS

IMPLEMENTATIONS = Path(registry.__file__).parent


def test_methods_are_discovered_from_the_contracts_package():
    files = {p.stem for p in (IMPLEMENTATIONS / "contracts").glob("*.py") if not p.stem.startswith("_")}
    assert set(CONTRACTS) == files
    assert set(METHODS) == files - {"backend"}
    assert {"forward_gradient", "optimizers", "descent", "step_costs"} <= set(METHODS)
    assert {"small_nets", "alopex", "full_batch_gd"} <= set(METHODS)


def test_frameworks_mirror_each_other():
    names = {fw: sorted(p.stem for p in (IMPLEMENTATIONS / fw).glob("*.py")) for fw in registry.FRAMEWORKS}
    first, *others = registry.FRAMEWORKS
    for other in others:
        assert names[other] == names[first]
    assert set(CONTRACTS) <= set(names[first])


def test_unknown_names_are_rejected_with_the_valid_ones():
    with pytest.raises(ValueError, match=", ".join(METHODS)) as raised:
        registry.load_method("adam", "jax")
    assert all(name in str(raised.value) for name in ("descent", "forward_gradient", "alopex", "small_nets"))
    with pytest.raises(ValueError, match="pytorch, jax"):
        registry.load_method("descent", "tensorflow")
    with pytest.raises(ValueError, match="pytorch, jax"):
        registry.load_backend("mxnet", "cpu", 1)


@pytest.mark.parametrize("framework", registry.FRAMEWORKS)
def test_unavailable_device_is_an_error(framework):
    backend = registry.load_backend(framework, "cpu", 2)
    with pytest.raises(RuntimeError, match="cuda:7"):
        backend.configure("cuda:7", 2)
    backend.configure("cpu", 2)


def test_thread_environment(monkeypatch):
    pinned = []
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    monkeypatch.setattr(os, "sched_setaffinity", lambda pid, cpus: pinned.append(list(cpus)))
    monkeypatch.setenv("XLA_FLAGS", "")
    registry.set_thread_environment(2)
    assert pinned == [[0, 1]] and os.environ["XLA_FLAGS"] == ""
    registry.set_thread_environment(1)
    assert pinned[-1] == [0] and os.environ["XLA_FLAGS"] == "--xla_cpu_multi_thread_eigen=false"


def test_neutral_modules_import_no_framework():
    code = (
        "import sys, implementations.registry, implementations.contracts, implementations.specs;"
        "leaked = {'torch', 'jax', 'optax'} & set(sys.modules); assert not leaked, leaked"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=IMPLEMENTATIONS.parent)
