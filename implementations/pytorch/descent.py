"""Descent in PyTorch: an optimizer fed by a gradient source ("optimizer x gradient source" is configuration).

With the forward estimator, one tangent and SGD, :func:`step` is forward gradient descent, Baydin et al.
2022 (arXiv 2202.08587), Alg. 1: ``x <- x - eta (grad f(x) . v) v``; other sources and optimizers come from
:mod:`.forward_gradient` and :mod:`.optimizers`. :func:`iterations_to_tolerance` implements the
iterations-to-target protocol of Belouze 2022 (arXiv 2209.06302). Contract:
:mod:`implementations.contracts.descent`.

(a) Pure functions in torch.func style (``rng``: a ``torch.Generator``): ``init(config, params, rng) -> state``,
``step(config, state, objective, rng) -> (state, stats)``; :func:`step_from_tangents` is the one
place where an estimate meets an update (it runs under ``torch.func.vmap`` for many starts at once).
(b) :class:`Batch`: many independent descents as rows of one tensor, grouped by
:func:`implementations.contracts.descent.batch_plan` (Belouze 2022's protocol runs every function,
optimizer and gradient source of a dimension in one loop). The estimates are those of
:mod:`.forward_gradient` computed for all rows of an objective at once: the objectives reduce over the last
axis, so one ``torch.func.jvp`` of the row-wise objective along tangents V [R, n] gives every row's
``grad f(x_r) . v_r`` (forward gradient ``(grad f . v) v``, Alg. 1) and one ``torch.func.vjp`` every row's
gradient (backprop); each optimizer's update runs under ``torch.func.vmap`` over its rows.
(c) The NumPy-facing functions at the bottom.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import NamedTuple

import numpy as np
import torch

from implementations.contracts.descent import DescentConfig, RunBlock, batch_plan, contiguous
from implementations.contracts.optimizers import OptimizerConfig
from implementations.specs import ObjectiveSpec

from . import backend, objectives, optimizers, tangents
from . import forward_gradient as fg
from .objectives import Objective, Params, build_objective

_CHECK_EVERY = 50  # iterations between host-side "all done?" checks in iterations_to_tolerance, first_passage
_SHRINK_BELOW = 0.8  # first_passage drops ended runs from the batch when fewer than this fraction are running

# ---------------------------------------------------------------------------------------------------------
# (a) pure functions


class DescentState(NamedTuple):
    """Parameters and optimizer state."""

    params: Params
    optimizer: optimizers.OptimizerState


def init(config: DescentConfig, params: Params, rng: torch.Generator | None = None) -> DescentState:
    """The state at ``params``. ``rng`` (a generator) is accepted for the uniform ``init`` signature;
    descent draws no randomness at initialisation."""
    del rng
    return DescentState(params, optimizers.init(config.optimizer, params))


def step_from_tangents(
    config: DescentConfig, state: DescentState, objective: Objective, directions: fg.Tangents
) -> tuple[DescentState, fg.Stats]:
    """One step with given tangents (tensors [K, ...]; None for backprop): estimate, then update."""
    grads, stats = fg.estimate(config.estimator, objective, state.params, directions)
    params, opt_state = optimizers.update(config.optimizer, grads, state.optimizer, state.params)
    return DescentState(params, opt_state), stats


def step(
    config: DescentConfig, state: DescentState, objective: Objective, rng: torch.Generator | None
) -> tuple[DescentState, fg.Stats]:
    """One step with fresh tangents drawn from the generator ``rng`` (unused by backprop); stats: {"loss"
    (before the step), "directional_derivatives"}."""
    return step_from_tangents(config, state, objective, fg.draw(config.estimator, state.params, rng))


# ---------------------------------------------------------------------------------------------------------
# (b) batched descents


Rows = slice | torch.Tensor
"""A group's rows: a slice when they are consecutive, else an index tensor."""


def _rows(indices: np.ndarray) -> Rows:
    span = contiguous(indices)
    return slice(*span) if span is not None else torch.as_tensor(indices, device=backend.device())


def _put(target: torch.Tensor, rows: Rows, values: torch.Tensor) -> None:
    if isinstance(rows, slice):
        target[rows] = values
    else:
        target.index_copy_(0, rows, values)


