"""Pinning and verification of the built ``datasets/`` folder against ``datasets.dvc``.

``datasets.dvc`` is written by ``dvc add datasets`` (the directory's DVC ``md5`` hash) and carries, in its
``meta`` field (kept verbatim by ``dvc add`` and ``dvc commit`` -- checked on DVC 3.67), a manifest of the
SHA-256 of every file relative to ``datasets/``::

    meta:
      sha256:
        digits/meta.json: 3f...

Verification checks both: every file's SHA-256 against the manifest (which names the dataset and file that
differ) and the directory hash DVC computes, via ``dvc_data``'s own ``build`` (hash only, nothing is
written to any cache), against the recorded ``md5``.
"""

from __future__ import annotations

import subprocess
from collections import defaultdict
from pathlib import Path

import yaml

from benchmarks.datasets.storage import sha256_file
from benchmarks.paths import DATASETS_DIR, DATASETS_DVC

BUILD_HINT = (
    "Rebuild with `nobp datasets build` (or `python -m benchmarks.datasets.cli build`); if the change is "
    "intended (new dataset or new library versions), re-pin with `nobp datasets pin` and commit datasets.dvc."
)


class DatasetMismatchError(RuntimeError):
    """The built datasets do not match the pinned manifest / DVC hash."""


def file_manifest(root: Path = DATASETS_DIR) -> dict[str, str]:
    """SHA-256 of every file under ``root``, keyed by its POSIX path relative to ``root``, sorted."""
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {p.relative_to(root).as_posix(): sha256_file(p) for p in files}


def dvc_dir_md5(root: Path = DATASETS_DIR) -> str:
    """The ``md5`` DVC records for directory ``root`` (``<hex>.dir``), computed with dvc_data's ``build``.

    This is a dry run on an in-memory object store: it hashes, and writes nothing to any DVC cache. It does
    not apply ``.dvcignore`` rules (none of the dataset files match this repository's ignore patterns).
    """
    from dvc_data.hashfile.build import build
    from dvc_data.hashfile.db import HashFileDB
    from dvc_objects.fs import LocalFileSystem, MemoryFileSystem

    odb = HashFileDB(MemoryFileSystem(), "/dvc-hash-only")
    _, _, obj = build(odb, str(root.resolve()), LocalFileSystem(), "md5", dry_run=True)
    return str(obj.hash_info.value)


def read_dvc_file(dvc_file: Path = DATASETS_DVC) -> tuple[str, dict[str, str]]:
    """The recorded directory ``md5`` and the per-file SHA-256 manifest of a ``datasets.dvc`` file."""
    if not dvc_file.is_file():
        raise DatasetMismatchError(
            f"{dvc_file} does not exist: the datasets have not been pinned. Build and pin them with "
            "`nobp datasets build` then `nobp datasets pin`."
        )
    data = yaml.safe_load(dvc_file.read_text()) or {}
    outs = data.get("outs") or []
    if len(outs) != 1 or "md5" not in outs[0]:
        raise DatasetMismatchError(
            f"{dvc_file} has no single `outs` entry with an md5; re-pin with `nobp datasets pin`"
        )
    manifest = ((data.get("meta") or {}).get("sha256")) or {}
    if not manifest:
        raise DatasetMismatchError(f"{dvc_file} has no `meta: sha256:` manifest; re-pin with `nobp datasets pin`")
    return str(outs[0]["md5"]), {str(k): str(v) for k, v in manifest.items()}


def write_manifest(manifest: dict[str, str], dvc_file: Path = DATASETS_DVC) -> None:
    """Store ``manifest`` as ``meta.sha256`` in an existing ``.dvc`` file, keeping its other fields.

    Written with DVC's own YAML round-trip writer, so ``dvc add``/``dvc commit`` keep the text as is.
    """
    from dvc.utils.serialize import modify_yaml

    with modify_yaml(str(dvc_file)) as data:
        meta = data.get("meta") or {}
        meta["description"] = (
            "SHA-256 of every file in datasets/ (path relative to datasets/), written by "
            "`nobp datasets pin` and checked by `nobp datasets verify`"
        )
        meta["sha256"] = dict(sorted(manifest.items()))
        data["meta"] = meta


