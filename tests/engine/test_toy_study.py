"""A new study is one folder: a toy study written to a temporary directory runs through the whole engine
(discovery, params validation, runner, table contract, claim evaluation by scope, figures, report, pipeline
generation) without touching any central list."""

from __future__ import annotations

import json
import textwrap

import pytest

from benchmarks import config, study
from benchmarks.claims import evaluate_study
from benchmarks.pipeline import pipeline
from benchmarks.plotting import make_study_figures
from benchmarks.report import write_report
from benchmarks.runner import run_experiment
from benchmarks.tables import load_study_tables
from benchmarks.verdicts import NOT_REPRODUCED, REPRODUCED

FILES = {
    "__init__.py": """
        from benchmarks.study import ExperimentSpec, Paper, Study

        STUDY = Study(
            name="toystudy",
            title="A toy study",
            papers=(Paper("toy2024", "Counting coins", "Toy", 2024, "nowhere"),),
            params_model="toystudy.params:ToyParams",
            experiments=(
                ExperimentSpec(name="coins", module="toystudy.coins", description="flip coins",
                               axes=("bias",), per_framework=False),
            ),
            claims_module="toystudy.claims",
            figures_module="toystudy.figures",
        )
    """,
    "params.py": """
        from pydantic import BaseModel, Field

        from benchmarks.params_fields import STRICT


        class CoinsParams(BaseModel):
            model_config = STRICT
            flips: int = Field(ge=10, description="int >= 10")
            bias: float = Field(ge=0.0, le=1.0, description="float in [0, 1]")


        class ToyParams(BaseModel):
            model_config = STRICT
            coins: CoinsParams = Field(description="mapping with keys flips, bias")
    """,
    "coins.py": """
        import numpy as np

        from benchmarks.tables import measurements


        def run(ctx):
            rng = np.random.default_rng(ctx.root_seed)
            flips = rng.random(ctx.config.flips) < ctx.config.bias
            fixed = ctx.identity(task="coin", method="flip", seed=ctx.root_seed, bias=ctx.config.bias)
            return measurements(fixed, "heads", flips.astype(float), step=np.arange(flips.size))
    """,
    "claims.py": """
        from benchmarks.claims import Band, CheckResult, Claim, Scope
        from benchmarks.stats import mean_ci
        from benchmarks.verdicts import band_verdict


        def check(tables, threshold):
            heads = tables["coins"]["value"].to_numpy()
            mean, low, high = mean_ci(heads, threshold.confidence)
            verdict = band_verdict(low, high, threshold.low, threshold.high)
            return CheckResult(verdict, mean, low, high, f"{heads.size} flips")


        CLAIMS = (
            Claim(id="T1", paper="toy2024", provenance="paper", statement="the coin is fair",
                  metric="fraction of heads", threshold=Band("the fraction of heads", 0.45, 0.55),
                  scope=Scope.FRAMEWORK_FREE, experiments=("coins",), figure="heads", check=check),
        )
    """,
    "figures.py": """
        from matplotlib.figure import Figure

        from benchmarks.plotting import FigureSpec, finish


        def draw(tables, out_dir):
            fig = Figure(figsize=(3, 2))
            fig.subplots().plot(tables["coins"]["value"].cumsum().to_numpy())
            caption = "Figure heads: cumulative heads."
            finish(fig, "heads", caption, out_dir)
            return caption


        FIGURES = (FigureSpec("heads", ("coins",), draw),)
    """,
}


def _params_yaml(bias: float) -> str:
    return textwrap.dedent(f"""\
        profile: smoke
        seed: 7
        target: cpu
        threads: 1
        frameworks: [pytorch, jax]
        profiles:
          smoke:
            microbench: {{side: 4, hidden: [2], channels: 1, fc: 2, batch: 2, rounds: 3, warmup_rounds: 0}}
            toystudy:
              coins: {{flips: 4000, bias: {bias}}}
        """)


@pytest.fixture()
def toy(tmp_path, monkeypatch):
    package = tmp_path / "studies" / "toystudy"
    package.mkdir(parents=True)
    for name, text in FILES.items():
        (package / name).write_text(textwrap.dedent(text))
    monkeypatch.setenv(study.STUDY_PATH_ENV, str(tmp_path / "studies"))
    config.params_model.cache_clear()
    yield tmp_path
    config.params_model.cache_clear()


@pytest.mark.parametrize(("bias", "verdict"), [(0.5, REPRODUCED), (0.6, NOT_REPRODUCED)])
def test_toy_study_runs_through_the_engine(toy, bias, verdict):
    assert "toystudy" in study.study_packages()
    toy_study = study.load_study("toystudy")
    params_file = toy / "params.yaml"
    params_file.write_text(_params_yaml(bias))
    params = config.load_params(params_file, studies=("toystudy",))
    tables_dir = toy / "tables"
    path = run_experiment(params, toy_study, "coins", "none", tables_dir)
    assert path == tables_dir / "toystudy" / "coins_none.parquet"
    assert json.loads(path.with_suffix(".run.json").read_text())["wall_seconds"] >= 0
    tables = load_study_tables("toystudy", tables_dir)
    records = evaluate_study(toy_study, tables)
    assert [(r["claim"], r["framework"], r["verdict"]) for r in records] == [("T1", "none", verdict)]
    captions = make_study_figures(toy_study, tables, toy / "figures" / "toystudy")
    assert (toy / "figures" / "toystudy" / "heads.png").exists() and "heads" in captions
    write_report(records, {"figures/toystudy/heads.png": captions["heads"]}, toy / "REPORT.md")
    report = (toy / "REPORT.md").read_text()
    assert "T1" in report and verdict in report and "cumulative heads" in report
    stages = pipeline({"toystudy": toy_study})["stages"]
    assert "run-toystudy-coins-none" in stages and "claims-toystudy" in stages


def test_bad_toy_params_name_the_key(toy):
    params_file = toy / "params.yaml"
    params_file.write_text(_params_yaml(1.5))
    with pytest.raises(config.ParamsError, match=r"profiles\.smoke\.toystudy\.coins\.bias"):
        config.load_params(params_file, studies=("toystudy",))


def test_wrong_framework_for_a_framework_free_experiment(toy):
    params_file = toy / "params.yaml"
    params_file.write_text(_params_yaml(0.5))
    params = config.load_params(params_file, studies=("toystudy",))
    with pytest.raises(ValueError, match="framework-free"):
        run_experiment(params, study.load_study("toystudy"), "coins", "pytorch", toy / "tables")
