"""Unit tests of the statistics behind the checks, on synthetic NumPy data (no framework)."""

from __future__ import annotations

import numpy as np
from scipy import stats as sps

from benchmarks import stats as st
from benchmarks.forward_gradient import theory
from benchmarks.verdicts import INCONCLUSIVE, NOT_REPRODUCED, REPRODUCED, all_of, band_verdict, family


def _forward_gradients(rng: np.random.Generator, law: str, grad: np.ndarray, count: int) -> np.ndarray:
    n = grad.size
    if law == "gaussian":
        v = rng.standard_normal((count, n))
    elif law == "rademacher":
        v = rng.choice([-1.0, 1.0], (count, n))
    else:
        v = rng.standard_normal((count, n))
        v *= np.sqrt(n) / np.linalg.norm(v, axis=1, keepdims=True)
    return (v @ grad)[:, None] * v


def test_covariances_and_moments_match_simulation() -> None:
    rng = np.random.default_rng(1)
    grad = rng.standard_normal(6)
    for law in ("gaussian", "rademacher", "sphere"):
        g = _forward_gradients(rng, law, grad, 400_000)
        cov = theory.covariance(law, grad)
        exact = np.diag(cov.diagonal) + cov.coefficient * np.outer(grad, grad)
        np.testing.assert_allclose(np.cov(g.T), exact, atol=0.05 * np.abs(exact).max())
        r = np.sum((g - grad) ** 2, axis=1) / (grad @ grad)
        assert abs(r.mean() / theory.variance_theory(law, 6) - 1) < 0.01
        assert abs(r.var() / theory.sq_error_variance(law, 6, grad) - 1) < 0.05


def test_omnibus_calibrated_under_the_claim() -> None:
    rng = np.random.default_rng(2)
    grad = rng.standard_normal(5)
    for law in ("gaussian", "rademacher", "sphere"):
        cov = theory.covariance(law, grad)
        p = []
        for _ in range(300):
            g = _forward_gradients(rng, law, grad, 400)
            t, rank, outside = theory.omnibus_statistic(cov, g.mean(axis=0) - grad, 400)
            p.append(float(st.chi2_omnibus_p(t, rank, outside)))
        assert sps.kstest(p, "uniform").pvalue > 1e-3, law


def test_omnibus_sees_what_no_sample_can_produce() -> None:
    grad = np.array([0.6, -1.3])  # Rademacher at n = 2: g - a lies on the line through (a2, a1)
    cov = theory.covariance("rademacher", grad)
    honest = np.array([grad[1], grad[0]]) * 0.01
    t, rank, outside = theory.omnibus_statistic(cov, honest, 1000)
    assert rank == 1 and not outside
    t, rank, outside = theory.omnibus_statistic(cov, honest + np.array([grad[0], -grad[1]]) * 1e-3, 1000)
    assert outside and st.chi2_omnibus_p(t, rank, outside) == 0.0


def test_zero_spread_is_decided_exactly() -> None:
    p = st.t_test_p_values(np.array([0.01, 0.0, 0.01]), np.array([0.0, 0.0, 1.0]), np.array([100, 100, 100]))
    assert p[0] == 0.0 and p[1] == 1.0 and 0.9 < p[2] <= 1.0


def test_holm_batch_matches_step_down() -> None:
    p = np.array([[0.001, 0.04, 0.03, 0.2], [0.2, 0.01, 0.012, 0.6]])
    np.testing.assert_array_equal(st.holm_reject(p, 0.05), [[True, False, False, False], [False, True, True, False]])


def test_block_bootstrap_resamples_the_independent_units() -> None:
    """The bootstrap sd of the slope matches its sd over independent data sets (resampling per K instead
    would ignore that every K reuses the same samples)."""
    rng = np.random.default_rng(3)
    ks, top, blocks = np.array([1, 2, 4, 8, 16]), 16, 64
    slopes, boot_sds = [], []
    for _ in range(150):
        x = rng.standard_normal((blocks * top, 3))
        sums = np.stack(
            [
                np.sum(np.sum(x.reshape(-1, k, 3).mean(axis=1) ** 2, axis=1).reshape(blocks, top // k), axis=1)
                for k in ks
            ],
            axis=1,
        )
        slope, boot = st.block_bootstrap_slope(np.log(ks), sums, top / ks, 400, rng)
        slopes.append(slope)
        boot_sds.append(boot.std())
    assert abs(np.mean(boot_sds) / np.std(slopes) - 1) < 0.2
    assert st.bootstrap_replicates_needed(st.simultaneous_confidence(0.95, 27)) >= 25 / (0.05 / 27 / 2) - 1


def test_smallest_detectable_is_monotone_and_bisects() -> None:
    noise = np.random.default_rng(4).standard_normal(4000)

    def rate(delta: float) -> float:
        return float(np.mean(delta + 0.01 * noise > 0.0196))

    size = st.smallest_detectable(rate, 1.0, 0.9)
    assert abs(size - 0.0196 - 0.01 * 1.2816) < 1e-3
    assert rate(size) >= 0.9 > rate(0.9 * size)
    assert st.smallest_detectable(rate, 0.001, 0.9) == float("inf")


def test_moments_merge_chunks() -> None:
    x = np.random.default_rng(5).standard_normal(1001)
    m = st.Moments()
    for part in np.array_split(x, 7):
        m.add(part)
    assert m.count == 1001 and np.isclose(m.mean, x.mean()) and np.isclose(m.variance, x.var(ddof=1))


def test_exact_laws() -> None:
    rng = np.random.default_rng(6)
    n, k = 40, 7
    q = np.linalg.qr(rng.standard_normal((20000, n, k)))[0]
    a = rng.standard_normal(n)
    cos = np.linalg.norm(np.einsum("rnk,n->rk", q, a), axis=1) / np.linalg.norm(a)
    assert abs(cos.mean() / theory.projection_cosine_mean(k, n) - 1) < 0.005
    assert abs(cos.var() / theory.projection_cosine_variance(k, n) - 1) < 0.05
    means = _forward_gradients(rng, "gaussian", a, 20000 * 4).reshape(20000, 4, n).mean(axis=1)
    r = np.sum((means - a) ** 2, axis=1) / (a @ a)
    mean, var = theory.mean_of_k_moments(n, 4)
    assert abs(r.mean() / mean - 1) < 0.01 and abs(r.var() / var - 1) < 0.06


def test_verdict_rules() -> None:
    assert band_verdict(0.98, 1.02, 0.97, 1.03) == REPRODUCED
    assert band_verdict(0.96, 1.02, 0.97, 1.03) == INCONCLUSIVE
    assert band_verdict(1.04, 1.05, 0.97, 1.03) == NOT_REPRODUCED
    assert all_of([REPRODUCED, INCONCLUSIVE]) == INCONCLUSIVE
    assert family([REPRODUCED, NOT_REPRODUCED]) == "partial"
