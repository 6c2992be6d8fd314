"""Experiment ``scaling``: the distributed GA's bytes and speed (claim G7).

Such et al. 2017 (arXiv:1712.06567, Sec. 3.1) send workers seed lists, never parameters, so the traffic of a
generation does not grow with the network, and evaluation spreads over workers (their Atari GA ran on 720
cores). With :class:`~benchmarks.neuroevolution.distributed.RayEvaluator` the suite runs the same GA generations
(same seed, so the same genomes and the same fitness whatever the engine) on CartPole:

- the small MLP in-process (one thread), and on Ray with each number of ``workers`` (one thread each): seconds
  per generation (engine ``in_process`` / ``ray``);
- a 4 M-parameter MLP (``large_hidden``: as many parameters as the Atari net, which has no CPU environment
  here) on Ray with the most workers: the bytes sent and received per generation, beside those of the small net.

The first ``warmup`` generations (compilation, actor start-up) are dropped. Bytes are what the evaluator
serialises (``ray.cloudpickle``), counted per generation by the driver. Ray is started once here, with as many
CPUs as the most workers, and shut down at the end; with ``ray_address`` set the stage connects to that running
cluster instead (its workers then run wherever Ray places them, so the times measure that cluster).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from benchmarks.neuroevolution.distributed import InProcessEvaluator, RayEvaluator
from benchmarks.neuroevolution.runs import noise_table, policy_for, run_seed
from benchmarks.neuroevolution.search import SearchResult, run_ga
from benchmarks.tables import measurements
from implementations.contracts.control_envs import EnvSpec
from implementations.contracts.neuroevolution import GAConfig
from implementations.contracts.policy_genomes import n_params

if TYPE_CHECKING:
    from benchmarks.runner import RunContext

ENV = "cartpole"
SMALL, LARGE = "small_mlp", "large_mlp"
IN_PROCESS, RAY = "in_process", "ray"
TIMED: tuple[str, ...] = ("wall_time", "bytes_sent", "bytes_received", "genome_bytes", "parameter_bytes", "frames")


def _rows(
    ctx: RunContext, task: str, engine: str, workers: int, seed: int, result: SearchResult, parameters: int
) -> pd.DataFrame:
    """Per timed generation (after the warm-up) every measure of :data:`TIMED`, plus the net's size."""
    kept = result.records[ctx.config.warmup :]
    # the engine in the method label too: every engine runs the same seed, and MLflow names a run by its columns
    fixed = ctx.identity(task=task, method=f"ga {engine} x{workers}", seed=seed, engine=engine, workers=workers)
    generations = np.array([r.generation for r in kept])
    parts = [
        measurements(fixed, name, [float(getattr(r, name)) for r in kept], generation=generations, step=generations)
        for name in TIMED
    ]
    parts.append(measurements(fixed, "n_params", float(parameters), generation=[0]))
    return pd.concat(parts, ignore_index=True)


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    import ray

    cfg = ctx.config
    noise = noise_table(ctx, cfg.table_size)
    config = GAConfig(
        population=cfg.population,
        truncation=cfg.truncation,
        sigma=cfg.sigma,
        generations=cfg.warmup + cfg.generations,
        episodes=1,
        elite_candidates=cfg.elite_candidates,
        elite_episodes=1,
        final_episodes=1,
    )
    seed = run_seed(ctx, ENV, "ga", 0)
    most = max(cfg.workers)
    plans = [(SMALL, IN_PROCESS, 1)] + [(SMALL, RAY, w) for w in cfg.workers] + [(LARGE, RAY, most)]
    started = not ray.is_initialized()
    if started and cfg.ray_address is None:
        ray.init(num_cpus=most, include_dashboard=False, log_to_driver=False)
    elif started:
        ray.init(address=cfg.ray_address, log_to_driver=False)
    parts = []
    try:
        for task, engine, workers in ctx.progress.over(plans, lambda p: f"{p[0]} {p[1]} x{p[2]}"):
            steps = cfg.large_max_steps if task == LARGE else cfg.max_steps
            env = EnvSpec(ENV, steps)
            policy = policy_for(env, tuple(cfg.large_hidden if task == LARGE else cfg.hidden))
            args = (ctx.framework, policy, env, noise, cfg.sigma)
            if engine == IN_PROCESS:
                evaluator = InProcessEvaluator(*args, cache_size=2 * cfg.population, target=ctx.params.target)
            else:
                evaluator = RayEvaluator(
                    *args, workers, address=cfg.ray_address, cache_size=2 * cfg.population, target=ctx.params.target
                )
            try:
                result = run_ga(config, evaluator, seed)
            finally:
                evaluator.close()
            seconds = [r.wall_time for r in result.records[cfg.warmup :]]
            ctx.progress.say(f"median {np.median(seconds):.3g} s per generation, {n_params(policy):,} parameters")
            parts.append(_rows(ctx, task, engine, workers, seed, result, n_params(policy)))
    finally:
        if started:
            ray.shutdown()
    return pd.concat(parts, ignore_index=True)
