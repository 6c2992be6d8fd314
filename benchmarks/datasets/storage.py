"""Byte-stable file writing for built datasets: plain ``.npy`` arrays and sorted-key JSON metadata.

No zip containers (``np.savez``): zip headers carry timestamps. Writes go through a temporary file and
``os.replace`` so a file DVC may have linked from its cache is never modified in place, and a file whose
bytes would not change is left untouched (its mtime too, which keeps DVC's state cache warm).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

META_FILE = "meta.json"
ARRAY_SUFFIX = ".npy"


@dataclass(frozen=True)
class DatasetFiles:
    """What a builder returns: named arrays (written as ``<key>.npy``) and JSON-serialisable metadata."""

    name: str
    arrays: dict[str, np.ndarray]
    meta: dict[str, Any] = field(default_factory=dict)


def npy_bytes(array: np.ndarray) -> bytes:
    """The exact bytes ``np.save`` writes for ``array`` (C order, little-endian, no pickles)."""
    array = np.ascontiguousarray(array)
    if array.dtype.byteorder == ">":
        array = array.astype(array.dtype.newbyteorder("<"))
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def json_bytes(obj: Any) -> bytes:
    """Canonical JSON: sorted keys, two-space indent, trailing newline, ASCII only."""
    return (json.dumps(obj, sort_keys=True, indent=2, ensure_ascii=True, allow_nan=False) + "\n").encode()


def write_bytes_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically unless the file already holds exactly these bytes."""
    if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True


def write_dataset(files: DatasetFiles, folder: Path) -> list[Path]:
    """Write one dataset into ``folder``; remove any other file there. Returns the written paths, sorted."""
    payload: dict[str, bytes] = {f"{key}{ARRAY_SUFFIX}": npy_bytes(arr) for key, arr in files.arrays.items()}
    payload[META_FILE] = json_bytes(files.meta)
    return write_folder(payload, folder)


def write_folder(payload: dict[str, bytes], folder: Path) -> list[Path]:
    """Make ``folder`` hold exactly ``payload`` (file name -> bytes): byte-stable, atomic per file, stale
    files removed. Returns the written paths, sorted."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.iterdir():
        if stale.name not in payload:
            if stale.is_dir():
                raise FileExistsError(f"unexpected folder {stale} inside dataset folder {folder}; remove it")
            stale.unlink()
    paths = []
    for fname in sorted(payload):
        write_bytes_if_changed(folder / fname, payload[fname])
        paths.append(folder / fname)
    return paths


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()
