"""Params of the ``forward_descent`` study: one block per experiment (``profiles.<profile>.forward_descent``).

The protocol facts (Baydin et al.'s lr 0.01 and 1000 iterations; Belouze's lr 0.01, success at f* + 0.1,
divergence beyond 1e5 above the target, 5 starts, 5 repeats of the forward methods, 50,000 iterations) are
the defaults of the ``paper`` profile; smaller profiles shrink budgets and say so on their figures.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self, get_args

from pydantic import BaseModel, Field, field_validator, model_validator

from benchmarks.params_fields import STRICT, PosInt, block_hint, choices, fail, increasing, unique

Function2d = Literal["beale", "rosenbrock"]
TestFunction = Literal[
    "sphere",
    "sum_squares",
    "rotated_hyper_ellipsoid",
    "zakharov",
    "dixon_price",
    "trid",
    "sum_of_different_powers",
    "schwefel_2_23",
    "exponential",
    "quadratic",
]
Optimizer = Literal["sgd", "clipped_sgd", "adam", "adabelief"]
Distribution = Literal["gaussian", "rademacher", "sphere"]

FUNCTIONS_2D: tuple[str, ...] = get_args(Function2d)
TEST_FUNCTIONS: tuple[str, ...] = get_args(TestFunction)
OPTIMIZERS: tuple[str, ...] = get_args(Optimizer)
DISTRIBUTIONS: tuple[str, ...] = get_args(Distribution)
PROTOCOL_DISTRIBUTION = "rademacher"
"""The tangent law of Belouze's code (``forward.grad.df_fwd`` samples Rademacher tangents by default)."""

Positive = Annotated[float, Field(gt=0.0)]


class Descent2dParams(BaseModel):
    """F3: forward-gradient descent vs gradient descent on Beale and Rosenbrock in 2-D."""

    model_config = STRICT

    functions: list[Function2d] = Field(
        min_length=1, description=f"non-empty list of unique names from {choices(FUNCTIONS_2D)}"
    )
    learning_rates: list[Positive] = Field(
        min_length=1, description="non-empty list of unique floats > 0 (the paper's is 0.01; the claim is judged there)"
    )
    iterations: PosInt = Field(description="int >= 1 (the paper: 1000)")
    seeds: int = Field(ge=5, description="int >= 5: jittered starts (and tangent streams) per configuration")
    stride: PosInt = Field(description="int >= 1 dividing iterations: iterations between recorded points")
    start_spread: float = Field(ge=0.0, description="float >= 0: sd of the Gaussian jitter added to the standard start")

    _unique = field_validator("functions", "learning_rates")(unique)

    @model_validator(mode="after")
    def _stride_divides(self) -> Self:
        if self.iterations % self.stride:
            raise fail(f"stride must divide iterations = {self.iterations}", "stride", self.stride)
        return self


class ProtocolParams(BaseModel):
    """B2 (and B1's tangent choice): Belouze's benchmark protocol."""

    model_config = STRICT

    functions: list[TestFunction] = Field(
        min_length=1, description=f"non-empty list of unique names from {choices(TEST_FUNCTIONS)}"
    )
    dims: list[Annotated[int, Field(ge=2)]] = Field(
        min_length=2, description="strictly increasing list of >= 2 ints >= 2 (the gap is compared across them)"
    )
    optimizers: list[Optimizer] = Field(
        min_length=1, description=f"non-empty list of unique names from {choices(OPTIMIZERS)}"
    )
    distributions: list[Distribution] = Field(
        min_length=1,
        description=f"non-empty list of unique names from {choices(DISTRIBUTIONS)}, including "
        f"{PROTOCOL_DISTRIBUTION!r} (the protocol's forward gradient)",
    )
    starts: PosInt = Field(description="int >= 1: random starts per function and dimension (Belouze: 5)")
    repeats: PosInt = Field(description="int >= 1: runs of each forward method per start (Belouze: 5)")
    max_iterations: PosInt = Field(description="int >= 1: gradient evaluations per run (Belouze: 50000)")
    learning_rate: Positive = Field(description="float > 0 (Belouze: 0.01)")
    epsilon: Positive = Field(description="float > 0: success when f <= f* + epsilon (Belouze: 0.1)")
    divergence: Positive = Field(description="float > 0: diverged when f exceeds f* + epsilon by more (Belouze: 1e5)")
    clip_norm: Positive = Field(
        description="float > 0: clipped SGD's global-norm bound (Belouze clips each entry at 1)"
    )

    _unique = field_validator("functions", "optimizers", "distributions")(unique)
    _increasing = field_validator("dims")(increasing)

    @model_validator(mode="after")
    def _protocol_law(self) -> Self:
        if PROTOCOL_DISTRIBUTION not in self.distributions:
            raise fail(f"must include {PROTOCOL_DISTRIBUTION!r}", "distributions", self.distributions)
        return self


class DimensionParams(BaseModel):
    """B3: iterations of forward-gradient descent to tolerance x f(x0) on 1/2 ||x||^2 against n."""

    model_config = STRICT

    dims: list[PosInt] = Field(min_length=3, description="strictly increasing list of >= 3 ints >= 1")
    seeds: int = Field(ge=10, description="int >= 10: Gaussian starts (and tangent streams) per dimension")
    tolerance: float = Field(gt=0.0, lt=1.0, description="float in (0, 1): target f(x_t) <= tolerance f(x0)")
    budget_factor: float = Field(
        ge=1.5, description="float >= 1.5: iteration budget per n as a multiple of (n+2) ln(1/tolerance)"
    )

    _increasing = field_validator("dims")(increasing)


class ForwardDescentParams(BaseModel):
    """The study's block: exactly one sub-block per experiment."""

    model_config = STRICT

    descent_2d: Descent2dParams = Field(description=block_hint(Descent2dParams))
    protocol: ProtocolParams = Field(description=block_hint(ProtocolParams))
    dimension: DimensionParams = Field(description=block_hint(DimensionParams))
