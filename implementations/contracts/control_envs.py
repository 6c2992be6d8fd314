"""Contract of the control environments and population rollouts: ``implementations/<framework>/control_envs.py``.

The environments on which Deep Neuroevolution evaluates policies (Such et al. 2017, "Deep Neuroevolution:
Genetic Algorithms Are a Competitive Alternative for Training Deep Neural Networks for Reinforcement Learning",
arXiv:1712.06567: an individual's fitness is the return of its episode(s), the cost is counted in frames, and
its "Image Hard Maze" novelty-search experiment is built on the deceptive hard maze of Lehman & Stanley 2011,
"Abandoning Objectives: Evolution through the Search for Novelty Alone", Evolutionary Computation 19(2)), also
used by OpenAI-ES (Salimans et al. 2017, arXiv:1703.03864). ``frames`` here are environment steps (no frame
skip: Such et al.'s Atari frames count four per step). A small model rather than a method (``ROLE = "model"``): the GA,
novelty search and ES of :mod:`.neuroevolution` call ``rollout``.

Environments (:data:`ENV_NAMES`) and the library each framework runs (never one framework wrapping the other):

============================  ==========================  ============================================
``EnvSpec.name``              JAX (gymnax 1.0.1)          PyTorch side (reference libraries, NumPy)
============================  ==========================  ============================================
``cartpole``                  ``CartPole-v1``             gymnasium ``CartPoleVectorEnv`` (make_vec)
``acrobot``                   ``Acrobot-v1``              gymnasium ``Acrobot-v1`` in ``SyncVectorEnv``
``minatar_breakout``          ``Breakout-MinAtar``        ``minatar.Environment("breakout")``
``minatar_asterix``           ``Asterix-MinAtar``         ``minatar.Environment("asterix")``
``deceptive_maze``            native ``jax.numpy``        native torch tensor ops
============================  ==========================  ============================================

Rollout semantics (both frameworks): a population of P policies each plays E episodes; episode ``e`` of
EVERY individual starts from the same state, drawn by the framework's own environment from the integer seed
:func:`episode_seed` ``(seed, e)`` (and, where the environment is random during an episode, Asterix's spawns
and sticky actions, from the same seed: common random numbers), so individuals are compared on equal
episodes. ``act(observations) -> actions`` maps the framework array [P, *observation_shape] (float32, on the
configured device) to integer actions [P] in ``[0, n_actions)``; it is called once per step and episode. An
episode ends at the first step whose transition terminates or after ``EnvSpec.max_steps`` steps; ``frames``
counts the steps taken (the terminating one included), ``returns`` sums the rewards of those steps (none
after the end). Observations, states and positions of an ended episode stay frozen.

Settings chosen to make the two sides comparable, and the differences that remain (the parity tests in
``tests/neuroevolution/test_control_envs.py`` check these claims, except the two marked "read from gymnax's
code"):

- Episode cap: both sides step the raw dynamics (gymnax ``step_env``, without the auto-reset of its ``step``;
  gymnasium with its ``TimeLimit`` beyond the cap) and stop at ``EnvSpec.max_steps``; the libraries' own caps
  (500 for CartPole-v1 and Acrobot-v1, gymnax's 1000 for MinAtar, none in MinAtar) play no role.
- Numbers: gymnax computes in float32, gymnasium in float64. One transition from the same state agrees to
  float32 rounding (CartPole within 1e-6; Acrobot within 1e-5 (1 + max|s|)^2, its RK4 step being quadratic in
  the velocities). Along a free-running trajectory with identical actions the gap grows: CartPole's upright
  pole is unstable, about x10 every 17 steps (a balanced 200-step run: < 1e-5 after 50 steps, < 1e-3 after
  100, O(0.1) after 200); Acrobot under random actions stays within 1e-4 over 200 steps.
- Start states: both draw CartPole's four state variables from U(-0.05, 0.05) and Acrobot's from U(-0.1, 0.1),
  but from different generators (JAX threefry keyed by ``episode_seed`` vs gymnasium's PCG64 seeded with it),
  so the same seed gives different (equally distributed) episodes in the two frameworks.
- CartPole: same equations, Euler integrator, thresholds and reward (1 per step, the terminating step
  included). gymnax's reward is ``1 - [the state BEFORE the step was terminal]``: stepping from a state already
  beyond a threshold earns 0 there and 1 in gymnasium; an episode never does (it ends at its first such state).
- Acrobot: gymnax's comment says its RK4 differs from OpenAI's by taking "only 1 step", but gymnasium also
  integrates ``[0, dt]`` with one RK4 step: same integrator ("book" dynamics, no torque noise). Angles wrap to
  ``[-pi, pi)`` in gymnax and ``[-pi, pi]`` in gymnasium, and an angle within rounding of the cut can land on
  either side (compare angles modulo 2 pi). Reward -1 per step, 0 on the terminating step, in both.
- MinAtar sticky actions: the reference ``minatar.Environment`` executes the previously EXECUTED action instead
  of the chosen one with probability ``sticky_action_prob`` (its default 0.1); gymnax has none.
  ``EnvSpec.sticky_action_prob`` (default 0.0, the comparable setting) applies to both: the PyTorch side passes
  it to MinAtar, the JAX side implements the same rule natively (previous action no-op at the episode start,
  as in a fresh MinAtar environment); the draws differ, their distribution does not.
- MinAtar difficulty ramping: on in both (MinAtar's ``difficulty_ramping=True``, gymnax's ``ramping=True``),
  same schedule (when the ramp timer expires, every 100 steps, the spawn interval drops by one and, every
  second time, the move interval, until both are 1: spawn 10 -> 1, move 5 -> 1 over nine ramps). Breakout has
  no ramping.
- Breakout: identical rules; the only randomness is the side the ball starts from, so with sticky actions off
  an episode is deterministic given its start (checked step by step on a 400-step game and 120 random states).
- Asterix: identical rules for movement, collisions, rewards, timers, ramping and the observation between
  spawns (checked from 300 random states), with three differences. (1) Spawns (side, gold or enemy, row) come
  from different random streams (JAX keys vs MinAtar's ``RandomState``), so trajectories from the same state
  coincide only until the first spawn (the first 10 steps after a reset). (2) gymnax's slot sampler
  (``while_sample_slots``) never looks at the first slot of its random permutation: when exactly one row is
  free and that slot comes first (1 time in 8; read from gymnax's code) nothing spawns, and with all 8 rows
  occupied gymnax overwrites
  (erases) the entity of the permutation's last slot, where MinAtar spawns in any free row and does nothing
  when all are full. (3) Once the ramp has ended gymnax resets its (then unused) ramp timer to 100 at every
  step where MinAtar leaves it, which play never shows (both hold 100 after the last ramp); and gymnax lowers
  the move interval whenever it is nonzero rather than > 1, which the default schedule never reaches (read from
  gymnax's code).
- Observations: float32 [10, 10, 4] channels-last in both (MinAtar's bool state converted); the minimal action
  sets, Breakout ``(no-op, left, right)`` and Asterix ``(no-op, left, up, right, down)``, indexed the same.

The deceptive maze (Lehman & Stanley 2011's "hard maze", simplified; a native environment, identical in both
frameworks, float32): a point robot in the square ``[0, MAZE_SIZE]^2`` with axis-aligned wall segments
(:data:`MAZE_VERTICAL_WALLS`, :data:`MAZE_HORIZONTAL_WALLS`, the outer box included). Actions (:data:`MAZE_MOVES`):
0 stay, 1 east, 2 north, 3 west, 4 south, each moving :data:`MAZE_SPEED`; a move whose segment crosses a wall is
not made (the robot stays). Positions start at :data:`MAZE_START` and stay on the half-integer lattice while
walls lie on integers, so a position is exact in float32 and never on a wall. Observation (8 values):
``x / MAZE_SIZE, y / MAZE_SIZE``, four rangefinders (distance to the nearest wall east, north, west, south,
divided by ``MAZE_SIZE``) and the unit vector toward :data:`MAZE_GOAL`. The episode terminates when the robot
is within :data:`MAZE_GOAL_RADIUS` of the goal; every step's reward is 0 and the episode's return (its fitness)
is ``-||p_T - goal||`` at its final position ``p_T``, which ``RolloutResult.final_positions`` reports (the
behaviour characterisation of novelty search). The trap: the goal lies straight north of the start, behind the
wall ``y = 10`` that closes a cul-de-sac; moving toward the goal ends under that wall at :data:`MAZE_TRAP`,
5 units away (fitness -5), while the route (:data:`MAZE_ROUTE`) first leads east, away from the goal, and stays
farther from it than the trap for 29 of its 34 steps.

State vectors (:func:`state_size`, :data:`STATE_LAYOUT`, float64 [N, S]) describe an environment state
framework-neutrally, so that ``replay`` can start both frameworks from the same state: CartPole ``(x, x_dot,
theta, theta_dot)``, Acrobot ``(theta1, theta2, dtheta1, dtheta2)``, Breakout ``(ball_x, ball_y, ball_dir,
paddle, strike, last_x, last_y)`` + the 10x10 brick map row-major, Asterix ``(player_x, player_y, spawn_speed,
spawn_timer, move_speed, move_timer, ramp_timer, ramp_index)`` + ``(x, moving_right, gold, present)`` for each of
the 8 entity rows (row i at y = i + 1), the maze ``(x, y)``.

The JAX implementation compiles the rollout once per (environment name, population, episodes, act function);
``max_steps`` and ``sticky_action_prob`` are traced. Pass ``act`` as a ``jax.tree_util.Partial(function,
*arrays)`` (the same ``function`` object every time, as ``mlp_policy`` does) and new parameter arrays reuse the
compiled rollout; any other callable is a static argument (compiled once per object). gymnax's Asterix step
alone takes about 10 s to compile on a CPU.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import NamedTuple, Protocol

import numpy as np

from implementations.contracts._common import require

ROLE = "model"

ENV_NAMES: tuple[str, ...] = ("cartpole", "acrobot", "minatar_breakout", "minatar_asterix", "deceptive_maze")
MINATAR: tuple[str, ...] = ("minatar_breakout", "minatar_asterix")
GYMNAX_IDS: dict[str, str] = {
    "cartpole": "CartPole-v1",
    "acrobot": "Acrobot-v1",
    "minatar_breakout": "Breakout-MinAtar",
    "minatar_asterix": "Asterix-MinAtar",
}
"""The ``gymnax.make`` name of each library environment (JAX side)."""
REFERENCE_IDS: dict[str, str] = {
    "cartpole": "CartPole-v1",
    "acrobot": "Acrobot-v1",
    "minatar_breakout": "breakout",
    "minatar_asterix": "asterix",
}
"""The gymnasium id or ``minatar.Environment`` game of each library environment (PyTorch side)."""
MINATAR_ACTIONS: dict[str, tuple[int, ...]] = {"minatar_breakout": (0, 1, 3), "minatar_asterix": (0, 1, 2, 3, 4)}
"""Minimal action set -> MinAtar's full action index (``n l u r d f``), as both libraries define it."""

