"""MONK's problems 1-3 generated from their rules (Thrun et al. 1991, "The MONK's problems: a performance
comparison of different learning algorithms", CMU-CS-91-197; UCI "MONK's Problems").

Six attributes with 3, 3, 2, 3, 4, 2 values (numbered from 1) give 432 patterns, enumerated with a1
varying slowest. Rules:

- M1: ``a1 == a2 or a5 == 1``
- M2: exactly two of the six attributes take their first value (value 1)
- M3: ``(a5 == 3 and a4 == 1) or (a5 != 4 and a2 != 3)``, with 5% label noise in the training set

The training sets have the original sizes (124, 169, 122) and are drawn here, seeded and without
replacement, from the 432 patterns. The original UCI training subsets were drawn by the original authors
and are **not** reproduced exactly: only their sizes and rules are. M3's noise flips
``round(0.05 * 122) = 6`` training labels (the original also had 6 misclassified training examples); the
test set is all 432 patterns with clean labels for every problem. Inputs are the 17-dimensional one-hot
encoding (3+3+2+3+4+2); targets are float32 ``(n, 1)`` in {0, 1}. ``meta["train_indices"]`` lists which
of the 432 enumerated patterns form the training set and ``meta["noisy_train_positions"]`` which
training rows had their label flipped.
"""

from __future__ import annotations

import itertools

import numpy as np

from benchmarks.datasets.storage import DatasetFiles

ATTRIBUTE_VALUES: tuple[int, ...] = (3, 3, 2, 3, 4, 2)
TRAIN_SIZES: dict[int, int] = {1: 124, 2: 169, 3: 122}
NOISE_FRACTION: dict[int, float] = {1: 0.0, 2: 0.0, 3: 0.05}
SEEDS: dict[int, int] = {1: 19911, 2: 19912, 3: 19913}
N_FEATURES = sum(ATTRIBUTE_VALUES)

RULES: dict[int, str] = {
    1: "a1 == a2 or a5 == 1",
    2: "exactly two of a1..a6 equal 1",
    3: "(a5 == 3 and a4 == 1) or (a5 != 4 and a2 != 3)",
}


def all_attributes() -> np.ndarray:
    """The 432 attribute vectors (values from 1), int64 of shape (432, 6), a1 varying slowest."""
    grid = itertools.product(*(range(1, k + 1) for k in ATTRIBUTE_VALUES))
    return np.array(list(grid), dtype=np.int64)


def one_hot(attributes: np.ndarray) -> np.ndarray:
    """17-dimensional one-hot encoding of attribute vectors (values from 1), float32."""
    blocks = [np.eye(k, dtype=np.float32)[attributes[:, i] - 1] for i, k in enumerate(ATTRIBUTE_VALUES)]
    return np.concatenate(blocks, axis=1)


def monk_label(problem: int, attributes: np.ndarray) -> np.ndarray:
    """Clean class (0/1, int64) of each attribute vector under MONK's problem 1, 2 or 3."""
    a1, a2, _a3, a4, a5, _a6 = (attributes[:, i] for i in range(6))
    if problem == 1:
        label = (a1 == a2) | (a5 == 1)
    elif problem == 2:
        label = (attributes == 1).sum(axis=1) == 2
    elif problem == 3:
        label = ((a5 == 3) & (a4 == 1)) | ((a5 != 4) & (a2 != 3))
    else:
        raise ValueError(f"MONK's problem must be 1, 2 or 3, not {problem!r}")
    return label.astype(np.int64)


def monks(problem: int) -> DatasetFiles:
    """MONK's problem ``problem``: seeded training subset (with M3's label noise), all 432 as test."""
    attrs = all_attributes()
    clean = monk_label(problem, attrs)
    rng = np.random.default_rng(SEEDS[problem])
    n_train = TRAIN_SIZES[problem]
    train_idx = np.sort(rng.choice(len(attrs), size=n_train, replace=False))
    y_train = clean[train_idx].copy()
    n_noisy = round(NOISE_FRACTION[problem] * n_train)
    noisy = np.sort(rng.choice(n_train, size=n_noisy, replace=False)) if n_noisy else np.zeros(0, np.int64)
    y_train[noisy] = 1 - y_train[noisy]
    x_all = one_hot(attrs)
    arrays = {
        "x_train": x_all[train_idx],
        "y_train": y_train[:, None].astype(np.float32),
        "x_test": x_all,
        "y_test": clean[:, None].astype(np.float32),
    }
    meta = {
        "name": f"monks{problem}",
        "description": f"MONK's problem {problem}: class 1 iff {RULES[problem]}",
        "source": "Thrun et al. 1991, The MONK's problems, CMU-CS-91-197 (rules); subsets drawn here",
        "note": (
            "the original UCI training subset is not reproduced exactly (it was drawn by the original "
            "authors); this one has the original size and rule, drawn with numpy default_rng(seed).choice "
            "without replacement from the 432 patterns; test = all 432 with clean labels"
        ),
        "task_type": "binary_targets",
        "encoding": "17 one-hot inputs (3+3+2+3+4+2), a1 first; target in {0, 1}, shape (n, 1)",
        "attribute_values": list(ATTRIBUTE_VALUES),
        "pattern_order": "itertools.product over a1..a6 (values from 1), a1 slowest",
        "rule": RULES[problem],
        "n_inputs": N_FEATURES,
        "n_outputs": 1,
        "n_train": n_train,
        "n_test": len(attrs),
        "test_is_train": False,
        "seed": SEEDS[problem],
        "train_indices": [int(i) for i in train_idx],
        "label_noise_fraction": NOISE_FRACTION[problem],
        "noisy_train_positions": [int(i) for i in noisy],
        "n_noisy_train": int(n_noisy),
        "n_positive_test": int(clean.sum()),
    }
    return DatasetFiles(f"monks{problem}", arrays, meta)
