"""Files written whole or not at all (internal).

A reader never sees half a file: each is written to a temporary file in the same
folder, then renamed over the target (``os.replace``, atomic on one file system).
"""
import os
import secrets
from typing import IO, Callable

from ._errors import MxconvError


def write_atomically(path: str, write: Callable[[IO[bytes]], object]) -> str:
    """Call ``write(file)`` on a new temporary file beside ``path``, then move it to ``path``.

    Raises :class:`MxconvError` when ``path`` is a folder; an OSError (no such folder,
    no permission) propagates, and no temporary file is left behind.
    """
    if not path:
        raise MxconvError("the path is empty: name the file to write")
    if os.path.isdir(path):
        raise MxconvError("%s is a folder, not a file" % path)
    folder, name = os.path.split(os.path.abspath(path))
    temporary = os.path.join(folder, ".%s.%s.tmp" % (name, secrets.token_hex(6)))
    try:
        # O_EXCL: a file of our own; mode 0o666 less the umask, as open() would give.
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as err:  # say it of the file asked for, not of the temporary one
        raise OSError(err.errno, err.strerror, path) from None
    try:
        with os.fdopen(handle, "wb") as f:
            write(f)
        try:
            os.replace(temporary, path)
        except OSError as err:
            raise OSError(err.errno, err.strerror, path) from None
    except BaseException:
        os.unlink(temporary)
        raise
    return path
