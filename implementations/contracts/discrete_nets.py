"""Contract of the discrete networks: ``implementations/<framework>/discrete_nets.py``.

Two extensions of the forward gradient of Baydin et al. 2022 (*Gradients without Backpropagation*, arXiv
2202.08587, Eq. 1: ``g = (grad f . v) v``), proposed in the notes this project started from and not stated in
the paper:

1. **Finite-difference forward gradient** ``g = ((f(theta + eps v) - f(theta)) / eps) v`` (or the central
   difference ``(f(theta + eps v) - f(theta - eps v)) / (2 eps)``): on a smooth loss it differs from the JVP
   forward gradient by O(eps) (O(eps^2) central), by Taylor's theorem; on a loss that is piecewise constant
   (a network of step units) it still sees a change where backprop and the JVP see an exactly zero
   derivative. For Gaussian v it is an unbiased estimate of the gradient of the Gaussian-smoothed loss
   ``E f(theta + eps v)`` (Stein's identity).
2. **Rademacher tangents for binary networks**: v uniform on {-1, +1}^n has E[v v^T] = I (so the forward
   gradient stays unbiased), and with a finite difference it can train a net whose weights are signs.

The directional derivatives (JVP and both finite differences) are NOT reimplemented here: every framework's
module calls its ``forward_gradient.derivatives`` (the same code the estimator study checks).

**Step net** (:class:`StepNet`, layers ``(inputs, hidden..., outputs)``): every layer computes
``act(x @ W_l + b_l)``; ``act`` is ``heaviside`` (1 if z > 0 else 0; written ``0 * z + (z > 0)`` so autodiff
sees its derivative, exactly zero) or ``sigmoid`` (the smooth twin, for the agreement of FD and JVP). Loss:
``f = mean over patterns of 1/2 sum_o (y_o - t_o)^2`` (for Heaviside outputs: half the fraction of wrong output
bits). Accuracy: the fraction of patterns whose every output is within 1/2 of its 0/1 target. Flat layout as
:func:`implementations.specs.mlp_param_slices` (W_1 [in, out] row-major, b_1, W_2, b_2, ...).

**Binary net** (:class:`BinaryNet`, layers ``(inputs, hidden, classes)``, no biases): effective weights
``A_l = sign(theta_l) / sqrt(fan_in_l)`` with sign(0) = +1, ``h = tanh(x @ A_1)``, logits ``h @ A_2``; loss the
mean softmax cross-entropy over the batch. The latent weights theta are real and kept in [-1, 1] (clipped after
every update). The straight-through-estimator (STE) baseline of BinaryConnect (Courbariaux, Bengio & David
2015, arXiv 1511.00363) takes d sign(theta)/d theta = 1: its gradient is the backprop gradient of the loss with
respect to the sign weights, times the 1/sqrt(fan_in) scale. The finite-difference forward gradient evaluates
the loss only at binary weights: ``f(sign(theta + eps v))``.

Training (both nets): ``theta <- theta - lr * (1/K) sum_k d_k v_k``, with d_k the directional derivative along
tangent v_k (``derivative``), K = ``num_tangents`` fresh tangents per step from the framework's generator; the
runs of one call are a batch dimension, each with its own lr (and, for the step net, its own eps). Backprop
baselines: full-batch gradient descent (step net; its gradient is exactly zero) and minibatch STE SGD (binary
net).

The float64 NumPy functions here are the references the checks compare every framework with.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import NamedTuple, Protocol

import numpy as np

from implementations.contracts._common import EPS32, require
from implementations.specs import ObjectiveSpec, mlp_num_params, mlp_param_slices

ROLE = "method"

ACTIVATIONS: tuple[str, ...] = ("heaviside", "sigmoid")
TRAINING_DERIVATIVES: tuple[str, ...] = ("fd_forward", "fd_central")
TANGENT_LAWS: tuple[str, ...] = ("gaussian", "rademacher")


def _choice(name: str, value: object, valid: tuple[str, ...]) -> None:
    if value not in valid:
        raise ValueError(f"{name}={value!r}; valid: {', '.join(valid)}")


def _widths(layers: tuple[int, ...], name: str, minimum: int) -> tuple[int, ...]:
    widths = tuple(layers)
    ok = len(widths) >= minimum and all(isinstance(w, int | np.integer) and not isinstance(w, bool) for w in widths)
    if not ok or min(widths) < 1:
        raise ValueError(f"{name} layers={layers!r}; valid: a tuple of >= {minimum} ints >= 1")
    return tuple(int(w) for w in widths)


@dataclass(frozen=True)
class StepNet:
    """A dense net of step (or sigmoid) units (hashable: a cache key)."""

    layers: tuple[int, ...]
    activation: str = "heaviside"

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", _widths(self.layers, "StepNet", 2))
        _choice("activation", self.activation, ACTIVATIONS)

    @property
    def num_params(self) -> int:
        """Length of the flat parameter vector."""
        return mlp_num_params(self.layers)


@dataclass(frozen=True)
class BinaryNet:
    """A two-layer net with sign weights and no biases (hashable: a cache key)."""

    layers: tuple[int, int, int]

    def __post_init__(self) -> None:
        layers = _widths(self.layers, "BinaryNet", 3)
        if len(layers) != 3:
            raise ValueError(f"BinaryNet layers={self.layers!r}; valid: exactly (inputs, hidden, classes)")
        object.__setattr__(self, "layers", layers)

    @property
    def num_params(self) -> int:
        """Length of the flat latent weight vector (W_1 then W_2, row-major)."""
        i, h, c = self.layers
        return i * h + h * c


@dataclass(frozen=True)
class FdTraining:
    """How the finite-difference forward gradient is formed at every training step."""

    distribution: str = "gaussian"
    num_tangents: int = 1
    derivative: str = "fd_forward"

    def __post_init__(self) -> None:
        _choice("distribution", self.distribution, TANGENT_LAWS)
        _choice("derivative", self.derivative, TRAINING_DERIVATIVES)
        if isinstance(self.num_tangents, bool) or not isinstance(self.num_tangents, int) or self.num_tangents < 1:
            raise ValueError(f"num_tangents={self.num_tangents!r}; valid: an int >= 1")


@dataclass(frozen=True, eq=False)
class Patterns:
    """Inputs [P, in] and 0/1 targets [P, out] of a step-net task (float32)."""

    inputs: np.ndarray
    targets: np.ndarray

    def __post_init__(self) -> None:
        inputs, targets = np.asarray(self.inputs, np.float32), np.asarray(self.targets, np.float32)
        if inputs.ndim != 2 or targets.ndim != 2 or len(inputs) != len(targets):
            raise ValueError(f"inputs {inputs.shape}, targets {targets.shape}; valid: [P, in] and [P, out]")
        object.__setattr__(self, "inputs", inputs)
        object.__setattr__(self, "targets", targets)


@dataclass(frozen=True, eq=False)
class Labeled:
    """Inputs [P, in] (float32) and class labels [P] (int64) of a binary-net task."""

    inputs: np.ndarray
    labels: np.ndarray

    def __post_init__(self) -> None:
        inputs, labels = np.asarray(self.inputs, np.float32), np.asarray(self.labels, np.int64)
        if inputs.ndim != 2 or labels.shape != (len(inputs),):
            raise ValueError(f"inputs {inputs.shape}, labels {labels.shape}; valid: [P, in] and [P]")
        object.__setattr__(self, "inputs", inputs)
        object.__setattr__(self, "labels", labels)


class StepTrace(NamedTuple):
    """What the step-net trainers return for S runs and R recorded steps."""

    record_steps: np.ndarray
    """int64 [R]: 0, record_every, 2 record_every, ..., steps."""
    loss: np.ndarray
    """float64 [R, S]."""
    accuracy: np.ndarray
    """float64 [R, S]."""
    grad_norm: np.ndarray
    """float64 [R, S]: ||backprop gradient|| at the recorded parameters (exactly 0 for a Heaviside net)."""
    jvp: np.ndarray
    """float64 [R, S]: |grad f . v| by forward mode along one fresh tangent (exactly 0 for a Heaviside net)."""
    theta: np.ndarray
    """float32 [S, N] at the end."""


class BinaryTrace(NamedTuple):
    """What the binary-net trainers return for S runs and R recorded steps."""

    record_steps: np.ndarray
    """int64 [R]."""
    train_loss: np.ndarray
    """float64 [R, S]: loss on the whole training set."""
    test_accuracy: np.ndarray
    """float64 [R, S]."""
    theta: np.ndarray
    """float32 [S, N] latent weights at the end."""


class DiscreteNets(Protocol):
    """The NumPy-facing functions of ``implementations/<framework>/discrete_nets.py``."""

    def step_loss(self, net: StepNet, data: Patterns, theta: np.ndarray) -> np.ndarray:
        """float64 [S]: the loss of every row of theta [S, N] (computed in float32)."""
        ...

    def step_accuracy(self, net: StepNet, data: Patterns, theta: np.ndarray) -> np.ndarray:
        """float64 [S]: the accuracy of every row of theta [S, N]."""
        ...

    def step_gradient(self, net: StepNet, data: Patterns, theta: np.ndarray) -> np.ndarray:
        """float32 [S, N]: the backprop gradient of every row of theta [S, N]."""
        ...

    def step_jvp(self, net: StepNet, data: Patterns, theta: np.ndarray, tangents: np.ndarray) -> np.ndarray:
        """float32 [K]: grad f . v by forward mode along each tangent row [K, N] at theta [N]."""
        ...

    def step_fd_sweep(
        self,
        net: StepNet,
        data: Patterns,
        theta: np.ndarray,
        tangents: np.ndarray,
        derivative: str,
        epsilons: np.ndarray,
    ) -> np.ndarray:
        """float32 [E, K]: the finite difference ``derivative`` along each tangent [K, N] at every eps [E]."""
        ...

    def objective_fd_sweep(
        self, spec: ObjectiveSpec, theta: np.ndarray, tangents: np.ndarray, derivative: str, epsilons: np.ndarray
    ) -> np.ndarray:
        """float32 [E, K]: the same for an objective of :mod:`implementations.specs` (e.g. Rosenbrock)."""
        ...

    def train_step_fd(
        self,
        net: StepNet,
        data: Patterns,
        theta0: np.ndarray,
        seed: int,
        training: FdTraining,
        epsilons: np.ndarray,
        lrs: np.ndarray,
        steps: int,
        record_every: int,
    ) -> StepTrace:
        """S runs of finite-difference forward-gradient descent from theta0 [S, N], eps and lr per run [S]."""
        ...

    def train_step_backprop(
        self, net: StepNet, data: Patterns, theta0: np.ndarray, lr: float, steps: int, record_every: int
    ) -> StepTrace:
        """S runs of full-batch gradient descent from theta0 [S, N] (``jvp`` is NaN)."""
        ...

    def binary_loss(self, net: BinaryNet, data: Labeled, theta: np.ndarray) -> np.ndarray:
        """float64 [S]: the mean cross-entropy of every row of the latent weights [S, N]."""
        ...

    def binary_accuracy(self, net: BinaryNet, data: Labeled, theta: np.ndarray) -> np.ndarray:
        """float64 [S]: the accuracy of every row of the latent weights [S, N]."""
        ...

    def binary_ste_gradient(self, net: BinaryNet, data: Labeled, theta: np.ndarray) -> np.ndarray:
        """float32 [N]: the straight-through gradient at the latent weights theta [N]."""
        ...

    def binary_fd_update(
        self, net: BinaryNet, data: Labeled, theta: np.ndarray, tangents: np.ndarray, epsilon: float, lr: float
    ) -> np.ndarray:
        """float32 [N]: one forward-difference update of theta [N] along the given tangents [K, N] (clipped)."""
        ...

    def train_binary_fd(
        self,
        net: BinaryNet,
        train: Labeled,
        test: Labeled,
        theta0: np.ndarray,
        batches: np.ndarray,
        seed: int,
        training: FdTraining,
        epsilon: float,
        lrs: np.ndarray,
        record_every: int,
    ) -> BinaryTrace:
        """S runs of minibatch forward-difference training; batches [S, steps, B] index ``train``."""
        ...

    def train_binary_ste(
        self,
        net: BinaryNet,
        train: Labeled,
        test: Labeled,
        theta0: np.ndarray,
        batches: np.ndarray,
        lrs: np.ndarray,
        record_every: int,
    ) -> BinaryTrace:
        """S runs of minibatch STE SGD; batches [S, steps, B] index ``train``."""
        ...


PROTOCOL = DiscreteNets


# ---------------------------------------------------------------------------------------------------------
# float64 NumPy references


def record_steps(steps: int, record_every: int) -> np.ndarray:
    """The recorded step numbers: multiples of ``record_every`` up to ``steps``, and ``steps`` itself."""
    if steps < 0 or record_every < 1:
        raise ValueError(f"steps={steps}, record_every={record_every}; valid: steps >= 0, record_every >= 1")
    marks = list(range(0, steps + 1, record_every))
    return np.asarray(marks if marks[-1] == steps else [*marks, steps], np.int64)


def probe_tangents(seed: int, shape: tuple[int, int], records: int) -> np.ndarray:
    """float32 [records, 1, S, N]: the Gaussian tangents along which the step-net trainers record |JVP| (one per
    run and recorded step; NumPy-drawn, so the probe is the same in every framework)."""
    runs, dim = shape
    return np.random.default_rng([seed, 0x70726F6265]).standard_normal((records, 1, runs, dim)).astype(np.float32)


def step_outputs_numpy(net: StepNet, inputs: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """float64 outputs [P, out] of one theta [N]."""
    parts = [np.asarray(theta, np.float64)[a:b].reshape(shape) for a, b, shape in mlp_param_slices(net.layers)]
    h = np.asarray(inputs, np.float64)
    for w, b in zip(parts[::2], parts[1::2], strict=True):
        z = h @ w + b
        h = (z > 0).astype(np.float64) if net.activation == "heaviside" else 1.0 / (1.0 + np.exp(-z))
    return h


def step_loss_numpy(net: StepNet, data: Patterns, theta: np.ndarray) -> float:
    """The step-net loss of one theta [N], float64."""
    y = step_outputs_numpy(net, data.inputs, theta)
    return float(0.5 * np.mean(np.sum((y - data.targets) ** 2, axis=1)))


def step_accuracy_numpy(net: StepNet, data: Patterns, theta: np.ndarray) -> float:
    """The step-net accuracy of one theta [N]."""
    y = step_outputs_numpy(net, data.inputs, theta)
    return float(np.mean(np.all(np.abs(y - data.targets) < 0.5, axis=1)))


def _binary_weights(net: BinaryNet, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    i, h, c = net.layers
    theta = np.asarray(theta, np.float64)
    signs = np.where(theta >= 0, 1.0, -1.0)
    return signs[: i * h].reshape(i, h) / np.sqrt(i), signs[i * h :].reshape(h, c) / np.sqrt(h)


def binary_logits_numpy(net: BinaryNet, inputs: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """float64 logits [P, classes] of the latent weights theta [N]."""
    a1, a2 = _binary_weights(net, theta)
    return np.tanh(np.asarray(inputs, np.float64) @ a1) @ a2


def binary_loss_numpy(net: BinaryNet, data: Labeled, theta: np.ndarray) -> float:
    """Mean softmax cross-entropy, float64."""
    z = binary_logits_numpy(net, data.inputs, theta)
    z = z - z.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-np.mean(log_p[np.arange(len(z)), data.labels]))


def binary_accuracy_numpy(net: BinaryNet, data: Labeled, theta: np.ndarray) -> float:
    """Fraction of patterns whose largest logit is the label's."""
    return float(np.mean(np.argmax(binary_logits_numpy(net, data.inputs, theta), axis=1) == data.labels))


