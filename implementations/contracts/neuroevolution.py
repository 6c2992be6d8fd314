"""Contract of the neuroevolution methods: ``implementations/<framework>/neuroevolution.py``.

Papers: Such et al. 2017, "Deep Neuroevolution: Genetic Algorithms Are a Competitive Alternative for Training
Deep Neural Networks for Reinforcement Learning", arXiv:1712.06567 (Sec. 3: the GA, its seed-list encoding
and elitism; Sec. 4.3: novelty search on the GA, "GA-NS"; its released code, uber-research/deep-neuroevolution,
``gpu_implementation/ga.py``, for the elite re-evaluation and the parent set); Salimans et al. 2017, "Evolution
Strategies as a Scalable Alternative to Reinforcement Learning", arXiv:1703.03864 (Algorithms 1-2, antithetic
sampling, centred ranks, L2 and its code's Adam); Lehman & Stanley 2011, "Abandoning Objectives: Evolution
through the Search for Novelty Alone", Evolutionary Computation 19(2):189-223 (the novelty measure, Eq. 1).

Genomes, the shared noise table and the decoder are interface A (:mod:`.policy_genomes`); environments and
population rollouts interface B (:mod:`.control_envs`). Each framework's module joins them: decode a batch of
genomes (``GenomeDecoder``), act with ``argmax`` of the policy's logits (``forward``), roll the batch out
(``rollout``), and return NumPy (:class:`Evaluation`). The algorithms themselves are framework-neutral (the
driver ``benchmarks/neuroevolution/search.py``); this module states them and restates them as a float64 NumPy
reference (:func:`ga_reference`, :func:`novelty_reference`, :func:`es_step_numpy`).

**Seeds.** Every random choice of a run comes from ONE ``np.random.Generator`` made from the run's seed
(``np.random.default_rng(seed)``), in the order stated below, so a run is repeatable. Seeds (genome entries
tau and episode seeds) are non-negative int32 values, ``rng.integers(0, 2**31, size)`` (:func:`draw_seeds`);
they are stored as 8-byte integers in a genome (interface A's ``genome_bytes``).

**GA** (Such et al. Sec. 3; population N, truncation T, mutation power sigma). Generation 1: N random genomes
``(tau0,)``. Generation g > 1: ``[elite] + N - 1 offspring``, offspring i the genome of a parent drawn
uniformly (with replacement) from the parent list plus one new seed, ``parent + (tau,)``; the elite is carried
unchanged (never re-mutated) and is evaluated with the offspring, on the same episodes, so the ranking is on
equal terms. Draw order per generation: (1) g > 1: parent picks ``rng.integers(0, len(parents), N - 1)`` then
``draw_seeds(rng, N - 1)`` (generation 1: ``draw_seeds(rng, N)``); (2) the evaluation seed
``draw_seeds(rng, 1)``; every individual runs ``episodes`` episodes, episode e with the environment seed
derived from (evaluation seed, e); fitness = the mean return. (3) Ranking: ``argsort(-fitness, stable)`` (ties:
lower index first). (4) Elite (the code's "validation"): the candidates are the top ``elite_candidates`` (10)
of generation 1, or the previous elite plus the top ``elite_candidates - 1`` other individuals; (5) the elite
seed ``draw_seeds(rng, 1)``; each candidate runs ``elite_episodes`` (30) more episodes, the best mean becomes
the elite (ties: earlier in the candidate list, so the previous elite keeps its place). (6) Parents of the next
generation: the top T; with ``elite_is_parent`` (the code's rule) an elite outside the top T replaces the T-th,
as ``[elite] + top T - 1``. After the last generation: ``draw_seeds(rng, 1)`` and the last elite runs
``final_episodes`` (200) episodes: the run's score. Frames: every environment step of (2), (4) and the final
evaluation. **Random search** is the same loop with no parents: every offspring a fresh genome ``(tau,)``
(step (1) draws only ``draw_seeds(rng, N - 1)``), same elite re-evaluation and accounting.

**Novelty search on the GA** (GA-NS; Lehman & Stanley 2011; Such et al. Sec. 4.3). Behaviour b = the final
(x, y) position of a rollout (mean over the episodes). Novelty of individual i: the mean Euclidean distance to
its k nearest neighbours (k = 10) among the current population and the archive, itself excluded (by index:
an identical behaviour elsewhere counts, at distance 0); with fewer than k others, the mean over all of them.
Generation 1: N random genomes; generation g > 1: N offspring (no elite: the novelty of a kept individual
changes as the archive grows) of the top T by novelty. Draw order: (1) picks and seeds as the GA's with N
offspring, (2) the evaluation seed, then (3) the archive update after the novelty of the generation is
computed: rule ``"probability"`` (Such et al.'s GA-NS hyperparameters give an archive probability, 0.01 by our
reading): every individual's behaviour is added independently with probability p, uniforms
``rng.random(N)``, added in index order where ``u < p``; rule ``"one_random"`` (the classic NS variant: one
random individual per generation): ``rng.integers(0, N)``. Rewards (interface B's return, for the maze
``-distance to goal``) are recorded for every individual but never used for selection; the best-reward
individual seen so far (ties: the earliest) is the run's champion, scored after the last generation on
``final_episodes`` (``draw_seeds(rng, 1)``).

**OpenAI-ES** (Salimans et al.; population n, an even number of perturbations in n/2 antithetic pairs).
Before generation 1: ``tau0 = draw_seeds(rng, 1)`` and theta_0 = the decoded genome ``(tau0,)`` (interface A's
initialisation); Adam moments 0, t = 0. Generation: (1) ``taus = draw_seeds(rng, n/2)``, (2) the evaluation
seed; the 2 members of pair i are ``theta +- sigma eps(tau_i)`` with ``eps(tau)`` = the shared table's slice at
``noise_offset(tau)`` (the same slices the GA mutates with); returns R [n/2, 2] (column 0: +, column 1: -);
(3) centred ranks of R (:func:`centered_ranks`, in [-0.5, 0.5]), pair weights ``w_i = rank(R_i+) -
rank(R_i-)``; (4) the gradient estimate ``g = sum_i w_i eps(tau_i) / (n sigma)`` (Algorithm 1's
``1/(n sigma) sum_j F_j eps_j`` over the n perturbations ``+-eps_i``, with ranks for F; the released code
divides by n only, a constant factor Adam all but removes), via interface A's ``weighted_noise_sum``; Adam,
as the code's optimizer, on ``-g + l2 theta``: t += 1, ``a = lr sqrt(1 - b2^t) / (1 - b1^t)``, ``m = b1 m + (1 - b1)
grad``, ``v = b2 v + (1 - b2) grad^2``, ``theta -= a m / (sqrt(v) + eps)`` (:func:`es_step_numpy`); (5) the mean
theta runs ``mean_episodes`` episodes (``draw_seeds(rng, 1)``). Frames: (2) and (5); after the last generation
the final theta runs ``final_episodes`` (``draw_seeds(rng, 1)``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import NamedTuple, Protocol

import numpy as np

from implementations.contracts._common import EPS32, require
from implementations.contracts.control_envs import EnvSpec, maze_rollout_numpy, n_actions, observation_shape
from implementations.contracts.policy_genomes import (
    NoiseTableSpec,
    PolicySpec,
    check_genomes,
    check_seed,
    n_params,
    noise_offset,
    noise_table_numpy,
    param_slices,
)

ROLE = "method"

Genome = tuple[int, ...]
SEED_HIGH = 2**31
"""Seeds are uniform integers in [0, SEED_HIGH): non-negative int32 values."""
ARCHIVE_RULES: tuple[str, ...] = ("probability", "one_random")

# ---------------------------------------------------------------------------------------------------------
# configuration


def _is_int(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | np.integer)


def _require_int(name: str, value: object, low: int) -> None:
    if not _is_int(value) or value < low:
        raise ValueError(f"{name}={value!r}; valid: an int >= {low}")


def _require_positive(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, float | int) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name}={value!r}; valid: a finite float > 0")


def _require_fraction(name: str, value: object, closed_low: bool, closed_high: bool) -> None:
    ok = not isinstance(value, bool) and isinstance(value, float | int) and math.isfinite(value)
    if ok:
        ok = (value >= 0 if closed_low else value > 0) and (value <= 1 if closed_high else value < 1)
    if not ok:
        interval = ("[" if closed_low else "(") + "0, 1" + ("]" if closed_high else ")")
        raise ValueError(f"{name}={value!r}; valid: a float in {interval}")


def _validate_budget(config: object) -> None:
    """Shared fields: population >= 2, generations >= 1, episode counts >= 1, 1 <= elite_candidates <= N."""
    _require_int("population", config.population, 2)
    _require_int("generations", config.generations, 1)
    _require_int("episodes", config.episodes, 1)
    _require_int("final_episodes", config.final_episodes, 1)
    if hasattr(config, "elite_candidates"):
        _require_int("elite_candidates", config.elite_candidates, 1)
        _require_int("elite_episodes", config.elite_episodes, 1)
        if config.elite_candidates > config.population:
            raise ValueError(
                f"elite_candidates={config.elite_candidates!r}; valid: an int in [1, population={config.population}]"
            )


def _validate_truncation(config: object) -> None:
    _require_int("truncation", config.truncation, 1)
    if config.truncation > config.population:
        raise ValueError(f"truncation={config.truncation!r}; valid: an int in [1, population={config.population}]")
    _require_positive("sigma", config.sigma)


@dataclass(frozen=True)
class GAConfig:
    """The GA of Such et al. Sec. 3 (defaults: their Atari settings, N = 1000, T = 20, sigma = 0.002)."""

    population: int = 1000
    truncation: int = 20
    sigma: float = 0.002
    generations: int = 100
    episodes: int = 1
    elite_candidates: int = 10
    elite_episodes: int = 30
    final_episodes: int = 200
    elite_is_parent: bool = True
    """The released code's rule: the elite is always among the parents (replacing the T-th when outside)."""

    def __post_init__(self) -> None:
        _validate_budget(self)
        _validate_truncation(self)
        if not isinstance(self.elite_is_parent, bool | np.bool_):
            raise ValueError(f"elite_is_parent={self.elite_is_parent!r}; valid: True or False")


