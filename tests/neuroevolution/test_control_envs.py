"""The control environments of Deep Neuroevolution (Such et al. 2017, arXiv:1712.06567) beyond the conformance
checks of :mod:`implementations.contracts.control_envs`: environment parity between gymnax (the JAX side) and
the reference libraries (gymnasium, MinAtar; the PyTorch side) from identical states and actions, the
differences the contract documents, the deception of the maze (Lehman & Stanley 2011), episode seeding,
sticky actions and a rollout of every environment.

Parity goes through each framework's ``replay`` (start states in, NumPy trajectories out), so no test imports
a framework; the NumPy controllers below only choose actions.
"""

from __future__ import annotations

import numpy as np
import pytest

from implementations.contracts import control_envs as contract
from implementations.contracts.control_envs import (
    MAZE_GOAL,
    MAZE_GOAL_RADIUS,
    MAZE_TRAP,
    EnvSpec,
    maze_distance_numpy,
    maze_start_states,
    route_actions,
)
from tests.implementations.conftest import implementation

FRAMEWORKS = ("pytorch", "jax")


@pytest.fixture(scope="module")
def jax_envs():
    """The gymnax side."""
    return implementation("control_envs", "jax")


@pytest.fixture(scope="module")
def reference_envs():
    """The gymnasium / MinAtar side."""
    return implementation("control_envs", "pytorch")


@pytest.fixture(scope="module", params=FRAMEWORKS)
def envs(request):
    return implementation("control_envs", request.param)


def float32_exact(values: np.ndarray) -> np.ndarray:
    """Values representable in float32 (the JAX side computes in float32), as float64."""
    return np.asarray(values, np.float32).astype(np.float64)


# ---------------------------------------------------------------------------------------------------------
# classic control: gymnax vs gymnasium


def balancing_action(state: np.ndarray) -> int:
    """A bang-bang pole balancer (keeps CartPole up for > 200 steps)."""
    x, x_dot, theta, theta_dot = state
    return int(theta + 0.3 * theta_dot + 0.03 * x + 0.1 * x_dot > 0)


