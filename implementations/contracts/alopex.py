"""Contract of Alopex: ``implementations/<framework>/alopex.py``.

Alopex, Unnikrishnan & Venugopal 1994, "Alopex: a correlation-based learning algorithm for feedforward and
recurrent neural networks", Neural Computation 6(3):469-490 (Sec. 2, the algorithm and its annealing
schedule), and the running-mean temperature of Alopex-B, Bia 2001, Int. J. Neural Systems 11(6). Every weight
moves by +-delta at every iteration; the direction is drawn from the correlation between the weight's last
change and the error's last change. Iteration n = 1, 2, ... (all S seeds in parallel, each independent):

- correlation ``C_k(n) = dw_k(n-1) dE(n-1)`` with ``dw_k(n-1) = w_k(n-1) - w_k(n-2)`` (the step taken, +-delta)
  and ``dE(n-1) = E(n-1) - E(n-2)``; both are 0 before the first move, so ``C = 0`` and ``p = 1/2`` at n = 1;
- probability of a step down ``p_k(n) = 1 / (1 + exp(-C_k(n) / T(n)))``: a weight whose rise raised the error
  (C > 0) steps down with probability > 1/2;
- step ``dw_k(n) = -delta if u_k(n) < p_k(n) else +delta`` with ``u_k(n) ~ U[0, 1)`` i.i.d.,
  ``w(n) = w(n-1) + dw(n)``, and ``E(n)``, one forward pass over all training patterns at ``w(n)``;
- temperature, ``alopex94`` (the paper's annealing schedule): ``T(n) = initial_temperature`` for n <= M; after
  every M iterations T becomes the mean of ``|C_k|`` over those M iterations and all N weights (times delta
  again under ``temperature_rule="delta_scaled"``, a secondary source's reading of the schedule) and is held
  until the next refresh. Since every ``|dw_k| = delta``, ``mean_k |C_k(n)| = delta |dE(n-1)|``: the
  implementations keep an O(1) running sum per seed instead of an O(N) mean. A refresh whose mean is 0 (no
  error change in a whole cycle, e.g. a Heaviside net on a plateau) keeps the previous T.
- temperature, ``alopex_b`` (Bia 2001): ``T(n) = forgetting T(n-1) + (1 - forgetting) delta |dE(n-1)|`` every
  iteration from ``T(0) = initial_temperature`` (so ``T(1) = forgetting T(0)``): T moves TOWARD
  ``delta |dE|``.
- ``anneal=False`` (either variant): T stays at ``initial_temperature`` (the fixed-temperature control).
- Every computed T is floored at :data:`TEMPERATURE_FLOOR` (1e-30, a float32 normal) so that ``C / T`` is
  never 0/0; only Alopex-B can approach 0 (after a long run without error change).

``train`` additionally stops a seed at its first success (``stop_at_success``): from the iteration n at which
every counted output is within the margin, its weights no longer move. Trace measures per recorded iteration
n and seed (:data:`TRACE_MEASURES`): ``error`` E(n); ``temperature`` T(n) (the one used at n);
``mean_abs_correlation`` ``mean_k |C_k(n)|``; ``downhill_fraction``, among the weights with ``C_k(n) != 0``
the fraction whose step went against the correlation (``dw_k(n) = -delta sign C_k(n)``), NaN if none. Row 0
(theta0) holds the error and NaN for the rest; after a frozen seed's success its step measures are NaN.

The float64 :func:`reference_trajectory` restates the algorithm independently of any framework (O(N) means,
literal formulas) for the checks. :class:`~.small_nets.TrainResult` (the result of ``train``, shared with
:mod:`.full_batch_gd`) is importable from here too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import NamedTuple, Protocol

import numpy as np

from implementations.contracts._common import require
from implementations.contracts.small_nets import (
    NetSpec,
    TrainingData,
    TrainResult,
    error_numpy,
    error_tolerance,
    forward_numpy,
    init_params,
    max_deviation_numpy,
    output_tolerance,
    reference_nets,
    sequence_data,
    xor_data,
)

ROLE = "method"

VARIANTS: tuple[str, ...] = ("alopex94", "alopex_b")
TEMPERATURE_RULES: tuple[str, ...] = ("mean_abs_correlation", "delta_scaled")
TEMPERATURE_FLOOR = 1e-30
"""Smallest temperature ever used (guards C / T against 0 / 0)."""
TRACE_MEASURES: tuple[str, ...] = ("error", "temperature", "mean_abs_correlation", "downhill_fraction")
STEP_MEASURES: tuple[str, ...] = ("temperature", "mean_abs_correlation", "downhill_fraction")
"""The measures describing a step (NaN at row 0 and, with stop_at_success, after a seed's success)."""
STEP_KINDS: tuple[str, ...] = ("alopex", "forward_only")


@dataclass(frozen=True)
class AlopexConfig:
    """Alopex's hyperparameters (see the module docstring for the algorithm)."""

    variant: str = "alopex94"
    delta: float = 0.005
    cycle: int = 20
    initial_temperature: float = 1000.0
    temperature_rule: str = "mean_abs_correlation"
    anneal: bool = True
    forgetting: float = 0.5

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise ValueError(f"variant={self.variant!r}; valid: {', '.join(VARIANTS)}")
        if self.temperature_rule not in TEMPERATURE_RULES:
            raise ValueError(f"temperature_rule={self.temperature_rule!r}; valid: {', '.join(TEMPERATURE_RULES)}")
        if not _positive(self.delta):
            raise ValueError(f"delta={self.delta!r}; valid: a finite float > 0")
        if isinstance(self.cycle, bool) or not isinstance(self.cycle, int | np.integer) or self.cycle < 1:
            raise ValueError(f"cycle={self.cycle!r}; valid: an int >= 1")
        if not _positive(self.initial_temperature):
            raise ValueError(f"initial_temperature={self.initial_temperature!r}; valid: a finite float > 0")
        if not isinstance(self.anneal, bool | np.bool_):
            raise ValueError(f"anneal={self.anneal!r}; valid: True or False")
        forgetting = self.forgetting
        if isinstance(forgetting, bool) or not isinstance(forgetting, float | int) or not 0 <= forgetting < 1:
            raise ValueError(f"forgetting={self.forgetting!r}; valid: a float in [0, 1)")


def _positive(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, float | int) and bool(np.isfinite(value)) and value > 0


class AlopexMethod(Protocol):
    """The NumPy-facing functions of ``implementations/<framework>/alopex.py``."""

    def train(
        self,
        net: NetSpec,
        config: AlopexConfig,
        theta0: np.ndarray,
        data: TrainingData,
        seed: int,
        max_iterations: int,
        record_every: int,
        stop_at_success: bool = True,
        step_sizes: np.ndarray | None = None,
    ) -> TrainResult:
        """Alopex from theta0 [S, N] (S independent seeds), uniforms from the framework's generator seeded
        by ``seed``; trace rows every ``record_every`` iterations (:data:`TRACE_MEASURES`). ``step_sizes`` [S]:
        each seed's delta instead of ``config.delta`` (a sweep as one batch; Alopex-B's and the delta-scaled
        temperatures use each seed's own delta)."""
        ...

    def trajectory_from_uniforms(
        self, net: NetSpec, config: AlopexConfig, theta0: np.ndarray, data: TrainingData, uniforms: np.ndarray
    ) -> dict[str, np.ndarray]:
        """Parity mode, one seed: theta0 [N], uniforms [T, N] used as u(1..T) -> {"theta" [T+1, N] float32,
        "error" [T+1], "temperature" [T]}; no stopping at success."""
        ...

    def step_functions(
        self, net: NetSpec, config: AlopexConfig, data: TrainingData, num_seeds: int, seed: int, iterations: int
    ) -> dict[str, Callable[[], None]]:
        """{kind: callable} for :data:`STEP_KINDS`: each runs ``iterations`` iterations for ``num_seeds`` seeds
        and waits for the device."""
        ...


PROTOCOL = AlopexMethod


# ---------------------------------------------------------------------------------------------------------
# float64 reference


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _away_from_ties(u: np.ndarray, p: np.ndarray, margin: float) -> np.ndarray:
    """``u`` with every entry closer than ``margin`` to its threshold ``p`` moved to ``margin`` away (on its own
    side where that stays inside [0, 1), else on the other side), as float32."""
    if margin <= 0:
        return u.astype(np.float32)
    below = u < p
    lower, upper = p - margin, p + margin
    moved = np.where(below, np.where(lower >= 0, lower, upper), np.where(upper < 1, upper, lower))
    out = np.where(np.abs(u - p) < margin, moved, u).astype(np.float32)
    return np.minimum(out, np.float32(1 - 2**-24))


def reference_trajectory(
    net: NetSpec,
    config: AlopexConfig,
    theta0: np.ndarray,
    data: TrainingData,
    uniforms: np.ndarray,
    tie_margin: float = 0.0,
) -> dict[str, np.ndarray]:
    """Alopex for one seed, restated in float64 with the weights kept in float32 exactly as the
    implementations hold them: ``w(n) = float32(w(n-1) + float32(delta))`` (float64 addition of two float32
    numbers this close in magnitude is exact, so rounding it once reproduces the float32 addition). E, C, p
    and T are float64, ``mean |C|`` an explicit mean over the N weights.

    With ``tie_margin > 0`` each ``u_k(n)`` within ``tie_margin`` of its ``p_k(n)`` is first moved that far
    away (see :func:`_away_from_ties`): the returned ``uniforms`` (float32) then give every decision a margin
    the float32 implementations cannot cross. Returns theta [T+1, N] float32, error [T+1], temperature [T],
    probability [T, N], correlation [T, N], uniforms [T, N], outputs [T+1, ...].
    """
    delta = float(np.float32(config.delta))
    w = np.asarray(theta0, np.float32).copy()
    outputs = forward_numpy(net, w, data.inputs)
    error = error_numpy(net, outputs, data)
    dw, de = np.zeros(w.size), 0.0
    t = float(config.initial_temperature)
    cycle: list[float] = []
    record: dict[str, list] = {k: [] for k in ("theta", "error", "temperature", "probability", "correlation")}
    record.update(uniforms=[], outputs=[outputs])
    record["theta"].append(w.copy())
    record["error"].append(error)
    for n, u in enumerate(np.asarray(uniforms, np.float64), start=1):
        if config.variant == "alopex_b" and config.anneal:
            t = max(config.forgetting * t + (1 - config.forgetting) * delta * abs(de), TEMPERATURE_FLOOR)
        c = dw * de
        p = _sigmoid(c / t)
        u32 = _away_from_ties(u, p, tie_margin)
        step = np.where(u32.astype(np.float64) < p, -delta, delta)
        cycle.append(float(np.mean(np.abs(c))))
        w = (w.astype(np.float64) + step).astype(np.float32)
        outputs = forward_numpy(net, w, data.inputs)
        new_error = error_numpy(net, outputs, data)
        dw, de, error = step, new_error - error, new_error
        for key, value in (("temperature", t), ("probability", p), ("correlation", c), ("uniforms", u32)):
            record[key].append(value)
        record["theta"].append(w.copy())
        record["error"].append(error)
        record["outputs"].append(outputs)
        if config.variant == "alopex94" and config.anneal and n % config.cycle == 0:
            mean = float(np.mean(cycle)) * (delta if config.temperature_rule == "delta_scaled" else 1.0)
            if mean > 0:
                t = max(mean, TEMPERATURE_FLOOR)
            cycle = []
    return {key: np.array(value) for key, value in record.items()}


# ---------------------------------------------------------------------------------------------------------
# fixtures and tolerances

TIE_MARGIN = 0.01
"""Every parity decision has |u - p| >= TIE_MARGIN (see :func:`check_trajectories_match_reference`)."""

XOR_SOLUTION = np.array([6, 6, 6, 6, -3, -9, 8, -8, -4], np.float32)
"""XOR 2-2-1 weights that meet the 0.4 criterion: hidden OR and AND units, output OR minus AND."""


class Run(NamedTuple):
    """One parity fixture: a net, a config, a start and tie-free uniforms, with its float64 reference."""

    label: str
    net: NetSpec
    config: AlopexConfig
    data: TrainingData
    theta0: np.ndarray
    reference: dict[str, np.ndarray]


@functools.cache
def reference_runs() -> tuple[Run, ...]:
    """200 steps on XOR 2-2-1 (sigmoid, squared error) for Alopex-94 with a cycle of 5 (T refreshed 39
    times), Alopex-B, the delta-scaled schedule and a fixed T; 40 steps of a Heaviside 3-3-1 net on 3-bit
    parity (plateaus: cycles without error change); 12 steps of an Elman 1-3-1 net (tanh, cross-entropy,
    masked)."""
    rng = np.random.default_rng(4690)
    xor = NetSpec("mlp", (2, 2, 1))
    heaviside = reference_nets()[1]
    elman = NetSpec("elman", (1, 3, 1), "tanh", "sigmoid", "cross_entropy")
    cases = [
        ("xor-alopex94-cycle5", xor, AlopexConfig(delta=0.02, cycle=5, initial_temperature=1.0), xor_data(), 200),
        (
            "xor-alopex_b",
            xor,
            AlopexConfig("alopex_b", 0.02, initial_temperature=0.01, forgetting=0.8),
            xor_data(),
            200,
        ),
        (
            "xor-delta_scaled",
            xor,
            AlopexConfig(delta=0.05, cycle=5, initial_temperature=1e-3, temperature_rule="delta_scaled"),
            xor_data(),
            200,
        ),
        ("xor-fixed-T", xor, AlopexConfig(delta=0.02, initial_temperature=2e-5, anneal=False), xor_data(), 200),
        (
            "parity3-heaviside",
            heaviside[1],
            AlopexConfig(delta=0.1, cycle=5, initial_temperature=0.5),
            heaviside[2],
            40,
        ),
        ("elman-tanh-ce", elman, AlopexConfig(delta=0.02, cycle=3, initial_temperature=1.0), sequence_data(rng), 12),
    ]
    runs = []
    for label, net, config, data, steps in cases:
        theta0 = init_params(net, rng, 1, 1.0)[0]
        uniforms = rng.random((steps, net.num_params))
        reference = reference_trajectory(net, config, theta0, data, uniforms, TIE_MARGIN)
        runs.append(Run(label, net, config, data, theta0, reference))
    return tuple(runs)


def implied_probabilities(run: Run, error: np.ndarray, temperature: np.ndarray) -> np.ndarray:
    """p_k(n) [T, N] from a framework's float32 errors and temperatures along the reference's steps."""
    steps = np.diff(run.reference["theta"].astype(np.float64), axis=0)
    steps = np.sign(steps) * np.float32(run.config.delta)
    previous_step = np.vstack([np.zeros_like(steps[:1]), steps[:-1]])
    error = np.asarray(error, np.float64)
    previous_change = np.concatenate([[0.0], np.diff(error)[:-1]])
    return _sigmoid(previous_step * previous_change[:, None] / np.asarray(temperature, np.float64)[:, None])


def temperature_tolerance(run: Run, error_tol: float) -> float:
    """Allowed |dT| beyond float32's relative rounding (rtol 1e-5 for a running sum of M terms): T is a
    weighted mean of ``delta |dE|`` (times delta under delta_scaled), each dE the difference of two errors
    within ``error_tol``, so ``|dT| <= 2 delta error_tol`` (times delta)."""
    delta = run.config.delta
    scale = delta if run.config.temperature_rule == "delta_scaled" else 1.0
    return 2 * delta * scale * error_tol


def _trajectory_problems(run: Run, path: dict[str, np.ndarray]) -> None:
    """Assert ``path`` (one framework's trajectory_from_uniforms) equals the float64 reference."""
    ref = run.reference
    steps = len(ref["temperature"])
    n = run.net.num_params
    require(path["theta"].shape == (steps + 1, n) and path["theta"].dtype == np.float32, f"{run.label}: theta")
    require(path["error"].shape == (steps + 1,) and path["temperature"].shape == (steps,), f"{run.label}: shapes")
    tol = output_tolerance(run.net, run.data.inputs, float(np.abs(ref["theta"]).max()))
    error_tol = max(error_tolerance(run.net, out, run.data, tol) for out in ref["outputs"])
    implied = implied_probabilities(run, path["error"], path["temperature"])
    gap = float(np.max(np.abs(implied - ref["probability"])))
    where = np.flatnonzero(np.any(path["theta"] != ref["theta"], axis=1))
    require(
        where.size == 0,
        f"{run.label}: theta leaves the reference at step {where[:1]} (max |p - p_ref| = {gap:.2e}; the uniforms keep "
        f"{TIE_MARGIN} from every threshold, so a gap below {TIE_MARGIN / 2} rules out a float32 tie)",
    )
    require(gap < TIE_MARGIN / 2, f"{run.label}: float32 probabilities differ from float64 by {gap:.2e}")
    np.testing.assert_allclose(path["error"], ref["error"], rtol=0, atol=error_tol, err_msg=f"{run.label} error")
    t_tol = temperature_tolerance(run, error_tol)
    np.testing.assert_allclose(path["temperature"], ref["temperature"], rtol=1e-5, atol=t_tol, err_msg=run.label)


# ---------------------------------------------------------------------------------------------------------
# single-framework checks


def check_trajectories_match_reference(impl: ModuleType) -> None:
    """trajectory_from_uniforms equals :func:`reference_trajectory` on every :func:`reference_runs` fixture:
    theta exactly (both hold float32 weights and add the same float32 steps), E within the float32 error
    tolerance of :mod:`.small_nets`, T within :func:`temperature_tolerance`.

    Ties: a float32 implementation computes p with an error of about ``|dp| <= |d(C/T)| / 4``; with
    ``C / T = dw dE / T`` that is E's float32 error over ``T / delta`` (up to 1e-2 under the delta-scaled
    schedule, whose T is small). A uniform within that distance of p could legitimately step the other way,
    so the fixtures' uniforms are moved :data:`TIE_MARGIN` = 0.01 away from the reference's p (2% of the
    decisions; the premise is verified: every implied ``|p - p_ref| < TIE_MARGIN / 2``). Any other difference
    in a step is a real discrepancy (one step off moves a weight by 2 delta).
    """
    for run in reference_runs():
        path = impl.trajectory_from_uniforms(run.net, run.config, run.theta0, run.data, run.reference["uniforms"])
        _trajectory_problems(run, path)


def check_temperature_schedule(impl: ModuleType) -> None:
    """From the implementation's own errors: Alopex-94's T holds initial_temperature for the first M
    iterations, then each cycle's T is the previous cycle's mean |C| (delta |dE|; times delta under
    delta_scaled) and a cycle without error change keeps T; a fixed T never moves; Alopex-B follows
    ``T(n) = f T(n-1) + (1 - f) delta |dE(n-1)|`` and so moves toward ``delta |dE(n-1)|`` (a published port
    reversed the weights and moved it away)."""
    runs = {run.label: run for run in reference_runs()}
    for label in ("xor-alopex94-cycle5", "xor-delta_scaled", "parity3-heaviside", "xor-fixed-T", "xor-alopex_b"):
        run = runs[label]
        config = run.config
        path = impl.trajectory_from_uniforms(run.net, config, run.theta0, run.data, run.reference["uniforms"])
        e, t = path["error"].astype(np.float64), path["temperature"].astype(np.float64)
        de = np.concatenate([[0.0], np.diff(e)])  # de[n - 1] = dE(n - 1), de[0] = dE(0) = 0
        delta = float(np.float32(config.delta))
        t0 = float(np.float32(config.initial_temperature))
        if not config.anneal:
            np.testing.assert_allclose(t, t0, rtol=1e-7, err_msg=f"{label}: a fixed T moved")
            continue
        if config.variant == "alopex_b":
            previous = np.concatenate([[t0], t[:-1]])
            target = delta * np.abs(de[:-1])
            expected = config.forgetting * previous + (1 - config.forgetting) * target
            np.testing.assert_allclose(t, expected, rtol=1e-5, err_msg=f"{label}: T(n) != f T(n-1) + (1-f) delta |dE|")
            toward = (t - previous) * (target - previous)
            require(bool(np.all(toward >= -1e-12 * previous**2)), f"{label}: T moved away from delta |dE(n-1)|")
            require(bool(np.all(np.abs(t - target) <= np.abs(previous - target) * (1 + 1e-5))), f"{label}: T overshot")
            continue
        m = config.cycle
        scale = delta if config.temperature_rule == "delta_scaled" else 1.0
        np.testing.assert_allclose(t[:m], t0, rtol=1e-7, err_msg=f"{label}: T of the first cycle")
        kept = 0
        for k in range(1, len(t) // m):
            cycle_t = t[k * m : (k + 1) * m]
            np.testing.assert_array_equal(cycle_t, cycle_t[0], err_msg=f"{label}: T changed inside cycle {k}")
            mean = scale * delta * float(np.mean(np.abs(de[(k - 1) * m : k * m])))
            if mean == 0:
                kept += 1
                require(cycle_t[0] == t[k * m - 1], f"{label}: a cycle without error change changed T")
            else:
                np.testing.assert_allclose(cycle_t[0], mean, rtol=1e-5, err_msg=f"{label}: T of cycle {k}")
        if label == "parity3-heaviside":
            require(kept > 0, f"{label}: the fixture has no cycle without error change (nothing checked)")


def _xor_batch(count: int, seed: int, scale: float = 1.0) -> np.ndarray:
    return init_params(NetSpec("mlp", (2, 2, 1)), np.random.default_rng(seed), count, scale)


TRAIN_SEEDS = 16
"""Seeds per ``train`` call in the checks (one shape: one compilation where the framework compiles)."""


def check_step_direction(impl: ModuleType) -> None:
    """With the native generator: the fraction of steps against the correlation matches
    ``mean sigma(|C| / T)`` (> 1/2: a weight whose rise raised the error steps down more often than up).

    Fixed T (2e-5) on XOR, 200 iterations of 16 seeds recorded every iteration: at each row every weight has
    the same |C| = mean_abs_correlation, so the expected downhill fraction is sigma(|C| / T). About 25,000
    decisions: binomial standard error ~0.003; we allow 5 of them.
    """
    net, data = NetSpec("mlp", (2, 2, 1)), xor_data()
    config = AlopexConfig(delta=0.02, initial_temperature=2e-5, anneal=False)
    theta0 = _xor_batch(TRAIN_SEEDS, 11)
    result = impl.train(net, config, theta0, data, 5, 200, 1, stop_at_success=False)
    c, t, down = (result.trace[k][1:] for k in ("mean_abs_correlation", "temperature", "downhill_fraction"))
    used = c > 0
    require(bool(np.all(np.isnan(down[~used]))), "downhill_fraction is not NaN where every C_k = 0")
    p = _sigmoid(c[used] / t[used])
    decisions = p.size * net.num_params
    observed, expected = float(np.mean(down[used])), float(np.mean(p))
    stderr = float(np.sqrt(np.sum(p * (1 - p)) * net.num_params) / decisions)
    require(abs(observed - expected) < 5 * stderr, f"downhill fraction {observed:.4f}, expected {expected:.4f}")
    require(observed > 0.5 + 5 * stderr, f"downhill fraction {observed:.4f} not above 1/2 (expected {expected:.4f})")


def check_train_results(impl: ModuleType) -> None:
    """Shapes and dtypes; record_steps; row 0; same seed identical, another seed different; a seed solved at
    theta0 has first_success 0 and never moves; first success is the same with and without stopping (a seed
    draws the same uniforms either way) and a stopped seed's theta meets the criterion; the loop ends once
    every seed has succeeded. Starts: 2 solved, 4 near a solution (0.45 times one), 10 uniform in (-1, 1)
    (which need hundreds of iterations: the 150-iteration run cannot stop early)."""
    net, data = NetSpec("mlp", (2, 2, 1)), xor_data()
    config = AlopexConfig(delta=0.05, cycle=10, initial_temperature=1.0)
    theta0 = _xor_batch(TRAIN_SEEDS, 12)
    theta0[:2] = XOR_SOLUTION  # solved at theta0
    theta0[2:6] = 0.45 * XOR_SOLUTION  # near a solution: solved within a few dozen iterations
    first = impl.train(net, config, theta0, data, 3, 150, 20)
    again = impl.train(net, config, theta0, data, 3, 150, 20)
    other = impl.train(net, config, theta0, data, 4, 150, 20)
    free = impl.train(net, config, theta0, data, 3, 150, 20, stop_at_success=False)
    require(isinstance(first, TrainResult), f"train returned {type(first)}")
    require(first.first_success.dtype == np.int64 and first.first_success.shape == (TRAIN_SEEDS,), "first_success")
    require(first.theta.dtype == np.float32 and first.theta.shape == theta0.shape, "theta dtype/shape")
    require(first.iterations_run == 150, f"iterations_run {first.iterations_run} (not every seed can succeed)")
    np.testing.assert_array_equal(first.record_steps, np.arange(0, 141, 20, dtype=np.int64))
    require(first.record_steps.dtype == np.int64, "record_steps dtype")
    require(tuple(first.trace) == TRACE_MEASURES, f"trace measures {tuple(first.trace)}")
    for name, values in first.trace.items():
        require(values.dtype == np.float64 and values.shape == (8, TRAIN_SEEDS), f"trace {name} {values.shape}")
    for name in STEP_MEASURES:
        require(bool(np.all(np.isnan(first.trace[name][0]))), f"row 0 of {name} is not NaN")
    errors0 = np.array([error_numpy(net, forward_numpy(net, row, data.inputs), data) for row in theta0])
    np.testing.assert_allclose(first.trace["error"][0], errors0, rtol=1e-5, atol=1e-6)
    for name, values in first.trace.items():
        np.testing.assert_array_equal(values, again.trace[name], err_msg=f"same seed, trace {name}")
    np.testing.assert_array_equal(first.theta, again.theta, err_msg="same seed, different theta")
    require(bool(np.all(np.any(first.theta[2:] != other.theta[2:], axis=1))), "another seed gave the same theta")
    # solved at theta0: never moves, step measures NaN after row 0, error constant
    np.testing.assert_array_equal(first.first_success[:2], 0)
    np.testing.assert_array_equal(first.theta[:2], theta0[:2])
    require(bool(np.all(np.isnan(first.trace["downhill_fraction"][1:, :2]))), "frozen seed has step measures")
    np.testing.assert_array_equal(first.trace["error"][:, :2], np.broadcast_to(first.trace["error"][0, :2], (8, 2)))
    # stopping does not change when a seed first succeeds; a stopped seed sits on a solution
    np.testing.assert_array_equal(first.first_success, free.first_success)
    require(bool(np.any(first.first_success > 0)), "no seed succeeded during the run: nothing checked")
    require(bool(np.any(free.theta[:2] != theta0[:2])), "without stop_at_success a solved seed still moves")
    for s in np.flatnonzero(first.first_success >= 0):
        outputs = forward_numpy(net, first.theta[s], data.inputs)
        require(max_deviation_numpy(outputs, data) < data.margin, f"seed {s} stopped off a solution")
    # every seed solved: the loop stops at the end of the chunk where the last one succeeded
    near = np.repeat(XOR_SOLUTION[None] * 0.45, TRAIN_SEEDS, axis=0)
    done = impl.train(net, config, near, data, 3, 5000, 25)
    require(
        bool(np.all(done.first_success > 0)), f"from near a solution not every seed succeeded: {done.first_success}"
    )
    last = int(done.first_success.max())
    require(done.iterations_run == -(-last // 25) * 25, f"ran {done.iterations_run} after the last success at {last}")
    solved0 = impl.train(net, config, np.repeat(XOR_SOLUTION[None], TRAIN_SEEDS, axis=0), data, 3, 100, 10)
    require(solved0.iterations_run == 0 and solved0.record_steps.tolist() == [0], "all solved at theta0 still ran")
    short = impl.train(net, config, theta0, data, 3, 10, 4, stop_at_success=False)
    require(short.iterations_run == 10 and short.record_steps.tolist() == [0, 4, 8], "record_steps of a short run")


def check_per_run_step_sizes(impl: ModuleType) -> None:
    """``step_sizes`` equal to ``config.delta`` everywhere changes nothing; per-run deltas are each run's own:
    every variant's trajectory of a run depends on its delta only (a run whose delta is the config's follows
    the same path as without ``step_sizes``, since each run draws its own uniforms); bad values are refused."""
    net, data = NetSpec("mlp", (2, 2, 1)), xor_data()
    theta0 = _xor_batch(6, 21)
    for config in (
        AlopexConfig(delta=0.05, cycle=5, initial_temperature=1.0),
        AlopexConfig(variant="alopex_b", delta=0.05, initial_temperature=1.0),
        AlopexConfig(delta=0.05, cycle=5, initial_temperature=1.0, temperature_rule="delta_scaled"),
    ):
        plain = impl.train(net, config, theta0, data, 5, 60, 20, stop_at_success=False)
        same = impl.train(net, config, theta0, data, 5, 60, 20, False, np.full(6, config.delta))
        np.testing.assert_array_equal(plain.theta, same.theta, err_msg=f"{config}: explicit equal step sizes")
        mixed = np.array([config.delta, 0.01] * 3)
        both = impl.train(net, config, theta0, data, 5, 60, 20, False, mixed)
        np.testing.assert_array_equal(both.theta[0::2], plain.theta[0::2], err_msg=f"{config}: runs at delta")
        moved = np.abs(both.theta[1::2] - theta0[1::2])
        require(bool(np.all(moved <= 60 * 0.01 + 1e-5)), f"{config}: a run at 0.01 moved further than 60 steps")
    for bad in (np.full(5, 0.05), np.array([0.05] * 5 + [0.0]), np.array([0.05] * 5 + [np.nan])):
        try:
            impl.train(net, AlopexConfig(), theta0, data, 5, 10, 5, True, bad)
        except ValueError:
            continue
        raise AssertionError(f"step_sizes {bad} accepted")


SOLVING_CONFIG = AlopexConfig(delta=0.02, cycle=20, initial_temperature=1000.0)
"""Alopex-94 settings that solve XOR 2-2-1 (squared error, margin 0.4, weights uniform in (-1, 1)): the
paper's M = 20 and T0 = 1000 with delta = 0.02. On 64 such starts about 78% succeed within 2000 iterations
and no more by 8000 (the rest sit in XOR's local minima); delta = 0.01 and 0.005 reach the same plateau
after about 4000 and 8000 iterations."""


def check_solves_xor(impl: ModuleType) -> None:
    """Alopex-94 (:data:`SOLVING_CONFIG`) solves most (>= 9) of 16 XOR 2-2-1 starts within 3000 iterations."""
    net, data = NetSpec("mlp", (2, 2, 1)), xor_data()
    result = impl.train(net, SOLVING_CONFIG, _xor_batch(TRAIN_SEEDS, 13), data, 6, 3000, 500)
    solved = int(np.sum(result.first_success >= 0))
    require(solved >= 9, f"Alopex-94 solved XOR on {solved}/16 starts: {result.first_success}")


def check_step_functions(impl: ModuleType) -> None:
    """Both kinds are present, callable repeatedly, and return None."""
    steps = impl.step_functions(NetSpec("mlp", (2, 2, 1)), AlopexConfig(delta=0.02), xor_data(), TRAIN_SEEDS, 0, 5)
    require(tuple(steps) == STEP_KINDS, f"kinds {tuple(steps)} != {STEP_KINDS}")
    for kind, run in steps.items():
        for _ in range(2):
            require(run() is None, f"{kind} returned a value")


def check_rejects_bad_input(impl: ModuleType) -> None:
    """Wrong shapes and budgets are ValueErrors naming the valid values."""
    net, data = NetSpec("mlp", (2, 2, 1)), xor_data()
    theta0, config = _xor_batch(2, 0), AlopexConfig()
    for call in (
        lambda: impl.train(net, config, theta0[:, :5], data, 0, 10, 5),
        lambda: impl.train(net, config, theta0, data, 0, 10, 0),
        lambda: impl.train(net, config, theta0, data, 0, -1, 5),
        lambda: impl.trajectory_from_uniforms(net, config, theta0[0], data, np.zeros((3, 4), np.float32)),
    ):
        try:
            call()
        except ValueError as err:
            require("valid" in str(err), f"message names no valid value: {err}")
        else:
            raise AssertionError("bad input accepted")


# ---------------------------------------------------------------------------------------------------------
# parity


def check_trajectories_agree(impls: dict[str, ModuleType]) -> None:
    """Same theta0 and (tie-free, see :func:`check_trajectories_match_reference`) uniforms: every framework
    takes the same steps, so theta agrees exactly for 200 steps on XOR (Alopex-94 with T refreshed every 5
    iterations, Alopex-B, delta-scaled, fixed T), 40 on a Heaviside net and 12 on an Elman net; E and T agree
    within twice their reference tolerances."""
    for run in reference_runs():
        paths = {
            name: impl.trajectory_from_uniforms(run.net, run.config, run.theta0, run.data, run.reference["uniforms"])
            for name, impl in impls.items()
        }
        tol = output_tolerance(run.net, run.data.inputs, float(np.abs(run.reference["theta"]).max()))
        error_tol = max(error_tolerance(run.net, out, run.data, tol) for out in run.reference["outputs"])
        first, *others = paths
        for other in others:
            a, b = paths[first], paths[other]
            np.testing.assert_array_equal(a["theta"], b["theta"], err_msg=f"{run.label}: {first} vs {other}")
            np.testing.assert_allclose(a["error"], b["error"], rtol=0, atol=2 * error_tol, err_msg=run.label)
            t_tol = 2 * temperature_tolerance(run, error_tol)
            np.testing.assert_allclose(a["temperature"], b["temperature"], rtol=2e-5, atol=t_tol, err_msg=run.label)


SINGLE_CHECKS = (
    check_per_run_step_sizes,
    check_trajectories_match_reference,
    check_temperature_schedule,
    check_step_direction,
    check_train_results,
    check_solves_xor,
    check_step_functions,
    check_rejects_bad_input,
)
PARITY_CHECKS = (check_trajectories_agree,)
