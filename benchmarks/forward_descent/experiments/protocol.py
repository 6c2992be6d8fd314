"""Experiment ``protocol``: Belouze 2022's benchmark protocol (his ``benchmark/make.py`` and ``descent``),
claims B2 and (tangent choice) B1.

Per dimension n, per test function: ``starts`` points drawn uniformly in the function's search box
(:func:`benchmarks.forward_descent.problems.box_starts`, the same in both frameworks); from each, every
optimizer (SGD, clipped SGD, Adam, AdaBelief at one learning rate; Adam and AdaBelief with eps 1e-8 as in his
code) descends once with the true gradient (backprop, deterministic) and ``repeats`` times with the forward
gradient of each tangent law. A run succeeds at the first gradient evaluation t (t = 0 is the start) with
f(x_t) <= f* + epsilon, diverges at the first f(x_t) > f* + epsilon + divergence (or a non-finite value; a
start already above that line diverges at t = 0, as in his code), and otherwise stops after
``max_iterations`` evaluations. All runs of a dimension step together
(``descent.first_passage``, one compiled loop / one batch per dimension).

Rows per run (``step`` 0; axes dim, optimizer, distribution (``none`` for backprop), start, repeat):
``solved`` (1/0), ``evaluations`` (t + 1 at success, NaN otherwise: the cost in Dolan-Moré profiles),
``diverged_at`` (t, NaN if not), ``best_gap`` (smallest f(x_t) - f* before the run stopped), ``initial_gap``
(f(x_0) - f*). Method: ``backprop`` or ``forward``; task: the function. Per n, rows of method ``protocol``
(task ``all``) record the settings: ``max_iterations``, ``learning_rate``, ``epsilon``, ``divergence``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from benchmarks.forward_descent.problems import box_starts
from benchmarks.seeding import derive_seed
from benchmarks.tables import measurements
from implementations.contracts.descent import DescentConfig, RunBlock
from implementations.contracts.forward_gradient import EstimatorConfig
from implementations.contracts.optimizers import OptimizerConfig
from implementations.specs import ObjectiveSpec, function_info

if TYPE_CHECKING:
    from benchmarks.runner import RunContext

NAME = "protocol"
NO_TANGENTS = "none"
SETTINGS = "protocol"
ADAPTIVE_EPS = 1e-8


def optimizer_config(name: str, cfg: object) -> OptimizerConfig:
    """The optimizer ``name`` at the protocol's learning rate (eps 1e-8 for Adam and AdaBelief, clip bound)."""
    eps = ADAPTIVE_EPS if name in ("adam", "adabelief") else None
    return OptimizerConfig(name, cfg.learning_rate, clip_norm=cfg.clip_norm, eps=eps)


def design(cfg: object, dim: int, root_seed: int) -> tuple[tuple[RunBlock, ...], np.ndarray, pd.DataFrame]:
    """(blocks, starts [R, n], one row per run: task, method, optimizer, distribution, start, repeat). Blocks
    are ordered by function, then source, then optimizer, so each function's rows are contiguous."""
    blocks, starts, runs = [], [], []
    sources = [("backprop", NO_TANGENTS, 1)] + [("forward", d, cfg.repeats) for d in cfg.distributions]
    for function in cfg.functions:
        spec = ObjectiveSpec(function, dim)
        points = box_starts(function, dim, cfg.starts, root_seed)
        for source, distribution, repeats in sources:
            estimator = (
                EstimatorConfig("backprop") if source == "backprop" else EstimatorConfig("forward", distribution)
            )
            for optimizer in cfg.optimizers:
                config = DescentConfig(estimator, optimizer_config(optimizer, cfg))
                blocks.append(RunBlock(spec, config, cfg.starts * repeats))
                starts.append(np.repeat(points, repeats, axis=0))
                index = np.arange(cfg.starts * repeats)
                runs.append(
                    pd.DataFrame(
                        {
                            "task": function,
                            "method": source,
                            "optimizer": optimizer,
                            "distribution": distribution,
                            "start": index // repeats,
                            "repeat": index % repeats,
                        }
                    )
                )
    return tuple(blocks), np.concatenate(starts), pd.concat(runs, ignore_index=True)


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.config
    descent = ctx.methods["descent"]
    parts: list[pd.DataFrame] = []
    for dim in ctx.progress.over(
        cfg.dims,
        lambda n: (
            f"n={n}: {len(cfg.functions)} functions x "
            f"{len(cfg.optimizers)} optimizers x {1 + len(cfg.distributions)} sources"
        ),
    ):
        blocks, starts, runs = design(cfg, dim, ctx.root_seed)
        f_star = np.array([function_info(task).minimum(dim) for task in runs["task"]])
        targets = f_star + cfg.epsilon
        seed = derive_seed(ctx.root_seed, NAME, ctx.framework, dim)
        hit, out, best = descent.first_passage(
            blocks, starts, seed, cfg.max_iterations, targets, targets + cfg.divergence
        )
        initial = np.empty(len(runs))
        for task in cfg.functions:
            rows = np.flatnonzero(runs["task"].to_numpy() == task)
            initial[rows] = descent.values_and_gradients(ObjectiveSpec(task, dim), starts[rows])[0]
        columns = {k: runs[k].to_numpy() for k in ("task", "method", "optimizer", "distribution", "start", "repeat")}
        fixed = ctx.identity(seed=seed, dim=dim)
        with np.errstate(invalid="ignore", over="ignore"):
            values = {
                "solved": (hit >= 0).astype(float),
                "evaluations": np.where(hit >= 0, hit + 1.0, np.nan),
                "diverged_at": np.where(out >= 0, out.astype(float), np.nan),
                "best_gap": best - f_star,
                "initial_gap": initial - f_star,
            }
        parts += [measurements(fixed, measure, v, **columns) for measure, v in values.items()]
        setting = fixed | {"task": "all", "method": SETTINGS, "optimizer": "none", "distribution": NO_TANGENTS}
        for name in ("max_iterations", "learning_rate", "epsilon", "divergence"):
            parts.append(measurements(setting | {"start": -1, "repeat": -1}, name, float(getattr(cfg, name))))
    return pd.concat(parts, ignore_index=True)
