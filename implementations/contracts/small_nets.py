"""Contract of the small nets: ``implementations/<framework>/small_nets.py`` (a model, not a method).

The nets, error measures and success criterion of Unnikrishnan & Venugopal 1994, "Alopex: a correlation-based
learning algorithm for feedforward and recurrent neural networks", Neural Computation 6(3):469-490: small
feed-forward nets (XOR 2-2-1, parity, encoders, symmetry, MONK's problems) and an Elman (1990) recurrent net
(temporal XOR), trained by :mod:`.alopex` and by the backprop baseline :mod:`.full_batch_gd`.

- **mlp** (``layers = (inputs, hidden..., outputs)``): each layer computes ``act(x @ W_l + b_l)``, the hidden
  activation on every layer but the last, the output activation on the last.
- **elman** (``layers = (inputs, hidden, outputs)``), one sequence of length L at a time, the context (hidden
  state) zero at each sequence start: ``h_t = act_hidden(x_t @ W_in + h_{t-1} @ W_rec + b_h)``, ``h_{-1} = 0``;
  ``y_t = act_out(h_t @ W_out + b_out)``.
- Activations: ``sigmoid`` ``1 / (1 + exp(-z))``; ``tanh``; ``heaviside`` ``1 if z > 0 else 0`` (the paper's
  discontinuous units; its derivative is zero everywhere it exists).
- Error E, a SUM over the counted patterns (and time steps) and all outputs, never a mean:
  ``squared``: ``E = 1/2 sum (y - t)^2``; ``cross_entropy`` (the paper's information-theoretic measure):
  ``E = -sum [t log y + (1 - t) log(1 - y)]`` with y clipped to ``[CLIP, 1 - CLIP]``, ``CLIP = 1e-7``. Targets
  are 0 or 1, so a term is ``-log max(1 - |y - t|, CLIP)`` up to the clip's ``CLIP`` of slack at ``y > 1 - CLIP``;
  implementations compute it as ``-log max(y, CLIP)`` (``t = 1``) / ``-log max(1 - y, CLIP)`` (``t = 0``), which
  avoids float32's rounding of ``1 - CLIP``.
- Success criterion: every counted output within ``margin`` of its target, ``max |y - t| < margin``.

Flat parameter layout (float32 vector theta of length :attr:`NetSpec.num_params`, see :func:`param_slices`):
mlp: for each layer l, ``W_l`` [in_l, out_l] row-major, then ``b_l`` [out_l]; elman: ``W_in`` [in, h],
``W_rec`` [h, h], ``b_h`` [h], ``W_out`` [h, out], ``b_out`` [out].

The NumPy functions here (:func:`forward_numpy`, :func:`error_numpy`, :func:`solved_numpy`) are the float64
reference the checks compare every framework with; :class:`TrainResult` is the result type of both training
methods.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import NamedTuple, Protocol

import numpy as np

from implementations.contracts._common import EPS32, require

ROLE = "model"

KINDS: tuple[str, ...] = ("mlp", "elman")
HIDDEN_ACTIVATIONS: tuple[str, ...] = ("sigmoid", "tanh", "heaviside")
OUTPUT_ACTIVATIONS: tuple[str, ...] = ("sigmoid", "heaviside")
ERRORS: tuple[str, ...] = ("squared", "cross_entropy")
CLIP = 1e-7
"""Cross-entropy clips y to [CLIP, 1 - CLIP]."""


def _choice(name: str, value: object, valid: tuple[str, ...]) -> None:
    if value not in valid:
        raise ValueError(f"{name}={value!r}; valid: {', '.join(valid)}")


@dataclass(frozen=True)
class NetSpec:
    """A small net: its kind, layer widths, activations and error measure (hashable: a cache key)."""

    kind: str
    layers: tuple[int, ...]
    hidden: str = "sigmoid"
    output: str = "sigmoid"
    error: str = "squared"

    def __post_init__(self) -> None:
        _choice("kind", self.kind, KINDS)
        _choice("hidden", self.hidden, HIDDEN_ACTIVATIONS)
        _choice("output", self.output, OUTPUT_ACTIVATIONS)
        _choice("error", self.error, ERRORS)
        layers = tuple(self.layers)
        if not all(isinstance(w, int | np.integer) and not isinstance(w, bool) and w >= 1 for w in layers):
            raise ValueError(f"layers={self.layers!r}; valid: a tuple of ints >= 1")
        if self.kind == "mlp" and len(layers) < 2:
            raise ValueError(
                f"layers={self.layers!r}; valid for kind 'mlp': (inputs, hidden..., outputs), >= 2 entries"
            )
        if self.kind == "elman" and len(layers) != 3:
            raise ValueError(f"layers={self.layers!r}; valid for kind 'elman': exactly (inputs, hidden, outputs)")
        object.__setattr__(self, "layers", tuple(int(w) for w in layers))

    @property
    def inputs(self) -> int:
        """Input width."""
        return self.layers[0]

    @property
    def outputs(self) -> int:
        """Output width."""
        return self.layers[-1]

    @property
    def num_params(self) -> int:
        """Length N of the flat parameter vector."""
        return param_slices(self)[-1][2]


def param_slices(net: NetSpec) -> list[tuple[str, int, int, tuple[int, ...]]]:
    """(name, start, stop, shape) of every parameter array inside theta, in layout order."""
    if net.kind == "mlp":
        shapes: list[tuple[str, tuple[int, ...]]] = []
        for index, (fan_in, fan_out) in enumerate(zip(net.layers[:-1], net.layers[1:], strict=True)):
            shapes += [(f"W_{index + 1}", (fan_in, fan_out)), (f"b_{index + 1}", (fan_out,))]
    else:
        i, h, o = net.layers
        shapes = [("W_in", (i, h)), ("W_rec", (h, h)), ("b_h", (h,)), ("W_out", (h, o)), ("b_out", (o,))]
    out, offset = [], 0
    for name, shape in shapes:
        size = int(np.prod(shape))
        out.append((name, offset, offset + size, shape))
        offset += size
    return out


@dataclass(frozen=True, eq=False)
class TrainingData:
    """Inputs, 0/1 targets, which targets count, and the success margin.

    mlp: inputs [P, in], targets [P, out]; elman: inputs [B, L, in], targets [B, L, out] (B sequences of length
    L). ``mask`` (bool, ``targets.shape[:-1]``) selects the patterns / time steps that count in the error AND
    the criterion (None: all). Arrays are stored as float32 (mask: bool); compared by identity.
    """

    inputs: np.ndarray
    targets: np.ndarray
    mask: np.ndarray | None = None
    margin: float = 0.4

    def __post_init__(self) -> None:
        inputs = np.asarray(self.inputs, dtype=np.float32)
        targets = np.asarray(self.targets, dtype=np.float32)
        if inputs.ndim not in (2, 3):
            raise ValueError(f"inputs shape {inputs.shape}; valid: [P, in] (mlp) or [B, L, in] (elman)")
        if targets.ndim != inputs.ndim or targets.shape[:-1] != inputs.shape[:-1]:
            raise ValueError(f"targets shape {targets.shape}; valid: {inputs.shape[:-1]} + (outputs,)")
        if not np.all((targets == 0) | (targets == 1)):
            raise ValueError("targets: valid values are 0 and 1")
        if not np.all(np.isfinite(inputs)):
            raise ValueError("inputs: valid values are finite")
        mask = None
        if self.mask is not None:
            mask = np.asarray(self.mask)
            if mask.dtype != np.bool_ or mask.shape != targets.shape[:-1]:
                raise ValueError(f"mask {mask.dtype} {mask.shape}; valid: None or bool of shape {targets.shape[:-1]}")
            if not mask.any():
                raise ValueError("mask: valid masks count at least one pattern")
        if not (isinstance(self.margin, float | int) and 0 < float(self.margin)):
            raise ValueError(f"margin={self.margin!r}; valid: a float > 0")
        object.__setattr__(self, "inputs", inputs)
        object.__setattr__(self, "targets", targets)
        object.__setattr__(self, "mask", mask)
        object.__setattr__(self, "margin", float(self.margin))

    def counted(self) -> np.ndarray:
        """bool, targets.shape[:-1]: the patterns (time steps) that count."""
        return np.ones(self.targets.shape[:-1], bool) if self.mask is None else self.mask


def check_data(net: NetSpec, data: TrainingData) -> None:
    """Raise ValueError unless ``data`` fits ``net`` (rank by kind, input and output widths)."""
    rank = 2 if net.kind == "mlp" else 3
    if data.inputs.ndim != rank:
        raise ValueError(f"inputs shape {data.inputs.shape}; valid for kind {net.kind!r}: rank {rank}")
    if data.inputs.shape[-1] != net.inputs or data.targets.shape[-1] != net.outputs:
        raise ValueError(
            f"inputs/targets widths {data.inputs.shape[-1]}/{data.targets.shape[-1]}; valid for {net.layers}: "
            f"{net.inputs}/{net.outputs}"
        )


def check_inputs(net: NetSpec, inputs: np.ndarray) -> None:
    """Raise ValueError unless ``inputs`` fit ``net`` (rank by kind, input width)."""
    rank = 2 if net.kind == "mlp" else 3
    if np.ndim(inputs) != rank or np.shape(inputs)[-1] != net.inputs:
        raise ValueError(
            f"inputs shape {np.shape(inputs)}; valid for {net.kind} {net.layers}: rank {rank}, width {net.inputs}"
        )


def check_theta(net: NetSpec, theta: np.ndarray, batched: bool = True) -> None:
    """Raise ValueError unless ``theta`` is [S, N] (``batched``) or [N] with N = net.num_params."""
    shape = np.shape(theta)
    ok = (len(shape) == 2 and shape[1] == net.num_params) if batched else shape == (net.num_params,)
    if not ok:
        want = "[S, N]" if batched else "[N]"
        raise ValueError(f"theta shape {shape}; valid: {want} with N = {net.num_params}")


class TrainResult(NamedTuple):
    """What ``train`` returns (:mod:`.alopex` and :mod:`.full_batch_gd`), for S seeds and R trace rows."""

    first_success: np.ndarray
    """int64 [S]: the iteration n at which the criterion first held (0: at theta0), -1 if never in the budget."""
    theta: np.ndarray
    """float32 [S, N] at the end; with stop_at_success a seed's theta is frozen from its first success on."""
    record_steps: np.ndarray
    """int64 [R]: iteration numbers of the trace rows, 0, record_every, 2 record_every, ... <= iterations_run."""
    trace: dict[str, np.ndarray]
    """measure -> float64 [R, S]."""
    iterations_run: int
    """Iterations actually run (stops early once every seed has succeeded, with stop_at_success)."""


