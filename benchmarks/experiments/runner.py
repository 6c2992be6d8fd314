"""Run one experiment for one framework and write its tidy table (one pipeline stage).

Order matters for the "bad input fails before any compute" rule: params are validated, the experiment
and framework names are checked, and only then is a framework imported and the experiment run. The table
is written atomically (temporary file, then rename), so an interrupted run never leaves a half table.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.config import Params, params_hash
from benchmarks.frameworks import FRAMEWORKS, load_framework
from benchmarks.paths import TABLES_DIR
from benchmarks.provenance import add_provenance_columns, collect_provenance
from benchmarks.tables import table_path, write_table

from . import get_experiment
from .common import RunContext


def run_experiment(params: Params, experiment: str, framework: str, tables_dir: Path = TABLES_DIR) -> Path:
    """Validate names, run, add provenance columns, write the table; returns its path."""
    module = get_experiment(experiment)
    if framework not in FRAMEWORKS:
        raise ValueError(f"unknown framework {framework!r}; valid: {', '.join(FRAMEWORKS)}")
    if framework not in params.frameworks:
        raise ValueError(f"framework {framework!r} is not in params.yaml 'frameworks' {list(params.frameworks)}")
    api = load_framework(framework, params.target, params.threads)
    ctx = RunContext(params=params, framework=framework, api=api, device=api.device_name())
    table = module.run(ctx)
    provenance = collect_provenance(
        framework=framework,
        framework_versions=api.library_versions(),
        device=ctx.device,
        params_hash=params_hash(params),
        profile=params.profile,
        root_seed=params.seed,
        threads=params.threads,
    )
    table = add_provenance_columns(table, provenance)
    return write_table(table, table_path(experiment, framework, tables_dir))
