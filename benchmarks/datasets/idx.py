"""Loader for the IDX files of real MNIST (LeCun, Bottou, Bengio & Haffner 1998; format described at
yann.lecun.com/exdb/mnist), plain or gzip-compressed, verified by SHA-256.

IDX layout: two zero bytes, a type code (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32,
0x0E float64), the number of dimensions, then one big-endian uint32 per dimension, then the data in
big-endian C order.

Real MNIST is not part of the default build: the user brings the four files. The published SHA-256 values
are **not** hard-coded here (we could not confirm them from a source we trust offline, and an invented hash
would be worse than none): the caller supplies the expected hash of each file *as it is on disk* (the
``.gz`` bytes for a compressed file), e.g. from a config file, and every load checks it.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from benchmarks.datasets.load import Dataset

IDX_TYPES: dict[int, str] = {0x08: "u1", 0x09: "i1", 0x0B: "i2", 0x0C: "i4", 0x0D: "f4", 0x0E: "f8"}
GZIP_MAGIC = b"\x1f\x8b"
MNIST_FILES: tuple[str, ...] = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


class IdxFormatError(ValueError):
    """An IDX file has a malformed header or a size that does not match its header."""


class IdxHashMismatchError(ValueError):
    """An IDX file's SHA-256 differs from the expected value."""


def parse_idx(data: bytes, source: str = "<bytes>") -> np.ndarray:
    """Parse uncompressed IDX bytes into a native-byte-order array; ``source`` names the file in errors."""
    if len(data) < 4:
        raise IdxFormatError(f"{source}: too short for an IDX header ({len(data)} bytes)")
    zero0, zero1, code, ndim = data[:4]
    if zero0 != 0 or zero1 != 0 or code not in IDX_TYPES or ndim == 0:
        raise IdxFormatError(
            f"{source}: bad IDX magic number 0x{data[:4].hex()} (expected 0x0000TTNN with type TT in "
            f"{{{', '.join(f'{c:02x}' for c in IDX_TYPES)}}} and NN >= 1 dimensions)"
        )
    header_len = 4 + 4 * ndim
    if len(data) < header_len:
        raise IdxFormatError(f"{source}: header declares {ndim} dimensions but the file ends at {len(data)} bytes")
    dims = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    dtype = np.dtype(">" + IDX_TYPES[code])
    expected = int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    payload = len(data) - header_len
    if payload != expected:
        raise IdxFormatError(
            f"{source}: header says shape {dims} of {dtype.name} ({expected} data bytes) but the file has "
            f"{payload} data bytes"
        )
    array = np.frombuffer(data, dtype=dtype, offset=header_len).reshape(dims)
    return array.astype(dtype.newbyteorder("="))


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def load_idx(path: Path, expected_sha256: str) -> np.ndarray:
    """Read an IDX file (plain, or gzip-compressed -- detected from its bytes), verify, and parse it.

    ``expected_sha256`` is the hex SHA-256 of the file as stored on disk. Raises
    :class:`IdxHashMismatchError` or :class:`IdxFormatError`, both naming the file.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"IDX file {path} not found")
    raw = path.read_bytes()
    actual = sha256_bytes(raw)
    if actual != expected_sha256.strip().lower():
        raise IdxHashMismatchError(
            f"{path}: SHA-256 {actual} does not match the expected {expected_sha256}; the file is corrupt, "
            "truncated or a different release"
        )
    if raw[:2] == GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as err:
            raise IdxFormatError(f"{path}: not a valid gzip stream ({err})") from err
    return parse_idx(raw, source=str(path))


def _find(directory: Path, base: str) -> Path:
    for candidate in (directory / base, directory / f"{base}.gz"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"MNIST file {base} (or {base}.gz) not found in {directory}")


def load_mnist(directory: Path, sha256: Mapping[str, str], name: str = "mnist") -> Dataset:
    """Load real MNIST from the four standard IDX files in ``directory`` (plain or ``.gz``).

    ``sha256`` maps each file's base name (``train-images-idx3-ubyte``, ...) or its actual file name to
    its expected hex SHA-256 as stored on disk. Returns ``x`` float32 of shape (n, rows * cols) scaled to
    [0, 1] and ``y`` int64; ``meta`` records the image shape and the verified hashes.
    """
    directory = Path(directory)
    arrays: dict[str, np.ndarray] = {}
    verified: dict[str, str] = {}
    for base in MNIST_FILES:
        path = _find(directory, base)
        expected = sha256.get(path.name, sha256.get(base))
        if expected is None:
            raise KeyError(f"no expected SHA-256 given for {path.name}; pass it in `sha256`")
        arrays[base] = load_idx(path, expected)
        verified[path.name] = expected
    for split in ("train", "t10k"):
        images, labels = arrays[f"{split}-images-idx3-ubyte"], arrays[f"{split}-labels-idx1-ubyte"]
        if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0]:
            raise IdxFormatError(
                f"{directory}: {split} images have shape {images.shape} and labels {labels.shape}; expected "
                "(n, rows, cols) and (n,)"
            )
    train_x, test_x = arrays["train-images-idx3-ubyte"], arrays["t10k-images-idx3-ubyte"]
    meta = {
        "name": name,
        "source": "MNIST IDX files (LeCun et al. 1998), verified by SHA-256",
        "task_type": "classification",
        "n_classes": 10,
        "image_shape": list(train_x.shape[1:]),
        "n_train": int(train_x.shape[0]),
        "n_test": int(test_x.shape[0]),
        "test_is_train": False,
        "sha256": verified,
    }
    return Dataset(
        name=name,
        x_train=(train_x.reshape(len(train_x), -1).astype(np.float32) / np.float32(255.0)),
        y_train=arrays["train-labels-idx1-ubyte"].astype(np.int64),
        x_test=(test_x.reshape(len(test_x), -1).astype(np.float32) / np.float32(255.0)),
        y_test=arrays["t10k-labels-idx1-ubyte"].astype(np.int64),
        meta=meta,
    )
