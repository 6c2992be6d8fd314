"""Every claim check of the study at its limits: an honest synthetic run reads ``reproduced``; a defect of about
1.2-1.4x the check's own smallest detectable size reads ``not reproduced``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks.neuroevolution import claims, thresholds
from benchmarks.neuroevolution.check_encoding import (
    check_compression,
    check_decode_parity,
    check_parameter_counts,
    sampling_detectable,
)
from benchmarks.neuroevolution.check_maze import check_maze
from benchmarks.neuroevolution.check_returns import check_learns, check_never_beaten, welch
from benchmarks.neuroevolution.check_scaling import check_distributed
from benchmarks.neuroevolution.experiments.encoding import coordinates
from benchmarks.proportions import smallest_detectable_shortfall
from benchmarks.stats import simultaneous_confidence
from benchmarks.verdicts import NOT_REPRODUCED, PARTIAL, REPRODUCED
from tests.neuroevolution.synthetic import (
    EPISODE_CAP,
    IN_PROCESS,
    LARGE,
    RAY,
    SMALL,
    decode_rows,
    scaling_table,
    search_table,
    size_rows,
)

RNG = np.random.default_rng(20171218)


# ----------------------------------------------------------------------------------------------- G1
def _thetas(size: int) -> dict[tuple[int, int], np.ndarray]:
    return {(g, i): RNG.standard_normal(size).astype(np.float32) for g in (0, 2) for i in range(2)}


def test_g1_parity_at_its_sampling_limit() -> None:
    size, sampled = 200_000, 512
    index = coordinates(7, "atari", size, sampled)
    theta = _thetas(size)
    honest = pd.concat([decode_rows("jax", theta, index), decode_rows("pytorch", theta, index)])
    result = check_decode_parity({"encoding": honest}, thresholds.G1)
    assert result.verdict == REPRODUCED and result.value == 0.0, result.summary
    fraction = sampling_detectable(sampled, thresholds.G1.power)
    assert result.detectable.size == fraction and 0 < fraction < 0.01
    # PyTorch off by 2e-6 relative on 1.3x the detectable fraction of the coordinates: the sample finds some
    off = {}
    for key, vector in theta.items():
        bad = vector.copy()
        hit = RNG.choice(size, int(1.3 * fraction * size), replace=False)
        bad[hit] += np.float32(2e-6) * np.max(np.abs(vector))
        off[key] = bad
    defective = pd.concat([decode_rows("jax", theta, index), decode_rows("pytorch", off, index)])
    assert check_decode_parity({"encoding": defective}, thresholds.G1).verdict == NOT_REPRODUCED
    # and the stated power holds: over fresh draws of the planted coordinates, >= 90% are caught (expected 95%)
    caught = 0
    for _ in range(40):
        hit = RNG.choice(size, int(1.3 * fraction * size), replace=False)
        caught += bool(np.isin(index, hit).any())
    assert caught >= 34


def test_g1_any_path_gap_or_reference_excess_refutes() -> None:
    index = np.arange(64)
    theta = _thetas(64)
    one_ulp = float(np.spacing(np.float32(1.0)))
    for kwargs in ({"path_gap": one_ulp}, {"excess": 1.3}):
        table = pd.concat([decode_rows("jax", theta, index), decode_rows("pytorch", theta, index, **kwargs)])
        assert check_decode_parity({"encoding": table}, thresholds.G1).verdict == NOT_REPRODUCED, kwargs
    alone = check_decode_parity({"encoding": decode_rows("jax", theta, index)}, thresholds.G1)
    assert alone.verdict == "inconclusive"  # one framework: the parity is not judged


# ----------------------------------------------------------------------------------------------- G2, G3
GENERATIONS = [0, 1, 10, 100, 200, 1000]


def test_g2_compression_at_its_limit() -> None:
    counts = thresholds.G3.counts
    honest = check_compression({"encoding": size_rows("none", counts, GENERATIONS)}, thresholds.G2)
    assert honest.verdict == REPRODUCED, honest.summary
    expected = 4 * counts[18] / (8 * 201)
    assert np.isclose(honest.value, expected) and honest.value >= thresholds.G2.low
    inflation = 1.0 + 1.3 * (honest.detectable.size - 1.0)  # seeds costing 1.3x the margin more bytes
    defective = size_rows("none", counts, GENERATIONS, bytes_per_seed=8 * inflation)
    result = check_compression({"encoding": defective}, thresholds.G2)
    assert result.verdict == NOT_REPRODUCED and result.value < thresholds.G2.low
    missing = size_rows("none", counts, [0, 1, 10])
    assert check_compression({"encoding": missing}, thresholds.G2).verdict == "inconclusive"


def test_g3_counts_exact() -> None:
    counts = thresholds.G3.counts
    assert counts == {18: 4_052_658, 4: 4_045_476}
    honest = pd.concat([size_rows("jax", counts, [0]), size_rows("pytorch", counts, [0])])
    assert check_parameter_counts({"encoding": honest}, thresholds.G3).verdict == REPRODUCED
    off_by_one = pd.concat(
        [size_rows("jax", counts, [0]), size_rows("pytorch", {18: counts[18] + 1, 4: counts[4]}, [0])]
    )
    assert check_parameter_counts({"encoding": off_by_one}, thresholds.G3).verdict == NOT_REPRODUCED


# ----------------------------------------------------------------------------------------------- G4
RUNS = 32


def _cartpole(rate: float) -> pd.DataFrame:
    solved = int(np.floor(rate * RUNS))
    scores = np.array([500.0] * solved + [300.0] * (RUNS - solved))
    return search_table("control", "cartpole", {"ga": scores})


def _breakout(ga_scores: np.ndarray, random: np.ndarray) -> pd.DataFrame:
    initial = {"ga": [random[i :: len(ga_scores)] for i in range(len(ga_scores))]}
    return search_table("minatar", "minatar_breakout", {"ga": ga_scores}, initial=initial)


def test_g4_cartpole_rate_at_its_limit() -> None:
    g4 = thresholds.G4
    only_cartpole = thresholds.Learns(above_random={})
    honest = check_learns({"control": _cartpole(1.0), "minatar": pd.DataFrame()}, only_cartpole)
    assert honest.verdict == REPRODUCED, honest.summary
    d = smallest_detectable_shortfall(RUNS, g4.solved_fraction, g4.confidence, g4.power)
    assert honest.detectable.size == d and 0 < d < 0.3
    defective = check_learns(
        {"control": _cartpole(g4.solved_fraction - 1.3 * d), "minatar": pd.DataFrame()}, only_cartpole
    )
    assert defective.verdict == NOT_REPRODUCED, defective.summary


def test_g4_above_random_at_its_limit() -> None:
    g4 = thresholds.G4
    random = np.abs(RNG.normal(0.5, 0.5, 512))
    ga = RNG.normal(6.0, 1.5, 16)
    only_breakout = thresholds.Learns(solved={})
    honest = check_learns({"control": pd.DataFrame(), "minatar": _breakout(ga, random)}, only_breakout)
    assert honest.verdict == REPRODUCED, honest.summary
    size = honest.detectable.size
    shift = (ga.mean() - 2.0 * random.mean()) + 1.3 * size  # true difference = -1.3x the detectable shortfall
    defective = check_learns({"control": pd.DataFrame(), "minatar": _breakout(ga - shift, random)}, only_breakout)
    assert defective.verdict == NOT_REPRODUCED, defective.summary
    both = check_learns({"control": _cartpole(1.0), "minatar": _breakout(ga - shift, random)}, g4)
    assert both.verdict == PARTIAL  # a family: one member reproduced, one refuted


# ----------------------------------------------------------------------------------------------- G5
def _ga_vs_rs(ga: np.ndarray, rs: np.ndarray) -> pd.DataFrame:
    return search_table("control", "cartpole", {"ga": ga, "random_search": rs})


def test_g5_non_inferiority_at_its_limit() -> None:
    g5 = thresholds.G5
    ga, rs = RNG.normal(300, 10, 16), RNG.normal(300, 10, 16)
    honest = check_never_beaten({"control": _ga_vs_rs(ga, rs), "minatar": pd.DataFrame()}, g5)
    assert honest.verdict == REPRODUCED, honest.summary
    size = honest.detectable.size
    margin = g5.margin("cartpole", EPISODE_CAP)
    assert margin == 25.0 and 0 < size < margin
    better = rs - (rs.mean() - ga.mean()) + margin + 1.3 * size  # RS ahead by margin + 1.3x
    defective = check_never_beaten({"control": _ga_vs_rs(ga, better), "minatar": pd.DataFrame()}, g5)
    assert defective.verdict == NOT_REPRODUCED, defective.summary


def test_g5_compares_at_the_common_frame_budget() -> None:
    """A random-search run that stops early sets the budget: the GA's later, better generations do not count."""
    curves = {"ga": [[100.0, 200.0, 400.0]] * 3, "random_search": [[150.0, 160.0]] * 3}
    table = search_table(
        "control", "cartpole", {"ga": np.full(3, 400.0), "random_search": np.full(3, 160.0)}, elite=curves
    )
    result = check_never_beaten({"control": table, "minatar": pd.DataFrame()}, thresholds.G5)
    assert result.details[0]["frame_budget"] == 2000 and result.details[0]["difference"] == 40.0


