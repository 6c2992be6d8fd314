"""The study's figures draw from small synthetic tables in the exact layout (censored runs, a framework or a task
missing in places), read their bands from the threshold objects, and the report sections give the expected rows."""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
import seaborn as sns

from benchmarks import plotting as pl
from benchmarks.alopex import figures, thresholds
from benchmarks.alopex.runs import EVALUATION, SWEEP
from benchmarks.plotting import make_study_figures
from benchmarks.study import load_study
from benchmarks.survival import km_median
from benchmarks.tables import measurements

STUDY = load_study("alopex")
RUNS, BUDGET = 8, 2000
PROVENANCE = {"git_commit": "abc1234", "profile": "smoke", "params_hash": "feed", "root_seed": 0}
VERSIONS = {"pytorch": {"torch_version": "2.5.1"}, "jax": {"jax_version": "0.4.35"}}
BASE = {"alopex94": 400.0, "alopex_b": 300.0, "backprop": 100.0, "squared": 300.0, "cross_entropy": 250.0}
TRACE_STEPS = np.arange(0, 110, 10)
SCALE = {"encoder_4_2_4": 1.5, "encoder_8_3_8": 3.0}  # iterations grow with the encoder's size
STEP_TRACES = ("temperature", "mean_abs_correlation", "downhill_fraction")  # NaN at row 0 (theta0)


def _identity(experiment: str, framework: str, task: str, method: str, **axes: object) -> dict[str, object]:
    return {
        "study": "alopex",
        "experiment": experiment,
        "framework": framework,
        "device": "cpu",
        "task": task,
        "method": method,
        "seed": 7,
        **axes,
    }


def _arm(
    experiment: str,
    framework: str,
    task: str,
    method: str,
    censored: int = 0,
    phase: str = EVALUATION,
    traces: tuple[str, ...] = (),
    **per_run: np.ndarray,
) -> pd.DataFrame:
    """RUNS runs of one arm: iterations BASE * (1 + 0.1 run), the last ``censored`` runs censored at BUDGET."""
    fixed = _identity(experiment, framework, task, method, phase=phase, step_size=0.05 if phase == SWEEP else 0.1)
    runs = np.arange(RUNS)
    iterations = BASE.get(method, 500.0) * SCALE.get(task, 1.0) * (1 + 0.1 * runs)
    reached = runs < RUNS - censored
    iterations = np.where(reached, iterations, BUDGET)
    if phase == SWEEP:  # the sweep must never leak into the figures: make it look very different
        iterations, reached = np.full(RUNS, float(BUDGET)), np.zeros(RUNS, bool)
    parts = [
        measurements(fixed, "iterations", iterations, run=runs),
        measurements(fixed, "reached", reached.astype(float), run=runs),
        measurements(fixed, "forward_passes", iterations * (3 if method == "backprop" else 1), run=runs),
        measurements(fixed, "final_error", np.where(reached, 0.01, 0.3), run=runs),
        measurements(fixed, "budget", np.full(RUNS, float(BUDGET)), run=runs),
        *(measurements(fixed, name, values, run=runs) for name, values in per_run.items()),
    ]
    for name in traces:
        grid = np.repeat(TRACE_STEPS, RUNS)
        decay = np.exp(-grid / 50.0) * (1 + 0.1 * np.tile(runs, len(TRACE_STEPS)))
        if name in STEP_TRACES:
            decay[grid == 0] = np.nan
        parts.append(measurements(fixed, f"trace_{name}", decay, step=grid, run=np.tile(runs, len(TRACE_STEPS))))
    return pd.concat(parts, ignore_index=True)


def _finish(parts: list[pd.DataFrame]) -> pd.DataFrame:
    table = pd.concat(parts, ignore_index=True)
    for column, value in PROVENANCE.items():
        table[column] = value
    for framework, versions in VERSIONS.items():
        for column, value in versions.items():
            table.loc[table["framework"] == framework, column] = value
    return table


ALOPEX_TRACES = ("error", "temperature", "mean_abs_correlation", "downhill_fraction")
LEARNING_TASKS = {
    "pytorch": ("xor", "parity3", "encoder_4_2_4", "encoder_8_3_8"),
    "jax": ("xor", "encoder_4_2_4", "encoder_8_3_8"),
}
LEARNING_METHODS = {
    "pytorch": ("alopex94", "alopex_b", "backprop"),
    "jax": ("alopex94", "backprop"),
}  # JAX: no parity3, no Alopex-B


