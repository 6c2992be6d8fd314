"""Log tidy result tables to MLflow: one parent run per table, one child run per configuration.

The tracking store defaults to ``sqlite:///<REPO_ROOT>/mlflow.db`` (override with the
``MLFLOW_TRACKING_URI`` environment variable). For sqlite stores the database is created once under
a file lock (two processes migrating a fresh database at once would otherwise race), and
experiments get an explicit artifact location in ``mlartifacts/`` next to the database instead of
MLflow's CWD-relative default.

Everything is written through ``MlflowClient.log_batch`` in chunks that respect MLflow's
per-request limits. mlflow is imported lazily so that importing this module stays cheap.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import unquote

import numpy as np
import pandas as pd
from filelock import FileLock

from benchmarks.paths import REPO_ROOT

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param, RunTag

_LOGGER = logging.getLogger(__name__)

TRACKING_URI_ENV = "MLFLOW_TRACKING_URI"
DB_FILENAME = "mlflow.db"
ARTIFACTS_DIRNAME = "mlartifacts"
STEP_SOURCE_TAG = "step_source"
_SQLITE_PREFIX = "sqlite:///"
_LOCK_TIMEOUT_S = 300.0
_INVALID_NAME_CHARS = re.compile(r"[^A-Za-z0-9_\-. /]")
_INITIALISED: set[str] = set()


class _Limits(NamedTuple):
    """MLflow's per-request and per-value limits, read from the installed mlflow."""

    metrics_per_batch: int
    params_tags_per_batch: int
    entities_per_batch: int
    key_length: int
    param_value_length: int
    tag_value_length: int


def _limits() -> _Limits:
    from mlflow.utils import validation as v

    return _Limits(
        metrics_per_batch=v.MAX_METRICS_PER_BATCH,
        params_tags_per_batch=v.MAX_PARAMS_TAGS_PER_BATCH,
        entities_per_batch=v.MAX_ENTITIES_PER_BATCH,
        key_length=v.MAX_ENTITY_KEY_LENGTH,
        param_value_length=v.MAX_PARAM_VAL_LENGTH,
        tag_value_length=v.MAX_TAG_VAL_LENGTH,
    )


# --------------------------------------------------------------------------- store and experiments


def tracking_uri() -> str:
    """``$MLFLOW_TRACKING_URI`` if set, else ``sqlite:///<REPO_ROOT>/mlflow.db`` (absolute path)."""
    return os.environ.get(TRACKING_URI_ENV) or f"{_SQLITE_PREFIX}{(REPO_ROOT / DB_FILENAME).resolve()}"


def sqlite_db_path(uri: str) -> Path | None:
    """Absolute path of the database file of a ``sqlite:///`` URI; None for other or in-memory stores."""
    if not uri.startswith(_SQLITE_PREFIX):
        return None
    location = unquote(uri[len(_SQLITE_PREFIX) :].split("?", 1)[0])
    if location in ("", ":memory:"):
        return None
    return Path(location).resolve()


def artifact_root(uri: str) -> Path | None:
    """Artifact folder for a sqlite store (``mlartifacts/`` beside the DB); None lets MLflow decide."""
    db_path = sqlite_db_path(uri)
    return None if db_path is None else db_path.parent / ARTIFACTS_DIRNAME


def _create_store(uri: str) -> None:
    from mlflow import MlflowClient

    MlflowClient(tracking_uri=uri).search_experiments(max_results=1)


def init_tracking(uri: str | None = None) -> str:
    """Create the tracking store behind ``uri`` (default :func:`tracking_uri`) once; return the URI.

    For sqlite the first creation (schema migrations) runs under a ``FileLock`` beside the DB so
    concurrent processes cannot race; later calls in the same process are a no-op.
    """
    uri = uri or tracking_uri()
    db_path = sqlite_db_path(uri)
    if uri in _INITIALISED and (db_path is None or db_path.exists()):
        return uri
    if db_path is None:
        _create_store(uri)
    else:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(db_path) + ".lock", timeout=_LOCK_TIMEOUT_S):
            _create_store(uri)
    _INITIALISED.add(uri)
    return uri


