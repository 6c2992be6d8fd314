"""Seeds derived from one root seed and the experiment axes (design notes: "Randomness and parity").

A run's seed is a hash of the root seed and its axes (experiment, framework, task, repetition, ...), so
adding a task or a framework never shifts the randomness of the others, and every seed can be logged.
"""

from __future__ import annotations

import hashlib


def derive_seed(root: int, *axes: object) -> int:
    """A 31-bit seed from ``root`` and the ordered experiment axes (stable across processes and machines)."""
    text = "/".join([str(int(root)), *(str(axis) for axis in axes)])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little") & 0x7FFFFFFF
