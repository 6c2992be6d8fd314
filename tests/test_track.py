"""The MLflow export: a toy study's tables, run records, claims and micro-benchmarks, logged into a temporary
store, read back as a person browsing MLflow would see them (experiment per study, readable run names)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchmarks import track
from benchmarks.claims import write_json
from benchmarks.study import STUDY_PATH_ENV
from benchmarks.tables import write_table
from benchmarks.tracking import EXPERIMENT_KIND_TAG, MACHINE_LEARNING_KIND

mlflow = pytest.importorskip("mlflow")

STUDY_INIT = """
    from benchmarks.study import ExperimentSpec, Paper, Study

    STUDY = Study(
        name="tracktoy",
        title="Toy curves",
        papers=(Paper("toy2024", "Counting curves", "Toy", 2024, "nowhere"),),
        params_model="tracktoy.params:Params",
        experiments=(
            ExperimentSpec(name="curves", module="tracktoy.curves", description="curves",
                           axes=("dim", "distribution", "k", "index")),
        ),
        claims_module="tracktoy.claims",
        figures_module="tracktoy.figures",
    )
"""
DIMS, LAWS, KS = (10, 20), ("gaussian", "sphere"), (1, 4)


def _curves_table(framework: str) -> pd.DataFrame:
    """Per configuration (dim, law; one seed each): 12 loss steps, 3 blocks per k, 4 coordinates, 9 samples."""
    parts = []
    for dim in DIMS:
        for law in LAWS:
            base = {"study": "tracktoy", "experiment": "curves", "framework": framework, "device": "cpu"}
            base |= {"task": "quadratic", "method": "jvp", "seed": dim * 7 + len(law), "dim": dim}
            base |= {"distribution": law, "k": np.nan, "index": np.nan}
            parts.append(pd.DataFrame({**base, "step": np.arange(12), "measure": "loss", "value": np.arange(12.0)}))
            for k in KS:
                rows = {"k": k, "step": 0, "measure": "rel_error", "value": [k, 2 * k, 3 * k]}
                parts.append(pd.DataFrame({**base, **rows}))
            parts.append(pd.DataFrame({**base, "index": np.arange(4), "step": 0, "measure": "coord", "value": 0.5}))
            parts.append(pd.DataFrame({**base, "step": 0, "measure": "sample", "value": np.arange(9.0)}))
    return pd.concat(parts, ignore_index=True).assign(git_commit="abc123", profile="smoke")


@pytest.fixture
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A study folder on NOBP_STUDY_PATH, its tables and run records, claims, figures, a benchmark JSON."""
    package = tmp_path / "studies" / "tracktoy"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(STUDY_INIT))
    monkeypatch.setenv(STUDY_PATH_ENV, str(package.parent))
    monkeypatch.setattr(track, "MAX_POINTS_PER_MEASURE", 5)
    tables = tmp_path / "results" / "tables"
    table = write_table(_curves_table("pytorch"), tables / "tracktoy" / "curves_pytorch.parquet")
    record = {"wall_seconds": 12.5, "peak_bytes": 123456789, "source": "process peak RSS", "rows": 1}
    table.with_suffix(".run.json").write_text(json.dumps(record))
    claims = tmp_path / "results" / "claims.json"
    base = {"study": "tracktoy", "device": "cpu", "profile": "smoke", "git_commit": "abc123", "params_hash": "h"}
    write_json(
        [
            {**base, "claim": "T1", "framework": "pytorch", "verdict": "reproduced", "value": 1.01}
            | {"ci_low": 0.99, "ci_high": 1.03, "smallest_detectable": {"size": 0.02}},
            {**base, "claim": "T2", "framework": "none", "verdict": "inconclusive", "value": float("nan")}
            | {"ci_low": float("nan"), "ci_high": float("nan"), "smallest_detectable": None},
            {**base, "study": "other", "claim": "X9", "framework": "jax", "verdict": "reproduced", "value": 1.0}
            | {"ci_low": 1.0, "ci_high": 1.0, "smallest_detectable": None},
        ],
        claims,
    )
    figures = tmp_path / "results" / "figures"
    (figures / "tracktoy").mkdir(parents=True)
    (figures / "tracktoy" / "t1.png").write_bytes(b"png")
    report = tmp_path / "results" / "REPORT.md"
    report.write_text("# report\n")
    bench_dir = tmp_path / "results" / "benchmarks"
    bench_dir.mkdir()
    benches = [
        {"name": f"test_step[mlp-{step}]", "stats": {"median": median, "iqr": 0.1 * median, "rounds": 5}}
        | {"extra_info": {"framework": "pytorch", "device": "cpu", "model": "mlp", "step": step}}
        for step, median in (("forward", 0.002), ("bp", 0.006))
    ]
    (bench_dir / "pytorch.json").write_text(json.dumps({"benchmarks": benches}))
    return {"tables": tables, "claims": claims, "figures": figures, "report": report, "benchmarks": bench_dir}


