"""Runs of the search experiments: configs from params, one search per (environment, method, run), tidy rows.

Such et al. 2017 (arXiv:1712.06567) compare the GA, random search and (from Salimans et al. 2017,
arXiv:1703.03864) OpenAI-ES at equal frames, and GA-NS (Lehman & Stanley 2011) on a deceptive maze. The
algorithms themselves are :mod:`benchmarks.neuroevolution.search` (the driver) and
:mod:`implementations.contracts.neuroevolution` (their statement); this module only builds their configs from
the params, seeds every run from the root seed and the run's identity (the same seed in both frameworks, so the
two frameworks run the same genomes), and turns results into rows.

Row layout (axes ``run``, ``generation``, ``individual``; ``task`` = the environment, ``method`` = the search):

- per generation (``individual`` = -1, ``step`` = generation): every field of
  :class:`~benchmarks.neuroevolution.search.GenerationRecord` named in :data:`RECORD_MEASURES`;
- per run (``generation`` = 0, ``individual`` = -1): ``final_score``, ``final_frames``, ``total_frames``,
  ``final_episodes``, ``evaluation_threads``, ``episode_cap`` (the environment's ``max_steps``), ``ray_workers``
  (0: evaluated in-process);
- the random networks of the GA's (and random search's) first generation (``generation`` = 1, one row per
  ``individual``): ``initial_fitness``, the baseline of "clearly above random";
- the maze: ``final_x``, ``final_y`` of the last population (one row per ``individual``) or of ES's final mean.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from benchmarks.neuroevolution.distributed import InProcessEvaluator, RayEvaluator
from benchmarks.neuroevolution.params import SearchBudget
from benchmarks.neuroevolution.search import SearchResult, run_es, run_ga, run_novelty_search
from benchmarks.seeding import derive_seed
from benchmarks.tables import measurements
from implementations.contracts.control_envs import MINATAR, EnvSpec, n_actions, observation_shape
from implementations.contracts.neuroevolution import ESConfig, GAConfig, NoveltySearchConfig, RandomSearchConfig
from implementations.contracts.policy_genomes import NoiseTableSpec, PolicySpec

if TYPE_CHECKING:
    from benchmarks.runner import RunContext

GA, RANDOM_SEARCH, NOVELTY_SEARCH, ES = "ga", "random_search", "novelty_search", "es"
METHOD_LABELS: dict[str, str] = {GA: "GA", RANDOM_SEARCH: "random search", NOVELTY_SEARCH: "GA-NS", ES: "OpenAI-ES"}
RECORD_MEASURES: tuple[str, ...] = (
    "best_fitness",
    "mean_fitness",
    "elite_fitness",
    "frames",
    "cumulative_frames",
    "wall_time",
    "evaluations",
    "bytes_sent",
    "bytes_received",
    "genome_bytes",
    "parameter_bytes",
    "cache_hit_rate",
    "archive_size",
    "reached",
)
NO_INDIVIDUAL = -1
RUN_LEVEL = 0
"""``generation`` of the per-run rows (generations count from 1)."""


def noise_table(ctx: RunContext, size: int) -> NoiseTableSpec:
    """The study's shared noise table at ``size`` entries, seeded from the root seed alone (so every
    experiment and both frameworks index the same numbers)."""
    return NoiseTableSpec(seed=derive_seed(ctx.root_seed, ctx.study, "noise_table"), size=size)


def policy_for(env: EnvSpec, hidden: tuple[int, ...] = (64, 64)) -> PolicySpec:
    """The policy net of an environment: the MinAtar paper's conv net on MinAtar, else an MLP of ``hidden``."""
    kind = "minatar_cnn" if env.name in MINATAR else "mlp"
    return PolicySpec(kind, tuple(observation_shape(env)), n_actions(env), hidden=tuple(hidden))


