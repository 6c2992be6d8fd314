"""Evaluation engines for the search driver: in-process, or distributed over Ray actors where only seeds travel.

Such et al. 2017, "Deep Neuroevolution" (arXiv:1712.06567), Sec. 3: a genome is its list of seeds, so a
distributed GA sends each worker seed lists (a few bytes per individual) and receives fitness, never the
parameters (4 bytes per weight; 16 MB for the 4 M-parameter Atari net). Salimans et al. 2017 (arXiv:1703.03864)
do the same for OpenAI-ES with a shared noise table: a worker rebuilds ``theta +- sigma eps(tau)`` from tau and
the current mean theta, which it receives once per generation.

- :class:`Evaluator` (a Protocol): what :mod:`benchmarks.neuroevolution.search` needs.
- :class:`InProcessEvaluator`: the framework (``implementations.registry``) in this process, one decoder cache.
- :class:`RayEvaluator`: ``workers`` Ray actors, one per worker, each loading the framework with threads=1
  (pinned to its own core where the machine has one per worker) and holding its own decoder cache. The driver
  splits a generation's genomes into contiguous chunks (children of the same parent kept together, which is
  what keeps a worker's parent cache useful) and sends each actor ``(genome seed lists, episodes, episode
  seed)``; actors return fitness, frames and final positions. ``address=None`` starts a local Ray
  (``ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)``); an address connects to a
  running cluster. The local Ray's workers import this repository from the working directory, so run from
  the repository root (as the CLI does).

Bytes are measured, not estimated: every remote call's arguments and every result are serialised with
``ray.cloudpickle`` (what Ray itself sends) and counted; ES's mean theta is sent by ``ray.put`` once per
generation and counted once for every actor that fetches it (it scales with the parameter count, honestly).
Results do not depend on the number of workers or on Ray: each individual's evaluation depends only on its
genome (or tau), the episode count and the episode seed (the contract's batch-independence check).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

import numpy as np

from implementations.contracts.control_envs import EnvSpec
from implementations.contracts.neuroevolution import (
    AdamState,
    ESConfig,
    Evaluation,
    Genome,
    check_evaluation_arguments,
    check_population,
    check_taus,
)
from implementations.contracts.policy_genomes import NoiseTableSpec, PolicySpec, n_params
from implementations.registry import FRAMEWORKS, load_backend, load_method

DEFAULT_CACHE_SIZE = 1024
"""Decoded parameter vectors a decoder keeps (an LRU): enough for a population of ~1000 MLPs; set it to about
the population for small nets, and lower it for the 4 M-parameter net (16 MB each)."""


class Counters(NamedTuple):
    """What an evaluator counted since the last :meth:`Evaluator.take_counters`."""

    bytes_sent: int
    bytes_received: int
    broadcast_bytes: int
    hits: int
    misses: int


class Evaluator(Protocol):
    """The evaluation engine the search driver calls (NumPy in, NumPy out)."""

    policy: PolicySpec
    env: EnvSpec
    noise: NoiseTableSpec
    sigma: float
    """The GA's mutation power, used to decode genomes."""
    n_params: int

    def evaluate_genomes(self, genomes: Sequence[Genome], episodes: int, seed: int) -> Evaluation:
        """Fitness, frames and final positions of every genome (rows in the order given)."""
        ...

    def decode(self, genomes: Sequence[Genome]) -> np.ndarray:
        """float32 [len, P]: the parameters of ``genomes`` (ES's starting point)."""
        ...

    def set_theta(self, theta: np.ndarray) -> None:
        """ES: the mean parameters the next antithetic / mean evaluations use (broadcast once)."""
        ...

    def evaluate_antithetic(self, sigma: float, taus: Sequence[int], episodes: int, seed: int) -> Evaluation:
        """ES: rows ``theta + sigma eps(tau_i)`` for every tau, then ``theta - sigma eps(tau_i)``."""
        ...

    def evaluate_theta(self, episodes: int, seed: int) -> Evaluation:
        """ES: the mean parameters alone (one row)."""
        ...

    def es_step(
        self, theta: np.ndarray, state: AdamState, taus: Sequence[int], weights: np.ndarray, config: ESConfig
    ) -> tuple[np.ndarray, AdamState]:
        """ES: one update through the framework's ``es_step`` (the driver's process)."""
        ...

    def take_counters(self) -> Counters:
        """Bytes and decoder cache hits/misses since the last call (and reset them)."""
        ...

    def close(self) -> None:
        """Release workers (and a Ray instance this evaluator started)."""
        ...


