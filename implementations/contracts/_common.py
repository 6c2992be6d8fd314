"""Shared, framework-neutral helpers of the conformance checks (private: not a method contract).

- :func:`protocol_problems`: does a module export every member of a ``typing.Protocol`` with the same
  parameter names?
- :func:`reference_tasks`: small objectives with NumPy-drawn points, identical for every framework.
- :func:`directional_tolerance`: the float32 rounding bound used by every parity check on a directional
  derivative.
"""

from __future__ import annotations

import inspect
from types import ModuleType
from typing import NamedTuple

import numpy as np

from implementations.specs import ObjectiveSpec, mlp_init_flat, mlp_num_params

EPS32 = float(np.finfo(np.float32).eps)


class Task(NamedTuple):
    """An objective and a point on it (float32), drawn with NumPy so both frameworks see the same numbers."""

    label: str
    spec: ObjectiveSpec
    theta: np.ndarray


def require(condition: bool, message: str) -> None:
    """Raise ``AssertionError(message)`` unless ``condition`` (unlike ``assert``, survives ``python -O``)."""
    if not condition:
        raise AssertionError(message)


def protocol_members(protocol: type) -> tuple[list[str], dict[str, inspect.Signature]]:
    """(data attributes, {function name: signature without ``self``}) declared by ``protocol``."""
    attributes = [name for name in getattr(protocol, "__annotations__", {}) if not name.startswith("_")]
    functions = {}
    for name, member in vars(protocol).items():
        if inspect.isfunction(member) and not name.startswith("_"):
            signature = inspect.signature(member)
            functions[name] = signature.replace(parameters=list(signature.parameters.values())[1:])
    return attributes, functions


def protocol_problems(protocol: type, module: ModuleType) -> list[str]:
    """What ``module`` lacks to satisfy ``protocol``: missing members, parameter names or defaults that differ."""
    attributes, functions = protocol_members(protocol)
    problems = [f"{module.__name__} lacks attribute {name!r}" for name in attributes if not hasattr(module, name)]
    for name, expected in functions.items():
        found = getattr(module, name, None)
        if not callable(found):
            problems.append(f"{module.__name__} lacks function {name!r}")
            continue
        parameters = inspect.signature(found).parameters
        if list(parameters) != list(expected.parameters):
            problems.append(f"{module.__name__}.{name} parameters {list(parameters)} != {list(expected.parameters)}")
            continue
        defaults = [(p.name, p.default) for p in parameters.values()]
        expected_defaults = [(p.name, p.default) for p in expected.parameters.values()]
        if defaults != expected_defaults:
            problems.append(f"{module.__name__}.{name} defaults {defaults} != protocol {expected_defaults}")
    return problems


def reference_tasks() -> list[Task]:
    """A quadratic (n = 50), Rosenbrock (n = 50 and the 2-D case of Baydin et al. 2022, Sec. 5.1) and a small
    ReLU MLP on a fixed random batch (the "mlp" objective, n = 57)."""
    rng = np.random.default_rng(20220217)
    layers = (6, 5, 3)
    mlp = ObjectiveSpec(
        "mlp",
        mlp_num_params(layers),
        layers,
        inputs=rng.standard_normal((16, layers[0])).astype(np.float32),
        labels=rng.integers(0, layers[-1], 16).astype(np.int64),
    )
    return [
        Task("quadratic-50", ObjectiveSpec("quadratic", 50), rng.standard_normal(50).astype(np.float32)),
        Task("rosenbrock-50", ObjectiveSpec("rosenbrock", 50), (0.5 * rng.standard_normal(50)).astype(np.float32)),
        Task("rosenbrock-2", ObjectiveSpec("rosenbrock", 2), np.array([-1.2, 1.0], np.float32)),
        Task("mlp-57", mlp, mlp_init_flat(layers, rng)),
    ]


def directional_tolerance(grad: np.ndarray, tangents: np.ndarray) -> np.ndarray:
    """Allowed |error| of ``grad f . v`` computed in float32, per tangent row ``v``.

    float32 has eps = 1.2e-7. A directional derivative sums n products, so its rounding error is bounded by
    about ``n * eps * sum_i |d_i f| |v_i|`` (and the gradient entries themselves carry a few eps of relative
    error). Errors add like a random walk in practice, so we allow ``20 sqrt(n) eps`` times that scale plus a
    floor of 1e-6: orders of magnitude below any real discrepancy (a wrong sign, scale or tangent is off by
    O(1) of the value).
    """
    return np.abs(tangents) @ np.abs(grad) * 20 * np.sqrt(grad.size) * EPS32 + 1e-6
