"""Experiment ``tuned_lr``: each method at its own best learning rate (claim F7, a counter-claim to Baydin et
al. 2022 from a reproduction that tuned both: backprop then needs 2-4x fewer iterations).

Phase ``sweep``: for every method and every eta_0 in ``lrs[method]``, ``sweep_seeds`` paired runs of
``steps`` iterations (seeds apart from the final ones). The selected eta_0 of a method is the one with the
smallest Kaplan-Meier median iterations to ``target_loss`` over its sweep runs (a run that never reaches it
is censored at ``steps``); where no eta_0 reaches it in half of its runs, the one with the lowest median
final training loss (a diverged run counts as infinite). The choice is recorded as ``selected`` (1/0) on
every sweep run. Phase ``final``: ``seeds`` paired runs, each method at its selected eta_0. Rows as
:mod:`.training` describes, with axes ``model``, ``lr``, ``phase`` and ``distribution``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from benchmarks.forward_training.experiments.training import METHOD_ORDER, curve_rows, first_reach, paired_run
from benchmarks.forward_training.tasks import load_data, network, run_seed, task_name
from benchmarks.survival import km_median
from benchmarks.tables import measurements

if TYPE_CHECKING:
    from benchmarks.runner import RunContext

NAME = "tuned_lr"
SWEEP, FINAL = "sweep", "final"


def select(results: dict[float, list], steps: int, target: float) -> float:
    """The selected eta_0 from {eta_0: [curves]} (module docstring)."""
    medians = {}
    for lr, curves in results.items():
        iterations = np.array([first_reach(c, target)[0] for c in curves])
        reached = np.isfinite(iterations)
        medians[lr] = km_median(np.where(reached, iterations, steps), reached)
    best = min(medians, key=lambda lr: (medians[lr], lr))
    if np.isfinite(medians[best]):
        return best

    def final_loss(curve: object) -> float:
        return float("inf") if curve.diverged or not len(curve.train_loss) else float(curve.train_loss[-1])

    return min(results, key=lambda lr: (np.median([final_loss(c) for c in results[lr]]), lr))


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.config
    data = load_data(cfg.dataset)
    trainer = ctx.methods["minibatch_training"]
    spec = network(cfg.model, data.x_train.shape[1], cfg.networks)
    parts: list[pd.DataFrame] = []

    def record(method: str, lr: float, phase: str, seed: int, curve: object) -> dict:
        fixed = ctx.identity(
            task=task_name(spec, cfg.dataset),
            method=method,
            seed=seed,
            model=cfg.model,
            lr=lr,
            phase=phase,
            distribution=cfg.distribution,
        )
        parts.extend(curve_rows(fixed, curve, cfg.steps, cfg.target_loss))
        return fixed

    sweep: dict[str, dict[float, list]] = {m: {lr: [] for lr in cfg.lrs[m]} for m in METHOD_ORDER}
    swept: list[tuple[str, float, dict]] = []
    width = max(len(cfg.lrs[m]) for m in METHOD_ORDER)
    items = [(position, index) for position in range(width) for index in range(cfg.sweep_seeds)]
    for position, index in ctx.progress.over(items, lambda item: f"sweep: eta_0 #{item[0] + 1}, run {item[1] + 1}"):
        seed = run_seed(ctx.root_seed, NAME, SWEEP, f"{position}/{index}")
        lrs = {m: cfg.lrs[m][position] for m in METHOD_ORDER if position < len(cfg.lrs[m])}
        for method, curve in paired_run(trainer, spec, data, cfg, seed, ctx.framework, cfg.steps, lrs).items():
            sweep[method][lrs[method]].append(curve)
            swept.append((method, lrs[method], record(method, lrs[method], SWEEP, seed, curve)))
    chosen = {m: select(sweep[m], cfg.steps, cfg.target_loss) for m in METHOD_ORDER}
    ctx.progress.say("selected eta_0: " + ", ".join(f"{m} {lr:g}" for m, lr in chosen.items()))
    parts.extend(measurements(fixed, "selected", float(lr == chosen[method])) for method, lr, fixed in swept)
    for index in ctx.progress.over(range(cfg.seeds), lambda i: f"final pair {i + 1}/{cfg.seeds}"):
        seed = run_seed(ctx.root_seed, NAME, FINAL, index)
        for method, curve in paired_run(trainer, spec, data, cfg, seed, ctx.framework, cfg.steps, chosen).items():
            record(method, chosen[method], FINAL, seed, curve)
    return pd.concat(parts, ignore_index=True)
