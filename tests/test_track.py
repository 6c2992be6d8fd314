"""The MLflow stage logs an experiment table as parent + child runs with per-step metrics."""

from __future__ import annotations

from pathlib import Path

import mlflow
import numpy as np

from benchmarks.config import flatten_params
from benchmarks.experiments import fgd
from benchmarks.experiments.common import RunContext
from benchmarks.frameworks import load_framework
from benchmarks.tables import write_table
from benchmarks.track import metric_frame, track_all
from tests.conftest import small_params


def test_fgd_table_is_logged_with_histories(tmp_path: Path):
    params = small_params(fgd={"dims": [2], "seeds": 3, "max_iterations": 500})
    ctx = RunContext(params=params, framework="pytorch", api=load_framework("pytorch", "cpu", 2), device="cpu")
    table = fgd.run(ctx).assign(git_commit="abc", profile="smoke")
    write_table(table, tmp_path / "tables" / "fgd_pytorch.parquet")
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    (parent,) = track_all(tmp_path / "tables", flatten_params(params), [], uri=uri)
    client = mlflow.MlflowClient(uri)
    run = client.get_run(parent)
    assert run.data.params["root_seed"] == str(params.seed) and run.data.tags["framework"] == "pytorch"
    children = client.search_runs([run.info.experiment_id], f"tags.mlflow.parentRunId = '{parent}'")
    assert len(children) == len(params.active.fgd.distributions)
    wide = metric_frame(table)
    child = children[0]
    history = client.get_metric_history(child.info.run_id, "iterations")
    expected = wide[wide["distribution"] == child.data.tags["distribution"]]["iterations"].dropna().to_numpy()
    np.testing.assert_allclose(sorted(m.value for m in history), sorted(expected))
