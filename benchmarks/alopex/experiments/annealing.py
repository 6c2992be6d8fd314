"""Experiment ``annealing``: the temperature schedule vs a fixed small temperature on XOR (claim A7).

Unnikrishnan & Venugopal 1994 credit Alopex's annealing (T refreshed every M iterations from the recent
|correlations|) with escaping local minima. Both arms run Alopex-94 at the same step size from the same
initialisations; the control holds T at ``fixed_temperature`` for the whole run (near-deterministic steps
against the last correlation).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from benchmarks.alopex.runs import ALOPEX_94, EVALUATION, Arm, initial_weights, method_config, run_arm
from benchmarks.alopex.tasks import boolean_task

if TYPE_CHECKING:
    from benchmarks.runner import RunContext

TASK = "xor"
ANNEALED, FIXED = "annealed", "fixed_temperature"


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.config
    task = boolean_task(TASK, cfg.margin)
    theta0 = initial_weights(ctx, task, EVALUATION, cfg.seeds, cfg.init_scale)
    arms = [
        Arm(ANNEALED, ALOPEX_94, method_config(ALOPEX_94, cfg.delta, cfg.alopex), cfg.delta),
        Arm(
            FIXED,
            ALOPEX_94,
            method_config(ALOPEX_94, cfg.delta, cfg.alopex, anneal=False, initial_temperature=cfg.fixed_temperature),
            cfg.delta,
        ),
    ]
    parts = [run_arm(ctx, task, arm, theta0, cfg, EVALUATION)[0] for arm in ctx.progress.over(arms, lambda a: a.label)]
    return pd.concat(parts, ignore_index=True)
