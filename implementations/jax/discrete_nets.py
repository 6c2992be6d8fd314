"""Discrete networks in JAX: step-unit nets and binary-weight nets trained by finite-difference forward
gradients, against backprop (which sees a zero gradient on the step net) and BinaryConnect's
straight-through estimator (Courbariaux, Bengio & David 2015).

The forward gradient is Baydin et al. 2022's ``g = (grad f . v) v`` (arXiv 2202.08587, Eq. 1) with the
directional derivative from a finite difference, ``(f(theta + eps v) - f(theta)) / eps`` (or the central
difference), computed by :func:`.forward_gradient.derivatives` -- the same function the estimator study
checks; nothing of it is rewritten here. Definitions, layouts and the float64 references:
:mod:`implementations.contracts.discrete_nets`.

(a) Pure functions, batch-polymorphic: parameters carry any leading axes (runs), a loss returns one value per
run, so ``forward_gradient.derivatives`` differentiates every run at once along tangents [K, runs, N]; the
per-run backprop gradient is the gradient of the sum of the runs' losses (the runs share nothing). Keys are
explicit. (b) The NumPy-facing functions of the contract. Every compiled function is built once per (net,
settings) and takes data, eps and lr as arguments; a training chunk runs up to ``record_every`` steps (a
traced count, so the last, shorter chunk reuses it) in one ``lax.fori_loop`` and ends with the record row.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from implementations.contracts.discrete_nets import (
    BinaryNet,
    BinaryTrace,
    FdTraining,
    Labeled,
    Patterns,
    StepNet,
    StepTrace,
    probe_tangents,
    record_steps,
)
from implementations.specs import ObjectiveSpec, mlp_param_slices

from . import backend, forward_gradient, objectives, tangents

Objective = Callable[[jax.Array], jax.Array]

# ---------------------------------------------------------------------------------------------------------
# (a) pure functions

_slices = functools.cache(mlp_param_slices)
"""The flat layout of a net (computed once per layer widths: training calls it every step)."""


def heaviside(z: jax.Array) -> jax.Array:
    """1 where z > 0, else 0, written ``0 * z + (z > 0)`` so that autodiff sees its derivative: exactly 0."""
    return 0.0 * z + (z > 0).astype(z.dtype)


def split(theta: jax.Array, layers: tuple[int, ...]) -> list[jax.Array]:
    """W_1, b_1, ... of theta [..., N], each with the leading axes of theta."""
    lead = theta.shape[:-1]
    return [theta[..., a:b].reshape(*lead, *shape) for a, b, shape in _slices(layers)]


def step_outputs(net: StepNet, theta: jax.Array, x: jax.Array) -> jax.Array:
    """Outputs [..., P, out] of theta [..., N] on inputs x [P, in]."""
    params = split(theta, net.layers)
    h = x
    for w, b in zip(params[::2], params[1::2], strict=True):
        z = h @ w + b[..., None, :]
        h = heaviside(z) if net.activation == "heaviside" else jax.nn.sigmoid(z)
    return h


def step_losses(net: StepNet, theta: jax.Array, x: jax.Array, t: jax.Array) -> jax.Array:
    """[...]: mean over patterns of 1/2 sum_o (y_o - t_o)^2."""
    return 0.5 * jnp.mean(jnp.sum(jnp.square(step_outputs(net, theta, x) - t), axis=-1), axis=-1)


def step_accuracies(net: StepNet, theta: jax.Array, x: jax.Array, t: jax.Array) -> jax.Array:
    """[...]: fraction of patterns whose every output is within 1/2 of its target."""
    close = jnp.abs(step_outputs(net, theta, x) - t) < 0.5
    return jnp.mean(jnp.all(close, axis=-1).astype(jnp.float32), axis=-1)


def binary_logits(net: BinaryNet, theta: jax.Array, x: jax.Array, ste: bool = False) -> jax.Array:
    """Logits [..., P, classes] with weights sign(theta) / sqrt(fan_in), theta [..., N], x [..., P, in]; ``ste``
    routes the gradient straight through the sign (``theta + stop_gradient(sign(theta) - theta)``)."""
    i, h, c = net.layers
    signs = jnp.where(theta >= 0, 1.0, -1.0).astype(theta.dtype)
    if ste:
        signs = theta + jax.lax.stop_gradient(signs - theta)
    lead = theta.shape[:-1]
    w1 = signs[..., : i * h].reshape(*lead, i, h) * (1.0 / np.sqrt(i))
    w2 = signs[..., i * h :].reshape(*lead, h, c) * (1.0 / np.sqrt(h))
    return jnp.tanh(x @ w1) @ w2


def binary_losses(net: BinaryNet, theta: jax.Array, x: jax.Array, y: jax.Array, ste: bool = False) -> jax.Array:
    """[...]: mean softmax cross-entropy (labels y [..., P])."""
    log_p = jax.nn.log_softmax(binary_logits(net, theta, x, ste), axis=-1)
    labels = jnp.broadcast_to(y, log_p.shape[:-1])
    return -jnp.mean(jnp.take_along_axis(log_p, labels[..., None], axis=-1)[..., 0], axis=-1)


def binary_accuracies(net: BinaryNet, theta: jax.Array, x: jax.Array, y: jax.Array) -> jax.Array:
    """[...]: fraction of patterns whose largest logit is the label's."""
    return jnp.mean((jnp.argmax(binary_logits(net, theta, x), axis=-1) == y).astype(jnp.float32), axis=-1)


