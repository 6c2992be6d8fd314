"""Exact pipeline dependencies: dvc.yaml is generated from the studies, each stage's code deps are what it
imports, and editing a module marks exactly the stages that use it as changed in `dvc status`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.paths import REPO_ROOT
from benchmarks.pipeline import code_closure, pipeline, pipeline_files, render
from benchmarks.study import discover_studies
from tests.repo_copy import clean_copy

DVC = str(Path(sys.executable).parent / "dvc")


def test_pipeline_files_are_what_the_studies_generate():
    files = render()
    assert set(files) == {"dvc.yaml"} | {f"results/pipelines/{name}/dvc.yaml" for name in discover_studies()}
    for relative, text in files.items():
        assert (REPO_ROOT / relative).read_text() == text, f"{relative}: run `nobp pipeline write`"
    on_disk = {str(p.relative_to(REPO_ROOT)) for p in REPO_ROOT.glob("results/pipelines/*/dvc.yaml")}
    assert on_disk <= set(files), "a study pipeline file no study generates"


def test_study_stages_run_from_the_root_with_the_root_params():
    for relative, contents in pipeline_files().items():
        if relative == "dvc.yaml":
            continue
        assert contents["vars"] == ["../../../params.yaml"]
        assert all(stage["wdir"] == "../../.." for stage in contents["stages"].values())


def test_closure_follows_relative_and_nested_imports_and_package_inits():
    files = code_closure(["benchmarks.runner"])
    assert "benchmarks/__init__.py" in files and "benchmarks/config.py" in files
    assert "benchmarks/study.py" in files and "benchmarks/tables.py" in files
    assert "implementations/registry.py" in files  # imported inside run_experiment
    assert "benchmarks/claims.py" not in files and "benchmarks/plotting.py" not in files


def test_experiment_stage_deps_are_its_framework_and_study_only():
    stages = pipeline()["stages"]
    for name, stage in stages.items():
        if not name.startswith("run-"):
            continue
        framework = name.rsplit("-", 1)[1]
        other = {"pytorch": "jax", "jax": "pytorch"}.get(framework)
        deps = [d for d in stage["deps"] if d.endswith(".py")]
        assert not [d for d in deps if other and d.startswith(f"implementations/{other}/")], name
        study = name.split("-")[1]
        assert not [
            d
            for d in deps
            if d.startswith("benchmarks/")
            and d.count("/") > 1
            and f"/{study}/" not in d
            and not d.startswith("benchmarks/datasets/")
        ], name
        assert not [d for d in deps if d.endswith(("claims.py", "figures.py", "plotting.py"))], name


def _changed(repo: Path) -> set[str]:
    out = subprocess.run([DVC, "status", "--json"], cwd=repo, check=True, capture_output=True, text=True).stdout
    status = json.loads(out or "{}")
    return {  # a study's stages are "results/pipelines/<study>/dvc.yaml:<name>"
        stage.rpartition(":")[2]
        for stage, entries in status.items()
        if any("changed deps" in e for e in entries if isinstance(e, dict))
    }


@pytest.mark.skipif(not (REPO_ROOT / "datasets" / "digits").exists(), reason="datasets not built")
def test_editing_a_module_changes_exactly_the_stages_that_import_it(tmp_path):
    repo = tmp_path / "repo"
    clean_copy(repo, commit=False)
    shutil.copytree(REPO_ROOT / "datasets", repo / "datasets", dirs_exist_ok=True)
    stages = pipeline()["stages"]
    for stage in stages.values():  # stand-in outputs, so that `dvc commit` can record the current deps
        for out in stage.get("outs", []) + stage.get("metrics", []):
            path = repo / (out if isinstance(out, str) else next(iter(out)))
            if path.suffix:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text("{}\n")
            else:
                path.mkdir(parents=True, exist_ok=True)
                (path / "placeholder.txt").write_text("x\n")
    subprocess.run([DVC, "commit", "-f", "-q"], cwd=repo, check=True, capture_output=True)
    assert _changed(repo) == set()

    def edit(path: str) -> set[str]:
        """The stages an edit of ``path`` changes; the edit is undone after (same bytes: nothing changed)."""
        original = (repo / path).read_bytes()
        with (repo / path).open("a") as fh:
            fh.write("\n# an edit\n")
        changed = _changed(repo)
        (repo / path).write_bytes(original)
        return changed

    jax_runs = {n for n in stages if n.startswith("run-") and n.endswith("-jax")}  # every study's JAX runs
    assert edit("implementations/jax/backend.py") == jax_runs | {"bench-jax"}
    assert edit("benchmarks/forward_gradient/figures.py") == {"figures-forward_gradient"}
    # the figures read each claim's threshold object, so they depend on the claims module too
    assert edit("benchmarks/forward_gradient/claims.py") == {"claims-forward_gradient", "figures-forward_gradient"}
    assert edit("benchmarks/report.py") == {"report"}
    assert edit("benchmarks/tracking.py") == {"track"}
