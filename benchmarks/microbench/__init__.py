"""Micro-benchmarks of the registered training steps with pytest-benchmark (one JSON per framework).

``test_steps.py`` in this folder times, per framework, one step of the paper's MLP (784-1024-1024-10, batch
64 by default) four ways, as ``implementations.registry.load_method("training_steps", framework)`` builds
them: the loss alone (``forward_only``), a backprop SGD step (``bp_step``), the JVP alone with fixed tangents
(``jvp_only``) and a forward-gradient step per tangent law (``fg_step`` x gaussian, rademacher, sphere).
Compilation and first-call allocation happen before timing (one untimed call, then pytest-benchmark's
warm-up rounds); the number of rounds is fixed. Options live in this folder's ``conftest.py``.

:func:`run_microbench` runs that folder in a subprocess with ``--benchmark-json`` (the repository's pytest
``addopts`` disable benchmarks and collect only ``tests/``, so the folder and ``--benchmark-enable`` are
given explicitly); :func:`summarise_benchmarks` turns such JSON files into one table for REPORT.md and
MLflow. Nothing here imports torch or jax.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

from benchmarks.paths import REPO_ROOT

MICROBENCH_DIR = Path(__file__).resolve().parent
PAPER_LAYERS = (784, 1024, 1024, 10)
PAPER_BATCH = 64
DEFAULT_ROUNDS = 50
DEFAULT_WARMUP_ROUNDS = 5
BASELINE_STEP = "forward_only"
SUMMARY_COLUMNS = ("framework", "device", "step", "tangents", "median", "iqr", "rounds", "ratio_to_forward_only")
"""Columns of :func:`summarise_benchmarks` (seconds for median and iqr)."""


def layers_option(layers: tuple[int, ...]) -> str:
    """``(784, 1024, 10)`` -> ``"784,1024,10"`` (the ``--layers`` syntax)."""
    return ",".join(str(int(width)) for width in layers)


def run_microbench(
    framework: str,
    target: str,
    threads: int,
    layers: tuple[int, ...],
    batch: int,
    out_json: Path,
    *,
    rounds: int = DEFAULT_ROUNDS,
    warmup_rounds: int = DEFAULT_WARMUP_ROUNDS,
) -> Path:
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
        f"--layers={layers_option(layers)}",
        f"--batch={int(batch)}",
        f"--rounds={int(rounds)}",
        f"--warmup-rounds={int(warmup_rounds)}",
    ]
    completed = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    if completed.returncode != 0 or not out_json.is_file():
        raise RuntimeError(
            f"micro-benchmarks of {framework!r} failed (exit {completed.returncode}):\n"
            f"{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}"
        )
    return out_json


def summarise_benchmarks(paths: list[Path]) -> pd.DataFrame:
    """One row per benchmark in the pytest-benchmark JSON files ``paths`` (missing files are skipped):
    :data:`SUMMARY_COLUMNS`, times in seconds, ``ratio_to_forward_only`` = median / median of
    ``forward_only`` of the same framework and device (NaN where that is absent)."""
    rows = []
    for path in map(Path, paths):
        if not path.is_file():
            continue
        for bench in json.loads(path.read_text()).get("benchmarks", []):
            info, stats = bench.get("extra_info", {}), bench["stats"]
            rows.append(
                {
                    "framework": info.get("framework", path.stem),
                    "device": info.get("device", "unknown"),
                    "step": info.get("step", bench["name"]),
                    "tangents": info.get("tangents", ""),
                    "median": float(stats["median"]),
                    "iqr": float(stats["iqr"]),
                    "rounds": int(stats["rounds"]),
                }
            )
    table = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS[:-1]))
    baseline = table[table["step"] == BASELINE_STEP].groupby(["framework", "device"])["median"].first()
    reference = table.join(baseline.rename("baseline"), on=["framework", "device"])["baseline"]
    table["ratio_to_forward_only"] = table["median"] / reference
    return table.sort_values(["framework", "device", "step", "tangents"], ignore_index=True)
