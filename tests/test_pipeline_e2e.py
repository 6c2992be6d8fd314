"""End to end: a clean copy of the repository runs `dvc repro` of the smoke profile, producing verdicts
for every claim in both frameworks, the figures, the report and MLflow runs; a second `dvc repro` runs no
stage. (Durations are printed for the record, never asserted.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.claims import Scope
from benchmarks.study import discover_studies
from benchmarks.tables import NO_FRAMEWORK
from implementations.registry import FRAMEWORKS
from tests.conftest import MACHINE_CORES
from tests.repo_copy import clean_copy

pytestmark = pytest.mark.e2e


def _on_every_core() -> None:
    """In the child: undo the xdist worker's one-core pin (see tests/conftest.py)."""
    os.sched_setaffinity(0, MACHINE_CORES)


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[str, float]:
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, preexec_fn=_on_every_core)
    elapsed = time.perf_counter() - start
    assert proc.returncode == 0, f"{args} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout + proc.stderr, elapsed


def test_smoke_pipeline_on_a_clean_copy(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    clean_copy(repo)
    bin_dir = str(Path(sys.executable).parent)
    env = os.environ | {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path}/mlflow.db",
        "MLFLOW_DISABLE_TELEMETRY": "true",
    }
    _run([sys.executable, "-m", "benchmarks.cli", "datasets", "build"], repo, env)
    _run([sys.executable, "-m", "benchmarks.cli", "datasets", "verify"], repo, env)
    _, seconds = _run(["dvc", "exp", "run", "-S", "profile=smoke"], repo, env)
    print(f"smoke pipeline: {seconds:.1f} s")
    records = json.loads((repo / "results" / "claims.json").read_text())
    claims = [c for study in discover_studies().values() for c in study.load_claims()]
    labels = {  # the engine's framework label of each judged slice (benchmarks.claims._slices)
        Scope.PER_SLICE: FRAMEWORKS,
        Scope.ACROSS_FRAMEWORKS: ("+".join(sorted(FRAMEWORKS)),),
        Scope.FRAMEWORK_FREE: (NO_FRAMEWORK,),
    }
    expected = {(claim.id, label) for claim in claims for label in labels[claim.scope]}
    assert {(r["claim"], r["framework"]) for r in records} == expected
    for r in records:
        assert r["verdict"] in ("reproduced", "partial", "not reproduced", "inconclusive")
        assert (repo / "results" / r["figure"]).exists() and r["profile"] == "smoke"
    report = (repo / "results" / "REPORT.md").read_text()
    assert all(r["figure"] in report for r in records)
    assert any((repo / "results" / "figures").rglob("*.pdf"))
    metrics = json.loads((repo / "results" / "metrics.json").read_text())
    assert {(claim, fw) for claim, by_fw in metrics.items() for fw in by_fw} == expected
    assert all((repo / "results" / "benchmarks" / f"{fw}.json").exists() for fw in ("pytorch", "jax"))
    again, seconds = _run(["dvc", "repro"], repo, env)
    print(f"second dvc repro (nothing to do): {seconds:.1f} s")
    assert "Running stage" not in again
    runs = subprocess.run(
        [sys.executable, "-c", "import mlflow; print(len(mlflow.search_runs(search_all_experiments=True)))"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert int(runs.strip().splitlines()[-1]) > 0
