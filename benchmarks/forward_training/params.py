"""Params of the ``forward_training`` study: one block per experiment (``profiles.<profile>.forward_training``).

Every block names its data set (``mnist``: the real MNIST IDX files; ``digits`` / ``mnist1d``: the smaller
stand-ins a profile may choose, named in every row and figure) and the networks by their sizes, so a profile
can shrink them (the smoke profile runs tiny nets on digits) while the default and paper profiles run the
paper's 784-1024-1024-10 MLP and CNN (64 channels, FC 1024).
"""

from __future__ import annotations

from typing import Literal, Self, get_args

from pydantic import BaseModel, Field, field_validator, model_validator

from benchmarks.params_fields import STRICT, PosInt, block_hint, choices, fail, increasing, unique

Dataset = Literal["mnist", "digits", "mnist1d"]
Model = Literal["logreg", "mlp", "cnn"]
Distribution = Literal["gaussian", "rademacher", "sphere"]
Method = Literal["forward_gradient", "backprop"]
Kind = Literal["forward", "jvp", "fg", "fd", "bp", "minimal_bp", "minimal_fg"]

DATASETS: tuple[str, ...] = get_args(Dataset)
MODELS: tuple[str, ...] = get_args(Model)
DISTRIBUTIONS: tuple[str, ...] = get_args(Distribution)
METHODS: tuple[str, ...] = get_args(Method)
KINDS: tuple[str, ...] = get_args(Kind)
REQUIRED_KINDS = ("forward", "fg", "bp")


class Networks(BaseModel):
    """The networks' sizes: the MLP's hidden widths, the CNN's channels and FC width."""

    model_config = STRICT

    hidden: list[PosInt] = Field(min_length=1, description="non-empty list of ints >= 1 (MLP hidden widths)")
    channels: PosInt = Field(description="int >= 1 (CNN convolution channels; the paper's: 64)")
    fc: PosInt = Field(description="int >= 1 (CNN fully connected width; the paper's: 1024)")


class StepCostParams(BaseModel):
    """F4: time of one step of each kind, per model, kinds interleaved round by round."""

    model_config = STRICT

    dataset: Dataset = Field(description=f"one of {choices(DATASETS)}")
    models: list[Model] = Field(min_length=1, description=f"non-empty list of unique names from {choices(MODELS)}")
    networks: Networks = Field(description=block_hint(Networks))
    batch: PosInt = Field(description="int >= 1")
    kinds: list[Kind] = Field(
        min_length=3,
        description=f"list of unique names from {choices(KINDS)} including {choices(REQUIRED_KINDS)} (steps timed)",
    )
    distributions: list[Distribution] = Field(
        min_length=1, description=f"non-empty list of unique names from {choices(DISTRIBUTIONS)}"
    )
    ks: list[PosInt] = Field(
        min_length=1, description="strictly increasing list of ints >= 1 starting at 1 (tangents timed on the MLP)"
    )
    repeats: int = Field(ge=5, description="int >= 5 (timed rounds, logistic regression and MLP)")
    cnn_repeats: int = Field(ge=5, description="int >= 5 (timed rounds of the CNN)")
    warmup: int = Field(ge=0, description="int >= 0 (untimed rounds after the first call)")

    _unique = field_validator("models", "distributions", "kinds")(unique)
    _increasing = field_validator("ks")(increasing)

    @model_validator(mode="after")
    def _starts_at_one(self) -> Self:
        missing = [k for k in REQUIRED_KINDS if k not in self.kinds]
        if missing:
            raise fail(f"must include {', '.join(missing)} (the steps F4 compares)", "kinds", self.kinds)
        if self.ks[0] != 1:
            raise fail("must start at 1 (the single-tangent step every K is compared with)", "ks", self.ks)
        return self


class DepthParams(BaseModel):
    """F9: t(FG)/t(BP) of MLPs with ``depths`` hidden layers of ``width`` units."""

    model_config = STRICT

    dataset: Dataset = Field(description=f"one of {choices(DATASETS)}")
    width: PosInt = Field(description="int >= 1 (hidden width)")
    depths: list[PosInt] = Field(min_length=3, description="strictly increasing list of >= 3 ints >= 1 (hidden layers)")
    batch: PosInt = Field(description="int >= 1")
    distribution: Distribution = Field(description=f"one of {choices(DISTRIBUTIONS)}")
    repeats: int = Field(ge=5, description="int >= 5 (timed rounds per depth)")
    warmup: int = Field(ge=0, description="int >= 0")

    _increasing = field_validator("depths")(increasing)


