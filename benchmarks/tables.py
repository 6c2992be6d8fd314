"""Reading and writing the tidy experiment tables (``results/tables/<experiment>_<framework>.parquet``)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd


def table_path(experiment: str, framework: str, tables_dir: Path) -> Path:
    """Where the table of (experiment, framework) lives."""
    return tables_dir / f"{experiment}_{framework}.parquet"


def write_table(table: pd.DataFrame, path: Path) -> Path:
    """Write a parquet table atomically (temporary file, then rename): an interrupted run never leaves a
    half-written table, and a failed run never destroys the previous one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    table.to_parquet(tmp, index=False)
    os.replace(tmp, path)
    return path


def load_tables(tables_dir: Path) -> dict[str, pd.DataFrame]:
    """Every ``<experiment>_<framework>.parquet`` under ``tables_dir``, concatenated per experiment."""
    by_experiment: dict[str, list[pd.DataFrame]] = {}
    for path in sorted(Path(tables_dir).glob("*.parquet")):
        table = pd.read_parquet(path)
        if not table.empty:
            by_experiment.setdefault(str(table["experiment"].iloc[0]), []).append(table)
    return {name: pd.concat(parts, ignore_index=True) for name, parts in by_experiment.items()}
