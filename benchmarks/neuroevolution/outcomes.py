"""The search experiments' tables as the checks and the figures read them (layout: :mod:`.runs`).

Runs are compared at equal frames (Such et al. 2017, arXiv:1712.06567, compare every method at the same number
of game frames): :func:`common_budget` is the fewest total frames any of the compared runs used, and
:func:`score_at_budget` reads each run's elite score at its last generation within that budget.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks.neuroevolution.runs import NO_INDIVIDUAL, RECORD_MEASURES, RUN_LEVEL

RUN_KEYS: tuple[str, ...] = ("framework", "device", "task", "method", "run")


def _wide(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    wide = rows.pivot_table(index=keys, columns="measure", values="value", aggfunc="first").reset_index()
    wide.columns.name = None
    return wide


def run_table(table: pd.DataFrame) -> pd.DataFrame:
    """One row per run: ``final_score``, ``final_frames``, ``total_frames``, ``final_episodes``."""
    rows = table[(table["generation"] == RUN_LEVEL) & (table["individual"] == NO_INDIVIDUAL)]
    return _wide(rows, list(RUN_KEYS)).sort_values(list(RUN_KEYS)).reset_index(drop=True)


def curves(table: pd.DataFrame) -> pd.DataFrame:
    """One row per (run, generation): every per-generation record measure."""
    rows = table[
        (table["generation"] > RUN_LEVEL)
        & (table["individual"] == NO_INDIVIDUAL)
        & table["measure"].isin(RECORD_MEASURES)
    ]
    return _wide(rows, [*RUN_KEYS, "generation"]).sort_values([*RUN_KEYS, "generation"]).reset_index(drop=True)


def individuals(table: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The per-individual rows of ``measure`` (``initial_fitness``, ``final_x``, ``final_y``)."""
    rows = table[(table["measure"] == measure) & (table["individual"] != NO_INDIVIDUAL)]
    return rows[[*RUN_KEYS, "generation", "individual", "value"]].reset_index(drop=True)


def final_positions(table: pd.DataFrame) -> pd.DataFrame:
    """The maze's recorded final positions: one row per (run, individual) with ``x`` and ``y``."""
    x = individuals(table, "final_x").rename(columns={"value": "x"})
    y = individuals(table, "final_y").rename(columns={"value": "y"})
    return x.merge(y, on=[*RUN_KEYS, "generation", "individual"])


def common_budget(curve: pd.DataFrame) -> float:
    """The fewest total frames any run in ``curve`` used (its last generation's cumulative frames)."""
    if curve.empty:
        raise ValueError("no per-generation records to take a frame budget from")
    return float(curve.groupby(list(RUN_KEYS))["cumulative_frames"].max().min())


def score_at_budget(curve: pd.DataFrame, budget: float, measure: str = "elite_fitness") -> pd.DataFrame:
    """Per run: ``measure`` at its last generation whose cumulative frames are within ``budget`` (the first
    generation when even that one used more; ``within`` says which), with that generation and its frames."""
    out = []
    for key, runs in curve.groupby(list(RUN_KEYS), sort=True):
        runs = runs.sort_values("generation")
        inside = runs[runs["cumulative_frames"] <= budget]
        row = (inside if len(inside) else runs).iloc[-1 if len(inside) else 0]
        out.append(
            {
                **dict(zip(RUN_KEYS, key, strict=True)),
                "score": float(row[measure]),
                "generation": int(row["generation"]),
                "frames": float(row["cumulative_frames"]),
                "within": bool(len(inside)),
            }
        )
    return pd.DataFrame(out, columns=[*RUN_KEYS, "score", "generation", "frames", "within"])


def first_reached(curve: pd.DataFrame, budget: float) -> pd.DataFrame:
    """Per run: whether some evaluated individual reached the goal within ``budget`` frames (``reached`` > 0
    in a generation whose cumulative frames are within it), and the first such generation (0: none)."""
    out = []
    for key, runs in curve.groupby(list(RUN_KEYS), sort=True):
        hits = runs[(runs["reached"] > 0) & (runs["cumulative_frames"] <= budget)].sort_values("generation")
        out.append(
            {
                **dict(zip(RUN_KEYS, key, strict=True)),
                "reached": bool(len(hits)),
                "generation": int(hits["generation"].iloc[0]) if len(hits) else 0,
            }
        )
    return pd.DataFrame(out, columns=[*RUN_KEYS, "reached", "generation"])


def on_grid(curve: pd.DataFrame, measure: str, grid: np.ndarray) -> pd.DataFrame:
    """Each run's ``measure`` as a step function of cumulative frames, read at ``grid`` (NaN before a run's
    first generation ends and after its last): long rows (run keys, ``frames``, ``value``)."""
    out = []
    for key, runs in curve.groupby(list(RUN_KEYS), sort=True):
        runs = runs.sort_values("cumulative_frames")
        frames, values = runs["cumulative_frames"].to_numpy(float), runs[measure].to_numpy(float)
        position = np.searchsorted(frames, grid, side="right") - 1
        read = np.where((position >= 0) & (grid <= frames[-1]), values[np.clip(position, 0, None)], np.nan)
        out.append(pd.DataFrame({**dict(zip(RUN_KEYS, key, strict=True)), "frames": grid, "value": read}))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=[*RUN_KEYS, "frames", "value"])
