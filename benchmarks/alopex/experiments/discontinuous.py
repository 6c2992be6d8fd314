"""Experiment ``discontinuous``: Heaviside units (claim A4).

Alopex needs only the error, so it trains nets whose hidden and output units are step functions
(Unnikrishnan & Venugopal 1994); backprop on the same net sees an exactly zero gradient (its
``trace_grad_norm`` rows show it) and never moves. XOR 2-2-1 and 3-bit parity 3-3-1, both methods swept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from benchmarks.alopex.runs import ALOPEX_94, BACKPROP, compare_methods
from benchmarks.alopex.tasks import boolean_task

if TYPE_CHECKING:
    from benchmarks.runner import RunContext

HEAVISIDE = "heaviside"


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.config
    parts = []
    for name in ctx.progress.over(cfg.tasks, str):
        task = boolean_task(name, cfg.margin, hidden=HEAVISIDE, output=HEAVISIDE)
        parts.append(compare_methods(ctx, task, (ALOPEX_94, BACKPROP), cfg))
    return pd.concat(parts, ignore_index=True)
