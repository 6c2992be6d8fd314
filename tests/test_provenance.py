"""Tests for benchmarks.provenance (git state, provenance dict, provenance columns)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from benchmarks.provenance import add_provenance_columns, collect_provenance, git_commit

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


@pytest.fixture
def isolated(tmp_path, monkeypatch) -> Path:
    """A directory git will not treat as part of any enclosing repository."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    work = tmp_path / "work"
    work.mkdir()
    return work


_GIT_CONFIG = ("-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), *_GIT_CONFIG, *args],
        check=True,
        capture_output=True,
    )


def test_git_commit_outside_repo_is_unknown(isolated):
    assert git_commit(isolated) == "unknown"


def test_git_commit_without_git_is_unknown(isolated, monkeypatch):
    monkeypatch.setenv("PATH", str(isolated))
    assert git_commit(isolated) == "unknown"


def test_git_commit_missing_directory_is_unknown(isolated):
    assert git_commit(isolated / "does-not-exist") == "unknown"


@needs_git
def test_git_commit_clean_and_dirty(isolated):
    _git(isolated, "init", "-q")
    assert git_commit(isolated) == "unknown"  # no commit yet
    (isolated / "a.txt").write_text("1")
    _git(isolated, "add", "a.txt")
    _git(isolated, "commit", "-q", "-m", "init")
    clean = git_commit(isolated)
    assert re.fullmatch(r"[0-9a-f]{40}", clean)
    (isolated / "untracked.txt").write_text("x")
    assert git_commit(isolated) == clean  # untracked files do not make it dirty
    (isolated / "a.txt").write_text("2")
    assert git_commit(isolated) == clean + "-dirty"


def test_pipeline_outputs_do_not_make_the_tree_dirty(isolated):
    _git(isolated, "init", "-q")
    (isolated / "results").mkdir()
    for name in ("dvc.lock", "results/claims.json", "code.py"):
        (isolated / name).write_text("1")
    _git(isolated, "add", "-A")
    _git(isolated, "commit", "-q", "-m", "init")
    clean = git_commit(isolated)
    (isolated / "dvc.lock").write_text("2")
    (isolated / "results" / "claims.json").write_text("2")
    assert git_commit(isolated) == clean  # `dvc repro` rewrites these itself
    (isolated / "code.py").write_text("2")
    assert git_commit(isolated) == clean + "-dirty"


def _provenance(**overrides) -> dict[str, str]:
    arguments = dict(
        framework="torch",
        framework_versions={"torch": "2.13.0+cpu"},
        device="cpu",
        params_hash="abc123",
        profile="smoke",
        root_seed=3,
        threads=4,
    )
    arguments.update(overrides)
    return collect_provenance(**arguments)


def test_collect_provenance_keys_and_string_values():
    provenance = _provenance(framework_versions={"jax": "0.10.2", "jaxlib": "0.10.2"}, framework="jax")
    expected = {
        "git_commit",
        "params_hash",
        "profile",
        "root_seed",
        "framework",
        "python_version",
        "numpy_version",
        "platform",
        "machine",
        "device",
        "threads",
        "jax_version",
        "jaxlib_version",
    }
    assert set(provenance) == expected
    assert all(isinstance(value, str) and value for value in provenance.values())
    assert provenance["root_seed"] == "3" and provenance["threads"] == "4"
    assert provenance["jax_version"] == "0.10.2" and provenance["framework"] == "jax"
    assert all(re.fullmatch(r"[a-z0-9_]+", key) for key in provenance)


def test_collect_provenance_rejects_wrong_numpy_version():
    with pytest.raises(ValueError, match="numpy_version"):
        _provenance(framework_versions={"numpy": "0.0.1"})


def test_add_provenance_columns_adds_constant_columns_without_mutating():
    table = pd.DataFrame({"step": [0, 1], "loss": [1.0, 0.5]})
    provenance = _provenance()
    result = add_provenance_columns(table, provenance)
    assert list(table.columns) == ["step", "loss"]
    assert list(result.columns) == ["step", "loss", *provenance]
    for key, value in provenance.items():
        assert result[key].tolist() == [value, value]


def test_add_provenance_columns_keeps_matching_column():
    table = pd.DataFrame({"loss": [1.0], "seed": [3]})
    result = add_provenance_columns(table, {"seed": "3", "profile": "smoke"})
    assert result["seed"].tolist() == [3]
    assert result["profile"].tolist() == ["smoke"]


def test_add_provenance_columns_conflict_names_column():
    table = pd.DataFrame({"loss": [1.0, 2.0], "seed": [3, 4]})
    with pytest.raises(ValueError, match="seed"):
        add_provenance_columns(table, {"seed": "3"})


def test_add_provenance_columns_empty_table():
    result = add_provenance_columns(pd.DataFrame({"loss": []}), {"profile": "smoke"})
    assert "profile" in result.columns and len(result) == 0
