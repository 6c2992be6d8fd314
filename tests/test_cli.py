"""Bad input stops a stage before any compute, with a message naming the key and the valid choices, and
never destroys what an earlier run wrote."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from benchmarks import cli
from benchmarks.config import load_params
from benchmarks.experiments.runner import run_experiment
from benchmarks.tables import write_table
from tests.conftest import small_params


def test_unknown_experiment_and_framework_are_named_with_choices(tmp_path):
    params = small_params()
    with pytest.raises(ValueError, match="unknown experiment 'bogus'; valid: estimator, projection, fgd, step_cost"):
        run_experiment(params, "bogus", "pytorch", tmp_path)
    with pytest.raises(ValueError, match="unknown framework 'tensorflow'; valid: pytorch, jax"):
        run_experiment(params, "estimator", "tensorflow", tmp_path)


def test_invalid_params_file_stops_cli_with_exit_2(tmp_path, monkeypatch):
    bad = tmp_path / "params.yaml"
    bad.write_text("profile: smok\nseed: 1\ntarget: cpu\nthreads: 2\nframeworks: [pytorch]\nprofiles: {}\n")
    monkeypatch.setattr(cli, "load_params", lambda: load_params(bad))
    result = CliRunner().invoke(cli.app, ["run", "estimator", "--framework", "pytorch"])
    assert result.exit_code == 2
    assert "profile" in result.output and "smoke" in result.output


def test_failed_run_keeps_the_previous_table(tmp_path):
    path = write_table(pd.DataFrame({"experiment": ["estimator"], "value": [1.0]}), tmp_path / "estimator_jax.parquet")
    with pytest.raises(ValueError):
        run_experiment(small_params(), "estimator", "tensorflow", tmp_path)
    assert pd.read_parquet(path)["value"].tolist() == [1.0]
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.parametrize("framework", ["pytorch", "jax"])
def test_unavailable_gpu_target_is_a_clear_error(framework):
    from benchmarks.frameworks import load_framework

    try:
        load_framework(framework, "cuda:7", 2)
    except RuntimeError as err:
        assert "cuda:7" in str(err) and ("cpu" in str(err) or "GPU" in str(err))
    else:  # a machine with eight GPUs: the target is valid there
        pytest.skip("cuda:7 exists here")
    finally:
        load_framework(framework, "cpu", 2)
