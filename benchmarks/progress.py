"""Progress lines for long stages: one flushed line per unit of work, with its position and elapsed time.

``dvc repro`` shows a stage's output as it comes, and a log keeps it, so a plain line per step serves both a
terminal and a log file (no carriage-return bars that a log would garble).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


class Progress:
    """Prints ``[label] i/n description (elapsed s)`` lines to stderr."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.start = time.perf_counter()

    def say(self, message: str) -> None:
        """One line, flushed."""
        print(f"[{self.label}] {message} ({time.perf_counter() - self.start:.1f} s)", file=sys.stderr, flush=True)

    def over(self, items: Iterable[T], describe: object = str) -> Iterator[T]:
        """Yield ``items``, announcing each (``describe(item)``) with its position before it is worked on."""
        items = list(items)
        for i, item in enumerate(items, start=1):
            self.say(f"{i}/{len(items)} {describe(item)}")  # type: ignore[operator]
            yield item
