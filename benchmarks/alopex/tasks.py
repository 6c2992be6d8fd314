"""The study's problems as nets and data: the Boolean problems, MONK's problems and temporal XOR.

Architectures follow Unnikrishnan & Venugopal 1994 and the classic benchmarks they used: XOR 2-2-1, N-bit
parity N-N-1, the N-log2(N)-N encoders, 6-bit mirror symmetry 6-2-1 (Rumelhart, Hinton & Williams 1986),
MONK's problems 17-h-1 (Thrun et al. 1991), and an Elman (1990) net on temporal XOR. Data come from the
datasets stage (``datasets/<name>``), never generated here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from benchmarks.datasets.boolean import temporal_xor_predictable_mask
from benchmarks.datasets.load import load_dataset
from implementations.contracts.small_nets import NetSpec, TrainingData

BOOLEAN_LAYERS: dict[str, tuple[int, ...]] = {
    "xor": (2, 2, 1),
    **{f"parity{n}": (n, n, 1) for n in range(3, 7)},
    "encoder_4_2_4": (4, 2, 4),
    "encoder_8_3_8": (8, 3, 8),
    "encoder_16_4_16": (16, 4, 16),
    "encoder_32_5_32": (32, 5, 32),
    "symmetry6": (6, 2, 1),
}
"""Layer widths (inputs, hidden, outputs) of each Boolean problem's net."""

MONKS_PROBLEMS: tuple[str, ...] = ("monks1", "monks2", "monks3")


@dataclass(frozen=True)
class Task:
    """One problem: its net, its training data (with the success criterion) and, where it has one, a test set."""

    name: str
    net: NetSpec
    train: TrainingData
    test: TrainingData | None = None


def boolean_task(
    name: str, margin: float, hidden: str = "sigmoid", output: str = "sigmoid", error: str = "squared"
) -> Task:
    """A Boolean problem on all its patterns (training set = test set)."""
    if name not in BOOLEAN_LAYERS:
        raise ValueError(f"unknown Boolean task {name!r}; valid: {', '.join(BOOLEAN_LAYERS)}")
    data = load_dataset(name)
    net = NetSpec("mlp", BOOLEAN_LAYERS[name], hidden=hidden, output=output, error=error)
    return Task(name, net, TrainingData(data.x_train, data.y_train, margin=margin))


def monks_task(name: str, hidden_units: int, margin: float) -> Task:
    """A MONK's problem: the training subset, and all 432 patterns (clean labels) as the test set."""
    if name not in MONKS_PROBLEMS:
        raise ValueError(f"unknown MONK's problem {name!r}; valid: {', '.join(MONKS_PROBLEMS)}")
    data = load_dataset(name)
    net = NetSpec("mlp", (data.x_train.shape[1], hidden_units, 1))
    return Task(
        name,
        net,
        TrainingData(data.x_train, data.y_train, margin=margin),
        TrainingData(data.x_test, data.y_test, margin=margin),
    )


def temporal_xor_task(hidden_units: int, window: int, windows: int, test_steps: int, margin: float) -> Task:
    """Elman's temporal XOR: ``windows`` training sequences of ``window`` steps cut from the start of the
    training stream (each starts on a triplet boundary, so every predictable bit has its two inputs in the
    same sequence); the test set is the first ``test_steps`` of the independent held-out stream, one sequence.
    The error and the criterion count only the predictable targets (every third bit)."""
    data = load_dataset("temporal_xor")
    needed = window * windows
    if needed > len(data.x_train):
        raise ValueError(f"window * windows = {needed} exceeds the training stream ({len(data.x_train)} steps)")
    if test_steps > len(data.x_test):
        raise ValueError(f"test_steps = {test_steps} exceeds the held-out stream ({len(data.x_test)} steps)")
    mask = np.broadcast_to(temporal_xor_predictable_mask(window), (windows, window)).copy()
    train = TrainingData(
        data.x_train[:needed].reshape(windows, window, 1),
        data.y_train[:needed].reshape(windows, window, 1),
        mask=mask,
        margin=margin,
    )
    test = TrainingData(
        data.x_test[None, :test_steps],
        data.y_test[None, :test_steps],
        mask=temporal_xor_predictable_mask(test_steps)[None, :],
        margin=margin,
    )
    return Task("temporal_xor", NetSpec("elman", (1, hidden_units, 1)), train, test)


def weight_count(name: str) -> int:
    """Weights and biases of a Boolean problem's net (no data needed)."""
    return NetSpec("mlp", BOOLEAN_LAYERS[name]).num_params