def _experiment_slug(name: str) -> str:
    """Folder name for an experiment's artifacts."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "experiment"


def ensure_experiment(client: MlflowClient, name: str) -> str:
    """Id of the experiment ``name``, creating (or restoring) it if needed; safe against races.

    On sqlite stores a new experiment's artifacts go to ``<db dir>/mlartifacts/<name>``.
    """
    from mlflow.entities import LifecycleStage
    from mlflow.exceptions import MlflowException

    experiment = client.get_experiment_by_name(name)
    if experiment is None:
        root = artifact_root(client.tracking_uri)
        location = None if root is None else (root / _experiment_slug(name)).as_uri()
        try:
            return client.create_experiment(name, artifact_location=location)
        except MlflowException:
            experiment = client.get_experiment_by_name(name)  # created concurrently by someone else
            if experiment is None:
                raise
    if experiment.lifecycle_stage == LifecycleStage.DELETED:
        _LOGGER.warning("restoring deleted MLflow experiment %r", name)
        client.restore_experiment(experiment.experiment_id)
    return experiment.experiment_id


# --------------------------------------------------------------------------- names and values


def sanitize_name(name: object, max_length: int = 250) -> str:
    """A valid MLflow metric/param/tag key: allowed characters only, no empty/``.``/``..`` segments."""
    cleaned = _INVALID_NAME_CHARS.sub("_", str(name))[:max_length]
    segments = ["_" if part in (".", "..") else part for part in cleaned.split("/") if part]
    return "/".join(segments) or "_"


def fit_value(value: object, limit: int) -> str:
    """``str(value)``, truncated with a visible marker if longer than ``limit`` characters."""
    text = str(value)
    if len(text) <= limit:
        return text
    marker = f"...[truncated, {len(text)} chars]"
    return text[: max(limit - len(marker), 0)] + marker[:limit]


def _unique_keys(names: Sequence[object], what: str, limits: _Limits) -> dict[object, str]:
    """Map each name to its sanitised key; reject two names that sanitise to the same key."""
    keys: dict[object, str] = {}
    for name in names:
        key = sanitize_name(name, limits.key_length)
        clash = [other for other, other_key in keys.items() if other_key == key and other != name]
        if clash:
            raise ValueError(f"{what} {clash[0]!r} and {name!r} both map to MLflow key {key!r}")
        keys[name] = key
    return keys


def _params(values: Mapping[str, object], limits: _Limits) -> list[Param]:
    from mlflow.entities import Param

    keys = _unique_keys(list(values), "params", limits)
    return [Param(keys[k], fit_value(v, limits.param_value_length)) for k, v in values.items()]


def _tags(values: Mapping[str, object], limits: _Limits) -> list[RunTag]:
    from mlflow.entities import RunTag

    keys = _unique_keys(list(values), "tags", limits)
    return [RunTag(keys[k], fit_value(v, limits.tag_value_length)) for k, v in values.items()]


# --------------------------------------------------------------------------- batching


def _batches(
    metrics: Sequence[Metric], params: Sequence[Param], tags: Sequence[RunTag], limits: _Limits
) -> Iterator[tuple[Sequence[Metric], Sequence[Param], Sequence[RunTag]]]:
    """Split entities into log_batch payloads within MLflow's per-request limits."""
    m = p = t = 0
    while m < len(metrics) or p < len(params) or t < len(tags):
        param_chunk = params[p : p + limits.params_tags_per_batch]
        tag_chunk = tags[t : t + limits.params_tags_per_batch - len(param_chunk)]
        room = min(limits.metrics_per_batch, limits.entities_per_batch - len(param_chunk) - len(tag_chunk))
        metric_chunk = metrics[m : m + room]
        p, t, m = p + len(param_chunk), t + len(tag_chunk), m + len(metric_chunk)
        yield metric_chunk, param_chunk, tag_chunk


def _log_all(
    client: MlflowClient,
    run_id: str,
    limits: _Limits,
    metrics: Sequence[Metric] = (),
    params: Sequence[Param] = (),
    tags: Sequence[RunTag] = (),
) -> None:
    for metric_chunk, param_chunk, tag_chunk in _batches(metrics, params, tags, limits):
        client.log_batch(run_id, metrics=metric_chunk, params=param_chunk, tags=tag_chunk, synchronous=True)


# --------------------------------------------------------------------------- table -> runs


def _validate_table(
    table: pd.DataFrame,
    run_keys: Sequence[str],
    metric_columns: Sequence[str],
    step_column: str | None,
    params: Mapping[str, str],
    artifacts: Sequence[Path],
) -> None:
    """Reject bad input before any run is created."""
    needed = [*run_keys, *metric_columns, *([step_column] if step_column is not None else [])]
    missing = [column for column in needed if column not in table.columns]
    if missing:
        raise ValueError(f"table has no column(s) {missing}")
    not_numeric = [c for c in metric_columns if not pd.api.types.is_numeric_dtype(table[c])]
    if not_numeric:
        raise ValueError(f"metric column(s) {not_numeric} are not numeric")
    if step_column is not None and not (
        pd.api.types.is_numeric_dtype(table[step_column]) and table[step_column].notna().all()
    ):
        raise ValueError(f"step column {step_column!r} must be numeric without missing values")
    shared = sorted(set(run_keys) & set(params))
    if shared:
        raise ValueError(f"run key(s) {shared} are also given as params")
    absent = [str(path) for path in artifacts if not Path(path).exists()]
    if absent:
        raise FileNotFoundError(f"artifact(s) not found: {absent}")
    names = [Path(path).name for path in artifacts]
    if len(set(names)) != len(names):
        raise ValueError(f"artifacts must have distinct file names, got {names}")


def _groups(table: pd.DataFrame, run_keys: Sequence[str]) -> Iterator[tuple[dict[str, str], pd.DataFrame]]:
    """(run-key values as strings, rows) per distinct combination, in order of first appearance."""
    if not run_keys:
        yield {}, table
        return
    for values, rows in table.groupby(list(run_keys), sort=False, dropna=False):
        yield {key: str(value) for key, value in zip(run_keys, values, strict=True)}, rows