@dataclass(frozen=True)
class RandomSearchConfig:
    """Random search (Such et al. Sec. 4): the GA with no parents, every offspring a fresh genome (tau,)."""

    population: int = 1000
    generations: int = 100
    episodes: int = 1
    elite_candidates: int = 10
    elite_episodes: int = 30
    final_episodes: int = 200

    def __post_init__(self) -> None:
        _validate_budget(self)


@dataclass(frozen=True)
class NoveltySearchConfig:
    """GA-NS (Such et al. Sec. 4.3): selection of the top T by novelty (k nearest neighbours, Lehman & Stanley)."""

    population: int = 1000
    truncation: int = 20
    sigma: float = 0.005
    generations: int = 100
    episodes: int = 1
    k: int = 10
    archive_rule: str = "probability"
    archive_probability: float = 0.01
    final_episodes: int = 1

    def __post_init__(self) -> None:
        _validate_budget(self)
        _validate_truncation(self)
        _require_int("k", self.k, 1)
        if self.archive_rule not in ARCHIVE_RULES:
            raise ValueError(f"archive_rule={self.archive_rule!r}; valid: {', '.join(ARCHIVE_RULES)}")
        _require_fraction("archive_probability", self.archive_probability, closed_low=False, closed_high=True)


@dataclass(frozen=True)
class ESConfig:
    """OpenAI-ES (Salimans et al.): population = number of perturbations (even: population / 2 antithetic pairs)."""

    population: int = 1000
    sigma: float = 0.02
    learning_rate: float = 0.01
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8
    l2_coefficient: float = 0.005
    generations: int = 100
    episodes: int = 1
    mean_episodes: int = 1
    final_episodes: int = 200

    def __post_init__(self) -> None:
        _validate_budget(self)
        if self.population % 2:
            raise ValueError(f"population={self.population!r}; valid: an even int >= 2 (antithetic pairs)")
        _require_int("mean_episodes", self.mean_episodes, 1)
        _require_positive("sigma", self.sigma)
        _require_positive("learning_rate", self.learning_rate)
        _require_positive("epsilon", self.epsilon)
        _require_fraction("beta1", self.beta1, closed_low=True, closed_high=False)
        _require_fraction("beta2", self.beta2, closed_low=True, closed_high=False)
        if isinstance(self.l2_coefficient, bool) or not isinstance(self.l2_coefficient, float | int):
            raise ValueError(f"l2_coefficient={self.l2_coefficient!r}; valid: a finite float >= 0")
        if not math.isfinite(self.l2_coefficient) or self.l2_coefficient < 0:
            raise ValueError(f"l2_coefficient={self.l2_coefficient!r}; valid: a finite float >= 0")

    @property
    def pairs(self) -> int:
        """Number of antithetic pairs, population / 2."""
        return self.population // 2


