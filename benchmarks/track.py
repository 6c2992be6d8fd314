"""Send every study's tables, run records, claims, figures and micro-benchmarks to MLflow, for browsing.

Layout (one MLflow experiment per study, named ``<study> — <title>``, tagged with its papers' citations and
MLflow 3's model-development experiment kind; the 3.17 UI still picks its default view from a
``workflowType`` URL parameter or a saved browser setting, so :func:`browse_urls` gives each experiment's
runs-table address, which the track stage prints):

- a parent run per (experiment, framework), named ``estimator · pytorch``, holding the stage's wall time and
  peak memory from the table's ``.run.json`` record (metrics ``stage_wall_seconds``, ``stage_peak_bytes``,
  tag ``memory_source``), the provenance as tags, the flattened params, and the table as an artifact;
- under it a child run per configuration: the core columns method, task and seed plus the experiment's
  *configuration axes* (see :func:`configuration_axes`), named by their values (``quadratic n=100 gaussian``)
  with the full keys as params and tags;
- a ``claims`` run per study: each claim record's value, interval and smallest detectable defect as metrics
  (``<claim>/<framework>/value`` ...), its verdict as a tag, and the report, claims and figures as artifacts;
- an experiment ``microbench — training steps`` with a run ``microbench · <framework>`` per pytest-benchmark
  JSON file: median, IQR and ratio to the forward pass of each case (``median/mlp-fg-gaussian-K1``).

Per-step metrics of a child: for each measure, the experiment's ``curve_axis`` if it declares one, else the
first per-row column that varies (the per-row axes in declared order, then ``step``), is the x axis, with
values averaged per x (so a K sweep over blocks is logged at step = K, averaged over the blocks; a curve over
``step`` point by point); at most
:data:`MAX_POINTS_PER_MEASURE` x values are logged (evenly spaced, first and last kept). A measure with no
varying x is logged point by point (step = row order) up to that many rows, else as its mean and standard
deviation; the full table is always attached to the parent.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.claims import read_records
from benchmarks.microbench import summarise_benchmarks
from benchmarks.study import ExperimentSpec, Study, discover_studies
from benchmarks.tables import CORE_COLUMNS, NO_FRAMEWORK, run_sidecar_path
from benchmarks.tracking import UI_RUNS_QUERY, init_tracking, log_run, log_table, runs_page_url

_LOGGER = logging.getLogger(__name__)

MAX_POINTS_PER_MEASURE = 1000
CONFIG_COLUMNS = ("method", "task", "seed")
"""Core columns that identify a configuration (a child run)."""
SHORT_AXIS_NAMES = {"dim": "n"}
"""How an axis reads in a run name: ``dim=100`` is shown as ``n=100``."""
SEPARATOR = " · "
CLAIMS_RUN = "claims"
CLAIM_METRICS = ("value", "ci_low", "ci_high")
MICROBENCH_EXPERIMENT = "microbench — training steps (pytest-benchmark)"
MICROBENCH_METRICS = ("median", "iqr", "ratio_to_forward")


# --------------------------------------------------------------------------- configurations and names


def configuration_axes(table: pd.DataFrame, axes: tuple[str, ...]) -> tuple[str, ...]:
    """The declared axes that identify a configuration: those constant within every (method, task, seed).

    Seeds derive from the configuration, so an axis that varies under one seed (an index, a K sweep, a
    repeat) is a per-row axis; one fixed by the seed (a dimension, a tangent law) names a configuration.
    """
    present = [axis for axis in axes if axis in table.columns]
    if not present:
        return ()
    spread = table.groupby(list(CONFIG_COLUMNS), dropna=False)[present].nunique(dropna=False).max()
    return tuple(axis for axis in present if spread[axis] <= 1)


def _label(key: str, value: str) -> str:
    """A run-key value as it reads in a run name: text as is, numbers as ``n=100``."""
    try:
        float(value)
    except ValueError:
        return value
    return f"{SHORT_AXIS_NAMES.get(key, key)}={value}"


def child_namer(keys: pd.DataFrame) -> Callable[[Mapping[str, str]], str]:
    """A function naming each child by the task and the key values that vary between children (seed only
    where the others leave two children alike)."""
    varying = [c for c in keys.columns if c != "seed" and (c == "task" or keys[c].nunique(dropna=False) > 1)]
    with_seed = keys[varying].duplicated(keep=False).any()
    shown = [*varying, "seed"] if with_seed else varying

    def name(key_values: Mapping[str, str]) -> str:
        return " ".join(_label(k, key_values[k]) for k in shown if key_values[k] not in ("nan", "")) or "all"

    return name


def parent_run_name(experiment: str, framework: str) -> str:
    """``estimator · pytorch`` (just ``estimator`` for a framework-free experiment)."""
    return experiment if framework == NO_FRAMEWORK else f"{experiment}{SEPARATOR}{framework}"


def experiment_name(study: Study) -> str:
    """``forward_gradient — <title>``."""
    return f"{study.name} — {study.title}"


def experiment_tags(study: Study) -> dict[str, str]:
    """The study's papers as tags, and a description shown at the top of the experiment page."""
    papers = "\n".join(f"- {paper.citation}" for paper in study.papers)
    note = (
        f"**{study.title}**\n\nPapers:\n{papers}\n\nRuns: one parent per (experiment, framework) with the "
        "stage's wall time and peak memory, a child per configuration; the `claims` run holds the verdicts. "
        "If this page opens on an empty overview, choose the *Machine learning* workflow type (the browser "
        f"remembers it) or add `?{UI_RUNS_QUERY}` to the address."
    )
    return {"study": study.name, "mlflow.note.content": note} | {
        f"paper.{paper.key}": paper.citation for paper in study.papers
    }


