"""The framework-neutral search driver: the GA, random search, novelty search on the GA and OpenAI-ES.

Papers: Such et al. 2017, "Deep Neuroevolution: Genetic Algorithms Are a Competitive Alternative for Training
Deep Neural Networks for Reinforcement Learning", arXiv:1712.06567 (Sec. 3 the GA and random search, Sec. 4.3
GA-NS); Salimans et al. 2017, arXiv:1703.03864 (OpenAI-ES); Lehman & Stanley 2011 (novelty search). The
algorithms, their draw order and frame accounting are stated in :mod:`implementations.contracts.neuroevolution`;
this module runs them with bookkeeping (per-generation records: best, mean and elite fitness, frames, wall
time, bytes, decoder cache hit rate) and reaches PyTorch or JAX only through an
:class:`~benchmarks.neuroevolution.distributed.Evaluator` (in-process or Ray actors), NumPy in, NumPy out.

The contract's :func:`~implementations.contracts.neuroevolution.ga_reference` and
:func:`~implementations.contracts.neuroevolution.novelty_reference` restate the same rules literally; the tests
run both on synthetic evaluators and require identical populations, elites and scores.

Planted-defect hooks (used by tests only; production code never changes them): the module-level functions
:func:`rank` (selection; plant "selection ignores fitness" with ``lambda scores: np.arange(len(scores))``) and
:func:`carry_elite` (plant "elite not carried" with ``lambda elite, offspring: [offspring[0], *offspring]``)
are looked up at call time, so ``monkeypatch.setattr(search, "rank", ...)`` changes every run in the test.
"Decode drops a generation" is planted in the evaluator: pass ``decoder=`` to
:class:`~benchmarks.neuroevolution.distributed.InProcessEvaluator` (a ``GenomeDecoder`` subclass whose
``decode`` strips each genome's last seed).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from implementations.contracts.control_envs import MAZE_GOAL_RADIUS, maze_distance_numpy
from implementations.contracts.neuroevolution import (
    AdamState,
    ESConfig,
    Evaluation,
    GAConfig,
    Genome,
    NoveltySearchConfig,
    RandomSearchConfig,
    adam_init,
    antithetic_weights,
    draw_seeds,
    novelty,
)

if TYPE_CHECKING:
    from benchmarks.neuroevolution.distributed import Evaluator

METHODS: tuple[str, ...] = ("ga", "random_search", "novelty_search", "es")
SearchConfig = GAConfig | RandomSearchConfig | NoveltySearchConfig | ESConfig
GoalTest = Callable[[np.ndarray], np.ndarray]
"""final positions [M, 2] -> bool [M]: which individuals reached the goal (the maze)."""


@dataclass(frozen=True)
class GenerationRecord:
    """One generation's bookkeeping (one row of the per-generation table)."""

    generation: int
    """1-based."""
    best_fitness: float
    """Largest mean return in the evaluated population (ES: among the n perturbations)."""
    mean_fitness: float
    elite_fitness: float
    """GA/RS: the elite's mean over ``elite_episodes``; GA-NS: the best reward so far; ES: the updated mean theta."""
    frames: int
    """Environment steps this generation: population + elite re-evaluation (ES: + the mean's evaluation)."""
    cumulative_frames: int
    wall_time: float
    """Seconds for this generation (evaluation, selection and bookkeeping)."""
    evaluations: int
    """Individuals (parameter vectors) evaluated this generation, elite candidates included."""
    bytes_sent: int
    """Serialised bytes the driver sent to evaluation workers (0 in-process)."""
    bytes_received: int
    """Serialised bytes of the results returned by the workers (0 in-process)."""
    broadcast_bytes: int
    """ES on Ray: bytes of the mean parameters fetched by workers (one copy per worker that fetched them)."""
    genome_bytes: int
    """8 bytes per seed of every genome evaluated (interface A's ``genome_bytes``); ES: 8 per tau + theta's id."""
    parameter_bytes: int
    """What sending parameters would cost: ``4 n_params`` per evaluated vector."""
    cache_hit_rate: float
    """Decoder parent-cache hits / lookups this generation (summed over workers); NaN when nothing was decoded."""
    archive_size: int = 0
    """GA-NS: behaviours in the archive after this generation."""
    reached: int = -1
    """Individuals of this generation that reached the goal (a goal test was given), else -1."""


