"""Built-in datasets: deterministic offline builders, a NumPy loader, and pinning by ``datasets.dvc``.

    from benchmarks.datasets import load_dataset
    ds = load_dataset("monks3")          # Dataset(name, x_train, y_train, x_test, y_test, meta)

Build with ``nobp datasets build``; check with ``nobp datasets verify``.
"""

from __future__ import annotations

from benchmarks.datasets.build import build_datasets
from benchmarks.datasets.load import Dataset, DatasetNotBuiltError, load_dataset
from benchmarks.datasets.manifest import DatasetMismatchError, verify_datasets
from benchmarks.datasets.registry import DATASET_NAMES

__all__ = [
    "DATASET_NAMES",
    "Dataset",
    "DatasetMismatchError",
    "DatasetNotBuiltError",
    "build_datasets",
    "load_dataset",
    "verify_datasets",
]
