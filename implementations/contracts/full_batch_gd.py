"""Contract of full-batch gradient descent (backprop), ``implementations/<framework>/full_batch_gd.py``: the
baseline Unnikrishnan & Venugopal 1994 (Neural Computation 6(3):469-490) compare Alopex with.

On the same nets, summed error E and success criterion as Alopex (:mod:`.small_nets`), heavy-ball gradient
descent with velocity ``v(0) = 0``: for n = 1, 2, ...

    v(n) = momentum v(n-1) + grad E(theta(n-1)),    theta(n) = theta(n-1) - lr v(n),

the gradient of the summed E by the framework's reverse-mode autodiff (through time for the Elman net). A
Heaviside unit's derivative is exactly zero, so on an all-Heaviside net the gradient is 0 and GD never
moves: the paper's point about discontinuous units. ``train`` stops a seed at its first success like
:mod:`.alopex`; trace measures: ``error`` E(theta(n)) and ``grad_norm`` ``||grad E(theta(n))||_2`` (at row 0
too: both describe the point, so neither is masked after a success). GD is deterministic: ``seed`` is
accepted for the signature ``train`` shares with Alopex and ignored.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import NamedTuple, Protocol

import numpy as np

from implementations.contracts._common import EPS32, require
from implementations.contracts.small_nets import (
    NetSpec,
    TrainingData,
    TrainResult,
    error_numpy,
    forward_numpy,
    init_params,
    max_deviation_numpy,
    reference_nets,
    sequence_data,
    xor_data,
)

ROLE = "method"

TRACE_MEASURES: tuple[str, ...] = ("error", "grad_norm")
STEP_KINDS: tuple[str, ...] = ("gd", "forward_only")


@dataclass(frozen=True)
class GradientDescentConfig:
    """Learning rate and heavy-ball momentum of full-batch gradient descent on the summed error."""

    lr: float
    momentum: float = 0.0

    def __post_init__(self) -> None:
        lr = self.lr
        if isinstance(lr, bool) or not isinstance(lr, float | int) or not np.isfinite(lr) or lr <= 0:
            raise ValueError(f"lr={self.lr!r}; valid: a finite float > 0")
        m = self.momentum
        if isinstance(m, bool) or not isinstance(m, float | int) or not 0 <= m < 1:
            raise ValueError(f"momentum={self.momentum!r}; valid: a float in [0, 1)")


class GradientDescentMethod(Protocol):
    """The NumPy-facing functions of ``implementations/<framework>/full_batch_gd.py``."""

    def train(
        self,
        net: NetSpec,
        config: GradientDescentConfig,
        theta0: np.ndarray,
        data: TrainingData,
        seed: int,
        max_iterations: int,
        record_every: int,
        stop_at_success: bool = True,
        step_sizes: np.ndarray | None = None,
    ) -> TrainResult:
        """GD from theta0 [S, N] (S independent seeds; ``seed`` ignored); trace rows every ``record_every``
        iterations (:data:`TRACE_MEASURES`). ``step_sizes`` [S]: each seed's learning rate instead of
        ``config.lr`` (a sweep as one batch)."""
        ...

    def step_functions(
        self,
        net: NetSpec,
        config: GradientDescentConfig,
        data: TrainingData,
        num_seeds: int,
        seed: int,
        iterations: int,
    ) -> dict[str, Callable[[], None]]:
        """{kind: callable} for :data:`STEP_KINDS`: each runs ``iterations`` iterations for ``num_seeds`` seeds
        and waits for the device."""
        ...

    def trajectory(
        self, net: NetSpec, config: GradientDescentConfig, theta0: np.ndarray, data: TrainingData, iterations: int
    ) -> dict[str, np.ndarray]:
        """Parity mode, one seed: {"theta" [T+1, N] float32, "error" [T+1]}; no stopping at success."""
        ...


PROTOCOL = GradientDescentMethod


# ---------------------------------------------------------------------------------------------------------
# float64 reference


def _error(net: NetSpec, theta: np.ndarray, data: TrainingData) -> float:
    return error_numpy(net, forward_numpy(net, theta, data.inputs), data)


def gradient_numpy(net: NetSpec, theta: np.ndarray, data: TrainingData, h: float = 1e-6) -> np.ndarray:
    """float64 central-difference gradient of E (truncation O(h^2), cancellation O(1e-16 E / h): ~1e-10)."""
    theta = np.asarray(theta, np.float64)
    grad = np.empty_like(theta)
    for k in range(theta.size):
        up, down = theta.copy(), theta.copy()
        up[k] += h
        down[k] -= h
        grad[k] = (_error(net, up, data) - _error(net, down, data)) / (2 * h)
    return grad


def reference_trajectory(
    net: NetSpec, config: GradientDescentConfig, theta0: np.ndarray, data: TrainingData, iterations: int
) -> dict[str, np.ndarray]:
    """Heavy-ball GD in float64 with :func:`gradient_numpy`: theta [T+1, N], error [T+1], grad_norm [T+1]."""
    theta = np.asarray(theta0, np.float64).copy()
    velocity = np.zeros_like(theta)
    grad = gradient_numpy(net, theta, data)
    path, errors, norms = [theta.copy()], [_error(net, theta, data)], [np.linalg.norm(grad)]
    for _ in range(iterations):
        velocity = config.momentum * velocity + grad
        theta = theta - config.lr * velocity
        grad = gradient_numpy(net, theta, data)
        path.append(theta.copy())
        errors.append(_error(net, theta, data))
        norms.append(np.linalg.norm(grad))
    return {"theta": np.array(path), "error": np.array(errors), "grad_norm": np.array(norms)}


class Run(NamedTuple):
    """One parity fixture with its float64 reference and trajectory tolerance."""

    label: str
    net: NetSpec
    config: GradientDescentConfig
    data: TrainingData
    theta0: np.ndarray
    reference: dict[str, np.ndarray]
    tolerance: float


def trajectory_tolerance(
    net: NetSpec, config: GradientDescentConfig, theta0: np.ndarray, data: TrainingData, reference: dict
) -> float:
    """Allowed |float32 theta - float64 theta| along a trajectory.

    Each float32 step errs by about ``rho = gamma |lr v| + eps |theta|``: the gradient's relative rounding
    error ``gamma = 20 sqrt(outputs N) eps`` (a sum over the counted outputs of products of N-length chains,
    random-walk accumulation, safety factor 20 as elsewhere) on the move, and the rounding of theta. How such
    a perturbation grows along this trajectory is measured, not guessed: the float64 reference is rerun from
    ``theta0 + 1e-7 xi`` (xi random signs) and ``A = max_t |theta'_t - theta_t| / 1e-7``. The errors of the T
    steps add up to at most ``T A rho``.
    """
    steps = len(reference["theta"]) - 1
    xi = np.random.default_rng(0).choice([-1.0, 1.0], theta0.size)
    moved = reference_trajectory(net, config, theta0.astype(np.float64) + 1e-7 * xi, data, steps)
    amplification = max(1.0, float(np.abs(moved["theta"] - reference["theta"]).max()) / 1e-7)
    outputs = int(np.broadcast_to(data.counted()[..., None], data.targets.shape).sum())
    gamma = 20 * np.sqrt(outputs * net.num_params) * EPS32
    move = float(np.abs(np.diff(reference["theta"], axis=0)).max()) if steps else 0.0
    rho = gamma * move + EPS32 * float(np.abs(reference["theta"]).max())
    return max(steps, 1) * amplification * rho


@functools.cache
def reference_runs() -> tuple[Run, ...]:
    """XOR 2-2-1 (sigmoid, squared, lr 1, momentum 0.5) for 40 steps and an Elman 1-3-1 net (tanh,
    cross-entropy, masked, lr 0.1, momentum 0.9) for 8 steps."""
    rng = np.random.default_rng(30)
    cases = [
        ("xor-momentum", NetSpec("mlp", (2, 2, 1)), GradientDescentConfig(1.0, 0.5), xor_data(), 40),
        (
            "elman-tanh-ce",
            NetSpec("elman", (1, 3, 1), "tanh", "sigmoid", "cross_entropy"),
            GradientDescentConfig(0.1, 0.9),
            sequence_data(rng),
            8,
        ),
    ]
    runs = []
    for label, net, config, data, steps in cases:
        theta0 = init_params(net, rng, 1, 1.0)[0]
        reference = reference_trajectory(net, config, theta0, data, steps)
        runs.append(
            Run(label, net, config, data, theta0, reference, trajectory_tolerance(net, config, theta0, data, reference))
        )
    return tuple(runs)


# ---------------------------------------------------------------------------------------------------------
# single-framework checks

TRAIN_SEEDS = 16


def _xor_batch(count: int, seed: int) -> np.ndarray:
    return init_params(NetSpec("mlp", (2, 2, 1)), np.random.default_rng(seed), count, 1.0)


def check_trajectory_matches_reference(impl: ModuleType) -> None:
    """trajectory equals the float64 reference within :func:`trajectory_tolerance`; E within the same
    tolerance times the largest gradient norm plus float32 rounding."""
    for run in reference_runs():
        path = impl.trajectory(run.net, run.config, run.theta0, run.data, len(run.reference["theta"]) - 1)
        shape = run.reference["theta"].shape
        require(path["theta"].shape == shape and path["theta"].dtype == np.float32, f"{run.label}: theta")
        require(path["error"].shape == shape[:1], f"{run.label}: error shape {path['error'].shape}")
        np.testing.assert_allclose(path["theta"], run.reference["theta"], rtol=0, atol=run.tolerance, err_msg=run.label)
        e_tol = run.tolerance * float(run.reference["grad_norm"].max()) * np.sqrt(run.net.num_params)
        e_tol += 20 * EPS32 * float(np.abs(run.reference["error"]).max())
        np.testing.assert_allclose(path["error"], run.reference["error"], rtol=0, atol=e_tol, err_msg=run.label)


def check_heaviside_has_zero_gradient(impl: ModuleType) -> None:
    """On a Heaviside net (hidden and output units) autodiff gives an exactly zero gradient: GD never moves
    and every recorded gradient norm is 0."""
    label, net, data = reference_nets()[1]
    theta0 = init_params(net, np.random.default_rng(7), TRAIN_SEEDS, 1.0)
    result = impl.train(net, GradientDescentConfig(2.0, 0.9), theta0, data, 0, 30, 10)
    np.testing.assert_array_equal(result.theta, theta0, err_msg=f"{label}: GD moved")
    np.testing.assert_array_equal(result.trace["grad_norm"], 0.0, err_msg=f"{label}: nonzero gradient")
    require(result.iterations_run == 30 and bool(np.all(result.first_success == -1)), f"{label}: solved?")


XOR_SOLUTION = np.array([6, 6, 6, 6, -3, -9, 8, -8, -4], np.float32)
"""XOR 2-2-1 weights that meet the 0.4 criterion (hidden OR and AND units, output OR minus AND)."""


def check_train_results(impl: ModuleType) -> None:
    """Shapes, dtypes, record_steps, row 0 (E and |grad E| at theta0 against the reference); deterministic and
    independent of ``seed``; a seed solved at theta0 never moves; first success is the same with and without
    stopping and a stopped seed sits on a solution. Starts: 1 solved, 3 near a solution (0.45 times one,
    solved within a few iterations), 12 uniform in (-1, 1)."""
    net, data = NetSpec("mlp", (2, 2, 1)), xor_data()
    config = GradientDescentConfig(2.0)
    theta0 = _xor_batch(TRAIN_SEEDS, 21)
    theta0[0] = XOR_SOLUTION
    theta0[1:4] = 0.45 * XOR_SOLUTION
    first = impl.train(net, config, theta0, data, 1, 60, 20)
    other = impl.train(net, config, theta0, data, 2, 60, 20)
    free = impl.train(net, config, theta0, data, 1, 60, 20, stop_at_success=False)
    require(isinstance(first, TrainResult), f"train returned {type(first)}")
    require(first.first_success.dtype == np.int64 and first.first_success.shape == (TRAIN_SEEDS,), "first_success")
    require(first.theta.dtype == np.float32 and first.theta.shape == theta0.shape, "theta dtype/shape")
    require(first.iterations_run == 60, f"iterations_run {first.iterations_run}")
    np.testing.assert_array_equal(first.record_steps, np.array([0, 20, 40, 60], np.int64))
    require(tuple(first.trace) == TRACE_MEASURES, f"trace measures {tuple(first.trace)}")
    for name, values in first.trace.items():
        require(values.dtype == np.float64 and values.shape == (4, TRAIN_SEEDS), f"trace {name} {values.shape}")
        np.testing.assert_array_equal(values, other.trace[name], err_msg=f"{name}: GD depends on the seed")
    np.testing.assert_array_equal(first.theta, other.theta)
    for s in (4, 5):
        np.testing.assert_allclose(first.trace["error"][0, s], _error(net, theta0[s], data), rtol=1e-5)
        expected = np.linalg.norm(gradient_numpy(net, theta0[s], data))
        np.testing.assert_allclose(first.trace["grad_norm"][0, s], expected, rtol=1e-4, atol=1e-6)
    require(first.first_success[0] == 0 and np.array_equal(first.theta[0], theta0[0]), "a solved seed moved")
    require(bool(np.any(free.theta[0] != theta0[0])), "without stop_at_success a solved seed still moves")
    np.testing.assert_array_equal(first.first_success, free.first_success)
    require(bool(np.all(first.first_success[1:4] > 0)), f"near-solution starts not solved: {first.first_success}")
    for s in np.flatnonzero(first.first_success >= 0):
        outputs = forward_numpy(net, first.theta[s], data.inputs)
        require(max_deviation_numpy(outputs, data) < data.margin, f"seed {s} stopped off a solution")


SOLVING_CONFIG = GradientDescentConfig(2.0)
"""A learning rate that solves XOR 2-2-1 (summed squared error, margin 0.4, weights uniform in (-1, 1)): on 64
such starts about 80% succeed within 500 iterations and no more by 4000 (lr 1: the same plateau by 1000
iterations; lr 4 or momentum 0.9 at lr 1: by 250)."""


def check_per_run_step_sizes(impl: ModuleType) -> None:
    """Per-run learning rates in one batch give each run the trajectory it has alone at that rate (GD is
    deterministic and runs are independent); bad values are refused."""
    net, data = NetSpec("mlp", (2, 2, 1)), xor_data()
    theta0 = _xor_batch(6, 22)
    rates = np.array([0.5, 2.0, 4.0] * 2)
    batched = impl.train(net, GradientDescentConfig(1.0), theta0, data, 0, 40, 20, False, rates)
    for rate in (0.5, 2.0, 4.0):
        rows = np.flatnonzero(rates == rate)
        alone = impl.train(net, GradientDescentConfig(rate), theta0[rows], data, 0, 40, 20, stop_at_success=False)
        np.testing.assert_allclose(batched.theta[rows], alone.theta, rtol=1e-5, atol=1e-6, err_msg=f"lr {rate}")
    for bad in (np.full(5, 1.0), np.array([1.0] * 5 + [-1.0])):
        try:
            impl.train(net, GradientDescentConfig(1.0), theta0, data, 0, 10, 5, True, bad)
        except ValueError:
            continue
        raise AssertionError(f"step_sizes {bad} accepted")


def check_solves_xor(impl: ModuleType) -> None:
    """GD (:data:`SOLVING_CONFIG`) solves most (>= 9) of 16 XOR 2-2-1 starts within 600 iterations."""
    net, data = NetSpec("mlp", (2, 2, 1)), xor_data()
    result = impl.train(net, SOLVING_CONFIG, _xor_batch(TRAIN_SEEDS, 22), data, 0, 600, 100)
    solved = int(np.sum(result.first_success >= 0))
    require(solved >= 9, f"GD solved XOR on {solved}/16 starts: {result.first_success}")


def check_step_functions(impl: ModuleType) -> None:
    """Both kinds are present, callable repeatedly, and return None."""
    steps = impl.step_functions(NetSpec("mlp", (2, 2, 1)), GradientDescentConfig(1.0), xor_data(), TRAIN_SEEDS, 0, 5)
    require(tuple(steps) == STEP_KINDS, f"kinds {tuple(steps)} != {STEP_KINDS}")
    for kind, run in steps.items():
        for _ in range(2):
            require(run() is None, f"{kind} returned a value")


def check_trajectories_agree(impls: dict[str, ModuleType]) -> None:
    """Every framework's trajectory agrees with the others within twice :func:`trajectory_tolerance` (each is
    within one of the float64 reference)."""
    for run in reference_runs():
        steps = len(run.reference["theta"]) - 1
        paths = {
            name: impl.trajectory(run.net, run.config, run.theta0, run.data, steps) for name, impl in impls.items()
        }
        first, *others = paths
        for other in others:
            np.testing.assert_allclose(
                paths[other]["theta"], paths[first]["theta"], rtol=0, atol=2 * run.tolerance, err_msg=run.label
            )


SINGLE_CHECKS = (
    check_per_run_step_sizes,
    check_trajectory_matches_reference,
    check_heaviside_has_zero_gradient,
    check_train_results,
    check_solves_xor,
    check_step_functions,
)
PARITY_CHECKS = (check_trajectories_agree,)
