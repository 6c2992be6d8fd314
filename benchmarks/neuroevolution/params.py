"""Params of the ``neuroevolution`` study: one block per experiment (``profiles.<profile>.neuroevolution``).

Such et al. 2017, "Deep Neuroevolution" (arXiv:1712.06567): the GA's population N, truncation T, mutation power
sigma, the elite re-evaluation (10 candidates, 30 episodes) and the final score (200 episodes) are their Atari
settings in the ``paper`` profile; the CPU profiles scale them down, and params.yaml records every scale-down
next to its value. The search blocks map one to one onto the method configs of
:mod:`implementations.contracts.neuroevolution` (:mod:`benchmarks.neuroevolution.runs` builds them).
"""

from __future__ import annotations

from typing import Annotated, Literal, Self, get_args

from pydantic import BaseModel, Field, field_validator, model_validator

from benchmarks.params_fields import STRICT, PosInt, block_hint, choices, fail, increasing, unique

ControlEnv = Literal["cartpole", "acrobot"]
MinatarEnv = Literal["minatar_breakout", "minatar_asterix"]
ComparedMethod = Literal["ga", "random_search", "es"]
MazeMethod = Literal["ga", "novelty_search", "es"]
ArchiveRule = Literal["probability", "one_random"]

CONTROL_ENVS: tuple[str, ...] = get_args(ControlEnv)
MINATAR_ENVS: tuple[str, ...] = get_args(MinatarEnv)
COMPARED_METHODS: tuple[str, ...] = get_args(ComparedMethod)
MAZE_METHODS: tuple[str, ...] = get_args(MazeMethod)
ARCHIVE_RULES: tuple[str, ...] = get_args(ArchiveRule)

ATARI_PARAMS = 4_052_658
"""The Atari net's parameter count at 18 actions: a noise table must hold at least this many numbers to decode it."""

Positive = Annotated[float, Field(gt=0.0)]
RayAddress = Annotated[
    str | None,
    Field(
        min_length=1,
        description="null (a local Ray, started by the stage with as many CPUs as workers) or the address of a "
        "running Ray cluster (e.g. 'ray://head:10001' or 'auto')",
    ),
]
Widths = Annotated[list[PosInt], Field(min_length=1, description="non-empty list of ints >= 1 (hidden widths)")]
TableSize = Annotated[int, Field(ge=64, le=2**31 - 1, description="int in [64, 2**31 - 1]: noise table entries")]


class GABlock(BaseModel):
    """The GA (and random search, which shares its population and elite settings: equal budgets)."""

    model_config = STRICT

    population: int = Field(ge=2, description="int >= 2: N, individuals per generation (elite included)")
    truncation: PosInt = Field(description="int in [1, population]: T, the parents (top T by fitness)")
    sigma: Positive = Field(description="float > 0: mutation power (Such et al.: 0.002 on Atari)")
    generations: PosInt = Field(description="int >= 1: generations per run")
    elite_candidates: PosInt = Field(description="int in [1, population]: individuals re-evaluated for the elite")
    elite_episodes: PosInt = Field(description="int >= 1: episodes of each elite candidate's re-evaluation")

    @model_validator(mode="after")
    def _fits(self) -> Self:
        for key in ("truncation", "elite_candidates"):
            if getattr(self, key) > self.population:
                raise fail(f"exceeds population = {self.population}", key, getattr(self, key))
        return self


class ESBlock(BaseModel):
    """OpenAI-ES (Salimans et al. 2017): antithetic pairs, centred ranks, Adam."""

    model_config = STRICT

    population: int = Field(ge=2, description="even int >= 2: perturbations per generation (population/2 pairs)")
    sigma: Positive = Field(description="float > 0: noise standard deviation (Salimans et al.: 0.02)")
    learning_rate: Positive = Field(description="float > 0: Adam's step size (0.01)")
    l2_coefficient: float = Field(ge=0.0, description="float >= 0: L2 coefficient (0.005)")
    generations: PosInt = Field(description="int >= 1: generations per run")
    mean_episodes: PosInt = Field(description="int >= 1: episodes of the mean parameters' evaluation per generation")

    @field_validator("population")
    @classmethod
    def _even(cls, value: int) -> int:
        if value % 2:
            raise fail("must be even (antithetic pairs)", value=value)
        return value