# --------------------------------------------------------------------------- metrics


def _x_column(rows: pd.DataFrame, series: tuple[str, ...]) -> str | None:
    """The first numeric per-row column that takes more than one value in ``rows`` (an MLflow step axis must
    be a number; a varying label such as an optimizer's name is no axis)."""
    return next(
        (c for c in series if c in rows.columns and pd.api.types.is_numeric_dtype(rows[c]) and rows[c].nunique() > 1),
        None,
    )


def _spread(count: int) -> np.ndarray:
    """At most MAX_POINTS_PER_MEASURE positions out of ``count``, evenly spaced, first and last kept."""
    if count <= MAX_POINTS_PER_MEASURE:
        return np.arange(count)
    return np.unique(np.round(np.linspace(0, count - 1, MAX_POINTS_PER_MEASURE)).astype(np.int64))


def _measure_points(rows: pd.DataFrame, measure: str, series: tuple[str, ...]) -> Iterator[tuple[str, Any, Any]]:
    """(metric, steps, values) for one measure of one configuration (see the module docstring)."""
    x = _x_column(rows, series)
    if x is not None:
        means = rows.groupby(x)["value"].mean()
        keep = _spread(len(means))
        xs = means.index.to_numpy(dtype=np.float64)[keep]
        steps = xs.astype(np.int64) if np.array_equal(xs, np.round(xs)) else keep
        yield measure, steps, means.to_numpy()[keep]
    elif len(rows) <= MAX_POINTS_PER_MEASURE:
        yield measure, np.arange(len(rows)), rows["value"].to_numpy()
    else:
        yield f"{measure}_mean", [0], [rows["value"].mean()]
        yield f"{measure}_std", [0], [rows["value"].std()]


def metric_frame(table: pd.DataFrame, run_keys: tuple[str, ...], series: tuple[str, ...]) -> pd.DataFrame:
    """Wide per-step metrics (run keys as strings, ``step``, one column per metric) from a long table."""
    keyed = table.assign(**{key: table[key].astype(str) for key in run_keys})
    pieces = []
    for (*keys, measure), rows in keyed.groupby([*run_keys, "measure"], sort=True, dropna=False):
        key_cols = dict(zip(run_keys, keys, strict=True))
        for metric, steps, values in _measure_points(rows, str(measure), series):
            pieces.append(pd.DataFrame({**key_cols, "step": steps, "metric": metric, "value": values}))
    long = pd.concat(pieces, ignore_index=True)
    wide = long.pivot_table(index=[*run_keys, "step"], columns="metric", values="value", aggfunc="first")
    return wide.reset_index().rename_axis(columns=None)


