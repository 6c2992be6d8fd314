"""Experiment ``encoding``: the seed-list genome (claims G1, G2, G3).

Such et al. 2017 (arXiv:1712.06567, Sec. 3.1) store an individual as the list of seeds that made it: theta^0 =
phi(tau_0), theta^n = theta^(n-1) + sigma eps(tau_n), eps from a shared noise table (Salimans et al. 2017). Per
framework and policy (the CartPole MLP; the Atari DQN net, 4,052,658 parameters at 18 actions), random genomes of
a few generations are decoded

- twice, in reverse batch order, and through a parent cache (the parents decoded first): every path must give
  the same bits (G1, within a framework);
- against the float64 NumPy reference of interface A's contract: ``reference_excess``, the largest |difference|
  over its rigorous float32 bound (``decode_tolerance``: at most 1 when correct), and ``reference_error``, the
  largest |difference| over the largest |theta|;
- into rows of sampled coordinates (all of the MLP's, ``sample_coordinates`` of the Atari net's, the same
  indices in both frameworks) and the float64 norm of every vector, which the across-framework check of G1
  compares.

G3: the layout's parameter count and the decoded length of the Atari net at 18 and 4 actions. G2: the bytes of
theta (the decoded float32 vector's ``nbytes``) and of seed lists of g + 1 seeds at each ``size_generations``
(int64 serialisation, and Python's pickle of the tuple for reference).

Rows: ``task`` = the policy label, ``method`` = what was measured, axes ``generations`` (mutations after tau_0),
``genome`` (index), ``coordinate`` (index into theta); -1 where an axis does not apply.
"""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from benchmarks.neuroevolution.runs import noise_table
from benchmarks.seeding import derive_seed
from benchmarks.tables import measurements
from implementations.contracts.control_envs import EnvSpec, n_actions, observation_shape
from implementations.contracts.neuroevolution import draw_seeds
from implementations.contracts.policy_genomes import (
    ATARI_OBSERVATION_SHAPE,
    PolicySpec,
    decode_numpy,
    decode_tolerance,
    genome_bytes,
    n_params,
)

if TYPE_CHECKING:
    from benchmarks.runner import RunContext

MLP_ENV = "cartpole"
ATARI_ACTIONS: tuple[int, ...] = (18, 4)
NONE = -1


def policies(mlp_hidden: tuple[int, ...]) -> dict[str, PolicySpec]:
    """The decoded policies by label: the CartPole MLP and the Atari DQN net at 18 actions."""
    env = EnvSpec(MLP_ENV, 500)
    return {
        "mlp_cartpole": PolicySpec("mlp", tuple(observation_shape(env)), n_actions(env), hidden=mlp_hidden),
        "atari_dqn_18": atari_policy(18),
    }


def atari_policy(actions: int) -> PolicySpec:
    """The DQN net of Such et al. Sec. 4.1 (Mnih et al. 2015) with ``actions`` outputs."""
    return PolicySpec("atari_dqn", ATARI_OBSERVATION_SHAPE, actions)


def genomes_of(root: int, label: str, generations: list[int], count: int) -> list[tuple[int, ...]]:
    """``count`` random genomes per generation count (g + 1 seeds each), the same in every framework."""
    out = []
    for g in generations:
        rng = np.random.default_rng(derive_seed(root, "encoding", label, g))
        out += [tuple(draw_seeds(rng, g + 1)) for _ in range(count)]
    return out


def coordinates(root: int, label: str, size: int, count: int) -> np.ndarray:
    """Sorted coordinate indices compared across frameworks: all of them when ``count >= size``."""
    if count >= size:
        return np.arange(size)
    rng = np.random.default_rng(derive_seed(root, "encoding", label, "coordinates"))
    return np.sort(rng.choice(size, count, replace=False))