def test_cartpole_parity(jax_envs, reference_envs):
    """Same start, same actions: a 200-step balanced trajectory agrees to float32 rounding amplified by the
    unstable pole (the contract's numbers: < 1e-5 after 50 steps, < 1e-3 after 100, > 1e-4 after 200); one
    transition from each of the 200 states of the reference's trajectory agrees within 1e-6 (one replay: column
    0 runs the trajectory, column k steps once from its state k - 1); rewards (1 per step) are identical."""
    env = EnvSpec("cartpole", 500)
    start = jax_envs.start_states(env, 11, 1)
    state, actions, trajectory = start[0], [], []
    for _ in range(200):  # closed loop on the reference, one step at a time
        trajectory.append(float32_exact(state))
        actions.append(balancing_action(state))
        state = reference_envs.replay(env, state[None], np.array([[actions[-1]]])).states[1, 0]
    starts = np.concatenate([start, trajectory])
    table = np.zeros((200, 201), np.int64)
    table[:, 0] = actions
    table[0, 1:] = actions
    ours, ref = jax_envs.replay(env, starts, table), reference_envs.replay(env, starts, table)
    assert not ref.dones[:, 0].any() and not ours.dones[:, 0].any()
    np.testing.assert_array_equal(ours.rewards[:, 0], 1.0)
    np.testing.assert_array_equal(ref.rewards[:, 0], 1.0)
    gap = np.abs(ours.states[:, 0] - ref.states[:, 0]).max(axis=1)
    assert gap[50] < 1e-5 and gap[100] < 1e-3, gap[[50, 100]]
    assert gap[200] > 1e-4  # the documented divergence is real: float32 vs float64 over an unstable system
    np.testing.assert_allclose(ours.states[1, 1:], ref.states[1, 1:], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ours.observations[:2, 1:], ref.observations[:2, 1:], rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(ours.rewards[0], ref.rewards[0])


def test_cartpole_termination_parity(jax_envs, reference_envs):
    """Random states near the thresholds and random actions: the same transitions end the episode (reward 1
    on the terminating step, frozen afterwards) on both sides. From a state that is already beyond a threshold
    (never reached in play: an episode ends at its first such state) gymnax rewards the step 0 (its reward is
    1 - [the state before the step was terminal]) where gymnasium rewards 1."""
    rng = np.random.default_rng(4)
    env = EnvSpec("cartpole", 500)
    states = float32_exact(rng.uniform(-1, 1, (300, 4)) * [2.45, 2.0, 0.22, 2.0])
    actions = rng.integers(0, 2, (3, 300))
    ours, ref = jax_envs.replay(env, states, actions), reference_envs.replay(env, states, actions)
    np.testing.assert_array_equal(ours.dones, ref.dones)
    assert 20 < ours.dones[0].sum() and ours.dones[-1].sum() < 280  # both outcomes occur
    beyond = (np.abs(states[:, 0]) > 2.4) | (np.abs(states[:, 2]) > 12 * 2 * np.pi / 360)
    assert 10 < beyond.sum() < 290
    np.testing.assert_array_equal(ours.rewards[:, ~beyond], ref.rewards[:, ~beyond])
    np.testing.assert_array_equal(ref.rewards[0], 1.0)  # the terminating step is rewarded
    np.testing.assert_array_equal(ours.rewards[0], np.where(beyond, 0.0, 1.0))
    np.testing.assert_array_equal(ref.rewards[1:], np.where(ref.dones[:-1], 0.0, 1.0))
    np.testing.assert_allclose(ours.states, ref.states, rtol=1e-5, atol=1e-5)


def test_acrobot_parity(jax_envs, reference_envs):
    """One RK4 transition from 400 random states (angles in [-pi, pi), velocities up to the caps) agrees to
    float32 rounding, scaled by the state's magnitude squared (the dynamics are quadratic in the velocities);
    a 200-step random-action run from 16 starts agrees within 1e-4; rewards (-1, 0 when terminating) and dones
    are identical."""
    rng = np.random.default_rng(5)
    env = EnvSpec("acrobot", 500)
    states = float32_exact(rng.uniform(-1, 1, (400, 4)) * [np.pi, np.pi, 4 * np.pi, 9 * np.pi])
    actions = rng.integers(0, 3, (1, 400))
    ours, ref = jax_envs.replay(env, states, actions), reference_envs.replay(env, states, actions)
    scale = (1 + np.abs(states).max(axis=1, keepdims=True)) ** 2
    gap = ours.states[1] - ref.states[1]
    gap[:, :2] = (gap[:, :2] + np.pi) % (2 * np.pi) - np.pi  # an angle at the cut may land on either side
    assert np.all(np.abs(gap) <= 1e-5 * scale)  # the worst of these 400 is 3e-6 * scale
    np.testing.assert_array_equal(ours.dones, ref.dones)
    assert 0 < ours.dones.sum() < 400
    np.testing.assert_array_equal(ours.rewards, np.where(ours.dones, 0.0, -1.0))
    np.testing.assert_array_equal(ours.rewards, ref.rewards)
    starts = jax_envs.start_states(env, 3, 16)
    actions = rng.integers(0, 3, (200, 16))
    ours, ref = jax_envs.replay(env, starts, actions), reference_envs.replay(env, starts, actions)
    np.testing.assert_allclose(ours.states, ref.states, rtol=0, atol=1e-4)
    np.testing.assert_allclose(ours.observations, ref.observations, rtol=0, atol=1e-4)
    np.testing.assert_array_equal(ours.dones, ref.dones)


# ---------------------------------------------------------------------------------------------------------
# MinAtar: gymnax vs the minatar package


def random_breakout_states(rng: np.random.Generator, count: int) -> np.ndarray:
    """Breakout states: ball anywhere in rows 0-8 with a trail one diagonal behind, paddle anywhere, random
    bricks in rows 1-3 (none at all in one state in eight, to reach the respawn)."""
    moves = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]])  # (dx, dy) of ball_dir 0..3
    states = np.zeros((count, contract.state_size(EnvSpec("minatar_breakout", 1))))
    for row in states:
        x, y, direction = rng.integers(0, 10), rng.integers(0, 9), rng.integers(0, 4)
        bricks = np.zeros((10, 10))
        if rng.random() > 0.125:
            bricks[1:4] = rng.random((3, 10)) < 0.7
        last_x, last_y = np.clip([x - moves[direction, 0], y - moves[direction, 1]], 0, 9)
        row[:7] = x, y, direction, rng.integers(0, 10), rng.random() < 0.2, last_x, last_y
        row[7:] = bricks.reshape(-1)
    return states