# ---------------------------------------------------------------------------------------------------------
# results and definitions shared by the frameworks and the driver


class Evaluation(NamedTuple):
    """What every evaluation returns, for M individuals (or parameter vectors) and E episodes, as NumPy."""

    fitness: np.ndarray
    """float64 [M, E]: the return of each episode (episode e of every individual on the same environment seed)."""
    frames: np.ndarray
    """int64 [M, E]: environment steps taken in each episode (until done or the episode cap)."""
    final_positions: np.ndarray | None
    """float64 [M, E, 2]: the final (x, y) position (environments with a position, e.g. the maze), else None."""


class AdamState(NamedTuple):
    """The ES optimizer's state (the released code's Adam): moments m, v (float32 [P]) and the step count t."""

    m: np.ndarray
    v: np.ndarray
    t: int


def adam_init(n_params: int) -> AdamState:
    """Moments 0 and t = 0."""
    return AdamState(np.zeros(n_params, np.float32), np.zeros(n_params, np.float32), 0)


def draw_seeds(rng: np.random.Generator, count: int) -> list[int]:
    """``count`` seeds uniform in [0, 2**31) as Python ints (the only way any seed of a run is drawn)."""
    return [int(s) for s in rng.integers(0, SEED_HIGH, size=count, dtype=np.int64)]


def centered_ranks(returns: np.ndarray) -> np.ndarray:
    """float64 ranks of ``returns`` (any shape) scaled to [-0.5, 0.5]: rank / (size - 1) - 0.5, the smallest 0,
    ties by position in the row-major flattening (a stable sort), as Salimans et al.'s ``compute_centered_ranks``
    (which sorts unstably). A single value (no spread to rank) gets 0."""
    flat = np.asarray(returns, np.float64).ravel()
    if flat.size == 1:
        return np.zeros(np.shape(returns))
    ranks = np.empty(flat.size, np.float64)
    ranks[np.argsort(flat, kind="stable")] = np.arange(flat.size)
    return (ranks / (flat.size - 1) - 0.5).reshape(np.shape(returns))


def antithetic_weights(returns: np.ndarray) -> np.ndarray:
    """float64 [pairs]: ``rank(R_i+) - rank(R_i-)`` from returns [pairs, 2] (column 0: +sigma eps, 1: -)."""
    returns = np.asarray(returns, np.float64)
    if returns.ndim != 2 or returns.shape[1] != 2:
        raise ValueError(f"returns shape {returns.shape}; valid: [pairs, 2] (column 0: +, column 1: -)")
    ranks = centered_ranks(returns)
    return ranks[:, 0] - ranks[:, 1]


def novelty(behaviours: np.ndarray, archive: np.ndarray, k: int) -> np.ndarray:
    """float64 [N]: Lehman & Stanley's sparseness, the mean Euclidean distance of each behaviour [N, D] to its
    k nearest neighbours among the other behaviours and the archive [A, D] (all of them when fewer than k)."""
    behaviours = np.asarray(behaviours, np.float64)
    archive = np.asarray(archive, np.float64).reshape(-1, behaviours.shape[1])
    points = np.concatenate([behaviours, archive])
    if len(points) < 2:
        raise ValueError("behaviours and archive: valid inputs hold at least 2 behaviours in all")
    distances = np.linalg.norm(behaviours[:, None, :] - points[None, :, :], axis=-1)
    distances[np.arange(len(behaviours)), np.arange(len(behaviours))] = np.inf  # itself, by index
    nearest = min(k, len(points) - 1)
    return np.sort(distances, axis=1)[:, :nearest].mean(axis=1)


def check_population(genomes: Sequence[Genome]) -> list[Genome]:
    """The genomes as tuples of ints (interface A's ``check_genomes``); ValueError also when there are none."""
    keys = check_genomes(genomes)
    if not keys:
        raise ValueError("genomes=[]; valid: a non-empty sequence of genomes (tuples of seeds)")
    return keys


