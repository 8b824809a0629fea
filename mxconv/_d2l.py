"""The d2l that each edition of the book's code calls, found without replacing the student's (internal).

- The 2019 ``nd`` edition calls ``d2l.corr2d`` of d2l 0.10.x (``import d2l``).
- Today's edition calls ``d2l.corr2d`` of d2l 1.x (``from d2l import mxnet as d2l``),
  on ``mxnet.numpy`` arrays.

Both releases are the one distribution ``d2l``, so only one can be installed. Where
d2l 0.10.x is, today's code runs on :class:`TodayOn010`, which hands 0.10.x's
``corr2d`` the same arrays as legacy NDArrays (zero-copy) and d2l 1.x's own aliases
of ``mxnet.numpy`` for the rest: the two ``corr2d`` compute each window's sum with the
same MXNet reduction, element for element (tests/test_editions.py checks it in
each environment). Whatever needs a d2l that is not installed raises
:class:`MxconvError` at once, naming both releases and the command that fixes it.
"""
import importlib
import warnings
from typing import Any

from ._environment import D2L_RELEASES, INSTALL, d2l_edition, d2l_version
from ._errors import D2lMissingError
from ._mxnet import array_mode, mx

_WHAT = {"nd": "the book's 2019 nd edition (NDArray inputs)", "np": "today's edition (mxnet.numpy inputs)"}


def _missing(edition: str, installed: Any) -> D2lMissingError:
    other = "np" if edition == "nd" else "nd"
    have = "d2l %s is installed" % installed if installed else "d2l is not installed"
    error = D2lMissingError(
        "the book's code of %s calls d2l.corr2d of d2l %s, but %s here. For that edition: %s. %s"
        % (_WHAT[edition], D2L_RELEASES[edition], have, INSTALL[edition],
           "mxconv.fast works with either d2l, and %s needs d2l %s: pass %s arrays to run it"
           % (_WHAT[other], D2L_RELEASES[other], "mxnet.numpy" if other == "np" else "mx.nd")
           if installed else "mxconv.fast needs no d2l"))
    error.edition = edition
    return error


def for_edition(edition: str, *, lazy: bool = False) -> Any:
    """The ``d2l`` namespace the book's code of ``edition`` ('nd' or 'np') calls.

    Where that d2l is missing, raises :class:`D2lMissingError`, or with ``lazy``
    returns a stand-in that raises it on first use (so that the module holding the
    book's code imports anywhere, and says why only when it is run)."""
    version = d2l_version()
    installed = d2l_edition(version)
    if edition == "nd" and installed == "nd":
        return _import("d2l")
    if edition == "np" and installed == "np":
        return _import("d2l.mxnet")
    if edition == "np" and installed == "nd":
        return TodayOn010(_import("d2l"))
    error = _missing(edition, version)
    if lazy:
        return _Missing(error)
    raise error


def _import(name: str) -> Any:
    """Import d2l, leaving the warnings filters as they were: d2l 1.x's ``d2l.mxnet``
    pulls in IPython, pandas and others, which add filters of their own on import."""
    with warnings.catch_warnings():
        return importlib.import_module(name)


class _Missing:
    """A d2l that is not installed: any use raises the error that says how to get it."""

    def __init__(self, error: D2lMissingError) -> None:
        self._error = error

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # what introspection asks (doctest, inspect.unwrap), not the book's code
            raise AttributeError(name)
        raise self._error


class TodayOn010:
    """What today's code asks of ``d2l`` (corr2d, stack, reshape, matmul), where d2l
    0.10.x is installed.

    ``corr2d`` is 0.10.x's (``Y = nd.zeros(...)``, each ``Y[i, j]`` the sum of a window
    times K), run in MXNet's nd mode on zero-copy NDArray views and handed back as an
    mxnet.numpy array. The rest are the very functions d2l 1.x names
    (``d2l.stack = np.stack``, ``d2l.matmul = np.dot``, ``d2l.reshape``).
    """

    def __init__(self, d2l_010: Any) -> None:
        self._corr2d = d2l_010.corr2d
        self.stack, self.matmul = mx.np.stack, mx.np.dot

    def corr2d(self, X: Any, K: Any) -> Any:
        with array_mode(numpy=False):
            Y = self._corr2d(X.as_nd_ndarray(), K.as_nd_ndarray())
        return Y.as_np_ndarray()

    @staticmethod
    def reshape(x: Any, *args: Any, **kwargs: Any) -> Any:
        return x.reshape(*args, **kwargs)