@dataclass
class SearchResult:
    """A whole run: its records, its final score and what it ended with."""

    method: str
    config: SearchConfig
    seed: int
    records: list[GenerationRecord]
    final_score: float
    """GA/RS: the last elite on ``final_episodes``; GA-NS: the champion; ES: the final mean theta."""
    final_frames: int
    total_frames: int
    """cumulative frames of every generation + the final evaluation."""
    elite: Genome | None = None
    theta: np.ndarray | None = None
    populations: list[dict] = field(default_factory=list)
    """With ``keep_populations`` (GA-NS: always): per generation ``genomes``, ``fitness`` [N], ``parents``,
    ``elite``, and GA-NS's ``novelty`` [N], ``positions`` [N, 2], ``reached`` [N] (bool, with a goal test)."""

    def table(self) -> list[dict]:
        """The records as a list of plain dicts (one per generation)."""
        return [asdict(record) for record in self.records]


def _finished(
    method: str,
    config: SearchConfig,
    seed: int,
    records: list[GenerationRecord],
    final: Evaluation,
    cumulative: int,
    **ended_with: object,
) -> SearchResult:
    """A run's result from its final evaluation: the mean return and the frames it took, added to the total."""
    final_frames = int(final.frames.sum())
    return SearchResult(
        method,
        config,
        int(seed),
        records,
        float(final.fitness.mean()),
        final_frames,
        cumulative + final_frames,
        **ended_with,
    )


# ---------------------------------------------------------------------------------------------------------
# selection hooks (module-level so planted-defect tests can replace them)


def rank(scores: np.ndarray) -> np.ndarray:
    """Indices of ``scores`` from best to worst (a stable sort: ties keep the lower index first)."""
    return np.argsort(-np.asarray(scores, np.float64), kind="stable")


def carry_elite(elite: Genome, offspring: list[Genome]) -> list[Genome]:
    """The next population: the elite, unchanged, first, then the offspring (Such et al. Sec. 3's elitism)."""
    return [elite, *offspring]


def _fresh(rng: np.random.Generator, count: int) -> list[Genome]:
    return [(seed,) for seed in draw_seeds(rng, count)]


def _offspring(rng: np.random.Generator, parents: list[Genome], count: int) -> list[Genome]:
    """``count`` children: parent picks first, then their new seeds (the contract's draw order)."""
    picks = rng.integers(0, len(parents), count)
    return [parents[int(p)] + (s,) for p, s in zip(picks, draw_seeds(rng, count), strict=True)]


def maze_goal(positions: np.ndarray) -> np.ndarray:
    """bool [M]: the final positions [M, 2] within interface B's ``MAZE_GOAL_RADIUS`` of the maze's goal (its
    termination rule): the ``goal`` test for the deceptive maze."""
    return maze_distance_numpy(positions) <= MAZE_GOAL_RADIUS


def _hit_rate(hits: int, misses: int) -> float:
    return hits / (hits + misses) if hits + misses else float("nan")


class _Ledger:
    """Counts frames, bytes and time for one generation; :meth:`close` turns them into a record."""

    def __init__(self, evaluator: Evaluator, cumulative: int) -> None:
        self.evaluator = evaluator
        self.cumulative = cumulative
        self.start = time.perf_counter()
        self.frames = self.evaluations = self.genome_bytes = 0

    def evaluated(self, result: Evaluation, seeds: int) -> Evaluation:
        self.frames += int(result.frames.sum())
        self.evaluations += len(result.frames)
        self.genome_bytes += 8 * seeds
        return result

    def genomes(self, genomes: Sequence[Genome], episodes: int, seed: int) -> Evaluation:
        result = self.evaluator.evaluate_genomes(list(genomes), episodes, seed)
        return self.evaluated(result, sum(len(g) for g in genomes))

    def close(self, generation: int, fitness: np.ndarray, elite_fitness: float, **extra: int) -> GenerationRecord:
        counters = self.evaluator.take_counters()
        self.cumulative += self.frames
        return GenerationRecord(
            generation=generation,
            best_fitness=float(np.max(fitness)),
            mean_fitness=float(np.mean(fitness)),
            elite_fitness=float(elite_fitness),
            frames=self.frames,
            cumulative_frames=self.cumulative,
            wall_time=time.perf_counter() - self.start,
            evaluations=self.evaluations,
            bytes_sent=counters.bytes_sent,
            bytes_received=counters.bytes_received,
            broadcast_bytes=counters.broadcast_bytes,
            genome_bytes=self.genome_bytes,
            parameter_bytes=4 * self.evaluator.n_params * self.evaluations,
            cache_hit_rate=_hit_rate(counters.hits, counters.misses),
            **extra,
        )


