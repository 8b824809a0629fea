"""MXNet and d2l for mxconv's MXNet layers, imported in this one place (internal).

Where MXNet 1.9.1 cannot run (Python 3.12 and later; numpy 1.24 and later) or is
not installed, importing this module, and so any of mxconv's MXNet layers, fails
at once with an ImportError that says why and what to do, and that
:mod:`mxconv.baseline` (the checker for other ports) works without MXNet.
"""
from ._environment import why_not
from ._errors import MXNetUnavailableError

_WHY = why_not()
if _WHY:
    raise MXNetUnavailableError(_WHY)

import d2l  # noqa: E402  (only now: the checks above give the clear message)
import mxnet as mx  # noqa: E402
from mxnet import autograd, nd  # noqa: E402
from mxnet.base import _LIB, NDArrayHandle, c_array, check_call  # noqa: E402
from mxnet.ndarray.sparse import BaseSparseNDArray  # noqa: E402

__all__ = ["d2l", "mx", "nd", "autograd", "BaseSparseNDArray", "NDArrayHandle", "_LIB", "c_array", "check_call"]
