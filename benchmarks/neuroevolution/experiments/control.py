"""Experiment ``control``: the GA, random search and OpenAI-ES on CartPole-v1 and Acrobot-v1 (claims G4, G5).

Such et al. 2017 (arXiv:1712.06567, Sec. 4) compare the GA with random search and OpenAI-ES (Salimans et al.
2017) at equal frames on Atari; on the CPU the suite runs the same algorithms on the classic control tasks
with MLP policies (tanh hidden layers, argmax over the logits), several independent runs per method
(see :mod:`benchmarks.neuroevolution.runs` for the rows).
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
    envs = [EnvSpec(name, cfg.max_steps[name]) for name in cfg.envs]
    return compare_methods(ctx, envs, cfg, list(cfg.methods), tuple(cfg.hidden))
