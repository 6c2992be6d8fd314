"""Alopex (Unnikrishnan & Venugopal 1994), its nets and the backprop baseline beyond the conformance checks:
validation messages, the flat layout, the host-side training driver, the float64 reference, and that the
contract's checks catch the bugs they are written for (a reversed Alopex-B temperature, a flipped step)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from implementations.contracts import alopex, full_batch_gd, small_nets
from implementations.contracts.alopex import AlopexConfig
from implementations.contracts.full_batch_gd import GradientDescentConfig
from implementations.contracts.small_nets import NetSpec, TrainingData, TrainResult
from tests.implementations.conftest import implementation


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"variant": "alopex93"}, "variant"),
        ({"delta": 0.0}, "delta"),
        ({"delta": float("nan")}, "delta"),
        ({"cycle": 0}, "cycle"),
        ({"cycle": 2.5}, "cycle"),
        ({"initial_temperature": -1.0}, "initial_temperature"),
        ({"temperature_rule": "mean"}, "temperature_rule"),
        ({"anneal": "yes"}, "anneal"),
        ({"forgetting": 1.0}, "forgetting"),
        ({"forgetting": -0.1}, "forgetting"),
    ],
)
def test_alopex_config_names_the_bad_field(kwargs, field):
    with pytest.raises(ValueError, match=f"{field}=.*valid"):
        AlopexConfig(**kwargs)


def test_other_configs_are_validated():
    with pytest.raises(ValueError, match="lr=.*valid"):
        GradientDescentConfig(0.0)
    with pytest.raises(ValueError, match="momentum=.*valid"):
        GradientDescentConfig(1.0, 1.0)
    with pytest.raises(ValueError, match="kind=.*valid: mlp, elman"):
        NetSpec("cnn", (2, 1))
    with pytest.raises(ValueError, match="hidden=.*valid: sigmoid, tanh, heaviside"):
        NetSpec("mlp", (2, 1), hidden="relu")
    with pytest.raises(ValueError, match="output=.*valid"):
        NetSpec("mlp", (2, 1), output="tanh")
    with pytest.raises(ValueError, match="error=.*valid"):
        NetSpec("mlp", (2, 1), error="hinge")
    with pytest.raises(ValueError, match="layers=.*exactly"):
        NetSpec("elman", (1, 2, 3, 1))
    with pytest.raises(ValueError, match="layers=.*>= 2"):
        NetSpec("mlp", (2,))
    x = np.zeros((4, 2), np.float32)
    with pytest.raises(ValueError, match="targets: valid values are 0 and 1"):
        TrainingData(x, np.full((4, 1), 0.5))
    with pytest.raises(ValueError, match="mask"):
        TrainingData(x, np.zeros((4, 1)), mask=np.ones(3, bool))
    with pytest.raises(ValueError, match="margin=.*valid"):
        TrainingData(x, np.zeros((4, 1)), margin=0.0)
    with pytest.raises(ValueError, match="rank 3"):
        small_nets.check_data(NetSpec("elman", (2, 2, 1)), TrainingData(x, np.zeros((4, 1))))


def test_flat_layout_and_sizes():
    assert NetSpec("mlp", (2, 2, 1)).num_params == 9
    assert NetSpec("mlp", (32, 5, 32)).num_params == 32 * 5 + 5 + 5 * 32 + 32
    assert NetSpec("elman", (1, 4, 1)).num_params == 4 + 16 + 4 + 4 + 1
    names = [name for name, *_ in small_nets.param_slices(NetSpec("elman", (1, 4, 1)))]
    assert names == ["W_in", "W_rec", "b_h", "W_out", "b_out"]
    # mlp: W_1 row-major [in, out], then b_1: theta[1] is W_1[0, 1]
    net = NetSpec("mlp", (2, 2, 1), hidden="tanh")
    theta = np.zeros(9)
    theta[1] = 1.0  # input 0 -> hidden 1
    theta[7] = 1.0  # hidden 1 -> output
    outputs = small_nets.forward_numpy(net, theta, np.array([[3.0, 0.0]]))
    np.testing.assert_allclose(outputs, [[1 / (1 + np.exp(-np.tanh(3.0)))]])


def test_init_params_and_reference_error_measures():
    net = NetSpec("mlp", (2, 2, 1), error="cross_entropy")
    theta = small_nets.init_params(net, np.random.default_rng(0), 5, 0.3)
    assert theta.dtype == np.float32 and theta.shape == (5, 9) and np.abs(theta).max() < 0.3
    data = small_nets.xor_data()
    y = np.array([[0.2], [1.0], [0.9], [0.0]])
    expected = -(np.log(0.8) + np.log(1 - 1e-7) + np.log(0.9) + np.log(1 - 1e-7))
    assert small_nets.error_numpy(net, y, data) == pytest.approx(expected)
    assert small_nets.error_numpy(NetSpec("mlp", (2, 2, 1)), y, data) == pytest.approx(0.5 * (0.04 + 0.01))
    masked = dataclasses.replace(data, mask=np.array([True, True, False, True]))
    assert small_nets.max_deviation_numpy(y, masked) == pytest.approx(0.2)
    assert small_nets.solved_numpy(y, data) and not small_nets.solved_numpy(y + 0.3, data)


def _fake_chunks(successes: list[int], measures: tuple[str, ...] = ("error", "temperature")):
    """A run_chunk for drive_training where seed s first succeeds at iteration successes[s] (-1: never)."""
    state = {"n": 0, "calls": []}
    target = np.array(successes)

    def run_chunk(count: int):
        state["n"] += count
        state["calls"].append(count)
        first = np.where((target >= 0) & (target <= state["n"]), target, -1)
        return first, {name: np.full(len(target), float(state["n"])) for name in measures}

    start = (np.where(target == 0, 0, -1), {name: np.zeros(len(target)) for name in measures})
    return run_chunk, start, state


def test_drive_training_records_stops_and_masks():
    run_chunk, start, state = _fake_chunks([3, 12, -1])
    result = small_nets.drive_training(run_chunk, start, lambda: np.zeros((3, 2)), 23, 5, True, ("temperature",))
    assert isinstance(result, TrainResult)
    assert state["calls"] == [5, 5, 5, 5, 3] and result.iterations_run == 23
    np.testing.assert_array_equal(result.record_steps, [0, 5, 10, 15, 20])
    np.testing.assert_array_equal(result.first_success, [3, 12, -1])
    temperature = result.trace["temperature"]
    assert np.isnan(temperature[1:, 0]).all() and not np.isnan(temperature[:3, 1]).any()
    assert np.isnan(temperature[3:, 1]).all() and not np.isnan(temperature[:, 2]).any()
    assert not np.isnan(result.trace["error"]).any()
    # every seed done: stop at the end of the chunk of the last success
    run_chunk, start, state = _fake_chunks([3, 12])
    result = small_nets.drive_training(run_chunk, start, lambda: np.zeros((2, 2)), 100, 5, True, ())
    assert result.iterations_run == 15 and state["calls"] == [5, 5, 5]
    # without stopping: the whole budget, nothing masked
    run_chunk, start, state = _fake_chunks([0, 4])
    result = small_nets.drive_training(run_chunk, start, lambda: np.zeros((2, 2)), 10, 5, False, ("temperature",))
    assert result.iterations_run == 10 and not np.isnan(result.trace["temperature"]).any()
    # already solved at theta0
    run_chunk, start, state = _fake_chunks([0, 0])
    result = small_nets.drive_training(run_chunk, start, lambda: np.zeros((2, 2)), 10, 5, True, ())
    assert result.iterations_run == 0 and state["calls"] == [] and result.record_steps.tolist() == [0]
    with pytest.raises(ValueError, match="record_every=0; valid"):
        small_nets.drive_training(run_chunk, start, lambda: np.zeros((2, 2)), 10, 0, True, ())


def test_reference_trajectory_basics():
    net, data = NetSpec("mlp", (2, 2, 1)), small_nets.xor_data()
    config = AlopexConfig(delta=0.02, cycle=4, initial_temperature=3.0)
    theta0 = small_nets.init_params(net, np.random.default_rng(1), 1, 1.0)[0]
    uniforms = np.random.default_rng(2).random((12, 9))
    ref = alopex.reference_trajectory(net, config, theta0, data, uniforms, tie_margin=0.05)
    np.testing.assert_array_equal(ref["probability"][0], 0.5)  # C = 0 before the first move
    np.testing.assert_array_equal(ref["temperature"][:4], 3.0)
    steps = np.diff(ref["theta"].astype(np.float64), axis=0)
    np.testing.assert_allclose(np.abs(steps), 0.02, rtol=1e-5)  # every weight moves every iteration
    np.testing.assert_array_equal(steps < 0, ref["uniforms"] < ref["probability"])
    assert np.abs(ref["uniforms"] - ref["probability"]).min() >= 0.05 - 1e-7
    cycle_mean = np.mean(np.abs(ref["correlation"][:4]))
    assert ref["temperature"][4] == pytest.approx(cycle_mean)


def _reference_impl(transform):
    """A fake implementation returning the float64 reference, passed through ``transform(run, path)``."""

    class Fake:
        @staticmethod
        def trajectory_from_uniforms(net, config, theta0, data, uniforms):
            run = next(r for r in alopex.reference_runs() if r.config == config and r.net == net)
            ref = run.reference
            path = {
                "theta": ref["theta"].copy(),
                "error": ref["error"].copy(),
                "temperature": ref["temperature"].copy(),
            }
            return transform(run, path)

    return Fake


def test_checks_pass_the_reference_itself():
    identity = _reference_impl(lambda run, path: path)
    alopex.check_trajectories_match_reference(identity)
    alopex.check_temperature_schedule(identity)


def test_temperature_check_catches_a_reversed_alopex_b():
    def reversed_b(run, path):
        if run.config.variant != "alopex_b":
            return path
        swapped = dataclasses.replace(run.config, forgetting=1 - run.config.forgetting)
        ref = alopex.reference_trajectory(run.net, swapped, run.theta0, run.data, run.reference["uniforms"])
        return {"theta": ref["theta"], "error": ref["error"], "temperature": ref["temperature"]}

    with pytest.raises(AssertionError):
        alopex.check_temperature_schedule(_reference_impl(reversed_b))


def test_trajectory_check_catches_one_flipped_step():
    def flipped(run, path):
        path["theta"][50:, 3] += 2 * np.float32(run.config.delta)
        return path

    with pytest.raises(AssertionError, match="theta leaves the reference"):
        alopex.check_trajectories_match_reference(_reference_impl(flipped))


def test_gd_reference_gradient_matches_a_hand_derivative():
    net = NetSpec("mlp", (1, 1))
    data = TrainingData(np.array([[1.0]], np.float32), np.array([[1.0]], np.float32))
    theta = np.array([0.3, -0.1])
    y = 1 / (1 + np.exp(-0.2))
    slope = (y - 1) * y * (1 - y)  # dE/dz of 1/2 (y - 1)^2
    np.testing.assert_allclose(full_batch_gd.gradient_numpy(net, theta, data), [slope, slope], rtol=1e-7)


@pytest.mark.parametrize("framework", ["pytorch", "jax"])
def test_small_nets_is_loadable_and_heaviside_is_a_step(framework):
    nets = implementation("small_nets", framework)
    _, net, data = small_nets.reference_nets()[1]  # 3-3-1, Heaviside hidden and output units
    theta = np.zeros((2, net.num_params), np.float32)
    theta[0, -1] = 1.0  # output bias 1: output z = 1 > 0, whatever the hidden units
    theta[1, -4:] = [1.0, 1.0, 1.0, -0.5]  # hidden z = 0 everywhere: if heaviside(0) were 1, output z = 2.5
    outputs = nets.predict(net, theta, data.inputs)
    np.testing.assert_array_equal(outputs[..., 0], np.repeat([[1.0], [0.0]], 8, axis=1))
