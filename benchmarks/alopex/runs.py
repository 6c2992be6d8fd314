"""Training runs of the study: initialisations, method configurations, the step-size sweep, and rows.

Protocol (the issue's and Unnikrishnan & Venugopal 1994's comparison with backprop):

- Every method starts from the same NumPy-drawn initialisations (paired runs: run i of Alopex-94, Alopex-B and
  backprop share theta0), identical in both frameworks. The sweep uses other initialisations than the
  evaluation, so picking the best step size does not flatter the evaluated runs.
- A run that never meets the criterion within the budget is censored at the budget, not dropped: its
  ``iterations`` row holds the budget and its ``reached`` row 0.
- Forward-pass equivalents: one Alopex iteration is one forward pass over the training set; one backprop
  iteration is counted as 3 (forward, backward ~2x forward), the usual accounting.

Row layout (axes ``phase``, ``step_size``, ``run``): per run ``iterations``, ``reached``, ``forward_passes``,
``final_error``, ``budget`` (step 0), plus extra per-run measures an experiment adds (``test_accuracy``); for the
evaluation phase the strided traces ``trace_<measure>`` with ``step`` = iteration.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from benchmarks.alopex.params import AlopexSettings, RunBudget, SweptBudget
from benchmarks.alopex.tasks import Task
from benchmarks.seeding import derive_seed
from benchmarks.tables import measurements
from implementations.contracts.alopex import AlopexConfig, TrainResult
from implementations.contracts.full_batch_gd import GradientDescentConfig
from implementations.contracts.small_nets import init_params

if TYPE_CHECKING:
    from benchmarks.runner import RunContext

ALOPEX_94 = "alopex94"
ALOPEX_B = "alopex_b"
BACKPROP = "backprop"
METHODS: tuple[str, ...] = (ALOPEX_94, ALOPEX_B, BACKPROP)
FORWARD_PASSES_PER_ITERATION: dict[str, int] = {ALOPEX_94: 1, ALOPEX_B: 1, BACKPROP: 3}
SWEEP, EVALUATION = "sweep", "evaluation"


def implementation_of(method: str) -> str:
    """The registered implementation that runs ``method`` (``alopex`` or ``full_batch_gd``)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; valid: {', '.join(METHODS)}")
    return "full_batch_gd" if method == BACKPROP else "alopex"


def method_config(
    method: str, step_size: float, settings: AlopexSettings, momentum: float = 0.0, **alopex_overrides: Any
) -> AlopexConfig | GradientDescentConfig:
    """The implementation's config for ``method`` at ``step_size`` (delta for Alopex, lr for backprop)."""
    if implementation_of(method) == "full_batch_gd":
        return GradientDescentConfig(lr=step_size, momentum=momentum)
    fields = {
        "variant": method,
        "delta": step_size,
        "cycle": settings.cycle,
        "initial_temperature": settings.initial_temperature,
        "temperature_rule": settings.temperature_rule,
        "forgetting": settings.forgetting,
    }
    fields.update(alopex_overrides)
    return AlopexConfig(**fields)


def initial_weights(ctx: RunContext, task: Task, phase: str, count: int, scale: float) -> np.ndarray:
    """float32 [count, N] uniform(-scale, scale), the same for every method and framework (paired runs)."""
    rng = np.random.default_rng(derive_seed(ctx.root_seed, ctx.experiment, task.name, phase, "init"))
    return init_params(task.net, rng, count, scale)


def batch_seed(ctx: RunContext, task: Task, method: str, label: str) -> int:
    """The generator seed of one batch of runs (what :func:`train` passes to the framework and the tables'
    ``seed`` column records; the runs of a batch are its rows)."""
    return derive_seed(ctx.root_seed, ctx.experiment, ctx.framework, task.name, method, label)


