"""Experiment ``minatar``: the GA, random search and OpenAI-ES on MinAtar Breakout and Asterix (claims G4, G5).

Such et al. 2017 (arXiv:1712.06567, Sec. 4.1) evolve the DQN net on Atari; MinAtar (Young & Tian 2019,
arXiv:1903.03176) keeps the games' mechanics on a 10x10 grid, so the same comparison fits a CPU budget with the
MinAtar paper's small conv net. Sticky actions are off by default in both frameworks (gymnax has none; the
reference MinAtar's default is 0.1), as interface B's contract records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from benchmarks.neuroevolution.runs import compare_methods
from implementations.contracts.control_envs import EnvSpec

if TYPE_CHECKING:
    import pandas as pd

    from benchmarks.runner import RunContext


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.config
    envs = [EnvSpec(name, cfg.max_steps, sticky_action_prob=cfg.sticky_action_prob) for name in cfg.envs]
    return compare_methods(ctx, envs, cfg, list(cfg.methods))