def binary_ste_gradient_numpy(net: BinaryNet, data: Labeled, theta: np.ndarray) -> np.ndarray:
    """float64 [N]: backprop through the sign weights with d sign/d theta = 1 (BinaryConnect's STE)."""
    i, h, c = net.layers
    a1, a2 = _binary_weights(net, theta)
    x = np.asarray(data.inputs, np.float64)
    hidden = np.tanh(x @ a1)
    z = hidden @ a2
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    dz = (p - np.eye(c)[data.labels]) / len(x)
    da2 = hidden.T @ dz
    da1 = x.T @ ((dz @ a2.T) * (1.0 - hidden**2))
    return np.concatenate([da1.ravel() / np.sqrt(i), da2.ravel() / np.sqrt(h)])


def binary_init_numpy(net: BinaryNet, rng: np.random.Generator, runs: int) -> np.ndarray:
    """float32 [runs, N]: latent weights uniform on [-1, 1] (NumPy-drawn, the same for every framework)."""
    return rng.uniform(-1.0, 1.0, (runs, net.num_params)).astype(np.float32)


def step_init_numpy(net: StepNet, rng: np.random.Generator, runs: int) -> np.ndarray:
    """float32 [runs, N]: every weight and bias N(0, 1) (a Heaviside unit is invariant to the scale of its
    incoming weights, so only directions matter; the sigmoid twin uses the same draw)."""
    return rng.standard_normal((runs, net.num_params)).astype(np.float32)


