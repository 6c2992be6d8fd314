"""The study's figures draw from tables in the experiments' layout (synthetic here; two frameworks for the
error-vs-eps figure), read their bands from the claim objects, and the report section carries the F10a slopes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.forward_variants import claims
from benchmarks.forward_variants.figures import report_sections
from benchmarks.plotting import make_study_figures
from tests.forward_variants.helpers import STUDY
from tests.forward_variants.synthetic import binary_table, fd_table, perturbation_table, step_table


def _both(build) -> pd.DataFrame:
    return pd.concat([build("pytorch"), build("jax")], ignore_index=True)


def test_figures_draw_and_read_thresholds(tmp_path: Path) -> None:
    eps = 2.0 ** -np.arange(1, 13)
    tables = {
        "fd_agreement": _both(lambda fw: fd_table(eps, 32, framework=fw)),
        "step_net": step_table({"xor_2-4-1": np.full(8, 0.9)}),
        "binary_net": binary_table(np.full(6, 0.6), np.full(6, 0.85)),
        "perturbation": perturbation_table({0: 80.0, 1: 40.0}),
    }
    captions = make_study_figures(STUDY, tables, tmp_path)
    assert set(captions) == {"f10a_fd_vs_jvp", "f10_step_network", "f11_binary_network", "b5_perturbation"}
    for stem in captions:
        assert (tmp_path / f"{stem}.png").stat().st_size > 0
    assert f"band {claims.F10.threshold.accuracy_band:g}" in captions["f10_step_network"]
    assert f"band {claims.F11.threshold.accuracy_band:g}" in captions["f11_binary_network"]
    (section,) = report_sections(tables)
    assert section["figure"] == "f10a_fd_vs_jvp" and len(section["rows"]) == 8  # 2 tasks x 2 differences x 2 frameworks
