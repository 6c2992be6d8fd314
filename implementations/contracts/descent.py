"""Contract of descent: ``implementations/<framework>/descent.py`` (an optimizer fed by a gradient source).

One step draws tangents (unless the source is backprop), estimates the gradient
(:mod:`.forward_gradient`) and applies the optimizer (:mod:`.optimizers`). With ``source="forward"``,
``num_tangents=1`` and ``sgd`` this is forward gradient descent, Baydin et al. 2022 (arXiv 2202.08587),
Alg. 1: ``x <- x - eta (grad f(x) . v) v``, a fresh tangent every step.

``iterations_to_tolerance`` is the iterations-to-target protocol of Belouze 2022 (arXiv 2209.06302): for
each start, the first iteration t with ``f(x_t) <= tolerance * f(x_0)`` (-1 if none within the budget).

``first_passage`` runs Belouze 2022's benchmark protocol (his ``descent``: success when the loss reaches an
absolute target f* + eps, divergence when it exceeds the target by more than 1e5) for many independent runs
at once: a run is a row of ``starts``, and consecutive rows form :class:`RunBlock` s that share an objective
and a configuration, so one call holds every function, optimizer and gradient source of a dimension. Both
implementations group the rows the same way (:func:`batch_plan`): one gradient evaluation per (objective,
source) over all its rows, tangents drawn per distribution, one vectorised optimizer update per optimizer.
``descent_runner`` advances such a batch a fixed number of steps per call, so a wall clock can be read
between calls (Baydin et al. 2022, Sec. 5.1: loss against iterations and against time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Protocol

import numpy as np

from implementations.contracts._common import EPS32, reference_tasks, require
from implementations.contracts.forward_gradient import EstimatorConfig
from implementations.contracts.optimizers import OptimizerConfig, trajectory_tolerance
from implementations.specs import (
    FUNCTION_INFO,
    TEST_FUNCTIONS,
    ObjectiveSpec,
    function_info,
    objective_numpy,
    quadratic_coefficients,
    sample_tangents_numpy,
)

ROLE = "method"


@dataclass(frozen=True)
class DescentConfig:
    """ "Optimizer x gradient source": where each step's gradient comes from and what is done with it."""

    estimator: EstimatorConfig = EstimatorConfig()
    optimizer: OptimizerConfig = OptimizerConfig()

    def __post_init__(self) -> None:
        if not isinstance(self.estimator, EstimatorConfig):
            raise ValueError(f"estimator={self.estimator!r}; must be an EstimatorConfig")
        if not isinstance(self.optimizer, OptimizerConfig):
            raise ValueError(f"optimizer={self.optimizer!r}; must be an OptimizerConfig")


