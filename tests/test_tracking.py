"""Tests for benchmarks.tracking, each against a temporary sqlite store (never the repo's mlflow.db)."""

from __future__ import annotations

import math
import multiprocessing
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchmarks import tracking
from benchmarks.paths import REPO_ROOT
from benchmarks.tracking import (
    EXPERIMENT_KIND_TAG,
    MACHINE_LEARNING_KIND,
    _batches,
    _Limits,
    ensure_experiment,
    init_tracking,
    log_run,
    log_table,
    runs_page_url,
    sanitize_name,
    tracking_uri,
)

mlflow = pytest.importorskip("mlflow")
from mlflow import MlflowClient  # noqa: E402
from mlflow.utils import validation  # noqa: E402


def _sqlite_uri(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def shared_uri(tmp_path_factory) -> str:
    """One store for the log_table tests (each test uses its own experiment)."""
    return init_tracking(_sqlite_uri(tmp_path_factory.mktemp("store") / "mlflow.db"))


def _runs(uri: str, experiment: str) -> list:
    client = MlflowClient(uri)
    experiment_id = client.get_experiment_by_name(experiment).experiment_id
    return client.search_runs([experiment_id], max_results=1000)


def _children(uri: str, experiment: str, parent_id: str) -> list:
    return [run for run in _runs(uri, experiment) if run.data.tags.get("mlflow.parentRunId") == parent_id]


# --------------------------------------------------------------------------- uri and store creation


def test_tracking_uri_env_override(monkeypatch, tmp_path):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", _sqlite_uri(tmp_path / "x.db"))
    assert tracking_uri() == _sqlite_uri(tmp_path / "x.db")
    monkeypatch.delenv("MLFLOW_TRACKING_URI")
    assert tracking_uri() == f"sqlite:///{REPO_ROOT.resolve()}/mlflow.db"
    assert tracking_uri().startswith("sqlite:////")


def test_init_tracking_idempotent(tmp_path, monkeypatch):
    uri = _sqlite_uri(tmp_path / "db" / "mlflow.db")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    assert init_tracking() == uri
    assert (tmp_path / "db" / "mlflow.db").exists()
    assert init_tracking(uri) == uri  # cached no-op
    tracking._INITIALISED.discard(uri)
    assert init_tracking(uri) == uri  # full path again on an existing store
    names = [e.name for e in MlflowClient(uri).search_experiments()]
    assert names == ["Default"]


def _init_and_ensure(uri: str, barrier) -> str:
    barrier.wait(timeout=120)
    init_tracking(uri)
    return ensure_experiment(MlflowClient(uri), "shared")


def _worker(uri: str, barrier, results) -> None:
    results.put(_init_and_ensure(uri, barrier))


def test_concurrent_init_in_two_processes(tmp_path):
    uri = _sqlite_uri(tmp_path / "fresh.db")
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    processes = [context.Process(target=_worker, args=(uri, barrier, results)) for _ in range(2)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=180)
    assert [process.exitcode for process in processes] == [0, 0]
    ids = {results.get(timeout=5) for _ in processes}
    assert len(ids) == 1
    experiment = MlflowClient(uri).get_experiment_by_name("shared")
    assert experiment.artifact_location == (tmp_path / "mlartifacts" / "shared").as_uri()


def test_ensure_experiment_existing_and_deleted(shared_uri):
    client = MlflowClient(shared_uri)
    first = ensure_experiment(client, "paper one", {"paper.x": "X (2020)"})
    assert ensure_experiment(client, "paper one", {"paper.x": "X (2021)"}) == first
    client.delete_experiment(first)
    assert ensure_experiment(client, "paper one") == first
    experiment = client.get_experiment(first)
    assert experiment.lifecycle_stage == "active"
    assert experiment.tags[EXPERIMENT_KIND_TAG] == MACHINE_LEARNING_KIND  # the UI's "machine learning" kind
    assert experiment.tags["paper.x"] == "X (2021)"  # tags kept current


def test_runs_page_url():
    url = runs_page_url("7", "http://localhost:5000/")
    assert url == "http://localhost:5000/#/experiments/7/runs?workflowType=machine_learning"


# --------------------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("train/loss", "train/loss"),
        ("acc@1 (%)", "acc_1 ___"),
        ("/a//b/", "a/b"),
        ("../x/./y", "_/x/_/y"),
        ("", "_"),
        ("ünï", "_n_"),
    ],
)
def test_sanitize_name(raw, clean):
    assert sanitize_name(raw) == clean
    validation._validate_metric_name(clean)


def test_batches_respect_limits():
    limits = _Limits(1000, 100, 1000, 250, 6000, 8000)
    metrics, params, tags = list(range(2500)), list(range(150)), list(range(130))
    batches = list(_batches(metrics, params, tags, limits))
    for m, p, t in batches:
        assert len(m) <= 1000 and len(p) + len(t) <= 100 and len(m) + len(p) + len(t) <= 1000
    assert [x for b in batches for x in b[0]] == metrics
    assert [x for b in batches for x in b[1]] == params
    assert [x for b in batches for x in b[2]] == tags
    assert len(batches) == 3


