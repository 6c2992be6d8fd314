"""Optimizers against closed-form hand computations of their first two steps (n = 2), and the configs'
validation. g1 = (0.5, -1), g2 = (-0.25, 2), x0 = (1, -2); the second step's learning rate is
eta_1 = eta_0 exp(-decay)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from implementations.contracts.descent import DescentConfig
from implementations.contracts.forward_gradient import EstimatorConfig
from implementations.contracts.optimizers import OptimizerConfig

X0 = np.array([1.0, -2.0])
G = np.array([[0.5, -1.0], [-0.25, 2.0]])
LR, DECAY = 0.1, 0.5
LR1 = LR * math.exp(-DECAY)


def _run(optimizers, config: OptimizerConfig) -> np.ndarray:
    return optimizers.apply_gradient_sequence(config, X0.astype(np.float32), G.astype(np.float32)).astype(np.float64)


def _expect(path: np.ndarray, x1: np.ndarray, x2: np.ndarray) -> None:
    # float32 arithmetic on O(1) numbers: a few eps32 (1.2e-7) per operation
    np.testing.assert_allclose(path, np.stack([X0, x1, x2]), rtol=2e-6, atol=2e-6)


def test_sgd_with_decaying_schedule(optimizers):
    x1 = X0 - LR * G[0]
    _expect(_run(optimizers, OptimizerConfig("sgd", LR, decay=DECAY)), x1, x1 - LR1 * G[1])


def test_clipped_sgd_scales_to_the_clip_norm_only_above_it(optimizers):
    # ||g1|| = 1.118 and ||g2|| = 2.016: clip at 1.5 leaves g1 alone and rescales g2 to norm 1.5
    x1 = X0 - LR * G[0]
    x2 = x1 - LR1 * G[1] * (1.5 / np.linalg.norm(G[1]))
    _expect(_run(optimizers, OptimizerConfig("clipped_sgd", LR, decay=DECAY, clip_norm=1.5)), x1, x2)


def test_adam_bias_correction(optimizers):
    # step 1: m = 0.1 g1, s = 0.001 g1^2, bias-corrected m_hat = g1, s_hat = g1^2: the step is eta sign(g1)
    x1 = X0 - LR * np.sign(G[0])
    # step 2: m = 0.09 g1 + 0.1 g2, s = 0.000999 g1^2 + 0.001 g2^2, corrections 1 - 0.9^2 = 0.19 and
    # 1 - 0.999^2 = 0.001999
    m_hat = (0.09 * G[0] + 0.1 * G[1]) / 0.19
    s_hat = (0.000999 * G[0] ** 2 + 0.001 * G[1] ** 2) / 0.001999
    x2 = x1 - LR1 * m_hat / (np.sqrt(s_hat) + 1e-8)
    _expect(_run(optimizers, OptimizerConfig("adam", LR, decay=DECAY)), x1, x2)


def test_adabelief_centres_the_second_moment(optimizers):
    # step 1: m = 0.1 g1, s = 0.001 (g1 - m)^2 = 0.001 (0.9 g1)^2: the step is eta sign(g1) / 0.9
    x1 = X0 - LR * np.sign(G[0]) / 0.9
    # step 2: m = 0.09 g1 + 0.1 g2, s = 0.999 s_1 + 0.001 (g2 - m)^2 (eps_root 1e-16 is below float32's reach)
    m = 0.09 * G[0] + 0.1 * G[1]
    s = 0.999 * 0.001 * (0.9 * G[0]) ** 2 + 0.001 * (G[1] - m) ** 2
    x2 = x1 - LR1 * (m / 0.19) / (np.sqrt(s / 0.001999) + 1e-16)
    _expect(_run(optimizers, OptimizerConfig("adabelief", LR, decay=DECAY)), x1, x2)


def test_eps_defaults_follow_optax():
    assert OptimizerConfig("adam").epsilons() == (1e-8, 0.0)
    assert OptimizerConfig("adabelief").epsilons() == (1e-16, 1e-16)
    assert OptimizerConfig("adabelief", eps=1e-8).epsilons() == (1e-8, 1e-16)


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda: OptimizerConfig("rmsprop"), "sgd, clipped_sgd, adam, adabelief"),
        (lambda: OptimizerConfig(learning_rate=0.0), "learning_rate"),
        (lambda: OptimizerConfig(b2=1.0), "b2"),
        (lambda: EstimatorConfig(source="zeroth_order"), "backprop, forward, projection"),
        (lambda: EstimatorConfig(distribution="uniform"), "gaussian, rademacher, sphere"),
        (lambda: EstimatorConfig(derivative="fd"), "jvp, fd_forward, fd_central"),
        (lambda: EstimatorConfig(num_tangents=0), "num_tangents"),
        (lambda: DescentConfig(estimator="forward"), "EstimatorConfig"),
    ],
)
def test_configs_reject_bad_values_naming_the_field(make, message):
    with pytest.raises(ValueError, match=message):
        make()
