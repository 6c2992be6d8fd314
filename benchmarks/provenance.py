"""Provenance of a benchmark run: code version, configuration and software/hardware environment.

Every tidy result row and every MLflow run carries the same flat ``dict[str, str]`` built by
:func:`collect_provenance`, so a number can always be traced back to the commit, parameters and
machine that produced it. Framework versions are passed in as data: this module never imports
torch or jax (nor mlflow), and nothing here raises because git is missing.
"""

from __future__ import annotations

import importlib.metadata
import platform
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from benchmarks.paths import REPO_ROOT

UNKNOWN = "unknown"
DIRTY_SUFFIX = "-dirty"
_GIT_TIMEOUT_S = 10.0


def _run_git(repo: Path, *args: str) -> str | None:
    """Stdout of ``git -C repo args``, or None if git is missing, fails or times out."""
    try:
        completed = subprocess.run(
            ["git", "-C", str(repo), *args],
            capture_output=True,
            text=True,
            timeout=_GIT_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if completed.returncode != 0:
        return None
    return completed.stdout


def git_commit(repo: Path = REPO_ROOT) -> str:
    """HEAD commit of ``repo``, suffixed ``-dirty`` if tracked files changed; ``unknown`` on any failure."""
    head = _run_git(Path(repo), "rev-parse", "--verify", "HEAD")
    if head is None or not head.strip():
        return UNKNOWN
    commit = head.strip()
    status = _run_git(Path(repo), "status", "--porcelain", "--untracked-files=no", "--", ".", *_PIPELINE_OUTPUTS)
    if status is None:
        return commit
    return commit + DIRTY_SUFFIX if status.strip() else commit


_PIPELINE_OUTPUTS = (":(exclude)dvc.lock", ":(exclude)results")
"""Files `dvc repro` itself rewrites: a change there does not make the code that produced a row dirty."""


def _package_version(distribution: str) -> str:
    """Installed version of a distribution (read from metadata, without importing it)."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return UNKNOWN


def _snake_case(name: str) -> str:
    """``"JAX-lib"`` -> ``"jax_lib"``: lowercase, runs of non-alphanumerics become one underscore."""
    snake = re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")
    if not snake:
        raise ValueError(f"cannot derive a provenance key from {name!r}")
    return snake


def _version_columns(framework_versions: Mapping[str, str]) -> dict[str, str]:
    """``{"torch": "2.13.0"}`` -> ``{"torch_version": "2.13.0"}``; rejects names that collide."""
    columns: dict[str, str] = {}
    for library, version in framework_versions.items():
        key = f"{_snake_case(library)}_version"
        if key in columns:
            raise ValueError(f"framework_versions has two libraries mapping to {key!r}")
        columns[key] = str(version)
    return columns


def collect_provenance(
    *,
    framework: str,
    framework_versions: dict[str, str],
    device: str,
    params_hash: str,
    profile: str,
    root_seed: int,
    threads: int,
) -> dict[str, str]:
    """Everything a result row / MLflow run must carry, as stable snake_case keys with string values.

    Keys: git_commit, params_hash, profile, root_seed (the params.yaml seed every run seed derives from),
    framework, ``<library>_version`` for each entry of
    ``framework_versions`` (e.g. torch_version), python_version, numpy_version, platform, machine,
    device, threads.
    """
    provenance = {
        "git_commit": git_commit(),
        "params_hash": str(params_hash),
        "profile": str(profile),
        "root_seed": str(int(root_seed)),
        "framework": str(framework),
        "python_version": platform.python_version(),
        "numpy_version": _package_version("numpy"),
        "platform": platform.platform(),
        "machine": platform.machine() or UNKNOWN,
        "device": str(device),
        "threads": str(int(threads)),
    }
    for key, version in _version_columns(framework_versions).items():
        if key in provenance and provenance[key] != version:
            raise ValueError(f"framework_versions gives {key}={version!r}, but {provenance[key]!r} is installed")
        provenance[key] = version
    return provenance


def _column_conflicts(column: pd.Series, value: str) -> bool:
    """True if any cell of an existing column differs from the provenance value (compared as str)."""
    return bool((column.astype(str) != value).any())


def add_provenance_columns(table: pd.DataFrame, provenance: Mapping[str, str]) -> pd.DataFrame:
    """Copy of ``table`` with one constant string column per provenance key.

    A column that already exists is kept as is when every cell equals the provenance value
    (compared as strings); otherwise ``ValueError`` names the conflicting column.
    """
    result = table.copy()
    conflicts = [
        key for key, value in provenance.items() if key in result.columns and _column_conflicts(result[key], value)
    ]
    if conflicts:
        raise ValueError(f"provenance conflicts with existing column(s) {conflicts}: values differ")
    for key, value in provenance.items():
        if key not in result.columns:
            result[key] = str(value)
    return result
