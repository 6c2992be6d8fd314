"""Decision rules shared by the study's checks (on top of :mod:`benchmarks.verdicts`).

- :func:`ratio_verdict`: for a quantity whose claimed value is exactly 1 (an identity or an exact law): an
  interval excluding 1 refutes it; an interval inside 1 +- tolerance (and containing 1) reproduces it;
  anything else is inconclusive.
- :func:`exact_verdict`: for a configuration whose quantity has zero variance under the claim: it must hold
  to rounding.
"""

from __future__ import annotations

import numpy as np

from benchmarks.verdicts import INCONCLUSIVE, NOT_REPRODUCED, REPRODUCED

RESOLVABLE = "judged"
NOT_RESOLVABLE = "not resolvable at this budget"


def ratio_rejects(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Whether [low, high] excludes 1 (vectorised)."""
    return (np.asarray(low) > 1.0) | (np.asarray(high) < 1.0)


def ratio_verdict(low: float, high: float, tolerance: float) -> str:
    """See the module docstring."""
    if bool(ratio_rejects(low, high)):
        return NOT_REPRODUCED
    if 1.0 - tolerance <= low and high <= 1.0 + tolerance:
        return REPRODUCED
    return INCONCLUSIVE


def exact_verdict(ratio: float, relative_sd: float, tolerance: float) -> str:
    """Reproduced iff the ratio is 1 and the spread 0, both to ``tolerance`` (relative)."""
    return REPRODUCED if abs(ratio - 1.0) <= tolerance and relative_sd <= tolerance else NOT_REPRODUCED
