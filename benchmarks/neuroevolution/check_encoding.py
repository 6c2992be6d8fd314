"""Encoding claims: G1 (decoding is deterministic and framework-independent), G2 (the seed list is >= 10^4
times smaller than theta), G3 (the Atari net's parameter count).

Such et al. 2017 (arXiv:1712.06567, Sec. 3.1) encode an individual by its seeds; G1's tolerance and G2's
generation counts are the suite's (see the claims' notes). All three are exact decisions on deterministic
quantities: the "interval" of a value is the value itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks.claims import CheckResult, Detectable
from benchmarks.neuroevolution.thresholds import CompressionRatio, DecodeParity, ParameterCounts
from benchmarks.verdicts import INCONCLUSIVE, NOT_REPRODUCED, REPRODUCED, all_of

PATH_GAPS: tuple[str, ...] = ("path_gap_again", "path_gap_reversed", "path_gap_cached")
GENOME_KEYS: list[str] = ["task", "generations", "genome"]


def _decode_rows(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["method"] == "decode"]


def _per_genome(rows: pd.DataFrame, measure: str) -> pd.DataFrame:
    """One row per (framework, genome): ``measure``'s value."""
    picked = rows[rows["measure"] == measure]
    return picked[["framework", *GENOME_KEYS, "value"]].rename(columns={"value": measure})


def within_framework_gaps(table: pd.DataFrame) -> dict[str, float]:
    """Per framework: the largest |difference| between decoding paths (exactly 0 when deterministic)."""
    rows = _decode_rows(table)
    gaps = rows[rows["measure"].isin(PATH_GAPS)]
    return {str(fw): float(group["value"].max()) for fw, group in gaps.groupby("framework")}


def reference_excess(table: pd.DataFrame) -> dict[str, float]:
    """Per framework: the largest |decode - float64 reference| over its float32 rounding bound (<= 1 when
    correct)."""
    rows = _decode_rows(table)
    rows = rows[rows["measure"] == "reference_excess"]
    return {str(fw): float(group["value"].max()) for fw, group in rows.groupby("framework")}


def framework_gaps(table: pd.DataFrame) -> pd.DataFrame:
    """Per genome and pair of frameworks (the first framework against each other one): the largest
    |difference| over the compared coordinates and the |difference| of the float64 norms, both relative to the
    genome's largest |theta|; the number of coordinates compared."""
    rows = _decode_rows(table)
    frameworks = sorted(rows["framework"].unique())
    theta = rows[rows["measure"] == "theta"]
    scale = _per_genome(rows, "theta_scale").groupby(GENOME_KEYS)["theta_scale"].max().rename("scale")
    norms = _per_genome(rows, "theta_norm")
    out = []
    base = frameworks[0]
    keys = [*GENOME_KEYS, "coordinate"]
    for other in frameworks[1:]:
        a = theta[theta["framework"] == base][[*keys, "value"]]
        b = theta[theta["framework"] == other][[*keys, "value"]]
        both = a.merge(b, on=keys, suffixes=("_a", "_b"))
        both["gap"] = (both["value_a"] - both["value_b"]).abs()
        per = both.groupby(GENOME_KEYS).agg(gap=("gap", "max"), compared=("gap", "size")).join(scale)
        n = norms[norms["framework"] == base].merge(
            norms[norms["framework"] == other], on=GENOME_KEYS, suffixes=("_a", "_b")
        )
        n["norm_gap"] = (n["theta_norm_a"] - n["theta_norm_b"]).abs()
        per = per.join(n.set_index(GENOME_KEYS)[["norm_gap"]])
        per["relative_gap"] = per["gap"] / per["scale"]
        per["relative_norm_gap"] = per["norm_gap"] / per["scale"]
        per["pair"] = f"{base} vs {other}"
        out.append(per.reset_index())
    columns = [*GENOME_KEYS, "gap", "compared", "scale", "norm_gap", "relative_gap", "relative_norm_gap", "pair"]
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=columns)


