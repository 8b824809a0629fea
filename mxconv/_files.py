"""Files written whole or not at all (internal).

A reader never sees half a file: each is written to a temporary file in the same
folder, then renamed over the target (``os.replace``, atomic on one file system). The
writing itself is the checker's (``mxconv.baseline``, which must stand alone); this
adds mxconv's own errors.
"""
import errno
import os
from typing import IO, Callable

from ._errors import MxconvError
from .baseline import _write_atomically


def writable(path: str) -> str:
    """``path``, if a file can be written there; called before any work that ends in writing it.

    Raises :class:`MxconvError` when ``path`` is empty or a folder, and an OSError naming
    ``path`` when its folder does not exist or is not a folder.
    """
    if not path:
        raise MxconvError("the path is empty: name the file to write")
    if os.path.isdir(path):
        raise MxconvError("%s is a folder, not a file" % path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        code = errno.ENOTDIR if os.path.exists(folder) else errno.ENOENT
        raise OSError(code, os.strerror(code), path)
    return path


def write_atomically(path: str, write: Callable[[IO[bytes]], object]) -> str:
    """Call ``write(file)`` on a new temporary file beside ``path``, then move it to ``path``.

    Refuses ``path`` as :func:`writable` does; an OSError of the write (no permission, a
    full disk) propagates, naming ``path``, and no temporary file is left behind.
    """
    return _write_atomically(writable(path), write)
