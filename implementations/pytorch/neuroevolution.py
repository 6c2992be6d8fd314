"""Deep Neuroevolution's evaluations and the OpenAI-ES update in PyTorch. Contract (the algorithms, draw order,
frames, the float64 reference): :mod:`implementations.contracts.neuroevolution`.

Such et al. 2017, "Deep Neuroevolution: Genetic Algorithms Are a Competitive Alternative for Training Deep
Neural Networks for Reinforcement Learning", arXiv:1712.06567, Sec. 3: a genome (seed list) is decoded to its
parameters and scored by its episode return. Salimans et al. 2017, arXiv:1703.03864, Algorithm 2: antithetic
perturbations ``theta +- sigma eps(tau)`` read from the shared noise table, and the update from
``sum_i w_i eps(tau_i)``.

- :func:`evaluate_genomes`: decode a batch with interface A's ``GenomeDecoder`` (its parent cache), act with
  ``argmax`` of A's ``forward`` (the whole population in one batched call per step), roll the batch out with
  interface B's ``rollout`` (a vectorised environment loop), NumPy results.
- :func:`evaluate_parameters`, :func:`evaluate_antithetic` (the perturbed batch gathered from the shared table
  on the device in one indexing op), :func:`es_step` (A's ``weighted_noise_sum``, then the code's Adam in
  float32 tensors).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

import numpy as np
import torch

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


@functools.lru_cache(maxsize=2)
def _table(noise: NoiseTableSpec, device: torch.device) -> torch.Tensor:
    """The shared noise table on ``device`` (ES's perturbations are gathered from it)."""
    return torch.from_numpy(noise_table_numpy(noise).copy()).to(device)


def _greedy(policy: PolicySpec, params: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
    """``act`` for B's rollout: argmax of the logits of every individual on its own observation."""

    logits = policy_genomes.policy_function(policy, params)

    def act(observations: torch.Tensor) -> torch.Tensor:
        return torch.argmax(logits(observations), dim=-1)

    return act


@torch.no_grad()
def _evaluate(policy: PolicySpec, env: EnvSpec, params: torch.Tensor, episodes: int, seed: int) -> Evaluation:
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


@torch.no_grad()
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
    sigma32 = float(np.float32(check_sigma(sigma)))
    check_evaluation_arguments(episodes, seed)
    check_problem(policy, env)
    offsets = torch.as_tensor(noise_offsets(taus, noise.size, count), device=backend.device())
    step = _table(noise, backend.device()).unfold(0, count, 1)[offsets].mul_(sigma32)  # rows table[o : o + P]
    mean = backend.from_numpy(np.asarray(theta, np.float32))
    return _evaluate(policy, env, torch.cat([mean + step, mean - step]), episodes, seed)


@torch.no_grad()
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
    mean = backend.from_numpy(theta)
    grad = -(total / (config.population * config.sigma)) + config.l2_coefficient * mean
    t = state.t + 1
    a = config.learning_rate * math.sqrt(1 - config.beta2**t) / (1 - config.beta1**t)
    m = config.beta1 * backend.from_numpy(state.m) + (1 - config.beta1) * grad
    v = config.beta2 * backend.from_numpy(state.v) + (1 - config.beta2) * grad * grad
    new = mean - a * m / (torch.sqrt(v) + config.epsilon)
    return backend.to_numpy(new), AdamState(backend.to_numpy(m), backend.to_numpy(v), t)
