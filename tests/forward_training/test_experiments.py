"""The study's experiments run end to end on a tiny budget (PyTorch: no compilation, so this stays quick;
the JAX implementations, and the determinism of a run for a given seed, are exercised by the contract
checks) and write tables in the declared layout: the data set named in every task, paired runs sharing
their seed, each method's selected learning rate recorded."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchmarks.study import load_study
from tests.conftest import load_methods, run_context, small_params

STUDY = load_study("forward_training")
NETS = {"hidden": [8], "channels": 2, "fc": 8}
TINY = small_params(
    forward_training={
        "step_cost": {
            "models": ["logreg", "mlp"],
            "networks": NETS,
            "batch": 8,
            "ks": [1, 2],
            "repeats": 5,
            "cnn_repeats": 5,
            "warmup": 0,
            "kinds": ["forward", "fg", "bp", "minimal_fg", "minimal_bp"],
        },
        "depth": {"width": 8, "depths": [1, 2, 3], "batch": 8, "repeats": 5, "warmup": 0},
        "memory": {
            "models": ["mlp", "cnn"],
            "networks": NETS,
            "batch": 8,
            "batches": [4, 8],
            "width": 8,
            "depths": [1, 2],
            "references": True,
        },
        "same_lr": {
            "networks": NETS,
            "seeds": 2,
            "steps": {"mlp": 8, "logreg": 8},
            "records": 4,
            "eval_size": 50,
            "evaluations": 2,
        },
        "tuned_lr": {"networks": NETS, "seeds": 2, "sweep_seeds": 1, "steps": 8, "records": 4, "eval_size": 50},
    }
)


def _run(name: str) -> pd.DataFrame:
    methods = load_methods("pytorch", STUDY.experiment(name).methods)
    return STUDY.load_experiment(name).run(run_context(TINY, "forward_training", name, "pytorch", methods))


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {spec.name: _run(spec.name) for spec in STUDY.experiments}


def test_layout_and_data_named(tables: dict[str, pd.DataFrame]) -> None:
    for spec in STUDY.experiments:
        table = tables[spec.name]
        assert {*spec.axes} <= set(table.columns), spec.name
        assert table["task"].str.contains(" on digits").all(), spec.name
        assert np.isfinite(table.loc[table["measure"].isin(["seconds", "peak_bytes", "train_loss"]), "value"]).all()
    assert set(tables["step_cost"]["model"]) == {"logreg", "mlp"}
    memory = tables["memory"]
    assert (memory["mechanism"].str.len() > 0).all() and set(memory["batch"]) == {4, 8}


def test_pairs_share_seeds_and_targets(tables: dict[str, pd.DataFrame]) -> None:
    same = tables["same_lr"]
    seeds = same.groupby("method")["seed"].apply(lambda s: sorted(set(s)))
    assert seeds["forward_gradient"] == seeds["backprop"]
    final = tables["tuned_lr"]
    assert set(final["phase"]) == {"sweep", "final"}
    selected = final[(final["measure"] == "selected") & (final["value"] > 0.5)]
    assert sorted(set(selected["method"])) == ["backprop", "forward_gradient"]
