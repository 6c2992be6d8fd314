"""Boolean benchmark tasks generated from their definitions (the Alopex experiments, claims.md section 1).

Every task except temporal XOR enumerates all of its input patterns, so the test set *is* the training set
(``meta["test_is_train"] = True``; only ``x_train``/``y_train`` are written). Inputs and targets are
float32 in {0, 1}; targets are 2-D ``(n_patterns, n_outputs)`` vectors, the output layer of the net.
Patterns are listed in binary counting order, first input bit most significant.

- XOR (2-2-1) and N-bit parity (N-N-1): target 1 iff an odd number of inputs are 1
  (Rumelhart, Hinton & Williams 1986, "Learning internal representations by error propagation", PDP vol. 1).
- N-H-N encoders: the N one-hot patterns mapped to themselves through H = log2(N) hidden units
  (Ackley, Hinton & Sejnowski 1985, "A learning algorithm for Boltzmann machines", Cognitive Science 9).
- 6-bit mirror symmetry (6-2-1): target 1 iff the pattern reads the same reversed (Rumelhart et al. 1986).
- Temporal XOR (Elman 1990, "Finding structure in time", Cognitive Science 14): a bit stream made of
  triplets (a, b, a XOR b); the net reads one bit per step and predicts the next, and only every third
  target (the XOR bit) is predictable.
"""

from __future__ import annotations

import numpy as np

from benchmarks.datasets.storage import DatasetFiles

PARITY_SIZES: tuple[int, ...] = (2, 3, 4, 5, 6, 7, 8)
ENCODER_SIZES: tuple[tuple[int, int], ...] = ((4, 2), (8, 3), (16, 4), (32, 5))
SYMMETRY_BITS = 6
TEMPORAL_XOR_TRIPLETS = (3000, 1000)  # train, test
TEMPORAL_XOR_SEEDS = (1990, 1991)  # train, test (Elman 1990); independent streams

_RUMELHART = "Rumelhart, Hinton & Williams 1986, Learning internal representations by error propagation"


def all_patterns(n_bits: int) -> np.ndarray:
    """All ``2**n_bits`` binary patterns as float32 rows (counting order, first bit most significant)."""
    codes = np.arange(2**n_bits, dtype=np.int64)[:, None]
    shifts = np.arange(n_bits - 1, -1, -1, dtype=np.int64)[None, :]
    return ((codes >> shifts) & 1).astype(np.float32)


def _boolean_meta(name: str, x: np.ndarray, y: np.ndarray, description: str, source: str, **extra: object) -> dict:
    meta: dict = {
        "name": name,
        "description": description,
        "source": source,
        "task_type": "binary_targets",
        "encoding": "inputs and targets in {0, 1}",
        "n_inputs": int(x.shape[1]),
        "n_outputs": int(y.shape[1]),
        "n_train": int(x.shape[0]),
        "n_test": int(x.shape[0]),
        "test_is_train": True,
    }
    meta.update(extra)
    return meta


def parity(n_bits: int, name: str | None = None) -> DatasetFiles:
    """N-bit parity over all ``2**n_bits`` patterns: target 1 iff the number of ones is odd."""
    x = all_patterns(n_bits)
    y = (x.sum(axis=1, keepdims=True) % 2).astype(np.float32)
    name = name or f"parity{n_bits}"
    meta = _boolean_meta(
        name,
        x,
        y,
        f"{n_bits}-bit parity, all {2**n_bits} patterns; target = XOR of all inputs",
        _RUMELHART,
        suggested_architecture=f"{n_bits}-{n_bits}-1",
    )
    return DatasetFiles(name, {"x_train": x, "y_train": y}, meta)


def xor() -> DatasetFiles:
    """XOR: the 4 two-bit patterns; identical to ``parity(2)`` under the name ``xor``."""
    files = parity(2, name="xor")
    files.meta.update(description="XOR, all 4 patterns", suggested_architecture="2-2-1")
    return files


def encoder(n: int, hidden: int) -> DatasetFiles:
    """N-H-N encoder: the N one-hot patterns, each its own target."""
    x = np.eye(n, dtype=np.float32)
    name = f"encoder_{n}_{hidden}_{n}"
    meta = _boolean_meta(
        name,
        x,
        x,
        f"{n}-{hidden}-{n} encoder: one-hot identity mapping through {hidden} hidden units",
        "Ackley, Hinton & Sejnowski 1985, A learning algorithm for Boltzmann machines",
        hidden_units=hidden,
        suggested_architecture=f"{n}-{hidden}-{n}",
    )
    return DatasetFiles(name, {"x_train": x, "y_train": x.copy()}, meta)


