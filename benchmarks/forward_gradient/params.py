"""Params of the ``forward_gradient`` study: one block per experiment (``profiles.<profile>.forward_gradient``)."""

from __future__ import annotations

from typing import Annotated, Literal, Self, get_args

from pydantic import BaseModel, Field, field_validator, model_validator

from benchmarks.params_fields import STRICT, PosInt, block_hint, choices, fail, increasing, unique

Function = Literal["quadratic", "rosenbrock"]
Network = Literal["mlp_digits"]
Distribution = Literal["gaussian", "rademacher", "sphere"]

FUNCTIONS: tuple[str, ...] = get_args(Function)
NETWORKS: tuple[str, ...] = get_args(Network)
DISTRIBUTIONS: tuple[str, ...] = get_args(Distribution)


class EstimatorParams(BaseModel):
    """F1, F2, B1 (variance): single-tangent forward gradients at one point per task, S sized per configuration."""

    model_config = STRICT

    functions: list[Function] = Field(
        min_length=1, description=f"non-empty list of unique names from {choices(FUNCTIONS)}"
    )
    dims: list[Annotated[int, Field(ge=2)]] = Field(
        min_length=1, description="non-empty list of unique ints >= 2 (rosenbrock needs >= 2)"
    )
    network: Network | None = Field(description=f"one of {choices(NETWORKS)}, or null for none")
    distributions: list[Distribution] = Field(
        min_length=1, description=f"non-empty list of unique names from {choices(DISTRIBUTIONS)}"
    )
    ks: list[PosInt] = Field(
        min_length=2,
        description="strictly increasing list of >= 2 ints >= 1, each dividing the next (K of the K-sample means)",
    )
    half_width: float = Field(
        gt=0.0, lt=0.03, description="float in (0, 0.03): target relative half-width of F2's simultaneous intervals"
    )
    min_samples: PosInt = Field(description="int >= 2 * max(ks): fewest samples per configuration")
    max_samples: PosInt = Field(description="int >= min_samples: most samples per configuration")

    _unique = field_validator("functions", "dims", "distributions")(unique)
    _increasing = field_validator("ks")(increasing)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for i in range(1, len(self.ks)):
            if self.ks[i] % self.ks[i - 1]:
                raise fail(f"{self.ks[i]} is not a multiple of {self.ks[i - 1]}", f"ks[{i}]", self.ks[i])
        if self.min_samples < 2 * self.ks[-1]:
            raise fail(f"min_samples < 2 * max(ks) = {2 * self.ks[-1]}", "min_samples", self.min_samples)
        if self.max_samples < self.min_samples:
            raise fail(f"max_samples < min_samples = {self.min_samples}", "max_samples", self.max_samples)
        return self


class ProjectionParams(BaseModel):
    """B4: K Gaussian tangents, mean vs orthogonal projection, repeats sized per K."""

    model_config = STRICT

    dim: int = Field(ge=2, description="int >= 2, at least max(ks)")
    ks: list[PosInt] = Field(min_length=2, description="strictly increasing list of >= 2 ints >= 1, each <= dim")
    half_width: float = Field(
        gt=0.0, lt=0.05, description="float in (0, 0.05): target relative half-width of the per-K intervals"
    )
    min_repeats: int = Field(ge=8, description="int >= 8: fewest repeats per K and method")
    max_repeats: PosInt = Field(description="int >= min_repeats: most repeats per K and method")

    _increasing = field_validator("ks")(increasing)

    @model_validator(mode="after")
    def _ks_fit_dim(self) -> Self:
        if self.ks[-1] > self.dim:
            raise fail(f"max(ks) = {self.ks[-1]} exceeds dim = {self.dim}", "ks", self.ks)
        if self.max_repeats < self.min_repeats:
            raise fail(f"max_repeats < min_repeats = {self.min_repeats}", "max_repeats", self.max_repeats)
        return self


class FgdParams(BaseModel):
    """B1 (iterations): forward-gradient descent on 1/2 |x|^2."""

    model_config = STRICT

    dims: list[PosInt] = Field(min_length=1, description="non-empty list of unique ints >= 1")
    distributions: list[Distribution] = Field(
        min_length=1, description=f"non-empty list of unique names from {choices(DISTRIBUTIONS)}"
    )
    seeds: int = Field(ge=2, description="int >= 2")
    max_iterations: int = Field(ge=1, description="int >= 1")
    tolerance: float = Field(gt=0.0, lt=1.0, description="float with 0 < tolerance < 1 (e.g. 1.0e-6)")

    _unique = field_validator("dims", "distributions")(unique)


class ForwardGradientParams(BaseModel):
    """The study's block: exactly one sub-block per experiment."""

    model_config = STRICT

    estimator: EstimatorParams = Field(description=block_hint(EstimatorParams))
    projection: ProjectionParams = Field(description=block_hint(ProjectionParams))
    fgd: FgdParams = Field(description=block_hint(FgdParams))