def test_welch_matches_scipy() -> None:
    from scipy import stats

    a, b = RNG.normal(1, 2, 9), RNG.normal(0, 1, 14)
    diff = welch(a, b, 0.975)
    reference = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert np.isclose(diff.low, reference.low) and np.isclose(diff.high, reference.high)


# ----------------------------------------------------------------------------------------------- G6
MAZE_RUNS = 48


def _maze(rates: dict[str, float]) -> pd.DataFrame:
    reached = {}
    for method, rate in rates.items():
        hits = int(np.floor(rate * MAZE_RUNS))
        reached[method] = [[0, 3, 5]] * hits + [[0, 0, 0]] * (MAZE_RUNS - hits)
    scores = {method: np.full(MAZE_RUNS, -1.0) for method in rates}
    return search_table("maze", "deceptive_maze", scores, reached=reached)


def test_g6_rates_at_their_limits() -> None:
    g6 = thresholds.G6
    honest = check_maze({"maze": _maze({"novelty_search": 1.0, "ga": 0.0, "es": 0.0})}, g6)
    assert honest.verdict == REPRODUCED, honest.summary
    level = simultaneous_confidence(g6.confidence, 3)
    d_ns = smallest_detectable_shortfall(MAZE_RUNS, g6.novelty_at_least, level, g6.power)
    d_ga = smallest_detectable_shortfall(MAZE_RUNS, 1 - g6.others_at_most, level, g6.power)
    weak_ns = _maze({"novelty_search": g6.novelty_at_least - 1.3 * d_ns, "ga": 0.0, "es": 0.0})
    assert check_maze({"maze": weak_ns}, g6).verdict == NOT_REPRODUCED
    lucky_ga = _maze({"novelty_search": 1.0, "ga": g6.others_at_most + 1.3 * d_ga, "es": 0.0})
    assert check_maze({"maze": lucky_ga}, g6).verdict == NOT_REPRODUCED


