"""Params of the ``forward_variants`` study: one block per experiment (``profiles.<profile>.forward_variants``)."""

from __future__ import annotations

from typing import Annotated, Literal, Self, get_args

from pydantic import BaseModel, Field, field_validator, model_validator

from benchmarks.params_fields import STRICT, PosInt, block_hint, choices, fail, unique

Law = Literal["gaussian", "rademacher"]
BooleanTask = Literal["xor", "parity3", "parity4"]
LAWS: tuple[str, ...] = get_args(Law)
BOOLEAN_TASKS: tuple[str, ...] = get_args(BooleanTask)
PosFloat = Annotated[float, Field(gt=0.0)]


def _decreasing(values: list[float]) -> list[float]:
    for i in range(1, len(values)):
        if values[i] >= values[i - 1]:
            raise fail(f"not strictly decreasing: {values[i]} follows {values[i - 1]}", f"[{i}]", values[i])
    return values


class FdAgreementParams(BaseModel):
    """F10a: finite-difference vs JVP directional derivatives on smooth losses, over a grid of step sizes."""

    model_config = STRICT

    rosenbrock_dim: int = Field(ge=2, description="int >= 2: dimension of the Rosenbrock function")
    net_layers: list[PosInt] = Field(
        min_length=2, description="list of >= 2 ints >= 1 starting with 64 and ending with 10 (sigmoid net on digits)"
    )
    batch: int = Field(ge=1, le=1437, description="int in [1, 1437]: digits training images in the batch")
    distributions: list[Law] = Field(min_length=1, description=f"non-empty list of unique names from {choices(LAWS)}")
    tangents: int = Field(ge=16, description="int >= 16: tangents per configuration (the bootstrap's units)")
    epsilons: list[Annotated[float, Field(gt=0.0, le=1.0)]] = Field(
        min_length=4, description="strictly decreasing list of >= 4 floats in (0, 1]: the finite-difference steps"
    )

    _unique = field_validator("distributions")(unique)
    _decreasing = field_validator("epsilons")(_decreasing)

    @model_validator(mode="after")
    def _digits_net(self) -> Self:
        if self.net_layers[0] != 64 or self.net_layers[-1] != 10:
            raise fail("the net reads 64 pixels and outputs 10 classes", "net_layers", self.net_layers)
        return self


class StepNetTask(BaseModel):
    """One Boolean task and the hidden width of its step net (inputs-hidden-1)."""

    model_config = STRICT

    task: BooleanTask = Field(description=f"one of {choices(BOOLEAN_TASKS)}")
    hidden: PosInt = Field(description="int >= 1: hidden Heaviside units")


class StepNetParams(BaseModel):
    """F10b: a Heaviside net trained by the finite-difference forward gradient; backprop from the same starts."""

    model_config = STRICT

    nets: list[StepNetTask] = Field(min_length=1, description="non-empty list of {task, hidden} with unique tasks")
    distribution: Law = Field(description=f"one of {choices(LAWS)}")
    tangents: PosInt = Field(description="int >= 1: tangents averaged per step")
    epsilons: list[PosFloat] = Field(min_length=1, description="non-empty list of unique floats > 0 (swept)")
    lrs: list[PosFloat] = Field(min_length=1, description="non-empty list of unique floats > 0 (swept)")
    sweep_seeds: PosInt = Field(description="int >= 1: runs per (eps, lr) in the sweep, on their own starts")
    seeds: int = Field(ge=5, description="int >= 5: runs at the chosen (eps, lr), on fresh starts")
    steps: PosInt = Field(description="int >= 1: training steps")
    record_every: PosInt = Field(description="int >= 1: trace stride (<= steps)")
    backprop_lr: PosFloat = Field(description="float > 0: full-batch gradient descent step (its gradient is 0)")

    _unique = field_validator("epsilons", "lrs")(unique)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        tasks = [n.task for n in self.nets]
        if len(set(tasks)) != len(tasks):
            raise fail("a task is listed twice", "nets", tasks)
        if self.record_every > self.steps:
            raise fail(f"record_every > steps = {self.steps}", "record_every", self.record_every)
        return self


class BinaryNetParams(BaseModel):
    """F11: a binary-weight net on digits, Rademacher finite differences vs straight-through backprop."""

    model_config = STRICT

    hidden: PosInt = Field(description="int >= 1: hidden tanh units (64-hidden-10, weights +-1/sqrt(fan_in))")
    tangents: PosInt = Field(description="int >= 1: Rademacher tangents averaged per step")
    epsilon: float = Field(gt=0.0, le=2.0, description="float in (0, 2]: finite-difference step on the latent weights")
    fd_lrs: list[PosFloat] = Field(min_length=1, description="non-empty list of unique floats > 0 (swept)")
    ste_lrs: list[PosFloat] = Field(min_length=1, description="non-empty list of unique floats > 0 (swept)")
    batch: int = Field(ge=1, le=1437, description="int in [1, 1437]: minibatch size")
    steps: PosInt = Field(description="int >= 1: training steps (the same for both methods)")
    record_every: PosInt = Field(description="int >= 1: trace stride (<= steps)")
    sweep_seeds: PosInt = Field(description="int >= 1: runs per lr in the sweep, on their own starts")
    seeds: int = Field(ge=5, description="int >= 5: runs per method at its chosen lr, on fresh starts")

    _unique = field_validator("fd_lrs", "ste_lrs")(unique)

    @model_validator(mode="after")
    def _stride(self) -> Self:
        if self.record_every > self.steps:
            raise fail(f"record_every > steps = {self.steps}", "record_every", self.record_every)
        return self


class PerturbationParams(BaseModel):
    """B5: weight- vs activity-perturbed forward gradients of every layer of a ReLU MLP on a digits batch."""

    model_config = STRICT

    layers: list[PosInt] = Field(
        min_length=3, description="list of >= 3 ints >= 1 starting with 64 and ending with 10 (ReLU MLP on digits)"
    )
    batch: int = Field(ge=2, le=1437, description="int in [2, 1437]: digits training images in the batch")
    distributions: list[Law] = Field(min_length=1, description=f"non-empty list of unique names from {choices(LAWS)}")
    samples: int = Field(ge=64, description="int >= 64: estimates per (layer, kind, law)")

    _unique = field_validator("distributions")(unique)

    @model_validator(mode="after")
    def _digits_net(self) -> Self:
        if self.layers[0] != 64 or self.layers[-1] != 10:
            raise fail("the net reads 64 pixels and outputs 10 classes", "layers", self.layers)
        return self


class ForwardVariantsParams(BaseModel):
    """The study's block: exactly one sub-block per experiment."""

    model_config = STRICT

    fd_agreement: FdAgreementParams = Field(description=block_hint(FdAgreementParams))
    step_net: StepNetParams = Field(description=block_hint(StepNetParams))
    binary_net: BinaryNetParams = Field(description=block_hint(BinaryNetParams))
    perturbation: PerturbationParams = Field(description=block_hint(PerturbationParams))
