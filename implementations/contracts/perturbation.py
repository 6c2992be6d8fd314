"""Contract of weight vs activity perturbation: ``implementations/<framework>/perturbation.py``.

Ren, Kornblith, Liao & Hinton 2023, *Scaling Forward Gradient with Local Losses* (ICLR 2023, arXiv
2210.03310), Sec. 3: a forward gradient of one layer's weights W_l [fan_in, fan_out] can perturb the weights
or the layer's activities.

- **weight perturbation**: ``g_W = (grad_W f . V) V`` with one tangent V over the whole weight matrix (the
  other parameters untouched): Baydin et al. 2022's estimator restricted to the layer;
- **activity perturbation**: each example n's pre-activations ``z_n = x_n W_l + b_l`` get their own tangent
  u_n in R^fan_out; one forward-mode pass of the per-example losses L_n gives ``d_n = grad_{z_n} L_n . u_n``;
  ``g_z,n = d_n u_n / B`` estimates grad_{z_n} f for f = (1/B) sum_n L_n, and the local Jacobian maps it to the
  weights: ``g_W = sum_n x_n g_z,n^T = X^T G_z`` (Ren et al.'s Eq. for the activity-perturbed gradient).

Both are unbiased for grad_W f when E[v v^T] = I. Their relative variances E||g - grad||^2 / ||grad||^2,
derived here (not stated in this form by Ren et al.) with a_n = grad_{z_n} f and G = X^T A = grad_W f:

- weight: ``n_W + 1`` (Gaussian) or ``n_W - 1`` (Rademacher), n_W = fan_in * fan_out (the variance identity
  of the single-tangent forward gradient);
- activity: ``c_q sum_n ||x_n||^2 ||a_n||^2 / ||G||_F^2`` with c_q = q + 1 (Gaussian) or q - 1 (Rademacher),
  q = fan_out: the examples' tangents are independent, so the cross terms vanish, and each example's
  estimate of a_n has relative variance c_q.

The net is the ReLU MLP objective ``mlp`` of :mod:`implementations.specs` (mean softmax cross-entropy on a
fixed batch); ``layer`` l = 0 ... L-1 counts weight matrices from the input.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Protocol

import numpy as np

from implementations.contracts._common import EPS32, require
from implementations.specs import ObjectiveSpec, mlp_init_flat, mlp_num_params, mlp_param_slices

ROLE = "method"

KINDS: tuple[str, ...] = ("weight", "activity")
TANGENT_LAWS: tuple[str, ...] = ("gaussian", "rademacher")


def check_request(spec: ObjectiveSpec, layer: int, kind: str, distribution: str = "gaussian") -> None:
    """Raise ValueError unless ``spec`` is an MLP, ``layer`` one of its weight matrices, and ``kind`` and
    ``distribution`` valid."""
    if spec.name != "mlp":
        raise ValueError(f"objective {spec.name!r}; valid: 'mlp'")
    if not 0 <= layer < len(spec.layers) - 1:
        raise ValueError(f"layer={layer}; valid: 0 ... {len(spec.layers) - 2}")
    if kind not in KINDS:
        raise ValueError(f"kind={kind!r}; valid: {', '.join(KINDS)}")
    if distribution not in TANGENT_LAWS:
        raise ValueError(f"distribution={distribution!r}; valid: {', '.join(TANGENT_LAWS)}")


def tangent_shape(spec: ObjectiveSpec, layer: int, kind: str) -> tuple[int, int]:
    """Shape of one tangent: the weight matrix [fan_in, fan_out] or the pre-activations [B, fan_out]."""
    fan_in, fan_out = spec.layers[layer], spec.layers[layer + 1]
    return (fan_in, fan_out) if kind == "weight" else (len(spec.inputs), fan_out)


class Perturbation(Protocol):
    """The NumPy-facing functions of ``implementations/<framework>/perturbation.py``."""

    def layer_gradient(self, spec: ObjectiveSpec, theta: np.ndarray, layer: int) -> np.ndarray:
        """float32 [fan_in, fan_out]: grad_W f of layer ``layer`` by backprop."""
        ...

    def perturbed_from_tangents(
        self, spec: ObjectiveSpec, theta: np.ndarray, layer: int, kind: str, tangents: np.ndarray
    ) -> np.ndarray:
        """float32 [S, fan_in, fan_out]: the estimate of ``kind`` for each given tangent [S, *tangent_shape]."""
        ...

    def iter_perturbed(
        self,
        spec: ObjectiveSpec,
        theta: np.ndarray,
        layer: int,
        kind: str,
        seed: int,
        distribution: str,
        count: int,
        chunk: int = 1024,
    ) -> Iterator[np.ndarray]:
        """``count`` estimates with tangents from the framework's generator, in [<= chunk, fan_in, fan_out]."""
        ...


