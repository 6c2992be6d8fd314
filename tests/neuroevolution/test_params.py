"""The study's params blocks: every profile validates, and bad values stop the run with a message naming the
dotted key and what is valid (before any compute)."""

from __future__ import annotations

import copy

import pytest
from ruamel.yaml import YAML

from benchmarks.config import PROFILE_NAMES, ParamsError, validate_params
from benchmarks.neuroevolution.params import ATARI_PARAMS
from benchmarks.paths import PARAMS_PATH
from tests.conftest import small_params

RAW = YAML(typ="safe").load(PARAMS_PATH.read_text())


def _with(experiment: str, **values: object) -> dict:
    """params.yaml at the smoke profile with ``values`` set in ``neuroevolution.<experiment>``."""
    data = copy.deepcopy(RAW)
    data["profile"] = "smoke"
    data["profiles"]["smoke"]["neuroevolution"][experiment].update(values)
    return data


def _problems(data: dict) -> str:
    with pytest.raises(ParamsError) as err:
        validate_params(data)
    return str(err.value)


@pytest.mark.parametrize("profile", PROFILE_NAMES)
def test_every_profile_has_a_valid_block(profile: str) -> None:
    block = small_params(profile).active.neuroevolution
    assert block.encoding.table_size >= ATARI_PARAMS
    assert block.scaling.workers[0] == 1


def test_paper_profile_keeps_the_papers_ga_settings() -> None:
    paper = small_params("paper").active.neuroevolution
    for experiment in (paper.control, paper.minatar):
        ga = experiment.ga
        assert (ga.population, ga.truncation, ga.elite_candidates, ga.elite_episodes) == (1000, 20, 10, 30)
        assert experiment.final_episodes == 200
    assert paper.minatar.ga.sigma == 0.002 and paper.encoding.sigma == 0.002


@pytest.mark.parametrize(
    ("experiment", "values", "expected"),
    [
        (
            "control",
            {"es": {**RAW["profiles"]["smoke"]["neuroevolution"]["control"]["es"], "population": 7}},
            "control.es.population: must be even",
        ),
        (
            "control",
            {"ga": {**RAW["profiles"]["smoke"]["neuroevolution"]["control"]["ga"], "truncation": 99}},
            "control.ga.truncation: exceeds population",
        ),
        ("control", {"envs": ["cartpole", "pong"]}, "control.envs[1]: Input should be 'cartpole' or 'acrobot'"),
        ("control", {"envs": ["cartpole", "cartpole"]}, "duplicate entry"),
        ("control", {"max_steps": {"acrobot": 200}}, "control.max_steps: no episode cap for cartpole"),
        ("minatar", {"sticky_action_prob": 1.0}, "minatar.sticky_action_prob"),
        (
            "maze",
            {"methods": ["ga", "random_search"]},
            "maze.methods[1]: Input should be 'ga', 'novelty_search' or 'es'",
        ),
        ("encoding", {"table_size": ATARI_PARAMS - 1}, "encoding.table_size"),
        ("encoding", {"generations": [2, 1]}, "not strictly increasing"),
        ("scaling", {"workers": [2, 4]}, "scaling.workers[0]: must start at 1"),
        ("scaling", {"ray_address": ""}, "scaling.ray_address"),
        ("control", {"ray_workers": -1}, "control.ray_workers"),
        ("throughput", {"truncation": 10**6}, "throughput.truncation: exceeds population"),
        ("throughput", {"repeats": "3"}, "throughput.repeats"),
    ],
)
def test_bad_values_name_the_key_and_what_is_valid(experiment: str, values: dict, expected: str) -> None:
    message = _problems(_with(experiment, **values))
    assert expected in message and f"profiles.smoke.neuroevolution.{experiment}." in message, message


def test_unknown_and_missing_keys() -> None:
    extra = _problems(_with("maze", speed=3))
    assert "unknown key 'speed'" in extra and "novelty_search" in extra
    data = copy.deepcopy(RAW)
    data["profile"] = "smoke"
    del data["profiles"]["smoke"]["neuroevolution"]["throughput"]
    assert "neuroevolution.throughput: missing key" in _problems(data)
