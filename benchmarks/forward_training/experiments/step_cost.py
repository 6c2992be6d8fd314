"""Experiment ``step_cost``: wall time of one training step of each kind, per model (claim F4; the issue's
cost figures). Baydin et al. 2022 (arXiv 2202.08587, Sec. 5.2) compare t(FG) with t(BP) through
R_f = t(FG)/t(f) and R_b = t(BP)/t(f).

Per model (logistic regression, the MLP, the CNN) on one fixed minibatch of real training examples, the
kinds of :mod:`implementations.contracts.step_costs` listed in ``kinds``: ``forward`` (f alone), ``bp``
(the suite's backprop step), ``minimal_bp`` (hand-written), and per tangent law ``jvp`` (the JVP alone),
``fg`` (the suite's forward-gradient step) and ``minimal_fg`` (hand-written); ``fd`` (finite-difference
forward gradient) with the first law; on the MLP also ``fg`` with K = ``ks`` tangents of the last law
(one law: every K is a separate compiled step).

Rules (:mod:`benchmarks.timing`): every step is built and compiled before timing, its first call timed
apart (``first_call_seconds``), ``warmup`` untimed rounds, then ``repeats`` rounds (``cnn_repeats`` for
the CNN) in which all kinds of the model run interleaved (``step`` = round), so drift hits all alike and
ratios can be bootstrapped over paired rounds. Each kind's rows carry their own seed (derived from the
model's and the kind's label), so a (method, task, seed) names one configuration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from benchmarks.forward_training.tasks import fixed_batch, load_data, network, task_name
from benchmarks.seeding import derive_seed
from benchmarks.tables import measurements
from benchmarks.timing import time_interleaved
from implementations.contracts.classifiers import init_params
from implementations.contracts.minibatch_training import PAPER_DECAY, PAPER_LR
from implementations.contracts.step_costs import StepSpec

if TYPE_CHECKING:
    from benchmarks.runner import RunContext

NAME = "step_cost"


def step_kinds(model: str, kinds: list[str], distributions: list[str], ks: list[int]) -> tuple[StepSpec, ...]:
    """The kinds timed for ``model`` (module docstring), restricted to ``kinds``."""
    steps = [StepSpec(kind) for kind in ("forward", "bp", "minimal_bp") if kind in kinds]
    for law in distributions:
        steps += [StepSpec(kind, law, 1) for kind in ("jvp", "fg", "minimal_fg") if kind in kinds]
    if "fd" in kinds:
        steps.append(StepSpec("fd", distributions[0], 1))
    if model == "mlp":
        steps += [StepSpec("fg", distributions[-1], k) for k in ks[1:]]
    return tuple(steps)


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.config
    data = load_data(cfg.dataset)
    costs = ctx.methods["step_costs"]
    parts: list[pd.DataFrame] = []
    for model in ctx.progress.over(cfg.models, lambda m: f"{m} on {cfg.dataset}"):
        spec = network(model, data.x_train.shape[1], cfg.networks)
        seed = derive_seed(ctx.root_seed, NAME, model)
        x, y = fixed_batch(data, cfg.batch, seed)
        steps = step_kinds(model, list(cfg.kinds), list(cfg.distributions), list(cfg.ks))
        params = init_params(spec, np.random.default_rng(seed))
        functions = costs.step_functions(
            spec, params, x, y, steps, derive_seed(seed, ctx.framework), PAPER_LR, PAPER_DECAY
        )
        repeats = cfg.cnn_repeats if model == "cnn" else cfg.repeats
        ctx.progress.say(f"{model}: {len(steps)} kinds built; {repeats} interleaved rounds")
        timings = time_interleaved(functions, cfg.warmup, repeats)
        for step in steps:
            fixed = ctx.identity(
                task=task_name(spec, cfg.dataset, cfg.batch),
                method=step.kind,
                seed=derive_seed(seed, step.label),
                model=model,
                distribution=step.distribution,
                k=step.k,
            )
            parts.append(measurements(fixed, "seconds", timings.rounds[step.label], step=np.arange(repeats)))
            parts.append(measurements(fixed, "first_call_seconds", timings.first_call[step.label]))
            parts.append(measurements(fixed, "parameters", spec.num_params))
    return pd.concat(parts, ignore_index=True)
