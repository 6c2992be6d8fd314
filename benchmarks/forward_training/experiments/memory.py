"""Experiment ``memory``: peak memory of one forward-gradient and one backprop step (claim F8; Baydin et
al. 2022, arXiv 2202.08587, report memory about equal in their implementation, and forward mode stores no
activations, so it could need less).

Readings (:func:`implementations.contracts.step_costs` ``step_memory``; the mechanism is recorded in the
``mechanism`` column because readings of different mechanisms are not comparable): each model of ``models``
at ``batch`` (the suite's ``fg`` and ``bp`` steps, and with ``references`` the hand-written
``minimal_fg`` / ``minimal_bp``),
the MLP at every batch of ``batches`` and MLPs of ``depths`` hidden layers of ``width`` units at ``batch``
(``fg`` and ``bp``). Measures: ``peak_bytes`` = ``resident_bytes`` (parameters, optimizer state, batch)
+ ``transient_bytes`` (the most allocated on top during the step); ``paper_config`` (1/0) marks the models'
own readings at ``batch``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from benchmarks.forward_training.tasks import depth_network, fixed_batch, load_data, network, task_name
from benchmarks.seeding import derive_seed
from benchmarks.tables import measurements
from implementations.contracts.classifiers import ClassifierSpec, init_params
from implementations.contracts.minibatch_training import PAPER_DECAY, PAPER_LR
from implementations.contracts.step_costs import StepSpec

if TYPE_CHECKING:
    from benchmarks.runner import RunContext

NAME = "memory"
MEASURES = ("peak_bytes", "resident_bytes", "transient_bytes")


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.config
    data = load_data(cfg.dataset)
    inputs = data.x_train.shape[1]
    pair = (StepSpec("fg", cfg.distribution, 1), StepSpec("bp"))
    minimal = (StepSpec("minimal_fg", cfg.distribution, 1), StepSpec("minimal_bp"))
    mlp = network("mlp", inputs, cfg.networks)
    configs: list[tuple[str, ClassifierSpec, int, tuple[StepSpec, ...]]] = [
        (model, network(model, inputs, cfg.networks), cfg.batch, pair + minimal if cfg.references else pair)
        for model in cfg.models
    ]
    configs += [("mlp", mlp, batch, pair) for batch in cfg.batches]
    configs += [("mlp", depth_network(inputs, depth, cfg.width), cfg.batch, pair) for depth in cfg.depths]
    seen: set[tuple[str, int]] = set()
    configs = [c for c in configs if (c[1].name, c[2]) not in seen and not seen.add((c[1].name, c[2]))]
    parts: list[pd.DataFrame] = []
    for model, spec, batch, steps in ctx.progress.over(configs, lambda c: f"{c[1].name} batch {c[2]}"):
        seed = derive_seed(ctx.root_seed, NAME, spec.name, batch)
        x, y = fixed_batch(data, batch, seed)
        params = init_params(spec, np.random.default_rng(seed))
        readings = ctx.methods["step_costs"].step_memory(spec, params, x, y, steps, seed, PAPER_LR, PAPER_DECAY)
        for step in steps:
            reading = readings[step.label]
            fixed = ctx.identity(
                task=task_name(spec, cfg.dataset),
                method=step.kind,
                seed=seed,
                model=model,
                depth=len(spec.hidden),
                batch=batch,
                distribution=step.distribution,
                mechanism=reading.source,
            )
            parts.extend(measurements(fixed, name, getattr(reading, name)) for name in MEASURES)
            parts.append(
                measurements(
                    fixed, "paper_config", float(spec == network(model, inputs, cfg.networks) and batch == cfg.batch)
                )
            )
    return pd.concat(parts, ignore_index=True)
