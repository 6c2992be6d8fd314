"""One training step of a classifier, several ways, for cost and memory measurement (Baydin et al. 2022,
arXiv 2202.08587, Sec. 5.2: R_f = t(FG)/t(f), R_b = t(BP)/t(f)). Contract, kinds and the memory
mechanisms: :mod:`implementations.contracts.step_costs`.

``fg``, ``fd`` and ``bp`` are :func:`implementations.pytorch.descent.step` (tangents from the step's
generator, :func:`.minibatch_training.tangent_rng`), exactly the step :mod:`.minibatch_training` runs;
``jvp`` is :func:`implementations.pytorch.forward_gradient.derivatives` with fixed tangents;
``minimal_bp`` is ``loss.backward()`` on leaf tensors and an in-place ``p.add_(p.grad, alpha=-lr)``,
``minimal_fg`` one ``torch.func.jvp`` per tangent and an in-place ``p.addcmul_(v, dd, value=-lr/K)``,
written here as a user would, with nothing from the suite but the model. Each callable runs one step and
synchronises the device.

Peak memory: on CUDA ``torch.cuda.max_memory_allocated`` over one step after ``reset_peak_memory_stats``
minus what was allocated before it; on the CPU the peak of the running sum of the allocation (+) and free
(-) events that ``torch.profiler`` (``profile_memory=True``) records for one step; both on top of the
step's resident tensors (counted by their sizes).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch

from implementations.contracts.classifiers import ClassifierSpec, check_inputs, check_params
from implementations.contracts.descent import DescentConfig
from implementations.contracts.forward_gradient import EstimatorConfig
from implementations.contracts.optimizers import OptimizerConfig
from implementations.contracts.step_costs import FD_EPSILON, MemoryReading, StepSpec

from . import backend, classifiers, descent
from . import forward_gradient as fg
from .minibatch_training import tangent_rng

CPU_SOURCE = (
    "torch.profiler CPU allocator events (profile_memory=True): peak of the running sum of allocations and "
    "frees during one warm step, plus the step's resident tensors"
)
CUDA_SOURCE = "torch.cuda.max_memory_allocated during one step (after reset_peak_memory_stats), plus resident tensors"


def _minimal_tangent(gen: torch.Generator, distribution: str, params: tuple, scale: float) -> list[torch.Tensor]:
    """One tangent per tensor with torch's samplers directly (the hand-written reference's sampler)."""
    if distribution == "rademacher":
        return [torch.empty_like(p).bernoulli_(0.5, generator=gen).mul_(2.0).sub_(1.0) for p in params]
    v = [torch.randn(p.shape, generator=gen, device=p.device) for p in params]
    if distribution == "sphere":
        norm = torch.sqrt(sum(torch.sum(t * t) for t in v))
        v = [t.mul_(scale / norm) for t in v]
    return v


def _tensors(*items: object) -> list[torch.Tensor]:
    """Every tensor inside nested tuples / lists / NamedTuples."""
    if isinstance(items, torch.Tensor):
        return [items]
    out = []
    for item in items:
        if isinstance(item, torch.Tensor):
            out.append(item)
        elif isinstance(item, tuple | list):
            out.extend(_tensors(*item))
    return out


def _build(
    spec: ClassifierSpec,
    params: tuple,
    x: torch.Tensor,
    y: torch.Tensor,
    step: StepSpec,
    seed: int,
    lr: float,
    decay: float,
) -> tuple[Callable[[], None], Callable[[], list[torch.Tensor]]]:
    """(one step, a function listing the step's resident tensors)."""
    sgd = OptimizerConfig("sgd", lr, decay=decay)
    params = tuple(p.clone() for p in params)
    gen = tangent_rng(seed, step.distribution)

    def objective(ps: tuple) -> torch.Tensor:
        return classifiers.loss(spec, ps, x, y)

    if step.kind == "forward":
        return torch.no_grad()(lambda: objective(params)), lambda: _tensors(params, x, y)
    if step.kind == "jvp":
        tangents = fg.draw(EstimatorConfig("forward", step.distribution, step.k), params, gen)
        return (
            torch.no_grad()(lambda: fg.derivatives(objective, params, tangents, "jvp")),
            lambda: _tensors(params, tangents, x, y),
        )
    if step.kind in ("fg", "fd", "bp"):
        if step.kind == "bp":
            estimator = EstimatorConfig("backprop")
        else:
            derivative = "jvp" if step.kind == "fg" else "fd_forward"
            estimator = EstimatorConfig("forward", step.distribution, step.k, derivative, FD_EPSILON)
        config = DescentConfig(estimator, sgd)
        holder = {"state": descent.init(config, params)}

        @torch.no_grad()
        def suite_step() -> None:
            holder["state"], _ = descent.step(config, holder["state"], objective, gen)

        return suite_step, lambda: _tensors(holder["state"], x, y)
    if step.kind == "minimal_bp":
        leaves = [p.requires_grad_(True) for p in params]

        def minimal_bp() -> None:
            classifiers.loss(spec, leaves, x, y).backward()
            with torch.no_grad():
                for p in leaves:
                    p.add_(p.grad, alpha=-lr)
                    p.grad = None

        return minimal_bp, lambda: _tensors(leaves, x, y)
    scale = math.sqrt(sum(p.numel() for p in params))

    @torch.no_grad()
    def minimal_fg() -> None:
        for _ in range(step.k):
            v = _minimal_tangent(gen, step.distribution, params, scale)
            _, dd = torch.func.jvp(lambda *ps: classifiers.loss(spec, ps, x, y), params, tuple(v))
            for p, t in zip(params, v, strict=True):
                p.addcmul_(t, dd.to(p.dtype), value=-lr / step.k)

    return minimal_fg, lambda: _tensors(params, x, y)


def _prepared(spec: ClassifierSpec, params: list[np.ndarray], inputs: np.ndarray, labels: np.ndarray) -> tuple:
    check_params(spec, params)
    check_inputs(spec, inputs)
    return classifiers.to_device(params), backend.from_numpy(inputs), backend.from_numpy(np.asarray(labels)).long()


def _synchronised(run: Callable[[], object]) -> Callable[[], None]:
    def step() -> None:
        run()
        backend.synchronize()

    return step


def step_functions(
    spec: ClassifierSpec,
    params: list[np.ndarray],
    inputs: np.ndarray,
    labels: np.ndarray,
    steps: tuple[StepSpec, ...],
    seed: int,
    lr: float = 2e-4,
    decay: float = 1e-4,
) -> dict[str, Callable[[], None]]:
    """{step.label: callable running one step on the batch, then synchronising} for every step."""
    device_params, x, y = _prepared(spec, params, inputs, labels)
    return {s.label: _synchronised(_build(spec, device_params, x, y, s, seed, lr, decay)[0]) for s in steps}


def _transient_cpu(run: Callable[[], object]) -> int:
    """Peak of the running sum of the CPU allocator's events during one call of ``run``."""
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU], profile_memory=True) as prof:
        run()
    events = [e for e in prof.profiler.kineto_results.events() if e.name() == "[memory]"]
    events.sort(key=lambda e: e.start_ns())
    sizes = np.array([e.nbytes() for e in events], dtype=np.int64)
    return int(max(0, np.cumsum(sizes).max())) if sizes.size else 0


