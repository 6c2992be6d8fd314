"""The study's figures draw from small tables and read their bands from the claim objects."""

from __future__ import annotations

from pathlib import Path

from benchmarks.forward_gradient import claims
from benchmarks.plotting import make_study_figures
from tests.forward_gradient.budgets import TINY
from tests.forward_gradient.helpers import STUDY, run


def test_figures_draw_and_read_thresholds(tmp_path: Path) -> None:
    tables = {name: run(TINY, "jax", name) for name in ("estimator", "projection", "fgd")}
    captions = make_study_figures(STUDY, tables, tmp_path)
    assert set(captions) == {"f1_unbiasedness", "f2_variance", "b1_tangent_choice", "b4_k_tangents"}
    for stem in captions:
        assert (tmp_path / f"{stem}.png").stat().st_size > 0
    assert f"+-{claims.F2.threshold.tolerance:.0%}" in captions["f2_variance"]
    assert f"+-{claims.B4.threshold.cosine_tolerance:.0%}" in captions["b4_k_tangents"]
