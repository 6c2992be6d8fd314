"""The table contract: one tidy, long table per (study, experiment, framework).

Every row is one measurement. Core columns, in every table:

    study, experiment, framework, device, task, method, seed, step, measure, value

plus exactly the axes the experiment declares (``ExperimentSpec.axes``: e.g. ``dim``, ``distribution``,
``k``, ``index``, a variant, an activation, a generation), plus the provenance columns added by the runner
(git commit, params hash, profile, root seed, library versions, device, threads). Figures and verdicts are
computed from these tables alone; MLflow receives the same numbers.

Tables live at ``results/tables/<study>/<experiment>_<framework>.parquet``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

CORE_COLUMNS = ("study", "experiment", "framework", "device", "task", "method", "seed", "step", "measure", "value")
NO_FRAMEWORK = "none"
"""The framework column of a framework-free experiment's rows."""


def measurements(
    fixed: Mapping[str, object], measure: str, values: np.ndarray | list | float, **per_row: np.ndarray | list
) -> pd.DataFrame:
    """Rows ``measure = values[i]`` sharing the columns in ``fixed``; ``per_row`` gives columns that vary by
    row (e.g. ``step=np.arange(n)``). ``step`` defaults to 0. Column checks happen in :func:`check_columns`."""
    values = np.atleast_1d(np.asarray(values, dtype=np.float64)).ravel()
    frame: dict[str, object] = {"step": np.zeros(values.size, np.int64)}
    frame.update(fixed)
    for key, column in per_row.items():
        column = np.asarray(column)
        if column.shape != values.shape:
            raise ValueError(f"column {key!r} has {column.size} entries for {values.size} values of {measure!r}")
        frame[key] = column
    frame["measure"] = measure
    frame["value"] = values
    return pd.DataFrame(frame)


def check_columns(table: pd.DataFrame, axes: tuple[str, ...], where: str) -> pd.DataFrame:
    """The table in canonical column order (core, then declared axes); ValueError naming what is missing or
    undeclared."""
    expected = [*CORE_COLUMNS, *axes]
    missing = [c for c in expected if c not in table.columns]
    extra = [c for c in table.columns if c not in expected]
    if missing or extra:
        raise ValueError(
            f"{where}: table columns do not match the contract; missing {missing}, undeclared {extra} "
            f"(core: {list(CORE_COLUMNS)}; declared axes: {list(axes)})"
        )
    if table[list(CORE_COLUMNS)].drop(columns=["value"]).isna().any().any():
        raise ValueError(f"{where}: core columns other than 'value' must not be empty")
    return table[expected].reset_index(drop=True)


def table_path(study: str, experiment: str, framework: str, tables_dir: Path) -> Path:
    """Where the table of (study, experiment, framework) lives."""
    return Path(tables_dir) / study / f"{experiment}_{framework}.parquet"


def run_sidecar_path(table: Path) -> Path:
    """Where a table's run record (stage wall time, peak memory and how it was measured) lives."""
    return Path(table).with_suffix(".run.json")


def write_table(table: pd.DataFrame, path: Path) -> Path:
    """Write a parquet table atomically (temporary file, then rename): an interrupted run never leaves a
    half-written table, and a failed run never destroys the previous one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    table.to_parquet(tmp, index=False)
    os.replace(tmp, path)
    return path


def load_study_tables(study: str, tables_dir: Path) -> dict[str, pd.DataFrame]:
    """Every table of ``study``, concatenated per experiment over frameworks."""
    by_experiment: dict[str, list[pd.DataFrame]] = {}
    for path in sorted((Path(tables_dir) / study).glob("*.parquet")):
        table = pd.read_parquet(path)
        if not table.empty:
            by_experiment.setdefault(str(table["experiment"].iloc[0]), []).append(table)
    return {name: pd.concat(parts, ignore_index=True) for name, parts in by_experiment.items()}
