"""Experiment ``throughput``: generations per second of the suite's GA beside a library GA (report only).

Such et al. 2017 (arXiv:1712.06567) stress that their GA is fast (Atari in hours on one workstation). For a
sense of the suite's own speed, each framework times its GA (:func:`~benchmarks.neuroevolution.search.run_ga`,
in-process, with the smallest elite re-evaluation: 1 candidate, 1 episode, and a 1-episode final score) against
a library GA of the same framework on the same CartPole MLP, population and episode cap
(:mod:`implementations.contracts.ga_baselines`: evosax's ``SimpleGA`` with its gymnax rollout in JAX, EvoTorch's
``GeneticAlgorithm`` in PyTorch). Every timed call runs ``generations`` generations from a fresh random
population (the same workload profile for both: CartPole episodes lengthen as a run learns); the calls are
interleaved (:func:`benchmarks.timing.time_interleaved`: the first call, with compilation, timed apart, then
``warmup`` untimed rounds). Rows (axis ``engine``: ``suite`` or ``library``): ``seconds_per_generation`` per
timed round (``step`` = round), ``first_call_seconds``, and the suite's ``frames_per_generation`` per round.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from benchmarks.neuroevolution.distributed import InProcessEvaluator
from benchmarks.neuroevolution.runs import noise_table, policy_for, run_seed
from benchmarks.neuroevolution.search import run_ga
from benchmarks.tables import measurements
from benchmarks.timing import time_interleaved
from implementations.contracts.control_envs import EnvSpec
from implementations.contracts.neuroevolution import GAConfig

if TYPE_CHECKING:
    from benchmarks.runner import RunContext

ENV = "cartpole"
SUITE, LIBRARY = "suite", "library"


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.config
    env = EnvSpec(ENV, cfg.max_steps)
    policy = policy_for(env, tuple(cfg.hidden))
    noise = noise_table(ctx, cfg.table_size)
    engine = InProcessEvaluator(
        ctx.framework, policy, env, noise, cfg.sigma, 2 * cfg.population, ctx.params.target, cfg.threads
    )
    ctx.progress.say(f"both GAs on {cfg.threads} thread(s)")
    config = GAConfig(
        population=cfg.population,
        truncation=cfg.truncation,
        sigma=cfg.sigma,
        generations=cfg.generations,
        episodes=1,
        elite_candidates=1,
        elite_episodes=1,
        final_episodes=1,
    )
    calls = iter(range(10**9))
    frames: list[float] = []

    def ours() -> None:
        result = run_ga(config, engine, run_seed(ctx, ENV, "throughput", next(calls)))
        frames.append(sum(r.frames for r in result.records) / cfg.generations)

    baselines = ctx.methods["ga_baselines"]
    seed = run_seed(ctx, ENV, "library", 0)
    library = baselines.library_ga(cfg.population, tuple(cfg.hidden), cfg.sigma, cfg.max_steps, cfg.generations, seed)
    name = baselines.library_version()
    ctx.progress.say(f"timing the suite's GA and {name}: {cfg.warmup} warm-up and {cfg.repeats} timed rounds")
    timings = time_interleaved({SUITE: ours, LIBRARY: library}, cfg.warmup, cfg.repeats)
    parts = []
    for kind, label in ((SUITE, "suite GA (Such et al.)"), (LIBRARY, name)):
        fixed = ctx.identity(task=ENV, method=label, seed=seed, engine=kind)
        per_generation = np.asarray(timings.rounds[kind]) / cfg.generations
        parts.append(measurements(fixed, "seconds_per_generation", per_generation, step=np.arange(cfg.repeats)))
        parts.append(measurements(fixed, "first_call_seconds", timings.first_call[kind]))
        ctx.progress.say(f"{label}: median {np.median(per_generation) * 1e3:.3g} ms per generation")
    timed = frames[-cfg.repeats :]
    fixed = ctx.identity(task=ENV, method="suite GA (Such et al.)", seed=seed, engine=SUITE)
    parts.append(measurements(fixed, "frames_per_generation", timed, step=np.arange(len(timed))))
    return pd.concat(parts, ignore_index=True)