def train(
    ctx: RunContext,
    task: Task,
    method: str,
    config: AlopexConfig | GradientDescentConfig,
    theta0: np.ndarray,
    budget: RunBudget,
    label: str,
    step_sizes: np.ndarray | None = None,
) -> TrainResult:
    """One batch of runs (one per row of ``theta0``, each at its own step size when ``step_sizes`` is given),
    seeded from the run's identity (:func:`batch_seed`); ``label`` tells apart configurations of the same method."""
    seed = batch_seed(ctx, task, method, label)
    record_every = max(1, budget.max_iterations // budget.trace_points)
    module = ctx.methods[implementation_of(method)]
    return module.train(
        task.net, config, theta0, task.train, seed, budget.max_iterations, record_every, True, step_sizes
    )


def runs_of(result: TrainResult, rows: slice) -> TrainResult:
    """The runs ``rows`` of a batched result (the record steps are shared)."""
    return result._replace(
        first_success=result.first_success[rows],
        theta=result.theta[rows],
        trace={name: values[:, rows] for name, values in result.trace.items()},
    )


def censored_iterations(result: TrainResult, budget: int) -> tuple[np.ndarray, np.ndarray]:
    """(iterations, reached): first success, or the budget for a run that never met the criterion."""
    reached = result.first_success >= 0
    return np.where(reached, result.first_success, budget).astype(np.float64), reached


def outcome_rows(
    fixed: dict[str, object], method: str, result: TrainResult, budget: int, final_error: np.ndarray
) -> pd.DataFrame:
    """Per run: iterations (censored at the budget), reached, forward-pass equivalents, final error, budget."""
    iterations, reached = censored_iterations(result, budget)
    runs = np.arange(len(iterations))
    return pd.concat(
        [
            measurements(fixed, "iterations", iterations, run=runs),
            measurements(fixed, "reached", reached.astype(float), run=runs),
            measurements(fixed, "forward_passes", iterations * FORWARD_PASSES_PER_ITERATION[method], run=runs),
            measurements(fixed, "final_error", final_error, run=runs),
            measurements(fixed, "budget", np.full(len(runs), float(budget)), run=runs),
        ],
        ignore_index=True,
    )


def trace_rows(fixed: dict[str, object], result: TrainResult) -> pd.DataFrame:
    """The strided traces: ``trace_<measure>`` per (recorded iteration, run)."""
    parts = []
    for name, values in result.trace.items():
        records, runs = values.shape
        parts.append(
            measurements(
                fixed,
                f"trace_{name}",
                values,
                step=np.repeat(result.record_steps, runs),
                run=np.tile(np.arange(runs), records),
            )
        )
    return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True)
class Arm:
    """One configuration to evaluate: a method at a step size, under a label (the table's ``method``)."""

    label: str
    method: str
    config: AlopexConfig | GradientDescentConfig
    step_size: float


def sweep_score(result: TrainResult, budget: int, final_error: np.ndarray) -> tuple[float, float]:
    """Ranking of a grid point (smaller is better): the restricted mean of the iterations to the criterion
    (a run that never succeeds counts the whole budget, so a fast but unreliable step size does not win on a
    few lucky runs), then the mean final training error (training data only, never the test set)."""
    iterations, _ = censored_iterations(result, budget)
    return float(np.mean(iterations)), float(np.mean(final_error))


def run_arm(
    ctx: RunContext,
    task: Task,
    arm: Arm,
    theta0: np.ndarray,
    budget: RunBudget,
    phase: str,
    per_run: Callable[[TrainResult], dict[str, np.ndarray]] | None = None,
) -> tuple[pd.DataFrame, TrainResult, np.ndarray]:
    """Train one arm; its outcome rows (plus traces in the evaluation phase and ``per_run`` extra measures)."""
    label = f"{arm.label}/{phase}/{arm.step_size!r}"
    result = train(ctx, task, arm.method, arm.config, theta0, budget, label)
    seed = batch_seed(ctx, task, arm.method, label)
    rows, final_error = arm_rows(ctx, task, arm, phase, seed, result, budget, per_run)
    return rows, result, final_error