def method_config(method: str, cfg: SearchBudget) -> GAConfig | RandomSearchConfig | NoveltySearchConfig | ESConfig:
    """The contract's config of ``method`` from an experiment block (random search shares the GA's budget)."""
    common = {"episodes": cfg.episodes, "final_episodes": cfg.final_episodes}
    ga = cfg.ga
    if method == GA:
        return GAConfig(
            population=ga.population,
            truncation=ga.truncation,
            sigma=ga.sigma,
            generations=ga.generations,
            elite_candidates=ga.elite_candidates,
            elite_episodes=ga.elite_episodes,
            **common,
        )
    if method == RANDOM_SEARCH:
        return RandomSearchConfig(
            population=ga.population,
            generations=ga.generations,
            elite_candidates=ga.elite_candidates,
            elite_episodes=ga.elite_episodes,
            **common,
        )
    if method == ES:
        es = cfg.es
        return ESConfig(
            population=es.population,
            sigma=es.sigma,
            learning_rate=es.learning_rate,
            l2_coefficient=es.l2_coefficient,
            generations=es.generations,
            mean_episodes=es.mean_episodes,
            **common,
        )
    if method == NOVELTY_SEARCH:
        ns = getattr(cfg, "novelty_search", None)
        if ns is None:
            raise ValueError(
                f"method {method!r} needs a 'novelty_search' block; valid here: {GA}, {RANDOM_SEARCH}, {ES}"
            )
        return NoveltySearchConfig(
            population=ns.population,
            truncation=ns.truncation,
            sigma=ns.sigma,
            generations=ns.generations,
            k=ns.k,
            archive_rule=ns.archive_rule,
            archive_probability=ns.archive_probability,
            **common,
        )
    raise ValueError(f"unknown method {method!r}; valid: {GA}, {RANDOM_SEARCH}, {NOVELTY_SEARCH}, {ES}")


def decode_sigma(config: GAConfig | RandomSearchConfig | NoveltySearchConfig | ESConfig) -> float:
    """The mutation power the evaluator decodes genomes with (random search and ES never mutate a genome, so
    any value serves; theirs is their own sigma, recorded with the run)."""
    return float(config.sigma) if hasattr(config, "sigma") else 1.0


def run_seed(ctx: RunContext, env: str, method: str, run: int) -> int:
    """A run's seed: from the root seed, the experiment, the environment, the method and the run index (not the
    framework: run i of a method starts from the same genomes in PyTorch and JAX)."""
    return derive_seed(ctx.root_seed, ctx.experiment, env, method, run)


def evaluator(
    ctx: RunContext, policy: PolicySpec, env: EnvSpec, noise: NoiseTableSpec, sigma: float, cache: int
) -> InProcessEvaluator | RayEvaluator:
    """The experiment's evaluation engine for this stage's framework and target: with ``ray_workers`` = 0 in
    this process on ``threads`` threads (a population's rollout is many tiny steps, latency-bound: on a CPU one
    thread beats two, and the stage is pinned to that many cores), else ``ray_workers`` Ray actors (a local Ray
    the evaluator starts and stops, or the cluster at ``ray_address``). Each run records both settings."""
    cfg = ctx.config
    if cfg.ray_workers:
        return RayEvaluator(
            ctx.framework,
            policy,
            env,
            noise,
            sigma,
            workers=cfg.ray_workers,
            address=cfg.ray_address,
            cache_size=cache,
            target=ctx.params.target,
        )
    return InProcessEvaluator(
        ctx.framework, policy, env, noise, sigma, cache_size=cache, target=ctx.params.target, threads=cfg.threads
    )


def search(
    method: str,
    config: GAConfig | RandomSearchConfig | NoveltySearchConfig | ESConfig,
    engine: object,
    seed: int,
    goal: Callable[[np.ndarray], np.ndarray] | None = None,
) -> SearchResult:
    """One run of ``method`` (the GA and random search keep their populations: the first generation is the
    random-network baseline, the last one the maze's final positions)."""
    if method in (GA, RANDOM_SEARCH):
        return run_ga(config, engine, seed, keep_populations=True, goal=goal)
    if method == NOVELTY_SEARCH:
        return run_novelty_search(config, engine, seed, goal=goal)
    if method == ES:
        return run_es(config, engine, seed, goal=goal)
    raise ValueError(f"unknown method {method!r}; valid: {GA}, {RANDOM_SEARCH}, {NOVELTY_SEARCH}, {ES}")


