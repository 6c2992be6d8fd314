"""The typed thresholds of the study's claims A1-A9: each renders its own prose (``describe()``); the checks
and the figures read the same objects. The bands are the suite's proposals (the paper states no numbers):
the reasons are in each claim's notes (:mod:`benchmarks.alopex.claims`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SuccessRate:
    """A1, A3, A4: on every judged task the method's success rate is at least ``band_low``."""

    band_low: float
    confidence: float = 0.95
    power: float = 0.9

    def describe(self) -> str:
        """Prose for the report."""
        return (
            f"on every judged task, the one-sided {self.confidence:.0%} Clopper-Pearson lower bound (Bonferroni "
            f"over the tasks) of Alopex-94's success rate is at least {self.band_low:.0%}; not reproduced when a "
            f"task's one-sided upper bound lies below {self.band_low:.0%}"
        )


@dataclass(frozen=True)
class IterationRatio:
    """A2: Alopex-94's median iterations to the criterion at most ``high`` times backprop's, on every task."""

    high: float = 5.0
    far: float = 10.0
    confidence: float = 0.95
    power: float = 0.9

    def describe(self) -> str:
        """Prose for the report."""
        return (
            f"on every task, the paired-bootstrap {self.confidence:.0%} interval (Bonferroni over the tasks) of "
            f"Alopex-94's Kaplan-Meier median iterations to the criterion over backprop's lies inside (0, "
            f"{self.high:g}]; not reproduced when a task's interval lies above {self.high:g} (the report also "
            f"flags ratios above {self.far:g}, the catalogue's 'clearly not comparable')"
        )


@dataclass(frozen=True)
class MedianAccuracy:
    """A5: the median held-out accuracy over runs is at least ``band_low``."""

    band_low: float = 0.95
    confidence: float = 0.95
    power: float = 0.9

    def describe(self) -> str:
        """Prose for the report."""
        return (
            f"the one-sided {self.confidence:.0%} lower bound (exact, order statistics) of the median over runs "
            f"of Alopex-94's accuracy on the predictable bits of the held-out stream is at least "
            f"{self.band_low:.0%}; not reproduced when the one-sided upper bound lies below it"
        )


@dataclass(frozen=True)
class AccuracyMargin:
    """A6: on every problem, Alopex-94's mean test accuracy is at most ``margin`` below backprop's."""

    margin: float = 0.03
    confidence: float = 0.95
    power: float = 0.9

    def describe(self) -> str:
        """Prose for the report."""
        return (
            f"on every problem, the {self.confidence:.0%} t-interval (Bonferroni over the problems) of the mean "
            f"paired difference in test accuracy, Alopex-94 minus backprop, lies above -{self.margin * 100:g} "
            f"points; not reproduced when it lies below"
        )


@dataclass(frozen=True)
class SuccessGain:
    """A7: annealing solves at least ``band`` more runs than a fixed small temperature, Fisher p < alpha."""

    band: float = 0.10
    alpha: float = 0.05
    confidence: float = 0.95
    power: float = 0.9

    def describe(self) -> str:
        """Prose for the report."""
        return (
            f"the {self.confidence:.0%} Newcombe interval of the success-rate gain, annealed minus fixed "
            f"temperature, lies above {self.band * 100:g} points and a one-sided Fisher exact test gives "
            f"p < {self.alpha:g}; not reproduced when the interval lies below {self.band * 100:g} points"
        )


@dataclass(frozen=True)
class NonInferior:
    """A8: cross-entropy at least as good as squared error: success not lower by more than ``success_margin``
    and median iterations not higher than ``ratio_margin`` times."""

    success_margin: float = 0.05
    ratio_margin: float = 1.1
    confidence: float = 0.95
    power: float = 0.9

    def describe(self) -> str:
        """Prose for the report."""
        return (
            f"non-inferiority on both measures ({self.confidence:.0%} intervals, Bonferroni over the two): the "
            f"Newcombe interval of the success-rate difference, cross-entropy minus squared error, lies above "
            f"-{self.success_margin * 100:g} points, and the paired-bootstrap interval of the ratio of Kaplan-Meier "
            f"median iterations, cross-entropy over squared error, lies below {self.ratio_margin:g}; not "
            f"reproduced when either interval lies wholly beyond its margin"
        )


@dataclass(frozen=True)
class MostlyFaster:
    """A9: Alopex-B needs fewer median iterations than Alopex-94 on most tasks."""

    confidence: float = 0.95
    power: float = 0.9

    def describe(self) -> str:
        """Prose for the report."""
        return (
            f"Alopex-B is faster on more than half of the tasks: a task counts as faster when the paired-bootstrap "
            f"{self.confidence:.0%} interval (Bonferroni over the tasks) of the ratio of Kaplan-Meier median "
            f"iterations, Alopex-B over Alopex-94, lies below 1; not reproduced when even counting every "
            f"undecided task as faster would not make a majority"
        )


A1 = SuccessRate(band_low=0.9)
A2 = IterationRatio()
A3 = SuccessRate(band_low=0.8)
A4 = SuccessRate(band_low=0.8)
A5 = MedianAccuracy()
A6 = AccuracyMargin()
A7 = SuccessGain()
A8 = NonInferior()
A9 = MostlyFaster()
