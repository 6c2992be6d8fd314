"""Return claims: G4 (the GA learns CartPole and MinAtar) and G5 (random search never beats the GA).

Such et al. 2017 (arXiv:1712.06567, Sec. 4.1) report the GA learning Atari games from pixels, and random search
(the GA without selection) outperforming the GA on none of them at equal frames while sometimes rivalling deep RL.
The suite's tasks, budgets and bands are its own (see the claims' notes): per framework, over independent runs,
with exact Clopper-Pearson bounds for rates and Welch intervals for differences of means.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from benchmarks.claims import CheckResult, Detectable
from benchmarks.neuroevolution.outcomes import common_budget, curves, individuals, run_table, score_at_budget
from benchmarks.neuroevolution.runs import GA, RANDOM_SEARCH
from benchmarks.neuroevolution.thresholds import Learns, NeverBeaten
from benchmarks.proportions import rate_at_least, smallest_detectable_shortfall
from benchmarks.stats import simultaneous_confidence
from benchmarks.verdicts import INCONCLUSIVE, NOT_REPRODUCED, REPRODUCED, all_of, family


@dataclass(frozen=True)
class Difference:
    """A difference of means ``a - factor b`` with its one-sided bounds (each at the stated level)."""

    estimate: float
    low: float
    high: float
    se: float
    df: float


def welch(a: np.ndarray, b: np.ndarray, confidence: float, factor: float = 1.0) -> Difference:
    """mean(a) - factor mean(b) with one-sided ``confidence`` bounds (Welch's unequal-variance t, Welch-
    Satterthwaite degrees of freedom). Zero spread in both samples: the bounds equal the estimate."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if len(a) < 2 or len(b) < 2:
        raise ValueError(f"Welch needs >= 2 values per sample (got {len(a)} and {len(b)})")
    va, vb = a.var(ddof=1) / len(a), factor**2 * b.var(ddof=1) / len(b)
    estimate = float(a.mean() - factor * b.mean())
    se = float(np.sqrt(va + vb))
    if se == 0.0:
        return Difference(estimate, estimate, estimate, 0.0, np.inf)
    df = float((va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1)))
    half = float(stats.t.ppf(confidence, df)) * se
    return Difference(estimate, estimate - half, estimate + half, se, df)


def welch_detectable(diff: Difference, confidence: float, power: float) -> float:
    """The shift of the true difference past a band edge that the one-sided Welch rule catches with
    probability ``power`` (t quantiles at the measured degrees of freedom times the measured standard error)."""
    if diff.se == 0.0:
        return 0.0
    return float((stats.t.ppf(confidence, diff.df) + stats.t.ppf(power, diff.df)) * diff.se)


def _ga_runs(tables: dict[str, pd.DataFrame], names: tuple[str, ...]) -> pd.DataFrame:
    parts = [run_table(tables[n]) for n in names if n in tables and not tables[n].empty]
    runs = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["task", "method", "final_score"])
    return runs[runs["method"] == GA]


def _solved_member(runs: pd.DataFrame, env: str, solved: float, threshold: Learns) -> tuple[str, dict, Detectable]:
    rows = runs[runs["task"] == env]
    scores = rows["final_score"].to_numpy(float)
    successes, trials = int(np.sum(scores >= solved)), len(scores)
    verdict, low, high = rate_at_least(successes, trials, threshold.solved_fraction, threshold.confidence)
    cap = float(rows["episode_cap"].min()) if "episode_cap" in rows else 0.0
    if 0 < cap < solved:  # an episode cap below the solved return: no run could reach it, so none refutes
        verdict = INCONCLUSIVE
    detail = {
        "environment": env,
        "rule": f"final score >= {solved:g} in >= {threshold.solved_fraction:.0%} of runs",
        "successes": successes,
        "runs": trials,
        "rate": successes / trials,
        "low": low,
        "high": high,
        "median_final_score": float(np.median(scores)),
        "episode_cap": cap,
        "verdict": verdict,
    }
    size = smallest_detectable_shortfall(trials, threshold.solved_fraction, threshold.confidence, threshold.power)
    detectable = Detectable(
        defect=f"{env}: a true solved rate of {threshold.solved_fraction:.0%} minus",
        size=size,
        unit="(fraction of runs)",
        power=threshold.power,
        method=f"exact binomial over all outcomes at {trials} runs",
    )
    return verdict, detail, detectable


def _above_random_member(
    runs: pd.DataFrame, table: pd.DataFrame, env: str, factor: float, threshold: Learns
) -> tuple[str, dict, Detectable]:
    scores = runs.loc[runs["task"] == env, "final_score"].to_numpy(float)
    initial = individuals(table, "initial_fitness")
    random = initial[(initial["task"] == env) & (initial["method"] == GA)]["value"].to_numpy(float)
    diff = welch(scores, random, threshold.confidence, factor)
    verdict = REPRODUCED if diff.low > 0 else NOT_REPRODUCED if diff.high < 0 else INCONCLUSIVE
    detail = {
        "environment": env,
        "rule": f"mean final score - {factor:g} x the random networks' mean > 0",
        "ga_mean": float(scores.mean()),
        "runs": len(scores),
        "random_mean": float(random.mean()),
        "random_networks": len(random),
        "difference": diff.estimate,
        "low": diff.low,
        "high": diff.high,
        "verdict": verdict,
    }
    detectable = Detectable(
        defect=f"{env}: a GA whose mean score falls short of {factor:g}x random by",
        size=welch_detectable(diff, threshold.confidence, threshold.power),
        unit="(return points)",
        power=threshold.power,
        method="one-sided Welch t quantiles at the measured standard error",
    )
    return verdict, detail, detectable


