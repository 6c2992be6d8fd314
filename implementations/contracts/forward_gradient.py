"""Contract of the gradient estimators: ``implementations/<framework>/forward_gradient.py``.

Sources of a gradient (all unbiased for tangents with E[v v^T] = I, Baydin et al. 2022, arXiv 2202.08587):

- ``backprop``: the exact gradient by reverse mode (the reference);
- ``forward``: the forward gradient ``g = (1/K) sum_k (grad f . v_k) v_k`` (Eq. 1-2, averaged over K i.i.d.
  tangents), the directional derivative ``grad f . v`` coming from one forward-mode JVP (Eq. 3) or a finite
  difference of step ``epsilon`` (``fd_forward``: (f(x+eps v) - f(x))/eps; ``fd_central``:
  (f(x+eps v) - f(x-eps v))/(2 eps));
- ``projection``: ``Q Q^T grad f`` with ``Q`` an orthonormal basis (QR) of the K tangents, computed from K
  directional derivatives along Q's columns: the orthogonal projection of Flügel et al. 2024 (not unbiased
  for grad f itself but for (K/n) grad f; its cosine with grad f is about sqrt(K/n)).

Tangent distributions (Belouze 2022, arXiv 2209.06302): ``gaussian`` N(0, I), ``rademacher`` uniform on
{-1, +1}^n, ``sphere`` uniform on the sphere of radius sqrt(n); each has E[v v^T] = I.

The NumPy-facing functions take an :class:`~implementations.specs.ObjectiveSpec` and float32 arrays. "Parity
mode" functions take the tangents as arguments so two frameworks can be fed identical randomness; the others
draw tangents from the framework's own generator seeded with ``seed`` (deterministic, not comparable across
frameworks).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Literal, Protocol

import numpy as np

from implementations.contracts._common import EPS32, Task, directional_tolerance, reference_tasks, require
from implementations.specs import (
    DERIVATIVES,
    DISTRIBUTIONS,
    Derivative,
    Distribution,
    ObjectiveSpec,
    sample_tangents_numpy,
)

ROLE = "method"

Source = Literal["backprop", "forward", "projection"]
SOURCES: tuple[str, ...] = ("backprop", "forward", "projection")


@dataclass(frozen=True)
class EstimatorConfig:
    """Where the gradient comes from and, for forward gradients, how tangents are drawn and differentiated."""

    source: Source = "forward"
    distribution: Distribution = "gaussian"
    num_tangents: int = 1
    derivative: Derivative = "jvp"
    epsilon: float = 1e-3

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"source={self.source!r}; valid: {', '.join(SOURCES)}")
        if self.distribution not in DISTRIBUTIONS:
            raise ValueError(f"distribution={self.distribution!r}; valid: {', '.join(DISTRIBUTIONS)}")
        if self.derivative not in DERIVATIVES:
            raise ValueError(f"derivative={self.derivative!r}; valid: {', '.join(DERIVATIVES)}")
        if not isinstance(self.num_tangents, int) or self.num_tangents < 1:
            raise ValueError(f"num_tangents={self.num_tangents!r}; must be an int >= 1")
        if not self.epsilon > 0:
            raise ValueError(f"epsilon={self.epsilon}; must be > 0")


class ForwardGradientMethod(Protocol):
    """The NumPy-facing functions of ``implementations/<framework>/forward_gradient.py``."""

    def gradient(self, spec: ObjectiveSpec, theta: np.ndarray) -> np.ndarray:
        """The exact gradient by reverse mode, [n] float32."""
        ...

    def objective_value(self, spec: ObjectiveSpec, theta: np.ndarray) -> float:
        """f(theta)."""
        ...

    def sample_tangents(self, seed: int, distribution: str, count: int, dim: int) -> np.ndarray:
        """``count`` tangents from the framework's native generator, [count, dim] float32."""
        ...

    def directional_derivatives(
        self,
        spec: ObjectiveSpec,
        theta: np.ndarray,
        tangents: np.ndarray,
        derivative: str = "jvp",
        epsilon: float = 1e-3,
    ) -> np.ndarray:
        """``grad f . v`` for each given tangent row (parity mode), [K] float32."""
        ...

    def estimate_from_tangents(
        self, spec: ObjectiveSpec, theta: np.ndarray, tangents: np.ndarray, estimator: EstimatorConfig
    ) -> np.ndarray:
        """The estimate of ``estimator.source`` from the given [K, n] tangents (parity mode), [n] float32."""
        ...

    def iter_single_tangent_samples(
        self,
        spec: ObjectiveSpec,
        theta: np.ndarray,
        seed: int,
        distribution: str,
        count: int,
        chunk: int = 4096,
        derivative: str = "jvp",
        epsilon: float = 1e-3,
    ) -> Iterator[np.ndarray]:
        """``count`` single-tangent forward gradients ``(grad f . v) v`` in consecutive [<= chunk, n] arrays."""
        ...

    def aggregated_samples(
        self, spec: ObjectiveSpec, theta: np.ndarray, seed: int, estimator: EstimatorConfig, repeats: int
    ) -> np.ndarray:
        """``repeats`` independent K-tangent estimates (K = ``estimator.num_tangents``), [repeats, n] float32."""
        ...


