"""The typed thresholds of the study's claims: each renders its own prose (``describe()``), and the checks,
the figures and the experiments' sample sizing read the same objects."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UnbiasedThreshold:
    """F1: tests at family-wise ``alpha``; pooled bias along grad f inside +-``bias_band``; K-slope band."""

    alpha: float = 0.01
    confidence: float = 0.95
    bias_band: float = 0.01
    slope: float = -0.5
    slope_tolerance: float = 0.05
    power: float = 0.9

    def describe(self) -> str:
        """Prose for the report."""
        return (
            f"no test rejects unbiasedness (per configuration: chi-square omnibus test of the mean error against "
            f"the known covariance, t-test of the component along grad f; pooled z-test of the bias along grad f; "
            f"Holm, family-wise {self.alpha:g}); the {self.confidence:.0%} interval of the pooled bias along "
            f"grad f lies inside +-{self.bias_band:.1%} of ||grad f||; every configuration's simultaneous "
            f"{self.confidence:.0%} bootstrap interval of the log-log slope of the RMS error of the K-sample mean "
            f"lies inside [{self.slope - self.slope_tolerance:g}, {self.slope + self.slope_tolerance:g}]"
        )


@dataclass(frozen=True)
class VarianceThreshold:
    """F2: every ratio to theory (and their pooled mean) has its simultaneous interval inside 1 +- tolerance
    and containing 1; degenerate configurations are checked exactly."""

    tolerance: float = 0.03
    confidence: float = 0.95
    exact_tolerance: float = 1e-4
    power: float = 0.9

    def describe(self) -> str:
        """Prose for the report."""
        return (
            f"every configuration's measured/theoretical variance and E|cos| ratio, and the pooled variance ratio, "
            f"has its simultaneous {self.confidence:.0%} interval (Bonferroni over all of them) inside "
            f"[{1 - self.tolerance:g}, {1 + self.tolerance:g}] and containing 1 (an interval excluding 1 refutes "
            f"the identity); constant-norm tangents at n = 2 (zero variance) must match n - 1 = 1 within "
            f"{self.exact_tolerance:g} relative"
        )


@dataclass(frozen=True)
class TangentChoiceThreshold:
    """B1: resolvable configurations show constant-norm tangents better; none shows them worse."""

    alpha: float = 0.05
    confidence: float = 0.95
    power: float = 0.9

    def describe(self) -> str:
        """Prose for the report."""
        return (
            f"in every configuration where the budget resolves the theoretical effect (smallest detectable at "
            f"{self.power:.0%} power below it), the simultaneous {self.confidence:.0%} interval of the variance "
            f"ratio constant-norm/Gaussian lies below 1 and constant-norm FGD needs fewer iterations (one-sided "
            f"Mann-Whitney, Holm at {self.alpha:g}); any configuration showing them significantly worse refutes"
        )


@dataclass(frozen=True)
class KTangentsThreshold:
    """B4: averaging slope band; projection cosine against its exact law; projection beats averaging."""

    slope: float = -1.0
    slope_tolerance: float = 0.05
    cosine_tolerance: float = 0.05
    confidence: float = 0.95
    exact_tolerance: float = 1e-4
    power: float = 0.9

    def describe(self) -> str:
        """Prose for the report."""
        return (
            f"(a) the {self.confidence:.0%} interval of the log-log slope of the averaging error vs K lies inside "
            f"[{self.slope - self.slope_tolerance:g}, {self.slope + self.slope_tolerance:g}]; (b) for every K < n "
            f"the projection's mean cosine over its exact Beta-law value has its simultaneous {self.confidence:.0%} "
            f"interval inside [{1 - self.cosine_tolerance:g}, {1 + self.cosine_tolerance:g}] and containing 1, "
            f"cos = 1 within {self.exact_tolerance:g} at K = n, and wherever the budget resolves the expected "
            f"gap, projection's mean cosine exceeds averaging's (difference interval above 0)"
        )


F1 = UnbiasedThreshold()
F2 = VarianceThreshold()
B1 = TangentChoiceThreshold()
B4 = KTangentsThreshold()
