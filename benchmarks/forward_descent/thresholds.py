"""The typed thresholds of the study's claims: each renders its own prose (``describe()``); the checks and
the figures read the same objects."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConvergenceThreshold:
    """F3: a run converges when it ends within ``tolerance`` of the minimiser; the claim holds for a function
    when at least ``rate`` of the forward-gradient runs converge at the paper's learning rate."""

    learning_rate: float = 0.01
    tolerance: float = 0.1
    rate: float = 0.9
    confidence: float = 0.95
    power: float = 0.9

    def describe(self) -> str:
        """Prose for the report."""
        return (
            f"per function (Beale: F3a, Rosenbrock: F3b), at lr {self.learning_rate:g}, the one-sided exact "
            f"(Clopper-Pearson) {self.confidence:.0%} bound of the fraction of forward-gradient runs ending within "
            f"{self.tolerance:g} of the minimiser lies at or above {self.rate:.0%} (reproduced) or its upper bound "
            f"below it (not reproduced)"
        )


@dataclass(frozen=True)
class DimensionGapThreshold:
    """B2: the success-rate gap (true gradient minus forward gradient) at the largest n, and its growth from
    the smallest to the largest n, both have their intervals inside [``minimum_gap``, 1]."""

    minimum_gap: float = 0.05
    confidence: float = 0.95
    power: float = 0.9

    def describe(self) -> str:
        """Prose for the report."""
        return (
            f"with Belouze's forward gradient (Rademacher tangents), pooled over optimizers and functions: the "
            f"{self.confidence:.0%} bootstrap interval (starts resampled within each function) of the success-rate "
            f"gap true gradient - forward gradient at the largest n, and of its growth from the smallest to the "
            f"largest n, each lie inside [{self.minimum_gap:g}, 1]"
        )


@dataclass(frozen=True)
class LinearScalingThreshold:
    """B3: the log-log slope of mean iterations against n inside 1 +- ``slope_tolerance``; every n's mean
    over the first-passage law inside 1 +- ``ratio_tolerance``."""

    slope: float = 1.0
    slope_tolerance: float = 0.1
    ratio_tolerance: float = 0.05
    confidence: float = 0.95
    power: float = 0.9

    def describe(self) -> str:
        """Prose for the report."""
        return (
            f"the {self.confidence:.0%} bootstrap interval of the least-squares slope of log(mean iterations) on "
            f"log n lies inside [{self.slope - self.slope_tolerance:g}, {self.slope + self.slope_tolerance:g}], "
            f"and every n's simultaneous {self.confidence:.0%} bootstrap interval of mean iterations over the "
            f"derived first-passage law lies inside [{1 - self.ratio_tolerance:g}, {1 + self.ratio_tolerance:g}]"
        )


F3 = ConvergenceThreshold()
B2 = DimensionGapThreshold()
B3 = LinearScalingThreshold()
