"""Load a built dataset from ``datasets/<name>/`` as NumPy arrays (no framework imports)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.datasets.registry import DATASET_NAMES
from benchmarks.datasets.storage import ARRAY_SUFFIX, META_FILE
from benchmarks.paths import DATASETS_DIR

BUILD_COMMAND = "nobp datasets build"


class DatasetNotBuiltError(FileNotFoundError):
    """The dataset folder (or one of its files) does not exist: the datasets have not been built."""


@dataclass(frozen=True)
class Dataset:
    """One dataset's arrays and metadata. For the Boolean tasks the test arrays are the training arrays."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)


def _load_array(path: Path, name: str) -> np.ndarray:
    if not path.is_file():
        raise DatasetNotBuiltError(
            f"dataset {name!r}: file {path} is missing. Build the datasets with `{BUILD_COMMAND}`."
        )
    return np.load(path, allow_pickle=False)


def load_dataset(name: str, root: Path = DATASETS_DIR) -> Dataset:
    """Load dataset ``name`` (one of :data:`DATASET_NAMES`) from ``root / name``.

    Raises ``ValueError`` for an unknown name (listing the valid ones) and :class:`DatasetNotBuiltError`
    (a ``FileNotFoundError``) when the folder or a file is missing, telling the user to run the build.
    """
    if name not in DATASET_NAMES:
        raise ValueError(f"unknown dataset {name!r}; valid names: {', '.join(DATASET_NAMES)}")
    folder = Path(root) / name
    if not folder.is_dir():
        raise DatasetNotBuiltError(
            f"dataset {name!r} not found at {folder}. Build the datasets with `{BUILD_COMMAND}` "
            "(or `python -m benchmarks.datasets.cli build`)."
        )
    meta_path = folder / META_FILE
    if not meta_path.is_file():
        raise DatasetNotBuiltError(f"dataset {name!r}: {meta_path} is missing. Rebuild with `{BUILD_COMMAND}`.")
    meta = json.loads(meta_path.read_text())
    if meta.get("format") == "idx":
        return _load_idx_dataset(name, folder, meta)
    x_train = _load_array(folder / f"x_train{ARRAY_SUFFIX}", name)
    y_train = _load_array(folder / f"y_train{ARRAY_SUFFIX}", name)
    if meta.get("test_is_train"):
        x_test, y_test = x_train, y_train
    else:
        x_test = _load_array(folder / f"x_test{ARRAY_SUFFIX}", name)
        y_test = _load_array(folder / f"y_test{ARRAY_SUFFIX}", name)
    return Dataset(name, x_train, y_train, x_test, y_test, meta)


def _load_idx_dataset(name: str, folder: Path, meta: dict[str, Any]) -> Dataset:
    """A dataset stored as the four MNIST IDX files, read by the one IDX loader (hash-checked against the
    SHA-256 values in ``meta.json``, which the builder only writes when they equal the published originals)."""
    from benchmarks.datasets.idx import load_mnist

    try:
        ds = load_mnist(folder, meta["idx_sha256"], name=name)
    except FileNotFoundError as err:
        raise DatasetNotBuiltError(f"dataset {name!r}: {err}. Rebuild with `{BUILD_COMMAND}`.") from err
    return Dataset(name, ds.x_train, ds.y_train, ds.x_test, ds.y_test, {**ds.meta, **meta})
