"""The typed thresholds of the study's claims F4-F9: each renders its own prose (``describe()``); the
checks, the figures and the report read the same objects. The bands are the suite's proposals where the
paper gives none; the reasons are in each claim's notes (:mod:`benchmarks.forward_training.claims`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CostRatio:
    """F4, a family: t(FG)/t(BP) below ``weak`` (cheaper at all) and below ``strong`` (the paper's margin)
    on every model; paper anchor ``anchor`` (R_f / R_b = 2.46 / 4.17), FLOP model ``flop_model``."""

    strong: float = 0.75
    weak: float = 1.0
    anchor: float = 0.59
    flop_model: float = 1.0
    distribution: str = "gaussian"
    confidence: float = 0.95
    power: float = 0.9

    def describe(self) -> str:
        """Prose for the report."""
        return (
            f"per model, the ratio of median step times t(FG)/t(BP) of the suite's forward-gradient step "
            f"({self.distribution} tangents, the paper's) and backprop step, with its percentile bootstrap interval "
            f"over paired timed rounds at the simultaneous {self.confidence:.0%} level (Bonferroni over the "
            f"models): F4a reproduced when every model's interval lies inside (0, {self.weak:g}], F4b when inside "
            f"(0, {self.strong:g}]; the family reads partial when F4a holds and F4b is refuted"
        )


@dataclass(frozen=True)
class SpeedupRatio:
    """F5, a family: wall-clock to the target training loss, FG over BP, below ``weak`` and ``strong``."""

    strong: float = 0.6
    weak: float = 0.9
    confidence: float = 0.95
    power: float = 0.9

    def describe(self) -> str:
        """Prose for the report."""
        return (
            f"the paired-bootstrap {self.confidence:.0%} interval of the ratio of Kaplan-Meier median wall-clock "
            f"seconds to the target training loss, forward gradient over backprop at the same learning rate "
            f"(censoring-aware: censored runs counted as reaching at their budget on the side that makes the "
            f"bound conservative), lies inside (0, {self.weak:g}] (F5a: faster) and inside (0, {self.strong:g}] "
            f"(F5b: up to twice as fast); partial when F5a holds and F5b is refuted"
        )


@dataclass(frozen=True)
class LossRatio:
    """F6: final training and test loss, FG over BP, at most ``high`` (within 10% of BP, or lower)."""

    high: float = 1.10
    confidence: float = 0.95
    power: float = 0.9

    def describe(self) -> str:
        """Prose for the report."""
        return (
            f"the {self.confidence:.0%} t-interval (Bonferroni over the two losses) of the geometric mean over "
            f"paired runs of the final training loss ratio and of the final test loss ratio, forward gradient over "
            f"backprop after the same number of steps at the same learning rate, each lies inside (0, "
            f"{self.high:g}]; not reproduced when either lies above {self.high:g} (or a forward-gradient run diverged)"
        )


@dataclass(frozen=True)
class TunedIterationRatio:
    """F7 (counter-claim): iterations to the target, BP over FG, each at its selected rate, at most ``high``."""

    high: float = 0.5
    confidence: float = 0.95
    power: float = 0.9

    def describe(self) -> str:
        """Prose for the report."""
        return (
            f"the paired-bootstrap {self.confidence:.0%} interval of the ratio of Kaplan-Meier median iterations to "
            f"the target training loss, backprop over forward gradient, each at its own learning rate selected on "
            f"separate sweep runs (censoring-aware as in F5), lies inside (0, {self.high:g}]"
        )


@dataclass(frozen=True)
class MemoryRatio:
    """F8: peak memory of the FG step over the BP step at most ``high`` in every measured configuration."""

    high: float = 1.0
    power: float = 0.9

    def describe(self) -> str:
        """Prose for the report."""
        return (
            f"peak memory of the suite's forward-gradient step over its backprop step, by the framework's own "
            f"allocation accounting (named per reading), is at most {self.high:g} in every measured configuration "
            f"(each model at the paper's batch, the MLP at every batch and depth); the readings are deterministic, so "
            f"the interval is the reading itself; not reproduced when any configuration exceeds {self.high:g}"
        )


@dataclass(frozen=True)
class DepthSlope:
    """F9: the slope of t(FG)/t(BP) on log2(hidden layers) is non-negative (the speed-up shrinks)."""

    low: float = 0.0
    confidence: float = 0.95
    power: float = 0.9

    def describe(self) -> str:
        """Prose for the report."""
        return (
            f"the percentile bootstrap {self.confidence:.0%} interval (rounds resampled within each depth) of the "
            f"least-squares slope of t(FG)/t(BP) on log2(number of hidden layers) lies inside [{self.low:g}, inf); "
            f"not reproduced when it lies below {self.low:g} (the ratio falls with depth)"
        )


F4 = CostRatio()
F5 = SpeedupRatio()
F6 = LossRatio()
F7 = TunedIterationRatio()
F8 = MemoryRatio()
F9 = DepthSlope()