def check_taus(taus: Sequence[int]) -> list[int]:
    """The ES seeds as ints; ValueError unless a non-empty sequence of seeds in [0, 2**63)."""
    if isinstance(taus, str | bytes) or not isinstance(taus, Sequence | np.ndarray) or len(taus) == 0:
        raise ValueError(f"taus={taus!r}; valid: a non-empty sequence of seeds in [0, 2**63)")
    return [check_seed(t, f"taus[{i}]") for i, t in enumerate(taus)]


def check_evaluation_arguments(episodes: int, seed: int) -> None:
    """Raise ValueError unless episodes >= 1 and seed is an int >= 0."""
    _require_int("episodes", episodes, 1)
    _require_int("seed", seed, 0)


def check_parameters(params: np.ndarray, count: int, batched: bool = True) -> None:
    """Raise ValueError unless ``params`` is finite [M >= 1, P] (``batched``) or [P], P = ``count``."""
    shape = np.shape(params)
    ok = (len(shape) == 2 and shape[0] >= 1 and shape[1] == count) if batched else shape == (count,)
    if not ok or not np.all(np.isfinite(params)):
        want = "[M >= 1, P]" if batched else "[P]"
        raise ValueError(f"params shape {shape}; valid: finite {want} with P = {count}")


def check_adam_state(state: AdamState, count: int) -> None:
    """Raise ValueError unless ``state`` is an AdamState with moments [P] (P = ``count``) and t >= 0."""
    if not isinstance(state, AdamState) or np.shape(state.m) != (count,) or np.shape(state.v) != (count,):
        raise ValueError(f"state: valid: an AdamState with m and v of shape ({count},) (see adam_init)")
    _require_int("state.t", state.t, 0)


def check_problem(policy: PolicySpec, env: EnvSpec) -> None:
    """Raise ValueError unless the policy reads the env's observations and emits one logit per action."""
    if not isinstance(policy, PolicySpec) or not isinstance(env, EnvSpec):
        raise ValueError(f"policy={policy!r}, env={env!r}; valid: a PolicySpec and an EnvSpec")
    shape, actions = tuple(observation_shape(env)), int(n_actions(env))
    if policy.observation_shape != shape or policy.n_actions != actions:
        raise ValueError(
            f"policy observation_shape={policy.observation_shape}, n_actions={policy.n_actions}; valid for env "
            f"{env.name!r}: observation_shape={shape}, n_actions={actions}"
        )


def check_decoder(decoder: object, policy: PolicySpec, noise: NoiseTableSpec, sigma: float) -> None:
    """Raise ValueError unless ``decoder`` decodes ``policy`` from ``noise`` with mutation power ``sigma``."""
    found = (getattr(decoder, "policy", None), getattr(decoder, "noise", None), getattr(decoder, "sigma", None))
    if found != (policy, noise, float(sigma)):
        raise ValueError(
            f"decoder for (policy, noise, sigma)={found!r}; "
            f"valid: a GenomeDecoder of ({policy!r}, {noise!r}, {sigma!r})"
        )


def evaluation_from_rollout(result: object) -> Evaluation:
    """Interface B's ``RolloutResult`` (returns, frames, final_positions) as an :class:`Evaluation`."""
    positions = getattr(result, "final_positions", None)
    return Evaluation(
        np.asarray(result.returns, np.float64),
        np.asarray(result.frames, np.int64),
        None if positions is None else np.asarray(positions, np.float64),
    )


# ---------------------------------------------------------------------------------------------------------
# float64 NumPy reference


def noise_slice_numpy(noise: NoiseTableSpec, tau: int, n_params: int) -> np.ndarray:
    """eps(tau): the shared table's float32 slice [P] at ``noise_offset(tau)``."""
    table = noise_table_numpy(noise)
    start = noise_offset(int(tau), noise.size, n_params)
    return table[start : start + n_params]


def antithetic_parameters_numpy(
    noise: NoiseTableSpec, theta: np.ndarray, sigma: float, taus: Sequence[int]
) -> np.ndarray:
    """float32 [2 len(taus), P]: ``theta + sigma eps(tau_i)`` for every tau, then ``theta - sigma eps(tau_i)``
    (the row order of ``evaluate_antithetic``), each computed in float32 as ``theta +- float32(sigma) * eps``."""
    theta = np.asarray(theta, np.float32)
    eps = np.stack([noise_slice_numpy(noise, t, theta.size) for t in taus])
    step = np.float32(sigma) * eps
    return np.concatenate([theta + step, theta - step]).astype(np.float32)


def es_step_numpy(
    noise: NoiseTableSpec,
    theta: np.ndarray,
    state: AdamState,
    taus: Sequence[int],
    weights: np.ndarray,
    config: ESConfig,
) -> tuple[np.ndarray, AdamState, np.ndarray]:
    """float64 reference of one ES update: (theta', state', the gradient estimate g). ``g = sum_i w_i eps(tau_i) /
    (population sigma)``; Adam (the released code's form) on ``-g + l2 theta``."""
    theta = np.asarray(theta, np.float64)
    eps = np.stack([noise_slice_numpy(noise, t, theta.size) for t in taus]).astype(np.float64)
    g = np.asarray(weights, np.float64) @ eps / (config.population * config.sigma)
    grad = -g + config.l2_coefficient * theta
    t = state.t + 1
    a = config.learning_rate * math.sqrt(1 - config.beta2**t) / (1 - config.beta1**t)
    m = config.beta1 * np.asarray(state.m, np.float64) + (1 - config.beta1) * grad
    v = config.beta2 * np.asarray(state.v, np.float64) + (1 - config.beta2) * grad * grad
    return theta - a * m / (np.sqrt(v) + config.epsilon), AdamState(m, v, t), g