def symmetry(n_bits: int = SYMMETRY_BITS) -> DatasetFiles:
    """Mirror symmetry over all ``2**n_bits`` patterns: target 1 iff the pattern is a palindrome."""
    x = all_patterns(n_bits)
    y = np.all(x == x[:, ::-1], axis=1, keepdims=True).astype(np.float32)
    name = f"symmetry{n_bits}"
    meta = _boolean_meta(
        name,
        x,
        y,
        f"{n_bits}-bit mirror symmetry, all {2**n_bits} patterns; target 1 iff palindrome",
        _RUMELHART,
        suggested_architecture=f"{n_bits}-2-1",
        n_positive=int(y.sum()),
    )
    return DatasetFiles(name, {"x_train": x, "y_train": y}, meta)


def temporal_xor_stream(n_triplets: int, seed: int) -> np.ndarray:
    """A bit stream of ``n_triplets`` triplets (a, b, a XOR b), a and b fair coin flips from ``seed``."""
    rng = np.random.default_rng(seed)
    ab = rng.integers(0, 2, size=(n_triplets, 2), dtype=np.int64)
    triplets = np.concatenate([ab, ab[:, :1] ^ ab[:, 1:]], axis=1)
    return triplets.reshape(-1)


def temporal_xor_predictable_mask(n_steps: int) -> np.ndarray:
    """Boolean mask over time steps t of a temporal-XOR sequence: True where ``y[t]`` is predictable.

    ``y[t]`` is stream bit ``t + 1``; it is the XOR bit (a deterministic function of ``x[t-1]`` and
    ``x[t]``) exactly when ``t % 3 == 1``.
    """
    return np.arange(n_steps) % 3 == 1


def temporal_xor() -> DatasetFiles:
    """Next-bit prediction on seeded temporal-XOR streams: ``x[t]`` = bit t, ``y[t]`` = bit t + 1.

    Each split is generated as ``n + 1`` triplets and cut to ``3 n`` steps, so every target exists.
    Arrays are float32 of shape ``(3 n, 1)`` (time, feature); train and test are independent streams.
    """
    arrays: dict[str, np.ndarray] = {}
    for split, n, seed in zip(("train", "test"), TEMPORAL_XOR_TRIPLETS, TEMPORAL_XOR_SEEDS, strict=True):
        stream = temporal_xor_stream(n + 1, seed)
        arrays[f"x_{split}"] = stream[: 3 * n, None].astype(np.float32)
        arrays[f"y_{split}"] = stream[1 : 3 * n + 1, None].astype(np.float32)
    n_train, n_test = (3 * n for n in TEMPORAL_XOR_TRIPLETS)
    meta = {
        "name": "temporal_xor",
        "description": (
            "Temporal XOR: a stream of triplets (a, b, a XOR b) with a, b fair coin flips; the net reads one "
            "bit per step (x[t] = bit t) and predicts the next (y[t] = bit t+1)"
        ),
        "source": "Elman 1990, Finding structure in time, Cognitive Science 14:179-211",
        "task_type": "sequence_next_bit",
        "encoding": "inputs and targets in {0, 1}, shape (time, 1)",
        "n_inputs": 1,
        "n_outputs": 1,
        "n_train": n_train,
        "n_test": n_test,
        "test_is_train": False,
        "triplets": {"train": TEMPORAL_XOR_TRIPLETS[0], "test": TEMPORAL_XOR_TRIPLETS[1]},
        "seeds": {"train": TEMPORAL_XOR_SEEDS[0], "test": TEMPORAL_XOR_SEEDS[1]},
        "rng": "numpy.random.default_rng(seed).integers(0, 2, size=(n_triplets + 1, 2))",
        "period": 3,
        "predictable_targets": "y[t] for t % 3 == 1 (the XOR bit of each triplet)",
        "predictable_offset": 1,
        "suggested_architecture": "1-2-1 recurrent (Elman net)",
    }
    return DatasetFiles("temporal_xor", arrays, meta)
