"""Contract of the step-cost callables: ``implementations/<framework>/training_steps.py``.

One training step of a ReLU MLP on one fixed batch, four ways (Baydin et al. 2022, arXiv 2202.08587,
Sec. 5.2, where the cost of a forward-gradient step is compared with backprop's):

- ``fg_step``: sample tangents, one JVP, SGD update (Alg. 1): ``descent.step`` with the forward estimator;
- ``jvp_only``: the JVP alone with fixed tangents (the floor a forward-gradient step can reach);
- ``bp_step``: reverse-mode gradient and SGD update: ``descent.step`` with the backprop estimator;
- ``forward_only``: the loss alone (the paper's time ratios R_f and R_b are relative to it).

Every callable runs one step and waits for the device, so a wall clock around it is honest; everything is
built (and, where the framework compiles, compiled) when ``step_functions`` is called.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Protocol

from implementations.contracts._common import require

ROLE = "method"

STEP_KINDS: tuple[str, ...] = ("fg_step", "jvp_only", "bp_step", "forward_only")


class TrainingStepsMethod(Protocol):
    """The NumPy-facing function of ``implementations/<framework>/training_steps.py``."""

    def step_functions(
        self, layers: tuple[int, ...], batch: int, seed: int, distribution: str, lr: float = 2e-4
    ) -> dict[str, Callable[[], None]]:
        """{kind: callable running one step} for every kind in :data:`STEP_KINDS`."""
        ...


PROTOCOL = TrainingStepsMethod


def check_step_functions(impl: ModuleType) -> None:
    """Every kind is present, callable repeatedly, and returns None. Sphere tangents: the one distribution
    normalised across all parameter tensors together (the others are checked by the samplers' tests)."""
    steps = impl.step_functions((5, 4, 3), 8, 0, "sphere")
    require(tuple(steps) == STEP_KINDS, f"kinds {tuple(steps)} != {STEP_KINDS}")
    for kind, run in steps.items():
        for _ in range(3):
            require(run() is None, f"{kind} returned a value")


SINGLE_CHECKS = (check_step_functions,)
PARITY_CHECKS = ()
