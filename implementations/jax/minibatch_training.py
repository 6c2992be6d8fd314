"""Minibatch training in JAX: forward-gradient SGD against backprop SGD (Baydin et al. 2022, arXiv
2202.08587, Sec. 5.2, Alg. 1 with eta_t = eta_0 exp(-k t)). Contract and protocol:
:mod:`implementations.contracts.minibatch_training`.

Each step is :func:`implementations.jax.descent.step` (the suite's one step: tangents drawn inside it from a
key split off the run's key, the gradient from :mod:`.forward_gradient`, the update from :mod:`.optimizers`)
on the loss of :mod:`.classifiers` for the step's minibatch. A chunk of ``record_every`` steps is one
compiled ``lax.scan`` (minibatches gathered on the device from the training set, which is copied there once
per data set; the state is donated, so parameters are updated in place); it is compiled ahead of time and
cached per (spec, descent config, shapes), so the clock around a chunk sees execution only. The test set
is evaluated by a compiled ``lax.map`` over blocks of :data:`EVAL_BLOCK` examples (padded and masked).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from implementations.contracts.classifiers import ClassifierSpec, check_params
from implementations.contracts.descent import DescentConfig
from implementations.contracts.minibatch_training import (
    ClassificationData,
    TrainingCurve,
    TrainingRun,
    check_data_and_batches,
)

from . import backend, classifiers, descent

EVAL_BLOCK = 500
_DEVICE_DATA: dict[str, object] = {}
_CHUNKS: dict[tuple, Callable] = {}


def _on_device(data: ClassificationData, eval_size: int) -> tuple:
    """(x_train, y_train, (x_test blocks, y_test blocks, mask)) on the device, cached for the last data set
    (MNIST's training set is 188 MB: copied once, not once per run)."""
    key = (id(data), eval_size)
    if _DEVICE_DATA.get("key") != key:
        n = len(data.x_test) if eval_size == 0 else min(eval_size, len(data.x_test))
        blocks = -(-n // EVAL_BLOCK)
        size = blocks * EVAL_BLOCK
        x_test = np.zeros((size, data.x_test.shape[1]), np.float32)
        y_test = np.zeros(size, np.int32)
        x_test[:n], y_test[:n] = data.x_test[:n], data.y_test[:n]
        mask = (np.arange(size) < n).astype(np.float32)
        test = (
            backend.from_numpy(x_test.reshape(blocks, EVAL_BLOCK, -1)),
            backend.from_numpy(y_test.reshape(blocks, EVAL_BLOCK)),
            backend.from_numpy(mask.reshape(blocks, EVAL_BLOCK)),
        )
        train = (backend.from_numpy(data.x_train), backend.from_numpy(np.asarray(data.y_train, np.int32)))
        _DEVICE_DATA.update(key=key, data=data, arrays=(*train, test))
    return _DEVICE_DATA["arrays"]


def _chunk_function(spec: ClassifierSpec, config: DescentConfig) -> Callable:
    def chunk(state: descent.DescentState, rng: jax.Array, rows: jax.Array, x: jax.Array, y: jax.Array) -> tuple:
        def one(carry: tuple, idx: jax.Array) -> tuple:
            state, rng = carry
            rng, sub = jax.random.split(rng)
            xb, yb = x[idx], y[idx]
            state, stats = descent.step(config, state, lambda ps: classifiers.loss(spec, ps, xb, yb), sub)
            return (state, rng), stats["loss"]

        (state, rng), losses = jax.lax.scan(one, (state, rng), rows)
        return state, rng, jnp.mean(losses)

    return jax.jit(chunk, donate_argnums=(0,))


@functools.cache
def _compiled_evaluation(spec: ClassifierSpec) -> Callable:
    def evaluate(params: classifiers.Params, x: jax.Array, y: jax.Array, mask: jax.Array) -> tuple:
        def block(args: tuple) -> tuple:
            xb, yb, mb = args
            log_probs = jax.nn.log_softmax(classifiers.logits(spec, params, xb), axis=-1)
            nll = -jnp.take_along_axis(log_probs, yb[:, None], axis=-1)[:, 0]
            return jnp.sum(nll * mb), jnp.sum((jnp.argmax(log_probs, axis=-1) == yb) * mb)

        nll, correct = jax.lax.map(block, (x, y, mask))
        count = jnp.sum(mask)
        return jnp.sum(nll) / count, jnp.sum(correct) / count

    return jax.jit(evaluate)


def train(
    spec: ClassifierSpec,
    params: list[np.ndarray],
    data: ClassificationData,
    run: TrainingRun,
    batches: np.ndarray,
    seed: int,
) -> TrainingCurve:
    """Train from ``params`` on ``batches`` (tangents from JAX's PRNG keyed with ``seed``)."""
    check_params(spec, params)
    check_data_and_batches(spec, data, run, batches)
    x, y, test = _on_device(data, run.eval_size)
    state = descent.init(run.descent, classifiers.to_device(params))
    rng = tangent_rng(seed, run.descent.estimator.distribution)
    rows = [backend.from_numpy(b) for b in np.split(np.asarray(batches, np.int32), run.chunks)]
    cache_key = (spec, run.descent, run.record_every, run.batch, x.shape)
    start = time.perf_counter()
    if cache_key not in _CHUNKS:
        _CHUNKS[cache_key] = _chunk_function(spec, run.descent).lower(state, rng, rows[0], x, y).compile()
    chunk = _CHUNKS[cache_key]
    evaluate = _compiled_evaluation(spec)
    jax.block_until_ready(evaluate(state.params, *test))
    compile_seconds = time.perf_counter() - start
    evaluated = set(run.evaluated_chunks().tolist())
    losses, seconds, eval_steps, test_loss, accuracy = [], [], [], [], []
    elapsed, diverged = 0.0, False
    for index, chunk_rows in enumerate(rows):
        tick = time.perf_counter()
        state, rng, loss = chunk(state, rng, chunk_rows, x, y)
        jax.block_until_ready((state, loss))
        elapsed += time.perf_counter() - tick
        loss = float(loss)
        if not np.isfinite(loss) or loss > run.max_loss:
            diverged = True
            break
        losses.append(loss)
        seconds.append(elapsed)
        if index in evaluated:
            value, correct = evaluate(state.params, *test)
            eval_steps.append((index + 1) * run.record_every)
            test_loss.append(float(value))
            accuracy.append(float(correct))
    steps = np.arange(1, len(losses) + 1, dtype=np.int64) * run.record_every
    return TrainingCurve(
        steps,
        np.array(losses, np.float64),
        np.array(seconds, np.float64),
        np.array(eval_steps, np.int64),
        np.array(test_loss, np.float64),
        np.array(accuracy, np.float64),
        diverged,
        compile_seconds,
    )


def tangent_rng(seed: int, distribution: str) -> jax.Array:
    """The PRNG key that tangents of ``distribution`` are drawn with: XLA's ``rbg`` generator for Rademacher
    tangents (the suite draws them as 32-bit words unpacked to signs, n/32 words, which ``rbg`` generates
    about 5x faster than threefry on a CPU), the default threefry key otherwise (``rbg`` is slower than
    threefry for the n words a Gaussian tangent needs on a CPU). Both are JAX's documented generators."""
    if distribution == "rademacher":
        return jax.random.key(int(seed), impl="rbg")
    return backend.make_rng(seed)
