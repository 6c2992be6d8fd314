"""evosax's ``SimpleGA`` on its gymnax CartPole problem, the JAX comparator of the ``throughput`` experiment
(contract: :mod:`implementations.contracts.ga_baselines`; Such et al. 2017, arXiv:1712.06567, Sec. 3 for the GA
the suite implements itself)."""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import version

import jax
import jax.numpy as jnp
from evosax.algorithms import SimpleGA
from evosax.problems import MLP, GymnaxProblem

from implementations.contracts.ga_baselines import ACTIONS, ENV_ID, check_arguments


def _greedy(logits: jax.Array, key: jax.Array) -> jax.Array:
    """argmax over the logits (the suite's policies act greedily too); ``key`` unused."""
    del key
    return jnp.argmax(logits, axis=-1)


def library_ga(
    population: int, hidden: tuple[int, ...], sigma: float, max_steps: int, generations: int, seed: int
) -> Callable[[], float]:
    """See the contract: a fresh random population, then (ask, evaluate, tell) per generation in one jitted
    ``lax.scan`` over ``generations``."""
    check_arguments(population, hidden, sigma, max_steps, generations)
    policy = MLP(layer_sizes=(*hidden, ACTIONS), output_fn=_greedy)
    problem = GymnaxProblem(ENV_ID, policy, episode_length=max_steps, num_rollouts=1, use_normalize_obs=False)
    key = jax.random.key(seed)
    solution = problem.sample(key)
    strategy = SimpleGA(population_size=population, solution=solution, std_schedule=lambda _: sigma)
    params = strategy.default_params

    def first(key: jax.Array) -> tuple:
        """Random members ranked equal (fitness +inf: evosax minimises), so the first generation is random."""
        k_pop, k_init = jax.random.split(key)
        start = jax.vmap(problem.sample)(jax.random.split(k_pop, population))
        state = strategy.init(k_init, start, jnp.full(population, jnp.inf), params)
        return state, problem.init(k_init)

    def generation(carry: tuple, key: jax.Array) -> tuple[tuple, jax.Array]:
        state, problem_state = carry
        k_ask, k_eval, k_tell = jax.random.split(key, 3)
        members, state = strategy.ask(k_ask, state, params)
        fitness, problem_state, _ = problem.eval(k_eval, members, problem_state)
        state, _ = strategy.tell(k_tell, members, -fitness, state, params)
        return (state, problem_state), jnp.max(fitness)

    @jax.jit
    def run(carry: tuple, key: jax.Array) -> tuple[tuple, jax.Array]:
        carry, best = jax.lax.scan(generation, carry, jax.random.split(key, generations))
        return carry, best[-1]

    def step() -> float:
        nonlocal key
        key, k_first, k_run = jax.random.split(key, 3)
        _, best = run(first(k_first), k_run)
        return float(jax.block_until_ready(best))

    return step


def library_version() -> str:
    """The installed evosax."""
    return f"evosax {version('evosax')}"
