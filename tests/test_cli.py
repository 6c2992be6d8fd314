"""Bad input stops a stage before any compute, with a message naming the key and the valid choices, and
never destroys what an earlier run wrote."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from benchmarks import stages
from benchmarks.config import load_params
from benchmarks.runner import run_experiment
from benchmarks.study import load_study
from benchmarks.tables import write_table


@pytest.fixture(scope="module")
def study():
    return load_study("forward_gradient")


def test_unknown_names_are_named_with_choices(tmp_path, study):
    params = load_params()
    with pytest.raises(ValueError, match="unknown study 'bogus'; valid: .*forward_gradient"):
        load_study("bogus")
    with pytest.raises(ValueError, match="has no experiment 'bogus'; valid: estimator, projection, fgd"):
        run_experiment(params, study, "bogus", "pytorch", tmp_path)
    with pytest.raises(ValueError, match="unknown framework 'tensorflow'; valid: pytorch, jax"):
        run_experiment(params, study, "estimator", "tensorflow", tmp_path)


def test_invalid_params_file_stops_the_stage_with_exit_2(tmp_path, monkeypatch):
    bad = tmp_path / "params.yaml"
    bad.write_text("profile: smok\nseed: 1\ntarget: cpu\nthreads: 2\nframeworks: [pytorch]\nprofiles: {}\n")
    monkeypatch.setattr("benchmarks.config.PARAMS_PATH", bad)
    result = CliRunner().invoke(stages.app, ["run", "forward_gradient", "estimator", "--framework", "pytorch"])
    assert result.exit_code == 2
    assert "profile" in result.output and "smoke" in result.output


def test_unknown_study_stops_the_stage_with_exit_2():
    result = CliRunner().invoke(stages.app, ["claims", "alopecia"])
    assert result.exit_code == 2 and "unknown study 'alopecia'" in result.output


def test_failed_run_keeps_the_previous_table(tmp_path, study):
    path = write_table(pd.DataFrame({"experiment": ["estimator"], "value": [1.0]}), tmp_path / "estimator_jax.parquet")
    with pytest.raises(ValueError):
        run_experiment(load_params(), study, "estimator", "tensorflow", tmp_path)
    assert pd.read_parquet(path)["value"].tolist() == [1.0]
    assert not list(tmp_path.rglob("*.tmp"))


@pytest.mark.parametrize("framework", ["pytorch", "jax"])
def test_unavailable_gpu_target_is_a_clear_error(framework):
    from implementations.registry import load_backend

    try:
        load_backend(framework, "cuda:7", 2)
    except RuntimeError as err:
        assert "cuda:7" in str(err) and ("cpu" in str(err) or "GPU" in str(err))
    else:  # a machine with eight GPUs: the target is valid there
        pytest.skip("cuda:7 exists here")
    finally:
        load_backend(framework, "cpu", 2)