def fd_update(
    objective: Objective,
    theta: jax.Array,
    directions: jax.Array,
    derivative: str,
    epsilon: jax.Array,
    lr: jax.Array,
) -> jax.Array:
    """``theta - lr (1/K) sum_k d_k v_k`` for every run: theta [S, N], directions [K, S, N], the per-run losses
    ``objective(theta)`` [S], eps and lr [S].

    d_k [K, S] comes from :func:`.forward_gradient.derivatives` at step 1 along the tangents scaled by each
    run's eps, divided by eps: (f(theta + 1 (eps v)) - f(theta)) / eps is the finite difference of step eps
    along v with the same arithmetic, and lets every run have its own step."""
    _, dd = forward_gradient.derivatives(objective, theta, directions * epsilon[None, :, None], derivative, 1.0)
    return theta - lr[:, None] * jnp.einsum("ks,ksn->sn", dd / epsilon, directions) / directions.shape[0]


def draw(rng: jax.Array, distribution: str, shape: tuple[int, ...]) -> jax.Array:
    """I.i.d. Gaussian or Rademacher tangents of ``shape``, drawn as one flat vector and reshaped (the laws
    have independent entries, so this is the same law; XLA compiles a flat draw several times faster than a
    multi-axis one, seconds per training function on a CPU)."""
    return tangents.sample_tangents(rng, distribution, (int(np.prod(shape)),)).reshape(shape)


def _per_run_grad(losses: Callable[[jax.Array], jax.Array], theta: jax.Array) -> jax.Array:
    """[S, N]: each run's gradient, as the gradient of the sum of the runs' losses."""
    return jax.grad(lambda th: jnp.sum(losses(th)))(theta)


# ---------------------------------------------------------------------------------------------------------
# (b) NumPy-facing functions (contract: implementations.contracts.discrete_nets.DiscreteNets)


def _patterns(data: Patterns) -> tuple[jax.Array, jax.Array]:
    return backend.from_numpy(data.inputs), backend.from_numpy(data.targets)


def _labeled(data: Labeled) -> tuple[jax.Array, jax.Array]:
    return backend.from_numpy(data.inputs), backend.from_numpy(data.labels).astype(jnp.int32)


def _f64(values: jax.Array) -> np.ndarray:
    return backend.to_numpy(values).astype(np.float64)