class NoveltyBlock(BaseModel):
    """GA-NS (Such et al. Sec. 4.3; Lehman & Stanley 2011): the GA selecting on novelty."""

    model_config = STRICT

    population: int = Field(ge=2, description="int >= 2: N")
    truncation: PosInt = Field(description="int in [1, population]: T, the parents (top T by novelty)")
    sigma: Positive = Field(description="float > 0: mutation power")
    generations: PosInt = Field(description="int >= 1: generations per run")
    k: PosInt = Field(description="int >= 1: nearest neighbours of the novelty measure (10)")
    archive_rule: ArchiveRule = Field(description=f"one of {choices(ARCHIVE_RULES)}")
    archive_probability: float = Field(gt=0.0, le=1.0, description="float in (0, 1]: rule 'probability''s p")

    @model_validator(mode="after")
    def _fits(self) -> Self:
        if self.truncation > self.population:
            raise fail(f"exceeds population = {self.population}", "truncation", self.truncation)
        return self


class SearchBudget(BaseModel):
    """What every search experiment shares: runs, episodes, the noise table and the decoder cache."""

    model_config = STRICT

    seeds: int = Field(ge=2, description="int >= 2: independent runs per (environment, method)")
    max_steps: PosInt = Field(description="int >= 1: episode cap (environment steps)")
    episodes: PosInt = Field(description="int >= 1: episodes per individual per generation (Such et al.: 1)")
    final_episodes: PosInt = Field(description="int >= 1: episodes of the run's final score")
    table_size: TableSize
    cache_size: int = Field(ge=0, description="int >= 0: decoded vectors the decoder keeps (0: no cache)")
    threads: PosInt = Field(description="int >= 1: CPU threads of the in-process evaluation (pins the stage)")
    ray_workers: int = Field(
        ge=0, description="int >= 0: Ray actors evaluating each population (0: in-process, on 'threads' threads)"
    )
    ray_address: RayAddress
    ga: GABlock = Field(description=block_hint(GABlock))
    es: ESBlock = Field(description=block_hint(ESBlock))


class ControlParams(SearchBudget):
    """G4 (CartPole), G5: GA vs random search vs OpenAI-ES on the classic control tasks, MLP policies."""

    envs: list[ControlEnv] = Field(
        min_length=1, description=f"non-empty list of unique names from {choices(CONTROL_ENVS)}"
    )
    methods: list[ComparedMethod] = Field(
        min_length=1, description=f"non-empty list of unique names from {choices(COMPARED_METHODS)}"
    )
    max_steps: dict[ControlEnv, PosInt] = Field(
        description=f"mapping from each of 'envs' ({choices(CONTROL_ENVS)}) to its episode cap, an int >= 1"
    )
    hidden: Widths

    _unique = field_validator("envs", "methods")(unique)

    @model_validator(mode="after")
    def _caps(self) -> Self:
        missing = [env for env in self.envs if env not in self.max_steps]
        if missing:
            raise fail(f"no episode cap for {', '.join(missing)}", "max_steps", dict(self.max_steps))
        return self


class MinatarParams(SearchBudget):
    """G4 (above random), G5 on MinAtar Breakout and Asterix, the MinAtar paper's small conv net."""

    envs: list[MinatarEnv] = Field(
        min_length=1, description=f"non-empty list of unique names from {choices(MINATAR_ENVS)}"
    )
    methods: list[ComparedMethod] = Field(
        min_length=1, description=f"non-empty list of unique names from {choices(COMPARED_METHODS)}"
    )
    sticky_action_prob: float = Field(ge=0.0, lt=1.0, description="float in [0, 1): MinAtar's sticky actions")

    _unique = field_validator("envs", "methods")(unique)


class MazeParams(SearchBudget):
    """G6: GA-NS vs GA vs OpenAI-ES on the deceptive maze."""

    methods: list[MazeMethod] = Field(
        min_length=1, description=f"non-empty list of unique names from {choices(MAZE_METHODS)}"
    )
    hidden: Widths
    novelty_search: NoveltyBlock = Field(description=block_hint(NoveltyBlock))

    _unique = field_validator("methods")(unique)


