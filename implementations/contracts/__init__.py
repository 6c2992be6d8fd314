"""Framework-neutral contracts: one module per method (plus the backend), found by scanning this package.

A contract module holds the method's configuration dataclasses, a ``typing.Protocol`` of the NumPy-facing
functions every ``implementations/<framework>/<method>.py`` exports (``PROTOCOL``), and conformance checks:
``SINGLE_CHECKS`` (each takes one framework's module) and ``PARITY_CHECKS`` (each takes ``{framework:
module}`` and compares them on identical NumPy-drawn inputs). ``ROLE`` is ``"method"``, ``"model"`` (a net
the methods train, e.g. :mod:`.small_nets`) or ``"backend"``.
Nothing here imports torch or jax; a new method is one new module here and one per framework.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def _discover() -> dict[str, ModuleType]:
    found = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "PROTOCOL"):
            found[info.name] = module
    return found


CONTRACTS: dict[str, ModuleType] = _discover()
"""Every contract module by name, the backend's included."""

METHODS: dict[str, ModuleType] = {name: module for name, module in CONTRACTS.items() if module.ROLE != "backend"}
"""The method (and model) contracts by name (``implementations.<framework>.<name>`` implements each)."""
