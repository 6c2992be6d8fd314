"""Every claim check fails on a planted defect.

The real experiments run at a small budget through a framework API wrapped with one defect (a biased or
mis-scaled estimator, inflated variance, slower constant-norm tangents, a projection that ignores K); the
claim's verdict must become ``not reproduced``. The same run without the defect must not be refuted.
"""

from __future__ import annotations

import types

import numpy as np
import pandas as pd
import pytest

from benchmarks.claims.registry import get_claim
from benchmarks.experiments import estimator, fgd, projection
from benchmarks.experiments.common import RunContext
from benchmarks.frameworks import load_framework
from benchmarks.stats import NOT_REPRODUCED
from tests.conftest import small_params

PARAMS = small_params(
    estimator={
        "functions": ["quadratic", "rosenbrock"],
        "dims": [2, 10, 100],
        "samples": 2048,
        "ks": [1, 2, 4, 8, 16, 32, 64],
    },
    projection={"dim": 200, "ks": [1, 4, 16, 64], "repeats": 64},
    fgd={"dims": [2, 10], "seeds": 20, "max_iterations": 5000},
)


def _wrapped(base: types.ModuleType, **replacements) -> types.SimpleNamespace:
    """A copy of the API module's namespace with some functions replaced (the planted defect)."""
    names = {k: getattr(base, k) for k in dir(base) if not k.startswith("_")}
    return types.SimpleNamespace(**(names | replacements))


def _tables(api, *experiments) -> dict[str, pd.DataFrame]:
    ctx = RunContext(params=PARAMS, framework="pytorch", api=api, device="cpu (test)")
    return {m.NAME: m.run(ctx) for m in experiments}


@pytest.fixture(scope="module")
def torch_api():
    return load_framework("pytorch", "cpu", 2)


def _scaled_samples(base, bias: float = 1.0, noise: float = 1.0, only=None):
    def samples(spec, theta, seed, distribution, count, *args, **kwargs):
        g = base.forward_gradient_samples(spec, theta, seed, distribution, count, *args, **kwargs)
        if only is not None and distribution not in only:
            return g
        grad = base.gradient(spec, theta)
        return (bias * (grad + noise * (g - grad))).astype(np.float32)

    return samples


def test_f1_fails_on_biased_estimator(torch_api):
    claim = get_claim("F1")
    honest = claim.evaluate(_tables(torch_api, estimator))
    assert honest.verdict != NOT_REPRODUCED, honest.summary
    planted = _wrapped(torch_api, forward_gradient_samples=_scaled_samples(torch_api, bias=1.2))
    assert claim.evaluate(_tables(planted, estimator)).verdict == NOT_REPRODUCED


def test_f2_fails_on_variance_off_by_a_factor(torch_api):
    claim = get_claim("F2")
    honest = claim.evaluate(_tables(torch_api, estimator))
    assert honest.verdict != NOT_REPRODUCED, honest.summary
    planted = _wrapped(torch_api, forward_gradient_samples=_scaled_samples(torch_api, noise=np.sqrt(1.25)))
    result = claim.evaluate(_tables(planted, estimator))
    assert result.verdict == NOT_REPRODUCED, result.summary


def test_b1_fails_when_constant_norm_tangents_are_worse(torch_api):
    claim = get_claim("B1")
    honest = claim.evaluate(_tables(torch_api, estimator, fgd))
    assert honest.verdict != NOT_REPRODUCED, honest.summary

    def slower_fgd(spec, starts, seed, distribution, *args):
        hits = torch_api.fgd_iterations(spec, starts, seed, "gaussian", *args)
        return hits if distribution == "gaussian" else np.where(hits >= 0, hits * 2, hits)

    planted = _wrapped(
        torch_api,
        forward_gradient_samples=_scaled_samples(torch_api, noise=2.0, only=("rademacher", "sphere")),
        fgd_iterations=slower_fgd,
    )
    result = claim.evaluate(_tables(planted, estimator, fgd))
    assert result.verdict == NOT_REPRODUCED, result.summary


def test_b4_fails_when_k_tangents_do_not_help(torch_api):
    claim = get_claim("B4")
    honest = claim.evaluate(_tables(torch_api, projection))
    assert honest.verdict != NOT_REPRODUCED, honest.summary

    def one_tangent_projection(spec, theta, seed, distribution, k, repeats):
        return torch_api.projected_gradient_samples(spec, theta, seed, distribution, 1, repeats)

    def repeated_samples(spec, theta, seed, distribution, count, *args, **kwargs):
        first = torch_api.forward_gradient_samples(spec, theta, seed, distribution, 1, *args, **kwargs)
        return np.repeat(first, count, axis=0)

    planted = _wrapped(
        torch_api,
        projected_gradient_samples=one_tangent_projection,
        forward_gradient_samples=repeated_samples,
    )
    result = claim.evaluate(_tables(planted, projection))
    assert result.verdict == NOT_REPRODUCED, result.summary
