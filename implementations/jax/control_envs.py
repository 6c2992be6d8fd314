"""Control environments and population rollouts in JAX (gymnax 1.0.1 and a native deceptive maze), for the
fitness evaluation of Deep Neuroevolution (Such et al. 2017, arXiv:1712.06567: fitness = episode return) and
OpenAI-ES (Salimans et al. 2017, arXiv:1703.03864). Contract (environments, rollout semantics, the maze, the state
vectors and every difference from the reference libraries): :mod:`implementations.contracts.control_envs`.

A rollout is one compiled function: the environment step (gymnax ``step_env``, without its auto-reset) is
``vmap``-ed over the population and the episodes, ``act`` over the episodes (it sees [P, *obs]), and a
``lax.while_loop`` runs the steps until every episode has ended or ``max_steps`` is reached; ended episodes
are frozen by masking. Episode e's keys come from :func:`~implementations.contracts.control_envs.episode_seed`
``(seed, e)``: ``fold_in(key, 0)`` resets, ``fold_in(fold_in(key, 1), t)`` drives step t's randomness
(Asterix's spawns) and ``fold_in(fold_in(key, 2), t)`` its sticky-action draw; every individual of episode e
shares them (common random numbers). The deceptive maze (Lehman & Stanley 2011, simplified) is written here
in ``jax.numpy`` (:func:`_maze_step`, :func:`_maze_observation`).

Compilation: once per (environment name, population, episodes, act function); the cap and the sticky-action
probability are traced. An ``act`` given as a ``jax.tree_util.Partial`` (as :func:`mlp_policy` returns) is a
traced argument, so new weights reuse the compiled rollout; any other callable is static (compiled per
object). Matrix products in :func:`mlp_policy` use ``Precision.HIGHEST`` (no TF32 on GPUs).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import gymnax
import jax
import jax.numpy as jnp
import numpy as np

from implementations.contracts.control_envs import (
    ENV_NAMES,
    GYMNAX_IDS,
    MAZE_GOAL,
    MAZE_GOAL_RADIUS,
    MAZE_HORIZONTAL_WALLS,
    MAZE_MOVES,
    MAZE_SIZE,
    MAZE_VERTICAL_WALLS,
    MINATAR,
    EnvSpec,
    Replay,
    RolloutResult,
    act_problem,
    check_mlp_layers,
    check_replay_args,
    check_rollout_args,
    check_seed,
    episode_seed,
    maze_start_states,
    n_actions,
    observation_shape,
    out_of_range_message,
)

from . import backend

_N_ACTIONS = {name: n_actions(EnvSpec(name, 1)) for name in ENV_NAMES}

State = Any
"""An environment state: a gymnax ``EnvState`` or the maze position [2]."""

# ---------------------------------------------------------------------------------------------------------
# environments as pure functions of one (unbatched) state


class _Env(NamedTuple):
    reset: Callable[[jax.Array], State]
    """key -> state."""
    step: Callable[[jax.Array, State, jax.Array], tuple[State, jax.Array, jax.Array, jax.Array]]
    """(key, state, action) -> (state, observation, reward, terminated)."""
    observe: Callable[[State], jax.Array]
    to_vector: Callable[[State], jax.Array]
    """The contract's float32 state vector [S]."""
    from_vector: Callable[[jax.Array], State]


def _i32(value: jax.Array) -> jax.Array:
    return jnp.asarray(jnp.round(value), jnp.int32)


def _cartpole_from(template: State, v: jax.Array) -> State:
    return template.replace(x=v[0], x_dot=v[1], theta=v[2], theta_dot=v[3], time=jnp.int32(0))


def _cartpole_to(s: State) -> jax.Array:
    return jnp.stack([s.x, s.x_dot, s.theta, s.theta_dot]).astype(jnp.float32)


def _acrobot_from(template: State, v: jax.Array) -> State:
    return template.replace(joint_angle1=v[0], joint_angle2=v[1], velocity_1=v[2], velocity_2=v[3], time=jnp.int32(0))


def _acrobot_to(s: State) -> jax.Array:
    return jnp.stack([s.joint_angle1, s.joint_angle2, s.velocity_1, s.velocity_2]).astype(jnp.float32)