_OBSERVATION_SHAPES: dict[str, tuple[int, ...]] = {
    "cartpole": (4,),
    "acrobot": (6,),
    "minatar_breakout": (10, 10, 4),
    "minatar_asterix": (10, 10, 4),
    "deceptive_maze": (8,),
}
_N_ACTIONS: dict[str, int] = {
    "cartpole": 2,
    "acrobot": 3,
    "minatar_breakout": 3,
    "minatar_asterix": 5,
    "deceptive_maze": 5,
}

STATE_LAYOUT: dict[str, tuple[str, ...]] = {
    "cartpole": ("x", "x_dot", "theta", "theta_dot"),
    "acrobot": ("theta1", "theta2", "dtheta1", "dtheta2"),
    "minatar_breakout": ("ball_x", "ball_y", "ball_dir", "paddle", "strike", "last_x", "last_y")
    + tuple(f"brick[{r},{c}]" for r in range(10) for c in range(10)),
    "minatar_asterix": (
        "player_x",
        "player_y",
        "spawn_speed",
        "spawn_timer",
        "move_speed",
        "move_timer",
        "ramp_timer",
        "ramp_index",
    )
    + tuple(f"entity{i}.{f}" for i in range(8) for f in ("x", "moving_right", "gold", "present")),
    "deceptive_maze": ("x", "y"),
}
"""Names of the entries of each environment's state vector (see the module docstring)."""

