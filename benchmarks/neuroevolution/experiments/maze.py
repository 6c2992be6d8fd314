"""Experiment ``maze``: GA-NS, the GA and OpenAI-ES on the deceptive maze (claim G6).

Such et al. 2017 (arXiv:1712.06567, Sec. 4.3) show that novelty search on the GA (GA-NS; Lehman & Stanley
2011) solves a deceptive "hard maze" in which the reward-maximising GA and ES get stuck in the trap that
points toward the goal. The suite's maze (interface B's contract) keeps that structure with a point robot and
an MLP policy. Per generation the driver counts the individuals whose final position lies within the goal
radius (``reached``); after the run the last population (the GA; GA-NS's is kept by the driver) or ES's final
mean is played once more to record final positions for the figure: those evaluations are outside the frame
budget and never feed a verdict.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from benchmarks.neuroevolution.runs import (
    ES,
    METHOD_LABELS,
    NOVELTY_SEARCH,
    decode_sigma,
    evaluator,
    method_config,
    noise_table,
    policy_for,
    result_rows,
    run_seed,
    search,
)
from benchmarks.seeding import derive_seed
from implementations.contracts.control_envs import MAZE_GOAL_RADIUS, EnvSpec, maze_distance_numpy

if TYPE_CHECKING:
    from benchmarks.neuroevolution.search import SearchResult
    from benchmarks.runner import RunContext

ENV = "deceptive_maze"


def reached_goal(positions: np.ndarray) -> np.ndarray:
    """bool [M]: final positions [M, 2] within the goal radius (the episode's termination rule)."""
    return maze_distance_numpy(positions) <= MAZE_GOAL_RADIUS


def _final_positions(method: str, result: SearchResult, engine: object, seed: int) -> np.ndarray:
    """[M, 2]: where the last population (GA, GA-NS) or the final mean (ES) ends, one episode each."""
    if method == NOVELTY_SEARCH:
        return np.asarray(result.populations[-1]["positions"], np.float64)
    if method == ES:
        engine.set_theta(result.theta)
        return engine.evaluate_theta(1, seed).final_positions[:, 0, :]
    return engine.evaluate_genomes(result.populations[-1]["genomes"], 1, seed).final_positions[:, 0, :]


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.config
    env = EnvSpec(ENV, cfg.max_steps)
    policy = policy_for(env, tuple(cfg.hidden))
    noise = noise_table(ctx, cfg.table_size)
    items = [(method, run) for method in cfg.methods for run in range(cfg.seeds)]
    parts = []
    for method, index in ctx.progress.over(items, lambda i: f"{METHOD_LABELS[i[0]]} run {i[1]}"):
        config = method_config(method, cfg)
        engine = evaluator(ctx, policy, env, noise, decode_sigma(config), cfg.cache_size)
        seed = run_seed(ctx, ENV, method, index)
        try:
            result = search(method, config, engine, seed, goal=reached_goal)
            positions = _final_positions(method, result, engine, derive_seed(seed, "positions"))
        finally:
            engine.close()
        first = next((r.generation for r in result.records if r.reached > 0), None)
        ctx.progress.say(f"goal first reached in generation {first}" if first else "goal never reached")
        fixed = ctx.identity(task=ENV, method=method, seed=seed, run=index)
        parts.append(
            result_rows(fixed, result, cfg.final_episodes, positions, cfg.threads, cfg.max_steps, cfg.ray_workers)
        )
    return pd.concat(parts, ignore_index=True)
