"""Bad values in the study's params block are rejected before any compute, naming the dotted key and what
is valid."""

from __future__ import annotations

import pytest

from benchmarks.config import ParamsError
from tests.conftest import small_params


@pytest.mark.parametrize(
    ("block", "values", "expected"),
    [
        ("step_cost", {"kinds": ["forward", "fg"]}, "step_cost.kinds"),
        ("step_cost", {"ks": [2, 4]}, "step_cost.ks"),
        ("depth", {"depths": [1, 1, 2]}, "depth.depths"),
        ("same_lr", {"judged": "cnn"}, "same_lr.judged"),
        ("same_lr", {"steps": {"mlp": 41}}, "same_lr.steps.mlp"),
        ("tuned_lr", {"lrs": {"backprop": [0.1, 0.01], "forward_gradient": [0.001, 0.003]}}, "tuned_lr.lrs.backprop"),
        ("memory", {"dataset": "cifar10"}, "memory.dataset"),
    ],
)
def test_bad_values_name_the_key(block: str, values: dict, expected: str) -> None:
    with pytest.raises(ParamsError) as err:
        small_params(forward_training={block: values})
    assert expected in str(err.value), str(err.value)