# ---------------------------------------------------------------------------------------------------------
# the deceptive maze (Lehman & Stanley 2011's hard maze, simplified)

MAZE_SIZE = 16.0
MAZE_START: tuple[float, float] = (2.5, 1.5)
MAZE_GOAL: tuple[float, float] = (2.5, 14.5)
MAZE_GOAL_RADIUS = 1.0
"""The goal counts as reached (the episode terminates) within this distance."""
MAZE_SPEED = 1.0
MAZE_MOVES = np.array([[0, 0], [1, 0], [0, 1], [-1, 0], [0, -1]], np.float64) * MAZE_SPEED
"""Displacement of each action: stay, east, north, west, south."""
MAZE_VERTICAL_WALLS = np.array([[0, 0, 16], [16, 0, 16], [8, 4, 10], [12, 0, 7]], np.float64)
"""Rows ``(x, y_low, y_high)``: the box's west and east sides, the cul-de-sac's east side, a wall off the floor."""
MAZE_HORIZONTAL_WALLS = np.array([[0, 0, 16], [16, 0, 16], [10, 0, 12]], np.float64)
"""Rows ``(y, x_low, x_high)``: the box's floor and ceiling, and the wall that closes the cul-de-sac."""
MAZE_ROUTE: tuple[tuple[int, int], ...] = ((1, 6), (2, 7), (1, 5), (2, 5), (3, 11))
"""A route from the start to the goal as (action, repeats): 6 east (away from the goal), 7 north (between the
cul-de-sac and the wall off the floor), 5 east, 5 north (past the end of the wall y = 10), 11 west, ending one
unit below the goal (within :data:`MAZE_GOAL_RADIUS`) after 34 steps."""
MAZE_TRAP: tuple[float, float] = (2.5, 9.5)
"""Where moving straight toward the goal gets stuck (under the wall y = 10, 5 units from the goal)."""


