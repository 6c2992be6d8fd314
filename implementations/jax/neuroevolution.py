"""Deep Neuroevolution's evaluations and the OpenAI-ES update in JAX. Contract (the algorithms, draw order,
frames, the float64 reference): :mod:`implementations.contracts.neuroevolution`.

Such et al. 2017, "Deep Neuroevolution: Genetic Algorithms Are a Competitive Alternative for Training Deep
Neural Networks for Reinforcement Learning", arXiv:1712.06567, Sec. 3: a genome (seed list) is decoded to its
parameters and scored by its episode return. Salimans et al. 2017, arXiv:1703.03864, Algorithm 2: antithetic
perturbations ``theta +- sigma eps(tau)`` read from the shared noise table, and the update from
``sum_i w_i eps(tau_i)``.

- :func:`evaluate_genomes`: decode a batch with interface A's ``GenomeDecoder`` (its parent cache; a batch of
  children is one jitted gather-and-add), then one compiled function of the parameter batch runs the whole
  rollout: interface B's ``rollout`` with ``act = argmax`` of A's (traceable) ``forward`` passed as a
  ``jax.tree_util.Partial`` holding the parameters, so the rollout (``vmap`` over the population, ``scan``
  over steps) compiles once per (policy, environment, population, episodes) and every generation reuses it;
  NumPy results.
- :func:`evaluate_parameters`, :func:`evaluate_antithetic` (the perturbed batch gathered from the shared table
  on the device inside one jitted call), :func:`es_step` (A's ``weighted_noise_sum``, then the code's Adam, jitted).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from implementations.contracts.control_envs import EnvSpec
from implementations.contracts.neuroevolution import (
    AdamState,
    ESConfig,
    Evaluation,
    Genome,
    check_adam_state,
    check_decoder,
    check_evaluation_arguments,
    check_parameters,
    check_population,
    check_problem,
    check_taus,
    evaluation_from_rollout,
)
from implementations.contracts.policy_genomes import (
    NoiseTableSpec,
    PolicySpec,
    check_sigma,
    n_params,
    noise_offsets,
    noise_table_numpy,
)

from . import backend, control_envs, policy_genomes


def make_decoder(
    policy: PolicySpec, noise: NoiseTableSpec, sigma: float, cache_size: int
) -> policy_genomes.GenomeDecoder:
    """Interface A's decoder with an LRU parent cache of ``cache_size`` decoded vectors."""
    return policy_genomes.GenomeDecoder(policy, noise, sigma, cache_size)


@functools.cache
def _greedy_function(policy: PolicySpec) -> Callable[[jax.Array, jax.Array], jax.Array]:
    """One function object per policy (B's rollout compiles once per function): argmax of the logits of every
    individual on its own observation."""

    def act(params: jax.Array, observations: jax.Array) -> jax.Array:
        return jnp.argmax(policy_genomes.forward(policy, params, observations), axis=-1).astype(jnp.int32)

    return act


def _greedy(policy: PolicySpec, params: jax.Array) -> jax.tree_util.Partial:
    """``act`` for B's rollout with the parameters as a traced argument, so a new batch of parameters reuses the
    compiled rollout (one compilation per policy, environment, population and episode count)."""
    return jax.tree_util.Partial(_greedy_function(policy), params)


def _evaluate(policy: PolicySpec, env: EnvSpec, params: jax.Array, episodes: int, seed: int) -> Evaluation:
    result = control_envs.rollout(env, _greedy(policy, params), int(params.shape[0]), int(episodes), int(seed))
    return evaluation_from_rollout(result)


def evaluate_genomes(
    policy: PolicySpec,
    env: EnvSpec,
    noise: NoiseTableSpec,
    sigma: float,
    genomes: Sequence[Genome],
    episodes: int,
    seed: int,
    decoder: object = None,
) -> Evaluation:
    """Fitness [M, E], frames [M, E] and final positions of every genome (see the contract's Protocol)."""
    genomes = check_population(genomes)
    check_evaluation_arguments(episodes, seed)
    check_problem(policy, env)
    if decoder is None:
        decoder = make_decoder(policy, noise, sigma, 0)
    check_decoder(decoder, policy, noise, sigma)
    return _evaluate(policy, env, decoder.decode(genomes), episodes, seed)


