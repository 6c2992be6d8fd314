"""Architecture invariants: only implementations/ imports a framework; the two implementations mirror each
other (same module names, same public API signatures)."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import subprocess
from pathlib import Path

from benchmarks.paths import REPO_ROOT

FRAMEWORK_PACKAGES = {"torch", "jax", "jaxlib", "optax", "flax", "equinox"}


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_only_implementations_import_frameworks():
    offenders = []
    for folder in ("benchmarks", "tests"):
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            leaked = _imported_roots(path) & FRAMEWORK_PACKAGES
            if leaked:
                offenders.append(f"{path.relative_to(REPO_ROOT)}: {sorted(leaked)}")
    assert not offenders, offenders


def test_boundary_check_catches_a_planted_import(tmp_path):
    planted = tmp_path / "leak.py"
    planted.write_text("import numpy\nfrom torch import nn\n")
    assert _imported_roots(planted) & FRAMEWORK_PACKAGES == {"torch"}


def test_implementations_mirror_each_other():
    """Same module names in both frameworks, and the same public functions with the same parameters."""
    names = {fw: sorted(p.stem for p in (REPO_ROOT / "implementations" / fw).glob("*.py")) for fw in ("pytorch", "jax")}
    assert names["pytorch"] == names["jax"]
    for module in names["jax"]:
        mods = {fw: importlib.import_module(f"implementations.{fw}.{module}") for fw in ("pytorch", "jax")}
        public = {
            fw: {n for n, f in vars(m).items() if inspect.isfunction(f) and f.__module__ == m.__name__ and n[0] != "_"}
            for fw, m in mods.items()
        }
        assert public["pytorch"] == public["jax"], module
        for name in public["jax"]:
            params = [list(inspect.signature(getattr(mods[fw], name)).parameters) for fw in ("pytorch", "jax")]
            assert params[0] == params[1], f"{module}.{name}"


OUTSIDE = re.compile(r"\.\./shared|shared/(claims|design)\.md")


def test_no_project_file_points_outside_the_repository():
    """A clone has no notes folder beside it: no tracked file may refer to one."""
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout
    offenders = []
    for name in tracked.split():
        path = REPO_ROOT / name
        if path.suffix in {".py", ".md", ".yaml", ".yml", ".toml", ".cff", ".txt", ".json"} and path.is_file():
            if OUTSIDE.search(path.read_text(encoding="utf-8", errors="replace")):
                offenders.append(name)
    assert not offenders, offenders


def test_dvc_parses_its_files_with_the_c_yaml_loader():
    """DVC parses dvc.yaml and dvc.lock (thousands of lines) several times per stage with ruamel.yaml's safe
    loader; without its C extension (``ruamel.yaml.clib``, pinned) every stage pays seconds more."""
    from ruamel.yaml import YAML

    assert YAML(typ="safe").Parser.__module__.endswith("_ruamel_yaml")
