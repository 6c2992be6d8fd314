"""Scaling claim G7: the distributed GA sends seeds, not parameters, and gets faster with workers.

Such et al. 2017 (arXiv:1712.06567, Sec. 3.1 and 4.1): workers exchange seed lists and fitness, so a
generation's traffic does not depend on the network's size, and the GA's wall time falls with the number of
cores. Both are judged per framework on the ``scaling`` experiment's paired generations (the same genomes on
every engine): the bytes ratio of a 4 M-parameter to a small MLP, and the ratio of median seconds per
generation on 1 worker over the most workers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from benchmarks.claims import CheckResult, Detectable
from benchmarks.neuroevolution.experiments.scaling import IN_PROCESS, LARGE, RAY, SMALL
from benchmarks.neuroevolution.thresholds import Distributed
from benchmarks.stats import bootstrap_replicates_needed, percentile_ci, z_value
from benchmarks.verdicts import INCONCLUSIVE, band_verdict, family

SEED = 0  # the bootstrap's own generator: fixed, so a check gives the same interval every time


def per_generation(table: pd.DataFrame, task: str, engine: str, workers: int, measure: str) -> pd.Series:
    """``measure`` per timed generation of one configuration, indexed by generation."""
    rows = table[
        (table["task"] == task)
        & (table["engine"] == engine)
        & (table["workers"] == workers)
        & (table["measure"] == measure)
        & (table["generation"] > 0)
    ]
    return rows.set_index("generation")["value"].sort_index()


def traffic(table: pd.DataFrame, task: str, workers: int) -> pd.Series:
    """Bytes sent plus received per generation on Ray."""
    sent = per_generation(table, task, RAY, workers, "bytes_sent")
    return sent + per_generation(table, task, RAY, workers, "bytes_received")


def _bytes_member(table: pd.DataFrame, most: int, threshold: Distributed) -> tuple[str, dict, Detectable]:
    small, large = traffic(table, SMALL, most), traffic(table, LARGE, most)
    common = small.index.intersection(large.index)
    ratio = (large[common] / small[common]).to_numpy(float)
    low_band, high_band = threshold.bytes_band
    mean = float(ratio.mean())
    se = float(ratio.std(ddof=1) / np.sqrt(len(ratio))) if len(ratio) > 1 else float("inf")
    df = max(len(ratio) - 1, 1)
    half = float(stats.t.ppf(0.5 + threshold.confidence / 2, df)) * se if se > 0 else 0.0
    low, high = mean - half, mean + half
    verdict = band_verdict(low, high, low_band, high_band)
    params = {
        t: float(table.loc[(table["task"] == t) & (table["measure"] == "n_params"), "value"].max())
        for t in (SMALL, LARGE)
    }
    would_send = per_generation(table, LARGE, RAY, most, "parameter_bytes")
    detail = {
        "member": "bytes",
        "ratio": mean,
        "low": low,
        "high": high,
        "generations": len(ratio),
        "small_params": params[SMALL],
        "large_params": params[LARGE],
        "large_bytes_per_generation": float(large[common].median()),
        "large_parameter_bytes_per_generation": float(would_send.median()) if len(would_send) else float("nan"),
        "verdict": verdict,
    }
    shift = float((stats.t.ppf(0.5 + threshold.confidence / 2, df) + stats.t.ppf(threshold.power, df)) * se)
    detail["smallest_detectable_ratio"] = high_band + shift
    detectable = Detectable(
        defect="traffic that grows with the parameter count: a large-over-small bytes ratio of",
        size=high_band + shift,
        unit=f"(the parameter ratio is {params[LARGE] / params[SMALL]:,.0f}; sending theta would give about that)",
        power=threshold.power,
        method="t quantiles at the measured standard error of the per-generation ratio",
    )
    return verdict, detail, detectable


def speedup(
    table: pd.DataFrame, most: int, confidence: float, replicates: int | None = None
) -> tuple[float, float, float, float]:
    """Median seconds per generation on 1 worker over that on ``most`` workers, with a paired percentile
    bootstrap interval (generations resampled together); and the replicates' sd of the log ratio."""
    one = per_generation(table, SMALL, RAY, 1, "wall_time")
    many = per_generation(table, SMALL, RAY, most, "wall_time")
    common = one.index.intersection(many.index)
    a, b = one[common].to_numpy(float), many[common].to_numpy(float)
    estimate = float(np.median(a) / np.median(b))
    rng = np.random.default_rng(SEED)
    count = replicates or bootstrap_replicates_needed(confidence)
    draws = rng.integers(0, len(a), size=(count, len(a)))
    ratios = np.median(a[draws], axis=1) / np.median(b[draws], axis=1)
    low, high = percentile_ci(ratios, confidence)
    return estimate, low, high, float(np.std(np.log(ratios), ddof=1))


def _speed_member(table: pd.DataFrame, most: int, threshold: Distributed) -> tuple[str, dict, Detectable]:
    estimate, low, high, log_sd = speedup(table, most, threshold.confidence)
    verdict = band_verdict(low, high, threshold.speedup_at_least, np.inf)
    inproc = per_generation(table, SMALL, IN_PROCESS, 1, "wall_time")
    ray_one = per_generation(table, SMALL, RAY, 1, "wall_time")
    detail = {
        "member": "speed",
        "speedup": estimate,
        "low": low,
        "high": high,
        "workers": most,
        "median_seconds_in_process": float(inproc.median()) if len(inproc) else float("nan"),
        "median_seconds_ray_1": float(ray_one.median()),
        "ray_1_over_in_process": float(ray_one.median() / inproc.median()) if len(inproc) else float("nan"),
        "verdict": verdict,
    }
    z = z_value(threshold.confidence) + float(stats.norm.ppf(threshold.power))
    detail["smallest_detectable_speedup"] = threshold.speedup_at_least * float(np.exp(-z * log_sd))
    detectable = Detectable(
        defect=f"a true speed-up on {most} workers of at most",
        size=detail["smallest_detectable_speedup"],
        unit="(seconds on 1 worker / on the most)",
        power=threshold.power,
        method="normal approximation on the log ratio with the bootstrap's standard error",
    )
    return verdict, detail, detectable


def check_distributed(tables: dict[str, pd.DataFrame], threshold: Distributed) -> CheckResult:
    """G7: a family of two members, bytes independent of the parameter count and a speed-up with workers."""
    table = tables["scaling"]
    ray_rows = table[table["engine"] == RAY]
    nan = float("nan")
    if ray_rows.empty:
        return CheckResult(INCONCLUSIVE, nan, nan, nan, "no Ray generations")
    most = int(ray_rows["workers"].max())
    members = [_bytes_member(table, most, threshold), _speed_member(table, most, threshold)]
    verdicts = [m[0] for m in members]
    details = [m[1] for m in members]
    bytes_detail, speed_detail = details
    summary = (
        f"bytes per generation, {bytes_detail['large_params']:,.0f}- over {bytes_detail['small_params']:,.0f}-"
        f"parameter MLP: {bytes_detail['ratio']:.3f} [{bytes_detail['low']:.3f}, {bytes_detail['high']:.3f}] "
        f"({verdicts[0]}); "
        f"speed-up on {most} workers {speed_detail['speedup']:.2f} [{speed_detail['low']:.2f}, "
        f"{speed_detail['high']:.2f}] ({verdicts[1]}); Ray with 1 worker / in-process "
        f"{speed_detail['ray_1_over_in_process']:.2f}"
    )
    return CheckResult(
        family(verdicts),
        speed_detail["speedup"],
        speed_detail["low"],
        speed_detail["high"],
        summary,
        details,
        members[1][2],
    )
