"""What the step micro-benchmarks time: the cases, and the configured backend with its step callables.

One case per (model, kind of step, tangent law where it matters, K): the kinds of
:mod:`implementations.contracts.step_costs` -- Baydin et al. 2022 (arXiv:2202.08587, Sec. 5.2) compare the
time of a forward-gradient step with a backprop step's, both relative to the loss alone -- on each
classifier of :mod:`implementations.contracts.classifiers` (``logreg``, ``mlp``, ``cnn``). A tangent law
costs what its sampler costs inside the timed step: the suite's forward-gradient step ``fg`` is timed once
per law (gaussian, rademacher, sphere); ``fd`` draws with the same sampler, ``jvp`` runs along tangents
drawn before timing and ``minimal_fg`` is the hand-written reference read beside ``fg`` at the same law, so
they run with one law (:data:`ONE_LAW`). ``fg`` on the MLP is also timed with K = 4 and 16 tangents
(:data:`KS`, law :data:`ONE_LAW`), the cost a multi-tangent step adds. One law rather than three where it
does not matter keeps the JAX bench stage short: every case is a compiled program, and compiling it takes
longer than timing it (a Gaussian sampler per parameter tensor longest).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import ModuleType

import numpy as np

from benchmarks.microbench import BenchSetup, case_id
from benchmarks.seeding import derive_seed
from implementations.contracts.classifiers import KINDS as MODELS
from implementations.contracts.classifiers import ClassifierSpec, init_params
from implementations.contracts.minibatch_training import PAPER_DECAY, PAPER_LR
from implementations.contracts.step_costs import KINDS, TANGENT_KINDS, StepSpec
from implementations.specs import DISTRIBUTIONS

CLASSES = 10
LAW_KIND = "fg"
"""The kind timed once per tangent law."""
ONE_LAW = "rademacher"
"""The law of the other tangent kinds and of the K sweep (the suite's cheapest sampler, to run and to
compile)."""
K_SWEEP_MODEL = "mlp"
KS: tuple[int, ...] = (1, 4, 16)
"""Tangents of the ``fg`` cases on :data:`K_SWEEP_MODEL` (every other tangent case takes one)."""


def model_steps(model: str) -> tuple[StepSpec, ...]:
    """The steps timed on ``model`` (module docstring)."""
    steps = [StepSpec(kind) for kind in KINDS if kind not in TANGENT_KINDS]
    steps += [StepSpec(LAW_KIND, law, 1) for law in DISTRIBUTIONS]
    steps += [StepSpec(kind, ONE_LAW, 1) for kind in TANGENT_KINDS if kind != LAW_KIND]
    if model == K_SWEEP_MODEL:
        steps += [StepSpec(LAW_KIND, ONE_LAW, k) for k in KS[1:]]
    return tuple(steps)


CASES: tuple[tuple[str, StepSpec], ...] = tuple((model, step) for model in MODELS for step in model_steps(model))
"""(model, step) of every benchmark."""


def tangents_of(step: StepSpec) -> str:
    """The step's tangent law, or "" for a kind that draws no tangents."""
    return step.distribution if step.kind in TANGENT_KINDS else ""


def case_name(model: str, step: StepSpec) -> str:
    """The benchmark id of a case (:func:`benchmarks.microbench.case_id`)."""
    return case_id(model, step.kind, tangents_of(step), step.k)


def network(model: str, setup: BenchSetup) -> ClassifierSpec:
    """The classifier ``model`` at the setup's sizes (``side`` x ``side`` inputs, 10 classes)."""
    hidden = setup.hidden if model == "mlp" else ()
    return ClassifierSpec(model, setup.side**2, CLASSES, hidden, setup.channels, setup.fc)


class StepBench:
    """The configured backend and step-costs module; each case's step built (and compiled) on first use."""

    def __init__(self, framework: str, target: str, threads: int, setup: BenchSetup, seed: int) -> None:
        from implementations.registry import load_backend, load_method

        self.framework, self.target, self.threads = framework, target, threads
        self.setup, self.seed = setup, seed
        self.backend: ModuleType = load_backend(self.framework, self.target, self.threads)
        self.costs: ModuleType = load_method("step_costs", self.framework)
        self._data: dict[str, tuple[list[np.ndarray], np.ndarray, np.ndarray]] = {}
        self._built: dict[tuple[str, StepSpec], Callable[[], None]] = {}

    def _model_data(self, model: str) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
        """Initial parameters and the fixed random batch of ``model`` (drawn once, shared by its cases)."""
        if model not in self._data:
            spec = network(model, self.setup)
            rng = np.random.default_rng(derive_seed(self.seed, model))
            params = init_params(spec, rng)
            x = rng.uniform(0.0, 1.0, (self.setup.batch, spec.inputs)).astype(np.float32)
            self._data[model] = (params, x, rng.integers(0, spec.classes, self.setup.batch))
        return self._data[model]

    def step(self, model: str, step: StepSpec) -> Callable[[], None]:
        """The step of case (``model``, ``step``), already called once (compiled, allocated); only the cases
        that are benchmarked get built."""
        if (model, step) not in self._built:
            params, x, y = self._model_data(model)
            seed = derive_seed(self.seed, model, step.label)
            built = self.costs.step_functions(
                network(model, self.setup), params, x, y, (step,), seed, PAPER_LR, PAPER_DECAY
            )
            built[step.label]()
            self._built[(model, step)] = built[step.label]
        return self._built[(model, step)]

    def prebuild(self, cases: Iterable[tuple[str, StepSpec]]) -> None:
        """Build (and compile, and run once) ``cases`` before any is timed, one after another: building two at
        once in threads corrupts PyTorch's forward-AD levels (``torch.func`` transforms keep global state)."""
        for case in dict.fromkeys(cases):
            self.step(*case)

    def extra_info(self, model: str, step: StepSpec) -> dict[str, object]:
        """What each benchmark records beside its timings."""
        spec = network(model, self.setup)
        return {
            "framework": self.framework,
            "device": self.backend.device_name(),
            "target": self.target,
            "threads": self.threads,
            "model": model,
            "network": spec.name,
            "parameters": spec.num_params,
            "batch": self.setup.batch,
            "seed": self.seed,
            "case": case_name(model, step),
            "step": step.kind,
            "tangents": tangents_of(step),
            "k": step.k,
            **{f"{library}_version": version for library, version in self.backend.library_versions().items()},
        }
