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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

Distribution = Literal["gaussian", "rademacher", "sphere"]
DISTRIBUTIONS: tuple[str, ...] = ("gaussian", "rademacher", "sphere")

Derivative = Literal["jvp", "fd_forward", "fd_central"]
DERIVATIVES: tuple[str, ...] = ("jvp", "fd_forward", "fd_central")

OBJECTIVES: tuple[str, ...] = ("quadratic", "isotropic_quadratic", "rosenbrock", "mlp")


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
