"""Contract of the image classifiers: ``implementations/<framework>/classifiers.py`` (a model, not a method).

The three networks Baydin et al. 2022 (*Gradients without Backpropagation*, arXiv 2202.08587, Sec. 5.2)
train on MNIST with forward gradients and with backprop, plus a depth-parameterised MLP for the question of
how the cost ratio moves with depth:

- ``logreg``: multinomial logistic regression, ``logits = x @ W + b``;
- ``mlp``: ReLU MLP ``inputs-hidden...-classes`` (the paper's is 784-1024-1024-10); ``x @ W_l + b_l`` then
  ReLU on every layer but the last (:func:`mlp`, :func:`deep_mlp` for ``depth`` hidden layers of one width);
- ``cnn``: the paper's CNN on a square one-channel image of side s (s divisible by 4): four 3x3
  convolutions with ``channels`` output channels, stride 1, padding 1, each followed by ReLU, a 2x2 max-pool
  (stride 2) after the second and the fourth, then a fully connected ReLU layer of width ``fc`` and a
  linear layer to the classes. The feature map is flattened in channel-major (C, H, W) order.

Loss: the mean softmax cross-entropy over the batch. Inputs are flat rows ``[B, inputs]`` (the CNN reads
row b as the s x s image, row-major).

Parameters are a list of float32 arrays in the order of :func:`param_shapes`: dense weights stored
(fan_in, fan_out), convolution kernels (out, in, 3, 3), each followed by its bias. :func:`init_params`
draws them with NumPy (LeCun normal: N(0, 1/fan_in), fan_in = in x 9 for a convolution; biases zero), so
both frameworks start from the same point. For ``logreg`` and ``mlp`` this is exactly
:func:`implementations.specs.mlp_init_flat` (same draws, split by layer).

The float64 NumPy reference (:func:`logits_numpy`, :func:`loss_numpy`) is what the checks compare every
framework with.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import ModuleType
from typing import Protocol

import numpy as np

from implementations.contracts._common import EPS32, require
from implementations.specs import mlp_init_flat, mlp_layer_shapes

ROLE = "model"

KINDS: tuple[str, ...] = ("logreg", "mlp", "cnn")
POOL_AFTER: tuple[int, ...] = (1, 3)
"""Indices of the convolutions followed by a 2x2 max-pool (the second and the fourth)."""
CONVOLUTIONS = 4


@dataclass(frozen=True)
class ClassifierSpec:
    """A classifier: its kind, input width, classes, hidden widths (mlp) or channels and FC width (cnn).
    Hashable: implementations use it as a cache key for compiled functions."""

    kind: str
    inputs: int
    classes: int = 10
    hidden: tuple[int, ...] = ()
    channels: int = 64
    fc: int = 1024

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind={self.kind!r}; valid: {', '.join(KINDS)}")
        for name in ("inputs", "classes", "channels", "fc"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name}={value!r}; valid: an int >= 1")
        hidden = tuple(self.hidden)
        if not all(isinstance(w, int) and not isinstance(w, bool) and w >= 1 for w in hidden):
            raise ValueError(f"hidden={self.hidden!r}; valid: a tuple of ints >= 1")
        if self.kind == "logreg" and hidden:
            raise ValueError("hidden must be () for kind 'logreg'")
        if self.kind == "mlp" and not hidden:
            raise ValueError("kind 'mlp' needs at least one hidden width")
        if self.kind == "cnn":
            side = math.isqrt(self.inputs)
            if side * side != self.inputs or side % 4:
                raise ValueError(f"inputs={self.inputs}; kind 'cnn' needs a square image whose side is divisible by 4")
        object.__setattr__(self, "hidden", hidden)

    @property
    def side(self) -> int:
        """Image side of the CNN (0 for the dense kinds)."""
        return math.isqrt(self.inputs) if self.kind == "cnn" else 0

    @property
    def layers(self) -> tuple[int, ...]:
        """Widths (inputs, hidden..., classes) of a dense kind."""
        return (self.inputs, *self.hidden, self.classes)

    @property
    def depth(self) -> int:
        """Number of weight layers."""
        return CONVOLUTIONS + 2 if self.kind == "cnn" else len(self.hidden) + 1

    @property
    def name(self) -> str:
        """'logreg_784-10', 'mlp_784-1024-1024-10', 'cnn_28x28-c64-fc1024-10'."""
        if self.kind == "cnn":
            return f"cnn_{self.side}x{self.side}-c{self.channels}-fc{self.fc}-{self.classes}"
        return f"{self.kind}_" + "-".join(str(w) for w in self.layers)

    @property
    def num_params(self) -> int:
        """Number of parameters."""
        return sum(math.prod(shape) for shape in param_shapes(self))


def logistic_regression(inputs: int, classes: int = 10) -> ClassifierSpec:
    """Multinomial logistic regression."""
    return ClassifierSpec("logreg", inputs, classes)


def mlp(inputs: int, hidden: tuple[int, ...], classes: int = 10) -> ClassifierSpec:
    """A ReLU MLP (the paper's: ``mlp(784, (1024, 1024))``)."""
    return ClassifierSpec("mlp", inputs, classes, tuple(hidden))


def deep_mlp(inputs: int, depth: int, width: int, classes: int = 10) -> ClassifierSpec:
    """A ReLU MLP with ``depth`` hidden layers of ``width`` units."""
    if depth < 1:
        raise ValueError(f"depth={depth}; valid: an int >= 1")
    return mlp(inputs, (width,) * depth, classes)


def paper_cnn(inputs: int, classes: int = 10, channels: int = 64, fc: int = 1024) -> ClassifierSpec:
    """The paper's CNN on a square image of ``inputs`` pixels."""
    return ClassifierSpec("cnn", inputs, classes, (), channels, fc)


def param_shapes(spec: ClassifierSpec) -> list[tuple[int, ...]]:
    """Shapes of the parameter arrays, in order (see the module docstring)."""
    if spec.kind != "cnn":
        return [shape for pair in mlp_layer_shapes(spec.layers) for shape in pair]
    shapes: list[tuple[int, ...]] = []
    channels_in = 1
    for _ in range(CONVOLUTIONS):
        shapes += [(spec.channels, channels_in, 3, 3), (spec.channels,)]
        channels_in = spec.channels
    flat = spec.channels * (spec.side // 4) ** 2
    return [*shapes, (flat, spec.fc), (spec.fc,), (spec.fc, spec.classes), (spec.classes,)]


def init_params(spec: ClassifierSpec, rng: np.random.Generator) -> list[np.ndarray]:
    """LeCun-normal weights and zero biases, float32, drawn with NumPy (see the module docstring)."""
    shapes = param_shapes(spec)
    if spec.kind != "cnn":
        flat = mlp_init_flat(spec.layers, rng)
        sizes = np.cumsum([math.prod(shape) for shape in shapes])[:-1]
        return [piece.reshape(shape) for piece, shape in zip(np.split(flat, sizes), shapes, strict=True)]
    params = []
    for shape in shapes:
        if len(shape) == 1:
            params.append(np.zeros(shape, np.float32))
        else:
            fan_in = math.prod(shape[1:]) if len(shape) == 4 else shape[0]
            params.append((rng.standard_normal(shape) / np.sqrt(fan_in)).astype(np.float32))
    return params


def check_params(spec: ClassifierSpec, params: list[np.ndarray]) -> None:
    """ValueError unless ``params`` has the shapes of :func:`param_shapes`."""
    shapes = [tuple(np.shape(p)) for p in params]
    if shapes != param_shapes(spec):
        raise ValueError(f"{spec.name}: parameter shapes {shapes}; valid: {param_shapes(spec)}")


def check_inputs(spec: ClassifierSpec, inputs: np.ndarray) -> None:
    """ValueError unless ``inputs`` is [B, spec.inputs] with B >= 1."""
    shape = np.shape(inputs)
    if len(shape) != 2 or shape[1] != spec.inputs or shape[0] < 1:
        raise ValueError(f"{spec.name}: inputs of shape {shape}; valid: [B, {spec.inputs}] with B >= 1")


# ---------------------------------------------------------------------------------------------------------
# float64 NumPy reference


def _conv3x3_numpy(h: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """3x3 convolution (cross-correlation), stride 1, zero padding 1: [B, C, s, s] -> [B, O, s, s]."""
    side = h.shape[-1]
    padded = np.pad(h, ((0, 0), (0, 0), (1, 1), (1, 1)))
    out = np.zeros((h.shape[0], w.shape[0], side, side))
    for i in range(3):
        for j in range(3):
            out += np.einsum("bchw,oc->bohw", padded[:, :, i : i + side, j : j + side], w[:, :, i, j])
    return out + b[None, :, None, None]


def _pool_numpy(h: np.ndarray) -> np.ndarray:
    b, c, side, _ = h.shape
    return h.reshape(b, c, side // 2, 2, side // 2, 2).max(axis=(3, 5))


def logits_numpy(spec: ClassifierSpec, params: list[np.ndarray], inputs: np.ndarray) -> np.ndarray:
    """The logits [B, classes] in float64."""
    p = [np.asarray(a, dtype=np.float64) for a in params]
    h = np.asarray(inputs, dtype=np.float64)
    if spec.kind == "cnn":
        h = h.reshape(-1, 1, spec.side, spec.side)
        for index in range(CONVOLUTIONS):
            h = np.maximum(_conv3x3_numpy(h, p[2 * index], p[2 * index + 1]), 0.0)
            if index in POOL_AFTER:
                h = _pool_numpy(h)
        h = h.reshape(h.shape[0], -1)
        p = p[2 * CONVOLUTIONS :]
    layers = len(p) // 2
    for index in range(layers):
        h = h @ p[2 * index] + p[2 * index + 1]
        if index < layers - 1:
            h = np.maximum(h, 0.0)
    return h


def loss_numpy(spec: ClassifierSpec, params: list[np.ndarray], inputs: np.ndarray, labels: np.ndarray) -> float:
    """Mean softmax cross-entropy in float64."""
    z = logits_numpy(spec, params, inputs)
    z = z - z.max(axis=1, keepdims=True)
    log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-np.mean(log_probs[np.arange(len(labels)), np.asarray(labels)]))


class ClassifiersModel(Protocol):
    """The NumPy-facing functions of ``implementations/<framework>/classifiers.py``."""

    def predict_logits(self, spec: ClassifierSpec, params: list[np.ndarray], inputs: np.ndarray) -> np.ndarray:
        """Logits [B, classes] float32 of the inputs [B, spec.inputs]."""
        ...

    def loss_and_gradient(
        self, spec: ClassifierSpec, params: list[np.ndarray], inputs: np.ndarray, labels: np.ndarray
    ) -> tuple[float, list[np.ndarray]]:
        """(mean cross-entropy, its gradient by reverse mode: one float32 array per parameter array)."""
        ...


PROTOCOL = ClassifiersModel


def reference_specs() -> list[ClassifierSpec]:
    """One small net of each kind (and a deeper MLP): what the checks run."""
    return [logistic_regression(12, 3), mlp(12, (7, 5), 3), deep_mlp(12, 4, 6, 3), paper_cnn(64, 3, 4, 6)]


def reference_batch(spec: ClassifierSpec, rng: np.random.Generator, batch: int = 5) -> tuple:
    """(params, inputs in [0, 1], labels) drawn with NumPy."""
    params = init_params(spec, rng)
    params = [p + (0.1 * rng.standard_normal(p.shape)).astype(np.float32) if p.ndim == 1 else p for p in params]
    inputs = rng.uniform(0.0, 1.0, (batch, spec.inputs)).astype(np.float32)
    return params, inputs, rng.integers(0, spec.classes, batch).astype(np.int64)


def logits_tolerance(spec: ClassifierSpec, params: list[np.ndarray], inputs: np.ndarray) -> float:
    """Allowed |error| of float32 logits: each layer sums at most ``fan_in`` products, each rounded by eps,
    so its output is off by about ``fan_in eps`` times the sum of |terms|; we bound that scale by the
    product over layers of (max |W| fan_in) times max |x| plus the biases, and allow 20 sqrt(fan_in) eps
    of it per layer (rounding errors add like a random walk), plus a floor of 1e-6."""
    scale, total = float(np.abs(inputs).max()), 0.0
    for w, b in zip(params[::2], params[1::2], strict=True):
        fan_in = math.prod(w.shape[1:]) if w.ndim == 4 else w.shape[0]
        scale = scale * float(np.abs(w).max()) * fan_in + float(np.abs(b).max())
        total += 20 * np.sqrt(fan_in) * EPS32 * scale
    return total + 1e-6


def check_logits_match_reference(impl: ModuleType) -> None:
    """Logits of every reference net match the float64 NumPy reference (:func:`logits_tolerance`), float32,
    [B, classes]; shapes that do not match the spec are rejected with ValueError."""
    rng = np.random.default_rng(7)
    for spec in reference_specs():
        params, inputs, _ = reference_batch(spec, rng)
        logits = impl.predict_logits(spec, params, inputs)
        require(logits.shape == (len(inputs), spec.classes), f"{spec.name}: shape {logits.shape}")
        require(logits.dtype == np.float32, f"{spec.name}: dtype {logits.dtype}")
        tol = logits_tolerance(spec, params, inputs)
        np.testing.assert_allclose(logits, logits_numpy(spec, params, inputs), rtol=0, atol=tol, err_msg=spec.name)
        for bad in (inputs[:, :-1], inputs[0]):
            try:
                impl.predict_logits(spec, params, bad)
            except ValueError:
                continue
            raise AssertionError(f"{spec.name}: inputs of shape {bad.shape} were accepted")


def check_gradient_matches_differences(impl: ModuleType) -> None:
    """The reverse-mode gradient along random directions u equals the float64 central difference
    (L(p + h u) - L(p - h u)) / 2h of the NumPy reference (h = 1e-6: truncation error O(h^2 |L'''|) and
    cancellation ~1e-16 |L| / h are far below the allowance, and a ReLU or max-pool kink is crossed with
    probability ~h, while the CNN's near-ties already cross one at h = 1e-4 for these seeds), within the
    float32 rounding of the gradient: 100 sqrt(n) eps times sum |g_i u_i| plus 1e-5."""
    rng = np.random.default_rng(8)
    for spec in reference_specs():
        params, inputs, labels = reference_batch(spec, rng)
        value, grads = impl.loss_and_gradient(spec, params, inputs, labels)
        require(isinstance(value, float), f"{spec.name}: loss {type(value)}")
        require(abs(value - loss_numpy(spec, params, inputs, labels)) < 1e-4, f"{spec.name}: loss {value}")
        require([g.shape for g in grads] == [p.shape for p in params], f"{spec.name}: gradient shapes")
        require(all(g.dtype == np.float32 for g in grads), f"{spec.name}: gradient dtype")
        n = sum(p.size for p in params)
        for _ in range(3):
            u = [rng.standard_normal(p.shape) for p in params]
            h = 1e-6
            plus = loss_numpy(spec, [p + h * d for p, d in zip(params, u, strict=True)], inputs, labels)
            minus = loss_numpy(spec, [p - h * d for p, d in zip(params, u, strict=True)], inputs, labels)
            directional = sum(float(np.sum(g.astype(np.float64) * d)) for g, d in zip(grads, u, strict=True))
            scale = sum(float(np.sum(np.abs(g) * np.abs(d))) for g, d in zip(grads, u, strict=True))
            tol = 100 * np.sqrt(n) * EPS32 * scale + 1e-5
            require(abs(directional - (plus - minus) / (2 * h)) <= tol, f"{spec.name}: directional derivative")


def check_frameworks_agree(impls: dict[str, ModuleType]) -> None:
    """Every framework gives the same logits and gradients on the same NumPy inputs (twice the reference
    tolerance for logits; gradients within 1e-4 relative to their largest entry)."""
    rng = np.random.default_rng(9)
    for spec in reference_specs():
        params, inputs, labels = reference_batch(spec, rng)
        results = {name: impl.loss_and_gradient(spec, params, inputs, labels) for name, impl in impls.items()}
        logits = {name: impl.predict_logits(spec, params, inputs) for name, impl in impls.items()}
        first, *others = impls
        for other in others:
            tol = 2 * logits_tolerance(spec, params, inputs)
            np.testing.assert_allclose(logits[other], logits[first], rtol=0, atol=tol, err_msg=spec.name)
            for g_other, g_first in zip(results[other][1], results[first][1], strict=True):
                atol = 1e-4 * float(np.abs(g_first).max()) + 1e-7
                np.testing.assert_allclose(g_other, g_first, rtol=0, atol=atol, err_msg=spec.name)


SINGLE_CHECKS = (check_logits_match_reference, check_gradient_matches_differences)
PARITY_CHECKS = (check_frameworks_agree,)
