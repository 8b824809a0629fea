"""The command line's plumbing: a parser whose errors are one line, safe writes to the
standard streams, and a quiet end when the reader goes away. ``mxconv``'s own command
line uses these too."""
import argparse
import functools
import os
import sys
from typing import Any, NoReturn

from .text import one_line

__all__ = ["Parser", "standard_streams", "say", "error", "reader_went_away"]


class Parser(argparse.ArgumentParser):
    """argparse, with every usage error on one line, ``PROG: error: ... (see PROG CMD
    --help)``, and exit status 2; its subcommands' parsers are Parsers too."""

    def __init__(self, *args: Any, root: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.root = root or self.prog

    def add_subparsers(self, **kwargs: Any) -> Any:
        kwargs.setdefault("parser_class", functools.partial(Parser, root=self.root))
        return super().add_subparsers(**kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(2, "%s: error: %s (see %s --help)\n" % (self.root, one_line(message, 1000), self.prog))


def standard_streams() -> None:
    """Put /dev/null where the process got no stdin, stdout or stderr, so that no file
    or pipe opened later takes their numbers and gets the report's lines.

    Python gives such a process ``sys.stdout`` or ``sys.stderr`` None; argparse before
    3.11 then fails in its own error path (``None.write``) and the process exits 1
    instead of 2. A stream that is None is given a writer on /dev/null, so every Python
    ends a usage error with the same status."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    for name, fd in (("stdout", 1), ("stderr", 2)):
        if getattr(sys, name) is None:
            setattr(sys, name, open(fd, "w", closefd=False))


def say(text: str, stream: Any = None) -> None:
    """Write a line to stdout (or ``stream``), whatever it is: closed (None), of a
    narrow encoding, or gone (the BrokenPipeError is the caller's)."""
    stream = sys.stdout if stream is None else stream
    if stream is None:  # the process was started with the stream closed
        return
    try:
        stream.write(text + "\n")
    except UnicodeEncodeError:
        stream.write(text.encode("ascii", "backslashreplace").decode("ascii") + "\n")
    stream.flush()


def error(prog: str, message: str) -> int:
    """Say ``PROG: error: message`` on one line of stderr; the exit status of a usage error, 2."""
    try:
        say("%s: error: %s" % (prog, one_line(message, 1000)), sys.stderr)
    except OSError:
        pass
    return 2


def reader_went_away() -> int:
    """After a BrokenPipeError on stdout (``... | head``): point stdout at /dev/null, so
    that Python's flush at exit says nothing; the exit status, 1."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.close(null)
    return 1
