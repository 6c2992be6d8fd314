"""Read the study's tables into the numbers the checks and the figures share (so both show the same ones):
paired-round ratios of step times with bootstrap replicates, per-run training outcomes, memory ratios, and
the censoring-aware ratio of Kaplan-Meier medians."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from benchmarks.forward_training.tasks import BACKPROP, FORWARD
from benchmarks.stats import percentile_ci
from benchmarks.survival import paired_median_ratio_ci

BOOTSTRAP = 4000
SEED = 20220217


# ----------------------------------------------------------------------------------------------- step times
def rounds(table: pd.DataFrame, method: str, distribution: str = "none", k: int = 0, **axes: object) -> np.ndarray:
    """Seconds per timed round (ordered by round) of one kind of step; ``axes`` select model or depth."""
    rows = table[(table["measure"] == "seconds") & (table["method"] == method)]
    rows = rows[(rows["distribution"] == distribution) & ((rows["k"] == k) if "k" in rows else True)]
    for axis, value in axes.items():
        rows = rows[rows[axis] == value]
    return rows.sort_values("step")["value"].to_numpy(dtype=float)


@dataclass(frozen=True)
class RoundRatio:
    """Ratio of median step times A/B over paired rounds, with percentile bootstrap replicates."""

    estimate: float
    replicates: np.ndarray

    def interval(self, confidence: float) -> tuple[float, float]:
        """Percentile interval at ``confidence``."""
        return percentile_ci(self.replicates, confidence)

    @property
    def log_sd(self) -> float:
        """Standard deviation of the log replicates (for power)."""
        return float(np.std(np.log(self.replicates), ddof=1))


def round_ratio(a: np.ndarray, b: np.ndarray, seed: int = SEED, replicates: int = BOOTSTRAP) -> RoundRatio:
    """median(a)/median(b), rounds resampled in pairs (round i of A ran next to round i of B)."""
    if a.size != b.size or a.size < 2:
        raise ValueError(f"paired rounds needed: {a.size} and {b.size}")
    idx = np.random.default_rng(seed).integers(0, a.size, (replicates, a.size))
    return RoundRatio(float(np.median(a) / np.median(b)), np.median(a[idx], axis=1) / np.median(b[idx], axis=1))


# ----------------------------------------------------------------------------------------------- training runs
SCALARS = (
    "diverged",
    "budget",
    "target_loss",
    "iterations_to_target",
    "seconds_to_target",
    "reached",
    "judged",
    "selected",
)


def run_outcomes(table: pd.DataFrame, keys: tuple[str, ...] = ("model", "lr", "method", "seed")) -> pd.DataFrame:
    """One row per run: the scalar measures, the final training and test loss, the final seconds."""
    keys = tuple(k for k in keys if k in table.columns)
    rows = table[table["measure"].isin(SCALARS)]
    scalar = rows.groupby([*keys, "measure"], dropna=False)["value"].first().unstack("measure")
    out = scalar.reset_index().rename_axis(columns=None).reindex(columns=[*keys, *SCALARS])
    for measure, name in (
        ("train_loss", "final_train_loss"),
        ("test_loss", "final_test_loss"),
        ("seconds", "final_seconds"),
    ):
        rows = table[table["measure"] == measure].sort_values("step")
        last = rows.groupby(list(keys))["value"].last().rename(name)
        out = out.join(last, on=list(keys))
    return out


def paired(outcomes: pd.DataFrame, key: str = "seed") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(forward-gradient runs, backprop runs) aligned on ``key`` (pairs present in both)."""
    fg = outcomes[outcomes["method"] == FORWARD].set_index(key)
    bp = outcomes[outcomes["method"] == BACKPROP].set_index(key)
    common = fg.index.intersection(bp.index).sort_values()
    return fg.loc[common], bp.loc[common]


def times(runs: pd.DataFrame, measure: str, budget: str) -> tuple[np.ndarray, np.ndarray]:
    """(time to the target or, censored, the run's budget; reached) of runs."""
    reached = runs["reached"].to_numpy(dtype=float) > 0.5
    value = np.where(reached, runs[measure].to_numpy(dtype=float), runs[budget].to_numpy(dtype=float))
    return value, reached


@dataclass(frozen=True)
class CensoredRatio:
    """A/B of Kaplan-Meier medians; ``low`` and ``high`` are censoring-aware (see :func:`censored_ratio`)."""

    estimate: float
    low: float
    high: float
    median_a: float
    median_b: float


def censored_ratio(
    a: np.ndarray, reached_a: np.ndarray, b: np.ndarray, reached_b: np.ndarray, confidence: float
) -> CensoredRatio:
    """Ratio of Kaplan-Meier medians A/B with a paired-bootstrap interval that stays valid under censoring:
    a censored run's time is only known to exceed its budget, so the lower bound comes from the resamples
    with A's censored runs counted as reaching at their budget (A as fast as it can be) and B's left
    censored, the upper bound from the reverse; without censoring both are the plain percentile interval
    (:func:`benchmarks.survival.paired_median_ratio_ci`, the same resamples for all three)."""
    ones_a, ones_b = np.ones_like(reached_a, dtype=bool), np.ones_like(reached_b, dtype=bool)

    def ci(ra: np.ndarray, rb: np.ndarray) -> object:
        return paired_median_ratio_ci(a, ra, b, rb, confidence, np.random.default_rng(SEED))

    km, fast_a, fast_b = ci(reached_a, reached_b), ci(ones_a, reached_b), ci(reached_a, ones_b)
    return CensoredRatio(km.estimate, min(km.low, fast_a.low), max(km.high, fast_b.high), km.median_a, km.median_b)


# ----------------------------------------------------------------------------------------------- memory
def memory_ratios(table: pd.DataFrame, numerator: str = "fg", denominator: str = "bp") -> pd.DataFrame:
    """Per (model, depth, batch): peak bytes of ``numerator`` and ``denominator`` steps and their ratio."""
    rows = table[table["measure"] == "peak_bytes"]
    wide = rows.pivot_table(
        index=["model", "depth", "batch", "task"], columns="method", values="value", aggfunc="first"
    )
    wide = wide.reindex(columns=sorted({*wide.columns, numerator, denominator}))
    wide = wide.dropna(subset=[numerator, denominator]).reset_index().rename_axis(columns=None)
    wide["ratio"] = wide[numerator] / wide[denominator]
    mechanism = rows.groupby(["model", "depth", "batch"])["mechanism"].first()
    return wide.join(mechanism, on=["model", "depth", "batch"]).sort_values(["model", "depth", "batch"])