def _learning_time() -> pd.DataFrame:
    parts = []
    for framework in ("pytorch", "jax"):
        for task in LEARNING_TASKS[framework]:
            for method in LEARNING_METHODS[framework]:
                censored = {("xor", "alopex94"): 1, ("parity3", "alopex94"): 5}.get((task, method), 0)
                traces = ALOPEX_TRACES if method != "backprop" else ("error", "grad_norm")
                parts.append(_arm("learning_time", framework, task, method, censored, traces=traces))
                parts.append(_arm("learning_time", framework, task, method, phase=SWEEP))
    return _finish(parts)


def _tables() -> dict[str, pd.DataFrame]:
    both = ("pytorch", "jax")
    accuracy = np.linspace(0.9, 1.0, RUNS)
    return {
        "learning_time": _learning_time(),
        "discontinuous": _finish(
            [
                _arm("discontinuous", fw, task, method, 2 if method == "alopex94" else RUNS, traces=("grad_norm",))
                for fw in both
                for task in ("xor", "parity3")
                for method in ("alopex94", "backprop")
            ]
        ),
        "recurrent": _finish(  # PyTorch only: a framework missing
            [
                _arm("recurrent", "pytorch", "temporal_xor", m, test_accuracy=accuracy - (m == "backprop") * 0.05)
                for m in ("alopex94", "backprop")
            ]
        ),
        "monks": _finish(
            [
                _arm(
                    "monks",
                    fw,
                    task,
                    m,
                    RUNS,
                    test_accuracy=accuracy - 0.01 * (m == "alopex94") - 0.1 * (task == "monks2"),
                )
                for fw in both
                for task in ("monks1", "monks2", "monks3")
                for m in ("alopex94", "backprop")
            ]
        ),
        "annealing": _finish(
            [
                _arm("annealing", fw, "xor", arm, censored, traces=("error",))
                for fw in both
                for arm, censored in (("annealed", 1), ("fixed_temperature", 6))
            ]
        ),
        "error_measure": _finish(
            [
                _arm("error_measure", fw, "xor", arm, 1, phase=phase)
                for fw in both
                for arm in ("squared", "cross_entropy")
                for phase in (SWEEP, EVALUATION)
            ]
        ),
        "iteration_cost": _iteration_cost(),
    }


SEEDS_BATCHED = (1, 8, 64)
COST = {"forward_only": 1.0, "alopex94": 1.5, "backprop": 3.0}


def _iteration_cost() -> pd.DataFrame:
    """Median seconds per iteration 1e-4 * COST * (1 + S / 64) (rounds spread symmetrically around it)."""
    parts = []
    for framework in ("pytorch", "jax"):
        for task in ("xor", "parity3"):
            for seeds in SEEDS_BATCHED:
                for method, scale in COST.items():
                    fixed = _identity("iteration_cost", framework, task, method, seeds_batched=seeds)
                    rounds = np.arange(5)
                    values = 1e-4 * scale * (1 + seeds / 64) * (1 + 0.01 * (rounds - 2))
                    parts.append(measurements(fixed, "seconds_per_iteration", values, step=rounds))
                    parts.append(measurements(fixed, "first_call_seconds", 0.5))
    return _finish(parts)


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return _tables()


