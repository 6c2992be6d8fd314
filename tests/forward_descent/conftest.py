"""Real runs shared by the study's tests (each experiment runs once per framework per session): the
paper-setting F3 runs and B3 runs of ``HONESTY``, and the TINY protocol run."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.forward_descent.helpers import HONESTY, TINY, run


@pytest.fixture(scope="session")
def real_tables() -> dict[str, dict[str, pd.DataFrame]]:
    """framework -> experiment -> table."""
    return {
        fw: {
            "descent_2d": run(HONESTY, fw, "descent_2d"),
            "dimension": run(HONESTY, fw, "dimension"),
            "protocol": run(TINY, fw, "protocol"),
        }
        for fw in ("pytorch", "jax")
    }
