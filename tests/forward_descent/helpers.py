"""Small budgets, experiment runs and synthetic tables in the study's exact layout."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pandas as pd

from benchmarks.config import Params
from benchmarks.forward_descent.experiments.protocol import NO_TANGENTS
from benchmarks.forward_descent.params import PROTOCOL_DISTRIBUTION
from benchmarks.study import load_study
from benchmarks.tables import CORE_COLUMNS
from tests.conftest import load_methods, run_context, small_params

STUDY = load_study("forward_descent")

TINY: Params = small_params(
    forward_descent={
        "descent_2d": {"functions": ["beale"], "learning_rates": [0.01], "iterations": 40, "seeds": 6, "stride": 20},
        "protocol": {
            "functions": ["sphere", "trid"],
            "dims": [2, 3],
            "optimizers": ["sgd", "adam"],
            "distributions": ["gaussian", "rademacher"],
            "starts": 2,
            "repeats": 2,
            "max_iterations": 60,
        },
        "dimension": {"dims": [2, 3, 4], "seeds": 10},
    }
)
"""Enough to exercise every code path of the experiments, tables and figures in seconds."""

HONESTY: Params = small_params(
    forward_descent={
        "descent_2d": {
            "functions": ["beale", "rosenbrock"],
            "learning_rates": [0.01],
            "iterations": 1000,
            "seeds": 60,
            "stride": 1000,
        },
        "dimension": {"dims": [8, 16, 32], "seeds": 400},
    }
)
"""Real runs for the checks: the paper's F3 setting with 60 seeds (29 is the fewest that can read
reproduced; 60 keeps one failure of a rare diverging tangent stream above the 90% bound); B3 at
n = 8 ... 32 with 400 seeds, where the honest simultaneous intervals are about +-1.5%."""


def methods(framework: str, experiment: str) -> dict[str, ModuleType]:
    """The method modules experiment ``experiment`` uses, in ``framework``."""
    return load_methods(framework, STUDY.experiment(experiment).methods)


def run(params: Params, framework: str, experiment: str) -> pd.DataFrame:
    """The experiment's table at ``params``."""
    ctx = run_context(params, "forward_descent", experiment, framework, methods(framework, experiment))
    return STUDY.load_experiment(experiment).run(ctx)


def claim(claim_id: str):  # noqa: ANN201 - a benchmarks.claims.Claim
    """The registered claim with this id."""
    return next(c for c in STUDY.load_claims() if c.id == claim_id)


def _frame(experiment: str, columns: dict[str, object]) -> pd.DataFrame:
    base = {"study": "forward_descent", "experiment": experiment, "framework": "jax", "device": "cpu", "seed": 1}
    frame = pd.DataFrame(base | columns)
    return frame[[*CORE_COLUMNS, *[c for c in frame.columns if c not in CORE_COLUMNS]]]


def synthetic_descent_2d(converged: dict[str, int], seeds: int) -> pd.DataFrame:
    """``descent_2d`` rows at lr 0.01 where ``converged[function]`` forward runs (and every true-gradient run)
    end within 0.01 of the minimiser and the rest 1.0 away."""
    parts = []
    for task, count in converged.items():
        for method in ("backprop", "forward"):
            good = seeds if method == "backprop" else count
            distance = np.where(np.arange(seeds) < good, 0.01, 1.0)
            steps = np.array([0, 500, 1000])
            parts.append(
                _frame(
                    "descent_2d",
                    {"task": task, "method": method, "step": 1000, "measure": "final_distance", "value": distance}
                    | {"lr": 0.01, "start": np.arange(seeds)},
                )
            )
            parts.append(
                _frame(
                    "descent_2d",
                    {"task": task, "method": method, "step": steps, "measure": "seconds", "value": steps * 1e-4}
                    | {"lr": 0.01, "start": np.nan},
                )
            )
    return pd.concat(parts, ignore_index=True)


def synthetic_protocol(success: dict[int, tuple[float, float]], seed: int = 0) -> pd.DataFrame:
    """``protocol`` rows: 10 functions x 5 starts x 4 optimizers, the true gradient once and the protocol's
    forward gradient 5 times per start; ``success[n] = (p_true, p_forward)``. Each start draws its own
    probability around p (Beta with mean p, concentration 4: problems differ), each run a Bernoulli."""
    rng = np.random.default_rng(seed)
    optimizers = ("sgd", "clipped_sgd", "adam", "adabelief")
    runs = []
    for dim, rates in success.items():
        for (method, law, repeats), p in zip(
            (("backprop", NO_TANGENTS, 1), ("forward", PROTOCOL_DISTRIBUTION, 5)), rates, strict=True
        ):
            task, start, optimizer, repeat = np.meshgrid(np.arange(10), np.arange(5), np.arange(4), np.arange(repeats))
            q = rng.beta(4 * p, 4 * (1 - p), (10, 5)) if 0 < p < 1 else np.full((10, 5), p)
            solved = (rng.random(task.shape) < q[task, start]).astype(float)
            runs.append(
                pd.DataFrame(
                    {
                        "task": [f"f{t}" for t in task.ravel()],
                        "method": method,
                        "dim": dim,
                        "optimizer": [optimizers[o] for o in optimizer.ravel()],
                        "distribution": law,
                        "start": start.ravel(),
                        "repeat": repeat.ravel(),
                        "solved": solved.ravel(),
                    }
                )
            )
    runs = pd.concat(runs, ignore_index=True)
    ok = runs["solved"].to_numpy() > 0
    values = {
        "solved": runs["solved"].to_numpy(),
        "evaluations": np.where(ok, 100.0, np.nan),
        "diverged_at": np.full(len(runs), np.nan),
        "best_gap": np.where(ok, 0.05, 1.0),
        "initial_gap": np.full(len(runs), 100.0),
    }
    keys = runs.drop(columns="solved")
    parts = [_frame("protocol", keys.assign(step=0, measure=m, value=v).to_dict("list")) for m, v in values.items()]
    return pd.concat(parts, ignore_index=True)
