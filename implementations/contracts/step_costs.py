"""Contract of the step-cost callables: ``implementations/<framework>/step_costs.py``.

The cost of one training step of a classifier (:mod:`.classifiers`: logistic regression, the MLP, the CNN,
deep MLPs) on one fixed minibatch, several ways (Baydin et al. 2022, *Gradients without Backpropagation*,
arXiv 2202.08587, Sec. 5.2, where the time of a forward-gradient step is compared with backprop's through
R_f = t(FG)/t(f) and R_b = t(BP)/t(f)). Kinds of :class:`StepSpec`:

- ``forward``: the loss alone, f;
- ``jvp``: the JVP alone along K fixed tangents (the floor a forward-gradient step can reach);
- ``fg``: the suite's forward-gradient step: ``descent.step`` with K fresh tangents of the law, the
  directional derivative by JVP, SGD with the decaying schedule (what :mod:`.minibatch_training` runs);
- ``fd``: the same with the directional derivative by a forward finite difference (f(x + eps v) - f(x))/eps;
- ``bp``: the suite's backprop step: ``descent.step`` with the reverse-mode gradient, same SGD;
- ``minimal_bp``, ``minimal_fg``: hand-written reference steps that use no suite machinery beyond the
  model (PyTorch: ``loss.backward()`` on leaf tensors + in-place SGD, ``torch.func.jvp`` + in-place
  SGD; JAX: ``jax.grad`` / ``jax.jvp`` + ``tree_map`` SGD under ``jit`` with donated parameters). They are
  timed side by side with the suite's steps: the suite's own overhead is their ratio.

Every callable runs one step and waits for the device, so a wall clock around it is honest; everything is
built (and, where the framework compiles, compiled) when ``step_functions`` returns.

Peak memory of one step (``step_memory``), with the mechanism named in each reading, because numbers from
different mechanisms are not comparable:

- JAX (any device): XLA's compiled memory analysis of the step, ``argument + output + temp - alias``
  bytes: what the compiled program needs at its peak, by the compiler's own buffer assignment;
- PyTorch on CUDA: ``torch.cuda.max_memory_allocated`` during one step after ``reset_peak_memory_stats``
  (the caching allocator's own count of live bytes, the resident arguments included);
- PyTorch on the CPU: the resident bytes (parameters, optimizer state, batch, fixed tangents) plus the peak
  of the running sum of the CPU allocator's allocation and free events recorded by ``torch.profiler``
  (``profile_memory=True``) during one warm step.
What each step keeps alive at its peak: ``bp`` the parameters, the batch, every layer's activations saved
for the backward pass, the gradient and the new parameters; ``fg`` the parameters, the batch, the K
tangents, the current layer's primal and tangent activations (nothing is saved for later), the estimate and
the new parameters; ``fd`` the same without tangent activations but with the shifted parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Protocol

import numpy as np

from implementations.contracts._common import require
from implementations.contracts.classifiers import ClassifierSpec, init_params, mlp
from implementations.specs import DISTRIBUTIONS

ROLE = "method"

KINDS: tuple[str, ...] = ("forward", "jvp", "fg", "fd", "bp", "minimal_bp", "minimal_fg")
TANGENT_KINDS: tuple[str, ...] = ("jvp", "fg", "fd", "minimal_fg")
NO_LAW = "none"
FD_EPSILON = 1e-3


@dataclass(frozen=True)
class StepSpec:
    """One kind of step; ``distribution`` and ``k`` (tangents) matter for the tangent kinds only."""

    kind: str
    distribution: str = NO_LAW
    k: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind={self.kind!r}; valid: {', '.join(KINDS)}")
        if self.kind in TANGENT_KINDS:
            if self.distribution not in DISTRIBUTIONS:
                raise ValueError(f"distribution={self.distribution!r}; valid: {', '.join(DISTRIBUTIONS)}")
            if not isinstance(self.k, int) or self.k < 1:
                raise ValueError(f"k={self.k!r}; valid: an int >= 1 for kind {self.kind!r}")
        elif (self.distribution, self.k) != (NO_LAW, 0):
            raise ValueError(f"kind {self.kind!r} draws no tangents: distribution must be {NO_LAW!r} and k 0")

    @property
    def label(self) -> str:
        """'bp', 'fg[rademacher,K=1]'."""
        return self.kind if self.kind not in TANGENT_KINDS else f"{self.kind}[{self.distribution},K={self.k}]"


@dataclass(frozen=True)
class MemoryReading:
    """Peak bytes of one step: ``resident`` (live before the step: parameters, optimizer state, batch, fixed
    tangents) plus ``transient`` (the most allocated on top of them during the step); ``source`` names the
    mechanism."""

    peak_bytes: int
    resident_bytes: int
    transient_bytes: int
    source: str


class StepCostsMethod(Protocol):
    """The NumPy-facing functions of ``implementations/<framework>/step_costs.py``."""

    def step_functions(
        self,
        spec: ClassifierSpec,
        params: list[np.ndarray],
        inputs: np.ndarray,
        labels: np.ndarray,
        steps: tuple[StepSpec, ...],
        seed: int,
        lr: float = 2e-4,
        decay: float = 1e-4,
    ) -> dict[str, Callable[[], None]]:
        """{step.label: callable running one step on the batch} for every step in ``steps``."""
        ...

    def step_memory(
        self,
        spec: ClassifierSpec,
        params: list[np.ndarray],
        inputs: np.ndarray,
        labels: np.ndarray,
        steps: tuple[StepSpec, ...],
        seed: int,
        lr: float = 2e-4,
        decay: float = 1e-4,
    ) -> dict[str, MemoryReading]:
        """{step.label: its peak memory} for every step in ``steps`` (module docstring)."""
        ...


PROTOCOL = StepCostsMethod


def _batch(spec: ClassifierSpec, seed: int, batch: int = 8) -> tuple:
    rng = np.random.default_rng(seed)
    params = init_params(spec, rng)
    return params, rng.uniform(0, 1, (batch, spec.inputs)).astype(np.float32), rng.integers(0, spec.classes, batch)


def check_step_functions(impl: ModuleType) -> None:
    """Every requested step is present under its label, callable repeatedly, returns None; between them the
    steps cover every kind, every law and K > 1 tangents; the caller's NumPy parameters are left untouched.
    (The CNN's steps are the same code on another model, whose logits and gradient :mod:`.classifiers`
    checks.)"""
    spec = mlp(6, (5,), 3)
    params, x, y = _batch(spec, 1)
    before = [p.copy() for p in params]
    steps = (
        StepSpec("forward"),
        StepSpec("bp"),
        StepSpec("minimal_bp"),
        StepSpec("fg", "sphere", 2),
        StepSpec("fd", "rademacher", 1),
        StepSpec("jvp", "gaussian", 2),
        StepSpec("minimal_fg", "rademacher", 2),
    )
    functions = impl.step_functions(spec, params, x, y, steps, 0)
    require(list(functions) == [s.label for s in steps], f"labels {list(functions)}")
    for label, run in functions.items():
        for _ in range(2):
            require(run() is None, f"{label} returned a value")
    for p, q in zip(params, before, strict=True):
        np.testing.assert_array_equal(p, q)


def check_step_memory(impl: ModuleType) -> None:
    """Readings are positive, consistent (peak = resident + transient), name their source; the resident
    bytes cover at least the parameters; the backprop step of a wide MLP on a large batch (activations
    saved: 4 x 512 x 512 floats) needs more transient memory than on a batch of 8."""
    spec = mlp(16, (512, 512, 512, 512), 4)
    params, x, y = _batch(spec, 2, 512)
    n_bytes = 4 * spec.num_params
    steps = (StepSpec("fg", "rademacher", 1), StepSpec("bp"))
    readings = {}
    for rows in (8, 512):
        readings[rows] = impl.step_memory(spec, params, x[:rows], y[:rows], steps, 0)
        require(list(readings[rows]) == [s.label for s in steps], f"labels {list(readings[rows])}")
        for label, r in readings[rows].items():
            require(isinstance(r, MemoryReading) and r.source != "", f"{label}: {r}")
            require(r.peak_bytes == r.resident_bytes + r.transient_bytes, f"{label}: {r}")
            require(r.resident_bytes >= n_bytes and r.transient_bytes >= 0, f"{label}: {r} (params {n_bytes} B)")
    require(readings[512]["bp"].transient_bytes > readings[8]["bp"].transient_bytes, f"{readings}")


SINGLE_CHECKS = (check_step_functions, check_step_memory)
PARITY_CHECKS = ()
