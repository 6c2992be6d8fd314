"""Experiment ``step_net`` (claim F10b): a network of Heaviside units trained by the finite-difference
forward gradient, where backprop and the JVP see an exactly zero gradient.

Per Boolean task (inputs-hidden-1 net, every unit a step, loss the mean squared error over all patterns):

1. **sweep**: every (eps, lr) of the grid on the same ``sweep_seeds`` starts of its own, all side by side in
   one trainer call; the pair with the highest mean final training accuracy is chosen (ties: the first in grid
   order);
2. **evaluation**: ``seeds`` fresh starts (NumPy-drawn, the same in both frameworks), trained by the
   finite-difference forward gradient at the chosen pair and by full-batch backprop at ``backprop_lr``.

Both trainers record, every ``record_every`` steps, the loss, the training accuracy, ||backprop gradient|| and
(forward difference only) |grad f . v| by forward mode along a probe tangent: for a Heaviside net the last two
are exactly zero, so backprop never moves. Rows: per run (``step`` 0) ``initial_accuracy``,
``final_accuracy``, ``final_loss``, ``max_grad_norm``, ``max_abs_jvp`` (NaN for backprop) and
``moved`` (1 if the parameters changed); in the evaluation phase the traces ``accuracy`` and ``loss``
(``step`` = iteration). In JAX one compiled trainer serves both phases, so the phases are run at a common
number of runs and the padding runs are dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from benchmarks.forward_variants.tasks import boolean_task
from benchmarks.seeding import derive_seed
from benchmarks.tables import measurements
from implementations.contracts.discrete_nets import FdTraining, StepNet, StepTrace, step_init_numpy

if TYPE_CHECKING:
    from benchmarks.runner import RunContext

NAME = "step_net"
FD = "fd_forward_gradient"
BACKPROP = "backprop"
SWEEP, EVALUATION = "sweep", "evaluation"


def _starts(root_seed: int, task: str, phase: str, net: StepNet, runs: int) -> np.ndarray:
    return step_init_numpy(net, np.random.default_rng(derive_seed(root_seed, NAME, task, phase)), runs)


def _run_rows(
    fixed: dict, trace: StepTrace, start: np.ndarray, epsilons: np.ndarray, lrs: np.ndarray, traces: bool
) -> list[pd.DataFrame]:
    runs = np.arange(len(start))
    per_run = {
        "initial_accuracy": trace.accuracy[0],
        "final_accuracy": trace.accuracy[-1],
        "final_loss": trace.loss[-1],
        "max_grad_norm": trace.grad_norm.max(axis=0),
        "max_abs_jvp": trace.jvp.max(axis=0),
        "moved": np.any(trace.theta != start, axis=1).astype(float),
    }
    out = [
        measurements(fixed, measure, values, epsilon=epsilons, lr=lrs, run=runs) for measure, values in per_run.items()
    ]
    if traces:
        steps = np.repeat(trace.record_steps, len(runs))
        for measure in ("accuracy", "loss"):
            values = getattr(trace, measure).ravel()
            tile = lambda a: np.tile(a, len(trace.record_steps))  # noqa: E731
            out.append(
                measurements(fixed, measure, values, step=steps, epsilon=tile(epsilons), lr=tile(lrs), run=tile(runs))
            )
    return out


def _cut(trace: StepTrace, keep: slice) -> StepTrace:
    """The runs ``keep`` of a trace (the padding runs dropped)."""
    return StepTrace(trace.record_steps, *(a[:, keep] for a in trace[1:5]), trace.theta[keep])


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.config
    dn = ctx.methods["discrete_nets"]
    training = FdTraining(cfg.distribution, cfg.tangents, "fd_forward")
    grid = [(eps, lr) for eps in cfg.epsilons for lr in cfg.lrs]
    sweep_runs = len(grid) * cfg.sweep_seeds
    width = max(sweep_runs, cfg.seeds)
    parts: list[pd.DataFrame] = []
    for item in ctx.progress.over(cfg.nets, lambda n: f"{n.task} hidden {n.hidden}"):
        name, net, patterns = boolean_task(item.task, item.hidden)
        # sweep: every (eps, lr) side by side in one call, each on the same sweep_seeds starts
        start = np.tile(_starts(ctx.root_seed, name, SWEEP, net, cfg.sweep_seeds), (len(grid), 1))
        start = np.concatenate([start, _starts(ctx.root_seed, name, "padding", net, width - sweep_runs)])
        pad = [1.0] * (width - sweep_runs)
        eps = np.array([e for e, _ in grid for _ in range(cfg.sweep_seeds)] + pad, np.float32)
        lrs = np.array([r for _, r in grid for _ in range(cfg.sweep_seeds)] + pad, np.float32)
        seed = derive_seed(ctx.root_seed, NAME, ctx.framework, name, SWEEP)
        keep = slice(0, sweep_runs)
        trace = _cut(
            dn.train_step_fd(net, patterns, start, seed, training, eps, lrs, cfg.steps, cfg.record_every), keep
        )
        fixed = ctx.identity(task=name, method=FD, seed=seed, phase=SWEEP)
        parts += _run_rows(fixed, trace, start[keep], eps[keep], lrs[keep], traces=False)
        means = trace.accuracy[-1].reshape(len(grid), cfg.sweep_seeds).mean(axis=1)
        best_eps, best_lr = grid[int(np.argmax(means))]  # ties: the first in grid order
        ctx.progress.say(f"{name}: chose eps {best_eps:g}, lr {best_lr:g} (sweep mean accuracy {means.max():.3f})")
        # evaluation: the forward difference at the chosen pair and backprop, from the same fresh starts
        start = _starts(ctx.root_seed, name, EVALUATION, net, width)
        keep, lrs = slice(0, cfg.seeds), np.full(width, best_lr, np.float32)
        eps = np.full(width, best_eps, np.float32)
        seed = derive_seed(ctx.root_seed, NAME, ctx.framework, name, EVALUATION)
        trace = _cut(
            dn.train_step_fd(net, patterns, start, seed, training, eps, lrs, cfg.steps, cfg.record_every), keep
        )
        fixed = ctx.identity(task=name, method=FD, seed=seed, phase=EVALUATION)
        parts += _run_rows(fixed, trace, start[keep], eps[keep], lrs[keep], traces=True)
        bp = dn.train_step_backprop(net, patterns, start[keep], cfg.backprop_lr, cfg.steps, cfg.record_every)
        fixed = ctx.identity(task=name, method=BACKPROP, seed=seed, phase=EVALUATION)
        parts += _run_rows(
            fixed, bp, start[keep], np.zeros(cfg.seeds), np.full(cfg.seeds, cfg.backprop_lr), traces=True
        )
    return pd.concat(parts, ignore_index=True)
