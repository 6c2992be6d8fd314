"""Data sets, networks and seeds the study's experiments share (framework-neutral).

- Data: :func:`load_data` reads a data set through :func:`benchmarks.datasets.load_dataset` (``mnist``: the
  suite's IDX files, 60k/10k, SHA-256 checked; ``digits`` and ``mnist1d`` are the smaller stand-ins a
  profile may choose) as flat float32 rows and int labels.
- Networks: :func:`network` builds the :class:`~implementations.contracts.classifiers.ClassifierSpec` of a
  model name for a data set's input width (the CNN needs a square image: MNIST 28x28, digits 8x8).
- Seeds: a run's seed derives from the root seed, the experiment, the model and the run index only, so the
  forward-gradient and the backprop run with the same index start from the same parameters and see the
  same minibatches (paired); tangents get a seed derived further with the framework and the method.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from benchmarks.datasets import load_dataset
from benchmarks.seeding import derive_seed
from implementations.contracts.classifiers import ClassifierSpec, deep_mlp, logistic_regression, mlp, paper_cnn
from implementations.contracts.minibatch_training import ClassificationData

CLASSES = 10
FORWARD = "forward_gradient"
BACKPROP = "backprop"
METHODS = (FORWARD, BACKPROP)


@cache
def load_data(name: str) -> ClassificationData:
    """The data set ``name`` as flat float32 rows in [0, 1] (MNIST-1D: its own scale) and int64 labels."""
    data = load_dataset(name)
    flat = [np.ascontiguousarray(np.asarray(x, np.float32).reshape(len(x), -1)) for x in (data.x_train, data.x_test)]
    return ClassificationData(flat[0], np.asarray(data.y_train, np.int64), flat[1], np.asarray(data.y_test, np.int64))


def network(model: str, inputs: int, networks: object) -> ClassifierSpec:
    """``logreg``, ``mlp`` (hidden widths ``networks.hidden``) or ``cnn`` (``networks.channels``,
    ``networks.fc``) for inputs of width ``inputs``."""
    if model == "logreg":
        return logistic_regression(inputs, CLASSES)
    if model == "mlp":
        return mlp(inputs, tuple(networks.hidden), CLASSES)
    if model == "cnn":
        return paper_cnn(inputs, CLASSES, networks.channels, networks.fc)
    raise ValueError(f"model {model!r}; valid: logreg, mlp, cnn")


def depth_network(inputs: int, depth: int, width: int) -> ClassifierSpec:
    """An MLP with ``depth`` hidden layers of ``width`` units."""
    return deep_mlp(inputs, depth, width, CLASSES)


def task_name(spec: ClassifierSpec, dataset: str, batch: int | None = None) -> str:
    """'mlp_784-1024-1024-10 on mnist' (', batch 64' when given): the task column names the data set."""
    return f"{spec.name} on {dataset}" + (f", batch {batch}" if batch is not None else "")


def fixed_batch(data: ClassificationData, batch: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A minibatch of real training examples (rows drawn without replacement from ``seed``)."""
    rows = np.random.default_rng(seed).choice(len(data.x_train), size=min(batch, len(data.x_train)), replace=False)
    if batch > len(rows):
        rows = np.resize(rows, batch)
    return data.x_train[rows], data.y_train[rows]


def run_seed(root: int, experiment: str, model: str, index: int) -> int:
    """Seed of paired run ``index``: initial parameters and minibatch order (shared by both methods)."""
    return derive_seed(root, experiment, model, index)


def tangent_seed(seed: int, framework: str, method: str, lr: float) -> int:
    """Seed of the tangents of one run."""
    return derive_seed(seed, framework, method, repr(float(lr)), "tangents")
