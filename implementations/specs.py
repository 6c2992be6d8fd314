"""Framework-neutral specifications shared by the PyTorch and JAX implementations.

Nothing here imports a framework: these dataclasses and NumPy helpers describe *what* is computed
(objectives, tangent distributions) so that both implementations receive the same inputs and ``benchmarks/``
can talk to either one. The configuration of each method lives with its contract in
``implementations/contracts/``.

Objectives (all on a flat parameter vector ``theta`` in R^n, float32):

- ``quadratic``: ``f(x) = 1/2 sum_i c_i x_i^2`` with ``c_i`` log-spaced in [1, 100] (condition number 100).
- ``isotropic_quadratic``: ``f(x) = 1/2 ||x||^2`` (Belouze 2022; the step 1/(n+2) is optimal for Gaussian
  forward gradients on it).
- ``rosenbrock``: ``f(x) = sum_{i<n} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2`` (Baydin et al. 2022, Sec. 5.1
  uses the 2-D case).
- ``mlp``: mean softmax cross-entropy of a ReLU MLP on one fixed batch (Baydin et al. 2022, Sec. 5.2);
  ``theta`` is the concatenation of ``(W_1, b_1, ..., W_L, b_L)`` with ``W_l`` of shape (fan_in, fan_out).

Test functions of the descent benchmarks (:data:`TEST_FUNCTIONS`; definitions, search boxes, minima and
minimisers in :data:`FUNCTION_INFO`, with float64 NumPy references in :func:`objective_numpy`):

- ``beale`` (2-D only): ``(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2``, minimum 0 at (3, 0.5)
  (Baydin et al. 2022, Sec. 5.1; Moré, Garbow & Hillstrom 1981, problem 5);
- the unimodal functions of Belouze 2022's protocol that are defined in every dimension and differentiable,
  with the search boxes of the collection his code uses (Thevenot's Python benchmark functions):
  ``sphere`` sum x_i^2; ``sum_squares`` sum i x_i^2; ``rotated_hyper_ellipsoid`` sum_i sum_{j<=i} x_j^2;
  ``zakharov`` sum x_i^2 + s^2 + s^4 with s = sum 0.5 i x_i; ``dixon_price`` (x_1 - 1)^2 + sum_{i>=2}
  i (2 x_i^2 - x_{i-1})^2; ``trid`` sum (x_i - 1)^2 - sum_{i>=2} x_i x_{i-1} (minimum -n(n+4)(n-1)/6);
  ``sum_of_different_powers`` sum |x_i|^(i+1); ``schwefel_2_23`` sum x_i^10; ``exponential``
  -exp(-1/2 sum x_i^2) (minimum -1).

Every objective except ``mlp`` is written on the last axis, so an array of points [..., n] gives [...] values;
the weights a function reads (i, n - j + 1, 0.5 i, the exponents i + 1, the curvatures c_i) are its data
(:func:`objective_weights`), passed to the compiled code rather than rebuilt in every call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

Distribution = Literal["gaussian", "rademacher", "sphere"]
DISTRIBUTIONS: tuple[str, ...] = ("gaussian", "rademacher", "sphere")

Derivative = Literal["jvp", "fd_forward", "fd_central"]
DERIVATIVES: tuple[str, ...] = ("jvp", "fd_forward", "fd_central")

TEST_FUNCTIONS: tuple[str, ...] = (
    "beale",
    "sphere",
    "sum_squares",
    "rotated_hyper_ellipsoid",
    "zakharov",
    "dixon_price",
    "trid",
    "sum_of_different_powers",
    "schwefel_2_23",
    "exponential",
)
OBJECTIVES: tuple[str, ...] = ("quadratic", "isotropic_quadratic", "rosenbrock", "mlp", *TEST_FUNCTIONS)


@dataclass(frozen=True)
class ObjectiveSpec:
    """A scalar objective on a flat float32 vector of length ``dim``.

    For ``name == "mlp"``, ``layers`` gives the layer widths (input, hidden..., classes) and ``inputs`` /
    ``labels`` the fixed batch; ``dim`` must equal :func:`mlp_num_params` of ``layers``.
    """

    name: str
    dim: int
    layers: tuple[int, ...] = ()
    inputs: np.ndarray | None = field(default=None, compare=False, repr=False)
    labels: np.ndarray | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.name not in OBJECTIVES:
            raise ValueError(f"objective {self.name!r}; valid: {', '.join(OBJECTIVES)}")
        if self.name == "rosenbrock" and self.dim < 2:
            raise ValueError("rosenbrock needs dim >= 2")
        if self.name == "beale" and self.dim != 2:
            raise ValueError("beale is defined in 2 dimensions only (dim=2)")
        if self.name == "mlp":
            if self.inputs is None or self.labels is None or len(self.layers) < 2:
                raise ValueError("objective 'mlp' needs layers, inputs and labels")
            if self.dim != mlp_num_params(self.layers):
                raise ValueError(f"mlp dim {self.dim} != {mlp_num_params(self.layers)} parameters of {self.layers}")


def quadratic_coefficients(dim: int) -> np.ndarray:
    """Curvatures ``c_i`` of the ``quadratic`` objective: log-spaced in [1, 100], float32."""
    return np.logspace(0.0, 2.0, dim, dtype=np.float64).astype(np.float32)


def mlp_layer_shapes(layers: tuple[int, ...]) -> list[tuple[tuple[int, int], tuple[int]]]:
    """(weight shape, bias shape) per layer, weights stored (fan_in, fan_out)."""
    return [((fan_in, fan_out), (fan_out,)) for fan_in, fan_out in zip(layers[:-1], layers[1:], strict=True)]


def mlp_param_slices(layers: tuple[int, ...]) -> list[tuple[int, int, tuple[int, ...]]]:
    """(start, stop, shape) of each of W_1, b_1, ..., W_L, b_L inside the flat parameter vector."""
    out: list[tuple[int, int, tuple[int, ...]]] = []
    offset = 0
    for w_shape, b_shape in mlp_layer_shapes(layers):
        for shape in (w_shape, b_shape):
            size = int(np.prod(shape))
            out.append((offset, offset + size, shape))
            offset += size
    return out


def mlp_num_params(layers: tuple[int, ...]) -> int:
    """Number of parameters of a dense MLP with the given widths."""
    return sum(w[0] * w[1] + b[0] for w, b in mlp_layer_shapes(layers))


def mlp_init_flat(layers: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Initial flat parameters: W ~ N(0, 1/fan_in) (LeCun normal), b = 0; float32, NumPy-drawn so both
    frameworks start from the same point."""
    parts: list[np.ndarray] = []
    for (fan_in, fan_out), (width,) in mlp_layer_shapes(layers):
        parts.append(rng.standard_normal((fan_in, fan_out)).ravel() / np.sqrt(fan_in))
        parts.append(np.zeros(width))
    return np.concatenate(parts).astype(np.float32)