@dataclass(frozen=True)
class EnvSpec:
    """An environment and its episode cap (hashable: the JAX side compiles per spec).

    ``sticky_action_prob``: MinAtar's sticky actions (the previous action is repeated with this probability);
    only for the MinAtar games, default 0.0 (gymnax has none; see the module docstring).
    """

    name: str
    max_steps: int
    sticky_action_prob: float = 0.0

    def __post_init__(self) -> None:
        if self.name not in ENV_NAMES:
            raise ValueError(f"name={self.name!r}; valid: {', '.join(ENV_NAMES)}")
        if not _is_int(self.max_steps) or self.max_steps < 1:
            raise ValueError(f"max_steps={self.max_steps!r}; valid: an int >= 1")
        p = self.sticky_action_prob
        if isinstance(p, bool) or not isinstance(p, float | int) or not 0 <= p < 1:
            raise ValueError(f"sticky_action_prob={p!r}; valid: a float in [0, 1)")
        if p and self.name not in MINATAR:
            raise ValueError(f"sticky_action_prob={p!r} for {self.name!r}; valid: 0.0 (only {MINATAR} are sticky)")
        object.__setattr__(self, "max_steps", int(self.max_steps))
        object.__setattr__(self, "sticky_action_prob", float(p))


def _is_int(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | np.integer)


def observation_shape(spec: EnvSpec) -> tuple[int, ...]:
    """Shape of one observation (MinAtar: [10, 10, 4] channels-last)."""
    return _OBSERVATION_SHAPES[spec.name]


def n_actions(spec: EnvSpec) -> int:
    """Number of discrete actions (the minimal action set for MinAtar)."""
    return _N_ACTIONS[spec.name]


def state_size(spec: EnvSpec) -> int:
    """Length S of the environment's state vector (:data:`STATE_LAYOUT`)."""
    return len(STATE_LAYOUT[spec.name])


def episode_seed(seed: int, episode: int) -> int:
    """The environment seed of episode ``episode`` (shared by every individual), in ``[0, 2**31)``: derived from
    ``(seed, episode)`` with NumPy's ``SeedSequence`` so that nearby seeds give unrelated episodes."""
    check_seed(seed)
    if not _is_int(episode) or episode < 0:
        raise ValueError(f"episode={episode!r}; valid: an int >= 0")
    return int(np.random.SeedSequence([int(seed), int(episode)]).generate_state(1, np.uint32)[0] >> 1)


class RolloutResult(NamedTuple):
    """What ``rollout`` returns (NumPy, on the host)."""

    returns: np.ndarray
    """float64 [population, episodes]: summed rewards until the episode ended (maze: -final distance)."""
    frames: np.ndarray
    """int64 [population, episodes]: steps taken, the terminating one included (<= max_steps)."""
    final_positions: np.ndarray | None
    """float32 [population, episodes, 2]: the maze robot's final (x, y); None for the other environments."""


class Replay(NamedTuple):
    """What ``replay`` returns for T steps of N environments (NumPy; frozen after an environment's end)."""

    observations: np.ndarray
    """float32 [T + 1, N, *observation_shape]: before the first step and after each step."""
    rewards: np.ndarray
    """float32 [T, N] (0 after the end)."""
    dones: np.ndarray
    """bool [T, N]: the episode has ended at or before this step."""
    states: np.ndarray
    """float64 [T + 1, N, S] state vectors (:data:`STATE_LAYOUT`)."""


# ---------------------------------------------------------------------------------------------------------
# validation shared by both frameworks


def check_seed(seed: int) -> None:
    """ValueError unless ``seed`` is an int >= 0."""
    if not _is_int(seed) or seed < 0:
        raise ValueError(f"seed={seed!r}; valid: an int >= 0")


