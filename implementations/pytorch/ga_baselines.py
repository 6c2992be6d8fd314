"""EvoTorch's ``GeneticAlgorithm`` on its vectorised gymnasium CartPole problem, the PyTorch comparator of the
``throughput`` experiment (contract: :mod:`implementations.contracts.ga_baselines`; Such et al. 2017,
arXiv:1712.06567, Sec. 3 for the GA the suite implements itself)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib.metadata import version

from evotorch.algorithms import GeneticAlgorithm
from evotorch.neuroevolution import VecGymNE
from evotorch.operators import GaussianMutation

from implementations.contracts.ga_baselines import ENV_ID, check_arguments

from . import backend


def _network(hidden: tuple[int, ...]) -> str:
    """EvoTorch's network string: tanh hidden layers, a linear output over the action logits."""
    sizes = ["obs_length", *(str(w) for w in hidden)]
    layers = [f"Linear({a}, {b}) >> Tanh()" for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    return " >> ".join([*layers, f"Linear({sizes[-1]}, act_length)"])


def library_ga(
    population: int, hidden: tuple[int, ...], sigma: float, max_steps: int, generations: int, seed: int
) -> Callable[[], float]:
    """See the contract: a new searcher (a fresh random population), then ``searcher.step()`` per generation."""
    check_arguments(population, hidden, sigma, max_steps, generations)
    logging.getLogger("evotorch").setLevel(logging.WARNING)
    problem = VecGymNE(
        ENV_ID,
        _network(tuple(hidden)),
        env_config={"max_episode_steps": max_steps},
        num_episodes=1,
        device=str(backend.device()),
    )
    problem.manual_seed(seed)

    def step() -> float:
        searcher = GeneticAlgorithm(problem, operators=[GaussianMutation(problem, stdev=sigma)], popsize=population)
        for _ in range(generations):
            searcher.step()
        backend.synchronize()
        return float(searcher.status["pop_best_eval"])

    return step


def library_version() -> str:
    """The installed EvoTorch."""
    return f"evotorch {version('evotorch')}"
