"""``nobp`` -- the suite's command line: the pipeline stages plus the tools around them.

nobp run|claims|figures|bench|report|track ...   the pipeline stages (benchmarks/stages.py; dvc.yaml runs them)
nobp datasets build|verify|pin                   build datasets/ offline and check it against datasets.dvc
nobp params check                                validate params.yaml (every study's block)
nobp pipeline write|check                        generate the pipeline files from the studies / check them
nobp docs write|check                            generate docs/claims.md from the claim registry / check it
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from benchmarks.config import app as params_app
from benchmarks.datasets.cli import app as datasets_app
from benchmarks.paths import REPO_ROOT
from benchmarks.stages import app

app.add_typer(datasets_app, name="datasets")
app.add_typer(params_app, name="params")

pipeline_app = typer.Typer(help="Generate the DVC pipeline files from the discovered studies.", no_args_is_help=True)
docs_app = typer.Typer(help="Generate docs/claims.md from the claim registry.", no_args_is_help=True)
app.add_typer(pipeline_app, name="pipeline")
app.add_typer(docs_app, name="docs")

CLAIMS_DOC = REPO_ROOT / "docs" / "claims.md"


def _write_or_check(path: Path, text: str, check: bool, how: str) -> None:
    if check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            typer.echo(f"{path.relative_to(REPO_ROOT)} is out of date; run `{how}`", err=True)
            raise typer.Exit(1)
        typer.echo(f"{path.relative_to(REPO_ROOT)} is up to date")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {path.relative_to(REPO_ROOT)}")


def _stale_pipelines(current: set[str]) -> list[Path]:
    """Study pipeline files on disk that the studies no longer generate (a study removed or renamed)."""
    on_disk = REPO_ROOT.glob("results/pipelines/*/dvc.yaml")
    return sorted(p for p in on_disk if str(p.relative_to(REPO_ROOT)) not in current)


def _pipelines(check: bool) -> None:
    from benchmarks.pipeline import render

    files = render()
    stale = _stale_pipelines(set(files))
    if stale and check:
        typer.echo(f"stale pipeline files {[str(p.relative_to(REPO_ROOT)) for p in stale]}; run `nobp pipeline write`")
        raise typer.Exit(1)
    for path in stale:
        path.unlink()
        typer.echo(f"removed {path.relative_to(REPO_ROOT)} (its lock, if any, is left for you to delete)")
    for relative, text in files.items():
        _write_or_check(REPO_ROOT / relative, text, check, "nobp pipeline write")


@pipeline_app.command("write")
def pipeline_write() -> None:
    """Rewrite dvc.yaml and results/pipelines/<study>/dvc.yaml (stages, exact code deps) from the studies."""
    _pipelines(check=False)


@pipeline_app.command("check")
def pipeline_check() -> None:
    """Exit 1 if a pipeline file differs from what the studies generate."""
    _pipelines(check=True)


@docs_app.command("write")
def docs_write() -> None:
    """Rewrite docs/claims.md (the claim catalogue) from the registry."""
    from benchmarks.docs import render_catalogue

    _write_or_check(CLAIMS_DOC, render_catalogue(), False, "nobp docs write")


@docs_app.command("check")
def docs_check() -> None:
    """Exit 1 if docs/claims.md differs from the registry."""
    from benchmarks.docs import render_catalogue

    _write_or_check(CLAIMS_DOC, render_catalogue(), True, "nobp docs write")


def main() -> None:
    """Entry point for ``nobp`` and ``python -m benchmarks.cli``."""
    app()


if __name__ == "__main__":
    sys.exit(main())
