"""Building blocks for params models (engine and studies): strict config, validators, error values.

A study's params model (``benchmarks/<study>/params.py``) is a pydantic model with one field per experiment,
each a model built from these pieces, so every study reports bad input the same way: the dotted key, the
offending value and what would be valid.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field
from pydantic_core import PydanticCustomError

STRICT = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)
PosInt = Annotated[int, Field(ge=1)]


def choices(names: tuple[str, ...]) -> str:
    """'a', 'b', 'c'."""
    return ", ".join(repr(n) for n in names)


def fail(message: str, sub: str = "", value: Any = None) -> PydanticCustomError:
    """A validation error; ``sub`` (``"ks"``, ``"[3]"``) is appended to the error's location."""
    return PydanticCustomError("nobp", "{message}", {"message": message, "sub": sub, "value": value})


def unique(values: list[Any]) -> list[Any]:
    """Field validator: no entry twice."""
    seen: set[Any] = set()
    for i, v in enumerate(values):
        if v in seen:
            raise fail(f"duplicate entry (already listed before index {i})", f"[{i}]", v)
        seen.add(v)
    return values


def increasing(values: list[int]) -> list[int]:
    """Field validator: strictly increasing."""
    for i in range(1, len(values)):
        if values[i] <= values[i - 1]:
            raise fail(f"not strictly increasing: {values[i]} follows {values[i - 1]}", f"[{i}]", values[i])
    return values


def block_hint(model: type) -> str:
    """'mapping with keys a, b, c' for a model's fields."""
    return "mapping with keys " + ", ".join(model.model_fields)