def _breakout_from(template: State, v: jax.Array) -> State:
    return template.replace(
        ball_x=_i32(v[0]),
        ball_y=_i32(v[1]),
        ball_dir=_i32(v[2]),
        pos=_i32(v[3]),
        strike=v[4] > 0.5,
        last_x=_i32(v[5]),
        last_y=_i32(v[6]),
        brick_map=v[7:].reshape(10, 10).astype(jnp.float32),
        time=jnp.int32(0),
        terminal=jnp.bool_(False),
    )


def _breakout_to(s: State) -> jax.Array:
    head = jnp.stack([s.ball_x, s.ball_y, s.ball_dir, s.pos, s.strike, s.last_x, s.last_y]).astype(jnp.float32)
    return jnp.concatenate([head, s.brick_map.reshape(-1).astype(jnp.float32)])


_ASTERIX_FIELDS = ("player_x", "player_y", "spawn_speed", "spawn_timer", "move_speed", "move_timer", "ramp_timer")


def _asterix_from(template: State, v: jax.Array) -> State:
    scalars = {name: _i32(v[i]) for i, name in enumerate(_ASTERIX_FIELDS)}
    rows = _i32(v[8:].reshape(8, 4))  # x, moving_right, gold, present
    present = rows[:, 3]
    slot_y = jnp.arange(1, 9, dtype=jnp.int32)
    entities = jnp.stack([rows[:, 0], slot_y, rows[:, 1], rows[:, 2], jnp.ones_like(present)], 1) * present[:, None]
    return template.replace(
        **scalars,
        ramp_index=_i32(v[7]),
        shot_timer=jnp.int32(0),
        entities=entities,
        time=jnp.int32(0),
        terminal=jnp.bool_(False),
    )


def _asterix_to(s: State) -> jax.Array:
    head = jnp.stack([getattr(s, name) for name in _ASTERIX_FIELDS] + [s.ramp_index])
    present = (s.entities[:, 4] != 0).astype(jnp.int32)
    rows = jnp.stack([s.entities[:, 0], s.entities[:, 2], s.entities[:, 3], present], 1) * present[:, None]
    return jnp.concatenate([head, rows.reshape(-1)]).astype(jnp.float32)


_CONVERTERS = {
    "cartpole": (_cartpole_from, _cartpole_to),
    "acrobot": (_acrobot_from, _acrobot_to),
    "minatar_breakout": (_breakout_from, _breakout_to),
    "minatar_asterix": (_asterix_from, _asterix_to),
}


def _gymnax_env(name: str) -> _Env:
    with jax.ensure_compile_time_eval():  # the parameters are constants even when first built inside a trace
        env, params = gymnax.make(GYMNAX_IDS[name])
    from_vec, to_vec = _CONVERTERS[name]

    def reset(key: jax.Array) -> State:
        return env.reset_env(key, params)[1]

    def step(key: jax.Array, state: State, action: jax.Array) -> tuple[State, jax.Array, jax.Array, jax.Array]:
        obs, state, reward, terminated, _ = env.step_env(key, state, action, params)
        return state, obs.astype(jnp.float32), jnp.asarray(reward, jnp.float32), jnp.asarray(terminated, bool)

    def observe(state: State) -> jax.Array:
        return env.get_obs(state).astype(jnp.float32)

    def from_vector(v: jax.Array) -> State:
        return from_vec(reset(jax.random.key(0)), v)

    return _Env(reset, step, observe, to_vec, from_vector)


# the deceptive maze, native


def _maze_step(p: jax.Array, action: jax.Array) -> jax.Array:
    """One move of position p [2] (not made if the segment crosses a wall)."""
    q = p + jnp.asarray(MAZE_MOVES, jnp.float32)[action]
    blocked = jnp.bool_(False)
    for axis, walls in ((0, MAZE_VERTICAL_WALLS), (1, MAZE_HORIZONTAL_WALLS)):
        c, w_lo, w_hi = (jnp.asarray(walls[:, k], jnp.float32) for k in range(3))
        lo, hi, along = jnp.minimum(p[axis], q[axis]), jnp.maximum(p[axis], q[axis]), p[1 - axis]
        blocked = blocked | jnp.any((lo < c) & (c < hi) & (w_lo <= along) & (along <= w_hi))
    return jnp.where(blocked, p, q)


def _maze_distance(p: jax.Array) -> jax.Array:
    to_goal = jnp.asarray(MAZE_GOAL, jnp.float32) - p
    return jnp.sqrt(jnp.sum(to_goal * to_goal))


