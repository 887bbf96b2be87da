"""Progress reporting for long imports, kept out of the import logic itself.

The migration only calls `start`, `advance` and `finish`; the CLI decides whether a
terminal bar is drawn. A bar is only useful to a person watching, so it is drawn to
stderr and only when stderr is a terminal: piped or logged runs stay clean.
"""

from __future__ import annotations

import sys
from typing import Any, Protocol, TextIO

from tqdm import tqdm

__all__ = ["NullProgress", "Progress", "TqdmProgress", "progress_for"]


class Progress(Protocol):
    def start(self, total: int) -> None: ...

    def advance(self, count: int) -> None: ...

    def finish(self) -> None: ...


class NullProgress:
    """Reports nothing (tests, library use)."""

    def start(self, total: int) -> None:
        pass

    def advance(self, count: int) -> None:
        pass

    def finish(self) -> None:
        pass


class TqdmProgress:
    """A tqdm bar over rows, created when the total is known."""

    def __init__(self, stream: TextIO, *, description: str = "import") -> None:
        self._stream = stream
        self._description = description
        self._bar: tqdm[Any] | None = None

    def start(self, total: int) -> None:
        self._bar = tqdm(total=total, desc=self._description, unit="row", file=self._stream,
                         unit_scale=True, dynamic_ncols=True)

    def advance(self, count: int) -> None:
        if self._bar is not None:
            self._bar.update(count)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def progress_for(*, quiet: bool, stream: TextIO | None = None) -> Progress:
    """A bar on `stream` (stderr) when it is a terminal and not `quiet`, else nothing."""
    out = stream if stream is not None else sys.stderr
    if quiet or not out.isatty():
        return NullProgress()
    return TqdmProgress(out)
