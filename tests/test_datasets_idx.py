"""IDX (real MNIST) loader on tiny IDX files written by the test itself: plain, gzip, corrupt, wrong hash."""

from __future__ import annotations

import gzip
import hashlib
import struct
from pathlib import Path

import numpy as np
import pytest

from benchmarks.datasets.idx import IdxFormatError, IdxHashMismatchError, load_idx, load_mnist, parse_idx


def idx_bytes(array: np.ndarray) -> bytes:
    codes = {np.dtype("uint8"): 0x08, np.dtype("int16"): 0x0B, np.dtype("float32"): 0x0D}
    header = bytes([0, 0, codes[array.dtype], array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def test_parse_roundtrip_multibyte_types():
    for array in (
        np.arange(24, dtype=np.uint8).reshape(2, 3, 4),
        np.array([-3, 300, 7], dtype=np.int16),
        np.linspace(-1, 1, 6, dtype=np.float32).reshape(3, 2),
    ):
        parsed = parse_idx(idx_bytes(array))
        assert parsed.dtype == array.dtype and parsed.dtype.isnative
        assert np.array_equal(parsed, array)


def test_load_plain_and_gzip(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, size=(5, 4, 3), dtype=np.uint8)
    raw = idx_bytes(images)
    plain = tmp_path / "train-images-idx3-ubyte"
    packed = tmp_path / "train-images-idx3-ubyte.gz"
    assert np.array_equal(load_idx(plain, write(plain, raw)), images)
    assert np.array_equal(load_idx(packed, write(packed, gzip.compress(raw, mtime=0))), images)


def test_bad_magic_names_the_file(tmp_path):
    data = bytearray(idx_bytes(np.zeros((2, 2), dtype=np.uint8)))
    data[0] = 0x42
    path = tmp_path / "bad-magic-idx2-ubyte"
    with pytest.raises(IdxFormatError, match="bad-magic-idx2-ubyte: bad IDX magic number"):
        load_idx(path, write(path, bytes(data)))


def test_unknown_type_code_and_size_mismatch(tmp_path):
    data = bytearray(idx_bytes(np.zeros((2, 2), dtype=np.uint8)))
    data[2] = 0x07
    with pytest.raises(IdxFormatError, match="magic"):
        parse_idx(bytes(data), "x")
    truncated = idx_bytes(np.zeros((3, 2), dtype=np.uint8))[:-1]
    path = tmp_path / "truncated.gz"
    with pytest.raises(IdxFormatError, match=r"truncated.gz: header says shape \(3, 2\)"):
        load_idx(path, write(path, gzip.compress(truncated, mtime=0)))
    with pytest.raises(IdxFormatError, match="too short"):
        parse_idx(b"\x00\x00", "short")
    with pytest.raises(IdxFormatError, match="declares 3 dimensions"):
        parse_idx(bytes([0, 0, 8, 3, 0, 0, 0, 1]), "dims")


def test_corrupt_gzip_names_the_file(tmp_path):
    path = tmp_path / "broken.gz"
    data = gzip.compress(idx_bytes(np.zeros(4, dtype=np.uint8)), mtime=0)[:-6]
    with pytest.raises(IdxFormatError, match="broken.gz: not a valid gzip stream"):
        load_idx(path, write(path, data))


def test_wrong_hash_names_the_file(tmp_path):
    path = tmp_path / "t10k-labels-idx1-ubyte"
    write(path, idx_bytes(np.arange(3, dtype=np.uint8)))
    with pytest.raises(IdxHashMismatchError, match="t10k-labels-idx1-ubyte: SHA-256 .* does not match"):
        load_idx(path, "0" * 64)


def test_load_mnist_on_a_tiny_fake_set(tmp_path):
    rng = np.random.default_rng(1)
    hashes = {}
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, size=(6, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, size=6, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, size=(2, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, size=2, dtype=np.uint8),
    }
    for i, (base, array) in enumerate(arrays.items()):
        data = idx_bytes(array)
        name = base + ".gz" if i % 2 else base  # mix plain and compressed files
        hashes[base] = write(tmp_path / name, gzip.compress(data, mtime=0) if i % 2 else data)
    ds = load_mnist(tmp_path, hashes)
    assert ds.x_train.shape == (6, 784) and ds.x_test.shape == (2, 784)
    assert ds.x_train.dtype == np.float32 and ds.y_train.dtype == np.int64
    assert np.allclose(ds.x_train * 255, arrays["train-images-idx3-ubyte"].reshape(6, -1))
    assert np.array_equal(ds.y_test, arrays["t10k-labels-idx1-ubyte"])
    assert ds.meta["image_shape"] == [28, 28]
    with pytest.raises(KeyError, match="no expected SHA-256"):
        load_mnist(tmp_path, {k: v for k, v in hashes.items() if "t10k" not in k})
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte"):
        (tmp_path / "t10k-images-idx3-ubyte").unlink()
        load_mnist(tmp_path, hashes)
