"""Run one experiment of one study in one framework and write its tidy table (one pipeline stage).

Order matters for the "bad input fails before any compute" rule: params are validated, the study, experiment
and framework names are checked, and only then is a framework imported and the experiment run. The table is
checked against the contract (:mod:`benchmarks.tables`), given provenance columns and written atomically,
with a sidecar ``.run.json`` recording the stage's wall time and peak memory (and how memory was measured).
"""

from __future__ import annotations

import json
import resource
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd

from benchmarks.config import Params, params_hash
from benchmarks.paths import TABLES_DIR
from benchmarks.progress import Progress
from benchmarks.provenance import add_provenance_columns, collect_provenance
from benchmarks.study import ExperimentSpec, Study
from benchmarks.tables import CORE_COLUMNS, NO_FRAMEWORK, check_columns, run_sidecar_path, table_path, write_table


@dataclass(frozen=True)
class RunContext:
    """What an experiment's ``run(ctx)`` receives.

    ``config`` is the experiment's block of the active profile; ``methods`` maps each declared method to its
    module in this framework (empty for a framework-free experiment); ``progress`` prints step lines.
    """

    params: Params
    study: str
    experiment: str
    config: Any
    framework: str
    device: str
    methods: dict[str, ModuleType] = field(default_factory=dict)
    progress: Progress = field(default_factory=lambda: Progress("run"))

    @property
    def root_seed(self) -> int:
        """params.yaml's ``seed``: every seed derives from it and the experiment axes."""
        return self.params.seed

    def identity(self, **columns: object) -> dict[str, object]:
        """The identity columns of this run's rows, plus ``columns`` (task, method, seed and axes)."""
        return {
            "study": self.study,
            "experiment": self.experiment,
            "framework": self.framework,
            "device": self.device,
            **columns,
        }


def _selected(spec: ExperimentSpec, framework: str, params: Params) -> bool:
    """Whether this (experiment, framework) runs; ValueError for a name that is not valid at all."""
    if not spec.per_framework:
        if framework != NO_FRAMEWORK:
            raise ValueError(f"experiment {spec.name!r} is framework-free; run it with framework {NO_FRAMEWORK!r}")
        return True
    from implementations.registry import FRAMEWORKS

    if framework not in FRAMEWORKS:
        raise ValueError(f"unknown framework {framework!r}; valid: {', '.join(FRAMEWORKS)}")
    return framework in params.frameworks


def run_experiment(
    params: Params, study: Study, experiment: str, framework: str, tables_dir: Path = TABLES_DIR
) -> Path:
    """Validate names, run, check columns, add provenance, write the table and its run record. A framework
    left out of params.yaml's ``frameworks`` gets an empty table (its stage exists in dvc.yaml regardless)."""
    spec = study.experiment(experiment)
    selected = _selected(spec, framework, params)
    config = getattr(getattr(params.active, study.name), experiment)
    module = study.load_experiment(experiment)
    start = time.perf_counter()
    label = f"{study.name}/{experiment}/{framework}"
    progress = Progress(label)
    path = table_path(study.name, experiment, framework, tables_dir)
    if not selected:
        progress.say(f"skipped: {framework!r} is not in params.yaml 'frameworks' {list(params.frameworks)}")
        write_table(pd.DataFrame(columns=[*CORE_COLUMNS, *spec.axes]), path)
        run_sidecar_path(path).write_text(json.dumps({"skipped": True}) + "\n")
        return path
    if spec.per_framework:
        from implementations.registry import load_backend, load_method

        backend = load_backend(framework, params.target, params.threads)
        backend.reset_peak_memory()
        methods = {name: load_method(name, framework) for name in spec.methods}
        device, versions = backend.device_name(), backend.library_versions()
    else:
        backend, methods, device, versions = None, {}, "n/a", {}
    progress.say(f"running on {device}")
    ctx = RunContext(params, study.name, experiment, config, framework, device, methods, progress)
    table = check_columns(module.run(ctx), spec.axes, label)
    provenance = collect_provenance(
        framework=framework,
        framework_versions=versions,
        device=device,
        params_hash=params_hash(params),
        profile=params.profile,
        root_seed=params.seed,
        threads=params.threads,
    )
    write_table(add_provenance_columns(table, provenance), path)
    memory = backend.memory_stats() if backend is not None else _process_peak()
    record = {"wall_seconds": round(time.perf_counter() - start, 3), **memory, "rows": len(table)}
    run_sidecar_path(path).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    progress.say(f"wrote {path.name}: {len(table)} rows")
    return path


def _process_peak() -> dict[str, Any]:
    """Peak resident memory of this process (Linux reports ru_maxrss in KiB)."""
    return {"peak_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, "source": "process peak RSS"}
