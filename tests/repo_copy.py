"""A clean copy of this working tree for tests that run DVC on it: what a fresh clone would hold."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from benchmarks.paths import REPO_ROOT


def clean_copy(dest: Path, commit: bool = True) -> None:
    """Copy tracked and untracked-but-not-ignored files to ``dest`` and make it a git repository (with one
    commit of everything when ``commit``)."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO_ROOT, check=True, capture_output=True
    )
    for name in filter(None, listed.stdout.decode().split("\0")):
        src = REPO_ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    subprocess.run(["git", "init", "-q"], cwd=dest, check=True)
    if commit:
        subprocess.run(["git", "add", "-A"], cwd=dest, check=True)
        identity = ["-c", "user.name=ci", "-c", "user.email=ci@localhost"]
        subprocess.run(["git", *identity, "commit", "-qm", "clean"], cwd=dest, check=True)
