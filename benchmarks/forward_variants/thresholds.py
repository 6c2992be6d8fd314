"""The typed thresholds of the study's claims: each renders its own prose (``describe()``); the checks and
the figures read the same objects (the reasons for each band are in the claims' notes)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FiniteDifferenceThreshold:
    """F10: (a) the order of the finite-difference error; (b) the step net's final training accuracy."""

    forward_order: float = 1.0
    central_order: float = 2.0
    order_tolerance: float = 0.1
    max_error: float = 0.05
    rounding_margin: float = 10.0
    min_points: int = 3
    accuracy_band: float = 0.75
    chance: float = 0.5
    confidence: float = 0.95
    power: float = 0.9

    def order(self, derivative: str) -> float:
        """The Taylor order of a finite difference: 1 (forward), 2 (central)."""
        return self.central_order if derivative == "fd_central" else self.forward_order

    def describe(self) -> str:
        """Prose for the report."""
        lo, hi = 1 - self.order_tolerance, 1 + self.order_tolerance
        return (
            f"(F10a) on every smooth task and tangent law, the simultaneous {self.confidence:.0%} bootstrap interval "
            f"of the log-log slope of the relative error ||g_FD - g_JVP|| / ||g_JVP|| against eps lies inside "
            f"[{lo * self.forward_order:g}, {hi * self.forward_order:g}] (forward difference) and "
            f"[{lo * self.central_order:g}, {hi * self.central_order:g}] (central), fitted over the eps where the "
            f"error is at most {self.max_error:g} and at least {self.rounding_margin:g}x the float32 rounding scale "
            f"(>= {self.min_points} points; an error that never falls to {self.max_error:g} refutes); (F10b) on every "
            f"Boolean task the one-sided simultaneous {self.confidence:.0%} interval of the mean final training "
            f"accuracy of the Heaviside net trained by the forward difference lies in [{self.accuracy_band:g}, 1] "
            f"(chance {self.chance:g}), while backprop's gradient and the JVP are exactly 0 at every recorded step "
            "and backprop never moves"
        )


@dataclass(frozen=True)
class BinaryThreshold:
    """F11: the binary net's test accuracy under Rademacher forward differences, against a band above chance."""

    accuracy_band: float = 0.5
    chance: float = 0.1
    confidence: float = 0.95
    power: float = 0.9

    def describe(self) -> str:
        """Prose for the report."""
        return (
            f"the one-sided {self.confidence:.0%} interval of the mean test accuracy of the sign-weight net trained "
            f"by Rademacher forward differences lies in [{self.accuracy_band:g}, 1] (chance {self.chance:g}); the "
            "straight-through-estimator baseline's accuracy and the ratio of the two are reported beside it"
        )


@dataclass(frozen=True)
class PerturbationThreshold:
    """B5: weight / activity relative variance above ``ratio_band`` on every layer and law."""

    ratio_band: float = 1.0
    confidence: float = 0.95
    power: float = 0.9

    def describe(self) -> str:
        """Prose for the report."""
        return (
            f"for every layer and tangent law, the simultaneous {self.confidence:.0%} interval (Bonferroni) of "
            "E||g - grad||^2 (weight perturbation) / E||g - grad||^2 (activity perturbation) lies above "
            f"{self.ratio_band:g}"
        )


F10 = FiniteDifferenceThreshold()
F11 = BinaryThreshold()
B5 = PerturbationThreshold()