# ---------------------------------------------------------------------------------------------------------
# checks


def _reference_step_task(activation: str) -> tuple[StepNet, Patterns, np.ndarray]:
    """A 3-4-2 net on 8 patterns with 3 runs, NumPy-drawn."""
    rng = np.random.default_rng(1022)
    net = StepNet((3, 4, 2), activation)
    x = rng.integers(0, 2, (8, 3)).astype(np.float32)
    t = np.stack([x[:, 0] * x[:, 1], np.logical_xor(x[:, 1], x[:, 2])], axis=1).astype(np.float32)
    return net, Patterns(x, t), step_init_numpy(net, rng, 3)


def _reference_binary_task() -> tuple[BinaryNet, Labeled, np.ndarray]:
    """A 6-5-3 binary net on 12 patterns with 3 runs, NumPy-drawn."""
    rng = np.random.default_rng(1511)
    net = BinaryNet((6, 5, 3))
    data = Labeled(rng.uniform(0, 1, (12, 6)).astype(np.float32), rng.integers(0, 3, 12))
    return net, data, binary_init_numpy(net, rng, 3)


def _close(got: np.ndarray, want: np.ndarray, rtol: float, atol: float, what: str) -> None:
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    bad = np.abs(got - want) > atol + rtol * np.abs(want)
    require(not bad.any(), f"{what}: {got[bad][:4]} != {want[bad][:4]}")


