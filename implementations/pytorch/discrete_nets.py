"""Discrete networks in PyTorch: step-unit nets and binary-weight nets trained by finite-difference forward
gradients, against backprop (which sees a zero gradient on the step net) and BinaryConnect's
straight-through estimator (Courbariaux, Bengio & David 2015).

The forward gradient is Baydin et al. 2022's ``g = (grad f . v) v`` (arXiv 2202.08587, Eq. 1) with the
directional derivative from a finite difference, ``(f(theta + eps v) - f(theta)) / eps`` (or the central
difference), computed by :func:`.forward_gradient.derivatives` -- the same function the estimator study
checks; nothing of it is rewritten here. Definitions, layouts and the float64 references:
:mod:`implementations.contracts.discrete_nets`.

(a) Pure functions, batch-polymorphic: parameters carry any leading axes (runs), a loss returns one value per
run, so ``forward_gradient.derivatives`` differentiates every run at once along tangents [K, runs, N] (no
``vmap`` over runs: eager per-op overhead dominates these tiny nets); the per-run backprop gradient is the
gradient of the sum of the runs' losses (the runs share nothing). (b) The NumPy-facing functions of the contract.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import torch

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

from . import backend, forward_gradient, tangents
from .objectives import build_objective

Objective = Callable[[tuple[torch.Tensor, ...]], torch.Tensor]

# ---------------------------------------------------------------------------------------------------------
# (a) pure functions

_slices = functools.cache(mlp_param_slices)
"""The flat layout of a net (computed once per layer widths: training calls it every step)."""


def heaviside(z: torch.Tensor) -> torch.Tensor:
    """1 where z > 0, else 0, written ``0 * z + (z > 0)`` so that autodiff sees its derivative: exactly 0."""
    return 0.0 * z + (z > 0).to(z.dtype)


def split(theta: torch.Tensor, layers: tuple[int, ...]) -> list[torch.Tensor]:
    """W_1, b_1, ... of theta [..., N], each with the leading axes of theta."""
    lead = theta.shape[:-1]
    return [theta[..., a:b].reshape(*lead, *shape) for a, b, shape in _slices(layers)]


def step_outputs(net: StepNet, theta: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Outputs [..., P, out] of theta [..., N] on inputs x [P, in]."""
    params = split(theta, net.layers)
    h = x
    for w, b in zip(params[::2], params[1::2], strict=True):
        z = h @ w + b.unsqueeze(-2)
        h = heaviside(z) if net.activation == "heaviside" else torch.sigmoid(z)
    return h