class MemoryParams(BaseModel):
    """F8: peak memory of one FG and one BP step, the paper's models, and the MLP vs batch and depth."""

    model_config = STRICT

    dataset: Dataset = Field(description=f"one of {choices(DATASETS)}")
    models: list[Model] = Field(min_length=1, description=f"non-empty list of unique names from {choices(MODELS)}")
    networks: Networks = Field(description=block_hint(Networks))
    batch: PosInt = Field(description="int >= 1 (batch of the models' readings)")
    batches: list[PosInt] = Field(min_length=2, description="strictly increasing list of >= 2 ints >= 1 (MLP)")
    width: PosInt = Field(description="int >= 1 (hidden width of the depth series)")
    depths: list[PosInt] = Field(min_length=2, description="strictly increasing list of >= 2 ints >= 1")
    distribution: Distribution = Field(description=f"one of {choices(DISTRIBUTIONS)}")
    references: bool = Field(description="true or false (also read the hand-written steps of each model)")

    _unique = field_validator("models")(unique)
    _increasing = field_validator("batches", "depths")(increasing)


class _Training(BaseModel):
    """What both training experiments share."""

    model_config = STRICT

    dataset: Dataset = Field(description=f"one of {choices(DATASETS)}")
    networks: Networks = Field(description=block_hint(Networks))
    seeds: int = Field(ge=2, description="int >= 2 (paired runs per method; >= 5 for the curves' bands)")
    batch: PosInt = Field(description="int >= 1 (the paper's: 64)")
    decay: float = Field(ge=0.0, description="float >= 0 (k of eta_t = eta_0 exp(-k t); the paper's: 1e-4)")
    distribution: Distribution = Field(description=f"one of {choices(DISTRIBUTIONS)} (forward-gradient tangents)")
    records: PosInt = Field(description="int >= 1 (recorded chunks per run; each chunk's loss is its mean)")
    eval_size: int = Field(ge=0, description="int >= 0 (test examples evaluated; 0: all)")
    target_loss: float = Field(gt=0.0, description="float > 0 (training loss both methods are timed to)")


def chunks(steps: int, records: int) -> int:
    """Recorded chunks of a run of ``steps``: ``min(records, steps)``."""
    return min(records, steps)


class SameLrParams(_Training):
    """F5, F6: forward gradient vs backprop at the same learning rate, per model (``steps`` per model)."""

    lr: float = Field(gt=0.0, description="float > 0 (eta_0 of both methods; the paper's: 2e-4)")
    steps: dict[Model, PosInt] = Field(
        min_length=1, description=f"mapping from names in {choices(MODELS)} to ints >= 1 (steps per model)"
    )
    judged: Model = Field(description=f"one of {choices(MODELS)}, a key of 'steps' (F5 and F6 are judged on it)")
    evaluations: PosInt = Field(description="int >= 1 (test evaluations per run, the last at the end)")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.judged not in self.steps:
            raise fail(f"not a key of 'steps' ({', '.join(self.steps)})", "judged", self.judged)
        for model, steps in self.steps.items():
            if steps % chunks(steps, self.records):
                raise fail(f"{steps} steps do not split into {self.records} records", f"steps.{model}", steps)
        return self


class TunedLrParams(_Training):
    """F7: each method at its own best learning rate from a recorded sweep (sweep seeds apart)."""

    model: Model = Field(description=f"one of {choices(MODELS)}")
    steps: PosInt = Field(description="int >= 1 (steps per run, sweep and final)")
    sweep_seeds: PosInt = Field(description="int >= 1 (runs per learning rate in the sweep)")
    lrs: dict[Method, list[float]] = Field(
        description=f"mapping with keys {choices(METHODS)}, each a strictly increasing list of >= 2 floats > 0"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if set(self.lrs) != set(METHODS):
            raise fail(f"needs exactly the keys {', '.join(METHODS)}", "lrs", sorted(self.lrs))
        for method, values in self.lrs.items():
            if (
                len(values) < 2
                or any(v <= 0 for v in values)
                or any(b <= a for a, b in zip(values[:-1], values[1:], strict=True))
            ):
                raise fail("not a strictly increasing list of >= 2 floats > 0", f"lrs.{method}", values)
        if self.steps % chunks(self.steps, self.records):
            raise fail(f"{self.steps} steps do not split into {self.records} records", "steps", self.steps)
        return self


class ForwardTrainingParams(BaseModel):
    """The study's block: exactly one sub-block per experiment."""

    model_config = STRICT

    step_cost: StepCostParams = Field(description=block_hint(StepCostParams))
    depth: DepthParams = Field(description=block_hint(DepthParams))
    memory: MemoryParams = Field(description=block_hint(MemoryParams))
    same_lr: SameLrParams = Field(description=block_hint(SameLrParams))
    tuned_lr: TunedLrParams = Field(description=block_hint(TunedLrParams))