def _bank(pieces: list[tuple[Rows, Callable, tuple]]) -> Callable:
    """x [R, n] -> the values at the rows of every piece (row-wise objective, its rows, its data), in order."""
    if len(pieces) == 1:
        rows, f, data = pieces[0]
        return lambda x: f(x[rows], data)
    return lambda x: torch.cat([f(x[rows], data) for rows, f, data in pieces])


def _row_update(config: OptimizerConfig) -> tuple[Callable, Callable]:
    """(init(x), update(g, state, x)) of an optimizer on rows of parameters. Global-norm clipping reduces
    over a row, so clipped SGD runs under ``torch.func.vmap``; every other update is elementwise with a step
    counter shared by rows that start together, so one call on the stacked rows is the same computation."""
    init = lambda x: optimizers.init(config, (x,))  # noqa: E731
    update = lambda g, state, x: optimizers.update(config, (g,), state, (x,))  # noqa: E731
    if config.name == "clipped_sgd":
        return torch.func.vmap(init), torch.func.vmap(update)
    return init, update


def _select_rows(state: object, chosen: torch.Tensor, rows: int) -> object:
    """An optimizer state restricted to the chosen rows: every tensor with one entry per row is indexed; a
    step counter shared by the rows (a 0-d tensor) is kept."""
    if isinstance(state, torch.Tensor):
        return state[chosen] if state.dim() > 0 and state.shape[0] == rows else state
    if isinstance(state, tuple):
        parts = [_select_rows(part, chosen, rows) for part in state]
        return type(state)(*parts) if hasattr(state, "_fields") else tuple(parts)
    return state


