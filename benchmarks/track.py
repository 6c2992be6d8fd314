"""Send the experiment tables, figures, claims and report to MLflow (one experiment per paper).

Runs: a parent per (experiment, framework) and a child per (method, framework, task, dim, distribution,
seed). Per-step metrics: a measure that varies with K is logged with step = K (mean over replicates); a
measure with at most :data:`MAX_POINTS_PER_MEASURE` rows per run is logged point by point (step = row
index: FGD starts, timing repeats); a larger one (per-sample estimator statistics) as its mean and standard
deviation, the full table being attached to the parent run as an artifact.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from benchmarks.claims.registry import BAYDIN, BELOUZE
from benchmarks.tracking import init_tracking, log_table

PAPER_OF_EXPERIMENT = {"estimator": BAYDIN, "step_cost": BAYDIN, "projection": BELOUZE, "fgd": BELOUZE}
RUN_KEYS = ("method", "framework", "task", "dim", "distribution", "seed")
MAX_POINTS_PER_MEASURE = 1000
PROVENANCE_TAGS = (
    "git_commit",
    "params_hash",
    "profile",
    "root_seed",
    "device",
    "threads",
    "python_version",
    "numpy_version",
    "torch_version",
    "jax_version",
    "jaxlib_version",
    "cuda_version",
    "platform",
)


def metric_frame(table: pd.DataFrame) -> pd.DataFrame:
    """Wide per-step metrics (one column per metric) from a long experiment table."""
    pieces = []
    for (*keys, measure), rows in table.groupby([*RUN_KEYS, "measure"], sort=True):
        key_cols = dict(zip(RUN_KEYS, keys, strict=True))
        if rows["k"].nunique() > 1:
            agg = rows.groupby("k")["value"].mean()
            pieces.append(pd.DataFrame({**key_cols, "step": agg.index, "metric": measure, "value": agg.to_numpy()}))
        elif len(rows) <= MAX_POINTS_PER_MEASURE:
            pieces.append(
                pd.DataFrame(
                    {
                        **key_cols,
                        "step": rows["index"].to_numpy(),
                        "metric": measure,
                        "value": rows["value"].to_numpy(),
                    }
                )
            )
        else:
            for stat in ("mean", "std"):
                pieces.append(
                    pd.DataFrame(
                        {
                            **key_cols,
                            "step": [0],
                            "metric": f"{measure}_{stat}",
                            "value": [getattr(rows["value"], stat)()],
                        }
                    )
                )
    long = pd.concat(pieces, ignore_index=True)
    wide = long.pivot_table(index=[*RUN_KEYS, "step"], columns="metric", values="value", aggfunc="first")
    return wide.reset_index()


def track_table(
    table: pd.DataFrame,
    table_path: Path,
    params: dict[str, str],
    artifacts: list[Path],
    uri: str | None = None,
) -> str:
    """Log one experiment table of one framework; returns the parent run id."""
    experiment = str(table["experiment"].iloc[0])
    framework = str(table["framework"].iloc[0])
    wide = metric_frame(table)
    metrics = [c for c in wide.columns if c not in (*RUN_KEYS, "step")]
    first = table.iloc[0]
    tags = {key: str(first[key]) for key in PROVENANCE_TAGS if key in table.columns}
    tags |= {"framework": framework, "experiment": experiment}
    return log_table(
        wide,
        experiment=PAPER_OF_EXPERIMENT[experiment],
        run_name=f"{experiment}-{framework}",
        run_keys=RUN_KEYS,
        metric_columns=metrics,
        step_column="step",
        params=params,
        tags=tags,
        artifacts=[table_path, *artifacts],
        uri=uri,
    )


def run_params(flat_params: dict[str, str]) -> dict[str, str]:
    """MLflow params from the flattened config; params.yaml's ``seed`` becomes ``root_seed`` because
    ``seed`` is a run key (each child run's derived seed)."""
    params = dict(flat_params)
    if "seed" in params:
        params["root_seed"] = params.pop("seed")
    return params


def track_all(tables_dir: Path, params: dict[str, str], artifacts: list[Path], uri: str | None = None) -> list[str]:
    """Initialise the store once, then log every table under ``tables_dir`` (``params``: flattened config)."""
    uri = init_tracking(uri)
    params = run_params(params)
    run_ids = []
    for path in sorted(tables_dir.glob("*.parquet")):
        table = pd.read_parquet(path)
        if not table.empty:
            run_ids.append(track_table(table, path, params, artifacts, uri))
    return run_ids
