"""Turn the experiment tables into claim records (``results/claims.json``), per framework and device."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.stats import INCONCLUSIVE

from .registry import CLAIMS, Claim

PROVENANCE_KEYS = ("profile", "git_commit", "params_hash")


def slices(tables: dict[str, pd.DataFrame]) -> list[tuple[str, str]]:
    """Sorted (framework, device) pairs present in any table."""
    pairs = set()
    for table in tables.values():
        pairs.update(map(tuple, table[["framework", "device"]].drop_duplicates().to_numpy()))
    return sorted(pairs)


def evaluate_claims(tables: dict[str, pd.DataFrame], claims: tuple[Claim, ...] = CLAIMS) -> list[dict[str, Any]]:
    """One record per (claim, framework, device)."""
    records = []
    for framework, device in slices(tables):
        part = {
            name: table[(table["framework"] == framework) & (table["device"] == device)]
            for name, table in tables.items()
        }
        first = next(t for t in part.values() if not t.empty).iloc[0]
        provenance = {key: str(first[key]) if key in first else "unknown" for key in PROVENANCE_KEYS}
        for claim in claims:
            record = {
                "claim": claim.id,
                "paper": claim.paper,
                "statement": claim.statement,
                "metric": claim.metric,
                "threshold": claim.threshold,
                "framework": framework,
                "device": device,
                "figure": claim.figure,
                **provenance,
            }
            missing = claim.missing_experiments(part)
            if missing:
                record |= {
                    "verdict": INCONCLUSIVE,
                    "value": math.nan,
                    "ci_low": math.nan,
                    "ci_high": math.nan,
                    "summary": f"no data: experiment table(s) {missing} missing",
                    "details": [],
                }
            else:
                result = claim.evaluate(part)
                record |= {
                    "verdict": result.verdict,
                    "value": result.value,
                    "ci_low": result.ci_low,
                    "ci_high": result.ci_high,
                    "summary": result.summary,
                    "details": result.details,
                }
            records.append(record)
    return records


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


def write_claims(records: list[dict[str, Any]], path: Path) -> None:
    """Write the records as deterministic JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_plain(records), indent=2, sort_keys=True) + "\n")


def read_claims(path: Path) -> list[dict[str, Any]]:
    """Read records back (null -> NaN for the numeric fields)."""
    records = json.loads(path.read_text())
    for record in records:
        for key in ("value", "ci_low", "ci_high"):
            if record.get(key) is None:
                record[key] = math.nan
    return records
