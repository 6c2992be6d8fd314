"""Micro-benchmarks of one training step per kind with pytest-benchmark (one JSON per framework).

What is measured: the wall time of one training step of the classifiers Baydin et al. 2022 (*Gradients
without Backpropagation*, arXiv:2202.08587, Sec. 5.2) train on MNIST -- logistic regression (``logreg``),
the MLP (``mlp``) and the CNN (``cnn``) of :mod:`implementations.contracts.classifiers` -- on one fixed
random batch, each kind of step of :mod:`implementations.contracts.step_costs` as
``implementations.registry.load_method("step_costs", framework)`` builds it: the loss alone (``forward``),
the JVP alone along fixed tangents (``jvp``), the suite's forward-gradient step by JVP (``fg``) and by
finite difference (``fd``), the suite's backprop step (``bp``) and the hand-written reference steps
(``minimal_bp``, ``minimal_fg``); ``fg`` once per tangent law, the other tangent kinds with one law, and
``fg`` on the MLP with K = 1, 4, 16 tangents: 29 benchmarks named like ``mlp-fg-gaussian-K1``
(:data:`benchmarks.microbench.steps.CASES`; that module says why). The paper's ratios R_f = t(FG)/t(f) and
R_b = t(BP)/t(f) read off as ``ratio_to_forward``. The claim on them (F4) is checked by study
``forward_training`` (experiments ``step_cost`` and ``depth``: interleaved rounds, real MNIST batches,
intervals); these benchmarks are for catching regressions between two runs (``pytest-benchmark compare``).

Compilation and first-call allocation happen before timing (one untimed call, then pytest-benchmark's
warm-up rounds); the number of rounds is fixed. Sizes and rounds are a :class:`BenchSetup` (the
``profiles.<profile>.microbench`` block of params.yaml); the options live in this folder's ``conftest.py``.

:func:`run_microbench` runs that folder in a subprocess with ``--benchmark-json`` (the repository's pytest
``addopts`` disable benchmarks and collect only ``tests/``, so the folder and ``--benchmark-enable`` are
given explicitly); :func:`summarise_benchmarks` turns such JSON files into one table for REPORT.md and
MLflow. Nothing here imports torch or jax.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path

import pandas as pd

from benchmarks.paths import REPO_ROOT

MICROBENCH_DIR = Path(__file__).resolve().parent
BASELINE_STEP = "forward"
SUMMARY_COLUMNS = (
    "framework",
    "device",
    "model",
    "network",
    "case",
    "step",
    "tangents",
    "k",
    "median",
    "iqr",
    "rounds",
    "ratio_to_forward",
)
"""Columns of :func:`summarise_benchmarks` (seconds for median and iqr)."""


@dataclass(frozen=True)
class BenchSetup:
    """What is micro-benchmarked: the networks' sizes, the batch and the rounds (the fields of the
    ``profiles.<profile>.microbench`` block; the defaults are the default profile's)."""

    side: int = field(default=28, metadata={"help": "image side s: inputs s*s (the CNN needs s divisible by 4)"})
    hidden: tuple[int, ...] = field(default=(1024, 1024), metadata={"help": "MLP hidden widths, comma-separated"})
    channels: int = field(default=16, metadata={"help": "CNN convolution channels"})
    fc: int = field(default=256, metadata={"help": "CNN fully connected width"})
    batch: int = field(default=64, metadata={"help": "batch size"})
    rounds: int = field(default=10, metadata={"help": "timed rounds per benchmark"})
    warmup_rounds: int = field(default=2, metadata={"help": "untimed rounds before them"})

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden", tuple(int(width) for width in self.hidden))

    def options(self) -> list[str]:
        """The pytest options that select this setup (``--side=28 --hidden=1024,1024 ...``)."""
        return [f"{option_name(f.name)}={option_value(getattr(self, f.name))}" for f in fields(self)]


def option_name(name: str) -> str:
    """``warmup_rounds`` -> ``--warmup-rounds``."""
    return "--" + name.replace("_", "-")


def option_value(value: int | tuple[int, ...]) -> str:
    """``(1024, 1024)`` -> ``"1024,1024"`` (the ``--hidden`` syntax); ``64`` -> ``"64"``."""
    return ",".join(str(int(v)) for v in value) if isinstance(value, tuple) else str(int(value))


def parse_widths(text: str) -> tuple[int, ...]:
    """``"1024,1024"`` -> ``(1024, 1024)``."""
    return tuple(int(width) for width in text.split(","))


def case_id(model: str, step: str, tangents: str = "", k: int = 0) -> str:
    """One benchmark's name: ``mlp-bp``, ``mlp-fg-gaussian-K4`` (a valid pytest id and MLflow metric key;
    empty parts are left out)."""
    parts = (model, step, tangents, f"K{k}" if tangents else "")
    return "-".join(part for part in parts if part)


def run_microbench(framework: str, target: str, threads: int, setup: BenchSetup, out_json: Path) -> Path:
    """Run the step micro-benchmarks of ``framework`` in a fresh process; write pytest-benchmark's JSON to
    ``out_json`` and return it. Raises ``RuntimeError`` with pytest's output if the run fails."""
    out_json = Path(out_json).resolve()
    out_json.parent.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(MICROBENCH_DIR),
        "-q",
        "-p",
        "no:cacheprovider",
        "--benchmark-enable",
        f"--benchmark-json={out_json}",
        f"--framework={framework}",
        f"--target={target}",
        f"--threads={int(threads)}",
        *setup.options(),
    ]
    # a clean pytest environment: inherited PYTEST_* variables (e.g. PYTEST_XDIST_WORKER when this runs inside
    # a test worker) make pytest-benchmark skip writing its JSON
    env = {name: value for name, value in os.environ.items() if not name.startswith("PYTEST_")}
    completed = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0 or not out_json.is_file():
        raise RuntimeError(
            f"micro-benchmarks of {framework!r} failed (exit {completed.returncode}):\n"
            f"{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}"
        )
    return out_json


def summarise_benchmarks(paths: list[Path]) -> pd.DataFrame:
    """One row per benchmark in the pytest-benchmark JSON files ``paths`` (missing files are skipped):
    :data:`SUMMARY_COLUMNS`, times in seconds, ``ratio_to_forward`` = median / median of the ``forward``
    step of the same framework, device and model (NaN where that is absent)."""
    rows = []
    for path in map(Path, paths):
        if not path.is_file():
            continue
        for bench in json.loads(path.read_text()).get("benchmarks", []):
            info, stats = bench.get("extra_info", {}), bench["stats"]
            model, step = str(info.get("model", "")), str(info.get("step", bench["name"]))
            tangents, k = str(info.get("tangents", "")), int(info.get("k", 0))
            rows.append(
                {
                    "framework": info.get("framework", path.stem),
                    "device": info.get("device", "unknown"),
                    "model": model,
                    "network": info.get("network", ""),
                    "case": case_id(model, step, tangents, k),
                    "step": step,
                    "tangents": tangents,
                    "k": k,
                    "median": float(stats["median"]),
                    "iqr": float(stats["iqr"]),
                    "rounds": int(stats["rounds"]),
                }
            )
    table = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS[:-1]))
    keys = ["framework", "device", "model"]
    baseline = table[table["step"] == BASELINE_STEP].groupby(keys)["median"].first()
    reference = table.join(baseline.rename("baseline"), on=keys)["baseline"]
    table["ratio_to_forward"] = table["median"] / reference
    return table.sort_values([*keys, "step", "tangents", "k"], ignore_index=True)