@functools.cache
def _compiled_step_eval(net: StepNet) -> Callable:
    def evaluate(theta: jax.Array, x: jax.Array, t: jax.Array) -> dict[str, jax.Array]:
        grad = _per_run_grad(lambda th: step_losses(net, th, x, t), theta)
        return {"loss": step_losses(net, theta, x, t), "accuracy": step_accuracies(net, theta, x, t), "grad": grad}

    return jax.jit(evaluate)


def step_loss(net: StepNet, data: Patterns, theta: np.ndarray) -> np.ndarray:
    """float64 [S]: the loss of every row of theta [S, N] (computed in float32)."""
    return _f64(_compiled_step_eval(net)(backend.from_numpy(theta), *_patterns(data))["loss"])


def step_accuracy(net: StepNet, data: Patterns, theta: np.ndarray) -> np.ndarray:
    """float64 [S]: the accuracy of every row of theta [S, N]."""
    return _f64(_compiled_step_eval(net)(backend.from_numpy(theta), *_patterns(data))["accuracy"])


def step_gradient(net: StepNet, data: Patterns, theta: np.ndarray) -> np.ndarray:
    """float32 [S, N]: the backprop gradient of every row of theta [S, N]."""
    return backend.to_numpy(_compiled_step_eval(net)(backend.from_numpy(theta), *_patterns(data))["grad"])


@functools.cache
def _compiled_derivatives(key: tuple, derivative: str) -> Callable:
    """grad f . v (one run) along K tangents, at E step sizes for a finite difference; ``key`` is ("step", net)
    or ("objective", structure)."""
    if key[0] == "step":
        make = lambda data: lambda th: step_losses(key[1], th, *data)  # noqa: E731
    else:
        f = objectives.flat_objective(key[1])
        make = lambda data: lambda th: f(th[0], data)[None]  # noqa: E731

    def at(theta: jax.Array, v: jax.Array, eps: jax.Array, data: tuple) -> jax.Array:
        objective, params, directions = make(data), theta[None], v[:, None]
        if derivative == "jvp":
            return forward_gradient.derivatives(objective, params, directions, "jvp")[1][:, 0]
        return jax.vmap(lambda e: forward_gradient.derivatives(objective, params, directions, derivative, e)[1][:, 0])(
            eps
        )

    return jax.jit(at)


def _derivatives(
    key: tuple, theta: np.ndarray, tangents: np.ndarray, derivative: str, eps: np.ndarray, data: tuple
) -> np.ndarray:
    compiled = _compiled_derivatives(key, derivative)
    at = backend.from_numpy(np.asarray(eps, np.float32))
    return backend.to_numpy(compiled(backend.from_numpy(theta), backend.from_numpy(tangents), at, data))


def step_jvp(net: StepNet, data: Patterns, theta: np.ndarray, tangents: np.ndarray) -> np.ndarray:
    """float32 [K]: grad f . v by forward mode along each tangent row [K, N] at theta [N]."""
    return _derivatives(("step", net), theta, tangents, "jvp", np.zeros(1), _patterns(data))


def step_fd_sweep(
    net: StepNet, data: Patterns, theta: np.ndarray, tangents: np.ndarray, derivative: str, epsilons: np.ndarray
) -> np.ndarray:
    """float32 [E, K]: the finite difference ``derivative`` along each tangent [K, N] at every eps [E]."""
    return _derivatives(("step", net), theta, tangents, derivative, epsilons, _patterns(data))


def objective_fd_sweep(
    spec: ObjectiveSpec, theta: np.ndarray, tangents: np.ndarray, derivative: str, epsilons: np.ndarray
) -> np.ndarray:
    """float32 [E, K]: the same for an objective of :mod:`implementations.specs` (e.g. Rosenbrock; one run)."""
    key = ("objective", objectives.structure(spec))
    return _derivatives(key, theta, tangents, derivative, epsilons, objectives.objective_data(spec))