def _is_int(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | np.integer)


def check_budget(max_iterations: int, record_every: int) -> None:
    """Raise ValueError unless max_iterations is an int >= 0 and record_every an int >= 1."""
    if not _is_int(max_iterations) or max_iterations < 0:
        raise ValueError(f"max_iterations={max_iterations!r}; valid: an int >= 0")
    if not _is_int(record_every) or record_every < 1:
        raise ValueError(f"record_every={record_every!r}; valid: an int >= 1")


def run_step_sizes(step_sizes: np.ndarray | None, default: float, runs: int) -> np.ndarray:
    """float32 [runs]: each run's step size (Alopex's delta, GD's learning rate), ``default`` for every run
    when ``step_sizes`` is None. Per-run step sizes let a step-size sweep run as one batch. ValueError unless
    ``step_sizes`` has one finite value > 0 per run."""
    if step_sizes is None:
        return np.full(runs, default, np.float32)
    sizes = np.asarray(step_sizes, np.float64)
    if sizes.shape != (runs,) or not np.all(np.isfinite(sizes)) or not np.all(sizes > 0):
        raise ValueError(f"step_sizes: shape {sizes.shape}; valid: {runs} finite values > 0, one per run")
    return sizes.astype(np.float32)


def drive_training(
    run_chunk: Callable[[int], tuple[np.ndarray, dict[str, np.ndarray]]],
    start: tuple[np.ndarray, dict[str, np.ndarray]],
    final_theta: Callable[[], np.ndarray],
    max_iterations: int,
    record_every: int,
    stop_at_success: bool,
    step_measures: tuple[str, ...],
) -> TrainResult:
    """The host side of every framework's ``train`` (one definition, so record rows, early stopping and
    masking mean the same everywhere).

    ``start`` is (first_success [S], trace row at theta0); ``run_chunk(count)`` runs ``count`` more iterations
    on the device and returns (first_success [S], the trace row after its last iteration). Chunks hold
    ``record_every`` iterations (the last one fewer when ``max_iterations`` is not a multiple); a row is kept
    when the iteration number is a multiple of ``record_every``. With ``stop_at_success`` the loop ends after
    the first chunk at whose end every seed has succeeded, and the ``step_measures`` (those describing a step,
    which a frozen seed no longer takes) are NaN in the rows after a seed's first success.
    """
    check_budget(max_iterations, record_every)
    first, row = start
    rows, steps, done = [row], [0], 0
    while done < max_iterations and not (stop_at_success and bool(np.all(first >= 0))):
        count = min(int(record_every), int(max_iterations) - done)
        first, row = run_chunk(count)
        done += count
        if done % record_every == 0:
            rows.append(row)
            steps.append(done)
    record_steps = np.asarray(steps, np.int64)
    trace = {name: np.stack([r[name] for r in rows]).astype(np.float64) for name in rows[0]}
    first = np.asarray(first).astype(np.int64)
    if stop_at_success:
        frozen = (first[None, :] >= 0) & (record_steps[:, None] > first[None, :])
        for name in step_measures:
            trace[name] = np.where(frozen, np.nan, trace[name])
    return TrainResult(first, final_theta(), record_steps, trace, done)


