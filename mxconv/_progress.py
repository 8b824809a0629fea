"""A line on the terminal that says what a long command is doing and how far it is (internal).

Shown only where the stream is a terminal, and only once the work has run for
``delay`` seconds: a command that is quick, or whose stderr is a file or a pipe,
prints nothing extra. The line is rewritten in place (carriage return, then the
terminal's erase-to-end-of-line) and erased when the work ends.
"""
import shutil
import sys
import time
from typing import IO, Callable, Optional

__all__ = ["Progress"]


class Progress:
    """Call it with a short text (mxconv's own, never a port's) as the work goes on;
    :meth:`close` erases the line. Usable as a context manager."""

    def __init__(self, stream: Optional[IO[str]] = None, *, delay: float = 1.0, every: float = 0.1,
                 clock: Callable[[], float] = time.monotonic):
        self.stream = sys.stderr if stream is None else stream
        self.delay, self.every, self.clock = delay, every, clock
        self.start = clock()
        self.last: Optional[float] = None
        try:
            self.active = bool(self.stream is not None and self.stream.isatty())
        except (AttributeError, ValueError, OSError):  # a closed or odd stream
            self.active = False

    def __call__(self, text: str) -> None:
        if not self.active:
            return
        now = self.clock()
        if now - self.start < self.delay or (self.last is not None and now - self.last < self.every):
            return
        self.last = now
        width = max(20, shutil.get_terminal_size().columns - 1)
        self._write("\r" + text[:width] + "\x1b[K")

    def close(self) -> None:
        """Erase the line, if one was shown."""
        if self.last is not None:
            self._write("\r\x1b[K")
            self.last = None

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # the terminal went away: the work goes on without a line
            self.active = False

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