def _check_seed(seed: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed={seed!r}; valid: an int >= 0")


def _check_sigma(config: GAConfig | NoveltySearchConfig, evaluator: Evaluator) -> None:
    if evaluator.sigma != config.sigma:
        raise ValueError(
            f"config.sigma={config.sigma!r} but the evaluator decodes with sigma={evaluator.sigma!r}; valid: equal"
        )


# ---------------------------------------------------------------------------------------------------------
# GA and random search (Such et al. Sec. 3)


def run_ga(
    config: GAConfig | RandomSearchConfig,
    evaluator: Evaluator,
    seed: int,
    keep_populations: bool = False,
    on_generation: Callable[[GenerationRecord], None] | None = None,
    goal: GoalTest | None = None,
) -> SearchResult:
    """The GA (``GAConfig``) or random search (``RandomSearchConfig``: no parents) of the contract, one
    ``np.random.default_rng(seed)`` for every draw. ``on_generation`` sees each record as it is made (progress,
    MLflow); ``goal`` counts the individuals whose mean final position reached the goal (the maze)."""
    if not isinstance(config, GAConfig | RandomSearchConfig):
        raise ValueError(f"config: {type(config).__name__}; valid: GAConfig or RandomSearchConfig")
    _check_seed(seed)
    truncation = config.truncation if isinstance(config, GAConfig) else 0
    if truncation:
        _check_sigma(config, evaluator)
    rng = np.random.default_rng(seed)
    evaluator.take_counters()
    records: list[GenerationRecord] = []
    populations: list[dict] = []
    elite: Genome | None = None
    parents: list[Genome] = []
    cumulative = 0
    for generation in range(1, config.generations + 1):
        ledger = _Ledger(evaluator, cumulative)
        if elite is None:
            population = _fresh(rng, config.population)
        else:
            count = config.population - 1
            offspring = _offspring(rng, parents, count) if truncation else _fresh(rng, count)
            population = carry_elite(elite, offspring)
        evaluation = ledger.genomes(population, config.episodes, draw_seeds(rng, 1)[0])
        fitness = evaluation.fitness.mean(axis=1)
        order = rank(fitness)
        if elite is None:
            candidates = [population[i] for i in order[: config.elite_candidates]]
        else:  # the carried elite (slot 0) and the best others
            candidates = [population[0]] + [population[i] for i in order if i != 0][: config.elite_candidates - 1]
        scores = ledger.genomes(candidates, config.elite_episodes, draw_seeds(rng, 1)[0]).fitness.mean(axis=1)
        elite = candidates[int(np.argmax(scores))]  # the first best: the previous elite keeps ties
        parents = [population[i] for i in order[:truncation]]
        if truncation and getattr(config, "elite_is_parent", False) and elite not in parents:
            parents = [elite, *parents[: truncation - 1]]
        reached = _count_reached(goal, evaluation)
        record = ledger.close(generation, fitness, float(np.max(scores)), reached=reached)
        cumulative = record.cumulative_frames
        records.append(record)
        if keep_populations:
            populations.append({"genomes": population, "fitness": fitness, "parents": parents, "elite": elite})
        if on_generation is not None:
            on_generation(record)
    final = evaluator.evaluate_genomes([elite], config.final_episodes, draw_seeds(rng, 1)[0])
    method = "ga" if truncation else "random_search"
    return _finished(method, config, seed, records, final, cumulative, elite=elite, populations=populations)


def _count_reached(goal: GoalTest | None, evaluation: Evaluation) -> int:
    if goal is None or evaluation.final_positions is None:
        return -1
    return int(np.sum(goal(evaluation.final_positions.mean(axis=1))))


# ---------------------------------------------------------------------------------------------------------
# novelty search on the GA (Such et al. Sec. 4.3; Lehman & Stanley 2011)


def run_novelty_search(
    config: NoveltySearchConfig,
    evaluator: Evaluator,
    seed: int,
    on_generation: Callable[[GenerationRecord], None] | None = None,
    goal: GoalTest | None = None,
) -> SearchResult:
    """GA-NS of the contract: parents = the top T by novelty of the final positions; the rewards of every
    individual are recorded (``populations``) but never select; the champion (best reward so far) is scored."""
    if not isinstance(config, NoveltySearchConfig):
        raise ValueError(f"config: {type(config).__name__}; valid: NoveltySearchConfig")
    _check_seed(seed)
    _check_sigma(config, evaluator)
    rng = np.random.default_rng(seed)
    evaluator.take_counters()
    records: list[GenerationRecord] = []
    populations: list[dict] = []
    archive = np.zeros((0, 2))
    parents: list[Genome] = []
    champion, champion_reward = None, -np.inf
    cumulative = 0
    for generation in range(1, config.generations + 1):
        ledger = _Ledger(evaluator, cumulative)
        if generation == 1:
            population = _fresh(rng, config.population)
        else:
            population = _offspring(rng, parents, config.population)
        evaluation = ledger.genomes(population, config.episodes, draw_seeds(rng, 1)[0])
        if evaluation.final_positions is None:
            raise ValueError(f"env {evaluator.env!r} reports no final positions; valid: an env with a position")
        reward = evaluation.fitness.mean(axis=1)
        behaviour = evaluation.final_positions.mean(axis=1)
        sparseness = novelty(behaviour, archive, config.k)
        parents = [population[i] for i in rank(sparseness)[: config.truncation]]
        if config.archive_rule == "one_random":
            added = behaviour[[int(rng.integers(0, config.population))]]
        else:
            added = behaviour[rng.random(config.population) < config.archive_probability]
        archive = np.concatenate([archive, added])
        best = int(np.argmax(reward))
        if reward[best] > champion_reward:
            champion, champion_reward = population[best], float(reward[best])
        reached = None if goal is None else np.asarray(goal(behaviour), bool)
        record = ledger.close(
            generation,
            reward,
            champion_reward,
            archive_size=len(archive),
            reached=-1 if reached is None else int(reached.sum()),
        )
        cumulative = record.cumulative_frames
        records.append(record)
        populations.append(
            {
                "genomes": population,
                "fitness": reward,
                "parents": parents,
                "elite": champion,
                "novelty": sparseness,
                "positions": behaviour,
                "reached": reached,
            }
        )
        if on_generation is not None:
            on_generation(record)
    final = evaluator.evaluate_genomes([champion], config.final_episodes, draw_seeds(rng, 1)[0])
    ended_with = {"elite": champion, "populations": populations}
    return _finished("novelty_search", config, seed, records, final, cumulative, **ended_with)


# ---------------------------------------------------------------------------------------------------------
# OpenAI-ES (Salimans et al. 2017)


def run_es(
    config: ESConfig,
    evaluator: Evaluator,
    seed: int,
    on_generation: Callable[[GenerationRecord], None] | None = None,
    goal: GoalTest | None = None,
) -> SearchResult:
    """OpenAI-ES of the contract: antithetic pairs from the shared table, centred ranks, the framework's
    ``es_step`` (Adam on ``-g + l2 theta``), the updated mean evaluated every generation."""
    if not isinstance(config, ESConfig):
        raise ValueError(f"config: {type(config).__name__}; valid: ESConfig")
    _check_seed(seed)
    rng = np.random.default_rng(seed)
    evaluator.take_counters()
    theta = evaluator.decode([(draw_seeds(rng, 1)[0],)])[0]
    state: AdamState = adam_init(theta.size)
    evaluator.set_theta(theta)
    records: list[GenerationRecord] = []
    cumulative = 0
    for generation in range(1, config.generations + 1):
        ledger = _Ledger(evaluator, cumulative)
        taus = draw_seeds(rng, config.pairs)
        pairs = evaluator.evaluate_antithetic(config.sigma, taus, config.episodes, draw_seeds(rng, 1)[0])
        ledger.evaluated(pairs, len(taus) + 1)
        returns = pairs.fitness.mean(axis=1)  # [+ taus..., - taus...]
        weights = antithetic_weights(np.stack([returns[: config.pairs], returns[config.pairs :]], axis=1))
        theta, state = evaluator.es_step(theta, state, taus, weights, config)
        evaluator.set_theta(theta)
        mean = ledger.evaluated(evaluator.evaluate_theta(config.mean_episodes, draw_seeds(rng, 1)[0]), 1)
        record = ledger.close(generation, returns, float(mean.fitness.mean()), reached=_count_reached(goal, pairs))
        cumulative = record.cumulative_frames
        records.append(record)
        if on_generation is not None:
            on_generation(record)
    final = evaluator.evaluate_theta(config.final_episodes, draw_seeds(rng, 1)[0])
    return _finished("es", config, seed, records, final, cumulative, theta=theta)


def run(
    method: str,
    config: SearchConfig,
    evaluator: Evaluator,
    seed: int,
    on_generation: Callable[[GenerationRecord], None] | None = None,
    goal: GoalTest | None = None,
) -> SearchResult:
    """Dispatch on ``method`` (one of :data:`METHODS`)."""
    if method in ("ga", "random_search"):
        expected = GAConfig if method == "ga" else RandomSearchConfig
        if not isinstance(config, expected):
            raise ValueError(f"method={method!r} with {type(config).__name__}; valid: {expected.__name__}")
        return run_ga(config, evaluator, seed, on_generation=on_generation, goal=goal)
    if method == "novelty_search":
        return run_novelty_search(config, evaluator, seed, on_generation=on_generation, goal=goal)
    if method == "es":
        return run_es(config, evaluator, seed, on_generation=on_generation, goal=goal)
    raise ValueError(f"method={method!r}; valid: {', '.join(METHODS)}")