def check_rollout_args(env: EnvSpec, population: int, episodes: int, seed: int) -> None:
    """ValueError naming the argument unless env is an EnvSpec, population and episodes ints >= 1, seed >= 0."""
    if not isinstance(env, EnvSpec):
        raise ValueError(f"env={env!r}; valid: an EnvSpec")
    for name, value in (("population", population), ("episodes", episodes)):
        if not _is_int(value) or value < 1:
            raise ValueError(f"{name}={value!r}; valid: an int >= 1")
    check_seed(seed)


def check_replay_args(env: EnvSpec, states: np.ndarray, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(states float64 [N, S], actions int64 [T, N]) validated: ValueError naming the argument and valid values."""
    if not isinstance(env, EnvSpec):
        raise ValueError(f"env={env!r}; valid: an EnvSpec")
    states = np.asarray(states, np.float64)
    if states.ndim != 2 or states.shape[1] != state_size(env) or not np.all(np.isfinite(states)):
        raise ValueError(f"states shape {states.shape}; valid: finite [N, {state_size(env)}] for {env.name!r}")
    actions = np.asarray(actions)
    if actions.ndim != 2 or actions.shape[1] != states.shape[0] or not np.issubdtype(actions.dtype, np.integer):
        raise ValueError(f"actions {actions.dtype} {actions.shape}; valid: integers [T, {states.shape[0]}]")
    if actions.size and (actions.min() < 0 or actions.max() >= n_actions(env)):
        raise ValueError(f"actions in [{actions.min()}, {actions.max()}]; valid: [0, {n_actions(env)})")
    return states, actions.astype(np.int64)


def check_mlp_layers(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> list[tuple[np.ndarray, ...]]:
    """[(W float32 [P, in, out], b float32 [P, out])] validated: same P, chained widths, at least one layer."""
    if len(weights) == 0 or len(weights) != len(biases):
        raise ValueError(f"{len(weights)} weights, {len(biases)} biases; valid: the same number >= 1")
    layers = [(np.asarray(w, np.float32), np.asarray(b, np.float32)) for w, b in zip(weights, biases, strict=True)]
    population = layers[0][0].shape[0] if layers[0][0].ndim == 3 else None
    width = None
    for index, (w, b) in enumerate(layers):
        if w.ndim != 3 or w.shape[0] != population or (width is not None and w.shape[1] != width):
            raise ValueError(f"weights[{index}] shape {w.shape}; valid: [population, in, out], chained widths")
        if b.shape != (w.shape[0], w.shape[2]):
            raise ValueError(f"biases[{index}] shape {b.shape}; valid: {(w.shape[0], w.shape[2])}")
        width = w.shape[2]
    return layers


def act_problem(shape: tuple[int, ...], integer: bool, population: int) -> str | None:
    """The message for an ``act`` output of the wrong shape or dtype (None if fine)."""
    if tuple(shape) != (population,) or not integer:
        kind = "integer" if integer else "non-integer"
        return f"act returned shape {tuple(shape)} ({kind}); valid: integer [{population}]"
    return None


def out_of_range_message(env: EnvSpec) -> str:
    """The message for actions outside ``[0, n_actions)`` returned by ``act``."""
    return f"act returned actions outside the valid range [0, {n_actions(env)}) for {env.name!r}"


def maze_start_states(count: int) -> np.ndarray:
    """float64 [count, 2]: the maze's start position (deterministic: every seed and episode)."""
    return np.tile(np.asarray(MAZE_START, np.float64), (count, 1))


def route_actions() -> np.ndarray:
    """int64 [T]: :data:`MAZE_ROUTE` spelled out step by step."""
    return np.concatenate([np.full(repeats, action, np.int64) for action, repeats in MAZE_ROUTE])


# ---------------------------------------------------------------------------------------------------------
# NumPy reference (float64) of the maze and of an argmax MLP policy


def maze_step_numpy(positions: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """float64 [N, 2]: one move of every robot (the move is not made if its segment crosses a wall)."""
    p = np.asarray(positions, np.float64)
    q = p + MAZE_MOVES[np.asarray(actions)]
    blocked = np.zeros(len(p), bool)
    for axis, walls in ((0, MAZE_VERTICAL_WALLS), (1, MAZE_HORIZONTAL_WALLS)):
        lo, hi = np.minimum(p[:, axis], q[:, axis]), np.maximum(p[:, axis], q[:, axis])
        along = p[:, 1 - axis]
        for c, w_lo, w_hi in walls:
            blocked |= (lo < c) & (c < hi) & (w_lo <= along) & (along <= w_hi)
    return np.where(blocked[:, None], p, q)


def maze_observation_numpy(positions: np.ndarray) -> np.ndarray:
    """float64 [N, 8]: position / size, rangefinders (east, north, west, south) / size, unit vector to goal."""
    p = np.asarray(positions, np.float64)
    ranges = []
    for axis, sign in ((0, 1), (1, 1), (0, -1), (1, -1)):
        walls = MAZE_VERTICAL_WALLS if axis == 0 else MAZE_HORIZONTAL_WALLS
        c, w_lo, w_hi = walls[:, 0], walls[:, 1], walls[:, 2]
        gap = sign * (c[None, :] - p[:, axis : axis + 1])
        facing = (gap > 0) & (w_lo <= p[:, 1 - axis : 2 - axis]) & (p[:, 1 - axis : 2 - axis] <= w_hi)
        ranges.append(np.where(facing, gap, np.inf).min(axis=1))
    to_goal = np.asarray(MAZE_GOAL) - p
    distance = np.linalg.norm(to_goal, axis=1, keepdims=True)
    unit = to_goal / np.maximum(distance, 1e-6)
    return np.concatenate([p / MAZE_SIZE, np.stack(ranges, 1) / MAZE_SIZE, unit], axis=1)


def maze_distance_numpy(positions: np.ndarray) -> np.ndarray:
    """float64 [N]: distance to the goal."""
    return np.linalg.norm(np.asarray(positions, np.float64) - np.asarray(MAZE_GOAL), axis=-1)


def mlp_actions_numpy(layers: Sequence[tuple[np.ndarray, np.ndarray]], observations: np.ndarray) -> np.ndarray:
    """int64 [P]: argmax of the MLP (tanh hidden layers, linear output) of each individual on its observation."""
    x = np.asarray(observations, np.float64).reshape(len(observations), -1)
    for index, (w, b) in enumerate(layers):
        x = np.einsum("pi,pio->po", x, w.astype(np.float64)) + b
        if index < len(layers) - 1:
            x = np.tanh(x)
    return np.argmax(x, axis=1)


def maze_rollout_numpy(
    layers: Sequence[tuple[np.ndarray, np.ndarray]], population: int, episodes: int, max_steps: int
) -> RolloutResult:
    """The float64 reference of ``rollout`` on the maze for an argmax MLP policy (episodes are identical)."""
    p = maze_start_states(population)
    done = maze_distance_numpy(p) <= MAZE_GOAL_RADIUS
    frames = np.zeros(population, np.int64)
    for _ in range(max_steps):
        if done.all():
            break
        q = maze_step_numpy(p, mlp_actions_numpy(layers, maze_observation_numpy(p)))
        p = np.where(done[:, None], p, q)
        frames += ~done
        done |= maze_distance_numpy(p) <= MAZE_GOAL_RADIUS
    tile = np.ones((1, episodes))
    positions = np.repeat(p[:, None, :], episodes, axis=1).astype(np.float32)
    return RolloutResult(-maze_distance_numpy(p)[:, None] * tile, frames[:, None] * tile.astype(np.int64), positions)


def greedy_maze_policy(population: int) -> tuple[np.ndarray, np.ndarray]:
    """(W [P, 8, 5], b [P, 5]) of the linear policy that heads toward the goal: the move best aligned with the
    goal direction (observation entries 6, 7), never staying. It ends in the trap (:data:`MAZE_TRAP`)."""
    w = np.zeros((8, 5), np.float32)
    w[6, 1], w[7, 2], w[6, 3], w[7, 4] = 1, 1, -1, -1
    b = np.array([-2, 0, 0, 0, 0], np.float32)
    return np.tile(w, (population, 1, 1)), np.tile(b, (population, 1))


def constant_policy(population: int, inputs: int, actions: Sequence[int], count: int) -> tuple[np.ndarray, ...]:
    """(W = 0 [P, inputs, count], b [P, count]): individual i always takes ``actions[i]``."""
    b = np.zeros((population, count), np.float32)
    b[np.arange(population), np.asarray(actions)] = 1.0
    return np.zeros((population, inputs, count), np.float32), b


# ---------------------------------------------------------------------------------------------------------
# Protocol


class ControlEnvs(Protocol):
    """The functions of ``implementations/<framework>/control_envs.py``."""

    def rollout(self, env: EnvSpec, act: Callable, population: int, episodes: int, seed: int) -> RolloutResult:
        """Every individual plays ``episodes`` episodes; episode e starts from ``start_states(env, seed, E)[e]``."""
        ...

    def start_states(self, env: EnvSpec, seed: int, episodes: int) -> np.ndarray:
        """float64 [episodes, S]: the framework's own reset from :func:`episode_seed` ``(seed, e)``."""
        ...

    def replay(self, env: EnvSpec, states: np.ndarray, actions: np.ndarray, seed: int = 0) -> Replay:
        """N environments started from ``states`` [N, S] step through ``actions`` [T, N] (open loop)."""
        ...

    def mlp_policy(self, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> Callable:
        """A framework ``act``: the argmax of a per-individual MLP (tanh hidden layers) on the flattened
        observation; ``weights[l]`` [P, in, out], ``biases[l]`` [P, out]."""
        ...


PROTOCOL = ControlEnvs


# ---------------------------------------------------------------------------------------------------------
# conformance checks


def _maze_cases() -> tuple[np.ndarray, np.ndarray]:
    """Random lattice positions inside the box and random actions (T = 40, N = 12)."""
    rng = np.random.default_rng(2011)
    starts = np.concatenate([maze_start_states(1), rng.integers(0, 16, (11, 2)) + 0.5])
    return starts, rng.integers(0, 5, (40, len(starts)))


def _maze_replay_numpy(states: np.ndarray, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(positions [T + 1, N, 2], dones [T, N]) of the reference, frozen after reaching the goal."""
    p, done = states.copy(), maze_distance_numpy(states) <= MAZE_GOAL_RADIUS
    positions, dones = [p], []
    for a in actions:
        p = np.where(done[:, None], p, maze_step_numpy(p, a))
        done = done | (maze_distance_numpy(p) <= MAZE_GOAL_RADIUS)
        positions.append(p)
        dones.append(done)
    return np.stack(positions), np.stack(dones)


def check_maze_matches_reference(impl: ModuleType) -> None:
    """The maze: replayed positions equal the reference exactly (half-integer lattice), observations within
    1e-6, rewards 0; the rollout of the greedy policy (trapped) and of constant ones (east, north, stay)
    equals :func:`maze_rollout_numpy` (final positions exactly, returns within 1e-5, frames exactly)."""
    env = EnvSpec("deceptive_maze", 60)
    starts, actions = _maze_cases()
    out = impl.replay(env, starts, actions)
    positions, dones = _maze_replay_numpy(starts, actions)
    np.testing.assert_array_equal(out.states, positions, err_msg="maze replay positions")
    np.testing.assert_array_equal(out.dones, dones, err_msg="maze replay dones")
    want = maze_observation_numpy(positions.reshape(-1, 2)).reshape(*positions.shape[:2], 8)
    np.testing.assert_allclose(out.observations, want, rtol=0, atol=1e-6, err_msg="maze observations")
    require(out.observations.dtype == np.float32 and not out.rewards.any(), "maze observations/rewards")
    w, b = greedy_maze_policy(4)
    w[1:] = 0
    b[1:] = 0
    b[np.arange(1, 4), [1, 2, 0]] = 1  # east, north, stay
    result = impl.rollout(env, impl.mlp_policy([w], [b]), 4, 2, 7)
    ref = maze_rollout_numpy([(w, b)], 4, 2, env.max_steps)
    np.testing.assert_array_equal(result.final_positions, ref.final_positions, err_msg="maze final positions")
    np.testing.assert_array_equal(result.frames, ref.frames, err_msg="maze frames")
    np.testing.assert_allclose(result.returns, ref.returns, rtol=0, atol=1e-5, err_msg="maze returns")
    np.testing.assert_array_equal(result.final_positions[0, 0], MAZE_TRAP, err_msg="greedy policy not trapped")


def _cartpole_policy(population: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """A random 4-3-2 MLP per individual; individual 3 copies individual 0, individuals 1 and 2 are constant."""
    rng = np.random.default_rng(17)
    w1, b1 = rng.standard_normal((population, 4, 3)), rng.standard_normal((population, 3))
    w2, b2 = rng.standard_normal((population, 3, 2)), 0.1 * rng.standard_normal((population, 2))
    w1[3], b1[3], w2[3], b2[3] = w1[0], b1[0], w2[0], b2[0]
    w2[1:3] = 0
    b2[1:3] = [[1, 0], [0, 1]]  # always left, always right
    return [w1, w2], [b1, b2]


def check_rollout_semantics(impl: ModuleType) -> None:
    """CartPole: shapes and dtypes; frames in [1, max_steps]; returns == frames (reward 1 per step, none after
    the end); deterministic for fixed inputs; identical individuals get identical results (episodes shared);
    the constant policies' frames equal those of ``replay`` from ``start_states`` (the rollout starts episode e
    there); start states depend on the seed and episode e's does not depend on the episode count."""
    env, population, episodes, seed = EnvSpec("cartpole", 80), 4, 3, 5
    weights, biases = _cartpole_policy(population)
    act = impl.mlp_policy(weights, biases)
    result = impl.rollout(env, act, population, episodes, seed)
    require(result.final_positions is None, "final_positions must be None outside the maze")
    require(result.returns.dtype == np.float64 and result.returns.shape == (population, episodes), "returns")
    require(result.frames.dtype == np.int64 and result.frames.shape == (population, episodes), "frames")
    require(bool(np.all((result.frames >= 1) & (result.frames <= env.max_steps))), f"frames {result.frames}")
    np.testing.assert_array_equal(result.returns, result.frames, err_msg="CartPole return != frames")
    again = impl.rollout(env, impl.mlp_policy(weights, biases), population, episodes, seed)
    np.testing.assert_array_equal(again.returns, result.returns, err_msg="rollout not deterministic")
    np.testing.assert_array_equal(result.frames[3], result.frames[0], err_msg="equal individuals, unequal episodes")
    starts = impl.start_states(env, seed, episodes)
    require(starts.shape == (episodes, 4) and starts.dtype == np.float64, f"start_states {starts.shape}")
    require(bool(np.all(np.abs(starts) <= 0.05)), "CartPole starts outside U(-0.05, 0.05)")
    np.testing.assert_array_equal(impl.start_states(env, seed, 1), starts[:1], err_msg="start depends on E")
    require(not np.allclose(impl.start_states(env, seed + 1, 1), starts[:1]), "start ignores the seed")
    require(not np.allclose(starts[1], starts[0]), "episodes share a start state")
    for individual, action in ((1, 0), (2, 1)):
        replayed = impl.replay(env, starts, np.full((env.max_steps, episodes), action))
        frames = replayed.dones.argmax(axis=0) + 1
        np.testing.assert_array_equal(result.frames[individual], frames, err_msg=f"constant action {action}")


def check_rejects_bad_input(impl: ModuleType) -> None:
    """Bad arguments are ValueErrors naming the argument and the valid values (before any compilation)."""
    env = EnvSpec("deceptive_maze", 5)
    w, b = greedy_maze_policy(2)
    act = impl.mlp_policy([w], [b])
    calls: list[tuple[str, Callable[[], object]]] = [
        ("population", lambda: impl.rollout(env, act, 0, 1, 0)),
        ("episodes", lambda: impl.rollout(env, act, 2, 0, 0)),
        ("seed", lambda: impl.rollout(env, act, 2, 1, -1)),
        ("env", lambda: impl.rollout("cartpole", act, 2, 1, 0)),
        ("act", lambda: impl.rollout(env, act, 3, 1, 0)),
        ("actions", lambda: impl.replay(env, maze_start_states(2), np.full((3, 2), 5))),
        ("states", lambda: impl.replay(env, np.zeros((2, 3)), np.zeros((3, 2), int))),
        ("biases", lambda: impl.mlp_policy([w], [b[:, :3]])),
        ("seed", lambda: impl.start_states(env, -2, 1)),
        ("episodes", lambda: impl.start_states(env, 0, 0)),
    ]
    for name, call in calls:
        try:
            call()
        except ValueError as err:
            require(name in str(err) and "valid" in str(err), f"message for a bad {name} lacks it: {err}")
        else:
            raise AssertionError(f"a bad {name} was accepted")


def check_maze_parity(impls: dict[str, ModuleType]) -> None:
    """Same actions -> identical maze positions in every framework; the same random linear policies reach the
    same final positions."""
    env = EnvSpec("deceptive_maze", 40)
    starts, actions = _maze_cases()
    replays = {name: impl.replay(env, starts, actions) for name, impl in impls.items()}
    rng = np.random.default_rng(3)
    w, b = rng.standard_normal((6, 8, 5)).astype(np.float32), rng.standard_normal((6, 5)).astype(np.float32)
    results = {name: impl.rollout(env, impl.mlp_policy([w], [b]), 6, 1, 0) for name, impl in impls.items()}
    first, *others = impls
    for other in others:
        np.testing.assert_array_equal(replays[other].states, replays[first].states, err_msg=f"{other} positions")
        np.testing.assert_allclose(replays[other].observations, replays[first].observations, rtol=0, atol=1e-6)
        np.testing.assert_array_equal(results[other].final_positions, results[first].final_positions)
        np.testing.assert_array_equal(results[other].frames, results[first].frames)


SINGLE_CHECKS = (check_maze_matches_reference, check_rollout_semantics, check_rejects_bad_input)
PARITY_CHECKS = (check_maze_parity,)
