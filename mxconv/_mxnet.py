"""MXNet for mxconv's MXNet layers, imported in this one place (internal).

Where MXNet 1.9.1 cannot run (Python 3.12 and later; numpy 1.24 and later) or is
not installed, importing this module, and so any of mxconv's MXNet layers, fails
at once with an ImportError that says why and what to do, and that
:mod:`mxconv.baseline` (the checker for other ports) works without MXNet. d2l,
which only the book's path needs, is found by :mod:`mxconv._d2l`.
"""
import contextlib
import ctypes
from typing import Iterator

from ._environment import why_not
from ._errors import MXNetUnavailableError

_WHY = why_not()
if _WHY:
    raise MXNetUnavailableError(_WHY)

import mxnet as mx  # noqa: E402  (only now: the checks above give the clear message)
from mxnet import autograd, nd  # noqa: E402
from mxnet.base import _LIB, NDArrayHandle, c_array, check_call  # noqa: E402
from mxnet.ndarray.sparse import BaseSparseNDArray  # noqa: E402

__all__ = ["mx", "nd", "autograd", "BaseSparseNDArray", "NDArrayHandle", "_LIB", "c_array", "check_call",
           "array_mode", "cause"]


def cause(err: BaseException) -> str:
    """The line of an MXNet error that says what went wrong (``Check failed: !is_view``),
    not the C++ traceback before it: the checker's MXNet adapter's reading of it."""
    from .baseline.adapters import mxnet_cause  # on first use: `import mxconv` leaves the checker unloaded

    return mxnet_cause(str(err)) or type(err).__name__


@contextlib.contextmanager
def array_mode(numpy: bool) -> Iterator[None]:
    """MXNet's numpy mode (``npx.set_np()``) on or off inside, and as it was after.

    The array flag is MXNet's thread-local scope. The shape flag is set through the
    C call under ``mx.util.set_np_shape``: that wrapper logs through ``logging.info``,
    which on first use installs a handler on the root logger (``logging.basicConfig``)
    and would leave the caller's logging changed."""
    with mx.util.np_array(numpy):
        before = _set_np_shape(numpy)
        try:
            yield
        finally:
            _set_np_shape(before)


def _set_np_shape(active: bool) -> bool:
    """Numpy shape semantics on or off for this thread; returns the previous state."""
    previous = ctypes.c_int()
    check_call(_LIB.MXSetIsNumpyShape(ctypes.c_int(active), ctypes.byref(previous)))
    return bool(previous.value)
