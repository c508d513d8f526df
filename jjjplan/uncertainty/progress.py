"""A progress line on stderr for long runs: appears after a second, ASCII only (GBK-safe).

The engine reports progress once per ``project_many`` chunk, so a single-chunk run shows a
spinner and the elapsed time rather than a moving bar. A background thread redraws the line;
the computation itself stays in the calling thread, so Ctrl-C stops it at once and, since
outputs are written only after the computation (atomically), nothing is half-written.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

SPINNER = "|/-\\"
WIDTH = 24


class StderrProgress:
    """Context manager; call the instance as ``progress(done, total)``.

    Draws nothing for runs shorter than ``delay`` seconds, or when the stream is not a
    terminal (logs and pipes stay clean) unless ``force`` is set.
    """

    def __init__(
        self,
        label: str,
        total: int,
        *,
        stream: TextIO | None = None,
        delay: float = 1.0,
        interval: float = 0.25,
        force: bool = False,
    ) -> None:
        self.label = label
        self.total = max(int(total), 1)
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.delay = delay
        self.interval = interval
        self.enabled = force or _is_terminal(self.stream)
        self.drawn = False
        self._start = 0.0
        self._ticks = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = int(done), max(int(total), 1)

    def line(self) -> str:
        """The current progress line, e.g. ``[######......]  250/1000 runs  3.2 s |``."""
        filled = round(WIDTH * self.done / self.total)
        spin = SPINNER[self._ticks % len(SPINNER)]
        elapsed = time.monotonic() - self._start
        return (
            f"{self.label} [{'#' * filled}{'.' * (WIDTH - filled)}] "
            f"{self.done}/{self.total}  {elapsed:.1f} s {spin}"
        )

    def _draw(self) -> None:
        self.stream.write("\r" + self.line())
        self.stream.flush()
        self.drawn = True
        self._ticks += 1

    def _run(self) -> None:
        if self._stop.wait(self.delay):
            return
        while not self._stop.is_set():
            self._draw()
            self._stop.wait(self.interval)

    def __enter__(self) -> StderrProgress:
        self._start = time.monotonic()
        if self.enabled:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.drawn:
            if exc_type is None:
                self._draw()
            self.stream.write("\n")
            self.stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