ScoreFunction = Callable[[list[Genome], int, int], np.ndarray]
"""A synthetic evaluation for the reference runs: (genomes, episodes, seed) -> returns [len(genomes), episodes]."""


class ReferenceGeneration(NamedTuple):
    """One generation of :func:`ga_reference` / :func:`novelty_reference`."""

    population: list[Genome]
    fitness: np.ndarray
    """float64 [N]: mean return over the generation's episodes."""
    parents: list[Genome]
    """The parent list the NEXT generation draws from (empty for random search)."""
    elite: Genome
    """GA/RS: the elite chosen this generation; GA-NS: the best-reward individual so far."""
    elite_candidates: list[Genome]
    elite_scores: np.ndarray
    """GA/RS: float64 [candidates], their mean over ``elite_episodes``; GA-NS: empty."""
    novelty: np.ndarray
    """GA-NS: float64 [N]; GA/RS: empty."""
    archive_size: int


def ga_reference(
    config: GAConfig | RandomSearchConfig, score: ScoreFunction, seed: int
) -> tuple[list[ReferenceGeneration], float]:
    """The GA (or random search) of the module docstring, literally, on a synthetic ``score``: (generations, the
    final score of the last elite)."""
    rng = np.random.default_rng(seed)
    truncation = getattr(config, "truncation", 0)
    generations: list[ReferenceGeneration] = []
    elite: Genome | None = None
    parents: list[Genome] = []
    for index in range(config.generations):
        if index == 0:
            population = [(s,) for s in draw_seeds(rng, config.population)]
        elif truncation == 0:
            population = [elite] + [(s,) for s in draw_seeds(rng, config.population - 1)]
        else:
            picks = rng.integers(0, len(parents), config.population - 1)
            fresh = draw_seeds(rng, config.population - 1)
            population = [elite] + [parents[p] + (s,) for p, s in zip(picks, fresh, strict=True)]
        fitness = np.mean(score(population, config.episodes, draw_seeds(rng, 1)[0]), axis=1)
        ranked = sorted(range(len(population)), key=lambda i: (-fitness[i], i))
        if elite is None:
            candidates = [population[i] for i in ranked[: config.elite_candidates]]
        else:
            others = [i for i in ranked if i != 0][: config.elite_candidates - 1]
            candidates = [elite] + [population[i] for i in others]
        scores = np.mean(score(candidates, config.elite_episodes, draw_seeds(rng, 1)[0]), axis=1)
        best = 0
        for c in range(1, len(candidates)):
            if scores[c] > scores[best]:
                best = c
        elite = candidates[best]
        parents = [population[i] for i in ranked[:truncation]]
        if truncation and getattr(config, "elite_is_parent", False) and elite not in parents:
            parents = [elite] + parents[: truncation - 1]
        generations.append(ReferenceGeneration(population, fitness, parents, elite, candidates, scores, np.zeros(0), 0))
    final = float(np.mean(score([elite], config.final_episodes, draw_seeds(rng, 1)[0])))
    return generations, final


BehaviourFunction = Callable[[list[Genome], int, int], tuple[np.ndarray, np.ndarray]]
"""A synthetic evaluation for GA-NS: (genomes, episodes, seed) -> (returns [M, E], final positions [M, E, 2])."""


def novelty_reference(
    config: NoveltySearchConfig, evaluate: BehaviourFunction, seed: int
) -> tuple[list[ReferenceGeneration], float]:
    """GA-NS of the module docstring, literally, on a synthetic ``evaluate``: (generations, the champion's final
    score)."""
    rng = np.random.default_rng(seed)
    generations: list[ReferenceGeneration] = []
    archive: list[np.ndarray] = []
    parents: list[Genome] = []
    champion, champion_reward = None, -np.inf
    for index in range(config.generations):
        if index == 0:
            population = [(s,) for s in draw_seeds(rng, config.population)]
        else:
            picks = rng.integers(0, len(parents), config.population)
            fresh = draw_seeds(rng, config.population)
            population = [parents[p] + (s,) for p, s in zip(picks, fresh, strict=True)]
        returns, positions = evaluate(population, config.episodes, draw_seeds(rng, 1)[0])
        reward = np.mean(returns, axis=1)
        behaviour = np.mean(positions, axis=1)
        sparseness = novelty(behaviour, np.array(archive).reshape(-1, 2), config.k)
        ranked = sorted(range(len(population)), key=lambda i: (-sparseness[i], i))
        parents = [population[i] for i in ranked[: config.truncation]]
        if config.archive_rule == "one_random":
            archive.append(behaviour[rng.integers(0, config.population)])
        else:
            uniforms = rng.random(config.population)
            archive.extend(behaviour[i] for i in range(config.population) if uniforms[i] < config.archive_probability)
        for i in range(len(population)):
            if reward[i] > champion_reward:
                champion, champion_reward = population[i], reward[i]
        generations.append(
            ReferenceGeneration(population, reward, parents, champion, [], np.zeros(0), sparseness, len(archive))
        )
    final_returns, _ = evaluate([champion], config.final_episodes, draw_seeds(rng, 1)[0])
    return generations, float(np.mean(final_returns))


# ---------------------------------------------------------------------------------------------------------
# Protocol


