"""The study's figures draw from tables in the experiments' layout, name the paper's anchor and the data
set, and the report section lists the step-cost figures against the issue's targets."""

from __future__ import annotations

from pathlib import Path

from benchmarks.forward_training import claims
from benchmarks.forward_training.figures import report_sections
from benchmarks.plotting import make_study_figures
from benchmarks.study import load_study
from tests.forward_training import synthetic


def test_figures_draw(tmp_path: Path) -> None:
    tables = {
        "step_cost": synthetic.step_cost(0.9),
        "depth": synthetic.depth(0.1),
        "memory": synthetic.memory({(2, 64): 1.2, (2, 256): 0.9, (1, 64): 1.1}),
        "same_lr": synthetic.same_lr(1.1, 1.0),
        "tuned_lr": synthetic.tuned_lr(0.3),
    }
    captions = make_study_figures(load_study("forward_training"), tables, tmp_path)
    assert set(captions) == {"f4_step_cost", "f5_f6_same_lr", "f7_tuned_lr", "f8_memory", "f9_depth"}
    for stem in captions:
        assert (tmp_path / f"{stem}.png").stat().st_size > 0
    assert f"{claims.F4.threshold.anchor:g}" in captions["f4_step_cost"] and "mnist" in captions["f4_step_cost"]
    assert "synthetic exact counts" in captions["f8_memory"]
    (section,) = report_sections(tables)
    labels = [row[2] for row in section["rows"]]
    assert "t(FG)/t(JVP) Rademacher" in labels and "suite BP / hand-written BP" in labels
