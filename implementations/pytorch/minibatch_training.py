"""Minibatch training in PyTorch: forward-gradient SGD against backprop SGD (Baydin et al. 2022, arXiv
2202.08587, Sec. 5.2, Alg. 1 with eta_t = eta_0 exp(-k t)). Contract and protocol:
:mod:`implementations.contracts.minibatch_training`.

Each step is :func:`implementations.pytorch.descent.step` (the suite's one step: tangents drawn from the
run's generator, the gradient from :mod:`.forward_gradient` by ``torch.func``, the update from
:mod:`.optimizers`) on the loss of :mod:`.classifiers` for the step's minibatch, gathered on the device
from the training set (copied there once per data set). Losses stay on the device until a chunk of
``record_every`` steps ends; then the device is synchronised and the clock read. The test set is
evaluated in blocks of :data:`EVAL_BLOCK` examples.
"""

from __future__ import annotations

import time

import numpy as np
import torch
import torch.nn.functional as F

from implementations.contracts.classifiers import ClassifierSpec, check_params
from implementations.contracts.minibatch_training import (
    ClassificationData,
    TrainingCurve,
    TrainingRun,
    check_data_and_batches,
)

from . import backend, classifiers, descent

EVAL_BLOCK = 500
_DEVICE_DATA: dict[str, object] = {}


def _on_device(data: ClassificationData, eval_size: int) -> tuple:
    """(x_train, y_train, x_test, y_test) on the device, cached for the last data set."""
    key = (id(data), eval_size, backend.device())
    if _DEVICE_DATA.get("key") != key:
        n = len(data.x_test) if eval_size == 0 else min(eval_size, len(data.x_test))
        arrays = (
            backend.from_numpy(data.x_train),
            backend.from_numpy(np.asarray(data.y_train)).long(),
            backend.from_numpy(data.x_test[:n]),
            backend.from_numpy(np.asarray(data.y_test[:n])).long(),
        )
        _DEVICE_DATA.update(key=key, data=data, arrays=arrays)
    return _DEVICE_DATA["arrays"]


@torch.no_grad()
def _evaluate(spec: ClassifierSpec, params: classifiers.Params, x: torch.Tensor, y: torch.Tensor) -> tuple:
    nll, correct = 0.0, 0.0
    for start in range(0, len(x), EVAL_BLOCK):
        z = classifiers.logits(spec, params, x[start : start + EVAL_BLOCK])
        yb = y[start : start + EVAL_BLOCK]
        nll += float(F.cross_entropy(z, yb, reduction="sum"))
        correct += float((z.argmax(dim=-1) == yb).sum())
    return nll / len(x), correct / len(x)


@torch.no_grad()
def train(
    spec: ClassifierSpec,
    params: list[np.ndarray],
    data: ClassificationData,
    run: TrainingRun,
    batches: np.ndarray,
    seed: int,
) -> TrainingCurve:
    """Train from ``params`` on ``batches`` (tangents from a generator seeded with ``seed``)."""
    check_params(spec, params)
    check_data_and_batches(spec, data, run, batches)
    x, y, x_test, y_test = _on_device(data, run.eval_size)
    state = descent.init(run.descent, classifiers.to_device(params))
    gen = tangent_rng(seed, run.descent.estimator.distribution)
    rows = [backend.from_numpy(b) for b in np.split(np.asarray(batches, np.int64), run.chunks)]
    config = run.descent
    evaluated = set(run.evaluated_chunks().tolist())
    losses, seconds, eval_steps, test_loss, accuracy = [], [], [], [], []
    elapsed, diverged = 0.0, False
    for index, chunk_rows in enumerate(rows):
        tick = time.perf_counter()
        chunk_losses = []
        for idx in chunk_rows:
            xb, yb = x[idx], y[idx]
            state, stats = descent.step(config, state, lambda ps, xb=xb, yb=yb: classifiers.loss(spec, ps, xb, yb), gen)
            chunk_losses.append(stats["loss"])
        loss = float(torch.stack(chunk_losses).mean())
        backend.synchronize()
        elapsed += time.perf_counter() - tick
        if not np.isfinite(loss) or loss > run.max_loss:
            diverged = True
            break
        losses.append(loss)
        seconds.append(elapsed)
        if index in evaluated:
            value, correct = _evaluate(spec, state.params, x_test, y_test)
            eval_steps.append((index + 1) * run.record_every)
            test_loss.append(value)
            accuracy.append(correct)
    steps = np.arange(1, len(losses) + 1, dtype=np.int64) * run.record_every
    return TrainingCurve(
        steps,
        np.array(losses, np.float64),
        np.array(seconds, np.float64),
        np.array(eval_steps, np.int64),
        np.array(test_loss, np.float64),
        np.array(accuracy, np.float64),
        diverged,
        0.0,
    )


def tangent_rng(seed: int, distribution: str) -> torch.Generator:
    """The generator tangents of ``distribution`` are drawn with (the same for every law in PyTorch)."""
    del distribution
    return backend.make_rng(seed)