def _maze_observation(p: jax.Array) -> jax.Array:
    """[8]: position / size, rangefinders (east, north, west, south) / size, unit vector toward the goal."""
    ranges = []
    for axis, sign in ((0, 1.0), (1, 1.0), (0, -1.0), (1, -1.0)):
        walls = MAZE_VERTICAL_WALLS if axis == 0 else MAZE_HORIZONTAL_WALLS
        c, w_lo, w_hi = (jnp.asarray(walls[:, k], jnp.float32) for k in range(3))
        gap = sign * (c - p[axis])
        facing = (gap > 0) & (w_lo <= p[1 - axis]) & (p[1 - axis] <= w_hi)
        ranges.append(jnp.min(jnp.where(facing, gap, jnp.inf)))
    to_goal = jnp.asarray(MAZE_GOAL, jnp.float32) - p
    unit = to_goal / jnp.maximum(_maze_distance(p), 1e-6)
    return jnp.concatenate([p / MAZE_SIZE, jnp.stack(ranges) / MAZE_SIZE, unit])


def _maze_env() -> _Env:
    def step(key: jax.Array, p: jax.Array, action: jax.Array) -> tuple[State, jax.Array, jax.Array, jax.Array]:
        q = _maze_step(p, action)
        return q, _maze_observation(q), jnp.float32(0), _maze_distance(q) <= MAZE_GOAL_RADIUS

    def reset(key: jax.Array) -> jax.Array:
        return jnp.asarray(maze_start_states(1)[0], jnp.float32)

    return _Env(reset, step, _maze_observation, lambda p: p, lambda v: v.astype(jnp.float32))


@functools.cache
def _environment(name: str) -> _Env:
    return _maze_env() if name == "deceptive_maze" else _gymnax_env(name)


def _initially_done(name: str, state: State) -> jax.Array:
    """A maze robot that starts inside the goal radius has nothing left to do."""
    return _maze_distance(state) <= MAZE_GOAL_RADIUS if name == "deceptive_maze" else jnp.bool_(False)


# ---------------------------------------------------------------------------------------------------------
# the step loop shared by rollout and replay


def _batched(function: Callable, depth: int) -> Callable:
    """vmap over ``depth`` leading axes of every argument but the first (the key, shared by an episode)."""
    for _ in range(depth):
        function = jax.vmap(function, in_axes=(None, 0, 0))
    return function


def _freeze(active: jax.Array, new: Any, old: Any) -> Any:
    """new where active, else old (leaf by leaf, broadcasting ``active`` over trailing axes)."""

    def pick(n: jax.Array, o: jax.Array) -> jax.Array:
        mask = active.reshape(active.shape + (1,) * (o.ndim - active.ndim))
        return jnp.where(mask, n, o).astype(o.dtype)

    return jax.tree.map(pick, new, old)


