"""Bad values in the study's params block fail before any compute, naming the dotted key and what is valid."""

from __future__ import annotations

import pytest

from benchmarks.config import ParamsError
from tests.conftest import small_params


@pytest.mark.parametrize(
    ("experiment", "values", "expected"),
    [
        ("step_net", {"nets": [{"task": "xor", "hidden": 4}, {"task": "xor", "hidden": 2}]}, "nets"),
        ("step_net", {"nets": [{"task": "nand", "hidden": 4}]}, "forward_variants.step_net.nets[0].task"),
        ("step_net", {"record_every": 10_000}, "forward_variants.step_net"),
        ("fd_agreement", {"epsilons": [0.1, 0.2, 0.05, 0.01]}, "forward_variants.fd_agreement.epsilons"),
        ("fd_agreement", {"net_layers": [32, 10]}, "forward_variants.fd_agreement"),
        ("binary_net", {"epsilon": 3.0}, "forward_variants.binary_net.epsilon"),
        ("perturbation", {"distributions": ["sphere"]}, "forward_variants.perturbation.distributions[0]"),
        ("perturbation", {"samples": 8}, "forward_variants.perturbation.samples"),
    ],
)
def test_bad_values_name_their_key(experiment: str, values: dict, expected: str) -> None:
    with pytest.raises(ParamsError) as err:
        small_params(forward_variants={experiment: values})
    assert expected in str(err.value), str(err.value)


def test_unknown_key_lists_the_valid_ones() -> None:
    with pytest.raises(ParamsError, match="unknown key 'tangent'.*valid keys: .*tangents"):
        small_params(forward_variants={"binary_net": {"tangent": 3}})
