"""Experiment ``error_measure``: squared error vs the information-theoretic error on XOR (claim A8).

Unnikrishnan & Venugopal 1994 report faster learning with an information-theoretic (cross-entropy) error
than with the squared error. Alopex-94 trains the same XOR 2-2-1 net on each error measure, each at the best
step size of its own sweep (the two errors have different scales), from the same initialisations; the
success criterion (every output within the margin) is the same for both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from benchmarks.alopex.runs import ALOPEX_94, EVALUATION, initial_weights, method_config, run_arm, tuned_arm
from benchmarks.alopex.tasks import boolean_task

if TYPE_CHECKING:
    from benchmarks.runner import RunContext

TASK = "xor"
ERRORS: tuple[str, ...] = ("squared", "cross_entropy")


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.config
    theta0 = None
    parts = []
    for error in ctx.progress.over(ERRORS, str):
        task = boolean_task(TASK, cfg.margin, error=error)
        if theta0 is None:
            theta0 = initial_weights(ctx, task, EVALUATION, cfg.seeds, cfg.init_scale)

        def make_config(delta: float) -> object:
            return method_config(ALOPEX_94, delta, cfg.alopex)

        arm, sweep_rows = tuned_arm(ctx, task, error, ALOPEX_94, cfg.deltas, cfg, make_config, cfg.sweep_seeds)
        parts.extend([sweep_rows, run_arm(ctx, task, arm, theta0, cfg, EVALUATION)[0]])
    return pd.concat(parts, ignore_index=True)
