"""The step micro-benchmarks run through pytest-benchmark and summarise into one table (shape only: no
timing is asserted anywhere)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from benchmarks.microbench import SUMMARY_COLUMNS, run_microbench, summarise_benchmarks
from benchmarks.microbench.steps import CASES

FRAMEWORK = "pytorch"


@pytest.fixture(scope="module")
def bench_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One quick run: a tiny MLP, two timed rounds."""
    out = tmp_path_factory.mktemp("microbench") / f"{FRAMEWORK}.json"
    return run_microbench(FRAMEWORK, "cpu", 1, (6, 5, 3), 4, out, rounds=2, warmup_rounds=1)


def test_run_microbench_writes_one_benchmark_per_step(bench_json: Path) -> None:
    benchmarks = json.loads(bench_json.read_text())["benchmarks"]
    assert sorted((b["extra_info"]["step"], b["extra_info"]["tangents"]) for b in benchmarks) == sorted(CASES)
    for bench in benchmarks:
        info = bench["extra_info"]
        assert info["framework"] == FRAMEWORK and info["layers"] == "6,5,3" and info["batch"] == 4
        assert info["device"] and info["torch_version"]
        assert bench["stats"]["rounds"] == 2


def test_summarise_benchmarks_shape(bench_json: Path, tmp_path: Path) -> None:
    summary = summarise_benchmarks([bench_json, tmp_path / "missing.json"])
    assert tuple(summary.columns) == SUMMARY_COLUMNS
    assert len(summary) == len(CASES) and set(summary["framework"]) == {FRAMEWORK}
    assert (summary["median"] > 0).all() and (summary["rounds"] == 2).all()
    forward = summary[summary["step"] == "forward_only"]
    assert forward["ratio_to_forward_only"].tolist() == [1.0]


def test_summarise_without_baseline_or_files(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    bench = {"name": "b", "extra_info": {"step": "bp_step"}, "stats": {"median": 1.0, "iqr": 0.1, "rounds": 3}}
    path.write_text(json.dumps({"benchmarks": [bench]}))
    (row,) = summarise_benchmarks([path]).itertuples()
    assert row.framework == "x" and row.device == "unknown" and math.isnan(row.ratio_to_forward_only)
    assert summarise_benchmarks([]).empty
