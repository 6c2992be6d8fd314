"""Figures: every expected PNG + PDF is written with a self-describing caption; step-cost ratios."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from benchmarks.figures import make_figures, step_cost_ratios

FRAMEWORKS = {"pytorch": ("torch_version", "2.13.0+cpu"), "jax": ("jax_version", "0.10.2")}
DEVICE = "cpu (x86_64, 2 threads)"
STEMS = ("f1_unbiasedness", "f2_variance", "b1_tangent_choice", "b4_k_tangents", "step_cost")


def _rows(experiment: str, framework: str, records: list[dict]) -> pd.DataFrame:
    column, version = FRAMEWORKS[framework]
    frame = pd.DataFrame(records)
    defaults = {
        "experiment": experiment,
        "framework": framework,
        "device": DEVICE,
        "method": "jvp",
        "seed": 0,
        "k": 0,
        "index": 0,
        "git_commit": "abc1234",
        "params_hash": "feedbeef",
        "profile": "smoke",
        "root_seed": 7,
        column: version,
    }
    for key, value in defaults.items():
        if key not in frame:
            frame[key] = value
    return frame


def _estimator(rng: np.random.Generator, framework: str) -> pd.DataFrame:
    records = []
    for dim in (2, 10):
        for dist in ("gaussian", "rademacher"):
            base = {"task": "quadratic", "dim": dim, "distribution": dist}
            theory = dim + 1 if dist == "gaussian" else dim - 1
            records.append(base | {"measure": "samples", "value": 16.0})
            for i in range(16):
                records.append(base | {"measure": "sq_error_ratio", "index": i, "value": theory * rng.gamma(4, 0.25)})
                records.append(base | {"measure": "cosine", "index": i, "value": rng.uniform(-1, 1)})
            for k in (1, 2, 4):
                for i in range(16 // k):
                    records.append(
                        base
                        | {
                            "measure": "relative_error",
                            "k": k,
                            "index": i,
                            "value": np.sqrt(theory / k) * rng.uniform(0.5, 1.5),
                        }
                    )
    return _rows("estimator", framework, records)


def _fgd(rng: np.random.Generator, framework: str) -> pd.DataFrame:
    records = [
        {
            "task": "isotropic_quadratic",
            "dim": dim,
            "distribution": dist,
            "measure": "iterations",
            "index": i,
            "seed": i,
            "value": float(rng.integers(10, 100) * dim),
        }
        for dim in (2, 10)
        for dist in ("gaussian", "sphere")
        for i in range(5)
    ]
    records[0]["value"] = np.nan  # one run that never reached the target
    return _rows("fgd", framework, records)


def _projection(rng: np.random.Generator, framework: str) -> pd.DataFrame:
    records = []
    for k in (1, 2, 4):
        for i in range(8):
            base = {"task": "quadratic", "dim": 50, "distribution": "gaussian", "k": k, "index": i}
            records.append(base | {"method": "mean", "measure": "sq_error_ratio", "value": 51 / k * rng.gamma(4, 0.25)})
            records.append(
                base | {"method": "mean", "measure": "cosine", "value": np.sqrt(k / 51) * rng.uniform(0.8, 1)}
            )
            records.append(
                base
                | {
                    "method": "projection",
                    "measure": "cosine",
                    "value": np.sqrt(k / 50) * rng.uniform(0.9, 1.1),
                }
            )
    return _rows("projection", framework, records)


STEP_SECONDS = {
    "fg_step": [1.0, 2.0, 3.0],
    "jvp_only": [1.0, 1.0, 1.0],
    "bp_step": [4.0, 4.0, 9.0],
    "forward_only": [0.5, 0.5, 0.1],
}


def _step_cost(framework: str, scale: float = 1.0) -> pd.DataFrame:
    records = []
    for dist in ("gaussian", "sphere"):
        for method, values in STEP_SECONDS.items():
            base = {"task": "mlp", "dim": 1000, "distribution": dist, "method": method}
            records.append(base | {"measure": "first_call_seconds", "value": 100.0})
            records += [
                base | {"measure": "seconds", "index": i, "value": v * scale * 1e-3} for i, v in enumerate(values)
            ]
    return _rows("step_cost", framework, records)


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(0)
    build = {
        "estimator": lambda f: _estimator(rng, f),
        "fgd": lambda f: _fgd(rng, f),
        "projection": lambda f: _projection(rng, f),
        "step_cost": _step_cost,
    }
    return {name: pd.concat([make(f) for f in FRAMEWORKS], ignore_index=True) for name, make in build.items()}


def test_make_figures_writes_every_figure_with_captions(tables, tmp_path):
    captions = make_figures(tables, tmp_path)
    assert sorted(captions) == sorted(STEMS)
    for stem in STEMS:
        for suffix in (".png", ".pdf"):
            path = tmp_path / f"{stem}{suffix}"
            assert path.exists() and path.stat().st_size > 1000, path
        caption = captions[stem]
        assert "pytorch 2.13.0+cpu on cpu (x86_64, 2 threads)" in caption
        assert "jax 0.10.2 on cpu (x86_64, 2 threads)" in caption
        assert "Profile smoke" in caption and "abc1234" in caption
    assert "S = 16 samples" in captions["f1_unbiasedness"]
    assert "S = 16 samples" in captions["f2_variance"]
    assert "5 starts per point" in captions["b1_tangent_choice"]
    assert "2 run(s) that never reached" in captions["b1_tangent_choice"]
    assert "8 repeats per K" in captions["b4_k_tangents"]
    assert "3 timed rounds per bar" in captions["step_cost"]
    assert "dims n = 2, 10" in captions["f1_unbiasedness"]
    on_disk = json.loads((tmp_path / "captions.json").read_text())
    assert on_disk == captions
    assert list(on_disk) == sorted(on_disk)


def test_missing_experiments_are_skipped(tables, tmp_path):
    captions = make_figures({"fgd": tables["fgd"]}, tmp_path)
    assert list(captions) == ["b1_tangent_choice"]
    assert not (tmp_path / "f1_unbiasedness.png").exists()


def test_step_cost_ratios_are_ratios_of_medians():
    table = pd.concat([_step_cost("pytorch"), _step_cost("jax", scale=2.0)], ignore_index=True)
    ratios = step_cost_ratios(table)
    assert list(ratios.columns) == [
        "framework",
        "device",
        "distribution",
        "fg_over_jvp",
        "r_f",
        "r_b",
        "bp_over_fg",
    ]
    assert list(ratios["framework"]) == ["pytorch", "pytorch", "jax", "jax"]
    assert list(ratios["distribution"]) == ["gaussian", "sphere"] * 2
    # medians: fg 2, jvp 1, bp 4, forward 0.5 (ms); ratios do not depend on the scale
    np.testing.assert_allclose(ratios["fg_over_jvp"], 2.0)
    np.testing.assert_allclose(ratios["r_f"], 4.0)
    np.testing.assert_allclose(ratios["r_b"], 8.0)
    np.testing.assert_allclose(ratios["bp_over_fg"], 2.0)


def test_step_cost_ratios_missing_kind_is_nan():
    table = _step_cost("pytorch")
    ratios = step_cost_ratios(table[table["method"] != "jvp_only"])
    assert ratios["fg_over_jvp"].isna().all()
    np.testing.assert_allclose(ratios["r_f"], 4.0)