ACC_ATOL = 1e-6
"""Accuracies are fractions k/P computed in float32 (P <= 12 here: off by < 1e-7)."""
LOSS_RTOL = 1e-5
"""float32 loss of a tiny net vs float64: a sum of a few dozen rounded terms (rel. error ~ 50 eps32 = 6e-6)."""


def check_step_net_matches_reference(impl: ModuleType) -> None:
    """Loss and accuracy of both activations equal the float64 references; the Heaviside net's backprop
    gradient and JVP are exactly zero (its forward difference sees a change: the training check)."""
    for activation in ACTIVATIONS:
        net, data, theta = _reference_step_task(activation)
        loss, acc = impl.step_loss(net, data, theta), impl.step_accuracy(net, data, theta)
        require(loss.shape == (3,) and loss.dtype == np.float64, f"step_loss {loss.shape} {loss.dtype}")
        _close(loss, [step_loss_numpy(net, data, t) for t in theta], LOSS_RTOL, 1e-7, f"{activation} loss")
        _close(acc, [step_accuracy_numpy(net, data, t) for t in theta], 0.0, ACC_ATOL, f"{activation} accuracy")
    net, data, theta = _reference_step_task("heaviside")
    grad = impl.step_gradient(net, data, theta)
    require(grad.shape == theta.shape and grad.dtype == np.float32, f"step_gradient {grad.shape} {grad.dtype}")
    require(bool(np.all(grad == 0.0)), "the backprop gradient of a Heaviside net must be exactly zero")
    tangents = np.random.default_rng(3).standard_normal((16, net.num_params)).astype(np.float32)
    jvp = impl.step_jvp(net, data, theta[0], tangents)
    require(jvp.shape == (16,) and jvp.dtype == np.float32 and bool(np.all(jvp == 0.0)), f"Heaviside JVP {jvp}")