PROTOCOL = ForwardGradientMethod


def forward_reference(grad: np.ndarray, tangents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(float64 forward gradient (1/K) sum_k (g . v_k) v_k, per-entry float32 tolerance).

    Each ``g . v_k`` carries :func:`directional_tolerance`; averaging K products ``dd_k v_k`` adds about
    ``K eps`` relative rounding of ``sum_k |dd_k v_k|``, hence the second term.
    """
    t = tangents.astype(np.float64)
    dd = t @ grad.astype(np.float64)
    k = len(tangents)
    atol = (directional_tolerance(grad, tangents) + 4 * k * EPS32 * np.abs(dd)) @ np.abs(t) / k
    return dd @ t / k, atol


def projection_reference(grad: np.ndarray, tangents: np.ndarray) -> tuple[np.ndarray, float]:
    """(float64 ``Q Q^T g``, float32 tolerance).

    Householder QR in float32 has a backward error of about ``n K eps kappa(V)`` relative (Higham 2002,
    Thm. 19.4), which moves the projector ``Q Q^T`` by as much; for the Gaussian tangents used here
    ``kappa(V)`` is O(1). We allow that bound times ``||g||`` (a wrong basis or a missing normalisation is
    off by O(||g||)).
    """
    t = tangents.astype(np.float64)
    q, _ = np.linalg.qr(t.T)
    n, k = t.shape[1], t.shape[0]
    sv = np.linalg.svd(t, compute_uv=False)
    kappa = float(sv.max() / sv.min())
    return q @ (q.T @ grad.astype(np.float64)), n * k * EPS32 * kappa * float(np.linalg.norm(grad)) + 1e-6


def gradient_tolerance(grad: np.ndarray) -> tuple[float, float]:
    """(rtol, atol) for two float32 reverse-mode gradients of the same function at the same point.

    Each entry is a sum of at most a few hundred rounded terms here (Rosenbrock: 3; the MLP: batch 16 x
    hidden 5 x classes 3), so its relative error stays below ~300 eps = 4e-5: rtol 1e-4, and an absolute
    floor of 1e-5 of the largest entry for entries that cancel to nearly zero.
    """
    return 1e-4, 1e-5 * float(np.abs(grad).max()) + 1e-7


def _tangent_count(task: Task) -> int:
    return min(8, task.spec.dim)


def _numpy_tangents(task: Task, distribution: str, count: int, seed: int = 0) -> np.ndarray:
    return sample_tangents_numpy(np.random.default_rng(seed), distribution, count, task.spec.dim)


_SHAPE_SETTINGS = {"tangents": 3, "chunk": 4, "repeats": 4, "distribution": "rademacher"}


def check_shapes_and_dtypes(impl: ModuleType) -> None:
    """Every function returns the documented shape and float32 dtype (on the MLP objective)."""
    task, k = reference_tasks()[3], _SHAPE_SETTINGS["tangents"]
    n, distribution = task.spec.dim, _SHAPE_SETTINGS["distribution"]
    tangents = _numpy_tangents(task, "gaussian", k)
    grad = impl.gradient(task.spec, task.theta)
    require(grad.shape == (n,) and grad.dtype == np.float32, f"gradient {grad.shape} {grad.dtype}")
    require(isinstance(impl.objective_value(task.spec, task.theta), float), "objective_value type")
    drawn = impl.sample_tangents(1, "sphere", 5, n)
    require(drawn.shape == (5, n) and drawn.dtype == np.float32, f"sample_tangents {drawn.shape} {drawn.dtype}")
    for derivative in DERIVATIVES:
        dd = impl.directional_derivatives(task.spec, task.theta, tangents, derivative, 1e-2)
        require(dd.shape == (k,) and dd.dtype == np.float32, f"directional_derivatives {derivative} {dd.shape}")
    for source in SOURCES:
        g = impl.estimate_from_tangents(task.spec, task.theta, tangents, EstimatorConfig(source, num_tangents=k))
        require(g.shape == (n,) and g.dtype == np.float32, f"estimate_from_tangents {source} {g.shape}")
    chunks = list(
        impl.iter_single_tangent_samples(task.spec, task.theta, 0, distribution, 11, _SHAPE_SETTINGS["chunk"])
    )
    require([len(c) for c in chunks] == [4, 4, 3], f"chunk sizes {[len(c) for c in chunks]}")
    require(all(c.shape[1:] == (n,) and c.dtype == np.float32 for c in chunks), "chunk shape/dtype")
    for source in SOURCES:
        config = EstimatorConfig(source, distribution, num_tangents=k)
        rows = impl.aggregated_samples(task.spec, task.theta, 0, config, _SHAPE_SETTINGS["repeats"])
        require(rows.shape == (4, n) and rows.dtype == np.float32, f"aggregated_samples {source} {rows.shape}")


def check_determinism(impl: ModuleType) -> None:
    """The same seed gives identical arrays twice; another seed gives different ones."""
    task, k = reference_tasks()[3], _SHAPE_SETTINGS["tangents"]
    n, distribution = task.spec.dim, _SHAPE_SETTINGS["distribution"]
    for name in DISTRIBUTIONS:
        first = impl.sample_tangents(3, name, 5, n)
        np.testing.assert_array_equal(first, impl.sample_tangents(3, name, 5, n))
        require(not np.array_equal(first, impl.sample_tangents(4, name, 5, n)), f"{name}: seed ignored")

    def singles(seed: int) -> np.ndarray:
        chunk = _SHAPE_SETTINGS["chunk"]
        return np.concatenate(
            list(impl.iter_single_tangent_samples(task.spec, task.theta, seed, distribution, 9, chunk))
        )

    np.testing.assert_array_equal(singles(5), singles(5))
    require(not np.array_equal(singles(5), singles(6)), "iter_single_tangent_samples ignores the seed")
    for source in ("forward", "projection"):
        config = EstimatorConfig(source, distribution, num_tangents=k)
        rows = impl.aggregated_samples(task.spec, task.theta, 7, config, _SHAPE_SETTINGS["repeats"])
        np.testing.assert_array_equal(rows, impl.aggregated_samples(task.spec, task.theta, 7, config, 4))
        require(not np.array_equal(rows, impl.aggregated_samples(task.spec, task.theta, 8, config, 4)), "seed ignored")
        require(len(np.unique(rows, axis=0)) == 4, f"aggregated_samples {source}: repeats are not independent")


def check_estimates_match_formulas(impl: ModuleType) -> None:
    """Parity mode against float64 NumPy formulas built on the framework's own backprop gradient: the JVP
    equals ``grad f . v``; ``forward`` is the tangent mean; ``projection`` is ``Q Q^T grad f``."""
    for task in reference_tasks():
        grad = impl.gradient(task.spec, task.theta)
        for distribution in DISTRIBUTIONS:
            tangents = _numpy_tangents(task, distribution, _tangent_count(task))
            dd = impl.directional_derivatives(task.spec, task.theta, tangents, "jvp")
            exact = tangents.astype(np.float64) @ grad.astype(np.float64)
            bad = np.abs(dd - exact) > directional_tolerance(grad, tangents)
            require(not bad.any(), f"{task.label} {distribution}: JVP {dd[bad]} != grad f . v {exact[bad]}")
            config = EstimatorConfig("forward", distribution, len(tangents))
            reference, atol = forward_reference(grad, tangents)
            got = impl.estimate_from_tangents(task.spec, task.theta, tangents, config)
            bad = np.abs(got - reference) > atol
            require(not bad.any(), f"{task.label} {distribution}: forward estimate off at {np.flatnonzero(bad)}")
            projected = impl.estimate_from_tangents(task.spec, task.theta, tangents, EstimatorConfig("projection"))
            reference, tol = projection_reference(grad, tangents)
            require(np.abs(projected - reference).max() <= tol, f"{task.label} {distribution}: projection off")
        backprop = impl.estimate_from_tangents(task.spec, task.theta, tangents, EstimatorConfig("backprop"))
        np.testing.assert_array_equal(backprop, grad)


def check_sampled_estimates_are_unbiased(impl: ModuleType) -> None:
    """The mean of the sampled forward gradients is grad f (Baydin et al. 2022, Thm. 1) within 6 standard
    errors (a deterministic check: the seed is fixed; a wrong scale or a biased tangent fails it by far)."""
    task = reference_tasks()[2]
    grad = impl.gradient(task.spec, task.theta).astype(np.float64)
    count = 4096
    for distribution in DISTRIBUTIONS:
        rows = np.concatenate(
            list(impl.iter_single_tangent_samples(task.spec, task.theta, 1, distribution, count, 1000))
        ).astype(np.float64)
        require(rows.shape == (count, task.spec.dim), f"iter_single_tangent_samples rows {rows.shape}")
        se = rows.std(axis=0) / np.sqrt(count)
        require(bool(np.all(np.abs(rows.mean(axis=0) - grad) <= 6 * se)), f"single {distribution}: biased mean")
    config = EstimatorConfig("forward", "sphere", num_tangents=4)
    rows = impl.aggregated_samples(task.spec, task.theta, 2, config, count).astype(np.float64)
    se = rows.std(axis=0) / np.sqrt(count)
    require(bool(np.all(np.abs(rows.mean(axis=0) - grad) <= 6 * se)), "mean of K sphere tangents: biased mean")


def check_gradients_and_values_agree(impls: dict[str, ModuleType]) -> None:
    """Both frameworks give the same f(theta) (rel 1e-5: a sum of <= 50 rounded terms) and backprop
    gradient (:func:`gradient_tolerance`)."""
    for task in reference_tasks():
        grads = {name: impl.gradient(task.spec, task.theta) for name, impl in impls.items()}
        values = {name: impl.objective_value(task.spec, task.theta) for name, impl in impls.items()}
        first, *others = grads
        rtol, atol = gradient_tolerance(grads[first])
        for other in others:
            np.testing.assert_allclose(grads[other], grads[first], rtol=rtol, atol=atol, err_msg=task.label)
            np.testing.assert_allclose(values[other], values[first], rtol=1e-5, err_msg=task.label)


def check_directional_derivatives_agree(impls: dict[str, ModuleType]) -> None:
    """Same theta and tangents give the same directional derivatives in every framework: JVPs within
    twice :func:`directional_tolerance`; finite differences (Rosenbrock 2-D, eps = 1e-2) within their
    cancellation error ``8 eps32 (|f(x)| + |f(x + eps v)| + |grad f| |x| |v|) / eps`` (each evaluation of f and
    each rounded point x + eps v is off by a few eps32 relative, and the difference is divided by eps)."""
    for task in reference_tasks():
        grad = next(iter(impls.values())).gradient(task.spec, task.theta)
        tangents = _numpy_tangents(task, "gaussian", _tangent_count(task), seed=1)
        tol = 2 * directional_tolerance(grad, tangents)
        results = {name: impl.directional_derivatives(task.spec, task.theta, tangents) for name, impl in impls.items()}
        first, *others = results
        for other in others:
            require(bool(np.all(np.abs(results[other] - results[first]) <= tol)), f"{task.label}: JVPs differ")
    task, epsilon = reference_tasks()[2], 1e-2
    impl = next(iter(impls.values()))
    tangents = _numpy_tangents(task, "gaussian", 4, seed=1)
    grad = impl.gradient(task.spec, task.theta)
    shifted = max(abs(impl.objective_value(task.spec, task.theta + epsilon * v)) for v in tangents)
    scale = abs(impl.objective_value(task.spec, task.theta)) + shifted
    scale += float(np.abs(grad) @ np.abs(task.theta)) * float(np.abs(tangents).max())
    for derivative in ("fd_forward", "fd_central"):
        results = {
            name: impl.directional_derivatives(task.spec, task.theta, tangents, derivative, epsilon)
            for name, impl in impls.items()
        }
        first, *others = results
        for other in others:
            np.testing.assert_allclose(results[other], results[first], atol=8 * EPS32 * scale / epsilon)


def check_estimates_agree(impls: dict[str, ModuleType]) -> None:
    """Same theta and tangents give the same estimate of every source in every framework, within the
    tolerances of :func:`forward_reference`, :func:`projection_reference` and :func:`gradient_tolerance`
    (doubled: both sides round)."""
    for task in reference_tasks():
        grad = next(iter(impls.values())).gradient(task.spec, task.theta)
        tangents = _numpy_tangents(task, "sphere", _tangent_count(task), seed=2)
        rtol, floor = gradient_tolerance(grad)
        tolerances = {
            "forward": 2 * forward_reference(grad, tangents)[1],
            "projection": 2 * projection_reference(grad, tangents)[1],
            "backprop": 2 * (rtol * np.abs(grad) + floor),
        }
        for source in SOURCES:
            config = EstimatorConfig(source, "sphere", len(tangents))
            results = {
                n: impl.estimate_from_tangents(task.spec, task.theta, tangents, config) for n, impl in impls.items()
            }
            first, *others = results
            for other in others:
                bad = np.abs(results[other] - results[first]) > tolerances[source]
                require(not bad.any(), f"{task.label} {source}: {other} != {first} at {np.flatnonzero(bad)}")


SINGLE_CHECKS = (
    check_shapes_and_dtypes,
    check_determinism,
    check_estimates_match_formulas,
    check_sampled_estimates_are_unbiased,
)
PARITY_CHECKS = (check_gradients_and_values_agree, check_directional_derivatives_agree, check_estimates_agree)