def _step_record(net: StepNet, theta: jax.Array, probe: jax.Array | None, x: jax.Array, t: jax.Array) -> dict:
    """Loss, accuracy, ||backprop gradient|| and |JVP along ``probe`` [1, S, N]| (NaN when None) of every run."""
    objective = lambda th: step_losses(net, th, x, t)  # noqa: E731
    loss = objective(theta)
    row = {
        "loss": loss,
        "accuracy": step_accuracies(net, theta, x, t),
        "grad_norm": jnp.linalg.norm(_per_run_grad(objective, theta), axis=-1),
        "jvp": jnp.full_like(loss, jnp.nan),
    }
    if probe is not None:
        row["jvp"] = jnp.abs(forward_gradient.derivatives(objective, theta, probe, "jvp")[1][0])
    return row


@functools.cache
def _compiled_step_fd_chunk(net: StepNet, training: FdTraining) -> Callable:
    """``count`` (traced) training steps, then the record row at the parameters reached."""

    def chunk(
        theta: jax.Array,
        key: jax.Array,
        count: jax.Array,
        probe: jax.Array,
        eps: jax.Array,
        lr: jax.Array,
        x: jax.Array,
        t: jax.Array,
    ) -> tuple[jax.Array, dict]:
        objective = lambda th: step_losses(net, th, x, t)  # noqa: E731
        shape = (training.num_tangents, *theta.shape)

        def body(i: jax.Array, th: jax.Array) -> jax.Array:
            v = draw(jax.random.fold_in(key, i), training.distribution, shape)
            return fd_update(objective, th, v, training.derivative, eps, lr)

        theta = jax.lax.fori_loop(0, count, body, theta)
        return theta, _step_record(net, theta, probe, x, t)

    return jax.jit(chunk)


@functools.cache
def _compiled_step_bp_chunk(net: StepNet) -> Callable:
    """``count`` (traced) gradient-descent steps, then the record row at the parameters reached."""

    def chunk(theta: jax.Array, count: jax.Array, lr: jax.Array, x: jax.Array, t: jax.Array) -> tuple[jax.Array, dict]:
        step = lambda i, th: th - lr * _per_run_grad(lambda p: step_losses(net, p, x, t), th)  # noqa: E731
        theta = jax.lax.fori_loop(0, count, step, theta)
        return theta, _step_record(net, theta, None, x, t)

    return jax.jit(chunk)


def _run_chunks(marks: np.ndarray, theta: jax.Array, advance: Callable[[int, jax.Array, int], tuple]) -> tuple:
    """``advance(chunk index, theta, count) -> (theta, row)`` from one recorded step to the next; the first
    call runs 0 steps and records the start."""
    theta, row = advance(-1, theta, 0)
    rows = [row]
    for index, (start, stop) in enumerate(zip(marks[:-1], marks[1:], strict=True)):
        theta, row = advance(index, theta, int(stop - start))
        rows.append(row)
    return rows, theta


def _step_trace(marks: np.ndarray, rows: list[dict], theta: jax.Array) -> StepTrace:
    names = ("loss", "accuracy", "grad_norm", "jvp")
    return StepTrace(marks, *(np.stack([_f64(r[n]) for r in rows]) for n in names), backend.to_numpy(theta))