# ----------------------------------------------------------------------------------------------- G7
PARAMS = {SMALL: 386, LARGE: 4_054_814}


def _scaling(ratio: float, speedup: float, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)  # the same noise for every call: only the planted ratios differ
    small = 1000.0 + rng.integers(0, 3, 12)
    one, two = np.exp(rng.normal(0, 0.05, (2, 12)))
    return scaling_table(
        {(IN_PROCESS, 1): 0.9 * one, (RAY, 1): one, (RAY, 2): two / speedup},
        {SMALL: small, LARGE: (small + rng.integers(0, 3, 12)) * ratio},
        PARAMS,
    )


def test_g7_members_at_their_limits() -> None:
    g7 = thresholds.G7
    honest = check_distributed({"scaling": _scaling(1.0, 1.9)}, g7)
    assert honest.verdict == REPRODUCED, honest.summary
    bytes_limit, speed_limit = (
        honest.details[0]["smallest_detectable_ratio"],
        honest.details[1]["smallest_detectable_speedup"],
    )
    assert g7.bytes_band[1] < bytes_limit < 1.2 and 1.0 < speed_limit < g7.speedup_at_least
    heavy = g7.bytes_band[1] + 1.3 * (bytes_limit - g7.bytes_band[1])
    assert check_distributed({"scaling": _scaling(heavy, 1.9)}, g7).verdict == PARTIAL
    slow = g7.speedup_at_least - 1.3 * (g7.speedup_at_least - speed_limit)
    assert check_distributed({"scaling": _scaling(1.0, slow)}, g7).verdict == PARTIAL
    assert check_distributed({"scaling": _scaling(heavy, slow)}, g7).verdict == NOT_REPRODUCED


def test_every_claim_has_a_check_tested_here() -> None:
    assert {c.id for c in claims.CLAIMS} == {"G1", "G2", "G3", "G4", "G5", "G6", "G7"}