def tracking_action(state: np.ndarray) -> int:
    """Breakout's minimal actions (no-op, left, right): move the paddle under the ball."""
    ball_x, paddle = state[0], state[3]
    return 0 if ball_x == paddle else (1 if ball_x < paddle else 2)


def test_breakout_parity(jax_envs, reference_envs):
    """Breakout is deterministic given its state: a 400-step ball-tracking game (bricks cleared and respawned)
    and 120 random states under random actions give identical states, observations, rewards and dones."""
    env = EnvSpec("minatar_breakout", 1000)
    rng = np.random.default_rng(6)
    start = jax_envs.start_states(env, 2, 1)
    state, tracked = start[0], []
    for _ in range(400):
        tracked.append(tracking_action(state))
        state = reference_envs.replay(env, state[None], np.array([[tracked[-1]]])).states[1, 0]
    starts = np.concatenate([start, random_breakout_states(rng, 120)])
    actions = np.concatenate([np.array(tracked)[:, None], rng.integers(0, 3, (400, 120))], axis=1)
    ours, ref = jax_envs.replay(env, starts, actions), reference_envs.replay(env, starts, actions)
    np.testing.assert_array_equal(ours.states, ref.states)
    np.testing.assert_array_equal(ours.observations, ref.observations)
    np.testing.assert_array_equal(ours.rewards, ref.rewards)
    np.testing.assert_array_equal(ours.dones, ref.dones)
    assert ours.rewards[:, 0].sum() > 30 and not ours.dones[:, 0].any()  # the tracked game clears a wall
    assert 0 < ours.dones[-1, 1:].sum() and ours.rewards[:, 1:].sum() > 0


def test_breakout_start_states(jax_envs, reference_envs):
    """Both sides start the ball at (0, 3) moving down-right or at (9, 3) moving down-left, paddle at 4, three
    full brick rows; the side is the only randomness and both occur."""
    env = EnvSpec("minatar_breakout", 10)
    for envs in (jax_envs, reference_envs):
        starts = envs.start_states(env, 0, 24)
        assert {(s[0], s[2]) for s in starts} == {(0.0, 2.0), (9.0, 3.0)}
        np.testing.assert_array_equal(starts[:, [1, 3, 4]], np.tile([3, 4, 0], (24, 1)))
        np.testing.assert_array_equal(starts[:, 5:7], starts[:, [0, 1]])
        np.testing.assert_array_equal(starts[:, 7:].reshape(24, 10, 10).sum(axis=(1, 2)), 30)


