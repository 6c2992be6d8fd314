"""``nobp`` — the suite's command line; every DVC stage is one of these commands.

    nobp datasets build|verify|pin      build datasets/ offline and check it against datasets.dvc
    nobp params check                   validate params.yaml
    nobp run EXPERIMENT --framework F   one experiment, one framework -> results/tables/
    nobp claims                         tables -> results/claims.json
    nobp figures                        tables -> results/figures/*.png|pdf
    nobp report                         claims + figures -> results/REPORT.md
    nobp track                          tables, figures, claims, report -> MLflow

Every command validates params.yaml first: a bad value stops it before any compute.
"""

from __future__ import annotations

import json
import sys
import time

import typer

from benchmarks.config import ParamsError, load_params
from benchmarks.config import app as params_app
from benchmarks.datasets.cli import app as datasets_app
from benchmarks.paths import FIGURES_DIR, RESULTS_DIR, TABLES_DIR

app = typer.Typer(help="Reproducibility suite for training without backpropagation.", no_args_is_help=True)
app.add_typer(datasets_app, name="datasets")
app.add_typer(params_app, name="params")

CLAIMS_JSON = RESULTS_DIR / "claims.json"
REPORT_MD = RESULTS_DIR / "REPORT.md"


def _params():  # noqa: ANN202 - returns the validated Params model
    try:
        return load_params()
    except ParamsError as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(2) from err


@app.command()
def run(
    experiment: str = typer.Argument(..., help="estimator | projection | fgd | step_cost"),
    framework: str = typer.Option(..., "--framework", "-f", help="pytorch | jax"),
) -> None:
    """Run one experiment in one framework and write its tidy table."""
    from benchmarks.experiments.runner import run_experiment

    params = _params()
    start = time.perf_counter()
    try:
        path = run_experiment(params, experiment, framework)
    except (ValueError, RuntimeError) as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from err
    typer.echo(f"wrote {path} in {time.perf_counter() - start:.1f} s")


@app.command()
def claims() -> None:
    """Evaluate every registered claim on the tables -> results/claims.json."""
    from benchmarks.claims.evaluate import evaluate_claims, write_claims
    from benchmarks.tables import load_tables

    _params()
    records = evaluate_claims(load_tables(TABLES_DIR))
    write_claims(records, CLAIMS_JSON)
    for r in records:
        typer.echo(f"{r['claim']:>3} {r['framework']:<8} {r['verdict']:<15} {r['summary']}")


@app.command()
def figures() -> None:
    """Draw every figure from the tables -> results/figures/."""
    from benchmarks.figures import make_figures
    from benchmarks.tables import load_tables

    _params()
    captions = make_figures(load_tables(TABLES_DIR), FIGURES_DIR)
    typer.echo(f"wrote {len(captions)} figures to {FIGURES_DIR}")


@app.command()
def report() -> None:
    """Render results/REPORT.md from claims.json and the figure captions."""
    from benchmarks.claims.evaluate import read_claims
    from benchmarks.figures import step_cost_ratios
    from benchmarks.report import write_report
    from benchmarks.tables import load_tables

    _params()
    tables = load_tables(TABLES_DIR)
    captions = json.loads((FIGURES_DIR / "captions.json").read_text())
    step_costs = step_cost_ratios(tables["step_cost"]) if "step_cost" in tables else None
    write_report(read_claims(CLAIMS_JSON), captions, REPORT_MD, step_costs)
    typer.echo(f"wrote {REPORT_MD}")


@app.command()
def track() -> None:
    """Log tables, figures, claims and the report to MLflow (MLFLOW_TRACKING_URI or sqlite:///mlflow.db)."""
    from benchmarks.config import flatten_params
    from benchmarks.track import track_all

    params = _params()
    artifacts = [CLAIMS_JSON, REPORT_MD, *sorted(FIGURES_DIR.glob("*.png"))]
    run_ids = track_all(TABLES_DIR, flatten_params(params), [p for p in artifacts if p.exists()])
    typer.echo(f"logged {len(run_ids)} parent runs to MLflow")


def main() -> None:
    """Entry point for ``python -m benchmarks.cli``."""
    app()


if __name__ == "__main__":
    sys.exit(main())