def _check_framework(framework: str) -> None:
    if framework not in FRAMEWORKS:
        raise ValueError(f"framework={framework!r}; valid: {', '.join(FRAMEWORKS)}")


@dataclass
class _Problem:
    """Everything a worker needs to build its evaluator (small, picklable specs; never parameters)."""

    framework: str
    policy: PolicySpec
    env: EnvSpec
    noise: NoiseTableSpec
    sigma: float
    cache_size: int
    target: str


class _Local:
    """The framework in this process: its ``neuroevolution`` module, one decoder, the current ES theta."""

    def __init__(self, problem: _Problem, threads: int, decoder: object = None) -> None:
        load_backend(problem.framework, problem.target, threads)
        self.method = load_method("neuroevolution", problem.framework)
        self.problem = problem
        self.decoder = (
            decoder
            if decoder is not None
            else self.method.make_decoder(problem.policy, problem.noise, problem.sigma, problem.cache_size)
        )
        self.theta: np.ndarray | None = None
        self._seen = (0, 0)

    def cache_delta(self) -> tuple[int, int]:
        """(hits, misses) of the decoder since the last call."""
        now = (int(self.decoder.hits), int(self.decoder.misses))
        delta = (now[0] - self._seen[0], now[1] - self._seen[1])
        self._seen = now
        return delta

    def genomes(self, genomes: list[Genome], episodes: int, seed: int) -> Evaluation:
        p = self.problem
        return self.method.evaluate_genomes(p.policy, p.env, p.noise, p.sigma, genomes, episodes, seed, self.decoder)

    def antithetic(self, sigma: float, taus: list[int], episodes: int, seed: int) -> Evaluation:
        p = self.problem
        return self.method.evaluate_antithetic(p.policy, p.env, p.noise, self._theta(), sigma, taus, episodes, seed)

    def mean(self, episodes: int, seed: int) -> Evaluation:
        return self.method.evaluate_parameters(
            self.problem.policy, self.problem.env, self._theta()[None], episodes, seed
        )

    def _theta(self) -> np.ndarray:
        if self.theta is None:
            raise ValueError("theta: none set; valid: call set_theta(theta) before an ES evaluation")
        return self.theta


def _check_theta(theta: np.ndarray, count: int) -> np.ndarray:
    theta = np.asarray(theta, np.float32)
    if theta.shape != (count,) or not np.all(np.isfinite(theta)):
        raise ValueError(f"theta shape {theta.shape}; valid: finite float32 [P] with P = {count}")
    return theta