class NeuroevolutionMethod(Protocol):
    """The NumPy-facing functions of ``implementations/<framework>/neuroevolution.py``."""

    def make_decoder(self, policy: PolicySpec, noise: NoiseTableSpec, sigma: float, cache_size: int) -> object:
        """The framework's ``GenomeDecoder`` (interface A) with an LRU parent cache of ``cache_size`` vectors."""
        ...

    def evaluate_genomes(
        self,
        policy: PolicySpec,
        env: EnvSpec,
        noise: NoiseTableSpec,
        sigma: float,
        genomes: Sequence[Genome],
        episodes: int,
        seed: int,
        decoder: object = None,
    ) -> Evaluation:
        """Decode ``genomes`` (with ``decoder`` and its cache, or a fresh uncached one), act with argmax of the
        policy's logits, roll every individual out for ``episodes`` episodes (episode e on the environment seed
        of (seed, e)). Row i depends only on genomes[i], episodes and seed, never on the rest of the batch."""
        ...

    def evaluate_parameters(
        self, policy: PolicySpec, env: EnvSpec, params: np.ndarray, episodes: int, seed: int
    ) -> Evaluation:
        """As :meth:`evaluate_genomes` for explicit float32 parameter vectors [M, P]."""
        ...

    def evaluate_antithetic(
        self,
        policy: PolicySpec,
        env: EnvSpec,
        noise: NoiseTableSpec,
        theta: np.ndarray,
        sigma: float,
        taus: Sequence[int],
        episodes: int,
        seed: int,
    ) -> Evaluation:
        """Evaluate the 2 len(taus) vectors of :func:`antithetic_parameters_numpy` (all +, then all -), built
        on the device from theta [P] and the table."""
        ...

    def es_step(
        self,
        noise: NoiseTableSpec,
        theta: np.ndarray,
        state: AdamState,
        taus: Sequence[int],
        weights: np.ndarray,
        config: ESConfig,
    ) -> tuple[np.ndarray, AdamState]:
        """One ES update (float32, :func:`es_step_numpy`): (theta' [P] float32, the new Adam state)."""
        ...


PROTOCOL = NeuroevolutionMethod


# ---------------------------------------------------------------------------------------------------------
# conformance checks (tiny problems: CartPole capped at a few steps, an 8-unit MLP, a 2**14 noise table)

CHECK_NOISE = NoiseTableSpec(seed=17, size=2**14)
CHECK_ENV = EnvSpec("cartpole", max_steps=30)
CHECK_POLICY = PolicySpec("mlp", (4,), 2, hidden=(8,))
CHECK_SIGMA = 0.5
"""Large, so one mutation visibly changes behaviour within 30 steps."""
CHECK_GENOMES: tuple[Genome, ...] = ((11,), (11, 5), (23,), (11, 5), (7, 3, 2**31 - 1))
CHECK_POLICY_PARAMS = n_params(CHECK_POLICY)


def _check_shapes(result: Evaluation, rows: int, episodes: int, label: str) -> None:
    require(isinstance(result, Evaluation), f"{label}: returns {type(result).__name__}, not Evaluation")
    require(result.fitness.dtype == np.float64, f"{label}: fitness dtype {result.fitness.dtype}")
    require(result.frames.dtype == np.int64, f"{label}: frames dtype {result.frames.dtype}")
    require(result.fitness.shape == (rows, episodes), f"{label}: fitness shape {result.fitness.shape}")
    require(result.frames.shape == (rows, episodes), f"{label}: frames shape {result.frames.shape}")


def check_evaluations(impl: ModuleType) -> None:
    """evaluate_genomes on CartPole (reward 1 per step): shapes and dtypes; return == frames <= the cap; equal
    genomes score equally; a row does not depend on the rest of the batch (alone == in the batch, which the
    distributed evaluation relies on); repeatable; a mutation changes behaviour; a cached decoder gives what an
    uncached one gives."""
    episodes = 2
    args = (CHECK_POLICY, CHECK_ENV, CHECK_NOISE, CHECK_SIGMA)
    batch = impl.evaluate_genomes(*args, list(CHECK_GENOMES), episodes, 3)
    _check_shapes(batch, len(CHECK_GENOMES), episodes, "evaluate_genomes")
    np.testing.assert_array_equal(batch.fitness, batch.frames, err_msg="CartPole: return != frames")
    require(batch.frames.min() >= 1 and batch.frames.max() <= CHECK_ENV.max_steps, f"frames {batch.frames}")
    np.testing.assert_array_equal(batch.fitness[1], batch.fitness[3], err_msg="equal genomes, different returns")
    require(
        not np.array_equal(batch.fitness, np.broadcast_to(batch.fitness[0], batch.fitness.shape)),
        "every genome scores the same: mutations or initial seeds have no effect",
    )
    again = impl.evaluate_genomes(*args, list(CHECK_GENOMES), episodes, 3)
    np.testing.assert_array_equal(again.fitness, batch.fitness, err_msg="not repeatable")
    alone = impl.evaluate_genomes(*args, [CHECK_GENOMES[4], CHECK_GENOMES[2]], episodes, 3)
    np.testing.assert_array_equal(alone.fitness, batch.fitness[[4, 2]], err_msg="a row depends on the batch")
    decoder = impl.make_decoder(CHECK_POLICY, CHECK_NOISE, CHECK_SIGMA, 8)
    impl.evaluate_genomes(*args, [(11,), (7, 3)], episodes, 3, decoder)
    cached = impl.evaluate_genomes(*args, list(CHECK_GENOMES), episodes, 3, decoder)
    np.testing.assert_array_equal(cached.fitness, batch.fitness, err_msg="a cached decoder changes the result")
    require(decoder.hits > 0, "the decoder cache was never hit")


