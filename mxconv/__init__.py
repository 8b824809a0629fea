"""mxconv: the MXNet-faithful reference port of Dive into Deep Learning's section
"Multiple Input and Output Channels" (MXNet ``nd`` edition).

>>> import mxconv
>>> X = [[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]]
>>> K = [[[0, 1], [2, 3]], [[1, 2], [3, 4]]]
>>> mxconv.corr2d_multi_in(X, K)
<BLANKLINE>
[[ 56.  72.]
 [104. 120.]]
<NDArray 2x2 @cpu(0)>

Every function hands back the kind of array it is given. NDArrays run the book's
2019 ``nd`` edition (d2l 0.10.3); an ``mxnet.numpy`` array (the book as published
today, d2l 1.0.3, after ``npx.set_np()``) runs today's code and gives an
``mxnet.numpy`` array.

The book's functions come from :mod:`mxconv.reference`; :mod:`mxconv.fast` holds
their vectorized twins, :mod:`mxconv.exercises` and :mod:`mxconv.figures` the
section's exercises and pictures. MXNet is imported only when one of them is first
used, so that :mod:`mxconv.baseline` runs where MXNet is not installed; where
MXNet 1.9.1 cannot run (Python 3.12 and later), using them raises
:class:`MXNetUnavailableError`, which says so.
"""
import importlib

from ._errors import (
    ContextError,
    MxconvError,
    MxconvTypeError,
    MXNetUnavailableError,
    RecordingError,
    SlowReferenceWarning,
)

__version__ = "0.5.0"

_REFERENCE = ("corr2d", "corr2d_multi_in", "corr2d_multi_in_out", "corr2d_multi_in_out_1x1")
_SUBMODULES = ("reference", "fast", "exercises", "figures", "baseline", "cli")

# Names only: the submodules (mxconv.fast, mxconv.baseline, ...) are imported by name.
__all__ = [
    "__version__",
    *_REFERENCE,
    "MxconvError",
    "MxconvTypeError",
    "ContextError",
    "RecordingError",
    "SlowReferenceWarning",
    "MXNetUnavailableError",
]


def __getattr__(name):
    # PEP 562: import the MXNet layers on first use only.
    if name in _REFERENCE:
        return getattr(importlib.import_module(".reference", __name__), name)
    if name in _SUBMODULES:
        return importlib.import_module("." + name, __name__)
    raise AttributeError("module 'mxconv' has no attribute %r" % (name,))


def __dir__():
    return sorted(set(globals()) | set(__all__))