class InProcessEvaluator:
    """Evaluate in this process with ``threads`` CPU threads, set through ``implementations.registry`` (which pins
    the process to its first ``threads`` cores, for the rest of the process: time Ray against it in separate
    processes, or create Ray evaluators first).

    ``decoder`` replaces the framework's ``GenomeDecoder`` (for planted-defect tests: a decoder that drops a
    generation); otherwise one is made with ``cache_size`` entries."""

    def __init__(
        self,
        framework: str,
        policy: PolicySpec,
        env: EnvSpec,
        noise: NoiseTableSpec,
        sigma: float,
        cache_size: int = DEFAULT_CACHE_SIZE,
        target: str = "cpu",
        threads: int = 1,
        decoder: object = None,
    ) -> None:
        _check_framework(framework)
        self.policy, self.env, self.noise, self.sigma = policy, env, noise, float(sigma)
        self.n_params = n_params(policy)
        self.local = _Local(_Problem(framework, policy, env, noise, float(sigma), cache_size, target), threads, decoder)

    def evaluate_genomes(self, genomes: Sequence[Genome], episodes: int, seed: int) -> Evaluation:
        return self.local.genomes(list(genomes), episodes, seed)

    def decode(self, genomes: Sequence[Genome]) -> np.ndarray:
        genomes_module = load_method("policy_genomes", self.local.problem.framework)
        return genomes_module.decode(list(genomes), self.policy, self.noise, self.sigma)

    def set_theta(self, theta: np.ndarray) -> None:
        self.local.theta = _check_theta(theta, self.n_params)

    def evaluate_antithetic(self, sigma: float, taus: Sequence[int], episodes: int, seed: int) -> Evaluation:
        return self.local.antithetic(float(sigma), list(taus), episodes, seed)

    def evaluate_theta(self, episodes: int, seed: int) -> Evaluation:
        return self.local.mean(episodes, seed)

    def es_step(
        self, theta: np.ndarray, state: AdamState, taus: Sequence[int], weights: np.ndarray, config: ESConfig
    ) -> tuple[np.ndarray, AdamState]:
        return self.local.method.es_step(self.noise, theta, state, list(taus), weights, config)

    def take_counters(self) -> Counters:
        hits, misses = self.local.cache_delta()
        return Counters(0, 0, 0, hits, misses)

    def close(self) -> None:
        """Nothing to release."""


# ---------------------------------------------------------------------------------------------------------
# Ray


class _Worker:
    """One Ray actor's state (wrapped by ``ray.remote`` at run time, so importing this module needs no Ray)."""

    def __init__(self, problem: _Problem, core: int | None) -> None:
        if core is not None:
            try:
                os.sched_setaffinity(0, {core})  # then registry's threads=1 pinning keeps this core
            except OSError:
                pass
        self.local = _Local(problem, threads=1)
        self.version = -1

    def ready(self) -> bool:
        """True once the framework is loaded (the driver waits for it)."""
        return True

    def genomes(self, genomes: list[Genome], episodes: int, seed: int) -> tuple:
        result = self.local.genomes(genomes, episodes, seed)
        return (*result, *self.local.cache_delta())

    def antithetic(self, theta: list, version: int, sigma: float, taus: list[int], episodes: int, seed: int) -> tuple:
        fetched = self._fetch(theta, version)
        return (*self.local.antithetic(sigma, taus, episodes, seed), fetched)

    def mean(self, theta: list, version: int, episodes: int, seed: int) -> tuple:
        fetched = self._fetch(theta, version)
        return (*self.local.mean(episodes, seed), fetched)

    def _fetch(self, theta: list, version: int) -> bool:
        """Fetch the broadcast mean (wrapped in a list so Ray passes the reference, not the value) once per
        version; True when it was fetched now."""
        if version == self.version:
            return False
        import ray

        self.local.theta = np.asarray(ray.get(theta[0]), np.float32)
        self.version = version
        return True