def init_params(net: NetSpec, rng: np.random.Generator, count: int, scale: float) -> np.ndarray:
    """float32 [count, N], every entry uniform in (-scale, scale)."""
    return rng.uniform(-scale, scale, (count, net.num_params)).astype(np.float32)


# ---------------------------------------------------------------------------------------------------------
# float64 NumPy reference


def unflatten_numpy(net: NetSpec, theta: np.ndarray) -> dict[str, np.ndarray]:
    """The parameter arrays of a flat theta [N] (float64)."""
    theta = np.asarray(theta, np.float64)
    return {name: theta[a:b].reshape(shape) for name, a, b, shape in param_slices(net)}


def activation_numpy(name: str, z: np.ndarray) -> np.ndarray:
    """sigmoid, tanh or heaviside (1 where z > 0, else 0) in float64."""
    if name == "sigmoid":
        return 0.5 * (1.0 + np.tanh(0.5 * z))  # = 1 / (1 + exp(-z)), without overflow
    if name == "tanh":
        return np.tanh(z)
    return (z > 0).astype(np.float64)


def forward_numpy(net: NetSpec, theta: np.ndarray, inputs: np.ndarray) -> np.ndarray:
    """float64 outputs of one parameter vector theta [N]: [P, out] (mlp) or [B, L, out] (elman)."""
    p = unflatten_numpy(net, theta)
    x = np.asarray(inputs, np.float64)
    if net.kind == "mlp":
        depth = len(net.layers) - 1
        for index in range(depth):
            z = x @ p[f"W_{index + 1}"] + p[f"b_{index + 1}"]
            x = activation_numpy(net.output if index == depth - 1 else net.hidden, z)
        return x
    h = np.zeros((x.shape[0], net.layers[1]))
    outputs = []
    for t in range(x.shape[1]):
        h = activation_numpy(net.hidden, x[:, t] @ p["W_in"] + h @ p["W_rec"] + p["b_h"])
        outputs.append(activation_numpy(net.output, h @ p["W_out"] + p["b_out"]))
    return np.stack(outputs, axis=1)


