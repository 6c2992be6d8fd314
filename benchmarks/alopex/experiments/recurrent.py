"""Experiment ``recurrent``: an Elman net on temporal XOR (claim A5).

Unnikrishnan & Venugopal 1994 apply the same Alopex update to a recurrent net. The net (1-h-1 with h context
units, Elman 1990) reads one bit per step and predicts the next; only every third bit (the XOR of the two
before it) is predictable, and only those count in the error, the criterion and the score: accuracy on the
predictable bits of a held-out stream (``test_accuracy`` per run). Backprop through time on the same net is
the reference.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from benchmarks.alopex.runs import ALOPEX_94, BACKPROP, compare_methods, held_out_accuracy
from benchmarks.alopex.tasks import temporal_xor_task

if TYPE_CHECKING:
    import pandas as pd

    from benchmarks.runner import RunContext


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.config
    task = temporal_xor_task(cfg.hidden, cfg.window, cfg.windows, cfg.test_steps, cfg.margin)
    ctx.progress.say(f"temporal XOR: {cfg.windows} sequences of {cfg.window} steps, net {task.net.layers}")
    return compare_methods(ctx, task, (ALOPEX_94, BACKPROP), cfg, held_out_accuracy(ctx, task))