def _max_gap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per row: the largest |a - b| (float64)."""
    return np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)), axis=1)


def _decode_paths(ctx: RunContext, policy: PolicySpec, genomes: list[tuple[int, ...]]) -> dict[str, np.ndarray]:
    """theta [n, P] by every path: ``first``, ``again``, ``reversed`` (reverse batch order), ``cached`` (a
    decoder whose cache already holds every parent)."""
    module = ctx.methods["policy_genomes"]
    noise, sigma = noise_table(ctx, ctx.config.table_size), ctx.config.sigma
    first = module.decode(genomes, policy, noise, sigma)
    again = module.decode(genomes, policy, noise, sigma)
    backwards = module.decode(genomes[::-1], policy, noise, sigma)[::-1]
    decoder = module.GenomeDecoder(policy, noise, sigma, 2 * len(genomes))
    parents = [g[:-1] for g in genomes if len(g) > 1]
    if parents:
        decoder.decode(parents)
    cached = module.backend.to_numpy(decoder.decode(genomes))
    return {"first": first, "again": again, "reversed": backwards, "cached": cached}


def decode_measurements(ctx: RunContext, label: str, policy: PolicySpec) -> list[pd.DataFrame]:
    """The decode rows of one policy (see the module docstring): paths, reference error, sampled coordinates."""
    cfg = ctx.config
    generations = list(cfg.generations)
    genomes = genomes_of(ctx.root_seed, label, generations, cfg.genomes)
    paths = _decode_paths(ctx, policy, genomes)
    first = paths["first"]
    noise = noise_table(ctx, cfg.table_size)
    index = coordinates(ctx.root_seed, label, first.shape[1], cfg.sample_coordinates)
    parts = []
    for row, genome in enumerate(genomes):
        g, i = len(genome) - 1, row % cfg.genomes
        fixed = ctx.identity(task=label, method="decode", seed=int(genome[0]), generations=g, genome=i)
        reference = decode_numpy(genome, policy, noise, cfg.sigma)
        scale = float(np.max(np.abs(reference)))
        values = {
            f"path_gap_{name}": float(_max_gap(first[row : row + 1], paths[name][row : row + 1])[0])
            for name in ("again", "reversed", "cached")
        }
        error = np.abs(first[row] - reference)
        values["reference_error"] = float(np.max(error) / scale)
        values["reference_excess"] = float(np.max(error / decode_tolerance(genome, policy, noise, cfg.sigma)))
        values["theta_norm"] = float(np.linalg.norm(first[row].astype(np.float64)))
        values["theta_scale"] = scale
        values["n_params_decoded"] = float(first.shape[1])
        for name, value in values.items():
            parts.append(measurements(fixed, name, value, coordinate=[NONE]))
        parts.append(measurements(fixed, "theta", first[row, index], coordinate=index))
    return parts


def _size_rows(ctx: RunContext) -> list[pd.DataFrame]:
    """G3 (both action counts) and G2 (bytes per generation count) for the Atari net."""
    cfg = ctx.config
    module = ctx.methods["policy_genomes"]
    noise = noise_table(ctx, cfg.table_size)
    parts = []
    for actions in ATARI_ACTIONS:
        policy = atari_policy(actions)
        theta = module.decode([(0,)], policy, noise, cfg.sigma)
        fixed = ctx.identity(task=f"atari_dqn_{actions}", method="size", seed=0, generations=NONE, genome=NONE)
        parts.append(measurements(fixed, "n_params_layout", float(n_params(policy)), coordinate=[NONE]))
        parts.append(measurements(fixed, "n_params_decoded", float(theta.shape[1]), coordinate=[NONE]))
        parts.append(measurements(fixed, "parameter_bytes", float(theta[0].nbytes), coordinate=[NONE]))
        if actions != ATARI_ACTIONS[0]:
            continue
        rng = np.random.default_rng(derive_seed(ctx.root_seed, "encoding", "sizes"))
        for g in cfg.size_generations:
            genome = tuple(draw_seeds(rng, g + 1))
            sizes = ctx.identity(task=f"atari_dqn_{actions}", method="size", seed=0, generations=g, genome=NONE)
            serialised = np.asarray(genome, np.int64).tobytes()
            parts.append(measurements(sizes, "genome_bytes", float(len(serialised)), coordinate=[NONE]))
            parts.append(measurements(sizes, "genome_bytes_formula", float(genome_bytes(genome)), coordinate=[NONE]))
            parts.append(measurements(sizes, "pickle_bytes", float(len(pickle.dumps(genome))), coordinate=[NONE]))
    return parts


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    parts = []
    for label, policy in ctx.progress.over(policies(tuple(ctx.config.mlp_hidden)).items(), lambda i: i[0]):
        parts += decode_measurements(ctx, label, policy)
    ctx.progress.say("parameter counts and bytes")
    parts += _size_rows(ctx)
    return pd.concat(parts, ignore_index=True)
