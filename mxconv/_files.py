"""Files written whole or not at all (internal).

A reader never sees half a file: each is written to a temporary file in the same
folder, then renamed over the target (``os.replace``, atomic on one file system). The
writing itself is the checker's (``mxconv.baseline``, which must stand alone); this
adds mxconv's own errors.
"""
import os
from typing import IO, Callable

from ._errors import MxconvError
from .baseline import _write_atomically


def write_atomically(path: str, write: Callable[[IO[bytes]], object]) -> str:
    """Call ``write(file)`` on a new temporary file beside ``path``, then move it to ``path``.

    Raises :class:`MxconvError` when ``path`` is empty or a folder; an OSError (no such
    folder, no permission) propagates, naming ``path``, and no temporary file is left behind.
    """
    if not path:
        raise MxconvError("the path is empty: name the file to write")
    if os.path.isdir(path):
        raise MxconvError("%s is a folder, not a file" % path)
    return _write_atomically(path, write)