# --------------------------------------------------------------------------- one table


def run_params(flat_params: dict[str, str]) -> dict[str, str]:
    """MLflow params from the flattened config; params.yaml's ``seed`` becomes ``root_seed`` because
    ``seed`` is a run key (each child run's derived seed)."""
    params = dict(flat_params)
    if "seed" in params:
        params["root_seed"] = params.pop("seed")
    return params


def stage_record(table_path: Path) -> dict[str, Any]:
    """The table's run record (wall time, peak memory, how measured); empty if there is none."""
    path = run_sidecar_path(table_path)
    return json.loads(path.read_text()) if path.is_file() else {}


def curve_series(spec: ExperimentSpec, config_axes: tuple[str, ...]) -> tuple[str, ...]:
    """The candidate x columns of a child's step metrics, in order (see the module docstring)."""
    if spec.curve_axis:
        return (spec.curve_axis,)
    return (*(axis for axis in spec.axes if axis not in config_axes), "step")


def track_table(
    table: pd.DataFrame, table_path: Path, spec: ExperimentSpec, study: Study, params: dict[str, str], uri: str
) -> str:
    """Log one (experiment, framework) table as a parent run with its children; returns the parent id."""
    framework = str(table["framework"].iloc[0])
    config_axes = configuration_axes(table, spec.axes)
    run_keys = (*CONFIG_COLUMNS, *config_axes)
    series = curve_series(spec, config_axes)
    wide = metric_frame(table, run_keys, series)
    metrics = [c for c in wide.columns if c not in (*run_keys, "step")]
    first = table.iloc[0]
    provenance = [c for c in table.columns if c not in CORE_COLUMNS and c not in spec.axes]
    record = stage_record(table_path)
    tags = {key: str(first[key]) for key in provenance} | {
        "study": study.name,
        "experiment": spec.name,
        "framework": framework,
        "device": str(first["device"]),
        "memory_source": str(record.get("source", "no run record")),
    }
    return log_table(
        wide,
        experiment=experiment_name(study),
        run_name=parent_run_name(spec.name, framework),
        run_keys=run_keys,
        metric_columns=metrics,
        step_column="step",
        params={k: v for k, v in params.items() if k not in run_keys},
        tags=tags,
        artifacts=[p for p in (table_path, run_sidecar_path(table_path)) if p.is_file()],
        parent_metrics={
            "stage_wall_seconds": float(record.get("wall_seconds", np.nan)),
            "stage_peak_bytes": float(record.get("peak_bytes", np.nan)),
            "rows": float(len(table)),
        },
        child_name=child_namer(wide[list(run_keys)].drop_duplicates()),
        experiment_tags=experiment_tags(study),
        uri=uri,
    )


# --------------------------------------------------------------------------- claims and micro-benchmarks


def claim_entries(records: list[dict[str, Any]]) -> tuple[dict[str, float], dict[str, str]]:
    """Metrics ``<claim>/<framework>/<value|ci_low|ci_high|smallest_detectable>`` and tags
    ``verdict/<claim>/<framework>`` from claim records (device appended where a claim has several)."""
    metrics: dict[str, float] = {}
    tags: dict[str, str] = {}
    slices = Counter((r["claim"], r["framework"]) for r in records)
    for record in records:
        slice_name = str(record["framework"])
        if slices[(record["claim"], record["framework"])] > 1:
            slice_name += f" {record['device']}"
        prefix = f"{record['claim']}/{slice_name}"
        for key in CLAIM_METRICS:
            metrics[f"{prefix}/{key}"] = float(record.get(key, np.nan))
        detectable = record.get("smallest_detectable") or {}
        size = detectable.get("size")  # None when the JSON held an infinite or undefined size
        metrics[f"{prefix}/smallest_detectable"] = float(size) if size is not None else float("nan")
        tags[f"verdict/{prefix}"] = str(record["verdict"])
    return metrics, tags