def step_losses(net: StepNet, theta: torch.Tensor, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """[...]: mean over patterns of 1/2 sum_o (y_o - t_o)^2."""
    return 0.5 * torch.mean(torch.sum(torch.square(step_outputs(net, theta, x) - t), dim=-1), dim=-1)


def step_accuracies(net: StepNet, theta: torch.Tensor, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """[...]: fraction of patterns whose every output is within 1/2 of its target."""
    close = torch.abs(step_outputs(net, theta, x) - t) < 0.5
    return torch.mean(torch.all(close, dim=-1).to(torch.float32), dim=-1)


def binary_logits(net: BinaryNet, theta: torch.Tensor, x: torch.Tensor, ste: bool = False) -> torch.Tensor:
    """Logits [..., P, classes] with weights sign(theta) / sqrt(fan_in), theta [..., N], x [..., P, in]; ``ste``
    routes the gradient straight through the sign (``theta + (sign(theta) - theta).detach()``)."""
    i, h, c = net.layers
    signs = torch.where(theta >= 0, 1.0, -1.0).to(theta.dtype)
    if ste:
        signs = theta + (signs - theta).detach()
    lead = theta.shape[:-1]
    w1 = signs[..., : i * h].reshape(*lead, i, h) * (1.0 / np.sqrt(i))
    w2 = signs[..., i * h :].reshape(*lead, h, c) * (1.0 / np.sqrt(h))
    return torch.tanh(x @ w1) @ w2


def binary_losses(
    net: BinaryNet, theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor, ste: bool = False
) -> torch.Tensor:
    """[...]: mean softmax cross-entropy (labels y [..., P])."""
    log_p = torch.log_softmax(binary_logits(net, theta, x, ste), dim=-1)
    picked = torch.gather(log_p, -1, y.expand(*log_p.shape[:-1]).unsqueeze(-1)).squeeze(-1)
    return -torch.mean(picked, dim=-1)


def binary_accuracies(net: BinaryNet, theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """[...]: fraction of patterns whose largest logit is the label's."""
    return torch.mean((torch.argmax(binary_logits(net, theta, x), dim=-1) == y).to(torch.float32), dim=-1)


def fd_update(
    objective: Objective,
    theta: torch.Tensor,
    directions: torch.Tensor,
    derivative: str,
    epsilon: torch.Tensor,
    lr: torch.Tensor,
) -> torch.Tensor:
    """``theta - lr (1/K) sum_k d_k v_k`` for every run: theta [S, N], directions [K, S, N], the per-run losses
    ``objective((theta,))`` [S], eps and lr [S].

    d_k [K, S] comes from :func:`.forward_gradient.derivatives` at step 1 along the tangents scaled by each
    run's eps, divided by eps: (f(theta + 1 (eps v)) - f(theta)) / eps is the finite difference of step eps
    along v with the same arithmetic, and lets every run have its own step."""
    _, dd = forward_gradient.derivatives(objective, (theta,), (directions * epsilon[None, :, None],), derivative, 1.0)
    return theta - lr[:, None] * torch.einsum("ks,ksn->sn", dd / epsilon, directions) / directions.shape[0]


def draw(rng: torch.Generator, distribution: str, shape: tuple[int, ...]) -> torch.Tensor:
    """I.i.d. Gaussian or Rademacher tangents of ``shape`` from the generator ``rng`` (a flat draw reshaped,
    as in the JAX twin)."""
    return tangents.sample_tangents(rng, distribution, (int(np.prod(shape)),)).reshape(shape)


def _step_objective(net: StepNet, x: torch.Tensor, t: torch.Tensor) -> Objective:
    return lambda params: step_losses(net, params[0], x, t)


def _binary_objective(net: BinaryNet, x: torch.Tensor, y: torch.Tensor) -> Objective:
    return lambda params: binary_losses(net, params[0], x, y)


def _per_run_grad(losses: Callable[[torch.Tensor], torch.Tensor], theta: torch.Tensor) -> torch.Tensor:
    """[S, N]: each run's gradient, as the gradient of the sum of the runs' losses."""
    return torch.func.grad(lambda th: torch.sum(losses(th)))(theta)


# ---------------------------------------------------------------------------------------------------------
# (b) NumPy-facing functions (contract: implementations.contracts.discrete_nets.DiscreteNets)


def _patterns(data: Patterns) -> tuple[torch.Tensor, torch.Tensor]:
    return backend.from_numpy(data.inputs), backend.from_numpy(data.targets)


def _labeled(data: Labeled) -> tuple[torch.Tensor, torch.Tensor]:
    return backend.from_numpy(data.inputs), backend.from_numpy(data.labels).long()


def _f64(values: torch.Tensor) -> np.ndarray:
    return backend.to_numpy(values).astype(np.float64)


@torch.no_grad()
def step_loss(net: StepNet, data: Patterns, theta: np.ndarray) -> np.ndarray:
    """float64 [S]: the loss of every row of theta [S, N] (computed in float32)."""
    return _f64(step_losses(net, backend.from_numpy(theta), *_patterns(data)))


@torch.no_grad()
def step_accuracy(net: StepNet, data: Patterns, theta: np.ndarray) -> np.ndarray:
    """float64 [S]: the accuracy of every row of theta [S, N]."""
    return _f64(step_accuracies(net, backend.from_numpy(theta), *_patterns(data)))


def step_gradient(net: StepNet, data: Patterns, theta: np.ndarray) -> np.ndarray:
    """float32 [S, N]: the backprop gradient of every row of theta [S, N]."""
    x, t = _patterns(data)
    return backend.to_numpy(_per_run_grad(lambda th: step_losses(net, th, x, t), backend.from_numpy(theta)))


@torch.no_grad()
def step_jvp(net: StepNet, data: Patterns, theta: np.ndarray, tangents: np.ndarray) -> np.ndarray:
    """float32 [K]: grad f . v by forward mode along each tangent row [K, N] at theta [N]."""
    objective = _step_objective(net, *_patterns(data))
    params, directions = (backend.from_numpy(theta)[None],), (backend.from_numpy(tangents)[:, None],)
    return backend.to_numpy(forward_gradient.derivatives(objective, params, directions, "jvp")[1][:, 0])


def _sweep(
    objective: Objective, theta: np.ndarray, tangents: np.ndarray, derivative: str, epsilons: np.ndarray
) -> np.ndarray:
    params, directions = (backend.from_numpy(theta)[None],), (backend.from_numpy(tangents)[:, None],)
    rows = [
        forward_gradient.derivatives(objective, params, directions, derivative, float(e))[1][:, 0] for e in epsilons
    ]
    return backend.to_numpy(torch.stack(rows))


@torch.no_grad()
def step_fd_sweep(
    net: StepNet, data: Patterns, theta: np.ndarray, tangents: np.ndarray, derivative: str, epsilons: np.ndarray
) -> np.ndarray:
    """float32 [E, K]: the finite difference ``derivative`` along each tangent [K, N] at every eps [E]."""
    return _sweep(_step_objective(net, *_patterns(data)), theta, tangents, derivative, epsilons)


@torch.no_grad()
def objective_fd_sweep(
    spec: ObjectiveSpec, theta: np.ndarray, tangents: np.ndarray, derivative: str, epsilons: np.ndarray
) -> np.ndarray:
    """float32 [E, K]: the same for an objective of :mod:`implementations.specs` (e.g. Rosenbrock; one run)."""
    flat = build_objective(spec)
    return _sweep(lambda params: flat((params[0][0],))[None], theta, tangents, derivative, epsilons)


def _step_record(
    net: StepNet, x: torch.Tensor, t: torch.Tensor, theta: torch.Tensor, probe: torch.Tensor | None
) -> dict:
    """Loss, accuracy, ||backprop gradient|| and |JVP along ``probe`` [1, S, N]| (NaN when None) of every run."""
    grad = _per_run_grad(lambda th: step_losses(net, th, x, t), theta)
    with torch.no_grad():
        row = {
            "loss": step_losses(net, theta, x, t),
            "accuracy": step_accuracies(net, theta, x, t),
            "grad_norm": torch.linalg.vector_norm(grad, dim=-1),
        }
        if probe is None:
            row["jvp"] = torch.full_like(row["loss"], float("nan"))
        else:
            dd = forward_gradient.derivatives(_step_objective(net, x, t), (theta,), (probe,), "jvp")[1]
            row["jvp"] = torch.abs(dd[0])
    return {name: _f64(value) for name, value in row.items()}


def _step_trace(marks: np.ndarray, rows: list[dict], theta: torch.Tensor) -> StepTrace:
    names = ("loss", "accuracy", "grad_norm", "jvp")
    return StepTrace(marks, *(np.stack([r[n] for r in rows]) for n in names), backend.to_numpy(theta))


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
    theta, lr = backend.from_numpy(theta0), backend.from_numpy(np.asarray(lrs))
    eps = backend.from_numpy(np.asarray(epsilons))
    runs, dim = theta.shape
    gen, objective = backend.make_rng(seed), _step_objective(net, x, t)
    marks = record_steps(steps, record_every)
    probes = probe_tangents(seed, (runs, dim), marks.size)
    rows = [_step_record(net, x, t, theta, backend.from_numpy(probes[0]))]
    with torch.no_grad():
        for step in range(1, steps + 1):
            v = draw(gen, training.distribution, (training.num_tangents, runs, dim))
            theta = fd_update(objective, theta, v, training.derivative, eps, lr)
            if step in marks:
                rows.append(_step_record(net, x, t, theta, backend.from_numpy(probes[len(rows)])))
    return _step_trace(marks, rows, theta)


def train_step_backprop(
    net: StepNet, data: Patterns, theta0: np.ndarray, lr: float, steps: int, record_every: int
) -> StepTrace:
    """S runs of full-batch gradient descent from theta0 [S, N] (``jvp`` is NaN)."""
    x, t = _patterns(data)
    theta = backend.from_numpy(theta0)
    marks = record_steps(steps, record_every)
    rows = [_step_record(net, x, t, theta, None)]
    for step in range(1, steps + 1):
        theta = theta - lr * _per_run_grad(lambda th: step_losses(net, th, x, t), theta)
        if step in marks:
            rows.append(_step_record(net, x, t, theta, None))
    return _step_trace(marks, rows, theta)


@torch.no_grad()
def binary_loss(net: BinaryNet, data: Labeled, theta: np.ndarray) -> np.ndarray:
    """float64 [S]: the mean cross-entropy of every row of the latent weights [S, N]."""
    return _f64(binary_losses(net, backend.from_numpy(theta), *_labeled(data)))


@torch.no_grad()
def binary_accuracy(net: BinaryNet, data: Labeled, theta: np.ndarray) -> np.ndarray:
    """float64 [S]: the accuracy of every row of the latent weights [S, N]."""
    return _f64(binary_accuracies(net, backend.from_numpy(theta), *_labeled(data)))


def _ste_grad(net: BinaryNet, theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return _per_run_grad(lambda th: binary_losses(net, th, x, y, ste=True), theta)


def binary_ste_gradient(net: BinaryNet, data: Labeled, theta: np.ndarray) -> np.ndarray:
    """float32 [N]: the straight-through gradient at the latent weights theta [N]."""
    return backend.to_numpy(_ste_grad(net, backend.from_numpy(theta), *_labeled(data)))


@torch.no_grad()
def binary_fd_update(
    net: BinaryNet, data: Labeled, theta: np.ndarray, tangents: np.ndarray, epsilon: float, lr: float
) -> np.ndarray:
    """float32 [N]: one forward-difference update of theta [N] along the given tangents [K, N] (clipped)."""
    objective = _binary_objective(net, *_labeled(data))
    v = backend.from_numpy(tangents)[:, None]
    eps, rate = backend.from_numpy(np.full(1, epsilon)), backend.from_numpy(np.full(1, lr))
    new = fd_update(objective, backend.from_numpy(theta)[None], v, "fd_forward", eps, rate)
    return backend.to_numpy(torch.clamp(new[0], -1.0, 1.0))


def _binary_trainer(
    net: BinaryNet,
    train: Labeled,
    test: Labeled,
    theta0: np.ndarray,
    batches: np.ndarray,
    record_every: int,
    update: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor],
) -> BinaryTrace:
    """The loop both binary trainers share: ``update(theta [S, N], xb [S, B, in], yb [S, B])`` per step."""
    x, y = _labeled(train)
    x_test, y_test = _labeled(test)
    theta = backend.from_numpy(theta0)
    index = torch.as_tensor(np.asarray(batches), dtype=torch.long, device=backend.device())
    marks = record_steps(index.shape[1], record_every)

    def record() -> tuple[np.ndarray, np.ndarray]:
        with torch.no_grad():
            return _f64(binary_losses(net, theta, x, y)), _f64(binary_accuracies(net, theta, x_test, y_test))

    rows = [record()]
    for step in range(1, index.shape[1] + 1):
        batch = index[:, step - 1]
        theta = torch.clamp(update(theta, x[batch], y[batch]), -1.0, 1.0)
        if step in marks:
            rows.append(record())
    return BinaryTrace(marks, np.stack([r[0] for r in rows]), np.stack([r[1] for r in rows]), backend.to_numpy(theta))


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
    gen = backend.make_rng(seed)
    lr = backend.from_numpy(np.asarray(lrs))
    runs, dim = np.shape(theta0)
    eps = backend.from_numpy(np.full(runs, epsilon))

    @torch.no_grad()
    def update(theta: torch.Tensor, xb: torch.Tensor, yb: torch.Tensor) -> torch.Tensor:
        v = draw(gen, training.distribution, (training.num_tangents, runs, dim))
        return fd_update(_binary_objective(net, xb, yb), theta, v, training.derivative, eps, lr)

    return _binary_trainer(net, train, test, theta0, batches, record_every, update)


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
    lr = backend.from_numpy(np.asarray(lrs))[:, None]

    def update(theta: torch.Tensor, xb: torch.Tensor, yb: torch.Tensor) -> torch.Tensor:
        return theta - lr * _ste_grad(net, theta, xb, yb)

    return _binary_trainer(net, train, test, theta0, batches, record_every, update)
