"""The step micro-benchmarks (the step kinds of Baydin et al. 2022, arXiv:2202.08587, Sec. 5.2, through the
``step_costs`` contract) cover every model, kind, tangent law and K they promise, run through
pytest-benchmark and summarise into one table (shape only: no timing is asserted anywhere)."""

from __future__ import annotations

import json
import math
from dataclasses import fields
from pathlib import Path

import pytest

from benchmarks.config import MicrobenchParams, load_params
from benchmarks.microbench import SUMMARY_COLUMNS, BenchSetup, parse_widths, run_microbench, summarise_benchmarks
from benchmarks.microbench.steps import CASES, KS, case_name, network
from benchmarks.report import benchmark_section
from implementations.contracts import classifiers, step_costs
from implementations.specs import DISTRIBUTIONS

FRAMEWORK = "pytorch"
TINY = BenchSetup(side=8, hidden=(5,), channels=2, fc=8, batch=4, rounds=2, warmup_rounds=1)


@pytest.fixture(scope="module")
def bench_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One quick run: tiny networks, two timed rounds."""
    out = tmp_path_factory.mktemp("microbench") / f"{FRAMEWORK}.json"
    return run_microbench(FRAMEWORK, "cpu", 1, TINY, out)


def test_cases_cover_every_model_kind_law_and_k() -> None:
    names = [case_name(model, step) for model, step in CASES]
    assert len(set(names)) == len(names)
    assert {model for model, _ in CASES} == set(classifiers.KINDS)
    for model in classifiers.KINDS:
        steps = [step for m, step in CASES if m == model]
        assert {step.kind for step in steps} == set(step_costs.KINDS)
        assert {step.distribution for step in steps if step.kind == "fg" and step.k == 1} == set(DISTRIBUTIONS)
    assert {step.k for model, step in CASES if model == "mlp" and step.kind == "fg"} == set(KS) == {1, 4, 16}


def test_setup_defaults_are_the_default_profile_and_options_round_trip() -> None:
    assert set(MicrobenchParams.model_fields) == {f.name for f in fields(BenchSetup)}
    assert BenchSetup(**load_params().profiles.default.microbench.model_dump()) == BenchSetup()
    options = dict(option.split("=") for option in TINY.options())
    assert options["--hidden"] == "5" and options["--warmup-rounds"] == "1"
    assert parse_widths("1024,256") == (1024, 256)


def test_run_microbench_writes_one_benchmark_per_case(bench_json: Path) -> None:
    benchmarks = json.loads(bench_json.read_text())["benchmarks"]
    assert sorted(b["extra_info"]["case"] for b in benchmarks) == sorted(case_name(m, s) for m, s in CASES)
    for bench in benchmarks:
        info = bench["extra_info"]
        assert info["framework"] == FRAMEWORK and info["batch"] == 4
        assert info["network"].startswith(info["model"]) and info["parameters"] > 0
        assert info["device"] and info["torch_version"]
        assert bench["stats"]["rounds"] == 2


def test_summarise_benchmarks_shape(bench_json: Path, tmp_path: Path) -> None:
    summary = summarise_benchmarks([bench_json, tmp_path / "missing.json"])
    assert tuple(summary.columns) == SUMMARY_COLUMNS
    assert len(summary) == len(CASES) and set(summary["framework"]) == {FRAMEWORK}
    assert sorted(summary["case"]) == sorted(case_name(m, s) for m, s in CASES)
    assert (summary["median"] > 0).all() and (summary["rounds"] == 2).all()
    forward = summary[summary["step"] == "forward"]
    assert sorted(forward["model"]) == sorted(classifiers.KINDS)
    assert forward["ratio_to_forward"].tolist() == [1.0] * len(classifiers.KINDS)
    assert summary["ratio_to_forward"].notna().all()


def test_report_section_reads_the_new_names(bench_json: Path) -> None:
    section = benchmark_section([bench_json])
    assert section is not None and len(section["rows"]) == len(CASES)
    rows = [dict(zip(section["columns"], row, strict=True)) for row in section["rows"]]
    assert {row["network"] for row in rows if row["step"] == "forward"} == {
        network(model, TINY).name for model in classifiers.KINDS
    }
    assert {row["K"] for row in rows if row["step"] == "fg" and row["network"].startswith("mlp")} == set(KS)
    assert all(row["K"] == "" for row in rows if row["step"] in ("forward", "bp", "minimal_bp"))


def test_summarise_without_baseline_or_files(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    bench = {"name": "b", "extra_info": {"step": "bp"}, "stats": {"median": 1.0, "iqr": 0.1, "rounds": 3}}
    path.write_text(json.dumps({"benchmarks": [bench]}))
    (row,) = summarise_benchmarks([path]).itertuples()
    assert row.framework == "x" and row.device == "unknown" and row.case == "bp" and row.k == 0
    assert math.isnan(row.ratio_to_forward)
    assert summarise_benchmarks([]).empty