def _keys(seeds: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
    """(reset, step, sticky) keys [E] from the episode seeds [E] (uint32)."""
    base = jax.vmap(jax.random.key)(seeds)
    return tuple(jax.vmap(lambda k, i=i: jax.random.fold_in(k, i))(base) for i in range(3))


def _sticky(
    name: str, probability: jax.Array, sticky_keys: jax.Array, t: jax.Array, actions: jax.Array, last: jax.Array
) -> jax.Array:
    """MinAtar's sticky actions: keep the previous action with ``probability`` (one draw per episode and step;
    the probability is traced, so specs differing only in it share a compiled function)."""
    if name not in MINATAR:
        return actions
    u = jax.vmap(lambda k: jax.random.uniform(jax.random.fold_in(k, t)))(sticky_keys)
    u = u.reshape(u.shape + (1,) * (actions.ndim - 1))
    return jnp.where(u < probability, last, actions)


def _rollout_core(
    name: str,
    population: int,
    act: Callable,
    starts: jax.Array,
    seeds: jax.Array,
    max_steps: jax.Array,
    sticky: jax.Array,
) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
    """(returns [E, P], frames [E, P], final state vectors [E, P, S], any action out of range). Static: the
    environment's name, the population and (unless it is a Partial) ``act``; the cap and the sticky-action
    probability are traced."""
    e, actions_count = _environment(name), _N_ACTIONS[name]
    episodes = starts.shape[0]
    _, step_keys, sticky_keys = _keys(seeds)
    first = jax.vmap(e.from_vector)(starts)
    states = jax.tree.map(lambda x: jnp.repeat(x[:, None], population, axis=1), first)
    obs = jax.vmap(jax.vmap(e.observe))(states)
    done = jax.vmap(jax.vmap(functools.partial(_initially_done, name)))(states)
    zeros = jnp.zeros((episodes, population), jnp.int32)
    step = jax.vmap(_batched(e.step, 1))

    def running(carry: tuple) -> jax.Array:
        return (carry[0] < max_steps) & ~jnp.all(carry[4])

    def body(carry: tuple) -> tuple:
        t, states, obs, last, done, returns, frames, bad = carry
        actions = jax.vmap(act)(obs).astype(jnp.int32)
        bad = bad | jnp.any(((actions < 0) | (actions >= actions_count)) & ~done)
        actions = _sticky(name, sticky, sticky_keys, t, actions, last)
        keys = jax.vmap(lambda k: jax.random.fold_in(k, t))(step_keys)
        new_states, new_obs, reward, terminated = step(keys, states, actions)
        active = ~done
        return (
            t + 1,
            _freeze(active, new_states, states),
            _freeze(active, new_obs, obs),
            actions,
            done | terminated,
            returns + jnp.where(active, reward, 0.0),
            frames + active,
            bad,
        )

    carry = (jnp.int32(0), states, obs, zeros, done, zeros.astype(jnp.float32), zeros, jnp.bool_(False))
    _, states, _, _, _, returns, frames, bad = jax.lax.while_loop(running, body, carry)
    vectors = jax.vmap(jax.vmap(e.to_vector))(states)
    if name == "deceptive_maze":
        returns = -jax.vmap(jax.vmap(_maze_distance))(states)
    return returns, frames, vectors, bad


_rollout_traced_act = jax.jit(_rollout_core, static_argnames=("name", "population"))
_rollout_static_act = jax.jit(_rollout_core, static_argnames=("name", "population", "act"))


@functools.partial(jax.jit, static_argnames=("name",))
def _replay_core(
    name: str, starts: jax.Array, actions: jax.Array, seed: jax.Array, sticky: jax.Array
) -> tuple[jax.Array, ...]:
    """(observations [T + 1, N, ...], rewards [T, N], dones [T, N], state vectors [T + 1, N, S])."""
    e = _environment(name)
    _, step_keys, sticky_keys = _keys(seed[None])
    states = jax.vmap(e.from_vector)(starts)
    obs = jax.vmap(e.observe)(states)
    done = jax.vmap(functools.partial(_initially_done, name))(states)
    step = _batched(e.step, 1)

    def tick(carry: tuple, xs: tuple) -> tuple[tuple, tuple]:
        states, obs, last, done = carry
        t, actions = xs
        actions = _sticky(name, sticky, sticky_keys, t, actions[None], last[None])[0]
        new_states, new_obs, reward, terminated = step(jax.random.fold_in(step_keys[0], t), states, actions)
        active = ~done
        states, obs, done = _freeze(active, new_states, states), _freeze(active, new_obs, obs), done | terminated
        out = (obs, jnp.where(active, reward, 0.0), done, jax.vmap(e.to_vector)(states))
        return (states, obs, actions, done), out

    steps = jnp.arange(actions.shape[0], dtype=jnp.int32)
    carry = (states, obs, jnp.zeros(starts.shape[0], jnp.int32), done)
    _, (observations, rewards, dones, vectors) = jax.lax.scan(tick, carry, (steps, actions))
    first_vectors = jax.vmap(e.to_vector)(states)
    return (
        jnp.concatenate([obs[None], observations]),
        rewards,
        dones,
        jnp.concatenate([first_vectors[None], vectors]),
    )


@functools.partial(jax.jit, static_argnames=("name",))
def _start_states_core(name: str, seeds: jax.Array) -> jax.Array:
    e = _environment(name)
    reset_keys, _, _ = _keys(seeds)
    return jax.vmap(lambda k: e.to_vector(e.reset(k)))(reset_keys)


# ---------------------------------------------------------------------------------------------------------
# public functions (contract: implementations.contracts.control_envs.ControlEnvs)


def _dynamic(env: EnvSpec) -> tuple[jax.Array, jax.Array]:
    """The traced parts of a spec: (max_steps, sticky_action_prob)."""
    return jnp.int32(env.max_steps), jnp.float32(env.sticky_action_prob)


def _episode_seeds(seed: int, episodes: int) -> jax.Array:
    return backend.from_numpy(np.array([episode_seed(seed, e) for e in range(episodes)], np.uint32))


def start_states(env: EnvSpec, seed: int, episodes: int) -> np.ndarray:
    """float64 [episodes, S]: gymnax's reset of episode e from ``fold_in(key(episode_seed(seed, e)), 0)``
    (the maze: its fixed start)."""
    check_rollout_args(env, 1, episodes, seed)
    if env.name == "deceptive_maze":
        return maze_start_states(episodes)
    return backend.to_numpy(_start_states_core(env.name, _episode_seeds(seed, episodes))).astype(np.float64)


def rollout(env: EnvSpec, act: Callable, population: int, episodes: int, seed: int) -> RolloutResult:
    """Every individual plays ``episodes`` episodes from ``start_states(env, seed, episodes)`` (Such et al.
    2017: the fitness is an episode's return); ``act`` maps [population, *obs] to integer actions
    [population] and must be traceable (a ``jax.tree_util.Partial`` avoids recompiling for new weights)."""
    check_rollout_args(env, population, episodes, seed)
    probe = jax.ShapeDtypeStruct((population, *observation_shape(env)), jnp.float32)
    out = jax.eval_shape(act, probe)
    problem = act_problem(
        getattr(out, "shape", ()), jnp.issubdtype(getattr(out, "dtype", float), jnp.integer), population
    )
    if problem:
        raise ValueError(problem)
    starts = backend.from_numpy(start_states(env, seed, episodes).astype(np.float32))
    seeds = _episode_seeds(seed, episodes)
    run = _rollout_traced_act if isinstance(act, jax.tree_util.Partial) else _rollout_static_act
    returns, frames, vectors, bad = run(env.name, population, act, starts, seeds, *_dynamic(env))
    if bool(bad):
        raise ValueError(out_of_range_message(env))
    positions = backend.to_numpy(vectors).swapaxes(0, 1) if env.name == "deceptive_maze" else None
    return RolloutResult(
        backend.to_numpy(returns).T.astype(np.float64), backend.to_numpy(frames).T.astype(np.int64), positions
    )


def replay(env: EnvSpec, states: np.ndarray, actions: np.ndarray, seed: int = 0) -> Replay:
    """N environments from ``states`` [N, S] step through ``actions`` [T, N] (the step randomness of
    ``episode_seed(seed, 0)``, shared by all N); frozen after an environment's end."""
    states, actions = check_replay_args(env, states, actions)
    check_seed(seed)
    key_seed = backend.from_numpy(np.uint32(episode_seed(seed, 0)))
    starts = backend.from_numpy(states.astype(np.float32))
    out = _replay_core(env.name, starts, backend.from_numpy(actions), key_seed, _dynamic(env)[1])
    observations, rewards, dones, vectors = (backend.to_numpy(x) for x in out)
    return Replay(observations, rewards.astype(np.float32), dones, vectors.astype(np.float64))


def _mlp_act(layers: tuple[tuple[jax.Array, jax.Array], ...], observations: jax.Array) -> jax.Array:
    """argmax over actions of each individual's MLP (tanh hidden layers) on its flattened observation."""
    population, inputs = layers[0][0].shape[:2]
    x = observations.reshape(observations.shape[0], -1)
    if x.shape != (population, inputs):
        raise ValueError(
            f"act: observations shape {observations.shape}; valid: [{population}, ...] with {inputs} features"
        )
    for index, (w, b) in enumerate(layers):
        x = jnp.einsum("pi,pio->po", x, w, precision=jax.lax.Precision.HIGHEST) + b
        if index < len(layers) - 1:
            x = jnp.tanh(x)
    return jnp.argmax(x, axis=1).astype(jnp.int32)


def mlp_policy(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> Callable:
    """An ``act`` (a ``jax.tree_util.Partial`` holding the weights on the device): the argmax of individual
    i's MLP ``weights[l][i]`` [in, out], ``biases[l][i]`` [out] (tanh between layers) on its observation."""
    layers = check_mlp_layers(weights, biases)
    params = tuple((backend.from_numpy(w), backend.from_numpy(b)) for w, b in layers)
    return jax.tree_util.Partial(_mlp_act, params)