def _steps(rows: pd.DataFrame, step_column: str | None) -> tuple[np.ndarray, str]:
    """Integer steps for a child's rows and where they came from (``column`` or ``row_index``)."""
    if step_column is None:
        return np.arange(len(rows), dtype=np.int64), "row_index"
    raw = pd.to_numeric(rows[step_column], errors="raise").to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(raw)) or not np.array_equal(raw, np.round(raw)):
        raise ValueError(f"step column {step_column!r} must hold finite integers")
    steps = raw.astype(np.int64)
    if len(np.unique(steps)) != len(steps):
        return np.arange(len(rows), dtype=np.int64), "row_index"
    return steps, step_column


def _metrics(rows: pd.DataFrame, steps: np.ndarray, metric_keys: Mapping[str, str], timestamp: int) -> list[Metric]:
    """One Metric per non-NaN cell of the metric columns."""
    from mlflow.entities import Metric

    metrics: list[Metric] = []
    for column, key in metric_keys.items():
        values = rows[column].to_numpy(dtype=np.float64, na_value=np.nan)
        keep = ~np.isnan(values)
        metrics.extend(
            Metric(key, value, timestamp, step)
            for value, step in zip(values[keep].tolist(), steps[keep].tolist(), strict=True)
        )
    return metrics


def _child_run_name(run_name: str, key_values: Mapping[str, str]) -> str:
    if not key_values:
        return run_name
    return f"{run_name}/" + ",".join(f"{key}={value}" for key, value in key_values.items())


def _log_artifacts(client: MlflowClient, run_id: str, artifacts: Sequence[Path]) -> None:
    for path in map(Path, artifacts):
        if path.is_dir():
            client.log_artifacts(run_id, str(path), artifact_path=path.name)
        else:
            client.log_artifact(run_id, str(path))


def _mark_failed(client: MlflowClient, run_ids: Sequence[str], status: str) -> None:
    """Best-effort: give every run the final ``status`` (children first), never raising."""
    for run_id in reversed(run_ids):
        try:
            client.set_terminated(run_id, status=status)
        except Exception:  # cleanup must not mask the original error
            _LOGGER.exception("could not mark MLflow run %s as %s", run_id, status)


def log_table(
    table: pd.DataFrame,
    *,
    experiment: str,
    run_name: str,
    run_keys: Sequence[str],
    metric_columns: Sequence[str],
    step_column: str | None,
    params: Mapping[str, str],
    tags: Mapping[str, str],
    artifacts: Sequence[Path] = (),
    uri: str | None = None,
) -> str:
    """Log a tidy table as one parent run plus one child run per distinct ``run_keys`` combination.

    The parent gets ``params``, ``tags`` and the ``artifacts`` (files or folders). Each child gets
    its run-key values as tags and params, the shared params and tags, and every non-NaN cell of
    ``metric_columns`` as a metric at step ``step_column`` (row index within the child if None or
    if steps repeat within the child; tag ``step_source`` says which). All runs end FINISHED, or
    FAILED (KILLED on interrupt) if anything raises, which is re-raised. Returns the parent run id.
    """
    from mlflow import MlflowClient
    from mlflow.utils.mlflow_tags import MLFLOW_PARENT_RUN_ID

    _validate_table(table, run_keys, metric_columns, step_column, params, artifacts)
    limits = _limits()
    metric_keys = _unique_keys(list(metric_columns), "metric columns", limits)
    client = MlflowClient(tracking_uri=init_tracking(uri))
    experiment_id = ensure_experiment(client, experiment)
    timestamp = int(time.time() * 1000)
    run_ids: list[str] = []
    try:
        parent_id = client.create_run(experiment_id, run_name=run_name).info.run_id
        run_ids.append(parent_id)
        _log_all(client, parent_id, limits, params=_params(params, limits), tags=_tags(tags, limits))
        for key_values, rows in _groups(table, run_keys):
            child = client.create_run(
                experiment_id,
                run_name=_child_run_name(run_name, key_values),
                tags={MLFLOW_PARENT_RUN_ID: parent_id},
            )
            run_ids.append(child.info.run_id)
            steps, step_source = _steps(rows, step_column)
            child_tags = {**tags, **key_values, STEP_SOURCE_TAG: step_source}
            _log_all(
                client,
                child.info.run_id,
                limits,
                metrics=_metrics(rows, steps, metric_keys, timestamp),
                params=_params({**params, **key_values}, limits),
                tags=_tags(child_tags, limits),
            )
        _log_artifacts(client, parent_id, artifacts)
        for run_id in reversed(run_ids):
            client.set_terminated(run_id, status="FINISHED")
    except BaseException as error:
        _mark_failed(client, run_ids, "KILLED" if isinstance(error, KeyboardInterrupt) else "FAILED")
        raise
    return parent_id
