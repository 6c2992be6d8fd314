"""Run the study's experiments in tests, optionally through a method module with one planted defect."""

from __future__ import annotations

import types
from collections.abc import Callable
from types import ModuleType

import pandas as pd

from benchmarks.config import Params
from benchmarks.study import load_study
from tests.conftest import load_methods, run_context, small_params

STUDY = load_study("forward_variants")

SMALL = small_params(
    "smoke",
    forward_variants={
        "fd_agreement": {
            "rosenbrock_dim": 6,
            "net_layers": [64, 8, 10],
            "batch": 32,
            "distributions": ["gaussian"],
            "tangents": 64,
            "epsilons": [2.0**-k for k in range(1, 15)],
        },
        "step_net": {
            "nets": [{"task": "xor", "hidden": 3}],
            "steps": 30,
            "record_every": 10,
            "sweep_seeds": 2,
            "seeds": 5,
        },
        "binary_net": {"hidden": 8, "tangents": 2, "steps": 10, "record_every": 5, "sweep_seeds": 1, "seeds": 5},
        "perturbation": {"layers": [64, 8, 10], "batch": 32, "distributions": ["gaussian"], "samples": 256},
    },
)
"""Small but sufficient budgets: F10a and B5 resolve their bands; the training experiments only run."""


def methods_for(framework: str, experiment: str) -> dict[str, ModuleType]:
    """The method modules experiment ``experiment`` uses, in ``framework``."""
    return load_methods(framework, STUDY.experiment(experiment).methods)


def wrapped(module: ModuleType, **replacements: Callable) -> types.SimpleNamespace:
    """A copy of a method module's public namespace with some functions replaced (the planted defect)."""
    names = {k: getattr(module, k) for k in dir(module) if not k.startswith("_")}
    return types.SimpleNamespace(**(names | replacements))


def run(params: Params, framework: str, experiment: str, **methods: object) -> pd.DataFrame:
    """The experiment's table; ``methods`` replaces method modules by name."""
    modules = methods_for(framework, experiment) | methods
    ctx = run_context(params, "forward_variants", experiment, framework, modules)
    return STUDY.load_experiment(experiment).run(ctx)


def claim(claim_id: str):
    """The registered claim with this id."""
    return next(c for c in STUDY.load_claims() if c.id == claim_id)