def study_artifacts(study: Study, artifacts: list[Path]) -> list[Path]:
    """The existing artifacts, with a folder holding one subfolder per study (the figures) narrowed to this
    study's subfolder."""
    chosen = []
    for path in map(Path, artifacts):
        if path.is_dir() and (path / study.name).is_dir():
            chosen.append(path / study.name)
        elif path.exists():
            chosen.append(path)
    return chosen


def track_claims(
    study: Study, claims_path: Path, artifacts: list[Path], params: dict[str, str], uri: str
) -> str | None:
    """The study's ``claims`` run; None if there are no records of this study."""
    records = [r for r in read_records(claims_path) if r.get("study") == study.name] if claims_path.is_file() else []
    if not records:
        return None
    metrics, tags = claim_entries(records)
    first = records[0]
    tags |= {"study": study.name} | {k: str(first[k]) for k in ("profile", "git_commit", "params_hash") if k in first}
    return log_run(
        experiment=experiment_name(study),
        run_name=CLAIMS_RUN,
        params=params,
        tags=tags,
        metrics=metrics,
        artifacts=[claims_path, *(p for p in study_artifacts(study, artifacts) if p.name != claims_path.name)],
        experiment_tags=experiment_tags(study),
        uri=uri,
    )


def track_microbench(benchmarks_dir: Path, uri: str) -> list[str]:
    """A ``microbench · <framework>`` run per pytest-benchmark JSON file in ``benchmarks_dir``."""
    run_ids = []
    for path in sorted(Path(benchmarks_dir).glob("*.json")):
        summary = summarise_benchmarks([path])
        if summary.empty:
            continue
        metrics = {
            f"{column}/{row.case}": float(getattr(row, column))
            for row in summary.itertuples()
            for column in MICROBENCH_METRICS
        }
        framework = str(summary["framework"].iloc[0])
        run_ids.append(
            log_run(
                experiment=MICROBENCH_EXPERIMENT,
                run_name=f"microbench{SEPARATOR}{framework}",
                tags={"framework": framework, "device": str(summary["device"].iloc[0])},
                metrics=metrics,
                artifacts=[path],
                uri=uri,
            )
        )
    return run_ids


# --------------------------------------------------------------------------- everything


def track_all(
    tables_dir: Path,
    flat_params: dict[str, str],
    artifacts: list[Path],
    claims_path: Path,
    benchmarks_dir: Path,
    uri: str | None = None,
) -> list[str]:
    """Initialise the store once, then log every study's tables and claims, and the micro-benchmarks.

    ``flat_params``: the flattened config; ``artifacts``: files and folders for each study's claims run
    (REPORT.md, the figures folder, ...). Missing tables, run records, claims or benchmark files are
    skipped. Returns the ids of the parent, claims and micro-benchmark runs.
    """
    uri = init_tracking(uri)
    params = run_params(flat_params)
    run_ids: list[str] = []
    for study in discover_studies().values():
        for path in sorted((Path(tables_dir) / study.name).glob("*.parquet")):
            table = pd.read_parquet(path)
            if table.empty:
                continue
            name = str(table["experiment"].iloc[0])
            if name not in {spec.name for spec in study.experiments}:
                _LOGGER.warning("skipping %s: study %r has no experiment %r", path, study.name, name)
                continue
            run_ids.append(track_table(table, path, study.experiment(name), study, params, uri))
        claims_run = track_claims(study, Path(claims_path), artifacts, params, uri)
        if claims_run is not None:
            run_ids.append(claims_run)
    run_ids.extend(track_microbench(benchmarks_dir, uri))
    return run_ids


def browse_urls(uri: str | None = None, server: str = "http://127.0.0.1:5000") -> dict[str, str]:
    """Experiment name -> address of its runs table in ``mlflow ui`` (for the CLI to print after tracking)."""
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=init_tracking(uri))
    names = [experiment_name(study) for study in discover_studies().values()] + [MICROBENCH_EXPERIMENT]
    found = {name: client.get_experiment_by_name(name) for name in names}
    return {name: runs_page_url(e.experiment_id, server) for name, e in found.items() if e is not None}