def sampling_detectable(compared: int, power: float) -> float:
    """The smallest fraction f of a vector's coordinates that, when all of them are off, a uniform sample of
    ``compared`` coordinates (out of many) hits with probability ``power``: 1 - (1 - power)^(1/compared)."""
    return float(1.0 - (1.0 - power) ** (1.0 / max(compared, 1)))


def check_decode_parity(tables: dict[str, pd.DataFrame], threshold: DecodeParity) -> CheckResult:
    """G1: every framework's decoding paths agree bit for bit and match the float64 reference within float32
    rounding, and the frameworks agree within the tolerance."""
    table = tables["encoding"]
    within = within_framework_gaps(table)
    excess = reference_excess(table)
    gaps = framework_gaps(table)
    exact = all(value == 0.0 for value in within.values()) and all(value <= 1.0 for value in excess.values())
    details: list[dict] = [
        {"framework": fw, "largest_path_gap": gap, "reference_over_bound": excess.get(fw, float("nan"))}
        for fw, gap in within.items()
    ]
    per_framework = ", ".join(f"{fw} {gap:g} / {excess.get(fw, float('nan')):.2g}" for fw, gap in within.items())
    text = "per framework, largest gap between decoding paths / largest float64-reference error over its bound: "
    if gaps.empty:
        verdict = NOT_REPRODUCED if not exact else INCONCLUSIVE
        summary = f"{text}{per_framework}; one framework only: PyTorch vs JAX not compared"
        return CheckResult(verdict, float("nan"), float("nan"), float("nan"), summary, details)
    worst = float(max(gaps["relative_gap"].max(), gaps["relative_norm_gap"].max()))
    expected = _decode_rows(table).groupby("framework")[GENOME_KEYS].apply(lambda g: len(g.drop_duplicates()))
    complete = len(gaps) == int(expected.min()) * (len(expected) - 1)
    if not exact or worst > threshold.relative:
        verdict = NOT_REPRODUCED
    else:
        verdict = REPRODUCED if complete else INCONCLUSIVE
    for _, row in gaps.iterrows():
        details.append(
            {
                "pair": row["pair"],
                "policy": row["task"],
                "generations": int(row["generations"]),
                "genome": int(row["genome"]),
                "relative_gap": float(row["relative_gap"]),
                "relative_norm_gap": float(row["relative_norm_gap"]),
                "coordinates_compared": int(row["compared"]),
            }
        )
    fewest = int(gaps["compared"].min())
    detectable = Detectable(
        defect=f"a PyTorch-vs-JAX discrepancy above {threshold.relative:g} (relative) confined to this fraction of "
        "a vector's coordinates",
        size=sampling_detectable(fewest, threshold.power),
        unit=f"(of the coordinates; {fewest} sampled per genome at the least; any discrepancy that moves the norm "
        f"by more than {threshold.relative:g} is caught whatever its spread, and any departure from the float64 "
        "reference beyond float32 rounding on any coordinate)",
        power=threshold.power,
        method="a uniform sample of coordinates misses every off coordinate with probability (1 - f)^m",
    )
    summary = (
        f"{text}{per_framework}; largest PyTorch-vs-JAX difference {worst:.3g} of the largest |theta| over "
        f"{len(gaps)} genomes"
    )
    return CheckResult(verdict, worst, worst, worst, summary, details, detectable)


def _size_rows(table: pd.DataFrame, task: str) -> pd.DataFrame:
    return table[(table["method"] == "size") & (table["task"] == task)]


def _one_value(rows: pd.DataFrame, measure: str) -> float | None:
    """The value of ``measure`` if every framework measured the same one; None if absent; NaN if they differ."""
    values = rows.loc[rows["measure"] == measure, "value"].unique()
    if len(values) == 0:
        return None
    return float(values[0]) if len(values) == 1 else float("nan")