class DescentMethod(Protocol):
    """The NumPy-facing functions of ``implementations/<framework>/descent.py``."""

    def iterations_to_tolerance(
        self,
        spec: ObjectiveSpec,
        starts: np.ndarray,
        seed: int,
        config: DescentConfig,
        max_iterations: int,
        tolerance: float,
    ) -> np.ndarray:
        """int64 [R]: per row of ``starts`` [R, n], the first t with f(x_t) <= tolerance f(x_0), else -1."""
        ...

    def trajectory_from_tangents(
        self, spec: ObjectiveSpec, theta0: np.ndarray, tangents: np.ndarray, config: DescentConfig
    ) -> np.ndarray:
        """Feed tangents [T, K, n] in order (parity mode; ignored by backprop): the trajectory [T+1, n]."""
        ...

    def values_and_gradients(self, spec: ObjectiveSpec, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(f at each row of ``points`` [R, n], [R] float32; its backprop gradient, [R, n] float32)."""
        ...

    def first_passage(
        self,
        blocks: tuple[RunBlock, ...],
        starts: np.ndarray,
        seed: int,
        max_iterations: int,
        targets: np.ndarray,
        ceilings: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Belouze 2022's protocol for every row of ``starts`` [R, n] at once (rows grouped by ``blocks``).

        For iterates t = 0 .. max_iterations - 1 of each row's descent: ``hit`` (int64 [R]) the first t with
        f(x_t) <= ``targets[r]``, ``out`` (int64 [R]) the first t with f(x_t) > ``ceilings[r]`` or not finite
        (-1 if none), ``best`` (float64 [R]) the smallest finite f(x_t) up to the row's end. A row ends at its
        hit or divergence (its iterate is then frozen); the call returns once every row has ended or the
        budget is spent."""
        ...

    def descent_runner(
        self, spec: ObjectiveSpec, starts: np.ndarray, seed: int, config: DescentConfig, stride: int
    ) -> tuple[Callable[[], None], Callable[[], tuple[np.ndarray, np.ndarray]]]:
        """(advance, read) for the descents from every row of ``starts`` [R, n] at once: ``advance()`` makes
        ``stride`` steps and waits for the device (so a clock around it is honest); ``read()`` returns the
        current iterates [R, n] and their values [R] (float32). Everything is built (and, where the framework
        compiles, compiled and run once on a throwaway copy) before this returns."""
        ...


PROTOCOL = DescentMethod


@dataclass(frozen=True)
class RunBlock:
    """``rows`` consecutive rows of a batched call that descend ``spec`` with ``config``. Blocks with equal
    specs share one gradient evaluation, so they must also share the objective's data (always true for every
    objective but ``mlp``)."""

    spec: ObjectiveSpec
    config: DescentConfig
    rows: int

    def __post_init__(self) -> None:
        if not isinstance(self.rows, int) or self.rows < 1:
            raise ValueError(f"rows={self.rows!r}; must be an int >= 1")
        estimator = self.config.estimator
        if estimator.source == "projection" or (
            estimator.source == "forward" and (estimator.num_tangents != 1 or estimator.derivative != "jvp")
        ):
            raise ValueError(
                f"estimator {estimator}: batched descents support source 'backprop' and single-tangent JVP "
                "forward gradients (source 'forward', num_tangents 1, derivative 'jvp')"
            )


@dataclass(frozen=True)
class BatchPlan:
    """How both implementations group the rows of a batched call (row indices are int64 arrays).

    ``estimates``: (spec, source, rows) per objective and gradient source, in order of first appearance;
    ``tangents``: (distribution, rows) of the forward rows; ``updates``: (optimizer, rows) per optimizer
    configuration."""

    dim: int
    rows: int
    estimates: tuple[tuple[ObjectiveSpec, str, np.ndarray], ...]
    tangents: tuple[tuple[str, np.ndarray], ...]
    updates: tuple[tuple[OptimizerConfig, np.ndarray], ...]


def batch_plan(blocks: tuple[RunBlock, ...]) -> BatchPlan:
    """The :class:`BatchPlan` of ``blocks`` (ValueError if they are empty or differ in dimension)."""
    if not blocks:
        raise ValueError("need at least one RunBlock")
    dims = {block.spec.dim for block in blocks}
    if len(dims) != 1:
        raise ValueError(f"all blocks must share one dimension; got {sorted(dims)}")
    estimates: dict[tuple[ObjectiveSpec, str], list[np.ndarray]] = {}
    tangents: dict[str, list[np.ndarray]] = {}
    updates: dict[OptimizerConfig, list[np.ndarray]] = {}
    offset = 0
    for block in blocks:
        rows = np.arange(offset, offset + block.rows, dtype=np.int64)
        offset += block.rows
        source = block.config.estimator.source
        estimates.setdefault((block.spec, source), []).append(rows)
        if source == "forward":
            tangents.setdefault(block.config.estimator.distribution, []).append(rows)
        updates.setdefault(block.config.optimizer, []).append(rows)
    return BatchPlan(
        dims.pop(),
        offset,
        tuple((spec, source, np.concatenate(r)) for (spec, source), r in estimates.items()),
        tuple((name, np.concatenate(r)) for name, r in tangents.items()),
        tuple((config, np.concatenate(r)) for config, r in updates.items()),
    )


def contiguous(rows: np.ndarray) -> tuple[int, int] | None:
    """(start, stop) when ``rows`` is a run of consecutive indices (so a slice can replace a gather)."""
    if rows.size and np.array_equal(rows, np.arange(rows[0], rows[0] + rows.size)):
        return int(rows[0]), int(rows[0] + rows.size)
    return None


def forward_sgd(distribution: str, lr: float, num_tangents: int = 1) -> DescentConfig:
    """Baydin et al. 2022's Alg. 1 (with K tangents averaged): forward gradient, constant-step SGD."""
    return DescentConfig(EstimatorConfig("forward", distribution, num_tangents), OptimizerConfig("sgd", lr))


def sample_configs() -> list[DescentConfig]:
    """Every source and every optimizer at least once."""
    return [
        forward_sgd("gaussian", 0.01),
        DescentConfig(EstimatorConfig("forward", "rademacher", 2, "fd_central", 1e-2), OptimizerConfig("adam", 0.01)),
        DescentConfig(EstimatorConfig("projection", "sphere", 4), OptimizerConfig("adabelief", 0.01, decay=0.05)),
        DescentConfig(EstimatorConfig("backprop"), OptimizerConfig("clipped_sgd", 0.05, decay=0.1, clip_norm=0.5)),
    ]


def check_iterations_to_tolerance(impl: ModuleType) -> None:
    """int64 [R]; the exact count where it is deterministic; the expected count for Alg. 1; -1 when out of
    budget; identical twice for the same seed."""
    n = 4
    spec = ObjectiveSpec("isotropic_quadratic", n)
    starts = np.random.default_rng(4).standard_normal((6, n)).astype(np.float32)
    # backprop + SGD with step 1/2 halves x, so f(x_t) = f(x_0) / 4^t: first t with 4^-t <= 1e-3 is 5
    halving = DescentConfig(EstimatorConfig("backprop"), OptimizerConfig("sgd", 0.5))
    hits = impl.iterations_to_tolerance(spec, starts, 0, halving, 100, 1e-3)
    require(hits.dtype == np.int64 and hits.shape == (6,), f"dtype/shape {hits.dtype} {hits.shape}")
    np.testing.assert_array_equal(hits, 5)
    np.testing.assert_array_equal(impl.iterations_to_tolerance(spec, starts, 0, halving, 4, 1e-3), -1)
    # Alg. 1 with step 1/(n+2) contracts E f by 1 - 1/(n+2) per step (Belouze 2022): ~38 steps for 1e-3
    config = forward_sgd("gaussian", 1.0 / (n + 2))
    hits = impl.iterations_to_tolerance(spec, starts, 1, config, 5000, 1e-3)
    require(bool(np.all(hits > 0)), f"Alg. 1 did not reach the target: {hits}")
    require(10 <= float(np.mean(hits)) <= 150, f"Alg. 1 mean iterations {np.mean(hits)} (expected ~38)")
    np.testing.assert_array_equal(hits, impl.iterations_to_tolerance(spec, starts, 1, config, 5000, 1e-3))
    other = sample_configs()[2]  # projection + AdaBelief with decay: every piece of state under vmap
    again = [impl.iterations_to_tolerance(spec, starts, 2, other, 30, 0.5) for _ in range(2)]
    np.testing.assert_array_equal(again[0], again[1])


def check_trajectory_matches_algorithm_1(impl: ModuleType) -> None:
    """Parity mode against Alg. 1 in float64 NumPy on the quadratic (grad f = c x), K = 1 and K = 3.

    Each step computes ``c x . v`` (n products: ~sqrt(n) eps relative) and an update; with ``lr c_max |v|^2``
    = 0.1 the step map is a contraction or a mild expansion (<= 1.1 per step), so after T = 8 steps the
    float32 trajectory is within ``T 1.1^T 20 sqrt(n) eps max|x|`` of the float64 one.
    """
    n, steps = 10, 8
    spec = ObjectiveSpec("quadratic", n)
    c = quadratic_coefficients(n).astype(np.float64)
    rng = np.random.default_rng(5)
    theta0 = rng.standard_normal(n).astype(np.float32)
    for k in (1, 3):
        tangents = sample_tangents_numpy(rng, "gaussian", steps * k, n).reshape(steps, k, n)
        lr = 0.1 / (100.0 * n)
        path = impl.trajectory_from_tangents(spec, theta0, tangents, forward_sgd("gaussian", lr, k))
        require(path.shape == (steps + 1, n) and path.dtype == np.float32, f"shape {path.shape} {path.dtype}")
        x = theta0.astype(np.float64)
        reference = [x]
        for v in tangents.astype(np.float64):
            x = x - lr * ((v @ (c * x)) @ v) / k
            reference.append(x)
        tol = steps * 1.1**steps * 20 * np.sqrt(n) * EPS32 * float(np.abs(theta0).max())
        np.testing.assert_allclose(path, np.array(reference), rtol=0, atol=tol, err_msg=f"K={k}")


def trajectory_parity_tolerance(config: DescentConfig, path: np.ndarray) -> float:
    """Allowed |difference| between two frameworks' trajectories of T steps on the same tangents.

    Per step the two gradient estimates differ by float32 rounding (~1e-5 of their size, see
    :mod:`.forward_gradient`'s tolerances; finite differences ~1e-3, their cancellation error) and the
    optimizers by :func:`~implementations.contracts.optimizers.trajectory_tolerance`. The difference between
    two steps is bounded by the largest move ``max |x_t+1 - x_t|`` times that relative error, and a small
    learning rate keeps the step map within a factor 2 of a contraction over the T = 6 steps used here.
    """
    relative = 1e-3 if config.estimator.derivative != "jvp" and config.estimator.source != "backprop" else 1e-5
    move = float(np.abs(np.diff(path, axis=0)).max())
    steps = len(path) - 1
    return 2 * steps * relative * move + trajectory_tolerance(config.optimizer, path)


def check_trajectories_agree(impls: dict[str, ModuleType]) -> None:
    """Same start and tangents give the same trajectory in every framework, for every source and optimizer,
    on the MLP objective (:func:`trajectory_parity_tolerance`)."""
    task = reference_tasks()[3]
    steps = 6
    for config in sample_configs():
        k = config.estimator.num_tangents
        tangents = sample_tangents_numpy(
            np.random.default_rng(6), config.estimator.distribution, steps * k, task.spec.dim
        )
        tangents = tangents.reshape(steps, k, task.spec.dim)
        paths = {n: impl.trajectory_from_tangents(task.spec, task.theta, tangents, config) for n, impl in impls.items()}
        first, *others = paths
        for other in others:
            tol = trajectory_parity_tolerance(config, paths[first])
            np.testing.assert_allclose(paths[other], paths[first], rtol=0, atol=tol, err_msg=str(config))


# ------------------------------------------------------------------------------------------------------------
# Test functions, batched protocols


def _reference_points(name: str, dim: int, count: int, seed: int) -> np.ndarray:
    """float32 points drawn uniformly in the inner half of the function's search box (around its centre)."""
    low, high = function_info(name).box(dim)
    centre, half = 0.5 * (low + high), 0.25 * (high - low)
    rng = np.random.default_rng(seed)
    return (centre + half * rng.uniform(-1.0, 1.0, (count, dim))).astype(np.float32)


def _check_dim(name: str) -> int:
    """The dimension the value checks use: 2 for Beale, else 6 (every index weight differs from the next)."""
    return 2 if name == "beale" else 6


def _value_tolerance(name: str, points: np.ndarray) -> np.ndarray:
    """Allowed |f32 - f64| of f at each point: every test function is a sum of n terms, each a few float32
    operations on numbers the size of |x|, so each term is off by ~8 eps relative and the sum by about
    ``8 n eps`` times a scale of the terms: f at |x|, plus ||x + 1||^2 (squared for Zakharov's quartic) for
    the functions whose terms can cancel (offsets, products of neighbours); and a floor of 1e-6. A wrong
    formula (a factor, an exponent, an index shift) is off by O(1) of the value."""
    n = points.shape[-1]
    size = np.abs(objective_numpy(name, np.abs(points.astype(np.float64))))
    if name in ("trid", "zakharov", "dixon_price", "beale", "rosenbrock"):
        size = size + objective_numpy("sphere", points.astype(np.float64) + 1.0) ** (2 if name == "zakharov" else 1)
    return 8 * n * EPS32 * size + 1e-6


def _points_and_minimiser(name: str, dim: int, seed: int) -> np.ndarray:
    """[7, dim] float32: six points of the inner half box, then the minimiser (one batch, one compilation)."""
    minimiser = function_info(name).minimiser(dim)[None].astype(np.float32)
    return np.concatenate([_reference_points(name, dim, 6, seed), minimiser])


def check_values_and_gradients_match_reference(impl: ModuleType) -> None:
    """Every objective with a search box (``implementations.specs.FUNCTION_INFO``) at :func:`_check_dim`:
    values at points of the inner half box within :func:`_value_tolerance` of the float64 NumPy definition;
    gradients within 1e-3 of the largest |component| of a float64 central difference of that definition (step
    1e-6 x the box size: its own error is ~1e-8 relative); f(x*) = f* at the minimiser."""
    for name in FUNCTION_INFO:
        dim, info = _check_dim(name), function_info(name)
        spec = ObjectiveSpec(name, dim)
        batch = _points_and_minimiser(name, dim, 11 + dim)
        all_values, grads = impl.values_and_gradients(spec, batch)
        require(all_values.shape == (7,) and all_values.dtype == np.float32, f"{name}: values {all_values.shape}")
        require(grads.shape == (7, dim) and grads.dtype == np.float32, f"{name}: gradients {grads.shape}")
        points, values, grads = batch[:6], all_values[:6], grads[:6]
        reference = objective_numpy(name, points)
        bad = np.abs(values - reference) > _value_tolerance(name, points)
        require(not bad.any(), f"{name} n={dim}: f {values[bad]} != reference {reference[bad]}")
        low, high = info.box(dim)
        step = 1e-6 * (high - low)
        x = points.astype(np.float64)
        numeric = np.stack(
            [
                (objective_numpy(name, x + step * e) - objective_numpy(name, x - step * e)) / (2 * step)
                for e in np.eye(dim)
            ],
            axis=-1,
        )
        scale = np.abs(numeric).max(axis=1, keepdims=True) + 1e-6
        require(
            bool(np.all(np.abs(grads - numeric) <= 1e-3 * scale)),
            f"{name} n={dim}: gradient off by {np.abs(grads - numeric).max():.3g} (scale {scale.max():.3g})",
        )
        at_min = float(all_values[6])
        tol = 1e-5 * max(1.0, abs(info.minimum(dim)))
        require(abs(at_min - info.minimum(dim)) <= tol, f"{name} n={dim}: f(x*) {at_min} != {info.minimum(dim)}")


def _deterministic_blocks(dim: int = 4) -> tuple[tuple[RunBlock, ...], np.ndarray]:
    """Backprop blocks over four test functions and every optimizer (deterministic runs), and their starts."""
    blocks = (
        RunBlock(
            ObjectiveSpec("sphere", dim), DescentConfig(EstimatorConfig("backprop"), OptimizerConfig("sgd", 0.05)), 2
        ),
        RunBlock(
            ObjectiveSpec("trid", dim), DescentConfig(EstimatorConfig("backprop"), OptimizerConfig("adam", 0.1)), 3
        ),
        RunBlock(
            ObjectiveSpec("sum_squares", dim),
            DescentConfig(EstimatorConfig("backprop"), OptimizerConfig("clipped_sgd", 0.05, clip_norm=1.0)),
            2,
        ),
        RunBlock(
            ObjectiveSpec("zakharov", dim),
            DescentConfig(EstimatorConfig("backprop"), OptimizerConfig("adabelief", 0.05, eps=1e-8)),
            2,
        ),
        RunBlock(
            ObjectiveSpec("sphere", dim), DescentConfig(EstimatorConfig("backprop"), OptimizerConfig("sgd", 1.2)), 2
        ),
    )
    rng = np.random.default_rng(12)
    starts = np.concatenate([_reference_points(b.spec.name, dim, b.rows, int(rng.integers(1 << 30))) for b in blocks])
    return blocks, starts


def _passage_level(values: np.ndarray, window: range) -> float:
    """A target level whose first passage falls in ``window`` if possible: the middle (in log, above the
    minimum) of the widest gap between two of the values that gives such a passage, so that float32
    rounding cannot move any value across it."""
    low = float(np.min(values))
    logs = np.sort(np.log(values - low + 1.0))
    widths, middles = np.diff(logs), 0.5 * (logs[:-1] + logs[1:])
    levels = np.exp(middles) + low - 1.0
    for i in np.argsort(-widths):
        first = int(np.argmax(values <= levels[i]))
        if values[first] <= levels[i] and first in window:
            return float(levels[i])
    return float(levels[int(np.argmax(widths))])


def _expected_passage(
    impl: ModuleType, blocks: tuple[RunBlock, ...], starts: np.ndarray, steps: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(targets, ceilings, hit, out) per row, read off each row's own trajectory (``trajectory_from_tangents``)
    and values (``values_and_gradients``): targets in a wide gap between the values (:func:`_passage_level`),
    early for every other row and late for the rest, so that runs end on both sides of the 50-iteration
    checks where an implementation may drop ended runs from its batch; the rows of the last block diverge,
    their ceiling in the gap between two growing values."""
    targets, ceilings, hits, outs = [], [], [], []
    zeros = np.zeros((steps, 1, starts.shape[1]), np.float32)
    row = 0
    for index, block in enumerate(blocks):
        for _ in range(block.rows):
            path = impl.trajectory_from_tangents(block.spec, starts[row], zeros, block.config)
            values = impl.values_and_gradients(block.spec, path[:steps])[0].astype(np.float64)
            row += 1
            if index == len(blocks) - 1:
                out = 4
                require(bool(np.all(np.diff(values[: out + 1]) > 0)), "the last block must diverge")
                ceilings.append(float(np.sqrt(values[out - 1] * values[out])))
                targets.append(float(np.min(values[:out])) - 1.0)
                hits.append(-1)
                outs.append(out)
                continue
            target = _passage_level(values, range(1, steps // 3) if row % 2 else range(steps // 2, steps))
            targets.append(target)
            ceilings.append(float(np.max(values)) + 1e6)
            hits.append(int(np.argmax(values <= target)))
            outs.append(-1)
    return np.array(targets), np.array(ceilings), np.array(hits), np.array(outs)


def check_first_passage_matches_trajectories(impl: ModuleType) -> None:
    """Deterministic (backprop) rows over several objectives and every optimizer in one call: the first
    passages equal those read off each row's own trajectory; a budget too small gives -1; forward rows on
    1/2||x||^2 at lr 1/(n+2) reach 1e-3 f(x0) in about the expected (n+2) ln(1e3) steps, identically for the
    same seed."""
    steps = 120
    blocks, starts = _deterministic_blocks()
    targets, ceilings, hits, outs = _expected_passage(impl, blocks, starts, steps)
    hit, out, best = impl.first_passage(blocks, starts, 0, steps, targets, ceilings)
    require(hit.dtype == np.int64 and out.dtype == np.int64 and best.dtype == np.float64, "dtypes")
    np.testing.assert_array_equal(hit, hits, err_msg="first passage below the target")
    np.testing.assert_array_equal(out, outs, err_msg="first passage above the ceiling")
    values, _ = impl.values_and_gradients(blocks[0].spec, starts[:1])
    require(bool(best[0] <= values[0]), "best must not exceed f(x0)")
    short, _, _ = impl.first_passage(blocks, starts, 0, 3, targets, ceilings)
    require(bool(np.all(short[hits >= 3] == -1)), f"budget ignored: {short}")
    require(bool(np.any(hits > 50)) and bool(np.any((hits >= 0) & (hits < 50))), f"hits on one side only: {hits}")
    n = 6
    spec = ObjectiveSpec("isotropic_quadratic", n)
    fgd = (RunBlock(spec, forward_sgd("gaussian", 1.0 / (n + 2)), 8), RunBlock(spec, forward_sgd("rademacher", 0.1), 4))
    x0 = np.random.default_rng(3).standard_normal((12, n)).astype(np.float32)
    f0 = 0.5 * np.sum(x0.astype(np.float64) ** 2, axis=1)
    first = impl.first_passage(fgd, x0, 5, 2000, 1e-3 * f0, 1e5 * f0)
    require(bool(np.all(first[0] > 0)) and bool(np.all(first[1] == -1)), f"FGD rows: hits {first[0]}, out {first[1]}")
    require(20 <= float(np.mean(first[0][:8])) <= 120, f"FGD mean iterations {np.mean(first[0][:8])} (~55)")
    for a, b in zip(first, impl.first_passage(fgd, x0, 5, 2000, 1e-3 * f0, 1e5 * f0), strict=True):
        np.testing.assert_array_equal(a, b)


def check_descent_runner(impl: ModuleType) -> None:
    """``advance`` makes exactly ``stride`` steps (backprop SGD on sum x^2 scales x by (1 - 2 lr) per step);
    ``read`` gives iterates and values; forward runners are reproducible for a seed."""
    spec = ObjectiveSpec("sphere", 3)
    starts = np.random.default_rng(9).standard_normal((5, 3)).astype(np.float32)
    config = DescentConfig(EstimatorConfig("backprop"), OptimizerConfig("sgd", 0.1))
    advance, read = impl.descent_runner(spec, starts, 0, config, 3)
    x, values = read()
    np.testing.assert_array_equal(x, starts)
    for _ in range(2):
        require(advance() is None, "advance() returned a value")
    x, values = read()
    require(x.shape == (5, 3) and x.dtype == np.float32 and values.shape == (5,), f"read {x.shape} {values.shape}")
    np.testing.assert_allclose(x, starts * 0.8**6, rtol=1e-5)
    np.testing.assert_allclose(values, np.sum(x.astype(np.float64) ** 2, axis=1), rtol=1e-5)
    forward = forward_sgd("sphere", 0.05)
    runs = [impl.descent_runner(spec, starts, 4, forward, 4) for _ in range(2)]
    for advance, _ in runs:
        advance()
    np.testing.assert_array_equal(runs[0][1]()[0], runs[1][1]()[0])
    require(not np.array_equal(runs[0][1]()[0], starts), "forward runner did not move")


def check_test_function_values_agree(impls: dict[str, ModuleType]) -> None:
    """Every objective with a search box gives the same values (:func:`_value_tolerance`, doubled) and
    gradients (within 1e-4 of the largest |component|: each is a float32 sum of at most n products) in
    every framework, at the points of :func:`_points_and_minimiser`."""
    for name in FUNCTION_INFO:
        dim = _check_dim(name)
        spec, points = ObjectiveSpec(name, dim), _points_and_minimiser(name, dim, 3 + dim)
        results = {fw: impl.values_and_gradients(spec, points) for fw, impl in impls.items()}
        first, *others = results
        for other in others:
            bad = np.abs(results[other][0] - results[first][0]) > 2 * _value_tolerance(name, points)
            require(not bad.any(), f"{name} n={dim}: values {other} != {first}")
            scale = np.abs(results[first][1]).max(axis=1, keepdims=True) + 1e-6
            require(
                bool(np.all(np.abs(results[other][1] - results[first][1]) <= 1e-4 * scale)),
                f"{name} n={dim}: gradients {other} != {first}",
            )


def belouze_configs() -> list[DescentConfig]:
    """Belouze 2022's optimizers at the protocol's lr 0.01 (eps 1e-8 as in his code), each fed by a forward
    gradient of a different tangent law or by backprop."""
    return [
        forward_sgd("rademacher", 0.01),
        DescentConfig(EstimatorConfig("forward", "gaussian"), OptimizerConfig("clipped_sgd", 0.01, clip_norm=1.0)),
        DescentConfig(EstimatorConfig("forward", "sphere"), OptimizerConfig("adam", 0.01, eps=1e-8)),
        DescentConfig(EstimatorConfig("backprop"), OptimizerConfig("adabelief", 0.01, eps=1e-8)),
    ]


def check_test_function_trajectories_agree(impls: dict[str, ModuleType]) -> None:
    """Same start and tangents give the same trajectory in every framework on the new test functions (Beale
    from the Moré-Garbow-Hillstrom start (1, 1), the others at n = 5 within 0.3 per coordinate of their
    minimiser, where a step of lr 0.01 does not expand distances much), each with one of Belouze's optimizers
    and gradient sources in turn, so that every pair meets several functions
    (:func:`trajectory_parity_tolerance`)."""
    steps = 6
    rng = np.random.default_rng(17)
    configs = belouze_configs()
    for index, name in enumerate(TEST_FUNCTIONS):
        dim = 2 if name == "beale" else 5
        spec = ObjectiveSpec(name, dim)
        offset = rng.uniform(-0.3, 0.3, dim)
        theta0 = np.ones(2) if name == "beale" else function_info(name).minimiser(dim) + offset
        theta0 = theta0.astype(np.float32)
        for config in (configs[index % len(configs)],):
            tangents = sample_tangents_numpy(np.random.default_rng(8), config.estimator.distribution, steps, dim)
            tangents = tangents.reshape(steps, 1, dim)
            paths = {fw: impl.trajectory_from_tangents(spec, theta0, tangents, config) for fw, impl in impls.items()}
            first, *others = paths
            for other in others:
                tol = trajectory_parity_tolerance(config, paths[first])
                np.testing.assert_allclose(paths[other], paths[first], rtol=0, atol=tol, err_msg=f"{name} {config}")


def check_first_passages_agree(impls: dict[str, ModuleType]) -> None:
    """Deterministic (backprop) rows give the same first passages in every framework, and the same best
    values (relative 1e-5: the same float32 iterates up to rounding)."""
    steps = 120
    blocks, starts = _deterministic_blocks()
    first_impl = next(iter(impls.values()))
    targets, ceilings, _, _ = _expected_passage(first_impl, blocks, starts, steps)
    results = {fw: impl.first_passage(blocks, starts, 0, steps, targets, ceilings) for fw, impl in impls.items()}
    first, *others = results
    for other in others:
        np.testing.assert_array_equal(results[other][0], results[first][0])
        np.testing.assert_array_equal(results[other][1], results[first][1])
        np.testing.assert_allclose(results[other][2], results[first][2], rtol=1e-5)


SINGLE_CHECKS = (
    check_iterations_to_tolerance,
    check_trajectory_matches_algorithm_1,
    check_values_and_gradients_match_reference,
    check_first_passage_matches_trajectories,
    check_descent_runner,
)
PARITY_CHECKS = (
    check_trajectories_agree,
    check_test_function_values_agree,
    check_test_function_trajectories_agree,
    check_first_passages_agree,
)