def _dataset_of(relpath: str) -> str:
    return relpath.split("/", 1)[0]


def compare_manifests(expected: dict[str, str], actual: dict[str, str]) -> dict[str, dict[str, list[str]]]:
    """Per dataset, the files that differ, are missing or are unexpected (empty dict when identical)."""
    problems: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for rel in sorted(set(expected) | set(actual)):
        if rel not in actual:
            problems[_dataset_of(rel)]["missing"].append(rel)
        elif rel not in expected:
            problems[_dataset_of(rel)]["unexpected"].append(rel)
        elif expected[rel] != actual[rel]:
            problems[_dataset_of(rel)]["differs"].append(rel)
    return {name: dict(kinds) for name, kinds in problems.items()}


def verify_datasets(root: Path = DATASETS_DIR, dvc_file: Path = DATASETS_DVC) -> None:
    """Check ``root`` against ``dvc_file``: per-file SHA-256 manifest and DVC's directory md5.

    Raises :class:`DatasetMismatchError` naming the dataset(s) and file(s) that differ, are missing or are
    unexpected, and saying how to rebuild.
    """
    recorded_md5, expected = read_dvc_file(dvc_file)
    if not root.is_dir():
        raise DatasetMismatchError(f"dataset folder {root} does not exist. {BUILD_HINT}")
    problems = compare_manifests(expected, file_manifest(root))
    if problems:
        lines = [f"{root} does not match the manifest in {dvc_file}:"]
        for name in sorted(problems):
            for kind in ("differs", "missing", "unexpected"):
                if problems[name].get(kind):
                    lines.append(f"  dataset {name!r}: {kind}: {', '.join(problems[name][kind])}")
        lines.append(BUILD_HINT)
        raise DatasetMismatchError("\n".join(lines))
    actual_md5 = dvc_dir_md5(root)
    if actual_md5 != recorded_md5:
        raise DatasetMismatchError(
            f"every file in {root} matches the SHA-256 manifest, but DVC's directory hash {actual_md5} "
            f"differs from the md5 {recorded_md5} recorded in {dvc_file}: the manifest and the DVC hash "
            "disagree. "
            "Re-pin with `nobp datasets pin`."
        )


def _dvc(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    import sys

    dvc = Path(sys.executable).with_name("dvc")
    cmd = [str(dvc) if dvc.exists() else "dvc", *args]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)


def dvc_commit(dvc_file: Path = DATASETS_DVC) -> str | None:
    """``dvc commit -f -q <dvc_file>`` so DVC's cache holds the bytes; returns an error text or None."""
    proc = _dvc("commit", "-f", "-q", dvc_file.name, cwd=dvc_file.parent)
    if proc.returncode != 0:
        return (proc.stderr or proc.stdout).strip() or f"dvc commit exited with {proc.returncode}"
    return None


def pin_datasets(root: Path = DATASETS_DIR, dvc_file: Path = DATASETS_DVC) -> dict[str, str]:
    """(Re-)pin: ``dvc add`` the folder, then write the SHA-256 manifest into ``dvc_file``; returns it.

    ``root`` must be the sibling of ``dvc_file`` that the ``.dvc`` file tracks (``datasets/`` next to
    ``datasets.dvc`` at the repository root by default).
    """
    if root.resolve().parent != dvc_file.resolve().parent or dvc_file.stem != root.name:
        raise ValueError(f"{dvc_file} must sit next to {root} and be named {root.name}.dvc")
    proc = _dvc("add", "-q", root.name, cwd=dvc_file.parent)
    if proc.returncode != 0:
        raise RuntimeError(f"`dvc add {root.name}` failed in {dvc_file.parent}:\n{proc.stderr or proc.stdout}")
    manifest = file_manifest(root)
    write_manifest(manifest, dvc_file)
    verify_datasets(root, dvc_file)
    return manifest


__all__ = [
    "DatasetMismatchError",
    "compare_manifests",
    "dvc_commit",
    "dvc_dir_md5",
    "file_manifest",
    "pin_datasets",
    "read_dvc_file",
    "verify_datasets",
    "write_manifest",
]
