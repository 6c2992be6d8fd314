"""Contract of minibatch training: ``implementations/<framework>/minibatch_training.py``.

Forward-gradient SGD against backprop SGD on minibatches of a classification data set, as Baydin et al.
2022 (*Gradients without Backpropagation*, arXiv 2202.08587, Sec. 5.2, Alg. 1) train their MNIST
classifiers: every step takes the next minibatch, gets a gradient from the source of
``run.descent.estimator`` (``forward``: the forward gradient (grad f . v) v of one or K tangents, by JVP or
finite difference; ``backprop``: reverse mode) and applies ``run.descent.optimizer``; with ``sgd`` and
``decay = k`` the step is ``theta <- theta - eta_t g`` with ``eta_t = eta_0 exp(-k t)`` (the paper's
protocol: eta_0 = 2e-4, k = 1e-4, batch 64 for the MLP). The step itself is
``implementations.<framework>.descent.step`` (the suite's one step), the model
:mod:`implementations.contracts.classifiers`.

Protocol of one run (what :class:`TrainingCurve` records):

- the minibatches are given (``batches[t]`` holds the row indices of step t, :func:`batch_order`), so
  the two methods, and the two frameworks, see the same data in the same order;
- steps run in chunks of ``record_every``; the training loss of a chunk is the mean of its minibatch
  losses, each evaluated at the parameters before that step's update (so no extra forward pass is
  spent); ``seconds`` is the cumulative wall-clock time of the training steps at each chunk's end, the
  device synchronised before the clock is read, compilation (timed apart as ``compile_seconds``) and
  evaluations excluded;
- the test loss and accuracy are evaluated ``evaluations`` times, evenly spaced over the chunks, the last
  after the final step, on the first ``eval_size`` test examples (all when 0);
- a chunk whose mean loss is not finite or exceeds ``max_loss`` ends the run (``diverged``); its
  remaining records are absent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import Protocol

import numpy as np

from implementations.contracts._common import require
from implementations.contracts.classifiers import (
    ClassifierSpec,
    init_params,
    logistic_regression,
    loss_numpy,
    mlp,
)
from implementations.contracts.descent import DescentConfig
from implementations.contracts.forward_gradient import EstimatorConfig
from implementations.contracts.optimizers import OptimizerConfig

ROLE = "method"

PAPER_LR = 2e-4
PAPER_DECAY = 1e-4
PAPER_BATCH = 64


@dataclass(frozen=True)
class TrainingRun:
    """One run's settings (see the module docstring)."""

    descent: DescentConfig
    batch: int = PAPER_BATCH
    steps: int = 1000
    record_every: int = 50
    evaluations: int = 1
    eval_size: int = 0
    max_loss: float = 1e3

    def __post_init__(self) -> None:
        if not isinstance(self.descent, DescentConfig):
            raise ValueError(f"descent={self.descent!r}; must be a DescentConfig")
        for name in ("batch", "steps", "record_every", "evaluations"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name}={value!r}; valid: an int >= 1")
        if self.steps % self.record_every:
            raise ValueError(f"steps={self.steps} is not a multiple of record_every={self.record_every}")
        if self.evaluations > self.steps // self.record_every:
            raise ValueError(f"evaluations={self.evaluations} exceeds the {self.steps // self.record_every} chunks")
        if not isinstance(self.eval_size, int) or self.eval_size < 0:
            raise ValueError(f"eval_size={self.eval_size!r}; valid: an int >= 0 (0: the whole test set)")
        if not self.max_loss > 0:
            raise ValueError(f"max_loss={self.max_loss}; must be > 0")

    @property
    def chunks(self) -> int:
        """Number of recorded chunks."""
        return self.steps // self.record_every

    def evaluated_chunks(self) -> np.ndarray:
        """Indices (0-based) of the chunks after which the test set is evaluated; the last is the final one."""
        return np.unique(np.round(np.arange(1, self.evaluations + 1) * self.chunks / self.evaluations).astype(int) - 1)