def _transient_cuda(run: Callable[[], object]) -> int:
    device = backend.device()
    torch.cuda.synchronize(device)
    before = torch.cuda.memory_allocated(device)
    torch.cuda.reset_peak_memory_stats(device)
    run()
    torch.cuda.synchronize(device)
    return int(torch.cuda.max_memory_allocated(device) - before)


def step_memory(
    spec: ClassifierSpec,
    params: list[np.ndarray],
    inputs: np.ndarray,
    labels: np.ndarray,
    steps: tuple[StepSpec, ...],
    seed: int,
    lr: float = 2e-4,
    decay: float = 1e-4,
) -> dict[str, MemoryReading]:
    """{step.label: peak bytes of one warm step} (module docstring for the mechanism)."""
    device_params, x, y = _prepared(spec, params, inputs, labels)
    cuda = backend.device().type == "cuda"
    out = {}
    for step in steps:
        run, resident_tensors = _build(spec, device_params, x, y, step, seed, lr, decay)
        run()  # warm: lazy initialisation and first-call allocations are not the step's
        resident = sum(t.numel() * t.element_size() for t in resident_tensors())
        transient = _transient_cuda(run) if cuda else _transient_cpu(run)
        out[step.label] = MemoryReading(resident + transient, resident, transient, CUDA_SOURCE if cuda else CPU_SOURCE)
    return out
