"""Build every built-in dataset into ``datasets/`` (one subfolder each), deterministically and offline.

Each folder holds ``x_train.npy``, ``y_train.npy`` (and ``x_test.npy``, ``y_test.npy`` unless the test set
is the training set) written by ``np.save``, plus ``meta.json`` with sorted keys. Running the build twice
gives identical bytes; files whose bytes are unchanged are not rewritten.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from benchmarks.datasets.registry import DATASET_NAMES, builders
from benchmarks.datasets.storage import write_dataset
from benchmarks.paths import DATASETS_DIR


def build_datasets(root: Path = DATASETS_DIR, names: Iterable[str] | None = None) -> list[Path]:
    """Write the named datasets (default: all) under ``root``; returns every written file path, sorted.

    Idempotent: a second run rewrites nothing and leaves identical bytes. Files inside a dataset folder
    that the builder does not produce are removed; other folders under ``root`` are left alone (and are
    reported as unexpected by verification).
    """
    table = builders()
    selected = list(DATASET_NAMES) if names is None else list(names)
    unknown = [n for n in selected if n not in table]
    if unknown:
        raise ValueError(f"unknown dataset(s) {unknown}; valid names: {', '.join(DATASET_NAMES)}")
    root.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name in selected:
        files = table[name]()
        if files.name != name:
            raise AssertionError(f"builder for {name!r} returned dataset named {files.name!r}")
        written += write_dataset(files, root / name)
    return sorted(written)
