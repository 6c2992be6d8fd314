"""Experiment ``learning_time``: iterations to the criterion on the Boolean problems (claims A1, A2, A3, A9).

Unnikrishnan & Venugopal 1994 report Alopex learning XOR, parity, the encoders and symmetry in times
comparable to backprop. Per task, Alopex-94, Alopex-B (Bia 2001) and full-batch backprop each run at the best
step size of their own sweep, then from the same ``seeds`` initialisations (see :mod:`benchmarks.alopex.runs`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from benchmarks.alopex.runs import METHODS, compare_methods
from benchmarks.alopex.tasks import boolean_task

if TYPE_CHECKING:
    from benchmarks.runner import RunContext


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.config
    parts = [
        compare_methods(ctx, boolean_task(name, cfg.margin), METHODS, cfg) for name in ctx.progress.over(cfg.tasks, str)
    ]
    return pd.concat(parts, ignore_index=True)
