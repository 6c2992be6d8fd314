"""The outcome of one claim check: a verdict with its number, interval, and per-configuration details."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CheckResult:
    """What a check returns for one (framework, device) slice of the tables."""

    verdict: str
    value: float
    ci_low: float
    ci_high: float
    summary: str
    details: list[dict[str, Any]] = field(default_factory=list)
