"""Studies: one folder per paper (or group of papers) under ``benchmarks/``, discovered, never listed.

A study is a package ``benchmarks/<name>/`` whose ``__init__.py`` defines ``STUDY = Study(...)``: plain data
naming its papers, its params model, its experiments (each a module with ``run(ctx) -> DataFrame``), its
claims module (``CLAIMS``) and its figures module (``FIGURES``). Components are named by dotted module path
and imported only when a stage needs them, so that a pipeline stage imports exactly the code it uses (which
is what lets ``dvc.yaml`` declare exact dependencies, see :mod:`benchmarks.pipeline`).

Adding a study touches no central list: :func:`discover_studies` scans the ``benchmarks`` package, plus the
directories named in the ``NOBP_STUDY_PATH`` environment variable (``os.pathsep``-separated), for packages
that define ``STUDY``.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

STUDY_PATH_ENV = "NOBP_STUDY_PATH"
_BENCHMARKS_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Paper:
    """A paper whose claims a study re-tests."""

    key: str
    title: str
    authors: str
    year: int
    reference: str

    @property
    def short(self) -> str:
        """'Baydin et al. 2022'."""
        return f"{self.authors} {self.year}"

    @property
    def citation(self) -> str:
        """'Title (Authors Year), reference'."""
        return f"{self.title} ({self.short}), {self.reference}"


@dataclass(frozen=True)
class ExperimentSpec:
    """One experiment of a study.

    ``module`` defines ``run(ctx: RunContext) -> pandas.DataFrame`` returning the tidy long table (core
    columns plus exactly the ``axes`` declared here). ``methods`` are the implementation methods it calls
    (``implementations/<framework>/<method>.py``), ``data`` the dataset folders it reads. A framework-free
    experiment (``per_framework=False``) runs once, with framework ``"none"`` and no framework imported.
    ``curve_axis`` names the column MLflow's step metrics run along (e.g. ``"step"`` for training curves
    recorded per iteration, averaged over the other per-row axes); empty: the first per-row column that varies
    (:mod:`benchmarks.track`).
    """

    name: str
    module: str
    description: str
    axes: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    data: tuple[str, ...] = ()
    per_framework: bool = True
    curve_axis: str = ""


@dataclass(frozen=True)
class Study:
    """Everything one study adds, by name (see the module docstring)."""

    name: str
    title: str
    papers: tuple[Paper, ...]
    params_model: str
    experiments: tuple[ExperimentSpec, ...]
    claims_module: str
    figures_module: str

    def experiment(self, name: str) -> ExperimentSpec:
        """The experiment called ``name`` (ValueError naming the valid ones otherwise)."""
        for spec in self.experiments:
            if spec.name == name:
                return spec
        valid = ", ".join(e.name for e in self.experiments)
        raise ValueError(f"study {self.name!r} has no experiment {name!r}; valid: {valid}")

    def paper(self, key: str) -> Paper:
        """The paper with this key."""
        for paper in self.papers:
            if paper.key == key:
                return paper
        raise ValueError(f"study {self.name!r} has no paper {key!r}; valid: {', '.join(p.key for p in self.papers)}")

    def load(self, dotted: str) -> Any:
        """Import ``module`` or ``module:attribute``."""
        module_name, _, attribute = dotted.partition(":")
        module = importlib.import_module(module_name)
        return getattr(module, attribute) if attribute else module

    def load_params_model(self) -> type:
        """The pydantic model of this study's params block (one field per experiment)."""
        return self.load(self.params_model)

    def load_claims(self) -> tuple:
        """The study's registered claims (its claims module's ``CLAIMS``)."""
        return tuple(self.load(self.claims_module).CLAIMS)

    def load_figures(self) -> ModuleType:
        """The study's figures module (defines ``FIGURES``)."""
        return self.load(self.figures_module)

    def load_experiment(self, name: str) -> ModuleType:
        """The module of experiment ``name``."""
        return self.load(self.experiment(name).module)


def _study_dirs() -> list[tuple[Path, str]]:
    """(directory, package prefix) pairs to scan: ``benchmarks/`` and each ``NOBP_STUDY_PATH`` entry."""
    dirs = [(_BENCHMARKS_DIR, "benchmarks.")]
    for entry in filter(None, os.environ.get(STUDY_PATH_ENV, "").split(os.pathsep)):
        path = Path(entry).resolve()
        if not path.is_dir():
            raise ValueError(f"{STUDY_PATH_ENV} names {entry!r}, which is not a directory")
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
        dirs.append((path, ""))
    return dirs


def _is_study_package(path: Path) -> bool:
    """A package whose __init__ assigns STUDY (checked on the text, so scanning imports nothing else)."""
    init = path / "__init__.py"
    return init.is_file() and "\nSTUDY = Study(" in init.read_text(encoding="utf-8")


def study_packages() -> dict[str, str]:
    """Study name (package folder name) -> importable package name, sorted by name."""
    found: dict[str, str] = {}
    for directory, prefix in _study_dirs():
        for info in pkgutil.iter_modules([str(directory)]):
            if info.ispkg and _is_study_package(directory / info.name):
                if info.name in found:
                    raise ValueError(
                        f"two studies are called {info.name!r}: {found[info.name]} and {prefix}{info.name}"
                    )
                found[info.name] = prefix + info.name
    return dict(sorted(found.items()))


def load_study(name: str) -> Study:
    """Import one study's manifest (its package ``__init__``) and nothing else of it."""
    packages = study_packages()
    if name not in packages:
        raise ValueError(f"unknown study {name!r}; valid: {', '.join(packages) or 'none found'}")
    study = importlib.import_module(packages[name]).STUDY
    if study.name != name:
        raise ValueError(f"package {packages[name]} defines STUDY named {study.name!r}; it must equal the folder name")
    return study


def discover_studies() -> dict[str, Study]:
    """Every study, by name."""
    return {name: load_study(name) for name in study_packages()}
