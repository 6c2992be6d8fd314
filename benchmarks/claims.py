"""Claims as data, and their evaluation on the experiment tables (engine: knows no paper).

A study's claims module defines ``CLAIMS: tuple[Claim, ...]``. A :class:`Claim` carries its statement, its
provenance, a typed threshold object (which renders its own prose and which the figures read), a
:class:`Scope` and a check: a pure function from tables to a :class:`CheckResult` holding the verdict, the
measured value with its interval, and the smallest defect the check detects at this budget.

Scopes decide how often a claim is judged:
- ``per_slice``: once per (framework, device) present in its tables (a claim about an implementation);
- ``across_frameworks``: once per device, over all frameworks together (a claim comparing them);
- ``framework_free``: once (a parameter count, a compression ratio).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from benchmarks.study import Study
from benchmarks.tables import NO_FRAMEWORK
from benchmarks.verdicts import INCONCLUSIVE, PARTIAL, VERDICTS

PROVENANCE_KEYS = ("profile", "git_commit", "params_hash")
PROVENANCE_TAGS = ("paper", "code", "secondary", "derived")
ALL_FRAMEWORKS = "all"


class Scope(StrEnum):
    """How often a claim is judged (see the module docstring)."""

    PER_SLICE = "per_slice"
    ACROSS_FRAMEWORKS = "across_frameworks"
    FRAMEWORK_FREE = "framework_free"


class Threshold(Protocol):
    """A claim's decision rule parameters; ``describe()`` renders them as prose for the report."""

    def describe(self) -> str: ...


@dataclass(frozen=True)
class Band:
    """The simplest threshold: the ``confidence`` interval of ``quantity`` must lie inside [low, high]."""

    quantity: str
    low: float
    high: float
    confidence: float = 0.95

    def describe(self) -> str:
        """Prose for the report."""
        return f"the {self.confidence:.0%} interval of {self.quantity} lies inside [{self.low:g}, {self.high:g}]"


@dataclass(frozen=True)
class Detectable:
    """The smallest defect of a stated kind that the check detects (reads ``not reproduced``) with
    probability ``power`` at the budget that ran, and how that was computed."""

    defect: str
    size: float
    unit: str
    power: float = 0.9
    method: str = ""

    def describe(self) -> str:
        """'2.1% (fraction of ...) ...'."""
        return f"{self.defect}: {self.size:.3g} {self.unit} (detected with probability {self.power:.0%}; {self.method})"


@dataclass(frozen=True)
class CheckResult:
    """What a check returns for one judged slice."""

    verdict: str
    value: float
    ci_low: float
    ci_high: float
    summary: str
    details: list[dict[str, Any]] = field(default_factory=list)
    detectable: Detectable | None = None


@dataclass(frozen=True)
class Claim:
    """One claim: what it says, where it comes from, how it is measured, when it counts as reproduced.

    ``family`` is non-empty only for a claim that is explicitly a family of sub-claims, and names them: only
    such a claim may read ``partial``. ``notes`` holds protocol facts and the reasons for the band.
    """

    id: str
    paper: str
    provenance: str
    statement: str
    metric: str
    threshold: Threshold
    scope: Scope
    experiments: tuple[str, ...]
    figure: str
    check: Callable[[dict[str, pd.DataFrame], Any], CheckResult]
    family: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        if self.provenance not in PROVENANCE_TAGS:
            raise ValueError(f"claim {self.id}: provenance {self.provenance!r}; valid: {', '.join(PROVENANCE_TAGS)}")
        if not isinstance(self.scope, Scope):
            raise ValueError(f"claim {self.id}: scope {self.scope!r}; valid: {', '.join(s.value for s in Scope)}")

    def missing_experiments(self, tables: Mapping[str, pd.DataFrame]) -> list[str]:
        """The experiments this claim reads that have no rows in ``tables``."""
        return [name for name in self.experiments if name not in tables or tables[name].empty]

    def evaluate(self, tables: Mapping[str, pd.DataFrame]) -> CheckResult:
        """Run the check on tables already restricted to one judged slice."""
        missing = self.missing_experiments(tables)
        if missing:
            raise ValueError(f"claim {self.id} needs experiment table(s) {missing}")
        result = self.check({name: tables[name] for name in self.experiments}, self.threshold)
        if result.verdict not in VERDICTS:
            raise ValueError(f"claim {self.id}: check returned verdict {result.verdict!r}; valid: {VERDICTS}")
        if result.verdict == PARTIAL and not self.family:
            raise ValueError(f"claim {self.id} is not a family of sub-claims, so it cannot read 'partial'")
        return result