def train_step_fd(
    net: StepNet,
    data: Patterns,
    theta0: np.ndarray,
    seed: int,
    training: FdTraining,
    epsilons: np.ndarray,
    lrs: np.ndarray,
    steps: int,
    record_every: int,
) -> StepTrace:
    """S runs of finite-difference forward-gradient descent from theta0 [S, N], eps and lr per run [S]."""
    x, t = _patterns(data)
    eps, lr = backend.from_numpy(np.asarray(epsilons)), backend.from_numpy(np.asarray(lrs))
    base, chunk = backend.make_rng(seed), _compiled_step_fd_chunk(net, training)
    marks = record_steps(steps, record_every)
    probes = probe_tangents(seed, np.shape(theta0), marks.size)

    def advance(index: int, theta: jax.Array, count: int) -> tuple:
        probe = backend.from_numpy(probes[index + 1])
        return chunk(theta, jax.random.fold_in(base, max(index, 0)), jnp.int32(count), probe, eps, lr, x, t)

    rows, theta = _run_chunks(marks, backend.from_numpy(theta0), advance)
    return _step_trace(marks, rows, theta)


def train_step_backprop(
    net: StepNet, data: Patterns, theta0: np.ndarray, lr: float, steps: int, record_every: int
) -> StepTrace:
    """S runs of full-batch gradient descent from theta0 [S, N] (``jvp`` is NaN)."""
    x, t = _patterns(data)
    chunk = _compiled_step_bp_chunk(net)

    def advance(index: int, theta: jax.Array, count: int) -> tuple:
        return chunk(theta, jnp.int32(count), jnp.float32(lr), x, t)

    marks = record_steps(steps, record_every)
    rows, theta = _run_chunks(marks, backend.from_numpy(theta0), advance)
    return _step_trace(marks, rows, theta)


@functools.cache
def _compiled_binary_eval(net: BinaryNet) -> Callable:
    def evaluate(theta: jax.Array, x: jax.Array, y: jax.Array) -> tuple[jax.Array, jax.Array]:
        return binary_losses(net, theta, x, y), binary_accuracies(net, theta, x, y)

    return jax.jit(evaluate)


def binary_loss(net: BinaryNet, data: Labeled, theta: np.ndarray) -> np.ndarray:
    """float64 [S]: the mean cross-entropy of every row of the latent weights [S, N]."""
    return _f64(_compiled_binary_eval(net)(backend.from_numpy(theta), *_labeled(data))[0])


def binary_accuracy(net: BinaryNet, data: Labeled, theta: np.ndarray) -> np.ndarray:
    """float64 [S]: the accuracy of every row of the latent weights [S, N]."""
    return _f64(_compiled_binary_eval(net)(backend.from_numpy(theta), *_labeled(data))[1])


def _ste_grad(net: BinaryNet, theta: jax.Array, x: jax.Array, y: jax.Array) -> jax.Array:
    return _per_run_grad(lambda th: binary_losses(net, th, x, y, ste=True), theta)


@functools.cache
def _compiled_ste_grad(net: BinaryNet) -> Callable:
    return jax.jit(functools.partial(_ste_grad, net))


def binary_ste_gradient(net: BinaryNet, data: Labeled, theta: np.ndarray) -> np.ndarray:
    """float32 [N]: the straight-through gradient at the latent weights theta [N]."""
    return backend.to_numpy(_compiled_ste_grad(net)(backend.from_numpy(theta), *_labeled(data)))


@functools.cache
def _compiled_binary_update(net: BinaryNet) -> Callable:
    def update(theta: jax.Array, v: jax.Array, eps: jax.Array, lr: jax.Array, x: jax.Array, y: jax.Array) -> jax.Array:
        objective = lambda th: binary_losses(net, th, x, y)  # noqa: E731
        new = fd_update(objective, theta[None], v[:, None], "fd_forward", eps[None], lr[None])
        return jnp.clip(new[0], -1.0, 1.0)

    return jax.jit(update)


def binary_fd_update(
    net: BinaryNet, data: Labeled, theta: np.ndarray, tangents: np.ndarray, epsilon: float, lr: float
) -> np.ndarray:
    """float32 [N]: one forward-difference update of theta [N] along the given tangents [K, N] (clipped)."""
    new = _compiled_binary_update(net)(
        backend.from_numpy(theta), backend.from_numpy(tangents), jnp.float32(epsilon), jnp.float32(lr), *_labeled(data)
    )
    return backend.to_numpy(new)


