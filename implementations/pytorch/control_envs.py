"""Control environments and population rollouts on the PyTorch side: the reference libraries (gymnasium's
classic control, the ``minatar`` package, NumPy) feeding torch tensors to the policy, and a native torch
deceptive maze; for the fitness evaluation of Deep Neuroevolution (Such et al. 2017, arXiv:1712.06567:
fitness = episode return) and OpenAI-ES (Salimans et al. 2017, arXiv:1703.03864). Contract (environments,
rollout semantics, the maze, the state vectors and every difference from gymnax):
:mod:`implementations.contracts.control_envs`.

The population's P x E episodes run as one batch, column ``e * P + i`` for individual i's episode e:
CartPole in one gymnasium ``CartPoleVectorEnv`` (``make_vec(..., vectorization_mode="vector_entry_point")``),
Acrobot in one ``SyncVectorEnv``, MinAtar as a list of ``minatar.Environment`` stepped in one loop, the maze
(Lehman & Stanley 2011, simplified) as torch tensors on the configured device (:func:`_maze_step`,
:func:`_maze_observation`). Each step turns the observations into one float32 tensor on the configured device
and calls ``act`` once per episode on its [P, *obs] slice. Episode e's environments are seeded with
:func:`~implementations.contracts.control_envs.episode_seed` ``(seed, e)`` (gymnasium's ``reset(seed=...)``,
MinAtar's ``seed``), the same for every individual; the vector environments' auto-reset is masked out (an
ended episode is frozen).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import gymnasium
import minatar
import numpy as np
import torch

from implementations.contracts.control_envs import (
    MAZE_GOAL,
    MAZE_GOAL_RADIUS,
    MAZE_HORIZONTAL_WALLS,
    MAZE_MOVES,
    MAZE_SIZE,
    MAZE_VERTICAL_WALLS,
    MINATAR_ACTIONS,
    REFERENCE_IDS,
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


def _tensor(array: np.ndarray) -> torch.Tensor:
    """A COPY of a NumPy array on the configured device (``torch.as_tensor`` would share the memory of arrays
    the environments keep writing into)."""
    return backend.from_numpy(np.array(array))


# ---------------------------------------------------------------------------------------------------------
# batches of N environments: observe() -> tensor [N, *obs]; step(actions, active) -> (reward, terminated)
# tensors [N]; states() -> float64 [N, S]. Environments not active are not stepped (or their output is masked).


class _CartPoleBatch:
    """gymnasium's vectorised CartPole-v1 with its state set to ``starts``."""

    def __init__(self, spec: EnvSpec, starts: np.ndarray, seeds: Sequence[int], cap: int) -> None:
        self.env = gymnasium.make_vec(
            REFERENCE_IDS["cartpole"],
            num_envs=len(starts),
            vectorization_mode="vector_entry_point",
            max_episode_steps=cap + 1,
        )
        self.env.reset(seed=int(seeds[0]))
        self.env.unwrapped.state = np.array(starts, np.float64).T.copy()
        self.obs = starts.astype(np.float32)

    def observe(self) -> torch.Tensor:
        return _tensor(self.obs)

    def step(self, actions: torch.Tensor, active: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        self.obs, reward, terminated, _, _ = self.env.step(backend.to_numpy(actions).astype(np.int64))
        return _tensor(reward), _tensor(terminated)

    def states(self) -> np.ndarray:
        return self.env.unwrapped.state.T.astype(np.float64)


class _AcrobotBatch:
    """gymnasium's Acrobot-v1 environments in a ``SyncVectorEnv``, their states set to ``starts``."""

    def __init__(self, spec: EnvSpec, starts: np.ndarray, seeds: Sequence[int], cap: int) -> None:
        make = functools.partial(gymnasium.make, REFERENCE_IDS["acrobot"], max_episode_steps=cap + 1)
        self.env = gymnasium.vector.SyncVectorEnv([make] * len(starts))
        self.env.reset(seed=[int(s) for s in seeds])
        for sub, start in zip(self.env.envs, starts, strict=True):
            sub.unwrapped.state = np.array(start, np.float64)
        s = np.asarray(starts, np.float64)  # gymnasium's observation of a state, as in AcrobotEnv._get_ob
        self.obs = np.stack([np.cos(s[:, 0]), np.sin(s[:, 0]), np.cos(s[:, 1]), np.sin(s[:, 1]), s[:, 2], s[:, 3]], 1)

    def observe(self) -> torch.Tensor:
        return _tensor(self.obs.astype(np.float32))

    def step(self, actions: torch.Tensor, active: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        self.obs, reward, terminated, _, _ = self.env.step(backend.to_numpy(actions).astype(np.int64))
        return _tensor(reward.astype(np.float32)), _tensor(terminated)

    def states(self) -> np.ndarray:
        return np.stack([np.asarray(sub.unwrapped.state, np.float64) for sub in self.env.envs])


_ASTERIX_FIELDS = ("player_x", "player_y", "spawn_speed", "spawn_timer", "move_speed", "move_timer", "ramp_timer")


def _set_minatar_state(name: str, game: object, v: np.ndarray) -> None:
    """Write the contract's state vector into a MinAtar game (``minatar.Environment().env``)."""
    ints = [int(round(x)) for x in v]
    if name == "minatar_breakout":
        game.ball_x, game.ball_y, game.ball_dir, game.pos = ints[:4]
        game.strike = bool(ints[4])
        game.last_x, game.last_y = ints[5:7]
        game.brick_map = np.asarray(v[7:], np.float64).reshape(10, 10).copy()
    else:
        for field, value in zip(_ASTERIX_FIELDS + ("ramp_index",), ints[:8], strict=True):
            setattr(game, field, value)
        rows = np.asarray(ints[8:]).reshape(8, 4)
        game.entities = [
            [int(x), i + 1, bool(lr), bool(gold)] if present else None for i, (x, lr, gold, present) in enumerate(rows)
        ]
        game.shot_timer = 0
    game.terminal = False


def _minatar_state(name: str, game: object) -> np.ndarray:
    """The contract's state vector of a MinAtar game."""
    if name == "minatar_breakout":
        head = [game.ball_x, game.ball_y, game.ball_dir, game.pos, game.strike, game.last_x, game.last_y]
        return np.concatenate([np.asarray(head, np.float64), np.asarray(game.brick_map, np.float64).reshape(-1)])
    head = [getattr(game, field) for field in _ASTERIX_FIELDS] + [game.ramp_index]
    rows = [[e[0], e[2], e[3], 1] if e is not None else [0, 0, 0, 0] for e in game.entities]
    return np.concatenate([np.asarray(head, np.float64), np.asarray(rows, np.float64).reshape(-1)])


def _minatar_game(spec: EnvSpec, seed: int) -> minatar.Environment:
    """A MinAtar environment (difficulty ramping on, the spec's sticky actions) seeded and reset."""
    env = minatar.Environment(
        REFERENCE_IDS[spec.name], sticky_action_prob=spec.sticky_action_prob, difficulty_ramping=True
    )
    env.seed(int(seed))
    env.reset()
    return env


class _MinAtarBatch:
    """``minatar.Environment`` games with their states set to ``starts``, stepped one by one."""

    def __init__(self, spec: EnvSpec, starts: np.ndarray, seeds: Sequence[int], cap: int) -> None:
        self.name = spec.name
        self.full_action = np.asarray(MINATAR_ACTIONS[spec.name])
        self.envs = [_minatar_game(spec, seed) for seed in seeds]
        for env, start in zip(self.envs, starts, strict=True):
            _set_minatar_state(spec.name, env.env, start)
            env.last_action = 0
        self.obs = np.stack([env.state() for env in self.envs]).astype(np.float32)

    def observe(self) -> torch.Tensor:
        return _tensor(self.obs)

    def step(self, actions: torch.Tensor, active: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        full = self.full_action[backend.to_numpy(actions)]
        reward, terminated = np.zeros(len(self.envs), np.float32), np.zeros(len(self.envs), bool)
        for n in np.flatnonzero(backend.to_numpy(active)):
            reward[n], terminated[n] = self.envs[n].act(int(full[n]))
            self.obs[n] = self.envs[n].state()
        return _tensor(reward), _tensor(terminated)

    def states(self) -> np.ndarray:
        return np.stack([_minatar_state(self.name, env.env) for env in self.envs])


# the deceptive maze, native


@functools.cache
def _maze_constants(device: torch.device) -> dict[str, torch.Tensor]:
    def tensor(array: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(np.asarray(array, np.float32), device=device)

    return {
        "moves": tensor(MAZE_MOVES),
        "vertical": tensor(MAZE_VERTICAL_WALLS),
        "horizontal": tensor(MAZE_HORIZONTAL_WALLS),
        "goal": tensor(MAZE_GOAL),
    }


def _maze_step(p: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
    """One move of the positions p [N, 2] (a move whose segment crosses a wall is not made)."""
    k = _maze_constants(p.device)
    q = p + k["moves"][actions]
    blocked = torch.zeros(len(p), dtype=torch.bool, device=p.device)
    for axis, walls in ((0, k["vertical"]), (1, k["horizontal"])):
        lo = torch.minimum(p[:, axis], q[:, axis]).unsqueeze(1)
        hi = torch.maximum(p[:, axis], q[:, axis]).unsqueeze(1)
        along = p[:, 1 - axis].unsqueeze(1)
        crossing = (lo < walls[:, 0]) & (walls[:, 0] < hi) & (walls[:, 1] <= along) & (along <= walls[:, 2])
        blocked |= crossing.any(dim=1)
    return torch.where(blocked.unsqueeze(1), p, q)


def _maze_distance(p: torch.Tensor) -> torch.Tensor:
    to_goal = _maze_constants(p.device)["goal"] - p
    return torch.sqrt(torch.sum(to_goal * to_goal, dim=1))


def _maze_observation(p: torch.Tensor) -> torch.Tensor:
    """[N, 8]: position / size, rangefinders (east, north, west, south) / size, unit vector toward the goal."""
    k = _maze_constants(p.device)
    ranges = []
    for axis, sign in ((0, 1.0), (1, 1.0), (0, -1.0), (1, -1.0)):
        walls = k["vertical"] if axis == 0 else k["horizontal"]
        gap = sign * (walls[:, 0] - p[:, axis : axis + 1])
        along = p[:, 1 - axis : 2 - axis]
        facing = (gap > 0) & (walls[:, 1] <= along) & (along <= walls[:, 2])
        ranges.append(torch.where(facing, gap, torch.inf).amin(dim=1))
    unit = (k["goal"] - p) / torch.clamp_min(_maze_distance(p), 1e-6).unsqueeze(1)
    return torch.cat([p / MAZE_SIZE, torch.stack(ranges, 1) / MAZE_SIZE, unit], dim=1)


class _MazeBatch:
    """Maze robots as a tensor of positions [N, 2] on the configured device (frozen once not active)."""

    def __init__(self, spec: EnvSpec, starts: np.ndarray, seeds: Sequence[int], cap: int) -> None:
        self.positions = _tensor(np.asarray(starts, np.float32))

    def observe(self) -> torch.Tensor:
        return _maze_observation(self.positions)

    def step(self, actions: torch.Tensor, active: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        self.positions = torch.where(active.unsqueeze(1), _maze_step(self.positions, actions), self.positions)
        return torch.zeros(len(self.positions), device=self.positions.device), self.done()

    def done(self) -> torch.Tensor:
        return _maze_distance(self.positions) <= MAZE_GOAL_RADIUS

    def states(self) -> np.ndarray:
        return backend.to_numpy(self.positions).astype(np.float64)


_BATCHES = {
    "cartpole": _CartPoleBatch,
    "acrobot": _AcrobotBatch,
    "minatar_breakout": _MinAtarBatch,
    "minatar_asterix": _MinAtarBatch,
    "deceptive_maze": _MazeBatch,
}


def _batch(env: EnvSpec, starts: np.ndarray, seeds: Sequence[int], cap: int) -> tuple[object, torch.Tensor]:
    """(the batch, its initial done flags: a maze robot starting inside the goal radius is done)."""
    batch = _BATCHES[env.name](env, np.asarray(starts, np.float64), seeds, cap)
    if env.name == "deceptive_maze":
        return batch, batch.done()
    return batch, torch.zeros(len(starts), dtype=torch.bool, device=backend.device())


def _freeze(active: torch.Tensor, new: torch.Tensor, old: torch.Tensor) -> torch.Tensor:
    return torch.where(active.view(active.shape + (1,) * (old.dim() - 1)), new, old)


# ---------------------------------------------------------------------------------------------------------
# public functions (contract: implementations.contracts.control_envs.ControlEnvs)


def start_states(env: EnvSpec, seed: int, episodes: int) -> np.ndarray:
    """float64 [episodes, S]: the reference library's reset of episode e, seeded with ``episode_seed(seed, e)``
    (gymnasium ``reset(seed=...)``, MinAtar ``seed``; the maze: its fixed start)."""
    check_rollout_args(env, 1, episodes, seed)
    seeds = [episode_seed(seed, e) for e in range(episodes)]
    if env.name == "deceptive_maze":
        return maze_start_states(episodes)
    if env.name in ("cartpole", "acrobot"):
        starts = []
        for s in seeds:
            single = gymnasium.make(REFERENCE_IDS[env.name]).unwrapped
            single.reset(seed=s)
            starts.append(np.asarray(single.state, np.float64))
        return np.stack(starts)
    return np.stack([_minatar_state(env.name, _minatar_game(env, s).env) for s in seeds])


def _checked_actions(env: EnvSpec, actions: object, population: int) -> torch.Tensor:
    """``actions`` [episodes, population] as int64 on the device, or a ValueError naming what is valid."""
    integer = isinstance(actions, torch.Tensor) and not (actions.is_floating_point() or actions.is_complex())
    shape = tuple(getattr(actions, "shape", ()))[1:]
    problem = act_problem(shape, integer and actions.dtype != torch.bool, population)
    if problem:
        raise ValueError(problem)
    if bool(((actions < 0) | (actions >= n_actions(env))).any()):
        raise ValueError(out_of_range_message(env))
    return actions.to(device=backend.device(), dtype=torch.int64).reshape(-1)


def _episode_actions(act: Callable, observations: torch.Tensor) -> torch.Tensor:
    """``act`` on every episode's observations [episodes, population, *obs] at once: ``torch.vmap`` over the
    episodes (as the JAX rollout ``vmap``-s them), so ``act`` sees [population, *obs] as its contract says and a
    step costs one batched call, not one per episode."""
    if observations.shape[0] == 1:
        return act(observations[0])[None]
    return torch.vmap(act)(observations)


@torch.no_grad()
def rollout(env: EnvSpec, act: Callable, population: int, episodes: int, seed: int) -> RolloutResult:
    """Every individual plays ``episodes`` episodes from ``start_states(env, seed, episodes)`` (Such et al.
    2017: the fitness is an episode's return); ``act`` maps a tensor [population, *obs] to integer
    actions [population], and is applied to all episodes at once with ``torch.vmap`` (so it must be made of
    torch operations, as the JAX rollout's ``act`` must be traceable)."""
    check_rollout_args(env, population, episodes, seed)
    starts = np.repeat(start_states(env, seed, episodes), population, axis=0)
    seeds = [episode_seed(seed, e) for e in range(episodes) for _ in range(population)]
    batch, done = _batch(env, starts, seeds, env.max_steps)
    obs = batch.observe()
    n = population * episodes
    returns = torch.zeros(n, device=backend.device())
    frames = torch.zeros(n, dtype=torch.int64, device=backend.device())
    for _ in range(env.max_steps):
        if bool(done.all()):
            break
        stacked = obs.view(episodes, population, *observation_shape(env))
        actions = _checked_actions(env, _episode_actions(act, stacked), population)
        active = ~done
        reward, terminated = batch.step(actions, active)
        returns += torch.where(active, reward, 0.0)
        frames += active
        done = done | terminated
        obs = _freeze(active, batch.observe(), obs)
    positions = None
    if env.name == "deceptive_maze":
        returns = -_maze_distance(batch.positions)
        positions = backend.to_numpy(batch.positions).reshape(episodes, population, 2).swapaxes(0, 1)
    as_table = lambda x: backend.to_numpy(x).reshape(episodes, population).T  # noqa: E731
    return RolloutResult(as_table(returns).astype(np.float64), as_table(frames).astype(np.int64), positions)


@torch.no_grad()
def replay(env: EnvSpec, states: np.ndarray, actions: np.ndarray, seed: int = 0) -> Replay:
    """N environments from ``states`` [N, S] step through ``actions`` [T, N], seeded with
    ``episode_seed(seed, 0)``; frozen after an environment's end."""
    states, actions = check_replay_args(env, states, actions)
    check_seed(seed)
    batch, done = _batch(env, states, [episode_seed(seed, 0)] * len(states), len(actions))
    obs, vectors = batch.observe(), states
    observations, rewards, dones, trail = [backend.to_numpy(obs)], [], [], [vectors]
    for row in actions:
        active = ~done
        reward, terminated = batch.step(backend.from_numpy(row), active)
        obs = _freeze(active, batch.observe(), obs)
        done = done | terminated
        keep = backend.to_numpy(active)
        vectors = np.where(keep[:, None], batch.states(), vectors)
        observations.append(backend.to_numpy(obs))
        rewards.append(backend.to_numpy(torch.where(active, reward, 0.0)))
        dones.append(backend.to_numpy(done))
        trail.append(vectors)
    shape = (0, len(states))
    return Replay(
        np.stack(observations).astype(np.float32),
        np.stack(rewards).astype(np.float32) if rewards else np.zeros(shape, np.float32),
        np.stack(dones) if dones else np.zeros(shape, bool),
        np.stack(trail).astype(np.float64),
    )


def mlp_policy(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> Callable:
    """An ``act`` holding the weights on the configured device: the argmax of individual i's MLP
    ``weights[l][i]`` [in, out], ``biases[l][i]`` [out] (tanh between layers) on its flattened observation."""
    layers = [(_tensor(w), _tensor(b)) for w, b in check_mlp_layers(weights, biases)]
    population, inputs = layers[0][0].shape[:2]

    def act(observations: torch.Tensor) -> torch.Tensor:
        x = observations.reshape(observations.shape[0], -1)
        if tuple(x.shape) != (population, inputs):
            raise ValueError(
                f"act: observations shape {tuple(observations.shape)}; valid: [{population}, ...] with {inputs} "
                "features"
            )
        for index, (w, b) in enumerate(layers):
            x = torch.baddbmm(b.unsqueeze(1), x.unsqueeze(1), w).squeeze(1)
            if index < len(layers) - 1:
                x = torch.tanh(x)
        return torch.argmax(x, dim=1)

    return act
