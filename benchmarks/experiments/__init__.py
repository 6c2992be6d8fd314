"""The experiment registry: name -> module with ``NAME`` and ``run(ctx) -> tidy DataFrame``.

A new experiment is one module here plus one line in :data:`EXPERIMENTS` (and a stage in dvc.yaml).
"""

from __future__ import annotations

from types import ModuleType

from . import estimator, fgd, projection, step_cost

EXPERIMENTS: dict[str, ModuleType] = {m.NAME: m for m in (estimator, projection, fgd, step_cost)}


def get_experiment(name: str) -> ModuleType:
    """The experiment module called ``name``."""
    if name not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {name!r}; valid: {', '.join(EXPERIMENTS)}")
    return EXPERIMENTS[name]