def check_compression(tables: dict[str, pd.DataFrame], threshold: CompressionRatio) -> CheckResult:
    """G2: measured bytes of theta over measured bytes of the seed list, equal to 4P / (8 (g + 1)) and at least
    ``threshold.low`` at every judged generation count."""
    rows = _size_rows(tables["encoding"], f"atari_dqn_{threshold.actions}")
    theta_bytes = _one_value(rows, "parameter_bytes")
    count = _one_value(rows, "n_params_layout")
    nan = float("nan")
    if theta_bytes is None or count is None:
        return CheckResult(INCONCLUSIVE, nan, nan, nan, "no size rows of the Atari net")
    seeds = rows[rows["measure"] == "genome_bytes"].groupby("generations")["value"].agg(["min", "max"])
    formula_seed_bytes = rows[rows["measure"] == "genome_bytes_formula"].groupby("generations")["value"].max()
    details, problems = [], []
    if not np.isfinite(theta_bytes) or theta_bytes != 4 * count:
        problems.append(f"theta takes {theta_bytes:g} bytes, not 4 P = {4 * count:g}")
    for g, (low, high) in seeds.iterrows():
        formula = 8.0 * (g + 1)
        if low != high or high != formula or formula_seed_bytes.get(g) != formula:
            problems.append(f"g = {g}: seed list measured {low:g}-{high:g} bytes, formula {formula:g}")
        details.append(
            {"generations": int(g), "seed_bytes": high, "ratio": theta_bytes / high, "formula": 4 * count / formula}
        )
    missing = [g for g in threshold.generations if g not in seeds.index]
    judged = [d for d in details if d["generations"] in threshold.generations]
    worst = min((d["ratio"] for d in judged), default=nan)
    worst_g = max((d["generations"] for d in judged), default=-1)
    largest_g = int(np.floor(4 * count / (8 * threshold.low))) - 1
    if problems or (judged and worst < threshold.low):
        verdict = NOT_REPRODUCED
    elif missing:
        verdict = INCONCLUSIVE
    else:
        verdict = REPRODUCED
    detectable = Detectable(
        defect="seed lists costing more bytes per seed than measured, by a factor of",
        size=worst / threshold.low if np.isfinite(worst) else nan,
        unit=f"(x the 8 bytes per seed, at the judged g = {worst_g})",
        power=1.0,
        method="exact arithmetic on the measured byte counts",
    )
    summary = (
        f"theta {theta_bytes:,.0f} bytes (P = {count:,.0f}); ratio {worst:,.0f} at the judged generation counts "
        f"{list(threshold.generations)}; >= {threshold.low:g} up to g = {largest_g} at 8 bytes per seed"
        + (f"; missing g {missing}" if missing else "")
        + (f"; {'; '.join(problems)}" if problems else "")
    )
    return CheckResult(verdict, worst, worst, worst, summary, details, detectable)


def check_parameter_counts(tables: dict[str, pd.DataFrame], threshold: ParameterCounts) -> CheckResult:
    """G3: the layout's count and every framework's decoded length equal the stated counts."""
    table = tables["encoding"]
    details, verdicts = [], []
    for actions, expected in threshold.counts.items():
        rows = _size_rows(table, f"atari_dqn_{actions}")
        layout = rows.loc[rows["measure"] == "n_params_layout", "value"]
        decoded = rows[rows["measure"] == "n_params_decoded"]
        if layout.empty or decoded.empty:
            verdicts.append(INCONCLUSIVE)
            details.append({"actions": actions, "expected": expected, "missing": True})
            continue
        found = {float(v) for v in layout} | {float(v) for v in decoded["value"]}
        ok = found == {float(expected)}
        verdicts.append(REPRODUCED if ok else NOT_REPRODUCED)
        details.append(
            {
                "actions": actions,
                "expected": expected,
                "layout": float(layout.iloc[0]),
                **{f"decoded_{fw}": float(v) for fw, v in zip(decoded["framework"], decoded["value"], strict=True)},
            }
        )
    verdict = all_of(verdicts)
    first = details[0].get("layout", float("nan")) if details else float("nan")
    detectable = Detectable(
        defect="a layout or decoder off by",
        size=1.0,
        unit="parameter",
        power=1.0,
        method="exact integer comparison",
    )
    text = "; ".join(
        f"{d['actions']} actions: layout {d.get('layout', float('nan')):,.0f} (stated {d['expected']:,})"
        for d in details
    )
    return CheckResult(verdict, first, first, first, text, details, detectable)