PROTOCOL = Perturbation


# ---------------------------------------------------------------------------------------------------------
# float64 NumPy references


def layer_terms_numpy(spec: ObjectiveSpec, theta: np.ndarray, layer: int) -> tuple[np.ndarray, np.ndarray]:
    """(X [B, fan_in], A [B, fan_out]) of layer ``layer``: its inputs and grad_z f at its pre-activations
    (float64, by a hand-written backward pass of the ReLU MLP with mean softmax cross-entropy)."""
    parts = [np.asarray(theta, np.float64)[a:b].reshape(shape) for a, b, shape in mlp_param_slices(spec.layers)]
    weights, biases = parts[::2], parts[1::2]
    h, inputs, pre = np.asarray(spec.inputs, np.float64), [], []
    for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
        inputs.append(h)
        pre.append(h @ w + b)
        h = np.maximum(pre[-1], 0.0) if i < len(weights) - 1 else pre[-1]
    p = np.exp(h - h.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    grad = (p - np.eye(h.shape[1])[np.asarray(spec.labels)]) / len(h)
    for i in range(len(weights) - 1, layer, -1):
        grad = (grad @ weights[i].T) * (pre[i - 1] > 0)
    return inputs[layer], grad


def perturbed_numpy(x: np.ndarray, a: np.ndarray, kind: str, tangents: np.ndarray) -> np.ndarray:
    """float64 [S, fan_in, fan_out]: the estimates of ``kind`` for the tangents [S, ...] (module docstring)."""
    t = np.asarray(tangents, np.float64)
    if kind == "weight":
        return np.einsum("ij,sij->s", x.T @ a, t)[:, None, None] * t
    along = np.einsum("bo,sbo->sb", a, t)
    return np.einsum("bi,sbo->sio", x, along[:, :, None] * t)


def relative_variance_numpy(x: np.ndarray, a: np.ndarray, kind: str, distribution: str) -> float:
    """E||g - grad||^2 / ||grad||^2 of ``kind`` (module docstring)."""
    grad = x.T @ a
    if kind == "weight":
        n = grad.size
        return float(n + 1 if distribution == "gaussian" else n - 1)
    q = a.shape[1]
    c = q + 1 if distribution == "gaussian" else q - 1
    return float(c * np.sum(np.sum(x**2, axis=1) * np.sum(a**2, axis=1)) / np.sum(grad**2))


def draw_numpy(rng: np.random.Generator, distribution: str, shape: tuple[int, ...]) -> np.ndarray:
    """float32 tangents (parity inputs)."""
    if distribution == "gaussian":
        return rng.standard_normal(shape).astype(np.float32)
    return rng.choice(np.array([-1.0, 1.0], np.float32), size=shape)


# ---------------------------------------------------------------------------------------------------------
# checks


def reference_task() -> tuple[ObjectiveSpec, np.ndarray]:
    """A 7-6-4 ReLU MLP on a batch of 9 random inputs, NumPy-drawn: layer 0 has a ReLU tail after it, layer 1
    a ReLU input before it."""
    rng = np.random.default_rng(2210)
    layers = (7, 6, 4)
    spec = ObjectiveSpec(
        "mlp",
        mlp_num_params(layers),
        layers,
        rng.standard_normal((9, 7)).astype(np.float32),
        rng.integers(0, 4, 9).astype(np.int64),
    )
    return spec, mlp_init_flat(layers, rng)


def _tolerance(x: np.ndarray, a: np.ndarray, t: np.ndarray, kind: str) -> np.ndarray:
    """Float32 rounding bound of an estimate: |estimate| computed from |entries|, times 64 eps32 (sums of at
    most a few dozen products per entry, each rounded), plus a floor."""
    return 64 * EPS32 * np.abs(perturbed_numpy(np.abs(x), np.abs(a), kind, np.abs(t))) + 1e-7


def check_estimates_match_formulas(impl: ModuleType) -> None:
    """The layer gradient equals X^T A; both estimates equal their formulas on given tangents, every layer."""
    spec, theta = reference_task()
    rng = np.random.default_rng(3)
    for layer in range(len(spec.layers) - 1):
        x, a = layer_terms_numpy(spec, theta, layer)
        grad = impl.layer_gradient(spec, theta, layer)
        require(grad.shape == (x.shape[1], a.shape[1]) and grad.dtype == np.float32, f"layer_gradient {grad.shape}")
        np.testing.assert_allclose(grad, x.T @ a, rtol=1e-4, atol=1e-6 * np.abs(x.T @ a).max())
        for kind in KINDS:
            t = draw_numpy(rng, "gaussian", (5, *tangent_shape(spec, layer, kind)))
            got = impl.perturbed_from_tangents(spec, theta, layer, kind, t)
            require(got.shape == (5, *grad.shape) and got.dtype == np.float32, f"{kind} {got.shape} {got.dtype}")
            bad = np.abs(got - perturbed_numpy(x, a, kind, t)) > _tolerance(x, a, t, kind)
            require(not bad.any(), f"layer {layer} {kind}: estimate off its formula at {np.argwhere(bad)[:3]}")


def check_sampled_moments(impl: ModuleType) -> None:
    """Sampled estimates are unbiased (mean within 6 standard errors of grad_W f in every entry) and their
    mean relative squared error is within 6 standard errors of the derived variance, for each kind with one
    of the laws (fixed seeds: a deterministic check; a wrong scale or a missing 1/B fails it by far)."""
    spec, theta = reference_task()
    layer, count = 0, 3000
    x, a = layer_terms_numpy(spec, theta, layer)
    grad = x.T @ a
    for kind, distribution in zip(KINDS, TANGENT_LAWS[::-1], strict=True):
        rows = np.concatenate(list(impl.iter_perturbed(spec, theta, layer, kind, 5, distribution, count, 1000)))
        require(rows.shape == (count, *grad.shape) and rows.dtype == np.float32, f"iter_perturbed {rows.shape}")
        rows = rows.astype(np.float64)
        se = rows.std(axis=0) / np.sqrt(count)
        floor = 1e-5 * np.abs(grad).max()  # entries estimated exactly (zero spread) differ by float32 rounding
        require(bool(np.all(np.abs(rows.mean(axis=0) - grad) <= 6 * se + floor)), f"{kind} {distribution} biased")
        r = np.sum((rows - grad) ** 2, axis=(1, 2)) / np.sum(grad**2)
        theory = relative_variance_numpy(x, a, kind, distribution)
        require(
            abs(r.mean() - theory) <= 6 * r.std() / np.sqrt(count), f"{kind} {distribution}: {r.mean()} vs {theory}"
        )


def check_estimates_agree(impls: dict[str, ModuleType]) -> None:
    """Same tangents give the same estimates in every framework (twice the float32 bound of one side)."""
    spec, theta = reference_task()
    rng = np.random.default_rng(4)
    for layer in range(len(spec.layers) - 1):
        x, a = layer_terms_numpy(spec, theta, layer)
        for kind in KINDS:
            t = draw_numpy(rng, "rademacher", (4, *tangent_shape(spec, layer, kind)))
            results = {n: impl.perturbed_from_tangents(spec, theta, layer, kind, t) for n, impl in impls.items()}
            first, *others = results
            for other in others:
                bad = np.abs(results[other] - results[first]) > 2 * _tolerance(x, a, t, kind)
                require(not bad.any(), f"layer {layer} {kind}: {other} != {first}")


SINGLE_CHECKS = (check_estimates_match_formulas, check_sampled_moments)
PARITY_CHECKS = (check_estimates_agree,)