def check_smooth_derivatives_agree(impl: ModuleType) -> None:
    """On the sigmoid twin the JVP matches a float64 central difference of the reference loss; both finite
    differences, on it and on Rosenbrock, match their float64 formulas at every eps within float32
    cancellation (16 eps32 (|f(x)| + max |f(x + eps v)| + 1) / eps)."""
    net, data, theta = _reference_step_task("sigmoid")
    tangents = np.random.default_rng(4).standard_normal((6, net.num_params)).astype(np.float32)
    x = theta[0].astype(np.float64)
    f = lambda point: step_loss_numpy(net, data, point)  # noqa: E731
    h = 1e-5
    exact = np.array([(f(x + h * v) - f(x - h * v)) / (2 * h) for v in tangents.astype(np.float64)])
    jvp = impl.step_jvp(net, data, theta[0], tangents)
    require(jvp.shape == (6,) and jvp.dtype == np.float32, f"step_jvp {jvp.shape} {jvp.dtype}")
    _close(jvp, exact, 1e-4, 1e-5, "sigmoid JVP")
    epsilons = np.array([0.05, 0.2], np.float32)
    rosenbrock = ObjectiveSpec("rosenbrock", 3)
    point = np.array([0.3, -0.2, 0.5], np.float32)
    rosen = lambda p: float(np.sum(100 * (p[1:] - p[:-1] ** 2) ** 2 + (1 - p[:-1]) ** 2))  # noqa: E731
    for derivative in TRAINING_DERIVATIVES:
        sweep = impl.step_fd_sweep(net, data, theta[0], tangents, derivative, epsilons)
        other = impl.objective_fd_sweep(rosenbrock, point, tangents[:, :3], derivative, epsilons)
        require(sweep.shape == (2, 6) and sweep.dtype == np.float32, f"step_fd_sweep {sweep.shape} {sweep.dtype}")
        require(other.shape == (2, 6) and other.dtype == np.float32, f"objective_fd_sweep {other.shape}")
        for row, eps in enumerate(epsilons.astype(np.float64)):
            for got, g, at, v_all in ((sweep[row], f, x, tangents), (other[row], rosen, point, tangents[:, :3])):
                at, vs = at.astype(np.float64), v_all.astype(np.float64)
                lower = [g(at - eps * v) if derivative == "fd_central" else g(at) for v in vs]
                span = 2 * eps if derivative == "fd_central" else eps
                want = [(g(at + eps * v) - low) / span for v, low in zip(vs, lower, strict=True)]
                scale = abs(g(at)) + max(abs(g(at + eps * v)) for v in vs) + 1
                _close(got, want, 0.0, 16 * EPS32 * scale / eps, f"{derivative} at eps {eps:g}")


