"""Closed-form facts about the forward gradient g = (a . v) v, a = grad f, that the checks test against.

Unbiasedness E[g] = a for any tangent law with E[v v'] = I is Baydin et al. 2022, Theorem 1. The rest is
derived here (E[v v'] = I plus the fourth moments of each law; write m = n - 1, c = n / (n + 2)):

- covariance of one sample, Sigma = E[(g - a)(g - a)']:
  Gaussian ||a||^2 I + a a'; Rademacher ||a||^2 I + a a' - 2 diag(a^2) (rank 1 at n = 2);
  sphere of radius sqrt(n): c (||a||^2 I + 2 a a') - a a';
- relative squared error r = ||g - a||^2 / ||a||^2: mean n + 1 (Gaussian), n - 1 (Rademacher, sphere);
  per-sample variance 2 m^2 + 22 m + 56 (Gaussian), 2 (n-2)^2 (n-1) / (n+2) (sphere),
  2 (n-2)^2 (1 - sum a^4 / ||a||^4) (Rademacher); zero for constant-norm tangents at n = 2 (r = 1 always);
- E|cos(g, a)| = Gamma(n/2) / (sqrt(pi) Gamma((n+1)/2)) for a uniformly random direction (Gaussian,
  sphere), E cos^2 = 1/n;
- the mean of K samples: E r_K = (n + 1) / K (Gaussian), Var r_K from the moments of one sample;
- orthogonal projection of a onto the span of K Gaussian tangents (a uniformly random K-dimensional
  subspace): cos^2 ~ Beta(K/2, (n-K)/2), E cos = Gamma((K+1)/2) Gamma(n/2) / (Gamma(K/2) Gamma((n+1)/2)),
  cos = 1 at K = n;
- forward-gradient descent on 1/2 ||x||^2 at lr = 1/(n+2): E f shrinks per step by (n+2)^-1 (Gaussian) and
  by (n+4)/(n+2)^2 (constant norm), so constant-norm tangents need about (n+2)/(n+4) as many iterations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

CONSTANT_NORM = ("rademacher", "sphere")
UNIFORM_DIRECTION = ("gaussian", "sphere")


def variance_theory(distribution: str, dim: int) -> float:
    """E ||g - a||^2 / ||a||^2 of one single-tangent forward gradient."""
    return dim + 1.0 if distribution == "gaussian" else dim - 1.0


def sq_error_variance(distribution: str, dim: int, grad: np.ndarray) -> float:
    """Per-sample variance of r = ||g - a||^2 / ||a||^2 (see the module docstring)."""
    m = dim - 1.0
    if distribution == "gaussian":
        return 2 * m * m + 22 * m + 56
    if distribution == "sphere":
        return 2 * (dim - 2.0) ** 2 * (dim - 1.0) / (dim + 2.0)
    a = np.asarray(grad, dtype=np.float64)
    quartic = float(np.sum(a**4) / np.sum(a**2) ** 2)
    return 2 * (dim - 2.0) ** 2 * (1.0 - quartic)


def is_degenerate(distribution: str, dim: int) -> bool:
    """Constant-norm tangents at n = 2: r = 1 exactly for every sample (zero variance)."""
    return distribution in CONSTANT_NORM and dim == 2


def abs_cosine_exact(dim: float) -> float:
    """E|cos(v, a)| for v uniformly distributed in direction."""
    return float(np.exp(special.gammaln(dim / 2) - special.gammaln((dim + 1) / 2)) / np.sqrt(np.pi))


def abs_cosine_variance(dim: int) -> float:
    """Var|cos(v, a)| = 1/n - (E|cos|)^2."""
    return 1.0 / dim - abs_cosine_exact(dim) ** 2


def projection_cosine_mean(k: int, dim: int) -> float:
    """E cos(P a, a) for P the projection onto K Gaussian tangents (1 at K = n)."""
    if k >= dim:
        return 1.0
    return float(
        np.exp(
            special.gammaln((k + 1) / 2)
            + special.gammaln(dim / 2)
            - special.gammaln(k / 2)
            - special.gammaln((dim + 1) / 2)
        )
    )


def projection_cosine_variance(k: int, dim: int) -> float:
    """Var cos(P a, a) = K/n - (E cos)^2 (0 at K = n)."""
    return max(k / dim - projection_cosine_mean(k, dim) ** 2, 0.0) if k < dim else 0.0


def mean_of_k_moments(dim: int, k: int) -> tuple[float, float]:
    """Mean and variance of ||mean of K Gaussian forward gradients - a||^2 / ||a||^2.

    With x_k = g_k - a i.i.d., zero mean, covariance Sigma: Var ||sum x_k||^2 = K Var ||x||^2 +
    2 K (K - 1) tr Sigma^2, and for Gaussian tangents tr Sigma = n + 1, tr Sigma^2 = n + 3 (||a|| = 1)."""
    single = sq_error_variance("gaussian", dim, np.ones(dim))
    mean = (dim + 1.0) / k
    variance = (k * single + 2.0 * k * (k - 1.0) * (dim + 3.0)) / k**4
    return mean, variance


@dataclass(frozen=True)
class Covariance:
    """Sigma = diag(diagonal) + coefficient * a a' (every law here has this form)."""

    diagonal: np.ndarray
    coefficient: float
    grad: np.ndarray