def _chunks(count: int, parts: int) -> list[slice]:
    """``parts`` contiguous slices of ``range(count)`` of near-equal size (none empty)."""
    parts = min(parts, count)
    bounds = np.linspace(0, count, parts + 1).round().astype(int)
    return [slice(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def _merge(parts: list[tuple]) -> Evaluation:
    positions = [p[2] for p in parts]
    return Evaluation(
        np.concatenate([p[0] for p in parts]),
        np.concatenate([p[1] for p in parts]),
        None if positions[0] is None else np.concatenate(positions),
    )


class RayEvaluator:
    """Evaluate on ``workers`` Ray actors (see the module docstring); the driver process keeps the framework only
    for ES's update and the starting theta (loaded on first use)."""

    def __init__(
        self,
        framework: str,
        policy: PolicySpec,
        env: EnvSpec,
        noise: NoiseTableSpec,
        sigma: float,
        workers: int,
        address: str | None = None,
        cache_size: int = DEFAULT_CACHE_SIZE,
        target: str = "cpu",
        start_timeout: float = 600.0,
    ) -> None:
        _check_framework(framework)
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers={workers!r}; valid: an int >= 1")
        import ray

        self._ray = ray
        self.policy, self.env, self.noise, self.sigma = policy, env, noise, float(sigma)
        self.n_params = n_params(policy)
        self.workers = workers
        self._problem = _Problem(framework, policy, env, noise, float(sigma), cache_size, target)
        self._started = False
        if not ray.is_initialized():
            if address is None:
                ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
                self._started = True
            else:
                ray.init(address=address, log_to_driver=False)
        free = _free_cpus(ray, workers, CPU_RELEASE_TIMEOUT)
        if address is None and free < workers:  # an actor holds its CPU for life: more would wait forever
            raise ValueError(f"workers={workers}; valid: at most the {free:g} CPUs the running local Ray has free")
        cores = sorted(os.sched_getaffinity(0))
        if len(cores) < workers:
            cores = list(range(os.cpu_count() or 1))
        pin = address is None and len(cores) >= workers
        actor = ray.remote(num_cpus=1)(_Worker)
        self._actors = [actor.remote(self._problem, cores[i] if pin else None) for i in range(workers)]
        try:  # an actor that finds no free CPU would wait forever: fail instead
            ray.get([a.ready.remote() for a in self._actors], timeout=start_timeout)
        except ray.exceptions.GetTimeoutError as err:
            self.close()
            raise RuntimeError(
                f"{workers} Ray actors did not start within start_timeout={start_timeout} s (each needs a free CPU; "
                f"the cluster has {ray.cluster_resources().get('CPU', 0):g})"
            ) from err
        self._local: _Local | None = None
        self._theta: np.ndarray | None = None
        self._theta_ref: Any = None
        self._theta_bytes = 0
        self._version = -1
        self._counters = [0, 0, 0, 0, 0]

    # -- bookkeeping

    def _call(self, method: str, calls: list[tuple[int, tuple]]) -> list[tuple]:
        """Run ``method`` on the given actors with the given arguments in parallel, counting the serialised
        bytes of every argument tuple and every result."""
        dumps = self._ray.cloudpickle.dumps
        futures = []
        for index, args in calls:
            self._counters[0] += len(dumps(args))
            futures.append(getattr(self._actors[index], method).remote(*args))
        results = self._ray.get(futures)
        for result in results:
            self._counters[1] += len(dumps(result))
        return results

    def take_counters(self) -> Counters:
        counters = Counters(*self._counters)
        self._counters = [0, 0, 0, 0, 0]
        return counters

    # -- genomes

    def evaluate_genomes(self, genomes: Sequence[Genome], episodes: int, seed: int) -> Evaluation:
        genomes = list(genomes)
        genomes = check_population(genomes)
        check_evaluation_arguments(episodes, seed)
        order = sorted(range(len(genomes)), key=lambda i: (genomes[i][:-1], i))  # siblings together
        slices = _chunks(len(genomes), self.workers)
        calls = [(w, ([genomes[i] for i in order[s]], episodes, seed)) for w, s in enumerate(slices)]
        parts = self._call("genomes", calls)
        for part in parts:
            self._counters[3] += part[3]
            self._counters[4] += part[4]
        merged = _merge([part[:3] for part in parts])
        inverse = np.empty(len(order), int)
        inverse[order] = np.arange(len(order))
        positions = None if merged.final_positions is None else merged.final_positions[inverse]
        return Evaluation(merged.fitness[inverse], merged.frames[inverse], positions)

    def decode(self, genomes: Sequence[Genome]) -> np.ndarray:
        genomes_module = load_method("policy_genomes", self._driver().problem.framework)
        return genomes_module.decode(list(genomes), self.policy, self.noise, self.sigma)

    # -- ES

    def set_theta(self, theta: np.ndarray) -> None:
        self._theta = _check_theta(theta, self.n_params)
        self._theta_ref = self._ray.put(self._theta)
        self._theta_bytes = len(self._ray.cloudpickle.dumps(self._theta))
        self._version += 1

    def _fetched(self, parts: list[tuple]) -> None:
        self._counters[2] += self._theta_bytes * sum(bool(part[3]) for part in parts)

    def evaluate_antithetic(self, sigma: float, taus: Sequence[int], episodes: int, seed: int) -> Evaluation:
        taus = list(taus)
        taus = check_taus(taus)
        check_evaluation_arguments(episodes, seed)
        if self._theta is None:
            raise ValueError("theta: none set; valid: call set_theta(theta) before an ES evaluation")
        slices = _chunks(len(taus), self.workers)
        ref = [self._theta_ref]
        calls = [(w, (ref, self._version, float(sigma), taus[s], episodes, seed)) for w, s in enumerate(slices)]
        parts = self._call("antithetic", calls)
        self._fetched(parts)
        # each part holds its taus' + rows then - rows: regroup as all + then all -
        plus = [tuple(array[: len(array) // 2] if array is not None else None for array in p[:3]) for p in parts]
        minus = [tuple(array[len(array) // 2 :] if array is not None else None for array in p[:3]) for p in parts]
        return _merge(plus + minus)

    def evaluate_theta(self, episodes: int, seed: int) -> Evaluation:
        check_evaluation_arguments(episodes, seed)
        if self._theta is None:
            raise ValueError("theta: none set; valid: call set_theta(theta) before an ES evaluation")
        parts = self._call("mean", [(0, ([self._theta_ref], self._version, episodes, seed))])
        self._fetched(parts)
        return _merge([parts[0][:3]])

    def es_step(
        self, theta: np.ndarray, state: AdamState, taus: Sequence[int], weights: np.ndarray, config: ESConfig
    ) -> tuple[np.ndarray, AdamState]:
        return self._driver().method.es_step(self.noise, theta, state, list(taus), weights, config)

    def _driver(self) -> _Local:
        """The framework in the driver process, for ES's update and starting point: loaded on first use with as
        many threads as the process may use (so loading it never narrows the driver's CPU affinity)."""
        if self._local is None:
            problem = _Problem(**{**self._problem.__dict__, "cache_size": 1})
            self._local = _Local(problem, threads=len(os.sched_getaffinity(0)))
        return self._local

    def close(self) -> None:
        """Kill the actors, and shut Ray down if this evaluator started it; else wait (up to
        :data:`CPU_RELEASE_TIMEOUT`) until Ray has given their CPUs back, so the next evaluator finds them free."""
        held = len(self._actors)
        for actor in self._actors:
            self._ray.kill(actor)
        self._actors = []
        if self._started:
            self._ray.shutdown()
            self._started = False
        elif held and self._ray.is_initialized():
            _free_cpus(self._ray, held, CPU_RELEASE_TIMEOUT)


CPU_RELEASE_TIMEOUT = 30.0
"""Seconds to wait for Ray to report killed actors' CPUs as free again (it releases them asynchronously)."""


def _free_cpus(ray: Any, wanted: int, timeout: float) -> float:
    """Ray's free CPUs, polled until at least ``wanted`` are free or ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        free = ray.available_resources().get("CPU", 0)
        if free >= wanted or time.monotonic() >= deadline:
            return free
        time.sleep(0.05)


def compression_ratio(parameter_bytes: int, sent_bytes: int) -> float:
    """parameter_bytes / sent_bytes (inf when nothing was sent)."""
    return parameter_bytes / sent_bytes if sent_bytes else math.inf
