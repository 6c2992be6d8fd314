"""Tests for benchmarks/config.py: params.yaml schema, error messages, hashing, flattening, CLI."""

from __future__ import annotations

import copy
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from ruamel.yaml import YAML
from typer.testing import CliRunner

from benchmarks.config import (
    Params,
    ParamsError,
    app,
    flatten_params,
    load_params,
    params_hash,
    validate_params,
)
from benchmarks.paths import PARAMS_PATH
from benchmarks.study import discover_studies


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return YAML(typ="safe", pure=True).load(PARAMS_PATH.read_text(encoding="utf-8"))


def _mutated(raw: dict[str, Any], mutate: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = copy.deepcopy(raw)
    mutate(data)
    return data


def _errors(data: Any) -> str:
    with pytest.raises(ParamsError) as info:
        validate_params(data)
    return str(info.value)


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


# --- valid


def test_real_params_yaml_validates() -> None:
    params = load_params()
    assert isinstance(params, Params)
    assert params.profile in {"smoke", "default", "paper"}
    assert params.active is getattr(params.profiles, params.profile)
    assert set(params.profiles.present()) == {"smoke", "default", "paper"}


@pytest.mark.parametrize("name", ["smoke", "default", "paper"])
def test_every_profile_validates_when_selected(raw: dict[str, Any], name: str) -> None:
    params = validate_params(_mutated(raw, lambda d: d.update(profile=name)))
    estimator = params.active.forward_gradient.estimator
    assert estimator.min_samples >= 2 * estimator.ks[-1] and params.active.microbench.rounds >= 3


@pytest.mark.parametrize("target", ["cpu", "cuda", "cuda:0", "cuda:7", "cuda:12"])
def test_valid_targets(raw: dict[str, Any], target: str) -> None:
    assert validate_params(_mutated(raw, lambda d: d.update(target=target))).target == target


def test_subset_of_profiles_is_fine(raw: dict[str, Any]) -> None:
    def only_smoke(d: dict[str, Any]) -> None:
        d["profile"] = "smoke"
        d["profiles"] = {"smoke": d["profiles"]["smoke"]}

    params = validate_params(_mutated(raw, only_smoke))
    assert params.profiles.present() == ["smoke"]


# --- invalid


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Set a dotted key (``a.b[2].c``) in nested data."""
    parts: list[str | int] = [
        int(tok[1:-1]) if tok.startswith("[") else tok for tok in re.findall(r"[^.\[\]]+|\[\d+\]", path)
    ]

    def mutate(d: dict[str, Any]) -> None:
        node: Any = d
        for part in parts[:-1]:
            node = node[part]
        node[parts[-1]] = value

    return mutate


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    *parents, last = path.split(".")

    def mutate(d: dict[str, Any]) -> None:
        node: Any = d
        for part in parents:
            node = node[part]
        del node[last]

    return mutate


BAD_CASES: list[tuple[str, Callable[[dict[str, Any]], None], list[str]]] = [
    # (id, mutation, fragments that must appear in the message)
    (
        "unknown top-level key",
        _set("thread", 2),
        ["unknown key 'thread' at top level", "valid keys:", "threads"],
    ),
    (
        "unknown nested key",
        _set("profiles.smoke.forward_gradient.fgd.tol", 1e-6),
        ["unknown key 'tol' at 'profiles.smoke.forward_gradient.fgd'", "valid keys: dims, distributions", "tolerance"],
    ),
    (
        "unknown profile block",
        _set("profiles.huge", {}),
        ["unknown key 'huge' at 'profiles'", "valid keys: smoke, default, paper"],
    ),
    ("wrong profile name", _set("profile", "fast"), ["profile:", "'fast'", "'smoke', 'default' or 'paper'"]),
    (
        "profile not present in profiles",
        lambda d: (d.update(profile="paper"), d["profiles"].pop("paper")),
        ["profile:", "'paper' is not defined under 'profiles'", "defined: smoke, default"],
    ),
    ("string threads", _set("threads", "2"), ["threads:", "got '2'", "1 <= threads <= 1024"]),
    ("threads zero", _set("threads", 0), ["threads:", "got 0", "1 <= threads <= 1024"]),
    ("threads too many", _set("threads", 4096), ["threads:", "got 4096", "1 <= threads <= 1024"]),
    ("target gpu", _set("target", "gpu"), ["target:", "got 'gpu'", "'cpu', 'cuda' or 'cuda:N'"]),
    ("target cuda:-1", _set("target", "cuda:-1"), ["target:", "got 'cuda:-1'", "non-negative int"]),
    ("target int", _set("target", 0), ["target:", "got 0", "'cpu', 'cuda' or 'cuda:N'"]),
    (
        "unknown framework",
        _set("frameworks", ["pytorch", "tensorflow"]),
        ["frameworks[1]:", "'tensorflow'", "'pytorch', 'jax'"],
    ),
    (
        "duplicate framework",
        _set("frameworks", ["jax", "jax"]),
        ["frameworks[1]:", "duplicate", "'jax'", "unique names from 'pytorch', 'jax'"],
    ),
    ("empty frameworks", _set("frameworks", []), ["frameworks:", "got []", "non-empty"]),
    (
        "unknown distribution",
        _set("profiles.smoke.forward_gradient.estimator.distributions[1]", "normal"),
        [
            "profiles.smoke.forward_gradient.estimator.distributions[1]:",
            "'normal'",
            "'gaussian', 'rademacher', 'sphere'",
        ],
    ),
    (
        "unknown function",
        _set("profiles.default.forward_gradient.estimator.functions", ["quadratic", "ackley"]),
        ["profiles.default.forward_gradient.estimator.functions[1]:", "'ackley'", "'quadratic', 'rosenbrock'"],
    ),
    (
        "estimator ks not increasing",
        _set("profiles.smoke.forward_gradient.estimator.ks", [1, 4, 2]),
        ["profiles.smoke.forward_gradient.estimator.ks[2]:", "not strictly increasing", "strictly increasing"],
    ),
    (
        "min_samples below 2 * max(ks)",
        _set("profiles.smoke.forward_gradient.estimator.min_samples", 100),
        ["profiles.smoke.forward_gradient.estimator.min_samples:", "2 * max(ks) = 128"],
    ),
    (
        "max_samples below min_samples",
        _set("profiles.smoke.forward_gradient.estimator.max_samples", 1000),
        ["profiles.smoke.forward_gradient.estimator.max_samples:", "max_samples < min_samples"],
    ),
    (
        "unknown study block",
        _set("profiles.smoke.hebbian", {}),
        [
            "unknown key 'hebbian' at 'profiles.smoke'",
            f"valid keys: {', '.join([*discover_studies(), 'microbench'])}",
        ],
    ),
    (
        "microbench rounds too few",
        _set("profiles.smoke.microbench.rounds", 1),
        ["profiles.smoke.microbench.rounds:", "got 1", "int >= 3"],
    ),
    (
        "estimator dim 1",
        _set("profiles.smoke.forward_gradient.estimator.dims", [1, 10]),
        ["profiles.smoke.forward_gradient.estimator.dims[0]:", "got 1", "ints >= 2"],
    ),
    (
        "projection ks > dim",
        _set("profiles.paper.forward_gradient.projection.ks", [1, 2000]),
        ["profiles.paper.forward_gradient.projection.ks:", "max(ks) = 2000 exceeds dim", "each <= dim"],
    ),
    (
        "tolerance >= 1",
        _set("profiles.smoke.forward_gradient.fgd.tolerance", 1.0),
        ["profiles.smoke.forward_gradient.fgd.tolerance:", "got 1.0", "0 < tolerance < 1"],
    ),
    (
        "tolerance as string",
        _set("profiles.smoke.forward_gradient.fgd.tolerance", "1e-6"),
        ["profiles.smoke.forward_gradient.fgd.tolerance:", "got '1e-6'", "0 < tolerance < 1"],
    ),
    ("negative seed", _set("seed", -1), ["seed:", "got -1", "0 <= seed < 2**32"]),
    ("seed too large", _set("seed", 2**32), ["seed:", "got 4294967296", "0 <= seed < 2**32"]),
    ("bool seed", _set("seed", True), ["seed:", "got True", "0 <= seed < 2**32"]),
    (
        "bool where int expected (nested)",
        _set("profiles.default.microbench.warmup_rounds", False),
        ["profiles.default.microbench.warmup_rounds:", "got False", "int >= 0"],
    ),
    (
        "float where int expected",
        _set("profiles.default.forward_gradient.fgd.seeds", 30.0),
        ["profiles.default.forward_gradient.fgd.seeds:", "got 30.0", "int >= 2"],
    ),
    (
        "microbench no hidden layer",
        _set("profiles.smoke.microbench.hidden", []),
        ["profiles.smoke.microbench.hidden:", "got []", "non-empty list of ints >= 1"],
    ),
    (
        "microbench image side not divisible by 4",
        _set("profiles.smoke.microbench.side", 30),
        ["profiles.smoke.microbench.side:", "got 30", "divisible by 4"],
    ),
    (
        "missing nested key",
        _delete("profiles.smoke.forward_gradient.fgd.seeds"),
        ["profiles.smoke.forward_gradient.fgd.seeds: missing key", "int >= 2"],
    ),
    (
        "missing block",
        _delete("profiles.smoke.forward_gradient.fgd"),
        ["profiles.smoke.forward_gradient.fgd: missing key", "dims, distributions, seeds, max_iterations, tolerance"],
    ),
    ("missing top-level key", _delete("target"), ["target: missing key", "'cpu', 'cuda' or 'cuda:N'"]),
    (
        "unknown network",
        _set("profiles.smoke.forward_gradient.estimator.network", "cnn"),
        ["profiles.smoke.forward_gradient.estimator.network:", "'cnn'", "'mlp_digits'"],
    ),
]


@pytest.mark.parametrize(("mutate", "fragments"), [c[1:] for c in BAD_CASES], ids=[c[0] for c in BAD_CASES])
def test_bad_input_names_key_value_and_valid_range(
    raw: dict[str, Any], mutate: Callable[[dict[str, Any]], None], fragments: list[str]
) -> None:
    message = _errors(_mutated(raw, mutate))
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in:\n{message}"


def test_bad_input_via_file(raw: dict[str, Any], tmp_path: Path) -> None:
    path = _write(tmp_path, _mutated(raw, _set("threads", "2")))
    with pytest.raises(ParamsError) as info:
        load_params(path)
    assert str(path) in str(info.value)
    assert "threads:" in str(info.value)


def test_every_problem_reported_one_per_line(raw: dict[str, Any]) -> None:
    def many(d: dict[str, Any]) -> None:
        d["threads"] = "2"
        d["target"] = "gpu"
        d["bogus"] = 1
        d["profiles"]["smoke"]["forward_gradient"]["estimator"]["distributions"][1] = "normal"
        d["profiles"]["default"]["forward_gradient"]["fgd"]["tolerance"] = 2.0
        d["profiles"]["paper"]["forward_gradient"]["fgd"]["extra"] = 0
        del d["profiles"]["default"]["forward_gradient"]["projection"]["max_repeats"]

    with pytest.raises(ParamsError) as info:
        validate_params(_mutated(raw, many))
    err = info.value
    assert len(err.problems) == 7
    message = str(err)
    assert "7 problems" in message.splitlines()[0]
    expected = [
        "threads:",
        "target:",
        "unknown key 'bogus' at top level",
        "profiles.smoke.forward_gradient.estimator.distributions[1]:",
        "profiles.default.forward_gradient.fgd.tolerance:",
        "unknown key 'extra' at 'profiles.paper.forward_gradient.fgd'",
        "profiles.default.forward_gradient.projection.max_repeats: missing key",
    ]
    lines = message.splitlines()[1:]
    assert len(lines) == 7
    for fragment in expected:
        assert sum(fragment in line for line in lines) == 1, fragment


def test_profile_presence_reported_alongside_other_errors(raw: dict[str, Any]) -> None:
    def both(d: dict[str, Any]) -> None:
        d["profile"] = "paper"
        del d["profiles"]["paper"]
        d["threads"] = 0

    message = _errors(_mutated(raw, both))
    assert "threads:" in message
    assert "'paper' is not defined under 'profiles'" in message


def test_is_value_error(raw: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        validate_params(_mutated(raw, _set("threads", 0)))


@pytest.mark.parametrize("data", [None, [], "profile: smoke"])
def test_top_level_not_a_mapping(data: Any) -> None:
    assert "top level must be a mapping" in _errors(data)


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ParamsError) as info:
        load_params(missing)
    assert "file not found" in str(info.value)
    assert str(missing) in str(info.value)


def test_yaml_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "params.yaml"
    path.write_text("profile: smoke\nseed: [1, 2\n", encoding="utf-8")
    with pytest.raises(ParamsError) as info:
        load_params(path)
    assert "YAML syntax error at line" in str(info.value)
    assert str(path) in str(info.value)


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    path = tmp_path / "params.yaml"
    path.write_text(PARAMS_PATH.read_text(encoding="utf-8") + "\nthreads: 8\n", encoding="utf-8")
    with pytest.raises(ParamsError) as info:
        load_params(path)
    assert "duplicate key 'threads'" in str(info.value)


# --- YAML / DVC


@pytest.mark.parametrize(("text", "value"), [("1e-05", 1e-05), ("1.0e-6", 1e-06), ("5e-3", 5e-3), (".5", 0.5)])
def test_yaml12_floats_are_floats(tmp_path: Path, text: str, value: float) -> None:
    """DVC (ruamel, YAML 1.2) writes floats like ``1e-05``; plain PyYAML would read a string."""
    source = PARAMS_PATH.read_text(encoding="utf-8")
    path = tmp_path / "params.yaml"
    # the first ``tolerance: 1.0e-6`` after the first ``fgd:`` is the smoke profile's forward_gradient.fgd one
    fgd = source.index("      fgd:")
    edited = source[:fgd] + re.sub(r"tolerance: 1\.0e-6", f"tolerance: {text}", source[fgd:], count=1)
    path.write_text(edited, encoding="utf-8")
    params = load_params(path)
    assert params.profiles.smoke is not None
    assert params.profiles.smoke.forward_gradient.fgd.tolerance == pytest.approx(value)


@pytest.mark.parametrize(
    ("overrides", "check"),
    [
        (
            ["profiles.smoke.forward_gradient.estimator.max_samples=65536"],
            lambda p: p.profiles.smoke.forward_gradient.estimator.max_samples == 65536,
        ),
        (["target=cuda:0"], lambda p: p.target == "cuda:0"),
        (["threads=4", "profile=smoke"], lambda p: p.threads == 4 and p.profile == "smoke"),
        (["seed=0"], lambda p: p.seed == 0),
        (["frameworks=[jax]"], lambda p: p.frameworks == ["jax"]),
        (
            ["profiles.smoke.forward_gradient.fgd.tolerance=1e-5"],
            lambda p: p.profiles.smoke.forward_gradient.fgd.tolerance == 1e-5,
        ),
        (
            ["profiles.default.forward_gradient.fgd.tolerance=0.0001"],
            lambda p: p.profiles.default.forward_gradient.fgd.tolerance == 1e-4,
        ),
        (
            ["profiles.smoke.forward_gradient.projection.ks=[1,2,4]"],
            lambda p: p.profiles.smoke.forward_gradient.projection.ks == [1, 2, 4],
        ),
    ],
)
def test_dvc_set_param_overrides_validate(
    tmp_path: Path, overrides: list[str], check: Callable[[Params], bool]
) -> None:
    """Rewrite a copy of params.yaml with DVC's own `-S` implementation (no `dvc exp run`)."""
    hydra = pytest.importorskip("dvc.utils.hydra")
    path = tmp_path / "params.yaml"
    shutil.copy(PARAMS_PATH, path)
    hydra.apply_overrides(path, overrides)
    params = load_params(path)
    assert check(params)


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ("threads='2'", "threads:"),  # quoted -> string, rejected (strict)
        ("target=gpu", "target:"),
        (
            "profiles.smoke.forward_gradient.estimator.min_samples=100",
            "profiles.smoke.forward_gradient.estimator.min_samples:",
        ),
        ("profiles.smoke.forward_gradient.fgd.tolerance=2", "profiles.smoke.forward_gradient.fgd.tolerance:"),
    ],
)
def test_dvc_set_param_bad_overrides_rejected(tmp_path: Path, override: str, fragment: str) -> None:
    hydra = pytest.importorskip("dvc.utils.hydra")
    path = tmp_path / "params.yaml"
    shutil.copy(PARAMS_PATH, path)
    hydra.apply_overrides(path, [override])
    with pytest.raises(ParamsError) as info:
        load_params(path)
    assert fragment in str(info.value)


