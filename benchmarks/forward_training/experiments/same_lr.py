"""Experiment ``same_lr``: forward-gradient SGD vs backprop SGD at the same learning rate (claims F5, F6),
the protocol of Baydin et al. 2022 (arXiv 2202.08587, Sec. 5.2): eta_t = eta_0 exp(-k t) with eta_0 = ``lr``
(the paper's 2e-4 for the MLP), k = ``decay`` (1e-4), minibatches of ``batch`` (64), Gaussian tangents.

For every model in ``steps`` (model -> iterations; the profiles for a CPU leave the CNN out, whose JAX
runs take minutes each there, and the figure says which models ran), ``seeds`` paired runs
(:mod:`.training`): the same initial parameters and minibatch order for both methods, a fresh tangent
stream per run. Rows as :mod:`.training` describes, with axes ``model``, ``lr`` and ``distribution``.
``target_loss`` is recorded on every row set and ``judged`` (1/0) marks the model F5 and F6 are judged on
(F5 reads its seconds to the target, F6 its final training and test losses).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from benchmarks.forward_training.experiments.training import METHOD_ORDER, curve_rows, paired_run
from benchmarks.forward_training.tasks import load_data, network, run_seed, task_name
from benchmarks.tables import measurements

if TYPE_CHECKING:
    from benchmarks.runner import RunContext

NAME = "same_lr"


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.config
    data = load_data(cfg.dataset)
    trainer = ctx.methods["minibatch_training"]
    items = [(model, index) for model in cfg.steps for index in range(cfg.seeds)]
    parts: list[pd.DataFrame] = []
    for model, index in ctx.progress.over(items, lambda item: f"{item[0]} pair {item[1] + 1}/{cfg.seeds}"):
        spec = network(model, data.x_train.shape[1], cfg.networks)
        steps = cfg.steps[model]
        seed = run_seed(ctx.root_seed, NAME, model, index)
        curves = paired_run(trainer, spec, data, cfg, seed, ctx.framework, steps, dict.fromkeys(METHOD_ORDER, cfg.lr))
        for method, curve in curves.items():
            fixed = ctx.identity(
                task=task_name(spec, cfg.dataset),
                method=method,
                seed=seed,
                model=model,
                lr=cfg.lr,
                distribution=cfg.distribution,
            )
            parts += curve_rows(fixed, curve, steps, cfg.target_loss)
            parts.append(measurements(fixed, "judged", float(model == cfg.judged)))
    return pd.concat(parts, ignore_index=True)