def arm_rows(
    ctx: RunContext,
    task: Task,
    arm: Arm,
    phase: str,
    seed: int,
    result: TrainResult,
    budget: RunBudget,
    per_run: Callable[[TrainResult], dict[str, np.ndarray]] | None = None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows of one arm's runs (``seed``: the generator seed of the batch that trained them, see
    :func:`batch_seed`), and their final training errors."""
    final_error = ctx.methods["small_nets"].errors(task.net, result.theta, task.train)
    fixed = ctx.identity(
        task=task.name,
        method=arm.label,
        seed=seed,
        phase=phase,
        step_size=arm.step_size,
    )
    parts = [outcome_rows(fixed, arm.method, result, budget.max_iterations, final_error)]
    runs = np.arange(len(result.theta))
    for name, values in (per_run(result) if per_run else {}).items():
        parts.append(measurements(fixed, name, values, run=runs))
    if phase == EVALUATION:
        parts.append(trace_rows(fixed, result))
    return pd.concat(parts, ignore_index=True), final_error


def tuned_arm(
    ctx: RunContext,
    task: Task,
    label: str,
    method: str,
    grid: Sequence[float],
    budget: SweptBudget | RunBudget,
    make_config: Callable[[float], AlopexConfig | GradientDescentConfig],
    sweep_seeds: int,
) -> tuple[Arm, pd.DataFrame]:
    """Sweep ``grid`` on ``sweep_seeds`` initialisations of their own, every grid point in one batch (each
    run at its own step size); the best point as an :class:`Arm`, and the sweep's rows (phase ``sweep``). A
    one-point grid is no sweep: nothing runs."""
    arms = [Arm(label, method, make_config(step), step) for step in grid]
    if len(arms) == 1:
        return arms[0], pd.DataFrame()
    theta0 = initial_weights(ctx, task, SWEEP, sweep_seeds, budget.init_scale)
    sizes = np.repeat(np.asarray(grid, np.float64), sweep_seeds)
    batch_label = f"{label}/{SWEEP}"
    batch = train(ctx, task, method, arms[0].config, np.tile(theta0, (len(arms), 1)), budget, batch_label, sizes)
    seed = batch_seed(ctx, task, method, batch_label)
    parts, scores = [], []
    for i, arm in enumerate(arms):
        result = runs_of(batch, slice(i * sweep_seeds, (i + 1) * sweep_seeds))
        rows, final_error = arm_rows(ctx, task, arm, SWEEP, seed, result, budget)
        parts.append(rows)
        scores.append(sweep_score(result, budget.max_iterations, final_error))
    best = min(range(len(arms)), key=lambda i: scores[i])
    ctx.progress.say(f"{task.name} {label}: best step size {arms[best].step_size:g} of {list(grid)}")
    return arms[best], pd.concat(parts, ignore_index=True)


def compare_methods(
    ctx: RunContext,
    task: Task,
    methods: Sequence[str],
    cfg: SweptBudget,
    per_run: Callable[[TrainResult], dict[str, np.ndarray]] | None = None,
    **alopex_overrides: Any,
) -> pd.DataFrame:
    """Each method at its best step size from its sweep, evaluated on the same ``cfg.seeds`` initialisations."""
    theta0 = initial_weights(ctx, task, EVALUATION, cfg.seeds, cfg.init_scale)
    parts = []
    for method in methods:
        grid = cfg.lrs if method == BACKPROP else cfg.deltas

        def make_config(step: float, method: str = method) -> AlopexConfig | GradientDescentConfig:
            return method_config(method, step, cfg.alopex, cfg.momentum, **alopex_overrides)

        arm, sweep_rows = tuned_arm(ctx, task, method, method, grid, cfg, make_config, cfg.sweep_seeds)
        rows, _, _ = run_arm(ctx, task, arm, theta0, cfg, EVALUATION, per_run)
        parts.extend([sweep_rows, rows])
    return pd.concat(parts, ignore_index=True)


def held_out_accuracy(ctx: RunContext, task: Task) -> Callable[[TrainResult], dict[str, np.ndarray]]:
    """A ``per_run`` callback: each run's accuracy on the task's test set (outputs thresholded at 1/2,
    counting only the targets the test mask selects)."""
    if task.test is None:
        raise ValueError(f"task {task.name!r} has no test set")
    test = task.test

    def score(result: TrainResult) -> dict[str, np.ndarray]:
        outputs = ctx.methods["small_nets"].predict(task.net, result.theta, test.inputs)
        hits = (outputs > 0.5) == (test.targets > 0.5)
        counted = (
            np.ones(test.targets.shape, bool)
            if test.mask is None
            else np.broadcast_to(test.mask[..., None], test.targets.shape)
        )
        per_run = (hits & counted).reshape(len(hits), -1).sum(axis=1) / counted.sum()
        return {"test_accuracy": per_run.astype(np.float64)}

    return score