def check_training_follows_its_formula(impl: ModuleType) -> None:
    """Shapes and record steps of both step-net trainers: forward-difference training of the Heaviside net moves,
    runs independently (lr 0 leaves a run alone), is deterministic for a seed, and records grad_norm and jvp as
    exactly zero along its trajectory; one backprop step is theta - lr grad (on the sigmoid twin; on the
    Heaviside net the gradient is exactly zero, so backprop stays put)."""
    net, data, theta = _reference_step_task("heaviside")
    training = FdTraining("gaussian", 2)
    eps, lrs = np.array([0.5, 1.0, 0.5], np.float32), np.array([0.5, 0.2, 0.0], np.float32)
    first = impl.train_step_fd(net, data, theta, 7, training, eps, lrs, 12, 5)
    again = impl.train_step_fd(net, data, theta, 7, training, eps, lrs, 12, 5)
    np.testing.assert_array_equal(first.record_steps, [0, 5, 10, 12])
    for name in ("loss", "accuracy", "grad_norm", "jvp"):
        value = getattr(first, name)
        require(value.shape == (4, 3) and value.dtype == np.float64, f"train_step_fd {name} {value.shape}")
    np.testing.assert_array_equal(first.theta, again.theta)
    require(first.theta.shape == theta.shape and first.theta.dtype == np.float32, "train_step_fd theta")
    require(bool(np.any(first.theta[:2] != theta[:2])), "forward-difference training did not move")
    np.testing.assert_array_equal(first.theta[2], theta[2])  # lr 0: the runs are independent
    require(bool(np.all(first.grad_norm == 0) and np.all(first.jvp == 0)), "Heaviside gradient/JVP not zero")
    _close(first.loss[-1], [step_loss_numpy(net, data, t) for t in first.theta], LOSS_RTOL, 1e-7, "final loss")
    smooth = StepNet(net.layers, "sigmoid")
    bp = impl.train_step_backprop(smooth, data, theta, 1.0, 1, 1)
    np.testing.assert_array_equal(bp.record_steps, [0, 1])
    require(bool(np.all(np.isnan(bp.jvp)) and np.all(bp.grad_norm > 0)), "backprop trace: jvp NaN, gradient recorded")
    _close(bp.theta, theta - impl.step_gradient(smooth, data, theta), 1e-6, 1e-6, "one backprop step (sigmoid twin)")


