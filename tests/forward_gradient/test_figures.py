"""The study's figures draw from small tables and read their bands from the claim objects."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.forward_gradient import claims
from benchmarks.forward_gradient.timing import step_cost_ratios
from benchmarks.plotting import make_study_figures
from tests.forward_gradient.budgets import TINY
from tests.forward_gradient.helpers import STUDY, run


def _step_cost_table() -> pd.DataFrame:
    rows = [
        {
            "study": "forward_gradient",
            "experiment": "step_cost",
            "framework": "jax",
            "device": "cpu",
            "task": "mlp",
            "method": method,
            "seed": 1,
            "step": step,
            "measure": "seconds",
            "value": scale * (1 + 0.01 * step),
            "dim": 10,
            "distribution": "gaussian",
        }
        for method, scale in (("fg_step", 3.0), ("jvp_only", 2.0), ("bp_step", 2.5), ("forward_only", 1.0))
        for step in range(5)
    ]
    return pd.DataFrame(rows)


def test_figures_draw_and_read_thresholds(tmp_path: Path) -> None:
    tables = {name: run(TINY, "jax", name) for name in ("estimator", "projection", "fgd")}
    tables["step_cost"] = _step_cost_table()
    captions = make_study_figures(STUDY, tables, tmp_path)
    assert set(captions) == {"f1_unbiasedness", "f2_variance", "b1_tangent_choice", "b4_k_tangents", "step_cost"}
    for stem in captions:
        assert (tmp_path / f"{stem}.png").stat().st_size > 0
    assert f"+-{claims.F2.threshold.tolerance:.0%}" in captions["f2_variance"]
    assert f"+-{claims.B4.threshold.cosine_tolerance:.0%}" in captions["b4_k_tangents"]


def test_step_cost_ratios() -> None:
    ratios = step_cost_ratios(_step_cost_table())
    assert np.isclose(ratios["fg_over_jvp"].iloc[0], 1.5) and np.isclose(ratios["r_b"].iloc[0], 2.5)
