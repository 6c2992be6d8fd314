"""Statistics helpers and verdict logic."""

from __future__ import annotations

import numpy as np

from benchmarks import stats as st


def test_holm_matches_step_down_definition():
    p = np.array([0.001, 0.02, 0.04, 0.5])
    # thresholds at alpha 0.05: 0.0125, 0.0167, 0.025, 0.05 -> only the first passes, then it stops
    assert st.holm_reject(p, 0.05).tolist() == [True, False, False, False]
    assert st.holm_reject(np.array([0.001, 0.01, 0.02]), 0.05).tolist() == [True, True, True]


def test_t_test_detects_shift_and_not_noise():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(4000)
    assert st.t_test_p_values(np.array([x.mean()]), np.array([x.std(ddof=1)]), np.array([x.size]))[0] > 0.001
    assert st.t_test_p_values(np.array([x.mean() + 0.2]), np.array([x.std(ddof=1)]), np.array([x.size]))[0] < 1e-6


def test_slope_bootstrap_recovers_known_slope():
    rng = np.random.default_rng(1)
    groups = [(k, rng.standard_normal(400) / np.sqrt(k)) for k in (1, 4, 16, 64)]
    slope, boot = st.slope_bootstrap(groups, st.rms, 200, rng)
    low, high = st.percentile_ci(boot, 0.95)
    assert abs(slope + 0.5) < 0.05 and low < slope < high


def test_band_and_combination_rules():
    assert st.band_verdict(0.1, 0.2, 0.0, 1.0) == st.REPRODUCED
    assert st.band_verdict(1.1, 1.2, 0.0, 1.0) == st.NOT_REPRODUCED
    assert st.band_verdict(0.9, 1.2, 0.0, 1.0) == st.INCONCLUSIVE
    assert st.combine_verdicts([st.REPRODUCED, st.NOT_REPRODUCED]) == st.PARTIAL
    assert st.combine_verdicts([st.INCONCLUSIVE, st.NOT_REPRODUCED]) == st.NOT_REPRODUCED
    assert st.combine_verdicts([st.REPRODUCED, st.INCONCLUSIVE]) == st.INCONCLUSIVE
    assert st.strict_verdict([st.REPRODUCED, st.NOT_REPRODUCED]) == st.NOT_REPRODUCED
    assert st.strict_verdict([st.REPRODUCED]) == st.REPRODUCED
