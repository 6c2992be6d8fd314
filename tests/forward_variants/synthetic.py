"""Synthetic tables in the exact layout of the study's experiments, for testing the claim checks near their
limits without running a framework (the real runs are tested in test_honesty.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks.tables import CORE_COLUMNS, check_columns, measurements

STUDY = "forward_variants"
AXES = {
    "fd_agreement": ("distribution", "derivative", "epsilon"),
    "step_net": ("phase", "epsilon", "lr", "run"),
    "binary_net": ("phase", "lr", "run"),
    "perturbation": ("distribution", "layer"),
}


def _identity(experiment: str, task: str, method: str, framework: str, **axes: object) -> dict:
    return {
        "study": STUDY,
        "experiment": experiment,
        "framework": framework,
        "device": "cpu",
        "task": task,
        "method": method,
        "seed": 1,
        **axes,
    }


def _table(experiment: str, parts: list[pd.DataFrame]) -> pd.DataFrame:
    table = pd.concat(parts, ignore_index=True)
    assert list(check_columns(table, AXES[experiment], experiment).columns) == [*CORE_COLUMNS, *AXES[experiment]]
    return table


def fd_table(
    epsilons: np.ndarray, tangents: int = 256, scale: float = 0.0, framework: str = "jax", seed: int = 0
) -> pd.DataFrame:
    """Two smooth 'tasks' whose forward (central) differences err by a_i eps (1 + eps) (a_i eps^2 (1 + eps^2))
    plus float32-like rounding noise eps32 |f| u_i / eps; ``scale`` multiplies every difference by 1 + scale."""
    rng = np.random.default_rng(seed)
    parts = []
    for task in ("smooth_a", "smooth_b"):
        jvp = rng.standard_normal(tangents)
        a, u = rng.standard_normal(tangents), rng.standard_normal(tangents)
        fixed = _identity("fd_agreement", task, "forward_gradient", framework, distribution="gaussian")
        parts.append(measurements({**fixed, "derivative": "jvp", "epsilon": 0.0}, "objective_value", 2.0))
        parts.append(
            measurements(
                {**fixed, "derivative": "jvp", "epsilon": 0.0}, "directional_derivative", jvp, step=np.arange(tangents)
            )
        )
        for derivative, order in (("fd_forward", 1), ("fd_central", 2)):
            for eps in epsilons:
                error = a * eps**order * (1 + eps**order) + 1.2e-7 * 2.0 * u / eps
                fd = (jvp + error) * (1 + scale)
                at = {**fixed, "derivative": derivative, "epsilon": float(eps)}
                parts.append(measurements(at, "directional_derivative", fd, step=np.arange(tangents)))
    return _table("fd_agreement", parts)


def step_table(
    final: dict[str, np.ndarray], framework: str = "jax", grad_norm: float = 0.0, backprop_moves: bool = False
) -> pd.DataFrame:
    """Evaluation-phase rows of the step-net experiment with the given final accuracies per task (initial 0.5;
    backprop flat unless ``backprop_moves``), plus traces from initial to final."""
    parts = []
    for task, values in final.items():
        runs = np.arange(len(values))
        for method in ("fd_forward_gradient", "backprop"):
            flat = method == "backprop" and not backprop_moves
            end = np.full(len(values), 0.5) if flat else np.asarray(values, float)
            fixed = _identity("step_net", task, method, framework, phase="evaluation")
            per_run = {
                "initial_accuracy": np.full(len(values), 0.5),
                "final_accuracy": end,
                "final_loss": 0.5 * (1 - end),
                "max_grad_norm": np.full(len(values), grad_norm),
                "max_abs_jvp": np.full(len(values), np.nan if method == "backprop" else 0.0),
                "moved": np.full(len(values), 0.0 if flat else 1.0),
            }
            eps = np.full(len(values), 0.5 if method != "backprop" else 0.0)
            lr = np.full(len(values), 0.5 if method != "backprop" else 1.0)
            parts += [measurements(fixed, m, v, epsilon=eps, lr=lr, run=runs) for m, v in per_run.items()]
            steps = np.repeat([0, 100, 200], len(values))
            trace = np.concatenate([np.full(len(values), 0.5), (0.5 + end) / 2, end])
            tile = lambda a: np.tile(a, 3)  # noqa: E731
            parts.append(
                measurements(fixed, "accuracy", trace, step=steps, epsilon=tile(eps), lr=tile(lr), run=tile(runs))
            )
            parts.append(
                measurements(
                    fixed, "loss", 0.5 * (1 - trace), step=steps, epsilon=tile(eps), lr=tile(lr), run=tile(runs)
                )
            )
    return _table("step_net", parts)


def binary_table(fd: np.ndarray, ste: np.ndarray, framework: str = "jax") -> pd.DataFrame:
    """Evaluation-phase rows of the binary-net experiment with the given final test accuracies."""
    parts = []
    for method, values in (("fd_rademacher", fd), ("ste_backprop", ste)):
        values = np.asarray(values, float)
        runs, lr = np.arange(len(values)), np.full(len(values), 0.1)
        fixed = _identity("binary_net", "binary_64-32-10_digits", method, framework, phase="evaluation")
        per_run = {
            "initial_test_accuracy": np.full(len(values), 0.1),
            "final_test_accuracy": values,
            "final_train_loss": 2.3 * (1 - values),
        }
        parts += [measurements(fixed, m, v, lr=lr, run=runs) for m, v in per_run.items()]
        steps = np.repeat([0, 500, 1000], len(values))
        trace = np.concatenate([np.full(len(values), 0.1), (0.1 + values) / 2, values])
        tile = lambda a: np.tile(a, 3)  # noqa: E731
        parts.append(measurements(fixed, "test_accuracy", trace, step=steps, lr=tile(lr), run=tile(runs)))
        parts.append(measurements(fixed, "train_loss", 2.3 * (1 - trace), step=steps, lr=tile(lr), run=tile(runs)))
    return _table("binary_net", parts)


def perturbation_table(ratios: dict[int, float], samples: int = 2048, framework: str = "jax") -> pd.DataFrame:
    """Per layer, weight perturbation at its theory (n_W + 1, relative sd sqrt 2) and activity perturbation at
    theory / ratio (relative sd 1), Gaussian tangents."""
    parts = []
    for layer, ratio in ratios.items():
        weights, units = 64 * 32, 32
        for method, mean, rel_sd in (("weight", weights + 1.0, np.sqrt(2)), ("activity", (weights + 1.0) / ratio, 1.0)):
            fixed = _identity("perturbation", "mlp", method, framework, distribution="gaussian", layer=layer)
            values = {
                "samples": samples,
                "sq_error_ratio_mean": mean,
                "sq_error_ratio_var": (rel_sd * mean) ** 2,
                "theory": mean,
                "grad_norm": 1.0,
                "weights": weights,
                "units": units,
            }
            parts += [measurements(fixed, m, v) for m, v in values.items()]
    return _table("perturbation", parts)