def check_binary_net_matches_reference(impl: ModuleType) -> None:
    """Binary-net loss, accuracy and STE gradient equal the float64 references; one forward-difference update
    equals its formula (clipped to [-1, 1])."""
    net, data, theta = _reference_binary_task()
    _close(
        impl.binary_loss(net, data, theta), [binary_loss_numpy(net, data, t) for t in theta], LOSS_RTOL, 1e-7, "loss"
    )
    _close(
        impl.binary_accuracy(net, data, theta), [binary_accuracy_numpy(net, data, t) for t in theta], 0, ACC_ATOL, "acc"
    )
    grad = impl.binary_ste_gradient(net, data, theta[0])
    require(grad.shape == (net.num_params,) and grad.dtype == np.float32, f"binary_ste_gradient {grad.shape}")
    _close(grad, binary_ste_gradient_numpy(net, data, theta[0]), 1e-4, 1e-6, "STE gradient")
    tangents = np.random.default_rng(5).choice([-1.0, 1.0], (4, net.num_params)).astype(np.float32)
    eps, lr = 0.3, 0.2
    f0 = binary_loss_numpy(net, data, theta[0])
    dd = np.array([(binary_loss_numpy(net, data, theta[0] + eps * v) - f0) / eps for v in tangents])
    want = np.clip(theta[0] - lr * dd @ tangents / len(tangents), -1.0, 1.0)
    got = impl.binary_fd_update(net, data, theta[0], tangents, eps, lr)
    _close(got, want, 0.0, 8 * EPS32 * (abs(f0) + 1) / eps * lr * 2 + 1e-6, "binary forward-difference update")


