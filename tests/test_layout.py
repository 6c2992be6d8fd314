"""Architecture invariants: only implementations/ imports a framework; the two implementations mirror each
other (same module names, same public API signatures)."""

from __future__ import annotations

import ast
import importlib
import inspect
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
    names = {fw: sorted(p.name for p in (REPO_ROOT / "implementations" / fw).glob("*.py")) for fw in ("pytorch", "jax")}
    assert names["pytorch"] == names["jax"]
    apis = {fw: importlib.import_module(f"implementations.{fw}.api") for fw in ("pytorch", "jax")}
    public = {
        fw: {n for n, f in vars(m).items() if inspect.isfunction(f) and not n.startswith("_")} for fw, m in apis.items()
    }
    assert public["pytorch"] == public["jax"]
    for name in public["jax"]:
        params = [list(inspect.signature(getattr(apis[fw], name)).parameters) for fw in ("pytorch", "jax")]
        assert params[0] == params[1], name
