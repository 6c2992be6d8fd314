"""Params of the ``alopex`` study: one block per experiment (``profiles.<profile>.alopex``).

Every block that trains nets shares :class:`RunBudget` (runs, budget, initialisation, success criterion,
trace resolution); blocks that compare methods also carry the step-size grids their sweep tries.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self, get_args

from pydantic import BaseModel, Field, field_validator, model_validator

from benchmarks.params_fields import STRICT, PosInt, block_hint, choices, fail, increasing, unique

BooleanTask = Literal[
    "xor",
    "parity3",
    "parity4",
    "parity5",
    "parity6",
    "encoder_4_2_4",
    "encoder_8_3_8",
    "encoder_16_4_16",
    "encoder_32_5_32",
    "symmetry6",
]
HeavisideTask = Literal["xor", "parity3"]
TemperatureRule = Literal["mean_abs_correlation", "delta_scaled"]

BOOLEAN_TASKS: tuple[str, ...] = get_args(BooleanTask)
HEAVISIDE_TASKS: tuple[str, ...] = get_args(HeavisideTask)
TEMPERATURE_RULES: tuple[str, ...] = get_args(TemperatureRule)

Positive = Annotated[float, Field(gt=0.0)]
StepSizes = Annotated[
    list[Positive], Field(min_length=1, description="non-empty, strictly increasing list of floats > 0")
]


class AlopexSettings(BaseModel):
    """Alopex-94's schedule and Alopex-B's forgetting factor (the step size delta is swept separately)."""

    model_config = STRICT

    cycle: PosInt = Field(description="int >= 1: M, iterations between temperature updates (Alopex-94)")
    initial_temperature: Positive = Field(description="float > 0: T of the first cycle (Alopex-94), T(0) (Alopex-B)")
    temperature_rule: TemperatureRule = Field(description=f"one of {choices(TEMPERATURE_RULES)}")
    forgetting: float = Field(ge=0.0, lt=1.0, description="float in [0, 1): Alopex-B's forgetting factor")


class RunBudget(BaseModel):
    """Runs, budget, initialisation and the success criterion of one experiment."""

    model_config = STRICT

    seeds: int = Field(ge=2, description="int >= 2: runs (initialisations) per method and configuration")
    max_iterations: PosInt = Field(description="int >= 1: iteration budget per run (runs beyond it are censored)")
    init_scale: Positive = Field(description="float > 0: initial weights uniform in [-init_scale, init_scale]")
    margin: float = Field(gt=0.0, le=0.5, description="float in (0, 0.5]: solved when every output is within margin")
    trace_points: PosInt = Field(description="int >= 1: trace rows recorded per run (evenly strided)")
    alopex: AlopexSettings = Field(description=block_hint(AlopexSettings))


class SweptBudget(RunBudget):
    """A run budget plus the step-size grids of the sweep that picks each method's step size."""

    sweep_seeds: int = Field(ge=2, description="int >= 2: runs per grid point of the sweep (other initialisations)")
    deltas: StepSizes
    lrs: StepSizes
    momentum: float = Field(ge=0.0, lt=1.0, description="float in [0, 1): backprop's momentum")

    _increasing = field_validator("deltas", "lrs")(increasing)


class LearningTimeParams(SweptBudget):
    """A1, A2, A3, A9: the Boolean problems, three methods, each at its best step size."""

    tasks: list[BooleanTask] = Field(
        min_length=1, description=f"non-empty list of unique names from {choices(BOOLEAN_TASKS)}"
    )

    _unique = field_validator("tasks")(unique)


class DiscontinuousParams(SweptBudget):
    """A4: Heaviside hidden and output units."""

    tasks: list[HeavisideTask] = Field(
        min_length=1, description=f"non-empty list of unique names from {choices(HEAVISIDE_TASKS)}"
    )

    _unique = field_validator("tasks")(unique)


class RecurrentParams(SweptBudget):
    """A5: an Elman net on temporal XOR, trained on windows of the training stream."""

    hidden: PosInt = Field(description="int >= 1: hidden (and context) units")
    window: PosInt = Field(description="int >= 3, a multiple of 3: steps per training sequence (whole triplets)")
    windows: PosInt = Field(description="int >= 1: training sequences, cut from the start of the training stream")
    test_steps: PosInt = Field(description="int >= 3, a multiple of 3: held-out steps scored")

    @model_validator(mode="after")
    def _whole_triplets(self) -> Self:
        for key in ("window", "test_steps"):
            value = getattr(self, key)
            if value < 3 or value % 3:
                raise fail("must be a multiple of 3 (whole triplets)", key, value)
        return self


class MonksParams(SweptBudget):
    """A6: MONK's problems 1-3, a 17-h-1 net."""

    hidden: PosInt = Field(description="int >= 1: hidden units")


class AnnealingParams(RunBudget):
    """A7: the annealing schedule vs a fixed small temperature on XOR, at one step size."""

    delta: Positive = Field(description="float > 0: Alopex's step size for both arms")
    fixed_temperature: Positive = Field(description="float > 0: the control arm's temperature, never updated")


class ErrorMeasureParams(RunBudget):
    """A8: squared error vs cross-entropy on XOR, each at its best step size from its own sweep."""

    sweep_seeds: int = Field(ge=2, description="int >= 2: runs per grid point of the sweep")
    deltas: StepSizes

    _increasing = field_validator("deltas")(increasing)


class IterationCostParams(BaseModel):
    """Wall time of iterations, vectorised over seeds (measured side by side in one process)."""

    model_config = STRICT

    tasks: list[BooleanTask] = Field(
        min_length=1, description=f"non-empty list of unique names from {choices(BOOLEAN_TASKS)}"
    )
    seeds_batched: list[PosInt] = Field(
        min_length=2, description="strictly increasing list of >= 2 ints >= 1, starting at 1"
    )
    iterations: PosInt = Field(description="int >= 1: iterations per timed call")
    repeats: int = Field(ge=3, description="int >= 3: timed calls per configuration")
    warmup: int = Field(ge=1, description="int >= 1: untimed calls first (compilation, caches)")
    delta: Positive = Field(description="float > 0")
    lr: Positive = Field(description="float > 0")
    alopex: AlopexSettings = Field(description=block_hint(AlopexSettings))

    _unique = field_validator("tasks")(unique)
    _increasing = field_validator("seeds_batched")(increasing)

    @model_validator(mode="after")
    def _starts_at_one(self) -> Self:
        if self.seeds_batched[0] != 1:
            raise fail("must start at 1 (the single-seed reference)", "seeds_batched[0]", self.seeds_batched[0])
        return self


class AlopexStudyParams(BaseModel):
    """The study's block: exactly one sub-block per experiment."""

    model_config = STRICT

    learning_time: LearningTimeParams = Field(description=block_hint(LearningTimeParams))
    discontinuous: DiscontinuousParams = Field(description=block_hint(DiscontinuousParams))
    recurrent: RecurrentParams = Field(description=block_hint(RecurrentParams))
    monks: MonksParams = Field(description=block_hint(MonksParams))
    annealing: AnnealingParams = Field(description=block_hint(AnnealingParams))
    error_measure: ErrorMeasureParams = Field(description=block_hint(ErrorMeasureParams))
    iteration_cost: IterationCostParams = Field(description=block_hint(IterationCostParams))
