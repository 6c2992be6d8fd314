"""The verdict vocabulary and the equivalence rule every claim check uses.

- ``reproduced``: the confidence interval of the measured quantity lies inside the claim's band (and no test
  rejects the claim). A wide interval therefore never passes.
- ``not reproduced``: the interval lies outside the band, or a test rejects the claim.
- ``inconclusive``: the interval straddles a band edge; more budget would decide.
- ``partial``: only for a claim that is explicitly a family of sub-claims (its registry entry names the
  family), when some members are reproduced and others not.
"""

from __future__ import annotations

from collections.abc import Iterable

REPRODUCED = "reproduced"
PARTIAL = "partial"
NOT_REPRODUCED = "not reproduced"
INCONCLUSIVE = "inconclusive"
VERDICTS = (REPRODUCED, PARTIAL, NOT_REPRODUCED, INCONCLUSIVE)


def band_verdict(ci_low: float, ci_high: float, low: float, high: float) -> str:
    """Equivalence: ``reproduced`` if [ci_low, ci_high] lies inside [low, high], ``not reproduced`` if it lies
    entirely outside, else ``inconclusive`` (NaN bounds are inconclusive)."""
    if low <= ci_low and ci_high <= high:
        return REPRODUCED
    if ci_high < low or ci_low > high:
        return NOT_REPRODUCED
    return INCONCLUSIVE


def all_of(parts: Iterable[str]) -> str:
    """A conjunction of conditions that must all hold (one claim, several checks): any refuted part refutes
    it; all reproduced -> reproduced; otherwise inconclusive. Never ``partial``."""
    parts = list(parts)
    if any(p == NOT_REPRODUCED for p in parts):
        return NOT_REPRODUCED
    if parts and all(p == REPRODUCED for p in parts):
        return REPRODUCED
    return INCONCLUSIVE


def family(parts: Iterable[str]) -> str:
    """A family of sub-claims: all reproduced -> reproduced; none reproduced and some refuted -> not
    reproduced; some reproduced and some refuted -> partial; otherwise inconclusive."""
    parts = list(parts)
    if parts and all(p == REPRODUCED for p in parts):
        return REPRODUCED
    refuted = any(p == NOT_REPRODUCED for p in parts)
    passed = any(p == REPRODUCED for p in parts)
    if refuted and passed:
        return PARTIAL
    if refuted:
        return NOT_REPRODUCED
    return INCONCLUSIVE