def check_binary_training(impl: ModuleType) -> None:
    """Shapes and determinism of both binary trainers; latent weights stay in [-1, 1]; the recorded test
    accuracy at step 0 is the initial accuracy."""
    net, data, theta = _reference_binary_task()
    batches = np.random.default_rng(6).integers(0, 12, (3, 7, 4))
    training = FdTraining("rademacher", 3)
    lrs = np.full(3, 0.3, np.float32)
    fd = impl.train_binary_fd(net, data, data, theta, batches, 11, training, 0.2, lrs, 3)
    again = impl.train_binary_fd(net, data, data, theta, batches, 11, training, 0.2, lrs, 3)
    ste = impl.train_binary_ste(net, data, data, theta, batches, lrs, 3)
    for trace in (fd, ste):
        np.testing.assert_array_equal(trace.record_steps, [0, 3, 6, 7])
        require(trace.train_loss.shape == (4, 3) and trace.test_accuracy.shape == (4, 3), "binary trace shapes")
        require(trace.theta.dtype == np.float32 and bool(np.all(np.abs(trace.theta) <= 1.0)), "latent weights")
        _close(trace.test_accuracy[0], [binary_accuracy_numpy(net, data, t) for t in theta], 0, ACC_ATOL, "initial acc")
    np.testing.assert_array_equal(fd.theta, again.theta)
    require(bool(np.any(ste.theta != theta)) and bool(np.any(fd.theta != theta)), "binary training did not move")


def check_parity(impls: dict[str, ModuleType]) -> None:
    """Every framework gives the same losses, derivatives along the same tangents (JVP within a float32
    rounding bound, finite differences within their cancellation error), STE gradients and forward-difference
    updates on identical NumPy inputs."""
    net, data, theta = _reference_step_task("sigmoid")
    tangents = np.random.default_rng(8).standard_normal((5, net.num_params)).astype(np.float32)
    f0 = step_loss_numpy(net, data, theta[0])
    fd_tolerance = 16 * EPS32 * (f0 + 1) / 0.05
    bnet, bdata, btheta = _reference_binary_task()
    rademacher = np.random.default_rng(9).choice([-1.0, 1.0], (4, bnet.num_params)).astype(np.float32)
    results = {
        name: {
            "loss": impl.step_loss(net, data, theta),
            "binary_loss": impl.binary_loss(bnet, bdata, btheta),
            "ste": impl.binary_ste_gradient(bnet, bdata, btheta[0]),
            "update": impl.binary_fd_update(bnet, bdata, btheta[0], rademacher, 0.3, 0.2),
            "jvp": impl.step_jvp(net, data, theta[0], tangents),
            **{
                d: impl.step_fd_sweep(net, data, theta[0], tangents, d, np.float32([0.05]))
                for d in TRAINING_DERIVATIVES
            },
        }
        for name, impl in impls.items()
    }
    first, *others = results
    for other in others:
        a, b = results[first], results[other]
        _close(b["loss"], a["loss"], 2 * LOSS_RTOL, 1e-7, f"{other} vs {first} loss")
        _close(b["binary_loss"], a["binary_loss"], 2 * LOSS_RTOL, 1e-7, f"{other} vs {first} binary loss")
        _close(b["ste"], a["ste"], 2e-4, 2e-6, f"{other} vs {first} STE gradient")
        _close(b["update"], a["update"], 0.0, 1e-5, f"{other} vs {first} binary update")
        _close(b["jvp"], a["jvp"], 0.0, 1e-5 * float(np.abs(tangents).sum(axis=1).max()), f"{other} vs {first} JVP")
        for derivative in TRAINING_DERIVATIVES:
            _close(b[derivative], a[derivative], 0.0, fd_tolerance, f"{other} vs {first} {derivative}")


SINGLE_CHECKS = (
    check_step_net_matches_reference,
    check_smooth_derivatives_agree,
    check_training_follows_its_formula,
    check_binary_net_matches_reference,
    check_binary_training,
)
PARITY_CHECKS = (check_parity,)
