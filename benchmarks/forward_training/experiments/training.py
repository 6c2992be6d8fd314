"""What the two training experiments share: one paired run of forward-gradient SGD and one of backprop
SGD from the same initial parameters on the same minibatches (:mod:`benchmarks.forward_training.tasks`),
through ``implementations.<framework>.minibatch_training``, and the rows that record it.

Rows of one run (``seed`` = the pair's seed; ``step`` = iterations): ``train_loss`` (mean minibatch loss of
each recorded chunk, at its last iteration), ``seconds`` (cumulative training wall-clock at the same
iterations, compilation and evaluation excluded), ``test_loss`` and ``test_accuracy`` (at the evaluated
iterations), and at step 0 ``diverged`` (1/0), ``compile_seconds``, ``budget`` (iterations of the run),
``target_loss``, ``iterations_to_target`` / ``seconds_to_target`` (first recorded chunk whose mean loss is
at most the target; NaN when never) and ``reached`` (1/0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks.forward_training.tasks import BACKPROP, FORWARD, tangent_seed
from benchmarks.tables import measurements
from implementations.contracts.classifiers import ClassifierSpec, init_params
from implementations.contracts.minibatch_training import (
    ClassificationData,
    TrainingCurve,
    TrainingRun,
    batch_order,
    sgd,
)


def first_reach(curve: TrainingCurve, target: float) -> tuple[float, float]:
    """(iterations, seconds) at the first recorded chunk whose mean loss is <= ``target``; NaN if none."""
    hits = np.flatnonzero(curve.train_loss <= target)
    if hits.size == 0:
        return float("nan"), float("nan")
    return float(curve.steps[hits[0]]), float(curve.seconds[hits[0]])


def curve_rows(fixed: dict, curve: TrainingCurve, steps: int, target: float) -> list[pd.DataFrame]:
    """The rows of one run (module docstring)."""
    iterations, seconds = first_reach(curve, target)
    rows = [
        measurements(fixed, "train_loss", curve.train_loss, step=curve.steps),
        measurements(fixed, "seconds", curve.seconds, step=curve.steps),
        measurements(fixed, "test_loss", curve.test_loss, step=curve.eval_steps),
        measurements(fixed, "test_accuracy", curve.test_accuracy, step=curve.eval_steps),
    ]
    scalars = {
        "diverged": float(curve.diverged),
        "compile_seconds": curve.compile_seconds,
        "budget": float(steps),
        "target_loss": target,
        "iterations_to_target": iterations,
        "seconds_to_target": seconds,
        "reached": float(np.isfinite(iterations)),
    }
    rows += [measurements(fixed, name, value) for name, value in scalars.items()]
    return rows


def paired_run(
    trainer: object,
    spec: ClassifierSpec,
    data: ClassificationData,
    cfg: object,
    seed: int,
    framework: str,
    steps: int,
    lrs: dict[str, float],
) -> dict[str, TrainingCurve]:
    """Train each method of ``lrs`` (method -> eta_0) from the same parameters on the same minibatches."""
    params = init_params(spec, np.random.default_rng(seed))
    batches = batch_order(seed, len(data.x_train), cfg.batch, steps)
    chunks = min(cfg.records, steps)
    curves = {}
    for method, lr in lrs.items():
        source = "forward" if method == FORWARD else "backprop"
        run = TrainingRun(
            sgd(source, lr, cfg.decay, cfg.distribution),
            batch=cfg.batch,
            steps=steps,
            record_every=steps // chunks,
            evaluations=min(getattr(cfg, "evaluations", 1), chunks),
            eval_size=cfg.eval_size,
        )
        curves[method] = trainer.train(spec, params, data, run, batches, tangent_seed(seed, framework, method, lr))
    return curves


METHOD_ORDER = (FORWARD, BACKPROP)