def check_parameter_paths_agree(impl: ModuleType) -> None:
    """evaluate_parameters on decoded genomes equals evaluate_genomes; evaluate_antithetic equals
    evaluate_parameters on :func:`antithetic_parameters_numpy` (the table's slices, +: first half)."""
    from implementations.registry import load_method

    genomes = load_method("policy_genomes", impl.__name__.split(".")[1])
    params = genomes.decode(list(CHECK_GENOMES), CHECK_POLICY, CHECK_NOISE, CHECK_SIGMA)
    direct = impl.evaluate_parameters(CHECK_POLICY, CHECK_ENV, params, 2, 3)
    _check_shapes(direct, len(CHECK_GENOMES), 2, "evaluate_parameters")
    via = impl.evaluate_genomes(CHECK_POLICY, CHECK_ENV, CHECK_NOISE, CHECK_SIGMA, list(CHECK_GENOMES), 2, 3)
    np.testing.assert_array_equal(direct.fitness, via.fitness, err_msg="evaluate_parameters != evaluate_genomes")
    theta, taus = params[0], [5, 99, 2**31 - 1]
    pairs = impl.evaluate_antithetic(CHECK_POLICY, CHECK_ENV, CHECK_NOISE, theta, CHECK_SIGMA, taus, 2, 4)
    _check_shapes(pairs, 2 * len(taus), 2, "evaluate_antithetic")
    expected = impl.evaluate_parameters(
        CHECK_POLICY, CHECK_ENV, antithetic_parameters_numpy(CHECK_NOISE, theta, CHECK_SIGMA, taus), 2, 4
    )
    np.testing.assert_array_equal(pairs.fitness, expected.fitness, err_msg="evaluate_antithetic rows")


MAZE_ENV = EnvSpec("deceptive_maze", max_steps=40)
MAZE_POLICY = PolicySpec("mlp", (8,), 5, hidden=(6,))
MAZE_GENOMES: tuple[Genome, ...] = tuple((seed,) for seed in range(1, 9)) + ((3, 8), (5, 1, 2))