class EncodingParams(BaseModel):
    """G1 (decode determinism and parity), G2 (compression), G3 (parameter counts)."""

    model_config = STRICT

    generations: list[Annotated[int, Field(ge=0)]] = Field(
        min_length=1, description="strictly increasing list of ints >= 0: mutations after tau_0 of the decoded genomes"
    )
    genomes: PosInt = Field(description="int >= 1: random genomes per (policy, generations)")
    sigma: Positive = Field(description="float > 0: mutation power of the decoded genomes")
    mlp_hidden: Widths
    sample_coordinates: PosInt = Field(description="int >= 1: coordinates of the Atari net's theta kept for G1")
    table_size: int = Field(
        ge=ATARI_PARAMS, le=2**31 - 1, description=f"int in [{ATARI_PARAMS}, 2**31 - 1]: holds the Atari net"
    )
    size_generations: list[Annotated[int, Field(ge=0)]] = Field(
        min_length=2, description="strictly increasing list of >= 2 ints >= 0: g of G2's bytes curve"
    )

    _increasing = field_validator("generations", "size_generations")(increasing)


class ScalingParams(BaseModel):
    """G7: bytes per generation vs parameter count, time per generation vs Ray workers (CartPole)."""

    model_config = STRICT

    workers: list[PosInt] = Field(
        min_length=2, description="strictly increasing list of >= 2 ints >= 1, starting at 1 (Ray workers)"
    )
    population: int = Field(ge=2, description="int >= 2: individuals per timed generation (both nets)")
    truncation: PosInt = Field(description="int in [1, population]: the GA's parents")
    elite_candidates: PosInt = Field(description="int in [1, population]: individuals re-evaluated for the elite")
    generations: int = Field(ge=3, description="int >= 3: timed generations per engine (after the warm-up)")
    warmup: PosInt = Field(description="int >= 1: untimed generations first (compilation, caches)")
    max_steps: PosInt = Field(description="int >= 1: CartPole episode cap of the timed generations")
    hidden: Widths
    large_hidden: Widths
    large_max_steps: PosInt = Field(description="int >= 1: episode cap of the large net's generations")
    sigma: Positive = Field(description="float > 0: mutation power")
    table_size: int = Field(
        ge=ATARI_PARAMS, le=2**31 - 1, description=f"int in [{ATARI_PARAMS}, 2**31 - 1]: holds the large net"
    )
    ray_address: RayAddress

    _increasing = field_validator("workers")(increasing)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.workers[0] != 1:
            raise fail("must start at 1 (the single-worker reference)", "workers[0]", self.workers[0])
        for key in ("truncation", "elite_candidates"):
            if getattr(self, key) > self.population:
                raise fail(f"exceeds population = {self.population}", key, getattr(self, key))
        return self


class ThroughputParams(BaseModel):
    """Generations per second of our GA beside evosax's SimpleGA (JAX) and EvoTorch's GA (PyTorch)."""

    model_config = STRICT

    population: int = Field(ge=4, description="int >= 4: individuals per generation (all three GAs)")
    truncation: PosInt = Field(description="int in [1, population]: parents of our GA")
    sigma: Positive = Field(description="float > 0: mutation power (all three GAs)")
    max_steps: PosInt = Field(description="int >= 1: CartPole episode cap")
    hidden: Widths
    generations: PosInt = Field(description="int >= 1: generations per timed call")
    repeats: int = Field(ge=3, description="int >= 3: timed calls per GA (interleaved)")
    warmup: PosInt = Field(description="int >= 1: untimed calls first (compilation)")
    table_size: TableSize
    threads: PosInt = Field(description="int >= 1: CPU threads of both GAs (pins the stage)")

    @model_validator(mode="after")
    def _fits(self) -> Self:
        if self.truncation > self.population:
            raise fail(f"exceeds population = {self.population}", "truncation", self.truncation)
        return self


class NeuroevolutionParams(BaseModel):
    """The study's block: exactly one sub-block per experiment."""

    model_config = STRICT

    encoding: EncodingParams = Field(description=block_hint(EncodingParams))
    control: ControlParams = Field(description=block_hint(ControlParams))
    minatar: MinatarParams = Field(description=block_hint(MinatarParams))
    maze: MazeParams = Field(description=block_hint(MazeParams))
    scaling: ScalingParams = Field(description=block_hint(ScalingParams))
    throughput: ThroughputParams = Field(description=block_hint(ThroughputParams))
