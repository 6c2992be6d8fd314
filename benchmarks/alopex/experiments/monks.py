"""Experiment ``monks``: MONK's problems 1-3 (claim A6).

Unnikrishnan & Venugopal 1994 report Alopex solving Thrun et al.'s (1991) MONK's problems. A 17-h-1 net is
trained on each problem's training subset (problem 3 with its 5% label noise) by Alopex-94 and by backprop,
each at its best step size (chosen on training data only), and scored on all 432 patterns
(``test_accuracy`` per run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from benchmarks.alopex.runs import ALOPEX_94, BACKPROP, compare_methods, held_out_accuracy
from benchmarks.alopex.tasks import MONKS_PROBLEMS, monks_task

if TYPE_CHECKING:
    from benchmarks.runner import RunContext


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.config
    parts = []
    for name in ctx.progress.over(MONKS_PROBLEMS, str):
        task = monks_task(name, cfg.hidden, cfg.margin)
        parts.append(compare_methods(ctx, task, (ALOPEX_94, BACKPROP), cfg, held_out_accuracy(ctx, task)))
    return pd.concat(parts, ignore_index=True)