def error_terms_numpy(net: NetSpec, outputs: np.ndarray, data: TrainingData) -> np.ndarray:
    """float64 per-output error terms (targets' shape), zero where the mask does not count."""
    y = np.asarray(outputs, np.float64)
    t = data.targets.astype(np.float64)
    if net.error == "squared":
        terms = 0.5 * (y - t) ** 2
    else:
        terms = -(t * np.log(np.clip(y, CLIP, 1 - CLIP)) + (1 - t) * np.log(np.clip(1 - y, CLIP, 1 - CLIP)))
    return terms * data.counted()[..., None]


def error_numpy(net: NetSpec, outputs: np.ndarray, data: TrainingData) -> float:
    """E of one parameter vector's outputs (float64): the sum of the counted error terms."""
    return float(error_terms_numpy(net, outputs, data).sum())


def max_deviation_numpy(outputs: np.ndarray, data: TrainingData) -> float:
    """max |y - t| over the counted outputs."""
    deviation = np.abs(np.asarray(outputs, np.float64) - data.targets)
    return float(deviation[data.counted()].max())


def solved_numpy(outputs: np.ndarray, data: TrainingData) -> bool:
    """The success criterion: every counted output within ``data.margin`` of its target."""
    return max_deviation_numpy(outputs, data) < data.margin


# ---------------------------------------------------------------------------------------------------------
# Protocol


class SmallNets(Protocol):
    """The NumPy-facing functions of ``implementations/<framework>/small_nets.py``."""

    def predict(self, net: NetSpec, theta: np.ndarray, inputs: np.ndarray) -> np.ndarray:
        """float32 outputs [S, *targets_shape] of theta [S, N] on ``inputs`` ([P, in] mlp, [B, L, in] elman)."""
        ...

    def errors(self, net: NetSpec, theta: np.ndarray, data: TrainingData) -> np.ndarray:
        """float64 [S]: E of every row of theta [S, N] on ``data``."""
        ...


