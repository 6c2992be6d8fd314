"""Contract of the library GAs the ``throughput`` experiment times beside ours: ``implementations/<framework>/
ga_baselines.py`` (benchmark comparators only; no claim reads them and no method of the suite uses them).

Such et al. 2017, "Deep Neuroevolution: Genetic Algorithms Are a Competitive Alternative for Training Deep
Neural Networks for Reinforcement Learning" (arXiv:1712.06567), Sec. 3, run a simple GA at scale; the suite's
own GA (``benchmarks/neuroevolution/search.py``) follows their algorithm. For a sense of its speed, each
framework times it against a widely used GA library in the same framework, on the same problem:

- JAX: evosax 0.3.2's ``SimpleGA`` (truncation to the better half, Gaussian mutation of standard deviation
  sigma, no crossover: its default ``crossover_rate = 0``) with evosax's ``GymnaxProblem`` on gymnax
  ``CartPole-v1`` (one episode per individual, capped at ``max_steps``, no observation normalisation) and
  evosax's flax ``MLP`` with tanh hidden layers and an argmax output; one generation (ask, evaluate, tell) is one
  jitted call.
- PyTorch: EvoTorch 0.6.1's ``GeneticAlgorithm`` (elitist, ``GaussianMutation`` of standard deviation sigma) on
  ``VecGymNE`` (gymnasium ``CartPole-v1`` vectorised over the population, ``max_episode_steps = max_steps``)
  with the MLP ``Linear >> Tanh >> ... >> Linear`` (EvoTorch turns the logits of a discrete action space into
  an action by argmax).

The libraries' GAs are not Such et al.'s (no elite re-evaluation, other selection and initialisation): the
comparison is of generations per second on the same population, network and episode cap, not of learning.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Protocol

import numpy as np

from implementations.contracts._common import require

ROLE = "method"

ENV_ID = "CartPole-v1"
OBSERVATIONS, ACTIONS = 4, 2


def check_arguments(population: int, hidden: tuple[int, ...], sigma: float, max_steps: int, generations: int) -> None:
    """Raise ValueError naming the first invalid argument and what is valid."""
    for name, value, low in (
        ("population", population, 2),
        ("max_steps", max_steps, 1),
        ("generations", generations, 1),
    ):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
            raise ValueError(f"{name}={value!r}; valid: an int >= {low}")
    if not hidden or not all(isinstance(w, int | np.integer) and not isinstance(w, bool) and w >= 1 for w in hidden):
        raise ValueError(f"hidden={hidden!r}; valid: a non-empty tuple of ints >= 1")
    if isinstance(sigma, bool) or not isinstance(sigma, float | int) or not np.isfinite(sigma) or sigma <= 0:
        raise ValueError(f"sigma={sigma!r}; valid: a finite float > 0")


class GABaselines(Protocol):
    """The NumPy-facing functions of ``implementations/<framework>/ga_baselines.py``."""

    def library_ga(
        self, population: int, hidden: tuple[int, ...], sigma: float, max_steps: int, generations: int, seed: int
    ) -> Callable[[], float]:
        """A callable that runs ``generations`` generations of the library's GA on CartPole from a fresh random
        population (each call anew, as the suite's timed GA runs do), waits for the device, and returns the best
        return of the last generation. Compilation, where the framework compiles, happens on the first call."""
        ...

    def library_version(self) -> str:
        """'evosax 0.3.2' / 'evotorch 0.6.1'."""
        ...


PROTOCOL = GABaselines


def check_library_ga(impl: ModuleType) -> None:
    """Two calls of one generation each return a CartPole return in [1, max_steps]; bad arguments are
    ValueErrors naming what is valid; the version names the library."""
    step = impl.library_ga(8, (4,), 0.1, 20, 1, 0)
    for _ in range(2):
        best = step()
        require(isinstance(best, float) and 1.0 <= best <= 20.0, f"best return {best!r} outside [1, 20]")
    try:
        impl.library_ga(1, (4,), 0.1, 20, 1, 0)
    except ValueError as err:
        require("valid" in str(err), f"error message names nothing valid: {err}")
    else:
        raise AssertionError("population=1 was accepted")
    require(impl.library_version().split()[0] in ("evosax", "evotorch"), impl.library_version())


SINGLE_CHECKS = (check_library_ga,)
PARITY_CHECKS = ()