def test_limits_match_installed_mlflow():
    limits = tracking._limits()
    assert limits.metrics_per_batch == validation.MAX_METRICS_PER_BATCH
    assert limits.params_tags_per_batch == validation.MAX_PARAMS_TAGS_PER_BATCH
    assert limits.param_value_length == validation.MAX_PARAM_VAL_LENGTH


# --------------------------------------------------------------------------- log_table


def _table() -> pd.DataFrame:
    rows = []
    for method in ("ff", "dfa"):
        for seed in (0, 1):
            for epoch in (0, 1, 2):
                loss = 1.0 / (epoch + 1) + seed + (0.5 if method == "dfa" else 0.0)
                rows.append({"method": method, "seed": seed, "epoch": epoch, "loss": loss, "acc@1": epoch / 10})
    table = pd.DataFrame(rows)
    table.loc[1, "acc@1"] = np.nan  # ff, seed 0, epoch 1
    return table


def test_log_table_parent_children_metrics_artifacts(shared_uri, tmp_path):
    table = _table()
    csv = tmp_path / "table.csv"
    table.to_csv(csv, index=False)
    figures = tmp_path / "figures"
    figures.mkdir()
    (figures / "curve.png").write_bytes(b"png")
    long_value = "x" * (validation.MAX_PARAM_VAL_LENGTH + 500)
    parent_id = log_table(
        table,
        experiment="exp-main",
        run_name="smoke",
        run_keys=["method", "seed"],
        metric_columns=["loss", "acc@1"],
        step_column="epoch",
        params={"lr": "0.1", "long": long_value},
        tags={"profile": "smoke"},
        artifacts=[csv, figures],
        parent_metrics={"stage_wall_seconds": 3.5, "stage_peak_bytes": float("nan")},
        experiment_tags={"study": "main"},
        uri=shared_uri,
    )
    client = MlflowClient(shared_uri)
    parent = client.get_run(parent_id)
    assert parent.info.status == "FINISHED" and parent.info.run_name == "smoke"
    assert parent.data.metrics == {"stage_wall_seconds": 3.5}  # non-finite metrics are skipped
    assert client.get_experiment_by_name("exp-main").tags["study"] == "main"
    assert parent.data.params["lr"] == "0.1"
    assert len(parent.data.params["long"]) <= validation.MAX_PARAM_VAL_LENGTH
    assert parent.data.params["long"].startswith("xxx") and "truncated" in parent.data.params["long"]
    assert parent.data.tags["profile"] == "smoke"
    assert {a.path for a in client.list_artifacts(parent_id)} == {"table.csv", "figures"}
    assert [a.path for a in client.list_artifacts(parent_id, "figures")] == ["figures/curve.png"]
    experiment = client.get_experiment_by_name("exp-main")
    root = Path(tracking.sqlite_db_path(shared_uri)).parent / "mlartifacts" / "exp-main"
    assert experiment.artifact_location == root.as_uri()
    assert (root / parent_id / "artifacts" / "table.csv").exists()

    children = _children(shared_uri, "exp-main", parent_id)
    assert sorted(c.info.run_name for c in children) == [f"method={m} seed={s}" for m in ("dfa", "ff") for s in "01"]
    for child in children:
        assert child.info.status == "FINISHED"
        method, seed = child.data.tags["method"], child.data.tags["seed"]
        assert child.data.params["method"] == method and child.data.params["seed"] == seed
        assert child.data.params["lr"] == "0.1" and child.data.tags["profile"] == "smoke"
        assert child.data.tags["step_source"] == "epoch"
        rows = table[(table["method"] == method) & (table["seed"] == int(seed))]
        for column, key in (("loss", "loss"), ("acc@1", "acc_1")):
            history = client.get_metric_history(child.info.run_id, key)
            expected = [(int(s), v) for s, v in zip(rows["epoch"], rows[column], strict=True) if not math.isnan(v)]
            assert sorted((m.step, m.value) for m in history) == expected
    ff0 = next(c for c in children if c.data.tags["method"] == "ff" and c.data.tags["seed"] == "0")
    assert [m.step for m in client.get_metric_history(ff0.info.run_id, "acc_1")] == [0, 2]