PROTOCOL = SmallNets


# ---------------------------------------------------------------------------------------------------------
# reference problems and tolerances (shared with the method contracts)


def xor_data(margin: float = 0.4) -> TrainingData:
    """XOR's four patterns (the paper's first problem, net 2-2-1)."""
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
    return TrainingData(x, np.array([[0], [1], [1], [0]], np.float32), margin=margin)


def sequence_data(rng: np.random.Generator, sequences: int = 3, length: int = 5, inputs: int = 1) -> TrainingData:
    """Random 0/1 sequences predicting the XOR of the two previous inputs (first input), only from t = 2 on
    counted: an Elman-net problem with a mask."""
    x = rng.integers(0, 2, (sequences, length, inputs)).astype(np.float32)
    y = np.zeros((sequences, length, 1), np.float32)
    y[:, 2:, 0] = np.logical_xor(x[:, 1:-1, 0] > 0, x[:, :-2, 0] > 0)
    mask = np.zeros((sequences, length), bool)
    mask[:, 2:] = True
    return TrainingData(x, y, mask=mask)


def reference_nets() -> list[tuple[str, NetSpec, TrainingData]]:
    """(label, net, data): every kind, hidden and output activation, error measure and a mask at least once."""
    rng = np.random.default_rng(1994)
    xor = xor_data()
    parity = np.array([[a, b, c] for a in (0, 1) for b in (0, 1) for c in (0, 1)], np.float32)
    parity_data = TrainingData(parity, (parity.sum(1, keepdims=True) % 2).astype(np.float32))
    encoder = TrainingData(np.eye(4, dtype=np.float32), np.eye(4, dtype=np.float32), mask=np.array([1, 1, 0, 1], bool))
    seq = sequence_data(rng)
    return [
        ("xor-sigmoid-squared", NetSpec("mlp", (2, 2, 1)), xor),
        (
            "parity3-heaviside-cross_entropy",
            NetSpec("mlp", (3, 3, 1), "heaviside", "heaviside", "cross_entropy"),
            parity_data,
        ),
        ("encoder-4-3-2-4-tanh-masked", NetSpec("mlp", (4, 3, 2, 4), "tanh"), encoder),
        ("elman-1-3-1-tanh-cross_entropy", NetSpec("elman", (1, 3, 1), "tanh", "sigmoid", "cross_entropy"), seq),
        ("elman-1-2-1-heaviside", NetSpec("elman", (1, 2, 1), "heaviside", "sigmoid"), seq),
    ]


LIPSCHITZ: dict[str, float] = {"sigmoid": 0.25, "tanh": 1.0, "heaviside": 0.0}
"""Largest slope of each activation (heaviside: zero away from its jump)."""


def output_tolerance(net: NetSpec, inputs: np.ndarray, scale: float = 1.0) -> float:
    """Allowed |float32 output - float64 output| with weights in [-scale, scale] and inputs in [0, 1].

    A pre-activation sums F terms (F: fan-in with the bias) of magnitude <= scale, so float32 rounds it by
    about ``r = sqrt(F) eps F scale`` (rounding errors accumulate like a random walk). An error in a hidden
    unit reaches the next pre-activation through the activation's slope (:data:`LIPSCHITZ`) and a sum of
    ``width`` random-sign weights, a gain of about ``g = slope sqrt(width) scale``. Over D sequential layers
    (for the Elman net, one per time step plus the output layer) that gives ``r (1 + g + ... + g^(D-1))``; we
    allow 20 times it (as :func:`~implementations.contracts._common.directional_tolerance` does). A wrong
    layout, activation or time alignment moves outputs by O(0.01) or more. Heaviside units could flip only
    where a pre-activation lies within ``r`` of 0, which the reference problems' random weights avoid.
    """
    if net.kind == "mlp":
        depth, fan_in, width = len(net.layers) - 1, max(net.layers[:-1]) + 1, max(net.layers[1:-1], default=1)
    else:
        i, h, _ = net.layers
        depth, fan_in, width = np.shape(inputs)[1] + 1, i + h + 1, h
    rounding = np.sqrt(fan_in) * EPS32 * fan_in * scale
    gain = LIPSCHITZ[net.hidden] * np.sqrt(width) * scale
    return float(20.0 * rounding * sum(gain**j for j in range(depth)))


