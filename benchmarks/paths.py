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
CLAIMS_DIR = RESULTS_DIR / "claims"
BENCHMARKS_DIR = RESULTS_DIR / "benchmarks"
CAPTIONS_FILE = "captions.json"
"""Per study, in its figures folder: figure id -> caption."""
SECTIONS_FILE = "report_sections.json"
"""Per study, in its figures folder: extra REPORT.md sections (title, text, columns, rows, figure)."""