# --- hash / flatten


def test_params_hash_stable_and_sensitive(raw: dict[str, Any], tmp_path: Path) -> None:
    base = validate_params(raw)
    h = params_hash(base)
    assert re.fullmatch(r"[0-9a-f]{12}", h)
    assert params_hash(validate_params(copy.deepcopy(raw))) == h
    # formatting, comments and key order do not matter
    reordered = dict(reversed(list(copy.deepcopy(raw).items())))
    assert params_hash(load_params(_write(tmp_path, reordered))) == h
    assert params_hash(load_params()) == params_hash(validate_params(raw))
    # any value does
    assert params_hash(validate_params(_mutated(raw, _set("threads", 3)))) != h
    assert params_hash(validate_params(_mutated(raw, _set("profiles.paper.forward_gradient.fgd.seeds", 101)))) != h
    assert params_hash(validate_params(_mutated(raw, _set("profiles.smoke.forward_gradient.fgd.tolerance", 1e-7)))) != h


def test_flatten_params_active(raw: dict[str, Any]) -> None:
    params = validate_params(_mutated(raw, _set("profile", "smoke")))
    flat = flatten_params(params)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in flat.items())
    assert flat["profile"] == "smoke"
    assert flat["seed"] == str(raw["seed"])
    assert flat["target"] == "cpu"
    assert flat["threads"] == str(raw["threads"])
    assert flat["frameworks"] == '["pytorch","jax"]'
    smoke = raw["profiles"]["smoke"]["forward_gradient"]
    assert flat["forward_gradient.estimator.max_samples"] == str(smoke["estimator"]["max_samples"])
    assert flat["forward_gradient.estimator.ks"] == "[" + ",".join(map(str, smoke["estimator"]["ks"])) + "]"
    assert flat["forward_gradient.estimator.network"] == "mlp_digits"
    assert flat["forward_gradient.fgd.tolerance"] == "1e-06"
    assert flat["microbench.hidden"] == "[" + ",".join(map(str, raw["profiles"]["smoke"]["microbench"]["hidden"])) + "]"
    assert not any(k.startswith("profiles.") for k in flat)
    assert {k.split(".")[0] for k in flat if "." in k} == {*discover_studies(), "microbench"}
    assert flat["alopex.learning_time.deltas"] == "[0.04,0.08]"