def error_tolerance(net: NetSpec, reference_outputs: np.ndarray, data: TrainingData, output_tol: float) -> float:
    """Allowed |float32 E - float64 E|: each counted term moves by |dterm/dy| times the output tolerance
    (``|y - t|`` for the squared error, ``1 / max(1 - |y - t|, CLIP)`` for the cross-entropy, taken where the
    clip is inactive), plus the float32 rounding of the sum (``20 sqrt(count) eps |E|``)."""
    deviation = np.abs(np.asarray(reference_outputs, np.float64) - data.targets)
    counted = np.broadcast_to(data.counted()[..., None], deviation.shape)
    if net.error == "squared":
        slope = deviation
    else:
        inside = (1 - deviation) > CLIP
        slope = np.where(inside, 1.0 / np.maximum(1 - deviation, CLIP), 0.0)
    terms = error_terms_numpy(net, reference_outputs, data)
    return float((slope * counted).sum() * output_tol + 20 * np.sqrt(counted.sum()) * EPS32 * np.abs(terms).sum())


def _reference_cases() -> list[tuple[str, NetSpec, TrainingData, np.ndarray]]:
    rng = np.random.default_rng(469)
    return [(label, net, data, init_params(net, rng, 3, 1.0)) for label, net, data in reference_nets()]


def check_outputs_match_reference(impl: ModuleType) -> None:
    """predict and errors equal the float64 reference within :func:`output_tolerance` /
    :func:`error_tolerance`, for every kind, activation and error measure; shapes and dtypes as promised."""
    for label, net, data, theta in _reference_cases():
        outputs = impl.predict(net, theta, data.inputs)
        require(outputs.dtype == np.float32, f"{label}: predict dtype {outputs.dtype}")
        require(outputs.shape == (len(theta), *data.targets.shape), f"{label}: predict shape {outputs.shape}")
        errors = impl.errors(net, theta, data)
        require(errors.dtype == np.float64 and errors.shape == (len(theta),), f"{label}: errors {errors.dtype}")
        tol = output_tolerance(net, data.inputs)
        for s, row in enumerate(theta):
            reference = forward_numpy(net, row, data.inputs)
            np.testing.assert_allclose(outputs[s], reference, rtol=0, atol=tol, err_msg=f"{label} outputs seed {s}")
            expected = error_numpy(net, reference, data)
            etol = error_tolerance(net, reference, data, tol)
            np.testing.assert_allclose(errors[s], expected, rtol=0, atol=etol, err_msg=f"{label} error seed {s}")


def check_rejects_bad_shapes(impl: ModuleType) -> None:
    """theta of the wrong length and inputs of the wrong rank are ValueErrors naming the valid shape."""
    net, data = NetSpec("mlp", (2, 2, 1)), xor_data()
    for call in (
        lambda: impl.predict(net, np.zeros((2, 8), np.float32), data.inputs),
        lambda: impl.errors(net, np.zeros((2, 8), np.float32), data),
        lambda: impl.predict(net, np.zeros((2, 9), np.float32), data.inputs[None]),
        lambda: impl.errors(NetSpec("elman", (2, 2, 1)), np.zeros((2, 13), np.float32), data),
    ):
        try:
            call()
        except ValueError as err:
            require("valid" in str(err), f"error message names no valid shape: {err}")
        else:
            raise AssertionError("a bad shape was accepted")


def check_frameworks_agree(impls: dict[str, ModuleType]) -> None:
    """Every framework's outputs and errors agree on the reference problems (within twice the reference
    tolerance: each differs from the float64 reference by at most one tolerance)."""
    for label, net, data, theta in _reference_cases():
        outputs = {name: impl.predict(net, theta, data.inputs) for name, impl in impls.items()}
        errors = {name: impl.errors(net, theta, data) for name, impl in impls.items()}
        tol = output_tolerance(net, data.inputs)
        etol = max(error_tolerance(net, forward_numpy(net, row, data.inputs), data, tol) for row in theta)
        first, *others = impls
        for other in others:
            np.testing.assert_allclose(outputs[other], outputs[first], rtol=0, atol=2 * tol, err_msg=label)
            np.testing.assert_allclose(errors[other], errors[first], rtol=0, atol=2 * etol, err_msg=label)


SINGLE_CHECKS = (check_outputs_match_reference, check_rejects_bad_shapes)
PARITY_CHECKS = (check_frameworks_agree,)
