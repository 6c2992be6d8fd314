"""Every claim check reads an honest run as ``reproduced`` and a run with a defect NEAR its smallest
detectable size as ``not reproduced``, in both frameworks.

The defect is planted by wrapping a method module (one function replaced); its size is 1.4 x the smallest
detectable defect that the check reports for the honest run at this budget, and it is planted away from
degenerate configurations (n >= 10, K < n). Seeds are fixed, so the outcome is deterministic. B4 is a family
of sub-claims (B4a averaging, B4b projection): a projection defect must make B4b read ``not reproduced``
(the claim then reads ``partial``).
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.verdicts import NOT_REPRODUCED, PARTIAL, REPRODUCED
from tests.forward_gradient.budgets import HONESTY
from tests.forward_gradient.helpers import claim, methods_for, run, wrapped

FACTOR = 1.4


@pytest.fixture(scope="module")
def honest(framework: str) -> dict:
    """Honest tables of every experiment the claims read."""
    return {name: run(HONESTY, framework, name) for name in ("estimator", "projection", "fgd")}


def _judge(claim_id: str, tables: dict) -> object:
    c = claim(claim_id)
    return c.evaluate({name: tables[name] for name in c.experiments})


def _honest_result(claim_id: str, honest: dict) -> object:
    result = _judge(claim_id, honest)
    assert result.verdict == REPRODUCED, f"honest {claim_id}: {result.summary}"
    assert result.detectable is not None and np.isfinite(result.detectable.size), result.detectable
    return result


def _single_tangent_defect(fg: object, transform) -> object:
    """forward_gradient with every single-tangent sample passed through ``transform(chunk, grad, law)``."""

    def samples(spec, theta, seed, distribution, count, chunk=4096, derivative="jvp", epsilon=1e-3):
        grad = fg.gradient(spec, theta)
        for rows in fg.iter_single_tangent_samples(spec, theta, seed, distribution, count, chunk, derivative, epsilon):
            yield transform(rows, grad, distribution).astype(np.float32)

    return wrapped(fg, iter_single_tangent_samples=samples)


def test_f1_bias_along_gradient(framework: str, honest: dict) -> None:
    delta = FACTOR * _honest_result("F1", honest).detectable.size
    fg = methods_for(framework, "estimator")["forward_gradient"]
    planted = _single_tangent_defect(fg, lambda rows, grad, law: rows + delta * grad)
    result = _judge("F1", {"estimator": run(HONESTY, framework, "estimator", forward_gradient=planted)})
    assert result.verdict == NOT_REPRODUCED, f"bias {delta:.4f}: {result.summary}"


def test_f2_systematic_variance_excess(framework: str, honest: dict) -> None:
    eps = FACTOR * _honest_result("F2", honest).detectable.size
    fg = methods_for(framework, "estimator")["forward_gradient"]
    planted = _single_tangent_defect(fg, lambda rows, grad, law: grad + np.sqrt(1 + eps) * (rows - grad))
    result = _judge("F2", {"estimator": run(HONESTY, framework, "estimator", forward_gradient=planted)})
    assert result.verdict == NOT_REPRODUCED, f"excess {eps:.4f}: {result.summary}"


def test_b1_constant_norm_slightly_worse(framework: str, honest: dict) -> None:
    eps = FACTOR * _honest_result("B1", honest).detectable.size

    def worse(rows, grad, law):
        return grad + np.sqrt(1 + eps) * (rows - grad) if law != "gaussian" else rows

    fg = methods_for(framework, "estimator")["forward_gradient"]
    planted = _single_tangent_defect(fg, worse)
    estimator = run(HONESTY, framework, "estimator", forward_gradient=planted)
    result = _judge("B1", {"estimator": estimator, "fgd": honest["fgd"]})
    assert result.verdict == NOT_REPRODUCED, f"excess {eps:.4f}: {result.summary}"


def _subclaim(result: object, name: str) -> str:
    return next(d["verdict"] for d in result.details if d.get("part") == f"sub-claim {name}")


def _shortfall_projection(fg: object, eps: float) -> object:
    """Projection estimates whose cosine with grad f is exactly (1 - eps) x the honest one: add a component
    orthogonal to grad f and to the projection, of the size that shrinks the cosine by that factor."""

    def aggregated(spec, theta, seed, estimator, repeats):
        rows = fg.aggregated_samples(spec, theta, seed, estimator, repeats).astype(np.float64)
        if estimator.source != "projection":
            return rows.astype(np.float32)
        grad = fg.gradient(spec, theta).astype(np.float64)
        unit = grad / np.linalg.norm(grad)
        noise = np.random.default_rng(seed).standard_normal(rows.shape)
        noise -= np.outer(noise @ unit, unit)
        along = rows - np.outer(rows @ unit, unit)
        along_norm = np.linalg.norm(along, axis=1, keepdims=True)
        basis = np.divide(along, along_norm, out=np.zeros_like(along), where=along_norm > 0)
        noise -= (noise * basis).sum(axis=1, keepdims=True) * basis
        noise /= np.linalg.norm(noise, axis=1, keepdims=True)
        size = np.linalg.norm(rows, axis=1, keepdims=True) * np.sqrt((1 - eps) ** -2 - 1)
        return (rows + size * noise).astype(np.float32)

    return wrapped(fg, aggregated_samples=aggregated)


def test_b4_projection_short_of_exact_law(framework: str, honest: dict) -> None:
    eps = FACTOR * _honest_result("B4", honest).detectable.size
    fg = methods_for(framework, "projection")["forward_gradient"]
    table = run(HONESTY, framework, "projection", forward_gradient=_shortfall_projection(fg, eps))
    result = _judge("B4", {"projection": table})
    assert _subclaim(result, "B4b") == NOT_REPRODUCED, f"shortfall {eps:.4f}: {result.summary}"
    assert result.verdict == PARTIAL, result.summary  # B4 is a family: B4a (averaging) still holds


def test_b4_projection_that_averages(framework: str, honest: dict) -> None:
    honest_result = _honest_result("B4", honest)
    assert _subclaim(honest_result, "B4b") == REPRODUCED
    fg = methods_for(framework, "projection")["forward_gradient"]

    def averaging(spec, theta, seed, estimator, repeats):
        if estimator.source == "projection":
            estimator = type(estimator)("forward", estimator.distribution, estimator.num_tangents)
        return fg.aggregated_samples(spec, theta, seed, estimator, repeats)

    table = run(HONESTY, framework, "projection", forward_gradient=wrapped(fg, aggregated_samples=averaging))
    result = _judge("B4", {"projection": table})
    assert _subclaim(result, "B4b") == NOT_REPRODUCED, result.summary