def covariance(distribution: str, grad: np.ndarray) -> Covariance:
    """The covariance of one forward-gradient sample (module docstring)."""
    a = np.asarray(grad, dtype=np.float64)
    n, sq = a.size, float(a @ a)
    if distribution == "gaussian":
        return Covariance(np.full(n, sq), 1.0, a)
    if distribution == "rademacher":
        return Covariance(sq - 2.0 * a * a, 1.0, a)
    c = n / (n + 2.0)
    return Covariance(np.full(n, c * sq), 2.0 * c - 1.0, a)


RANK_TOLERANCE = 1e-9
SUPPORT_TOLERANCE = 1e-4
"""A mean error outside Sigma's support counts only beyond 1e-4 ||a|| (about 800 float32 eps): the JVP and the
reverse-mode gradient round differently (Rosenbrock's cancelling terms leave ~1e-5 ||a|| at n = 2), and a
deterministic error below 1e-4 ||a|| is far below the smallest bias the pooled test detects."""


def omnibus_statistic(cov: Covariance, mean_error: np.ndarray, count: int) -> tuple[float, int, bool]:
    """T = S d' Sigma^+ d, the rank of Sigma, and whether d leaves Sigma's support (beyond rounding).

    Sherman-Morrison when the diagonal part is positive definite (then Sigma is, too); otherwise (a
    Rademacher gradient with a coordinate holding half of ||a||^2 or more, e.g. n = 2) an eigendecomposition
    with a relative rank tolerance, where d's component in the null space is measured."""
    d = np.asarray(mean_error, dtype=np.float64)
    a, diag, coef = cov.grad, cov.diagonal, cov.coefficient
    scale = float(np.max(np.abs(diag))) or 1.0
    if np.all(diag > RANK_TOLERANCE * scale):
        da, dd = a / diag, d / diag
        quad = float(d @ dd - coef * (d @ da) ** 2 / (1.0 + coef * (a @ da)))
        return count * quad, d.size, False
    values, vectors = np.linalg.eigh(np.diag(diag) + coef * np.outer(a, a))
    keep = values > RANK_TOLERANCE * max(float(values.max()), 1e-300)
    coords = vectors.T @ d
    quad = float(np.sum(coords[keep] ** 2 / values[keep]))
    null = float(np.sqrt(np.sum(coords[~keep] ** 2)))
    outside = null > SUPPORT_TOLERANCE * float(np.sqrt(a @ a))
    return count * quad, int(keep.sum()), bool(outside)


def along_gradient_variance(cov: Covariance) -> float:
    """Var of g . a / ||a||^2 under the law: a' Sigma a / ||a||^4."""
    a = cov.grad
    sq = float(a @ a)
    return float((a * a) @ cov.diagonal + cov.coefficient * sq * sq) / (sq * sq)


def along_gradient_precision(cov: Covariance) -> float:
    """a' Sigma^+ a (for the non-centrality of the omnibus test under a bias along a)."""
    a, diag, coef = cov.grad, cov.diagonal, cov.coefficient
    scale = float(np.max(np.abs(diag))) or 1.0
    if np.all(diag > RANK_TOLERANCE * scale):
        da = a / diag
        return float(a @ da - coef * (a @ da) ** 2 / (1.0 + coef * (a @ da)))
    return float(1.0 / along_gradient_variance(cov)) / float(a @ a)


def fgd_iteration_ratio(dim: int) -> float:
    """Expected iterations constant-norm / Gaussian for FGD on 1/2||x||^2 at lr 1/(n+2) (ratio of the
    per-step log contraction of E f)."""
    gaussian = np.log1p(-1.0 / (dim + 2.0))
    constant = np.log1p(-(dim + 4.0) / (dim + 2.0) ** 2)
    return float(gaussian / constant)
