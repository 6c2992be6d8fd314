"""The same seed gives identical tables twice per framework on the CPU."""

from __future__ import annotations

import pandas as pd

from benchmarks.experiments import estimator, fgd, projection
from benchmarks.experiments.common import RunContext
from tests.conftest import small_params

PARAMS = small_params(
    estimator={"functions": ["rosenbrock"], "dims": [2, 10], "samples": 256, "ks": [1, 4, 16]},
    projection={"dim": 50, "ks": [1, 4], "repeats": 8},
    fgd={"dims": [2, 10], "seeds": 4, "max_iterations": 2000},
)


def test_same_seed_identical_tables(api):
    ctx = RunContext(params=PARAMS, framework=api.NAME, api=api, device="cpu")
    for experiment in (estimator, projection, fgd):
        first, second = experiment.run(ctx), experiment.run(ctx)
        pd.testing.assert_frame_equal(first, second, check_exact=True)