RAMP = [(10 - r, 5 - r // 2) for r in range(10)]
"""(spawn_speed, move_speed) after r ramps (MinAtar's schedule: both stop at 1 after nine ramps)."""


def random_asterix_states(rng: np.random.Generator, count: int) -> np.ndarray:
    """Asterix states between spawns: player in the playfield, entities in random rows (60%), timers anywhere
    in their ranges with spawn_timer >= 1, ramp_timer often about to expire, any ramp level."""
    states = np.zeros((count, contract.state_size(EnvSpec("minatar_asterix", 1))))
    for row in states:
        ramp = rng.integers(0, 10)
        spawn_speed, move_speed = RAMP[ramp]
        row[:8] = (
            rng.integers(0, 10),
            rng.integers(1, 9),
            spawn_speed,
            rng.integers(1, spawn_speed + 1),
            move_speed,
            rng.integers(0, move_speed + 1),
            rng.integers(-1, 13),
            ramp,
        )
        present = rng.random(8) < 0.6
        entities = np.stack([rng.integers(0, 10, 8), rng.random(8) < 0.5, rng.random(8) < 1 / 3, present], 1)
        row[8:] = (entities * present[:, None]).reshape(-1)
    return states


def test_asterix_ramp_schedule_matches_minatar(reference_envs):
    """The RAMP table above is MinAtar's schedule (so the random states are reachable ones)."""
    env = EnvSpec("minatar_asterix", 2000)
    state = reference_envs.start_states(env, 0, 1)[0]
    state[8:] = 0  # keep the field empty: nothing collides while the timers run
    seen = {(state[2], state[4])}
    for _ in range(10):
        state[6] = -1  # expire the ramp timer
        state[3] = 9  # and keep spawning out of the way
        state = reference_envs.replay(env, state[None], np.zeros((1, 1), int)).states[1, 0]
        seen.add((state[2], state[4]))
    assert seen == set(RAMP)


def full_rows_state(start: np.ndarray) -> np.ndarray:
    """All 8 entity rows occupied (far from the player, not moving this step) and a spawn due now."""
    state = start.copy()
    state[[0, 1, 3, 5]] = 0, 1, 0, 3  # player in the top-left corner, spawn now, entities hold still
    state[8:] = np.stack([np.full(8, 6), np.zeros(8), np.zeros(8), np.ones(8)], 1).reshape(-1)
    return state


@pytest.fixture(scope="module")
def asterix_replays(jax_envs, reference_envs):
    """(starts, actions, gymnax replay, MinAtar replay): a reset, a full-rows state and 300 random states, 10
    random actions (one compilation of gymnax's Asterix serves every Asterix test)."""
    env = EnvSpec("minatar_asterix", 1000)
    rng = np.random.default_rng(7)
    reset = reference_envs.start_states(env, 0, 1)
    starts = np.concatenate([reset, full_rows_state(reset[0])[None], random_asterix_states(rng, 300)])
    actions = rng.integers(0, 5, (10, len(starts)))
    actions[:, 1] = 0
    return starts, actions, jax_envs.replay(env, starts, actions), reference_envs.replay(env, starts, actions)


def test_asterix_parity_between_spawns(asterix_replays):
    """Asterix's randomness is confined to spawns, so from 300 random states every transition before the first
    spawn (spawn_timer steps) is compared: player moves, entity moves, collisions with gold (+1) and enemies
    (end), timers and ramping agree exactly, and so does the observation encoding of every state. From a reset,
    the first 10 steps (no spawn yet) agree. ramp_timer is compared only while ramping (difference 3)."""
    starts, _, ours, ref = asterix_replays
    np.testing.assert_array_equal(ours.observations[0], ref.observations[0])
    before_spawn = np.arange(1, 11)[:, None] <= starts[None, :, 3]  # transition t (1-based) precedes the spawn
    assert before_spawn.sum() > 1000 and before_spawn[:, 0].all()
    ramping = (ref.states[:-1, :, 2] > 1) | (ref.states[:-1, :, 4] > 1)  # before the transition
    for t, column in zip(*np.nonzero(before_spawn), strict=True):
        keep = np.ones(ref.states.shape[-1], bool)
        keep[6] = ramping[t, column]
        np.testing.assert_array_equal(ours.states[t + 1, column, keep], ref.states[t + 1, column, keep])
        np.testing.assert_array_equal(ours.observations[t + 1, column], ref.observations[t + 1, column])
    np.testing.assert_array_equal(ours.rewards[before_spawn], ref.rewards[before_spawn])
    np.testing.assert_array_equal(ours.dones[before_spawn], ref.dones[before_spawn])
    assert ref.rewards[before_spawn].sum() >= 10 and ref.dones[before_spawn].sum() >= 10  # gold and enemies met
    ramped = before_spawn & (ref.states[1:, :, 7] > starts[None, :, 7])
    assert ramped.sum() >= 10  # the difficulty ramp happened in the compared segment
    # difference 3: once the ramp has ended gymnax resets its (unused) ramp timer to 100, MinAtar leaves it
    ended = before_spawn & ~ramping & (ref.states[1:, :, 6] != 100)
    assert ended.any() and np.all(ours.states[1:, :, 6][ended] == 100)


def test_asterix_full_rows_difference(asterix_replays):
    """Difference (2): with all 8 rows occupied, a spawn erases an entity in gymnax and is skipped in MinAtar."""
    _, _, ours, ref = asterix_replays
    counts = [replayed.states[1, 1, 8:].reshape(8, 4)[:, 3].sum() for replayed in (ours, ref)]
    assert counts == [7, 8]


def test_minatar_start_states_are_episode_seeded(jax_envs, reference_envs):
    """Asterix's start is deterministic and the same on both sides."""
    env = EnvSpec("minatar_asterix", 10)
    ours, ref = jax_envs.start_states(env, 3, 2), reference_envs.start_states(env, 3, 2)
    np.testing.assert_array_equal(ours, ref)
    np.testing.assert_array_equal(ours[0, :8], [5, 5, 10, 10, 5, 5, 100, 0])
    assert not ours[:, 8:].any()


def sticky_mismatch_rate(p: float, commands: np.ndarray, rng: np.random.Generator) -> float:
    """Monte Carlo of MinAtar's rule: with probability p the previous EXECUTED action (no-op at the start) is
    executed instead of the command; the expected fraction of steps whose executed action differs."""
    last, mismatches = np.zeros(50_000, np.int64), []
    for command in commands:
        executed = np.where(rng.random(last.shape) < p, last, command)
        mismatches.append(executed != command)
        last = executed
    return float(np.mean(mismatches))


def test_sticky_actions(envs):
    """With sticky_action_prob = 0.5 the executed paddle moves (read off the paddle position) differ from the
    commands as often as MinAtar's rule predicts (about 1/3 here: repeating the previous command instead would
    give 1/2); with 0 never. Breakout with the ball kept away from the floor, commands alternating
    right/left, 40 seeds x 8 steps."""
    start = envs.start_states(EnvSpec("minatar_breakout", 10), 0, 1)
    start[0, [0, 1, 2, 3, 5, 6]] = 0, 0, 2, 4, 0, 0  # ball at the top moving down into the bricks
    commands = np.array([2, 1] * 4)
    for p in (0.0, 0.5):
        env = EnvSpec("minatar_breakout", 10, sticky_action_prob=p)
        mismatches = []
        for seed in range(40):
            replayed = envs.replay(env, start, commands[:, None], seed)
            assert not replayed.dones.any()
            step = np.diff(replayed.states[:, 0, 3])
            executed = np.select([step > 0, step < 0], [2, 1], 0)
            mismatches.append(executed != commands)
        expected = sticky_mismatch_rate(p, commands, np.random.default_rng(9))
        assert abs(np.mean(mismatches) - expected) < 0.1, (p, np.mean(mismatches), expected)
    assert 0.3 < expected < 0.4


# ---------------------------------------------------------------------------------------------------------
# the deceptive maze


def test_maze_route_reaches_goal_and_greedy_is_trapped(envs):
    """The scripted route (first east, away from the goal) reaches it; heading toward the goal gets stuck in
    the cul-de-sac at MAZE_TRAP, 5 from the goal, with every step after that blocked."""
    env = EnvSpec("deceptive_maze", 100)
    route = route_actions()
    replayed = envs.replay(env, maze_start_states(1), route[:, None])
    distances = maze_distance_numpy(replayed.states[:, 0])
    assert distances[-1] <= MAZE_GOAL_RADIUS and replayed.dones[-1, 0] and not replayed.dones[-2, 0]
    np.testing.assert_array_equal(replayed.states[-1, 0], np.add(MAZE_GOAL, [0, -1]))
    assert distances[6] > distances[0]  # the route's first leg moves away from the goal
    assert distances[:30].min() > 5  # and for 29 steps the route is farther from the goal than the trap
    w, b = contract.greedy_maze_policy(3)
    result = envs.rollout(env, envs.mlp_policy([w], [b]), 3, 2, 0)
    np.testing.assert_array_equal(result.final_positions, np.broadcast_to(MAZE_TRAP, (3, 2, 2)))
    np.testing.assert_allclose(result.returns, -5.0, atol=1e-6)
    np.testing.assert_array_equal(result.frames, env.max_steps)
    assert np.linalg.norm(np.subtract(MAZE_TRAP, MAZE_GOAL)) > 4 * MAZE_GOAL_RADIUS


def test_maze_walls_block_moves():
    """The NumPy reference: a move into a wall is not made, a move along it is; rangefinders see the walls."""
    p = np.array([[7.5, 5.5], [7.5, 5.5], [2.5, 9.5], [15.5, 0.5], [12.5, 3.5]])
    moved = contract.maze_step_numpy(p, np.array([1, 2, 2, 1, 3]))
    np.testing.assert_array_equal(moved, [[7.5, 5.5], [7.5, 6.5], [2.5, 9.5], [15.5, 0.5], [12.5, 3.5]])
    obs = contract.maze_observation_numpy(p[:1])[0] * contract.MAZE_SIZE
    np.testing.assert_allclose(obs[2:6], [0.5, 4.5, 7.5, 5.5])  # east wall x=8, ceiling y=10, box sides


# ---------------------------------------------------------------------------------------------------------
# rollouts of every environment


@pytest.mark.parametrize("name", contract.ENV_NAMES)
def test_rollout_every_environment(envs, name):
    """A random MLP policy (hidden width 3, as in the contract's CartPole check) on every environment: results
    deterministic, frames within the cap, returns consistent with the rewards (CartPole = frames; Acrobot =
    -frames, +1 if it terminated; MinAtar non-negative integers; the maze -distance of the final position);
    identical individuals have identical results; episodes start from different states where the reset is
    random."""
    if name == "minatar_asterix" and envs.__name__.endswith("jax.control_envs"):
        pytest.skip("gymnax's Asterix step takes ~10 s to compile; its replay is tested above, the loop elsewhere")
    env = EnvSpec(name, 60)
    inputs, count = int(np.prod(contract.observation_shape(env))), contract.n_actions(env)
    rng = np.random.default_rng(8)
    weights = [rng.standard_normal((4, inputs, 3)), rng.standard_normal((4, 3, count))]
    biases = [rng.standard_normal((4, 3)), rng.standard_normal((4, count))]
    for array in weights + biases:
        array[3] = array[0]
    first = envs.rollout(env, envs.mlp_policy(weights, biases), 4, 3, 21)
    second = envs.rollout(env, envs.mlp_policy(weights, biases), 4, 3, 21)
    for a, c in zip(first[:2], second[:2], strict=True):
        np.testing.assert_array_equal(a, c)
    np.testing.assert_array_equal(first.returns[3], first.returns[0])
    assert np.all((first.frames >= 1) & (first.frames <= env.max_steps))
    if name == "cartpole":
        np.testing.assert_array_equal(first.returns, first.frames)
    elif name == "acrobot":
        np.testing.assert_array_equal(first.returns, -first.frames + (first.frames < env.max_steps))
    elif name.startswith("minatar"):
        assert np.all(first.returns >= 0) and np.all(first.returns == np.round(first.returns))
    if name == "deceptive_maze":
        np.testing.assert_allclose(first.returns, -maze_distance_numpy(first.final_positions), rtol=0, atol=1e-5)
    else:
        assert first.final_positions is None
    if name in ("cartpole", "acrobot", "minatar_breakout"):
        assert len(np.unique(envs.start_states(env, 21, 3), axis=0)) > 1


def test_episode_seed():
    """Episode seeds: deterministic, in [0, 2^31), distinct across episodes and seeds; bad values rejected."""
    seeds = {contract.episode_seed(s, e) for s in range(20) for e in range(20)}
    assert len(seeds) == 400 and all(0 <= s < 2**31 for s in seeds)
    assert contract.episode_seed(3, 4) == contract.episode_seed(3, 4)
    with pytest.raises(ValueError, match="episode=-1; valid"):
        contract.episode_seed(0, -1)


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"name": "pong", "max_steps": 5}, "name"),
        ({"name": "cartpole", "max_steps": 0}, "max_steps"),
        ({"name": "cartpole", "max_steps": 2.5}, "max_steps"),
        ({"name": "cartpole", "max_steps": 5, "sticky_action_prob": 0.1}, "sticky_action_prob"),
        ({"name": "minatar_asterix", "max_steps": 5, "sticky_action_prob": 1.0}, "sticky_action_prob"),
    ],
)
def test_env_spec_names_the_bad_field(kwargs, field):
    with pytest.raises(ValueError, match=f"{field}=.*valid"):
        EnvSpec(**kwargs)


def test_shapes_and_action_counts():
    expected = {
        "cartpole": ((4,), 2),
        "acrobot": ((6,), 3),
        "minatar_breakout": ((10, 10, 4), 3),
        "minatar_asterix": ((10, 10, 4), 5),
        "deceptive_maze": ((8,), 5),
    }
    for name, (shape, actions) in expected.items():
        env = EnvSpec(name, 1)
        assert contract.observation_shape(env) == shape and contract.n_actions(env) == actions


def test_act_output_is_validated(envs):
    """An act returning the wrong shape or out-of-range actions is a ValueError naming the valid values."""
    env = EnvSpec("deceptive_maze", 5)
    with pytest.raises(ValueError, match="act returned shape .*valid: integer"):
        envs.rollout(env, lambda observations: observations, 2, 1, 0)
    w, b = contract.constant_policy(2, 8, [0, 0], 9)  # 9 logits: action 8 does not exist
    b[:, 8] = 5
    with pytest.raises(ValueError, match=r"outside the valid range \[0, 5\)"):
        envs.rollout(env, envs.mlp_policy([w], [b]), 2, 1, 0)
