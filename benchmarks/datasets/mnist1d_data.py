"""MNIST-1D generated locally from the ``mnist1d`` package's templates (Greydanus 2020, "Scaling down deep
learning", arXiv 2011.14439).

Uses only ``mnist1d.data.make_dataset(mnist1d.data.get_dataset_args())`` -- the package's own generator
with its default arguments (5000 samples, seed 42, 80/20 split, 40-point sequences) -- never its
``get_dataset`` path, which downloads a pickle. The generator seeds NumPy's and Python's *global* RNGs; both
states are saved and restored around the call so building has no side effect on the caller.

The generator returns float64; ``x`` is stored as float32 (the dtype every model here trains in; the cast
loses nothing the models could use) and ``y`` as int64 labels 0..9: 4000 train and 1000 test rows of 40.
"""

from __future__ import annotations

import random

import numpy as np

from benchmarks.datasets.storage import DatasetFiles


def mnist1d() -> DatasetFiles:
    """Build MNIST-1D from the package's templates with its default arguments (see module docstring)."""
    import mnist1d as mnist1d_pkg
    import mnist1d.data as mnist1d_data
    import scipy

    args = mnist1d_data.get_dataset_args()
    np_state, py_state = np.random.get_state(), random.getstate()
    try:
        data = mnist1d_data.make_dataset(args)
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)
    arrays = {
        "x_train": np.asarray(data["x"], dtype=np.float32),
        "y_train": np.asarray(data["y"], dtype=np.int64),
        "x_test": np.asarray(data["x_test"], dtype=np.float32),
        "y_test": np.asarray(data["y_test"], dtype=np.int64),
    }
    args_dict = {k: v for k, v in vars(args).items() if k != "url"}
    meta = {
        "name": "mnist1d",
        "description": "MNIST-1D: 10 classes of 1-D signals of length 40, from the package's templates",
        "source": ("mnist1d.data.make_dataset(mnist1d.data.get_dataset_args()); Greydanus 2020, arXiv 2011.14439"),
        "generator": {
            "mnist1d": getattr(mnist1d_pkg, "__version__", _dist_version("mnist1d")),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
        },
        "generator_args": args_dict,
        "task_type": "classification",
        "n_classes": 10,
        "n_inputs": int(arrays["x_train"].shape[1]),
        "n_train": int(arrays["x_train"].shape[0]),
        "n_test": int(arrays["x_test"].shape[0]),
        "test_is_train": False,
        "dtypes": {"x": "float32 (cast from the generator's float64)", "y": "int64"},
    }
    return DatasetFiles("mnist1d", arrays, meta)


def _dist_version(dist: str) -> str:
    from importlib.metadata import version

    return version(dist)