def sample_tangents_numpy(rng: np.random.Generator, distribution: str, count: int, dim: int) -> np.ndarray:
    """Reference sampler used by parity tests: ``count`` tangents in R^dim, float32.

    gaussian: N(0, I); rademacher: uniform on {-1, +1}^n; sphere: uniform on the sphere of radius sqrt(n).
    Each has E[v v^T] = I, which is what makes ``(grad f . v) v`` unbiased (Baydin et al. 2022, Thm. 1).
    """
    if distribution == "gaussian":
        v = rng.standard_normal((count, dim))
    elif distribution == "rademacher":
        v = rng.choice(np.array([-1.0, 1.0]), size=(count, dim))
    elif distribution == "sphere":
        v = rng.standard_normal((count, dim))
        v = v / np.linalg.norm(v, axis=1, keepdims=True) * np.sqrt(dim)
    else:
        raise ValueError(f"distribution={distribution!r}; valid: {', '.join(DISTRIBUTIONS)}")
    return v.astype(np.float32)


# ------------------------------------------------------------------------------------------------------------
# Test functions: search boxes, minima, minimisers, weights and float64 NumPy references


@dataclass(frozen=True)
class FunctionInfo:
    """Where a test function is searched and where its minimum is, as functions of the dimension n.

    ``box(n)``: the (low, high) bounds of every coordinate of the search box (starts are drawn uniformly in
    it); ``minimum(n)``: f*; ``minimiser(n)``: a point where f = f* (float64).
    """

    box: Callable[[int], tuple[float, float]]
    minimum: Callable[[int], float]
    minimiser: Callable[[int], np.ndarray]


def _zero(n: int) -> np.ndarray:
    return np.zeros(n)


