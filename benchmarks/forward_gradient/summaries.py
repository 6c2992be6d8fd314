"""Read the study's tables into per-configuration frames (shared by the checks and the figures, so both
show the same numbers)."""

from __future__ import annotations

import numpy as np
import pandas as pd

CONFIG = ["task", "dim", "distribution"]


def scalars(table: pd.DataFrame, measures: list[str], keys: list[str]) -> pd.DataFrame:
    """One row per ``keys`` combination, one column per measure (each measure one value per combination)."""
    rows = table[table["measure"].isin(measures)]
    wide = rows.pivot_table(index=keys, columns="measure", values="value", aggfunc="first").reset_index()
    wide.columns.name = None
    return wide.sort_values(keys).reset_index(drop=True)


def vectors(table: pd.DataFrame, measure: str, keys: list[str]) -> dict[tuple, np.ndarray]:
    """Per ``keys`` combination, the measure's values ordered by ``step``."""
    rows = table[table["measure"] == measure].sort_values([*keys, "step"])
    return {key: group["value"].to_numpy() for key, group in rows.groupby(keys, sort=True)}


def block_sums(table: pd.DataFrame) -> dict[tuple, tuple[np.ndarray, np.ndarray]]:
    """Per estimator configuration: (ks, [blocks, len(ks)] sums of sub-block squared relative errors)."""
    rows = table[table["measure"] == "block_sq_error_sum"]
    out = {}
    for key, group in rows.groupby(CONFIG, sort=True):
        wide = group.pivot_table(index="step", columns="k", values="value", aggfunc="first").sort_index()
        out[key] = (wide.columns.to_numpy(dtype=float), wide.to_numpy(dtype=float))
    return out