def _mlp_layers(policy: PolicySpec, params: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Interface A's flat MLP layout as interface B's (weights [M, in, out], biases [M, out]) per layer."""
    arrays = [params[:, a:b].reshape(len(params), *shape) for _, a, b, shape in param_slices(policy)]
    return list(zip(arrays[::2], arrays[1::2], strict=True))


def check_maze_matches_reference(impl: ModuleType) -> None:
    """The whole chain (decode, argmax of forward, rollout) on the deterministic maze equals interface B's
    float64 maze reference driven by the same parameters: identical frames and final positions (the lattice
    keeps them exact), returns (-distance to the goal) within float32 rounding."""
    from implementations.registry import load_method

    genomes = load_method("policy_genomes", impl.__name__.split(".")[1])
    params = genomes.decode(list(MAZE_GENOMES), MAZE_POLICY, CHECK_NOISE, CHECK_SIGMA)
    result = impl.evaluate_genomes(MAZE_POLICY, MAZE_ENV, CHECK_NOISE, CHECK_SIGMA, list(MAZE_GENOMES), 2, 0)
    _check_shapes(result, len(MAZE_GENOMES), 2, "maze")
    reference = maze_rollout_numpy(_mlp_layers(MAZE_POLICY, params), len(MAZE_GENOMES), 2, MAZE_ENV.max_steps)
    require(result.final_positions is not None, "maze: no final positions")
    require(result.final_positions.shape == (len(MAZE_GENOMES), 2, 2), f"positions {result.final_positions.shape}")
    np.testing.assert_array_equal(result.final_positions, reference.final_positions, err_msg="maze positions")
    np.testing.assert_array_equal(result.frames, reference.frames, err_msg="maze frames")
    np.testing.assert_allclose(result.fitness, reference.returns, rtol=4 * EPS32, atol=0, err_msg="maze returns")
    require(len(np.unique(result.final_positions[:, 0], axis=0)) > 2, "maze: every policy ends in one place")


def _es_cases() -> list[tuple[str, ESConfig, np.ndarray, AdamState, list[int], np.ndarray]]:
    """(label, config, theta, state, taus, weights): a first step (t = 0) and a later one with a strong L2."""
    rng = np.random.default_rng(1703)
    p = 300
    theta = rng.standard_normal(p).astype(np.float32)
    taus = draw_seeds(rng, 6)
    weights = antithetic_weights(rng.standard_normal((6, 2)))
    later = AdamState((0.1 * rng.standard_normal(p)).astype(np.float32), rng.uniform(0.5, 1.5, p).astype(np.float32), 9)
    return [
        ("first-step", ESConfig(population=12, sigma=0.02), theta, adam_init(p), taus, weights),
        ("later-step-l2", ESConfig(population=12, sigma=0.05, l2_coefficient=0.5), theta, later, taus, weights),
    ]


def es_tolerance(
    noise: NoiseTableSpec, config: ESConfig, state: AdamState, taus: Sequence[int], weights: np.ndarray, n_params: int
) -> tuple[np.ndarray, np.ndarray]:
    """(allowed |grad error| [P], allowed |theta' error| [P]) of a float32 ES step against the float64 reference.

    ``g`` sums len(taus) products, so float32 rounds it by at most about ``20 sqrt(pairs) eps32 sum_i |w_i|
    |eps_i| / (n sigma)`` per entry (errors add like a random walk; 20 is the suite's margin). A grad error moves
    theta' by ``a (1 - b1) / sqrt(v')`` per unit once t >= 1 (we bound ``v' >= b2 min v``), and on the first step
    (v = 0, where Adam moves each weight by about +-lr whatever |grad|) by ``a (1 - b1) eps_adam / (sqrt(1 - b2)
    |grad|^2)``, negligible away from grad = 0; we allow 20 times it plus float32 rounding of theta and the
    step. A wrong sign, scale, bias correction or L2 term moves theta' by >= 1e-4, far above it."""
    eps = np.abs(np.stack([noise_slice_numpy(noise, t, n_params) for t in taus]).astype(np.float64))
    g_tol = 20 * math.sqrt(len(taus)) * EPS32 * (np.abs(weights) @ eps) / (config.population * config.sigma)
    t = state.t + 1
    a = config.learning_rate * math.sqrt(1 - config.beta2**t) / (1 - config.beta1**t)
    gain = 1 / math.sqrt(max(float(np.min(state.v)) * config.beta2, 1e-12)) if state.t else 1.0
    theta_tol = 20 * a * (1 - config.beta1) * g_tol * gain + 20 * EPS32 * (5 + a)
    return g_tol, theta_tol


def _decidable(config: ESConfig, state: AdamState, theta: np.ndarray, g: np.ndarray, g_tol: np.ndarray) -> np.ndarray:
    """bool [P]: the entries whose step the float32 computation can decide (all of them after the first step;
    on the first step those whose reference grad lies beyond 10 rounding bounds of 0)."""
    grad = -g + config.l2_coefficient * np.asarray(theta, np.float64)
    return np.abs(grad) > 10 * g_tol if state.t == 0 else np.ones(grad.size, bool)


def check_es_step_matches_reference(impl: ModuleType) -> None:
    """es_step equals the float64 :func:`es_step_numpy` (theta' and the moments) within :func:`es_tolerance`, on a
    first step (only the entries :func:`_decidable` in float32) and a later one with a strong L2 term."""
    for label, config, theta, state, taus, weights in _es_cases():
        new_theta, new_state = impl.es_step(CHECK_NOISE, theta, state, taus, weights, config)
        require(new_theta.dtype == np.float32 and new_theta.shape == theta.shape, f"{label}: theta' {new_theta.dtype}")
        require(new_state.t == state.t + 1, f"{label}: t = {new_state.t}, expected {state.t + 1}")
        ref_theta, ref_state, g = es_step_numpy(CHECK_NOISE, theta, state, taus, weights, config)
        g_tol, theta_tol = es_tolerance(CHECK_NOISE, config, state, taus, weights, theta.size)
        ok = _decidable(config, state, theta, g, g_tol)
        require(ok.mean() > 0.9, f"{label}: the check case has too many near-zero gradient entries")
        np.testing.assert_array_less(np.abs(new_theta - ref_theta)[ok], theta_tol[ok], err_msg=f"{label}: theta'")
        m_tol = (1 - config.beta1) * g_tol * 2 + 4 * EPS32 * np.abs(ref_state.m)
        np.testing.assert_array_less(np.abs(new_state.m - ref_state.m), m_tol + 1e-30, err_msg=f"{label}: m")


def check_rejects_bad_arguments(impl: ModuleType) -> None:
    """Empty genome lists, negative seeds, episodes < 1, parameter vectors of the wrong length and weights that
    do not match the taus are ValueErrors naming what is valid."""
    args = (CHECK_POLICY, CHECK_ENV, CHECK_NOISE, CHECK_SIGMA)
    p = CHECK_POLICY_PARAMS
    config = ESConfig(population=2)
    for call in (
        lambda: impl.evaluate_genomes(*args, [], 1, 0),
        lambda: impl.evaluate_genomes(*args, [(1, -2)], 1, 0),
        lambda: impl.evaluate_genomes(*args, [(1,)], 0, 0),
        lambda: impl.evaluate_genomes(*args, [(1,)], 1, -1),
        lambda: impl.evaluate_parameters(CHECK_POLICY, CHECK_ENV, np.zeros((2, p + 1), np.float32), 1, 0),
        lambda: impl.evaluate_antithetic(CHECK_POLICY, CHECK_ENV, CHECK_NOISE, np.zeros(p - 1), 0.1, [1], 1, 0),
        lambda: impl.es_step(CHECK_NOISE, np.zeros(p, np.float32), adam_init(p), [1, 2], np.zeros(3), config),
    ):
        try:
            call()
        except ValueError as err:
            require("valid" in str(err), f"error message names nothing valid: {err}")
        else:
            raise AssertionError("bad input was accepted")


def check_maze_frameworks_agree(impls: dict[str, ModuleType]) -> None:
    """The same genomes reach the same maze positions in the same number of frames in every framework (the
    decoders agree to float32 rounding, the maze is native and exact on its lattice)."""
    results = {
        name: impl.evaluate_genomes(MAZE_POLICY, MAZE_ENV, CHECK_NOISE, CHECK_SIGMA, list(MAZE_GENOMES), 1, 0)
        for name, impl in impls.items()
    }
    first, *others = impls
    for other in others:
        np.testing.assert_array_equal(results[other].final_positions, results[first].final_positions, err_msg=other)
        np.testing.assert_array_equal(results[other].frames, results[first].frames, err_msg=other)


def check_es_step_frameworks_agree(impls: dict[str, ModuleType]) -> None:
    """Every framework's es_step agrees with every other within twice the reference tolerance."""
    for label, config, theta, state, taus, weights in _es_cases():
        steps = {
            name: impl.es_step(CHECK_NOISE, theta, state, taus, weights, config)[0] for name, impl in impls.items()
        }
        _, _, g = es_step_numpy(CHECK_NOISE, theta, state, taus, weights, config)
        g_tol, theta_tol = es_tolerance(CHECK_NOISE, config, state, taus, weights, theta.size)
        ok = _decidable(config, state, theta, g, g_tol)
        first, *others = impls
        for other in others:
            gap = np.abs(steps[other] - steps[first])[ok]
            np.testing.assert_array_less(gap, 2 * theta_tol[ok], err_msg=f"{label}: {other} vs {first}")


SINGLE_CHECKS = (
    check_evaluations,
    check_parameter_paths_agree,
    check_es_step_matches_reference,
    check_rejects_bad_arguments,
    check_maze_matches_reference,
)
PARITY_CHECKS = (check_es_step_frameworks_agree, check_maze_frameworks_agree)