def _individuals(fixed: dict[str, object], measure: str, values: np.ndarray, generation: int) -> pd.DataFrame:
    values = np.asarray(values, np.float64).ravel()
    return measurements(
        fixed,
        measure,
        values,
        generation=np.full(values.size, generation),
        individual=np.arange(values.size),
        step=np.full(values.size, generation),
    )


def result_rows(
    fixed: dict[str, object],
    result: SearchResult,
    final_episodes: int,
    positions: np.ndarray | None = None,
    threads: int = 1,
    episode_cap: int = 0,
    ray_workers: int = 0,
) -> pd.DataFrame:
    """The rows of one run (see the module docstring); ``fixed`` holds the identity columns and ``run``;
    ``episode_cap`` the environment's ``max_steps`` (0: unknown); ``ray_workers`` 0 for in-process."""
    generations = np.array([record.generation for record in result.records], np.int64)
    none = np.full(generations.size, NO_INDIVIDUAL)
    table = result.table()
    parts = [
        measurements(
            fixed,
            name,
            [float(row[name]) for row in table],
            generation=generations,
            individual=none,
            step=generations,
        )
        for name in RECORD_MEASURES
    ]
    run_values = {
        "final_score": result.final_score,
        "final_frames": result.final_frames,
        "total_frames": result.total_frames,
        "final_episodes": final_episodes,
        "evaluation_threads": threads,
        "ray_workers": ray_workers,
        "episode_cap": episode_cap,
    }
    for name, value in run_values.items():
        parts.append(measurements(fixed, name, float(value), generation=[RUN_LEVEL], individual=[NO_INDIVIDUAL]))
    if result.method in (GA, RANDOM_SEARCH) and result.populations:
        parts.append(_individuals(fixed, "initial_fitness", result.populations[0]["fitness"], 1))
    if positions is not None:
        last = int(generations[-1])
        parts.append(_individuals(fixed, "final_x", positions[:, 0], last))
        parts.append(_individuals(fixed, "final_y", positions[:, 1], last))
    return pd.concat(parts, ignore_index=True)


def compare_methods(
    ctx: RunContext,
    envs: list[EnvSpec],
    cfg: SearchBudget,
    methods: list[str],
    hidden: tuple[int, ...] = (64, 64),
) -> pd.DataFrame:
    """Every (environment, method, run) of a search experiment, in-process, with its rows."""
    noise = noise_table(ctx, cfg.table_size)
    items = [(env, method, run) for env in envs for method in methods for run in range(cfg.seeds)]
    parts = []
    for env, method, run in ctx.progress.over(items, lambda i: f"{i[0].name} {METHOD_LABELS[i[1]]} run {i[2]}"):
        config = method_config(method, cfg)
        policy = policy_for(env, hidden)
        engine = evaluator(ctx, policy, env, noise, decode_sigma(config), cfg.cache_size)
        seed = run_seed(ctx, env.name, method, run)
        try:
            result = search(method, config, engine, seed)
        finally:
            engine.close()
        ctx.progress.say(
            f"final score {result.final_score:.4g} after {len(result.records)} generations, "
            f"{result.total_frames:,} frames"
        )
        fixed = ctx.identity(task=env.name, method=method, seed=seed, run=run)
        parts.append(
            result_rows(
                fixed,
                result,
                cfg.final_episodes,
                threads=cfg.threads,
                episode_cap=env.max_steps,
                ray_workers=cfg.ray_workers,
            )
        )
    return pd.concat(parts, ignore_index=True)
