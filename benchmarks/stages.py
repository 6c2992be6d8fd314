"""The pipeline's stage commands (``python -m benchmarks.stages ...``): what ``dvc.yaml`` runs.

    run STUDY EXPERIMENT --framework F   one experiment, one framework -> results/tables/STUDY/
    claims STUDY                         tables -> results/claims/STUDY.json
    figures STUDY                        tables -> results/figures/STUDY/ (PNG, PDF, captions, report tables)
    bench --framework F                  pytest-benchmark micro-benchmarks -> results/benchmarks/F.json
    report                               claims, figures, benchmarks -> results/claims.json, metrics.json, REPORT.md
    track                                everything -> MLflow

Every command validates params.yaml first (an experiment, claims or figures stage: the top level and its own
study's block; report and track: everything), so a bad value stops it before any compute. Each command
imports its work lazily: :mod:`benchmarks.pipeline` reads only this module's top-level imports, so a stage's
declared dependencies are exactly the code it runs.
"""

from __future__ import annotations

import sys
import time

import typer

from benchmarks.paths import RESULTS_DIR, TABLES_DIR

app = typer.Typer(help="Pipeline stages (what dvc.yaml runs).", no_args_is_help=True, add_completion=False)

STUDY_ARGUMENT = typer.Argument(..., help="a study folder under benchmarks/ (e.g. forward_gradient)")


def _params(studies: tuple[str, ...] | None = None):  # noqa: ANN202 - returns the validated Params model
    from benchmarks.config import ParamsError, load_params

    try:
        return load_params(studies=studies)
    except (ParamsError, ValueError) as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(2) from err


def _study(name: str):  # noqa: ANN202 - returns the Study
    from benchmarks.study import load_study

    try:
        return load_study(name)
    except ValueError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from err


@app.command()
def run(
    study: str = STUDY_ARGUMENT,
    experiment: str = typer.Argument(..., help="an experiment of the study (see its __init__.py)"),
    framework: str = typer.Option(..., "--framework", "-f", help="pytorch | jax | none (framework-free)"),
) -> None:
    """Run one experiment in one framework and write its tidy table."""
    from benchmarks.runner import run_experiment

    spec = _study(study)
    params = _params((study,))
    start = time.perf_counter()
    try:
        path = run_experiment(params, spec, experiment, framework, TABLES_DIR)
    except (ValueError, RuntimeError) as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from err
    typer.echo(f"wrote {path} in {time.perf_counter() - start:.1f} s")


@app.command()
def claims(study: str = STUDY_ARGUMENT) -> None:
    """Evaluate every claim of one study -> results/claims/STUDY.json."""
    from benchmarks.claims import evaluate_study, write_json
    from benchmarks.tables import load_study_tables

    spec = _study(study)
    _params((study,))
    records = evaluate_study(spec, load_study_tables(study, TABLES_DIR))
    write_json(records, RESULTS_DIR / "claims" / f"{study}.json")
    for r in records:
        typer.echo(f"{r['claim']:>4} {r['framework']:<14} {r['verdict']:<15} {r['summary']}")


@app.command()
def figures(study: str = STUDY_ARGUMENT) -> None:
    """Draw every figure of one study -> results/figures/STUDY/."""
    from benchmarks.plotting import make_study_figures
    from benchmarks.tables import load_study_tables

    spec = _study(study)
    _params((study,))
    out = RESULTS_DIR / "figures" / study
    captions = make_study_figures(spec, load_study_tables(study, TABLES_DIR), out)
    typer.echo(f"wrote {len(captions)} figures to {out}")


@app.command()
def bench(framework: str = typer.Option(..., "--framework", "-f", help="pytorch | jax")) -> None:
    """Micro-benchmark each training step with pytest-benchmark -> results/benchmarks/FRAMEWORK.json."""
    from benchmarks.microbench import BenchSetup, run_microbench

    params = _params(())
    cfg = params.active.microbench
    out = RESULTS_DIR / "benchmarks" / f"{framework}.json"
    if framework not in params.frameworks:
        typer.echo(f"skipped: {framework!r} is not in params.yaml 'frameworks'; writing an empty record")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("{}\n")
        return
    run_microbench(framework, params.target, params.threads, BenchSetup(**cfg.model_dump()), out)
    typer.echo(f"wrote {out}")


@app.command()
def report() -> None:
    """Merge the studies' claims -> results/claims.json and results/metrics.json; render results/REPORT.md."""
    from benchmarks.report import write_all

    params = _params()
    paths = write_all(params, RESULTS_DIR)
    typer.echo("wrote " + ", ".join(str(p) for p in paths))


@app.command()
def track() -> None:
    """Log tables, figures, claims, benchmarks and the report to MLflow (MLFLOW_TRACKING_URI or sqlite:///mlflow.db)."""
    from benchmarks.config import flatten_params
    from benchmarks.paths import FIGURES_DIR
    from benchmarks.track import browse_urls, track_all

    params = _params()
    artifacts = [RESULTS_DIR / "claims.json", RESULTS_DIR / "REPORT.md", FIGURES_DIR]
    run_ids = track_all(
        TABLES_DIR,
        flatten_params(params),
        [p for p in artifacts if p.exists()],
        RESULTS_DIR / "claims.json",
        RESULTS_DIR / "benchmarks",
    )
    typer.echo(f"logged {len(run_ids)} runs to MLflow; with `mlflow ui` running, browse them at:")
    for name, url in browse_urls().items():
        typer.echo(f"  {name}: {url}")


if __name__ == "__main__":
    sys.exit(app())
