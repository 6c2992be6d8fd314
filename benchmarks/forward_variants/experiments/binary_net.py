"""Experiment ``binary_net`` (claim F11): a network whose weights are signs, trained by forward differences
along Rademacher tangents, against BinaryConnect's straight-through-estimator (STE) backprop.

The net (``discrete_nets`` contract): 64-hidden-10, weights sign(theta)/sqrt(fan_in) of latent weights theta
in [-1, 1] (uniform start, clipped after every update), tanh hidden units, no biases, softmax cross-entropy,
minibatch SGD on scikit-learn's digits (1437 training, 360 test images). The forward difference only ever
evaluates the loss at binary weights.

1. **sweep**: each method's learning rates on ``sweep_seeds`` starts of their own; each method's lr with the
   lowest mean final training loss is chosen (the test set plays no part);
2. **evaluation**: ``seeds`` fresh starts with the same minibatch sequences for both methods (NumPy-drawn,
   the same in both frameworks), each method at its chosen lr, the same number of steps.

Rows: per run (``step`` 0) ``initial_test_accuracy``, ``final_test_accuracy``, ``final_train_loss``; in the
evaluation phase the traces ``test_accuracy`` and ``train_loss`` (``step`` = iteration). The phases run at a
common number of runs (one compiled trainer per method in JAX); padding runs are dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from benchmarks.forward_variants.tasks import binary_net, digits_split, minibatches
from benchmarks.seeding import derive_seed
from benchmarks.tables import measurements
from implementations.contracts.discrete_nets import BinaryTrace, FdTraining, binary_init_numpy

if TYPE_CHECKING:
    from benchmarks.runner import RunContext

NAME = "binary_net"
FD = "fd_rademacher"
STE = "ste_backprop"
SWEEP, EVALUATION = "sweep", "evaluation"


def _rows(fixed: dict, trace: BinaryTrace, runs: int, lrs: np.ndarray, traces: bool) -> list[pd.DataFrame]:
    index, lr = np.arange(runs), lrs[:runs]
    per_run = {
        "initial_test_accuracy": trace.test_accuracy[0, :runs],
        "final_test_accuracy": trace.test_accuracy[-1, :runs],
        "final_train_loss": trace.train_loss[-1, :runs],
    }
    out = [measurements(fixed, m, v, lr=lr, run=index) for m, v in per_run.items()]
    if traces:
        steps = np.repeat(trace.record_steps, runs)
        tile = lambda a: np.tile(a, len(trace.record_steps))  # noqa: E731
        for measure, values in (("test_accuracy", trace.test_accuracy), ("train_loss", trace.train_loss)):
            out.append(measurements(fixed, measure, values[:, :runs].ravel(), step=steps, lr=tile(lr), run=tile(index)))
    return out


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.config
    dn = ctx.methods["discrete_nets"]
    name, net = binary_net(cfg.hidden)
    train, test = digits_split()
    training = FdTraining("rademacher", cfg.tangents, "fd_forward")
    width = max(len(cfg.fd_lrs) * cfg.sweep_seeds, len(cfg.ste_lrs) * cfg.sweep_seeds, cfg.seeds)

    def phase_inputs(phase: str) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(derive_seed(ctx.root_seed, NAME, phase))
        starts = binary_init_numpy(net, rng, width)
        return starts, minibatches(rng, width, cfg.steps, cfg.batch, len(train.labels))

    def train_method(method: str, starts: np.ndarray, batches: np.ndarray, lrs: np.ndarray, seed: int) -> BinaryTrace:
        if method == FD:
            return dn.train_binary_fd(
                net, train, test, starts, batches, seed, training, cfg.epsilon, lrs, cfg.record_every
            )
        return dn.train_binary_ste(net, train, test, starts, batches, lrs, cfg.record_every)

    parts: list[pd.DataFrame] = []
    starts, batches = phase_inputs(SWEEP)
    chosen = {}
    for method, grid in ctx.progress.over(((FD, cfg.fd_lrs), (STE, cfg.ste_lrs)), lambda m: f"sweep {m[0]}"):
        runs = len(grid) * cfg.sweep_seeds
        lrs = np.array([lr for lr in grid for _ in range(cfg.sweep_seeds)] + [grid[0]] * (width - runs), np.float32)
        seed = derive_seed(ctx.root_seed, NAME, ctx.framework, method, SWEEP)
        trace = train_method(method, starts, batches, lrs, seed)
        parts += _rows(ctx.identity(task=name, method=method, seed=seed, phase=SWEEP), trace, runs, lrs, False)
        means = trace.train_loss[-1, :runs].reshape(len(grid), cfg.sweep_seeds).mean(axis=1)
        chosen[method] = float(grid[int(np.argmin(means))])
        ctx.progress.say(f"{method}: chose lr {chosen[method]:g} (sweep mean final training loss {means.min():.3f})")
    starts, batches = phase_inputs(EVALUATION)
    for method in ctx.progress.over((FD, STE), lambda m: f"evaluation {m}"):
        lrs = np.full(width, chosen[method], np.float32)
        seed = derive_seed(ctx.root_seed, NAME, ctx.framework, method, EVALUATION)
        trace = train_method(method, starts, batches, lrs, seed)
        fixed = ctx.identity(task=name, method=method, seed=seed, phase=EVALUATION)
        parts += _rows(fixed, trace, cfg.seeds, lrs, True)
    return pd.concat(parts, ignore_index=True)