def check_learns(tables: dict[str, pd.DataFrame], threshold: Learns) -> CheckResult:
    """G4: a family with one member per judged environment (CartPole solved in most runs; MinAtar clearly above
    the random networks of the first generation). The headline value, interval and smallest detectable defect are
    the first member's; every member's are in the details."""
    runs = _ga_runs(tables, ("control", "minatar"))
    members = []
    for env, solved in threshold.solved.items():
        if (runs["task"] == env).sum() >= 1:
            members.append(_solved_member(runs, env, solved, threshold))
    minatar = tables.get("minatar", pd.DataFrame())
    for env, factor in threshold.above_random.items():
        if (runs["task"] == env).sum() >= 2:
            members.append(_above_random_member(runs, minatar, env, factor, threshold))
    nan = float("nan")
    if not members:
        return CheckResult(INCONCLUSIVE, nan, nan, nan, "no GA runs on a judged environment")
    verdicts = [m[0] for m in members]
    details = [m[1] for m in members]
    head = details[0]
    value, low, high = (
        (head["rate"], head["low"], head["high"]) if "rate" in head else (head["difference"], head["low"], head["high"])
    )
    for detail, member in zip(details, members, strict=True):
        detail["smallest_detectable"] = member[2].describe()  # members measure in different units
    headline = members[0][2]
    summary = "; ".join(
        f"{d['environment']}: {d['successes']}/{d['runs']} runs solved ({d['verdict']})"
        if "rate" in d
        else f"{d['environment']}: GA {d['ga_mean']:.3g} vs random {d['random_mean']:.3g} ({d['verdict']})"
        for d in details
    )
    return CheckResult(family(verdicts), value, low, high, summary, details, headline)


def ga_minus_random_search(curve: pd.DataFrame, env: str, confidence: float) -> tuple[Difference, dict]:
    """GA minus random search on ``env``: each run's elite score at the common frame budget of the two
    methods, Welch bounds at one-sided ``confidence``."""
    pair = curve[(curve["task"] == env) & curve["method"].isin((GA, RANDOM_SEARCH))]
    budget = common_budget(pair)
    scores = score_at_budget(pair, budget)
    ga = scores.loc[scores["method"] == GA, "score"].to_numpy(float)
    rs = scores.loc[scores["method"] == RANDOM_SEARCH, "score"].to_numpy(float)
    diff = welch(ga, rs, confidence)
    detail = {
        "environment": env,
        "frame_budget": budget,
        "ga_mean": float(ga.mean()),
        "random_search_mean": float(rs.mean()),
        "runs": [len(ga), len(rs)],
        "runs_past_budget_at_generation_1": int((~scores["within"]).sum()),
        "difference": diff.estimate,
        "low": diff.low,
        "high": diff.high,
    }
    return diff, detail


def _cap(tables: dict[str, pd.DataFrame], env: str) -> float:
    """The smallest episode cap of ``env``'s runs (NaN when no run recorded one)."""
    parts = [run_table(tables[n]) for n in ("control", "minatar") if n in tables and not tables[n].empty]
    runs = pd.concat(parts, ignore_index=True)
    caps = runs.loc[runs["task"] == env, "episode_cap"] if "episode_cap" in runs else pd.Series(dtype=float)
    caps = caps[caps > 0]
    return float(caps.min()) if len(caps) else float("nan")


def check_never_beaten(tables: dict[str, pd.DataFrame], threshold: NeverBeaten) -> CheckResult:
    """G5: on every judged environment, GA - random search >= -margin at equal frames."""
    parts = [curves(tables[n]) for n in ("control", "minatar") if n in tables and not tables[n].empty]
    curve = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["task", "method"])
    envs = []
    for env in threshold.margins:
        counts = curve[curve["task"] == env].groupby("method")["run"].nunique()
        if counts.get(GA, 0) >= 2 and counts.get(RANDOM_SEARCH, 0) >= 2:
            envs.append(env)
    nan = float("nan")
    if not envs:
        return CheckResult(
            INCONCLUSIVE, nan, nan, nan, "no environment with >= 2 runs of both the GA and random search"
        )
    level = simultaneous_confidence(threshold.confidence, len(envs))
    details, verdicts, sizes = [], [], []
    caps = {env: _cap(tables, env) for env in envs}
    for env in envs:
        margin = threshold.margin(env, caps[env])
        diff, detail = ga_minus_random_search(curve, env, level)
        if not np.isfinite(margin):
            verdict = INCONCLUSIVE  # a margin relative to an unrecorded episode cap
        else:
            verdict = REPRODUCED if diff.low >= -margin else NOT_REPRODUCED if diff.high < -margin else INCONCLUSIVE
        detail |= {"margin": margin, "verdict": verdict}
        details.append(detail)
        verdicts.append(verdict)
        sizes.append((welch_detectable(diff, level, threshold.power), env))
    worst = min(details, key=lambda d: d["low"] + d["margin"])
    size, where = max(sizes)
    detectable = Detectable(
        defect="random search in truth better than the GA by the margin plus",
        size=size,
        unit=f"(return points; worst-resolved environment {where})",
        power=threshold.power,
        method="one-sided Welch t quantiles at the measured standard error, Bonferroni over the environments",
    )
    summary = "; ".join(
        f"{d['environment']}: GA - RS {d['difference']:+.3g} [{d['low']:+.3g}, {d['high']:+.3g}] at "
        f"{d['frame_budget']:,.0f} frames (margin {d['margin']:g}, {d['verdict']})"
        for d in details
    )
    return CheckResult(all_of(verdicts), worst["difference"], worst["low"], worst["high"], summary, details, detectable)