class Batch:
    """Independent descents as the rows of one tensor (module docstring, (b)); ``step`` returns f at the
    iterates it started from. Per step: one JVP of all forward rows' objectives (values and ``grad f . v``
    for every row at once), one VJP of all backprop rows' objectives, one update per optimizer."""

    def __init__(self, blocks: tuple[RunBlock, ...], starts: np.ndarray, seed: int) -> None:
        self._build(blocks, backend.from_numpy(starts), backend.make_rng(seed), None)

    def _build(self, blocks: tuple[RunBlock, ...], x: torch.Tensor, gen: torch.Generator, states: dict | None) -> None:
        plan = batch_plan(blocks)
        if tuple(x.shape) != (plan.rows, plan.dim):
            raise ValueError(f"starts {tuple(x.shape)}; blocks need ({plan.rows}, {plan.dim})")
        self.blocks, self.x, self.gen = blocks, x, gen
        self.banks: dict[str, tuple[Rows, Callable]] = {}
        for source in ("forward", "backprop"):
            groups = [(spec, rows) for spec, src, rows in plan.estimates if src == source]
            if groups:
                pieces = [
                    (_rows(rows), objectives.batched_objective(key), objectives.objective_data(spec))
                    for spec, rows in groups
                    for key in [objectives.structure(spec)]
                ]
                self.banks[source] = (_rows(np.concatenate([rows for _, rows in groups])), _bank(pieces))
        self.tangents = [(_rows(rows), name, rows.size) for name, rows in plan.tangents]
        self.updates = []
        for config, rows in plan.updates:
            selected = _rows(rows)
            init, update = _row_update(config)
            state = init(self.x[selected]) if states is None else states[config]
            self.updates.append([selected, update, state, config])

    def keep(self, mask: np.ndarray) -> Batch:
        """The batch of the rows where ``mask`` is True (their iterates and optimizer states, in order; the
        generator continues): finished runs stop costing anything."""
        counts, offset = [], 0
        for block in self.blocks:
            counts.append(int(mask[offset : offset + block.rows].sum()))
            offset += block.rows
        blocks = tuple(replace(b, rows=c) for b, c in zip(self.blocks, counts, strict=True) if c > 0)
        plan = batch_plan(self.blocks)
        states = {}
        for (config, rows), (_, _, state, _) in zip(plan.updates, self.updates, strict=True):
            chosen = torch.as_tensor(mask[rows], device=self.x.device)
            states[config] = _select_rows(state, chosen, rows.size)
        smaller = Batch.__new__(Batch)
        smaller._build(blocks, self.x[torch.as_tensor(mask, device=self.x.device)], self.gen, states)
        return smaller

    def estimate(self, x: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(f [R], gradient estimates [R, n]) at x along tangents v (read by forward rows only)."""
        values = torch.empty(x.shape[0], dtype=x.dtype, device=x.device)
        grads = torch.zeros_like(x)
        if "forward" in self.banks:
            rows, bank = self.banks["forward"]
            value, dd = torch.func.jvp(bank, (x,), (v,))
            _put(values, rows, value)
            # torch 2.13's forward mode may return float64 tangents for `python_float * tensor`; keep float32
            _put(grads, rows, dd.to(x.dtype)[:, None] * v[rows])
        if "backprop" in self.banks:
            rows, bank = self.banks["backprop"]
            value, pull = torch.func.vjp(bank, x)
            _put(values, rows, value)
            grads = grads + pull(torch.ones_like(value))[0]  # zero on every other row
        return values, grads

    def step(self, active: torch.Tensor | None = None) -> torch.Tensor:
        """One step of every row (rows where ``active`` is False keep their iterate); f(x_t) [R]."""
        x = self.x
        v = torch.zeros_like(x)
        for rows, name, count in self.tangents:
            _put(v, rows, tangents.sample_tangents(self.gen, name, (count, x.shape[1])))
        values, grads = self.estimate(x, v)
        new = torch.empty_like(x)
        for entry in self.updates:
            rows, update, state, _ = entry
            (params,), entry[2] = update(grads[rows], state, x[rows])
            _put(new, rows, params)
        self.x = new if active is None else torch.where(active[:, None], new, x)
        return values

    def values(self) -> torch.Tensor:
        """f at the current iterates [R]."""
        return self.estimate(self.x, torch.zeros_like(self.x))[0]


# ---------------------------------------------------------------------------------------------------------
# (c) NumPy-facing functions (contract: implementations.contracts.descent.DescentMethod)


@torch.no_grad()
def iterations_to_tolerance(
    spec: ObjectiveSpec, starts: np.ndarray, seed: int, config: DescentConfig, max_iterations: int, tolerance: float
) -> np.ndarray:
    """int64 [R]: per row of ``starts`` [R, n], the first t with f(x_t) <= tolerance f(x_0), else -1.

    All starts step together (:func:`step_from_tangents` under ``torch.func.vmap``) with the tangents of all
    starts drawn at once from one generator; the loop exits early once every start is done (checked every
    50 iterations, to keep host synchronisation rare).
    """
    objective = build_objective(spec)
    x = backend.from_numpy(starts)
    batched_f = torch.func.vmap(lambda theta: objective((theta,)))
    single = (x[0],)
    state = torch.func.vmap(lambda theta: init(config, (theta,)))(x)
    if config.estimator.source == "backprop":
        batched_step = torch.func.vmap(lambda s: step_from_tangents(config, s, objective, None)[0])
    else:
        batched_step = torch.func.vmap(lambda s, v: step_from_tangents(config, s, objective, v)[0])
    gen = backend.make_rng(seed)
    target = tolerance * batched_f(x)
    hit = torch.full((x.shape[0],), -1, dtype=torch.int64, device=x.device)
    for iteration in range(1, max_iterations + 1):
        directions = fg.draw(config.estimator, single, gen, (x.shape[0],))
        state = batched_step(state) if directions is None else batched_step(state, directions)
        newly = (hit < 0) & (batched_f(state.params[0]) <= target)
        hit = torch.where(newly, torch.full_like(hit, iteration), hit)
        if iteration % _CHECK_EVERY == 0 and bool((hit >= 0).all()):
            break
    return backend.to_numpy(hit)


@torch.no_grad()
def trajectory_from_tangents(
    spec: ObjectiveSpec, theta0: np.ndarray, tangents: np.ndarray, config: DescentConfig
) -> np.ndarray:
    """Feed tangents [T, K, n] in order (parity mode; ignored by backprop): the trajectory [T+1, n] float32."""
    objective = build_objective(spec)
    state = init(config, (backend.from_numpy(theta0),))
    path = [state.params[0]]
    for v in backend.from_numpy(tangents):
        directions = None if config.estimator.source == "backprop" else (v,)
        state, _ = step_from_tangents(config, state, objective, directions)
        path.append(state.params[0])
    return backend.to_numpy(torch.stack(path))


def values_and_gradients(spec: ObjectiveSpec, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(f at each row of ``points`` [R, n], [R] float32; its backprop gradient, [R, n] float32)."""
    f, data = objectives.batched_objective(objectives.structure(spec)), objectives.objective_data(spec)
    values, pull = torch.func.vjp(lambda x: f(x, data), backend.from_numpy(np.asarray(points, np.float32)))
    return backend.to_numpy(values), backend.to_numpy(pull(torch.ones_like(values))[0])


@contextlib.contextmanager
def _one_intra_op_thread() -> Iterator[None]:
    """Run a block with one intra-op thread, then restore the configured count. A batched protocol step is
    hundreds of operations on small tensors, bound by per-operation overhead; a second intra-op thread only
    adds synchronisation (on the 2-core CPU of this suite, with other work running, a step took about 4x
    longer with 2 threads than with 1). Nothing inside is timed."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@torch.no_grad()
def first_passage(
    blocks: tuple[RunBlock, ...],
    starts: np.ndarray,
    seed: int,
    max_iterations: int,
    targets: np.ndarray,
    ceilings: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Belouze 2022's protocol for every row at once (contract: ``DescentMethod.first_passage``): hit, out
    (int64 [R], -1 if never) and best (float64 [R]). Every 50 iterations the host checks which runs have
    ended: all of them ends the call; when more than a fifth have, they leave the batch (:meth:`Batch.keep`)."""
    with _one_intra_op_thread():
        return _first_passage(Batch(blocks, starts, seed), max_iterations, targets, ceilings)


def _first_passage(
    batch: Batch, max_iterations: int, targets: np.ndarray, ceilings: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = batch.x.shape[0]
    results = {"hit": np.full(rows, -1, np.int64), "out": np.full(rows, -1, np.int64), "best": np.full(rows, np.inf)}
    alive = np.arange(rows)  # the original row of each row of the (shrinking) batch
    target, ceiling = backend.from_numpy(targets), backend.from_numpy(ceilings)
    hit = torch.full((rows,), -1, dtype=torch.int64, device=batch.x.device)
    out = torch.full_like(hit, -1)
    best = torch.full((rows,), float("inf"), dtype=batch.x.dtype, device=batch.x.device)
    active = torch.ones(rows, dtype=torch.bool, device=batch.x.device)

    def settle(keep: np.ndarray) -> None:
        for name, tensor in (("hit", hit), ("out", out), ("best", best)):
            results[name][alive[~keep]] = backend.to_numpy(tensor)[~keep]

    for t in range(max_iterations):
        if t % _CHECK_EVERY == 0:
            keep = backend.to_numpy(active)
            if not keep.any():
                break
            if keep.mean() < _SHRINK_BELOW:
                settle(keep)
                chosen = torch.as_tensor(keep, device=batch.x.device)
                batch, alive = batch.keep(keep), alive[keep]
                target, ceiling, hit, out, best, active = (a[chosen] for a in (target, ceiling, hit, out, best, active))
        values = batch.step(active)
        reached = active & (values <= target)
        failed = active & ~reached & ~(torch.isfinite(values) & (values <= ceiling))
        best = torch.where(active & torch.isfinite(values), torch.minimum(best, values), best)
        hit = torch.where(reached, t, hit)
        out = torch.where(failed, t, out)
        active = active & ~reached & ~failed
    settle(np.zeros(len(alive), bool))
    return results["hit"], results["out"], results["best"].astype(np.float64)


def descent_runner(
    spec: ObjectiveSpec, starts: np.ndarray, seed: int, config: DescentConfig, stride: int
) -> tuple[Callable[[], None], Callable[[], tuple[np.ndarray, np.ndarray]]]:
    """(advance, read) (contract: ``DescentMethod.descent_runner``); two untimed steps run first on a copy,
    from a generator of another seed, so allocations and first-call work happen before any clock is read."""
    blocks = (RunBlock(spec, config, int(starts.shape[0])),)
    warm = Batch(blocks, starts, seed + 1)
    batch = Batch(blocks, starts, seed)

    @torch.no_grad()
    def advance_batch(which: Batch, steps: int = stride) -> None:
        for _ in range(steps):
            which.step()
        backend.synchronize()

    @torch.no_grad()
    def read() -> tuple[np.ndarray, np.ndarray]:
        return backend.to_numpy(batch.x), backend.to_numpy(batch.values())

    advance_batch(warm, 2)
    return (lambda: advance_batch(batch)), read