def figure_path(study: str, figure: str) -> str:
    """Where a figure lives, relative to ``results/``."""
    return f"figures/{study}/{figure}.png"


def _slices(claim: Claim, tables: Mapping[str, pd.DataFrame]) -> list[tuple[str, str, dict[str, pd.DataFrame]]]:
    """(framework label, device, restricted tables) for each judged slice of ``claim``."""
    present = [tables[name] for name in claim.experiments if name in tables and not tables[name].empty]
    pairs = sorted({pair for t in present for pair in map(tuple, t[["framework", "device"]].drop_duplicates().values)})
    if claim.scope is Scope.FRAMEWORK_FREE or not pairs:
        label = NO_FRAMEWORK if claim.scope is Scope.FRAMEWORK_FREE else ALL_FRAMEWORKS
        devices = sorted({device for _, device in pairs}) or ["n/a"]
        return [(label, ", ".join(devices), dict(tables))]
    if claim.scope is Scope.ACROSS_FRAMEWORKS:
        out = []
        for device in sorted({device for _, device in pairs}):
            part = {name: t[t["device"] == device] for name, t in tables.items()}
            frameworks = sorted({fw for fw, dev in pairs if dev == device})
            out.append(("+".join(frameworks), device, part))
        return out
    return [
        (framework, device, {n: t[(t["framework"] == framework) & (t["device"] == device)] for n, t in tables.items()})
        for framework, device in pairs
    ]


def _provenance(tables: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    for table in tables.values():
        if not table.empty:
            first = table.iloc[0]
            return {key: str(first[key]) if key in first else "unknown" for key in PROVENANCE_KEYS}
    return dict.fromkeys(PROVENANCE_KEYS, "unknown")


def evaluate_claim(study: Study, claim: Claim, tables: Mapping[str, pd.DataFrame]) -> list[dict[str, Any]]:
    """One record per judged slice of ``claim`` (a missing table gives an ``inconclusive`` record)."""
    paper = study.paper(claim.paper)
    records = []
    for framework, device, part in _slices(claim, tables):
        record: dict[str, Any] = {
            "claim": claim.id,
            "study": study.name,
            "paper": paper.citation,
            "paper_short": paper.short,
            "provenance": claim.provenance,
            "statement": claim.statement,
            "metric": claim.metric,
            "threshold": claim.threshold.describe(),
            "scope": claim.scope.value,
            "family": claim.family,
            "framework": framework,
            "device": device,
            "figure": figure_path(study.name, claim.figure),
            **_provenance(part),
        }
        missing = claim.missing_experiments(part)
        if missing:
            result = CheckResult(INCONCLUSIVE, math.nan, math.nan, math.nan, f"no data: table(s) {missing} missing")
        else:
            result = claim.evaluate(part)
        record |= {
            "verdict": result.verdict,
            "value": result.value,
            "ci_low": result.ci_low,
            "ci_high": result.ci_high,
            "summary": result.summary,
            "details": result.details,
            "smallest_detectable": asdict(result.detectable) if result.detectable else None,
        }
        records.append(record)
    return records


def evaluate_study(study: Study, tables: Mapping[str, pd.DataFrame]) -> list[dict[str, Any]]:
    """Every claim of ``study`` on its tables, in registry order."""
    return [record for claim in study.load_claims() for record in evaluate_claim(study, claim, tables)]


def _plain(value: Any) -> Any:
    """JSON-safe: NumPy scalars to Python, NaN/inf to null."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(data: Any, path: Path) -> None:
    """Write claim records (or anything built from them) as deterministic JSON, NaN as null."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_plain(data), indent=2, sort_keys=True) + "\n")


def read_records(path: Path) -> list[dict[str, Any]]:
    """Read records back (null -> NaN for the numeric fields)."""
    records = json.loads(Path(path).read_text())
    for record in records:
        for key in ("value", "ci_low", "ci_high"):
            if record.get(key) is None:
                record[key] = math.nan
    return records