def evaluate_parameters(policy: PolicySpec, env: EnvSpec, params: np.ndarray, episodes: int, seed: int) -> Evaluation:
    """As :func:`evaluate_genomes` for explicit float32 parameters [M, P]."""
    check_parameters(params, n_params(policy))
    check_evaluation_arguments(episodes, seed)
    check_problem(policy, env)
    return _evaluate(policy, env, backend.from_numpy(np.asarray(params, np.float32)), episodes, seed)


@functools.lru_cache(maxsize=2)
def _table(noise: NoiseTableSpec, device: jax.Device) -> jax.Array:
    """The shared noise table on ``device`` (ES's perturbations are gathered from it)."""
    return jax.device_put(noise_table_numpy(noise), device)


@jax.jit
def _antithetic_batch(table: jax.Array, theta: jax.Array, offsets: jax.Array, sigma: jax.Array) -> jax.Array:
    """[2n, P]: ``theta + sigma table[o : o + P]`` for every offset o, then ``theta - sigma table[o : o + P]``."""
    count = theta.shape[0]
    step = sigma * jax.vmap(lambda o: jax.lax.dynamic_slice(table, (o,), (count,)))(offsets)
    return jnp.concatenate([theta + step, theta - step])


def evaluate_antithetic(
    policy: PolicySpec,
    env: EnvSpec,
    noise: NoiseTableSpec,
    theta: np.ndarray,
    sigma: float,
    taus: Sequence[int],
    episodes: int,
    seed: int,
) -> Evaluation:
    """The rows ``theta + float32(sigma) eps(tau_i)`` for every tau, then ``theta - float32(sigma) eps(tau_i)``."""
    count = n_params(policy)
    check_parameters(theta, count, batched=False)
    taus = check_taus(taus)
    sigma32 = np.float32(check_sigma(sigma))
    check_evaluation_arguments(episodes, seed)
    check_problem(policy, env)
    table = _table(noise, backend.device())
    offsets = backend.from_numpy(noise_offsets(taus, noise.size, count).astype(np.int32))
    params = _antithetic_batch(table, backend.from_numpy(np.asarray(theta, np.float32)), offsets, sigma32)
    return _evaluate(policy, env, params, episodes, seed)


@jax.jit
def _adam(
    theta: jax.Array, m: jax.Array, v: jax.Array, total: jax.Array, scalars: jax.Array
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """The code's Adam on ``grad = -total / (n sigma) + l2 theta``; scalars = (n sigma, l2, b1, b2, a, eps)."""
    scale, l2, b1, b2, a, eps = (scalars[i] for i in range(6))
    grad = -(total / scale) + l2 * theta
    m = b1 * m + (1 - b1) * grad
    v = b2 * v + (1 - b2) * grad * grad
    return theta - a * m / (jnp.sqrt(v) + eps), m, v


def es_step(
    noise: NoiseTableSpec,
    theta: np.ndarray,
    state: AdamState,
    taus: Sequence[int],
    weights: np.ndarray,
    config: ESConfig,
) -> tuple[np.ndarray, AdamState]:
    """One OpenAI-ES update in float32: ``g = sum_i w_i eps(tau_i) / (n sigma)`` (A's ``weighted_noise_sum``),
    Adam (the released code's form) on ``-g + l2 theta``."""
    theta = np.asarray(theta, np.float32)
    count = theta.size
    check_parameters(theta, count, batched=False)
    check_adam_state(state, count)
    taus = check_taus(taus)
    if not isinstance(config, ESConfig):
        raise ValueError(f"config={config!r}; valid: an ESConfig")
    total = policy_genomes.weighted_noise_sum(noise, taus, np.asarray(weights, np.float32), count)
    t = state.t + 1
    a = config.learning_rate * math.sqrt(1 - config.beta2**t) / (1 - config.beta1**t)
    scalars = np.array(
        [config.population * config.sigma, config.l2_coefficient, config.beta1, config.beta2, a, config.epsilon],
        np.float32,
    )
    new, m, v = _adam(
        backend.from_numpy(theta),
        backend.from_numpy(state.m),
        backend.from_numpy(state.v),
        total,
        backend.from_numpy(scalars),
    )
    return backend.to_numpy(new), AdamState(backend.to_numpy(m), backend.to_numpy(v), t)