@dataclass(frozen=True, eq=False)
class ClassificationData:
    """Flat float32 inputs [N, d] and int labels [N] for training and test."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    def __post_init__(self) -> None:
        for split in ("train", "test"):
            x, y = getattr(self, f"x_{split}"), getattr(self, f"y_{split}")
            if np.ndim(x) != 2 or np.ndim(y) != 1 or len(x) != len(y) or len(x) == 0:
                raise ValueError(f"{split}: inputs {np.shape(x)} and labels {np.shape(y)}; valid: [N, d] and [N]")
        if np.shape(self.x_train)[1] != np.shape(self.x_test)[1]:
            raise ValueError("train and test inputs differ in width")


@dataclass(frozen=True)
class TrainingCurve:
    """What one run records (see the module docstring); arrays are float64 except the step counts."""

    steps: np.ndarray
    train_loss: np.ndarray
    seconds: np.ndarray
    eval_steps: np.ndarray
    test_loss: np.ndarray
    test_accuracy: np.ndarray
    diverged: bool
    compile_seconds: float = 0.0
    extra: dict = field(default_factory=dict)


def batch_order(seed: int, examples: int, batch: int, steps: int) -> np.ndarray:
    """[steps, batch] int64 row indices: consecutive epochs, each a fresh permutation of the examples cut into
    whole batches (a last partial batch of an epoch is dropped), drawn with NumPy from ``seed``."""
    if batch > examples:
        raise ValueError(f"batch={batch} exceeds the {examples} training examples")
    rng = np.random.default_rng(seed)
    per_epoch = examples // batch
    epochs = -(-steps // per_epoch)
    rows = [rng.permutation(examples)[: per_epoch * batch].reshape(per_epoch, batch) for _ in range(epochs)]
    return np.concatenate(rows)[:steps].astype(np.int64)


def check_data_and_batches(
    spec: ClassifierSpec, data: ClassificationData, run: TrainingRun, batches: np.ndarray
) -> None:
    """ValueError unless the data fit the classifier and ``batches`` is [run.steps, run.batch] of valid rows."""
    if np.shape(data.x_train)[1] != spec.inputs:
        raise ValueError(f"{spec.name}: inputs of width {np.shape(data.x_train)[1]}; valid: {spec.inputs}")
    if np.shape(batches) != (run.steps, run.batch):
        raise ValueError(f"batches of shape {np.shape(batches)}; valid: ({run.steps}, {run.batch})")
    if np.min(batches) < 0 or np.max(batches) >= len(data.x_train):
        raise ValueError("batches hold row indices outside the training set")


class MinibatchTrainingMethod(Protocol):
    """The NumPy-facing function of ``implementations/<framework>/minibatch_training.py``."""

    def train(
        self,
        spec: ClassifierSpec,
        params: list[np.ndarray],
        data: ClassificationData,
        run: TrainingRun,
        batches: np.ndarray,
        seed: int,
    ) -> TrainingCurve:
        """Train from ``params`` on ``batches`` (tangents from the framework's generator seeded with ``seed``)."""
        ...


PROTOCOL = MinibatchTrainingMethod


def sgd(source: str, learning_rate: float, decay: float, distribution: str = "gaussian", k: int = 1) -> DescentConfig:
    """Plain SGD with the schedule eta_0 exp(-decay t) fed by ``source`` (forward: K tangents by JVP)."""
    estimator = EstimatorConfig(source, distribution, k) if source != "backprop" else EstimatorConfig("backprop")
    return DescentConfig(estimator, OptimizerConfig("sgd", learning_rate, decay=decay))


def _toy_data(rng: np.random.Generator, inputs: int = 6, classes: int = 3) -> ClassificationData:
    centres = 2.0 * rng.standard_normal((classes, inputs))
    y = rng.integers(0, classes, 60)
    x = (centres[y] + rng.standard_normal((60, inputs))).astype(np.float32)
    return ClassificationData(x[:48], y[:48], x[48:], y[48:])


def _reference_sgd(
    spec: ClassifierSpec, params: list[np.ndarray], data: ClassificationData, run: TrainingRun, batches: np.ndarray
) -> np.ndarray:
    """Chunk-mean minibatch losses of backprop SGD on logistic regression in float64 (gradient of the mean
    cross-entropy: x'(softmax - onehot)/B)."""
    w, b = (p.astype(np.float64) for p in params)
    opt = run.descent.optimizer
    losses = []
    for t, rows in enumerate(batches):
        x, y = data.x_train[rows].astype(np.float64), data.y_train[rows]
        losses.append(loss_numpy(spec, [w, b], x, y))
        z = x @ w + b
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        p[np.arange(len(y)), y] -= 1.0
        lr = opt.learning_rate * np.exp(-opt.decay * t)
        w, b = w - lr * x.T @ p / len(y), b - lr * p.mean(axis=0)
    return np.array(losses).reshape(run.chunks, run.record_every).mean(axis=1)


def check_backprop_matches_reference(impl: ModuleType) -> None:
    """Backprop SGD with a decaying step on logistic regression records the chunk-mean losses of a float64
    NumPy SGD on the same batches (tolerance 1e-4: 12 float32 steps of a 21-parameter model, each off by a
    few eps relative; a wrong schedule, batch or loss order is off by >1e-2), at the right steps, with the
    test loss and accuracy of the final parameters and evaluations where promised."""
    rng = np.random.default_rng(11)
    spec = logistic_regression(6, 3)
    data = _toy_data(rng)
    params = init_params(spec, rng)
    run = TrainingRun(sgd("backprop", 0.5, 0.1), batch=4, steps=12, record_every=3, evaluations=2)
    batches = batch_order(3, len(data.x_train), run.batch, run.steps)
    curve = impl.train(spec, params, data, run, batches, 0)
    np.testing.assert_array_equal(curve.steps, [3, 6, 9, 12])
    np.testing.assert_allclose(curve.train_loss, _reference_sgd(spec, params, data, run, batches), rtol=0, atol=1e-4)
    require(curve.seconds.shape == (4,) and bool(np.all(np.diff(curve.seconds) >= 0)), f"seconds {curve.seconds}")
    np.testing.assert_array_equal(curve.eval_steps, (run.evaluated_chunks() + 1) * run.record_every)
    require(curve.test_loss.shape == (2,) and curve.test_accuracy.shape == (2,), "evaluations")
    require(0.0 <= float(curve.test_accuracy[-1]) <= 1.0 and not curve.diverged, "accuracy / diverged")


def check_forward_gradient_runs(impl: ModuleType) -> None:
    """Forward-gradient SGD: identical curves for the same seed, a loss that falls on an easy problem at a
    small step, and a run stopped as diverged at an absurd step."""
    rng = np.random.default_rng(12)
    spec = mlp(6, (5,), 3)
    data = _toy_data(rng)
    params = init_params(spec, rng)
    run = TrainingRun(sgd("forward", 0.02, 0.0, "rademacher"), batch=8, steps=60, record_every=20, evaluations=1)
    batches = batch_order(4, len(data.x_train), run.batch, run.steps)
    first, second = (impl.train(spec, params, data, run, batches, 5) for _ in range(2))
    np.testing.assert_array_equal(first.train_loss, second.train_loss)
    require(float(first.train_loss[-1]) < 0.8 * float(first.train_loss[0]), f"losses {first.train_loss}")
    wild = TrainingRun(sgd("forward", 1e6, 0.0, "gaussian"), batch=8, steps=40, record_every=20, max_loss=50.0)
    curve = impl.train(spec, params, data, wild, batches[: wild.steps], 5)
    require(curve.diverged and len(curve.train_loss) < wild.chunks, f"no divergence seen: {curve.train_loss}")


def check_frameworks_agree(impls: dict[str, ModuleType]) -> None:
    """Backprop training of a small MLP records the same losses in every framework (1e-4: float32 rounding
    over 20 steps of a smooth map)."""
    rng = np.random.default_rng(13)
    spec = mlp(6, (5, 4), 3)
    data = _toy_data(rng)
    params = init_params(spec, rng)
    run = TrainingRun(sgd("backprop", 0.1, 0.01), batch=8, steps=20, record_every=5, evaluations=2)
    batches = batch_order(6, len(data.x_train), run.batch, run.steps)
    curves = {name: impl.train(spec, params, data, run, batches, 0) for name, impl in impls.items()}
    first, *others = curves
    for other in others:
        for key in ("train_loss", "test_loss", "test_accuracy"):
            np.testing.assert_allclose(getattr(curves[other], key), getattr(curves[first], key), atol=1e-4, err_msg=key)


SINGLE_CHECKS = (check_backprop_matches_reference, check_forward_gradient_runs)
PARITY_CHECKS = (check_frameworks_agree,)