FUNCTION_INFO: dict[str, FunctionInfo] = {
    "quadratic": FunctionInfo(lambda n: (-5.12, 5.12), lambda n: 0.0, _zero),
    "isotropic_quadratic": FunctionInfo(lambda n: (-5.12, 5.12), lambda n: 0.0, _zero),
    "rosenbrock": FunctionInfo(lambda n: (-5.0, 10.0), lambda n: 0.0, np.ones),
    "beale": FunctionInfo(lambda n: (-4.5, 4.5), lambda n: 0.0, lambda n: np.array([3.0, 0.5])),
    "sphere": FunctionInfo(lambda n: (-5.12, 5.12), lambda n: 0.0, _zero),
    "sum_squares": FunctionInfo(lambda n: (-10.0, 10.0), lambda n: 0.0, _zero),
    "rotated_hyper_ellipsoid": FunctionInfo(lambda n: (-65.536, 65.536), lambda n: 0.0, _zero),
    "zakharov": FunctionInfo(lambda n: (-5.0, 10.0), lambda n: 0.0, _zero),
    "dixon_price": FunctionInfo(
        lambda n: (-10.0, 10.0),
        lambda n: 0.0,
        lambda n: 2.0 ** (-(2.0 ** np.arange(1, n + 1) - 2.0) / 2.0 ** np.arange(1, n + 1)),
    ),
    "trid": FunctionInfo(
        lambda n: (-float(n * n), float(n * n)),
        lambda n: -n * (n + 4) * (n - 1) / 6.0,
        lambda n: np.arange(1, n + 1) * (n + 1.0 - np.arange(1, n + 1)),
    ),
    "sum_of_different_powers": FunctionInfo(lambda n: (-1.0, 1.0), lambda n: 0.0, _zero),
    "schwefel_2_23": FunctionInfo(lambda n: (-10.0, 10.0), lambda n: 0.0, _zero),
    "exponential": FunctionInfo(lambda n: (-1.0, 1.0), lambda n: -1.0, _zero),
}
"""Search box, minimum and minimiser of every objective but ``mlp``."""


def function_info(name: str) -> FunctionInfo:
    """The :class:`FunctionInfo` of objective ``name`` (ValueError naming the valid ones otherwise)."""
    if name not in FUNCTION_INFO:
        raise ValueError(f"objective {name!r} has no search box and minimum; valid: {', '.join(FUNCTION_INFO)}")
    return FUNCTION_INFO[name]


def objective_weights(name: str, dim: int) -> np.ndarray | None:
    """The constant vector a test function reads (float32), or None: ``quadratic`` its curvatures c_i;
    ``sum_squares`` i; ``rotated_hyper_ellipsoid`` n - j + 1 (sum_i sum_{j<=i} x_j^2 = sum_j (n - j + 1) x_j^2);
    ``zakharov`` 0.5 i; ``dixon_price`` i for i = 2..n; ``sum_of_different_powers`` the exponents i + 1."""
    index = np.arange(1, dim + 1, dtype=np.float64)
    weights = {
        "quadratic": lambda: quadratic_coefficients(dim),
        "sum_squares": lambda: index,
        "rotated_hyper_ellipsoid": lambda: index[::-1].copy(),
        "zakharov": lambda: 0.5 * index,
        "dixon_price": lambda: index[1:],
        "sum_of_different_powers": lambda: index + 1.0,
    }
    return weights[name]().astype(np.float32) if name in weights else None


def objective_numpy(name: str, x: np.ndarray) -> np.ndarray:
    """float64 reference values of objective ``name`` (not ``mlp``) at points ``x`` [..., n]: the
    definitions in the module docstring, used to check both frameworks."""
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[-1]
    w = objective_weights(name, n)
    w = None if w is None else w.astype(np.float64)
    if name == "quadratic":
        return 0.5 * np.sum(w * x * x, axis=-1)
    if name in ("isotropic_quadratic", "sphere", "sum_squares", "rotated_hyper_ellipsoid"):
        scale = 0.5 if name == "isotropic_quadratic" else 1.0
        return scale * np.sum((1.0 if w is None else w) * x * x, axis=-1)
    if name == "rosenbrock":
        return np.sum(100.0 * (x[..., 1:] - x[..., :-1] ** 2) ** 2 + (1.0 - x[..., :-1]) ** 2, axis=-1)
    if name == "beale":
        a, b = x[..., 0], x[..., 1]
        return (1.5 - a + a * b) ** 2 + (2.25 - a + a * b**2) ** 2 + (2.625 - a + a * b**3) ** 2
    if name == "zakharov":
        s = np.sum(w * x, axis=-1)
        return np.sum(x * x, axis=-1) + s**2 + s**4
    if name == "dixon_price":
        return (x[..., 0] - 1.0) ** 2 + np.sum(w * (2.0 * x[..., 1:] ** 2 - x[..., :-1]) ** 2, axis=-1)
    if name == "trid":
        return np.sum((x - 1.0) ** 2, axis=-1) - np.sum(x[..., 1:] * x[..., :-1], axis=-1)
    if name == "sum_of_different_powers":
        return np.sum(np.abs(x) ** w, axis=-1)
    if name == "schwefel_2_23":
        return np.sum(x**10, axis=-1)
    if name == "exponential":
        return -np.exp(-0.5 * np.sum(x * x, axis=-1))
    raise ValueError(f"no NumPy reference for objective {name!r}; valid: {', '.join(FUNCTION_INFO)}")
