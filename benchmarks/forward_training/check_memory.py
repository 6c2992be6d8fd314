"""Check of claim F8 (Baydin et al. 2022, arXiv 2202.08587, report memory about equal for forward gradients
and backprop in their implementation; forward mode stores no activations, so it could need less): peak
memory of one step of the suite's forward-gradient step over its backprop step, by a mechanism that sees
the framework's own allocations (:mod:`implementations.contracts.step_costs`), in every configuration of
``memory`` (each model at the paper's batch, the MLP at every batch and depth).

The readings are exact counts (XLA's buffer assignment; the allocator's own events), identical from one
warm step to the next, so the interval is the reading itself: reproduced when every ratio is at most
``high``, not reproduced when one exceeds it. Power: any excess over the band is read; the smallest is one
byte of the backprop step's peak (the resolution), reported relative to it. The value is the MLP's ratio
at the models' batch (the paper's configuration) when measured.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks.claims import CheckResult, Detectable
from benchmarks.forward_training.summaries import memory_ratios
from benchmarks.forward_training.thresholds import MemoryRatio
from benchmarks.verdicts import INCONCLUSIVE, NOT_REPRODUCED, REPRODUCED


def check_memory(tables: dict[str, pd.DataFrame], th: MemoryRatio) -> CheckResult:
    """F8 (module docstring)."""
    table = tables["memory"]
    ratios = memory_ratios(table)
    if ratios.empty:
        return CheckResult(INCONCLUSIVE, np.nan, np.nan, np.nan, "no paired FG/BP readings")
    verdict = REPRODUCED if bool((ratios["ratio"] <= th.high).all()) else NOT_REPRODUCED
    marked = table[(table["measure"] == "paper_config") & (table["value"] > 0.5)]
    paper = ratios.merge(marked[["model", "depth", "batch"]].drop_duplicates(), on=["model", "depth", "batch"])
    row = (paper[paper["model"] == "mlp"] if (paper["model"] == "mlp").any() else paper if len(paper) else ratios).iloc[
        0
    ]
    minimal = memory_ratios(table, "minimal_fg", "minimal_bp")
    worst = ratios.loc[ratios["ratio"].idxmax()]
    summary = (
        f"FG/BP peak memory {row['ratio']:.2f} on {row['task']} at batch {int(row['batch'])} "
        f"({row['fg'] / 2**20:.1f} vs {row['bp'] / 2**20:.1f} MiB; {row['mechanism'].split(':')[0]}); range "
        f"{ratios['ratio'].min():.2f}-{ratios['ratio'].max():.2f} over {len(ratios)} configurations (largest: "
        f"{worst['task']} batch {int(worst['batch'])})"
        + (
            f"; hand-written in-place steps {minimal['ratio'].min():.2f}-{minimal['ratio'].max():.2f}"
            if len(minimal)
            else ""
        )
    )
    details = [
        {
            "task": r.task,
            "batch": int(r.batch),
            "depth": int(r.depth),
            "fg_bytes": float(r.fg),
            "bp_bytes": float(r.bp),
            "ratio": float(r.ratio),
            "mechanism": r.mechanism,
        }
        for r in ratios.itertuples()
    ]
    details += [{"hand-written": r.task, "batch": int(r.batch), "ratio": float(r.ratio)} for r in minimal.itertuples()]
    detectable = Detectable(
        defect=f"forward-gradient step needs more memory: FG/BP peak above {th.high:g} by",
        size=float(1.0 / ratios["bp"].max()),
        unit="(ratio units: one byte of the backprop peak, the readings' resolution)",
        power=th.power,
        method="exact, deterministic readings",
    )
    return CheckResult(
        verdict, float(row["ratio"]), float(row["ratio"]), float(row["ratio"]), summary, details, detectable
    )
