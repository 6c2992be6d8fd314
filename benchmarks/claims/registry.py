"""The claim registry: every claim the suite checks, its threshold, its table(s) and its figure.

Claims are data. Thresholds live here and only here (shared/claims.md proposes them where the papers give
none) so they can be argued about in one place. Checking a claim is a pure function from the experiment
tables of one (framework, device) slice to a verdict with its value and confidence interval.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from .forward_gradient import (
    Thresholds,
    check_constant_norm,
    check_k_tangents,
    check_unbiased,
    check_variance,
)
from .result import CheckResult

BAYDIN = "Gradients without Backpropagation (Baydin et al. 2022)"
BELOUZE = "Optimization without Backpropagation (Belouze 2022)"


@dataclass(frozen=True)
class Claim:
    """One claim: what it says, how it is measured, when it counts as reproduced."""

    id: str
    paper: str
    statement: str
    metric: str
    threshold: str
    experiments: tuple[str, ...]
    figure: str
    check: Callable[[dict[str, pd.DataFrame], Thresholds], CheckResult]
    thresholds: Thresholds

    def missing_experiments(self, tables: dict[str, pd.DataFrame]) -> list[str]:
        """The experiments this claim reads that have no rows in ``tables``."""
        return [name for name in self.experiments if name not in tables or tables[name].empty]

    def evaluate(self, tables: dict[str, pd.DataFrame]) -> CheckResult:
        """Run the check on tables already restricted to one framework and device."""
        missing = self.missing_experiments(tables)
        if missing:
            raise ValueError(f"claim {self.id} needs experiment table(s) {missing}")
        return self.check({name: tables[name] for name in self.experiments}, self.thresholds)


CLAIMS: tuple[Claim, ...] = (
    Claim(
        id="F1",
        paper=BAYDIN,
        statement="the forward gradient (grad f . v) v is an unbiased estimator of grad f "
        "(Gaussian, Rademacher and sphere tangents)",
        metric="Holm-corrected t-tests of every coordinate and of the component along grad f; log-log slope of "
        "the RMS relative error of the K-sample mean vs K (value: mean slope, 95% bootstrap CI)",
        threshold="no test rejected at family-wise 1%; every configuration's slope CI (simultaneous 95%) "
        "inside [-0.55, -0.45]",
        experiments=("estimator",),
        figure="figures/f1_unbiasedness.png",
        check=check_unbiased,
        thresholds=Thresholds(alpha=0.01, confidence=0.95, band_low=-0.55, band_high=-0.45),
    ),
    Claim(
        id="F2",
        paper=BAYDIN,
        statement="its variance: E||g - grad f||^2 / ||grad f||^2 = n+1 (Gaussian), n-1 (Rademacher, sphere); "
        "E|cos(g, grad f)| ~ sqrt(2/(pi n))",
        metric="measured / theoretical variance per configuration (value: the configuration farthest from 1, "
        "simultaneous 95% t-interval); E|cos| against its exact value for Gaussian and sphere tangents",
        threshold="every ratio within 3% of 1 with its simultaneous 95% CI containing 1",
        experiments=("estimator",),
        figure="figures/f2_variance.png",
        check=check_variance,
        thresholds=Thresholds(confidence=0.95, tolerance=0.03),
    ),
    Claim(
        id="B1",
        paper=BELOUZE,
        statement="constant-norm tangents (sphere of radius sqrt n, Rademacher) give a better forward gradient "
        "than Gaussian ones",
        metric="variance ratio to Gaussian per configuration; FGD iterations to 1e-6 f(x0) on 1/2||x||^2 at "
        "lr 1/(n+2) (value: mean ratio of median iterations constant-norm/Gaussian, 95% bootstrap CI)",
        threshold="in every configuration, variance lower than Gaussian (ratio 95% CI below 1, or both variances "
        "within 3% of theory n-1 < n+1 where the ratio cannot be resolved); fewer iterations "
        "(one-sided Mann-Whitney, Holm at 5%) at every n",
        experiments=("estimator", "fgd"),
        figure="figures/b1_tangent_choice.png",
        check=check_constant_norm,
        thresholds=Thresholds(alpha=0.05, confidence=0.95, tolerance=0.03),
    ),
    Claim(
        id="B4",
        paper=BELOUZE,
        statement="K tangents help: averaging divides the variance by K; orthogonal projection onto K tangents "
        "gives cos(g, grad f) ~ sqrt(K/n)",
        metric="log-log slope of the mean-aggregation variance vs K (value, 95% bootstrap CI); projection "
        "E cos / sqrt(K/n) per K",
        threshold="slope CI inside [-1.05, -0.95]; projection ratio CI (simultaneous 95%) inside [0.9, 1.1] for K >= 4",
        experiments=("projection",),
        figure="figures/b4_k_tangents.png",
        check=check_k_tangents,
        thresholds=Thresholds(confidence=0.95, band_low=-1.05, band_high=-0.95, projection_band=(0.9, 1.1), min_k=4),
    ),
)


def get_claim(claim_id: str) -> Claim:
    """The registered claim with this id."""
    for claim in CLAIMS:
        if claim.id == claim_id:
            return claim
    raise ValueError(f"unknown claim {claim_id!r}; valid: {', '.join(c.id for c in CLAIMS)}")