def test_every_figure_draws(tables: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    captions = make_study_figures(STUDY, tables, tmp_path)
    assert set(captions) == {spec.id for spec in figures.FIGURES}
    assert len(captions) == 10
    for stem, caption in captions.items():
        assert (tmp_path / f"{stem}.png").stat().st_size > 0
        assert (tmp_path / f"{stem}.pdf").stat().st_size > 0
        assert "pytorch 2.5.1 on cpu" in caption and "commit abc1234" in caption.lower()
        if stem != "alopex_recurrent":  # the recurrent table has PyTorch only
            assert "jax 0.4.35 on cpu" in caption
    assert "jax" not in captions["alopex_recurrent"]
    assert f"{thresholds.A2.high:g}x" in captions["alopex_iterations"]
    assert "(more than half the runs censored; 1 such" in captions["alopex_iterations"]
    assert f"{thresholds.A1.band_low:.0%}" in captions["alopex_success"]


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """The figures drawn, by id, captured from plotting.finish without laying out or saving (saving is what
    takes the time, and test_every_figure_draws does it)."""
    captured: dict[str, object] = {}

    def capture(fig: object, stem: str, *args: object, **kwargs: object) -> None:
        captured[stem] = fig

    monkeypatch.setattr(pl, "finish", capture)
    return captured


def _draw(spec_id: str, tables: dict[str, pd.DataFrame], out: Path) -> None:
    spec = next(s for s in figures.FIGURES if s.id == spec_id)
    with mpl.rc_context():
        sns.set_theme(style="whitegrid", context="paper")
        spec.draw({name: tables[name] for name in spec.experiments}, out)


def _horizontal_lines(fig: object) -> set[float]:
    return {
        float(line.get_ydata()[0])
        for ax in fig.axes
        for line in ax.get_lines()
        if len(line.get_ydata()) == 2 and line.get_ydata()[0] == line.get_ydata()[1]
    }


def test_bands_come_from_the_thresholds(
    tables: dict[str, pd.DataFrame], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drawn: dict[str, object]
) -> None:
    monkeypatch.setattr(thresholds, "A2", thresholds.IterationRatio(high=7.25, far=13.5))
    monkeypatch.setattr(thresholds, "A4", thresholds.SuccessRate(band_low=0.615))
    monkeypatch.setattr(thresholds, "A6", thresholds.AccuracyMargin(margin=0.0425))
    monkeypatch.setattr(thresholds, "A8", thresholds.NonInferior(ratio_margin=1.35))
    for spec_id in ("alopex_iterations", "alopex_discontinuous", "alopex_monks", "alopex_error_measure"):
        _draw(spec_id, tables, tmp_path)
    assert {7.25, 13.5, 1.0} <= _horizontal_lines(drawn["alopex_iterations"])
    assert thresholds.IterationRatio().high not in _horizontal_lines(drawn["alopex_iterations"])
    assert 0.615 in _horizontal_lines(drawn["alopex_discontinuous"])
    assert -0.0425 in _horizontal_lines(drawn["alopex_monks"])
    assert 1.35 in _horizontal_lines(drawn["alopex_error_measure"])


def _row(section: dict, *key: str) -> dict:
    rows = [dict(zip(section["columns"], r, strict=True)) for r in section["rows"]]
    return next(r for r in rows if (r["framework"], r["device"], r["task"]) == key)


def test_report_sections(tables: dict[str, pd.DataFrame]) -> None:
    learning, cost = figures.report_sections(tables)
    assert learning["figure"] == "alopex_iterations" and cost["figure"] == "alopex_iteration_cost"
    assert [(r[0], r[2]) for r in learning["rows"]] == [
        ("pytorch", "xor"),
        ("pytorch", "parity3"),
        ("pytorch", "encoder_4_2_4"),
        ("pytorch", "encoder_8_3_8"),
        ("jax", "xor"),
        ("jax", "encoder_4_2_4"),
        ("jax", "encoder_8_3_8"),
    ]
    xor = _row(learning, "pytorch", "cpu", "xor")
    times = 400.0 * (1 + 0.1 * np.arange(RUNS))
    times[-1] = BUDGET
    expected = km_median(times, np.arange(RUNS) < RUNS - 1)
    assert xor["runs"] == RUNS and xor["Alopex-94 median"] == pytest.approx(expected) == pytest.approx(520.0)
    assert xor["backprop median"] == pytest.approx(130.0) and xor["Alopex-B median"] == pytest.approx(390.0)
    assert xor["Alopex-94 / backprop"] == pytest.approx(4.0)
    assert xor["Alopex-B / Alopex-94"] == pytest.approx(0.75)
    assert xor["interval"].startswith("[") and xor["interval (A9)"].startswith("[")
    parity = _row(learning, "pytorch", "cpu", "parity3")
    assert parity["Alopex-94 median"] == f"> {BUDGET}" and parity["Alopex-94 / backprop"] == np.inf
    jax = _row(learning, "jax", "cpu", "xor")
    assert jax["Alopex-B median"] is None and jax["Alopex-B / Alopex-94"] is None
    assert jax["Alopex-94 / backprop"] == pytest.approx(4.0)
    assert len(cost["rows"]) == 4
    row = _row(cost, "jax", "cpu", "parity3")
    assert row["seeds (most)"] == 64
    assert row["t(alopex94) / t(forward_only) at most seeds"] == pytest.approx(1.5)
    for method in COST:
        assert row[f"{method}: t(most seeds) / t(1 seed)"] == pytest.approx(2.0 / (1 + 1 / 64))


def test_figures_without_optional_parts(
    tables: dict[str, pd.DataFrame], tmp_path: Path, drawn: dict[str, object]
) -> None:
    """One framework, Alopex-94 alone, no traces, every run censored: still drawn and reported."""
    table = tables["learning_time"]
    only = table[
        (table["framework"] == "jax") & (table["method"] == "alopex94") & ~table["measure"].str.startswith("trace")
    ]
    censored = only.copy()
    censored.loc[censored["measure"] == "reached", "value"] = 0.0
    captions = make_study_figures(STUDY, {"learning_time": censored}, tmp_path)
    assert set(captions) == {"alopex_iterations", "alopex_success", "alopex_encoder_scaling", "alopex_traces"}
    assert set(drawn) == set(captions) and "pytorch" not in captions["alopex_iterations"]
    (section,) = figures.report_sections({"learning_time": censored})
    assert all(r[4] == f"> {BUDGET}" and r[5] is None and r[7] is None for r in section["rows"])