def test_flatten_params_all_profiles(raw: dict[str, Any]) -> None:
    params = validate_params(raw)
    flat = flatten_params(params, active_only=False)
    active = raw["profiles"][raw["profile"]]["forward_gradient"]
    assert flat["forward_gradient.estimator.max_samples"] == str(active["estimator"]["max_samples"])
    paper = raw["profiles"]["paper"]["forward_gradient"]
    assert flat["profiles.paper.forward_gradient.estimator.max_samples"] == str(paper["estimator"]["max_samples"])

    # every profile sets the same fields (a mapping-valued field, e.g. steps per task, may differ in its keys)
    def fields(keys: list[str]) -> set[tuple[str, ...]]:
        return {tuple(k.split(".")[:3]) for k in keys}

    smoke = [k.removeprefix("profiles.smoke.") for k in flat if k.startswith("profiles.smoke.")]
    assert fields(smoke) == fields([k for k in flat if "." in k and not k.startswith("profiles.")])


# --- CLI


def test_cli_check_ok() -> None:
    result = CliRunner().invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    params = load_params()
    assert f"params.yaml OK: profile={params.profile}, target={params.target}" in result.output


def test_cli_check_bad_file(raw: dict[str, Any], tmp_path: Path) -> None:
    path = _write(tmp_path, _mutated(raw, lambda d: d.update(threads=0, target="gpu")))
    result = CliRunner().invoke(app, ["check", "--path", str(path)])
    assert result.exit_code == 2
    assert "threads:" in result.output
    assert "target:" in result.output
    assert "OK" not in result.output


def test_cli_check_missing_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["check", "--path", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "file not found" in result.output