@pytest.fixture(scope="module")
def uri(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One store for this module (creating a sqlite store costs seconds)."""
    return f"sqlite:///{tmp_path_factory.mktemp('store')}/mlflow.db"


def _runs(client, experiment: str) -> list:
    found = client.get_experiment_by_name(experiment)
    return client.search_runs([found.experiment_id], max_results=1000)


def _history(client, run, key: str) -> list[tuple[int, float]]:
    return [(m.step, m.value) for m in sorted(client.get_metric_history(run.info.run_id, key), key=lambda m: m.step)]


def test_track_all_layout_names_and_metrics(toy: dict[str, Path], uri: str) -> None:
    artifacts = [toy["report"], toy["figures"], toy["claims"]]
    run_ids = track.track_all(
        toy["tables"], {"seed": "7", "profile": "smoke"}, artifacts, toy["claims"], toy["benchmarks"], uri=uri
    )
    client = mlflow.MlflowClient(uri)
    experiment = client.get_experiment_by_name("tracktoy — Toy curves")
    assert experiment.tags[EXPERIMENT_KIND_TAG] == MACHINE_LEARNING_KIND
    assert experiment.tags["paper.toy2024"] == "Counting curves (Toy 2024), nowhere"
    assert "workflowType=machine_learning" in experiment.tags["mlflow.note.content"]
    urls = track.browse_urls(uri)
    assert urls[experiment.name].endswith(
        f"/#/experiments/{experiment.experiment_id}/runs?workflowType=machine_learning"
    )

    parent_id, claims_id, bench_id = run_ids  # the curves parent, the claims run, one microbench run
    parent = client.get_run(parent_id)
    assert parent.info.run_name == "curves · pytorch"
    assert parent.data.metrics["stage_wall_seconds"] == 12.5
    assert parent.data.metrics["stage_peak_bytes"] == 123456789
    assert parent.data.tags["memory_source"] == "process peak RSS" and parent.data.tags["git_commit"] == "abc123"
    assert parent.data.params["root_seed"] == "7"
    assert {a.path for a in client.list_artifacts(parent.info.run_id)} == {
        "curves_pytorch.parquet",
        "curves_pytorch.run.json",
    }
    runs = _runs(client, experiment.name)
    children = {r.info.run_name: r for r in runs if r.data.tags.get("mlflow.parentRunId") == parent_id}
    assert set(children) == {f"quadratic n={dim} {law}" for dim in DIMS for law in LAWS}
    child = children["quadratic n=20 sphere"]
    assert child.data.params["dim"] == "20" and child.data.tags["distribution"] == "sphere"
    assert "k" not in child.data.params and "index" not in child.data.params
    assert _history(client, child, "rel_error") == [(1, 2.0), (4, 8.0)]  # mean over blocks, step = k
    assert _history(client, child, "coord") == [(i, 0.5) for i in range(4)]  # step = index
    assert _history(client, child, "loss") == [(s, float(s)) for s in (0, 3, 6, 8, 11)]  # 12 steps, 5 kept
    assert child.data.metrics["sample_mean"] == 4.0 and "sample" not in child.data.metrics  # 9 rows > 5

    claims = client.get_run(claims_id)
    assert claims.info.run_name == "claims"
    assert claims.data.metrics["T1/pytorch/value"] == pytest.approx(1.01)
    assert claims.data.metrics["T1/pytorch/smallest_detectable"] == pytest.approx(0.02)
    assert claims.data.tags["verdict/T1/pytorch"] == "reproduced"
    assert claims.data.tags["verdict/T2/none"] == "inconclusive" and "T2/none/value" not in claims.data.metrics
    assert not any(key.startswith("X9") for key in claims.data.metrics)
    assert {a.path for a in client.list_artifacts(claims.info.run_id)} == {"claims.json", "REPORT.md", "tracktoy"}

    bench = client.get_run(bench_id)
    assert bench.info.run_name == "microbench · pytorch"
    assert bench.data.metrics["ratio_to_forward/mlp-bp"] == pytest.approx(3.0)


def test_track_all_tolerates_missing_inputs(toy: dict[str, Path], tmp_path: Path, uri: str) -> None:
    missing = tmp_path / "absent"
    (run_id,) = track.track_all(toy["tables"], {}, [missing], missing / "claims.json", missing, uri=uri)
    assert mlflow.MlflowClient(uri).get_run(run_id).info.run_name == "curves · pytorch"


def test_configuration_axes_are_fixed_by_the_seed() -> None:
    table = _curves_table("jax")
    assert track.configuration_axes(table, ("dim", "distribution", "k", "index")) == ("dim", "distribution")
    assert track.configuration_axes(table.drop(columns="k"), ("k",)) == ()


def test_curve_axis_makes_training_curves_run_along_iterations() -> None:
    """A declared ``curve_axis`` is the x of the step metrics (per-run traces averaged per iteration);
    without one, the first varying per-row axis is (here the run index, which would average over iterations)."""
    from benchmarks.study import ExperimentSpec

    rows = pd.DataFrame(
        {
            "method": "m",
            "task": "t",
            "seed": 1,
            "run": np.repeat([0, 1], 3),
            "step": np.tile([0, 10, 20], 2),
            "measure": "trace_error",
            "value": [4.0, 2.0, 1.0, 6.0, 4.0, 3.0],
        }
    )
    curves = ExperimentSpec("e", "m", "d", axes=("run",), curve_axis="step")
    wide = track.metric_frame(rows, track.CONFIG_COLUMNS, track.curve_series(curves, ()))
    assert wide["step"].tolist() == [0, 10, 20] and wide["trace_error"].tolist() == [5.0, 3.0, 2.0]
    default = ExperimentSpec("e", "m", "d", axes=("run",))
    assert track.curve_series(default, ()) == ("run", "step")


def test_claim_entries_log_an_undefined_detectable_size_as_nan() -> None:
    """A check whose smallest detectable defect is infinite is written to JSON as null: logged as NaN."""
    record = {"claim": "X1", "framework": "jax", "verdict": "inconclusive", "value": 1.0, "ci_low": 0.0}
    metrics, tags = track.claim_entries([record | {"ci_high": 2.0, "smallest_detectable": {"size": None}}])
    assert np.isnan(metrics["X1/jax/smallest_detectable"]) and metrics["X1/jax/value"] == 1.0
    assert tags["verdict/X1/jax"] == "inconclusive"
