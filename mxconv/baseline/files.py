"""The checker's one way to read a file, parse JSON, and write a file whole or not at all.

mxconv's own files (the baseline export, the figures) are written with these too.
"""
import json
import math
import os
import secrets
import stat
from typing import IO, Any, Callable, Dict, List, Tuple, Type, Union

from .errors import BaselineError, UsageError

__all__ = ["MAX_FILE_BYTES", "read_regular", "loads_strict", "writable", "write_atomically"]

MAX_FILE_BYTES = 64 * 2**20
Path = Union[str, "os.PathLike[str]"]


def read_regular(path: str, error: Type[Exception] = BaselineError) -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES: the one way the checker reads
    a file (a baseline, an expectation file, a notebook or a tab). Opened without blocking
    (a FIFO would wait for a writer for ever), then judged by what it is; ``error`` is
    the exception raised (an OSError, such as a missing file, propagates)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise error("%s: not a regular file" % path)
        if info.st_size > MAX_FILE_BYTES:  # refused before any of it is read
            raise error("%s: %d bytes, more than the %d a file of the checker may have" % (
                path, info.st_size, MAX_FILE_BYTES))
        chunks, left = [], MAX_FILE_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 2**20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    if len(raw) > MAX_FILE_BYTES:
        raise error("%s: more than the %d bytes a file of the checker may have (it grew)" % (path, MAX_FILE_BYTES))
    return raw


class _Refused(Exception):
    pass


def _refuse_constant(name: str) -> None:
    raise _Refused("NaN and Infinity are not allowed (found %s)" % name)


def _no_duplicate_keys(pairs: List[Tuple[str, object]]) -> Dict[str, object]:
    result: Dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise _Refused("duplicate key %r" % key)
        result[key] = value
    return result


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 parses as inf
        raise _Refused("non-finite number %s" % text)
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 18:  # beyond int64, and before int() spends time on it
        raise _Refused("integer %s... has more than 18 digits" % text[:20])
    return int(text)


def loads_strict(raw: bytes, where: str, error: Type[Exception] = BaselineError) -> Any:
    """JSON from UTF-8 ``raw`` with no NaN or Infinity, no number beyond float64 or
    int64, and no key twice; anything else is ``error("where: why")``. Nothing is
    evaluated: the checker reads every file and frame through this."""
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant, parse_float=_finite_float,
                          parse_int=_bounded_int, object_pairs_hook=_no_duplicate_keys)
    except _Refused as err:
        raise error("%s: %s" % (where, err)) from None
    except (ValueError, UnicodeDecodeError, RecursionError) as err:
        raise error("%s: not valid JSON (%s)" % (where, err)) from None


def writable(path: Any, what: str = "the output file") -> str:
    """``path`` as a str, if a file can be written there: called before any work that
    ends in writing it. Raises UsageError (naming ``what``) for a path that is not a
    non-empty str or path, is a folder, or lies in a folder that does not exist."""
    if not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
        raise UsageError("%s: name a file to write, got %r" % (what, path))
    path = os.fspath(path)
    if os.path.isdir(path):
        raise UsageError("%s: %s is a folder, not a file" % (what, path))
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UsageError("%s: %s is not in an existing folder" % (what, path))
    return str(path)


def write_atomically(path: Path, write: Callable[[IO[bytes]], object], what: str = "the output file") -> str:
    """Call ``write(file)`` on a new temporary file beside ``path``, then move it to
    ``path``: a reader never sees half a file. ``path`` is refused as :func:`writable`
    does; an OSError of the write names ``path`` (not the temporary file), and no
    temporary file is left behind."""
    path = writable(path, what)
    folder, name = os.path.split(os.path.abspath(path))
    temporary = os.path.join(folder, ".%s.%s.tmp" % (name, secrets.token_hex(6)))
    try:
        # O_EXCL: a file of our own; mode 0o666 less the umask, as open() would give.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as err:  # say it of the file asked for, not of the temporary one
        raise OSError(err.errno, err.strerror, path) from None
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        try:
            os.replace(temporary, path)
        except OSError as err:
            raise OSError(err.errno, err.strerror, path) from None
    except BaseException:
        os.unlink(temporary)
        raise
    return path