def test_log_run_and_child_names(shared_uri, tmp_path):
    note = tmp_path / "note.md"
    note.write_text("hello")
    run_id = log_run(
        experiment="exp-single",
        run_name="claims",
        params={"profile": "smoke"},
        tags={"verdict/F1/jax": "reproduced"},
        metrics={"F1/jax/value": 1.5, "F1/jax/ci_low": float("nan")},
        artifacts=[note],
        uri=shared_uri,
    )
    client = MlflowClient(shared_uri)
    run = client.get_run(run_id)
    assert run.info.run_name == "claims" and run.info.status == "FINISHED"
    assert run.data.metrics == {"F1/jax/value": 1.5} and run.data.tags["verdict/F1/jax"] == "reproduced"
    assert [a.path for a in client.list_artifacts(run_id)] == ["note.md"]
    parent_id = log_table(
        _table(),
        experiment="exp-single",
        run_name="named",
        run_keys=["method", "seed"],
        metric_columns=["loss"],
        step_column="epoch",
        params={},
        tags={},
        child_name=lambda keys: f"{keys['method']} #{keys['seed']}",
        uri=shared_uri,
    )
    names = sorted(c.info.run_name for c in _children(shared_uri, "exp-single", parent_id))
    assert names == ["dfa #0", "dfa #1", "ff #0", "ff #1"]


def test_log_table_row_index_steps(shared_uri):
    table = pd.DataFrame({"task": ["a", "a", "a", "b"], "step": [5, 5, 7, 9], "loss": [3.0, 2.0, 1.0, 4.0]})
    parent_id = log_table(
        table,
        experiment="exp-steps",
        run_name="dup",
        run_keys=["task"],
        metric_columns=["loss"],
        step_column="step",
        params={},
        tags={},
        uri=shared_uri,
    )
    client = MlflowClient(shared_uri)
    by_task = {c.data.tags["task"]: c for c in _children(shared_uri, "exp-steps", parent_id)}
    history_a = client.get_metric_history(by_task["a"].info.run_id, "loss")
    assert sorted((m.step, m.value) for m in history_a) == [(0, 3.0), (1, 2.0), (2, 1.0)]
    assert by_task["a"].data.tags["step_source"] == "row_index"
    history_b = client.get_metric_history(by_task["b"].info.run_id, "loss")
    assert [(m.step, m.value) for m in history_b] == [(9, 4.0)]


def test_log_table_batches_large_child(shared_uri, monkeypatch):
    n = 2600
    table = pd.DataFrame({"seed": 0, "step": np.arange(n), "loss": np.linspace(1, 0, n)})
    params = {f"p{i}": str(i) for i in range(150)}
    calls = []
    original = MlflowClient.log_batch

    def spy(self, run_id, metrics=(), params=(), tags=(), synchronous=None):
        calls.append((len(metrics), len(params), len(tags)))
        return original(self, run_id, metrics=metrics, params=params, tags=tags, synchronous=synchronous)

    monkeypatch.setattr(MlflowClient, "log_batch", spy)
    parent_id = log_table(
        table,
        experiment="exp-large",
        run_name="large",
        run_keys=["seed"],
        metric_columns=["loss"],
        step_column=None,
        params=params,
        tags={},
        uri=shared_uri,
    )
    for m, p, t in calls:
        assert m <= validation.MAX_METRICS_PER_BATCH and p <= 100 and t <= 100 and m + p + t <= 1000
    assert len(calls) <= 6
    (child,) = _children(shared_uri, "exp-large", parent_id)
    history = MlflowClient(shared_uri).get_metric_history(child.info.run_id, "loss")
    assert len(history) == n and len(child.data.params) == 151


def test_log_table_failure_marks_runs_failed(shared_uri, monkeypatch):
    original = MlflowClient.log_batch
    calls = []

    def flaky(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("boom")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(MlflowClient, "log_batch", flaky)
    with pytest.raises(RuntimeError, match="boom"):
        log_table(
            _table(),
            experiment="exp-fail",
            run_name="fail",
            run_keys=["method", "seed"],
            metric_columns=["loss"],
            step_column="epoch",
            params={},
            tags={},
            uri=shared_uri,
        )
    runs = _runs(shared_uri, "exp-fail")
    assert len(runs) == 4  # parent (no params/tags: no batch) + three children, the third failing
    assert {run.info.status for run in runs} == {"FAILED"}


def test_log_table_rejects_bad_input_before_creating_runs(shared_uri, tmp_path):
    arguments = dict(
        experiment="exp-bad",
        run_name="bad",
        run_keys=["method"],
        step_column=None,
        params={},
        tags={},
        uri=shared_uri,
    )
    with pytest.raises(ValueError, match="missing"):
        log_table(_table(), metric_columns=["missing"], **arguments)
    with pytest.raises(FileNotFoundError):
        log_table(_table(), metric_columns=["loss"], artifacts=[tmp_path / "nope.csv"], **arguments)
    with pytest.raises(ValueError, match="step column"):
        log_table(_table().assign(epoch=np.nan), metric_columns=["loss"], **{**arguments, "step_column": "epoch"})
    with pytest.raises(ValueError, match="both map"):
        log_table(_table().assign(**{"acc_1": 0.0}), metric_columns=["acc@1", "acc_1"], **arguments)
    assert MlflowClient(shared_uri).get_experiment_by_name("exp-bad") is None
