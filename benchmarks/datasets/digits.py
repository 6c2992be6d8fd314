"""scikit-learn's bundled 8x8 handwritten digits (``sklearn.datasets.load_digits``; offline).

Source: the test part of the UCI "Optical Recognition of Handwritten Digits" data (Alpaydin & Kaynak 1998),
1797 images of 8x8 pixels with values 0..16. Built here as a fixed stratified split of 1437 train / 360
test (``sklearn.model_selection.train_test_split(..., test_size=360, stratify=y, random_state=0)``; the
indices are then sorted so rows keep the source order). ``x`` is float32 of shape (n, 64), row-major 8x8
pixels divided by 16 (exact in float32), ``y`` int64 class labels 0..9.
"""

from __future__ import annotations

import numpy as np

from benchmarks.datasets.storage import DatasetFiles

N_TEST = 360
SPLIT_SEED = 0


def digits() -> DatasetFiles:
    """Build the digits dataset (see module docstring)."""
    import sklearn
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    bunch = load_digits()
    x = (np.asarray(bunch.data, dtype=np.float64) / 16.0).astype(np.float32)
    y = np.asarray(bunch.target, dtype=np.int64)
    train_idx, test_idx = train_test_split(np.arange(len(y)), test_size=N_TEST, stratify=y, random_state=SPLIT_SEED)
    train_idx, test_idx = np.sort(train_idx), np.sort(test_idx)
    meta = {
        "name": "digits",
        "description": "8x8 handwritten digits, 10 classes, pixels scaled to [0, 1] (value / 16)",
        "source": (
            "sklearn.datasets.load_digits (bundled copy of the UCI Optical Recognition of Handwritten Digits "
            "test set, Alpaydin & Kaynak 1998)"
        ),
        "generator": {"scikit-learn": sklearn.__version__, "numpy": np.__version__},
        "task_type": "classification",
        "n_classes": 10,
        "image_shape": [8, 8],
        "n_inputs": 64,
        "n_train": len(train_idx),
        "n_test": len(test_idx),
        "test_is_train": False,
        "split": f"train_test_split(test_size={N_TEST}, stratify=y, random_state={SPLIT_SEED}), sorted",
        "dtypes": {"x": "float32", "y": "int64"},
    }
    arrays = {"x_train": x[train_idx], "y_train": y[train_idx], "x_test": x[test_idx], "y_test": y[test_idx]}
    return DatasetFiles("digits", arrays, meta)
