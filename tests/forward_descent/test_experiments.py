"""The experiments run in both frameworks at a tiny budget: table layout, shared problems, determinism,
the same deterministic (true-gradient) outcomes in both frameworks, figures, and params validation."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from ruamel.yaml import YAML

from benchmarks.config import ParamsError, validate_params
from benchmarks.forward_descent import claims
from benchmarks.paths import PARAMS_PATH
from benchmarks.plotting import make_study_figures
from benchmarks.tables import check_columns
from tests.forward_descent.helpers import HONESTY, STUDY, TINY, run

EXPERIMENTS = ("descent_2d", "protocol", "dimension")


@pytest.fixture(scope="module")
def tables(real_tables: dict) -> dict[str, dict[str, pd.DataFrame]]:
    """Every experiment's table per framework (the session's real runs)."""
    return real_tables


def test_layout_and_claims(tables: dict) -> None:
    for fw, per_experiment in tables.items():
        for name, table in per_experiment.items():
            check_columns(table, STUDY.experiment(name).axes, f"{fw}/{name}")
        for claim in claims.CLAIMS:
            result = claim.evaluate({name: per_experiment[name] for name in claim.experiments})
            assert result.summary


def test_true_gradient_runs_agree_across_frameworks(tables: dict) -> None:
    def true_runs(fw: str) -> pd.DataFrame:
        t = tables[fw]["protocol"]
        keys = ["dim", "task", "optimizer", "start", "measure"]
        return t[(t["method"] == "backprop")].set_index(keys)["value"].sort_index()

    torch_runs, jax_runs = true_runs("pytorch"), true_runs("jax")
    solved = torch_runs.xs("solved", level="measure")
    np.testing.assert_array_equal(solved, jax_runs.xs("solved", level="measure"))
    for measure in ("initial_gap", "best_gap"):
        np.testing.assert_allclose(
            torch_runs.xs(measure, level="measure"), jax_runs.xs(measure, level="measure"), rtol=1e-4, atol=1e-4
        )
    f2d = {fw: tables[fw]["descent_2d"] for fw in tables}
    first = {
        fw: t[(t["method"] == "backprop") & (t["measure"] == "final_distance")]["value"].to_numpy()
        for fw, t in f2d.items()
    }
    np.testing.assert_allclose(first["pytorch"], first["jax"], rtol=1e-3)


def test_deterministic_for_a_seed(tables: dict) -> None:
    again = run(TINY, "pytorch", "protocol")
    pd.testing.assert_frame_equal(again, tables["pytorch"]["protocol"])


def test_figures_draw(tables: dict, tmp_path: Path) -> None:
    provenance = {"profile": "test", "git_commit": "abc", "params_hash": "x", "root_seed": 1}
    captions = make_study_figures(STUDY, {name: t.assign(**provenance) for name, t in tables["jax"].items()}, tmp_path)
    assert set(captions) == {spec.id for spec in STUDY.load_figures().FIGURES}
    assert f"+-{claims.B3.threshold.ratio_tolerance:.0%}" in captions["b3_dimension"]
    assert f"within {TINY.active.forward_descent.protocol.max_iterations} evaluations" in captions["b2_success_gap"]
    for stem in captions:
        assert (tmp_path / f"{stem}.png").stat().st_size > 0


def _data() -> dict:
    data = YAML(typ="safe").load(PARAMS_PATH.read_text())
    return copy.deepcopy(data)


@pytest.mark.parametrize(
    "key,value,message",
    [
        ("protocol.distributions", ["gaussian"], "profiles.default.forward_descent.protocol.distributions"),
        ("protocol.functions", ["ackley"], "profiles.default.forward_descent.protocol.functions"),
        ("descent_2d.stride", 7, "stride must divide iterations"),
        ("dimension.dims", [4, 2, 8], "not strictly increasing"),
    ],
)
def test_bad_params_name_the_key(key: str, value: object, message: str) -> None:
    data = _data()
    experiment, field = key.split(".")
    data["profiles"]["default"]["forward_descent"][experiment][field] = value
    with pytest.raises(ParamsError, match=message.replace(".", r"\.")):
        validate_params(data, studies=("forward_descent",))


def test_learning_curves_reach_mlflow_as_step_metrics(tables: dict) -> None:
    """The tracking engine logs each configuration's quantile curves at step = iteration (stride apart) and
    the per-seed outcomes against the seed index."""
    from benchmarks.track import CONFIG_COLUMNS, configuration_axes, metric_frame

    table = tables["jax"]["descent_2d"]
    config = configuration_axes(table, STUDY.experiment("descent_2d").axes)
    assert config == ("lr",)
    wide = metric_frame(table, (*CONFIG_COLUMNS, *config), ("start", "step"))
    cfg = HONESTY.active.forward_descent.descent_2d
    assert sorted(wide.dropna(subset=["loss_q50"])["step"].unique()) == list(range(0, cfg.iterations + 1, cfg.stride))
    assert wide["final_distance"].notna().sum() == (table["measure"] == "final_distance").sum()