@functools.cache
def _compiled_binary_chunk(net: BinaryNet, training: FdTraining | None) -> Callable:
    """Up to ``record_every`` (traced ``count``) minibatch steps of forward-difference training (``training``)
    or STE SGD (None), all runs at once; ``index`` [S, chunk, B] holds the chunk's minibatches."""

    def chunk(
        theta: jax.Array,
        key: jax.Array,
        count: jax.Array,
        index: jax.Array,
        eps: jax.Array,
        lr: jax.Array,
        x: jax.Array,
        y: jax.Array,
    ) -> jax.Array:
        def body(i: jax.Array, th: jax.Array) -> jax.Array:
            batch = index[:, i]
            xb, yb = x[batch], y[batch]
            if training is None:
                new = th - lr[:, None] * _ste_grad(net, th, xb, yb)
            else:
                v = draw(jax.random.fold_in(key, i), training.distribution, (training.num_tangents, *th.shape))
                objective = lambda p: binary_losses(net, p, xb, yb)  # noqa: E731
                new = fd_update(objective, th, v, training.derivative, eps, lr)
            return jnp.clip(new, -1.0, 1.0)

        return jax.lax.fori_loop(0, count, body, theta)

    return jax.jit(chunk)


def _binary_trainer(
    net: BinaryNet,
    train: Labeled,
    test: Labeled,
    theta0: np.ndarray,
    batches: np.ndarray,
    seed: int,
    training: FdTraining | None,
    epsilon: float,
    lrs: np.ndarray,
    record_every: int,
) -> BinaryTrace:
    x, y = _labeled(train)
    x_test, y_test = _labeled(test)
    index = np.asarray(batches, np.int32)
    steps = index.shape[1]
    chunk, evaluate = _compiled_binary_chunk(net, training), _compiled_binary_eval(net)
    base, lr = backend.make_rng(seed), backend.from_numpy(np.asarray(lrs))
    eps = backend.from_numpy(np.full(index.shape[0], epsilon, np.float32))
    width = min(record_every, steps) if steps else 1

    def advance(i: int, theta: jax.Array, count: int) -> tuple:
        if count:
            start = i * record_every
            part = np.zeros((index.shape[0], width, index.shape[2]), np.int32)
            part[:, :count] = index[:, start : start + count]
            theta = chunk(theta, jax.random.fold_in(base, i), jnp.int32(count), jnp.asarray(part), eps, lr, x, y)
        return theta, {"loss": evaluate(theta, x, y)[0], "accuracy": evaluate(theta, x_test, y_test)[1]}

    marks = record_steps(steps, record_every)
    rows, theta = _run_chunks(marks, backend.from_numpy(theta0), advance)
    loss = np.stack([_f64(r["loss"]) for r in rows])
    return BinaryTrace(marks, loss, np.stack([_f64(r["accuracy"]) for r in rows]), backend.to_numpy(theta))


def train_binary_fd(
    net: BinaryNet,
    train: Labeled,
    test: Labeled,
    theta0: np.ndarray,
    batches: np.ndarray,
    seed: int,
    training: FdTraining,
    epsilon: float,
    lrs: np.ndarray,
    record_every: int,
) -> BinaryTrace:
    """S runs of minibatch forward-difference training; batches [S, steps, B] index ``train``."""
    return _binary_trainer(net, train, test, theta0, batches, seed, training, epsilon, lrs, record_every)


def train_binary_ste(
    net: BinaryNet,
    train: Labeled,
    test: Labeled,
    theta0: np.ndarray,
    batches: np.ndarray,
    lrs: np.ndarray,
    record_every: int,
) -> BinaryTrace:
    """S runs of minibatch STE SGD; batches [S, steps, B] index ``train``."""
    return _binary_trainer(net, train, test, theta0, batches, 0, None, 0.0, lrs, record_every)
