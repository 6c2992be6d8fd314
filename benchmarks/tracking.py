"""Log tidy result tables to MLflow: one parent run per table, one child run per configuration.

Every experiment created here is tagged ``mlflow.experimentKind = custom_model_development`` (MLflow 3's
"machine learning" kind, whose default page is the runs table rather than the GenAI overview), and can carry
a description (``mlflow.note.content``) and further tags.

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
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
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
EXPERIMENT_KIND_TAG = "mlflow.experimentKind"
MACHINE_LEARNING_KIND = "custom_model_development"
"""MLflow 3's experiment kind for model training ("Machine learning" in the UI): its page opens on runs."""
NOTE_TAG = "mlflow.note.content"
"""The experiment description shown at the top of its page (Markdown)."""
UI_RUNS_QUERY = "workflowType=machine_learning"
"""The MLflow 3.x UI picks the experiment page's default tab from a global workflow type (URL parameter,
else the last choice stored in the browser, else "genai"); this query selects the runs table."""
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


def ensure_experiment(client: MlflowClient, name: str, tags: Mapping[str, str] | None = None) -> str:
    """Id of the experiment ``name``, creating (or restoring) it if needed; safe against races.

    On sqlite stores a new experiment's artifacts go to ``<db dir>/mlartifacts/<name>``. The experiment gets
    ``tags`` and the machine-learning kind tag (set again on an existing experiment, so they stay current).
    """
    from mlflow.entities import LifecycleStage
    from mlflow.exceptions import MlflowException

    experiment = client.get_experiment_by_name(name)
    if experiment is None:
        root = artifact_root(client.tracking_uri)
        location = None if root is None else (root / _experiment_slug(name)).as_uri()
        try:
            experiment_id = client.create_experiment(name, artifact_location=location)
        except MlflowException:
            experiment = client.get_experiment_by_name(name)  # created concurrently by someone else
            if experiment is None:
                raise
        else:
            experiment = client.get_experiment(experiment_id)
    if experiment.lifecycle_stage == LifecycleStage.DELETED:
        _LOGGER.warning("restoring deleted MLflow experiment %r", name)
        client.restore_experiment(experiment.experiment_id)
    wanted = {EXPERIMENT_KIND_TAG: MACHINE_LEARNING_KIND, **(tags or {})}
    limits = _limits()
    for tag in _tags(wanted, limits):
        if experiment.tags.get(tag.key) != tag.value:
            client.set_experiment_tag(experiment.experiment_id, tag.key, tag.value)
    return experiment.experiment_id


def runs_page_url(experiment_id: str, server: str = "http://127.0.0.1:5000") -> str:
    """Address of an experiment's runs table in ``mlflow ui`` (see :data:`UI_RUNS_QUERY`)."""
    return f"{server.rstrip('/')}/#/experiments/{experiment_id}/runs?{UI_RUNS_QUERY}"


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
    _validate_artifacts(artifacts)


def _validate_artifacts(artifacts: Sequence[Path]) -> None:
    """Artifacts must exist and have distinct file names."""
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


def default_child_name(key_values: Mapping[str, str]) -> str:
    """``"method=ff seed=0"``: the run-key values, space-separated (the default child run name)."""
    return " ".join(f"{key}={value}" for key, value in key_values.items()) or "all"


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


@contextmanager
def _finishing(client: MlflowClient) -> Iterator[list[str]]:
    """Collects created run ids; on exit ends them FINISHED, or FAILED (KILLED on interrupt) and re-raises."""
    run_ids: list[str] = []
    try:
        yield run_ids
        for run_id in reversed(run_ids):
            client.set_terminated(run_id, status="FINISHED")
    except BaseException as error:
        _mark_failed(client, run_ids, "KILLED" if isinstance(error, KeyboardInterrupt) else "FAILED")
        raise


def _scalar_metrics(values: Mapping[str, float], limits: _Limits, timestamp: int) -> list[Metric]:
    """One Metric at step 0 per finite value."""
    from mlflow.entities import Metric

    keys = _unique_keys(list(values), "metrics", limits)
    return [Metric(keys[k], float(v), timestamp, 0) for k, v in values.items() if np.isfinite(v)]


def _open_client(
    uri: str | None, experiment: str, experiment_tags: Mapping[str, str] | None
) -> tuple[MlflowClient, str]:
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=init_tracking(uri))
    return client, ensure_experiment(client, experiment, experiment_tags)


def log_run(
    *,
    experiment: str,
    run_name: str,
    params: Mapping[str, str] | None = None,
    tags: Mapping[str, str] | None = None,
    metrics: Mapping[str, float] | None = None,
    artifacts: Sequence[Path] = (),
    experiment_tags: Mapping[str, str] | None = None,
    uri: str | None = None,
) -> str:
    """Log one run (scalar ``metrics`` at step 0, non-finite ones skipped); returns its id."""
    _validate_artifacts(artifacts)
    limits = _limits()
    client, experiment_id = _open_client(uri, experiment, experiment_tags)
    timestamp = int(time.time() * 1000)
    with _finishing(client) as run_ids:
        run_id = client.create_run(experiment_id, run_name=run_name).info.run_id
        run_ids.append(run_id)
        _log_all(
            client,
            run_id,
            limits,
            metrics=_scalar_metrics(metrics or {}, limits, timestamp),
            params=_params(params or {}, limits),
            tags=_tags(tags or {}, limits),
        )
        _log_artifacts(client, run_id, artifacts)
    return run_id


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
    parent_metrics: Mapping[str, float] | None = None,
    child_name: Callable[[Mapping[str, str]], str] = default_child_name,
    experiment_tags: Mapping[str, str] | None = None,
    uri: str | None = None,
) -> str:
    """Log a tidy table as one parent run plus one child run per distinct ``run_keys`` combination.

    The parent gets ``params``, ``tags``, ``parent_metrics`` (at step 0) and the ``artifacts`` (files or
    folders). Each child is named ``child_name(run-key values)`` and gets its run-key values as tags and
    params, the shared params and tags, and every non-NaN cell of ``metric_columns`` as a metric at step
    ``step_column`` (row index within the child if None or if steps repeat within the child; tag
    ``step_source`` says which). The experiment is created with ``experiment_tags`` if needed. All runs end
    FINISHED, or FAILED (KILLED on interrupt) if anything raises, which is re-raised. Returns the parent id.
    """
    from mlflow.utils.mlflow_tags import MLFLOW_PARENT_RUN_ID

    _validate_table(table, run_keys, metric_columns, step_column, params, artifacts)
    limits = _limits()
    metric_keys = _unique_keys(list(metric_columns), "metric columns", limits)
    client, experiment_id = _open_client(uri, experiment, experiment_tags)
    timestamp = int(time.time() * 1000)
    with _finishing(client) as run_ids:
        parent_id = client.create_run(experiment_id, run_name=run_name).info.run_id
        run_ids.append(parent_id)
        _log_all(
            client,
            parent_id,
            limits,
            metrics=_scalar_metrics(parent_metrics or {}, limits, timestamp),
            params=_params(params, limits),
            tags=_tags(tags, limits),
        )
        for key_values, rows in _groups(table, run_keys):
            child = client.create_run(
                experiment_id, run_name=child_name(key_values), tags={MLFLOW_PARENT_RUN_ID: parent_id}
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
    return parent_id
