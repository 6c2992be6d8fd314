"""The same seed gives identical tables twice, per framework."""

from __future__ import annotations

import pandas as pd

from tests.forward_gradient.budgets import TINY
from tests.forward_gradient.helpers import run


def test_same_seed_identical_tables(framework: str) -> None:
    for experiment in ("estimator", "projection", "fgd"):
        first, second = run(TINY, framework, experiment), run(TINY, framework, experiment)
        pd.testing.assert_frame_equal(first, second, check_exact=True)
