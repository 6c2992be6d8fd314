"""The study's tasks, built framework-neutrally: data, starting points and tangents are NumPy arrays drawn from
the root seed and the task's names, so both frameworks see the same numbers (only the tangents drawn inside a
trainer or sampler come from each framework's own generator).

- ``rosenbrock_n<d>``: Rosenbrock (Baydin et al. 2022's test function) at a seeded point 0.5 N(0, I);
- ``sigmoid_net_<layers>_digits<B>``: the smooth twin of a step net, sigmoid units with squared error on
  one-hot targets, on the first B digits training images, at a LeCun-normal start;
- ``<task>_<in>-<hidden>-1``: a Heaviside net on a Boolean task (XOR, parity), all patterns;
- ``binary_<in>-<hidden>-10_digits``: a sign-weight net on scikit-learn's digits (train/test split as built);
- ``mlp_<layers>_digits<B>``: the ReLU MLP whose layers B5 perturbs (objective ``mlp`` of the specs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from benchmarks.datasets import load_dataset
from benchmarks.seeding import derive_seed
from implementations.contracts.discrete_nets import BinaryNet, Labeled, Patterns, StepNet
from implementations.specs import ObjectiveSpec, mlp_init_flat, mlp_num_params

CLASSES = 10


def widths(layers: tuple[int, ...] | list[int]) -> str:
    """'64-16-10'."""
    return "-".join(str(w) for w in layers)


def digits_batch(batch: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``batch`` digits training images (float32 [B, 64], pixels in [0, 1]) and labels (int64 [B])."""
    data = load_dataset("digits")
    return data.x_train[:batch].reshape(batch, -1).astype(np.float32), data.y_train[:batch].astype(np.int64)


@dataclass(frozen=True)
class AgreementTask:
    """A smooth loss on which finite differences are compared with the JVP: an objective of the specs
    (``spec``) or a sigmoid net (``net`` with ``data``), at ``theta``."""

    name: str
    theta: np.ndarray
    spec: ObjectiveSpec | None = None
    net: StepNet | None = None
    data: Patterns | None = None

    @property
    def dim(self) -> int:
        return int(self.theta.size)


def agreement_tasks(rosenbrock_dim: int, net_layers: list[int], batch: int, root_seed: int) -> list[AgreementTask]:
    """Rosenbrock and the sigmoid net on digits."""
    point = np.random.default_rng(derive_seed(root_seed, "forward_variants", "rosenbrock", rosenbrock_dim))
    rosen = ObjectiveSpec("rosenbrock", rosenbrock_dim)
    layers = tuple(net_layers)
    x, y = digits_batch(batch)
    rng = np.random.default_rng(derive_seed(root_seed, "forward_variants", "sigmoid_net", widths(layers), batch))
    net = StepNet(layers, "sigmoid")
    data = Patterns(x, np.eye(CLASSES, dtype=np.float32)[y])
    return [
        AgreementTask(
            f"rosenbrock_n{rosenbrock_dim}",
            (0.5 * point.standard_normal(rosenbrock_dim)).astype(np.float32),
            spec=rosen,
        ),
        AgreementTask(f"sigmoid_net_{widths(layers)}_digits{batch}", mlp_init_flat(layers, rng), net=net, data=data),
    ]


def boolean_task(task: str, hidden: int) -> tuple[str, StepNet, Patterns]:
    """(name, Heaviside net inputs-hidden-outputs, all patterns) of a Boolean task."""
    data = load_dataset(task)
    patterns = Patterns(data.x_train, data.y_train)
    net = StepNet((patterns.inputs.shape[1], hidden, patterns.targets.shape[1]), "heaviside")
    return f"{task}_{widths(net.layers)}", net, patterns


def digits_split() -> tuple[Labeled, Labeled]:
    """Training and test sets of scikit-learn's digits, as built (1437 / 360 images)."""
    data = load_dataset("digits")
    flat = lambda x: x.reshape(len(x), -1)  # noqa: E731
    return Labeled(flat(data.x_train), data.y_train), Labeled(flat(data.x_test), data.y_test)


def binary_net(hidden: int) -> tuple[str, BinaryNet]:
    """(name, 64-hidden-10 sign-weight net)."""
    net = BinaryNet((64, hidden, CLASSES))
    return f"binary_{widths(net.layers)}_digits", net


def minibatches(rng: np.random.Generator, runs: int, steps: int, batch: int, size: int) -> np.ndarray:
    """int64 [runs, steps, batch]: per run, epochs of a fresh permutation of ``size`` indices, cut into
    minibatches of ``batch`` (the tail of an epoch that does not fill a minibatch is dropped)."""
    per_epoch = size // batch
    epochs = -(-steps // per_epoch)
    out = np.empty((runs, epochs * per_epoch, batch), np.int64)
    for r in range(runs):
        order = np.concatenate([rng.permutation(size)[: per_epoch * batch] for _ in range(epochs)])
        out[r] = order.reshape(-1, batch)
    return out[:, :steps]


def perturbation_task(layers: list[int], batch: int, root_seed: int) -> tuple[str, ObjectiveSpec, np.ndarray]:
    """(name, ReLU MLP objective on a digits batch, LeCun-normal point)."""
    layers_t = tuple(layers)
    x, y = digits_batch(batch)
    spec = ObjectiveSpec("mlp", mlp_num_params(layers_t), layers_t, x, y)
    rng = np.random.default_rng(derive_seed(root_seed, "forward_variants", "perturbation", widths(layers_t), batch))
    return f"mlp_{widths(layers_t)}_digits{batch}", spec, mlp_init_flat(layers_t, rng)
