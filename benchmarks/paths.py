"""Well-known locations in the repository (no framework imports, no side effects)."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PARAMS_PATH = REPO_ROOT / "params.yaml"
DATASETS_DIR = REPO_ROOT / "datasets"
DATASETS_DVC = REPO_ROOT / "datasets.dvc"
RESULTS_DIR = REPO_ROOT / "results"
TABLES_DIR = RESULTS_DIR / "tables"
FIGURES_DIR = RESULTS_DIR / "figures"
