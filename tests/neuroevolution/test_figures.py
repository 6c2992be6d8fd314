"""The study's figures draw from small synthetic tables in the exact layouts (two frameworks, a method missing
on one environment), and the report sections give the expected rows."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.neuroevolution import figures, thresholds
from benchmarks.paths import CAPTIONS_FILE, SECTIONS_FILE
from benchmarks.plotting import make_study_figures
from benchmarks.study import load_study
from implementations.contracts.control_envs import MAZE_GOAL, MAZE_TRAP
from tests.neuroevolution.synthetic import (
    IN_PROCESS,
    LARGE,
    RAY,
    SMALL,
    decode_rows,
    scaling_table,
    search_table,
    size_rows,
    throughput_table,
)

STUDY = load_study("neuroevolution")
FRAMEWORKS = ("pytorch", "jax")
RUNS = 3


def _search(experiment: str, env: str, methods: tuple[str, ...], framework: str) -> pd.DataFrame:
    rng = np.random.default_rng(len(env))
    scores = {m: rng.normal(100, 10, RUNS) for m in methods}
    elite = {m: [list(np.sort(rng.normal(80, 10, 4))) for _ in range(RUNS)] for m in methods}
    initial = {m: [rng.normal(10, 2, 8) for _ in range(RUNS)] for m in methods if m != "es"}
    return search_table(experiment, env, scores, elite=elite, initial=initial or None, framework=framework)


def _maze(framework: str) -> pd.DataFrame:
    goal, trap = np.array(MAZE_GOAL), np.array(MAZE_TRAP)
    ends = {
        "novelty_search": [np.stack([goal, trap, trap + 1])] * RUNS,
        "ga": [np.stack([trap, trap, trap])] * RUNS,
        "es": [np.stack([trap, trap, trap])] * RUNS,
    }
    reached = {"novelty_search": [[0, 1, 2, 3]] * RUNS, "ga": [[0] * 4] * RUNS, "es": [[0] * 4] * RUNS}
    scores = {m: np.full(RUNS, -5.0) for m in ends}
    return search_table("maze", "deceptive_maze", scores, reached=reached, positions=ends, framework=framework)


def _tables() -> dict[str, pd.DataFrame]:
    theta = {(g, 0): np.linspace(-1, 1, 64, dtype=np.float32) for g in (0, 2)}
    index = np.arange(64)
    counts = thresholds.G3.counts
    seconds = {(IN_PROCESS, 1): np.full(5, 0.9), (RAY, 1): np.full(5, 1.0), (RAY, 2): np.full(5, 0.6)}
    traffic = {SMALL: np.full(5, 1000.0), LARGE: np.full(5, 1001.0)}
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in ("encoding", "control", "minatar", "maze")}
    parts |= {"scaling": [], "throughput": []}
    for fw in FRAMEWORKS:
        parts["encoding"] += [decode_rows(fw, theta, index), size_rows(fw, counts, [0, 1, 10, 100, 200, 1000])]
        methods = ("ga", "random_search", "es") if fw == "jax" else ("ga", "random_search")  # ES missing in one
        parts["control"].append(_search("control", "cartpole", methods, fw))
        parts["minatar"].append(_search("minatar", "minatar_breakout", ("ga", "random_search", "es"), fw))
        parts["maze"].append(_maze(fw))
        parts["scaling"].append(scaling_table(seconds, traffic, {SMALL: 386, LARGE: 4_054_814}, fw))
        parts["throughput"].append(throughput_table(fw, {"suite": np.full(3, 0.02), "library": np.full(3, 0.01)}))
    return {name: pd.concat(tables, ignore_index=True) for name, tables in parts.items()}


def test_every_figure_renders_with_captions_and_sections(tmp_path: Path) -> None:
    tables = _tables()
    captions = make_study_figures(STUDY, tables, tmp_path)
    assert set(captions) == {spec.id for spec in figures.FIGURES}
    for figure_id, caption in captions.items():
        assert (tmp_path / f"{figure_id}.png").stat().st_size > 10_000, figure_id
        assert (tmp_path / f"{figure_id}.pdf").exists() and figure_id in caption
        assert "pytorch" in caption and "jax" in caption  # where it ran
    assert f"{thresholds.G2.low:g}" in captions["neuroevolution_compression"]
    assert "475" in captions["neuroevolution_returns"]
    assert json.loads((tmp_path / CAPTIONS_FILE).read_text()) == captions
    sections = json.loads((tmp_path / SECTIONS_FILE).read_text())
    assert [s["title"] for s in sections] == [
        "Deep neuroevolution: final scores",
        "Deep neuroevolution: GA throughput",
        "Deep neuroevolution: the distributed GA",
    ]
    scaling = {(row[0], row[2], row[4], row[5]): row for row in sections[2]["rows"]}
    assert np.isclose(scaling[("jax", LARGE, RAY, 2)][7], 1.1 * 1001.0) and scaling[("jax", SMALL, RAY, 2)][6] == 0.6
    scores = sections[0]["rows"]
    # per framework: cartpole (2 or 3 methods), breakout (3), maze (3)
    assert len(scores) == 2 + 3 + 3 + 3 + 3 + 3
    assert {row[3] for row in scores} >= {"GA", "random search", "OpenAI-ES", "GA-NS"}
    throughput = {(row[0], row[2]): row[3] for row in sections[1]["rows"]}
    assert throughput[("jax", "suite GA")] == 20.0 and throughput[("pytorch", "library GA")] == 10.0


def test_maze_panel_counts_the_runs_that_reached_the_goal(tmp_path: Path) -> None:
    tables = {"maze": _maze("jax")}
    caption = figures.FIGURES[1].draw(tables, tmp_path)
    assert "neuroevolution_maze" in caption
    reached, budget = figures.success_by_method(tables["maze"])
    assert budget == 4000 and reached.groupby("method")["reached"].sum().to_dict() == {
        "es": 0,
        "ga": 0,
        "novelty_search": RUNS,
    }
