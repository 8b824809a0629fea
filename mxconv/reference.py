"""The section's functions as the book runs them, on a context of your choice.

Each function checks and converts its arguments through mxconv's one input gate,
then runs the book's code unchanged inside ``with ctx:``, so that every array the
book's code makes, ``d2l.corr2d``'s zeros included, lives on ``ctx``. Which book:

- ``mx.nd`` NDArrays (and lists and numpy arrays) get the 2019 ``nd`` edition's
  code (``mxconv._book``: ``nd.add_n``, ``nd.stack``, ``nd.dot``), on d2l 0.10.x's
  ``d2l.corr2d``;
- ``mxnet.numpy`` arrays (and lists and numpy arrays while ``npx.set_np()`` is on)
  get the code of the book as published today (``mxconv._book_np``: Python's ``sum``
  over the channels, ``d2l.stack(..., 0)``, ``d2l.matmul``), on d2l 1.x's
  ``d2l.corr2d``, run with MXNet's numpy mode on and the caller's mode restored
  after. With d2l 0.10.x installed instead, today's code runs on 0.10.x's
  ``corr2d``, which gives the same values element for element.

An edition whose d2l is not installed raises :class:`mxconv.MxconvError` at once,
naming both d2l releases and the command that installs the one it needs.

dtype: the functions built on ``d2l.corr2d`` return float32 whatever the input
dtype, because ``d2l.corr2d`` writes into float32 zeros; products and window
sums are computed in the input dtype first. So they refuse inputs that float32
cannot hold (integers beyond 2**24, finite values beyond float32's range), and a
result that overflowed to inf or NaN from finite inputs, instead of rounding
them silently. ``corr2d_multi_in_out_1x1`` is one matrix product and keeps
float32 and float64. float16 input is widened to float32 (MXNet has no float16
matrix product on CPU). NaN and Inf in the inputs are computed through, as MXNet
does.

These are slow by nature: a Python double loop of tiny MXNet operations, about
0.65 ms per window product on a 2-core machine. Above an estimated 30 s they warn
(:class:`mxconv.SlowReferenceWarning`); :mod:`mxconv.fast` is the answer to size,
and to autograd, which the book's in-place writes cannot be recorded by.
"""
import importlib
import warnings
from typing import Any, Optional, Sequence

import numpy as np

from . import _checks, _inputs
from ._errors import MxconvError, RecordingError, SlowReferenceWarning
from ._mxnet import array_mode, mx
from ._typing import ArrayLike, Context, NDArray

__all__ = ["corr2d", "corr2d_multi_in", "corr2d_multi_in_out", "corr2d_multi_in_out_1x1", "BOOK_X", "BOOK_K",
           "SECONDS_PER_TERM", "WARN_SECONDS", "estimated_seconds", "terms"]

# The input and kernel the section constructs in In[2] (its figure's values).
BOOK_X = [[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]]
BOOK_K = [[[0, 1], [2, 3]], [[1, 2], [3, 4]]]

# The book's path issues four tiny MXNet operations (slice, multiply, sum, write)
# for every term c_o * c_i * out_h * out_w of the result. Measured once on the
# project's 2-core build machine (mxnet 1.9.1 CPU wheel, default threads): median
# of 3 runs of the book's corr2d_multi_in_out on (c_i, h, c_o, k) = (3, 12, 4, 3),
# (2, 20, 2, 3), (1, 30, 1, 1), (4, 8, 4, 5): 612 to 770 microseconds per term.
SECONDS_PER_TERM = 6.5e-4
# Above this estimate the book's path warns and points at mxconv.fast.
WARN_SECONDS = 30.0

_LOOPS = ("corr2d", "corr2d_multi_in", "corr2d_multi_in_out")  # built on d2l.corr2d
_BOOKS = {"nd": "._book", "np": "._book_np"}


def terms(x_shape: Sequence[int], k_shape: Sequence[int]) -> int:
    """How many window products the book's path computes: c_o * c_i * out_h * out_w."""
    out = (x_shape[-2] - k_shape[-2] + 1) * (x_shape[-1] - k_shape[-1] + 1)
    channels = 1
    for size in k_shape[:-2]:
        channels *= int(size)
    return int(out) * channels


def estimated_seconds(x_shape: Sequence[int], k_shape: Sequence[int]) -> float:
    """Estimated run time of the book's path, from :data:`SECONDS_PER_TERM`."""
    return terms(x_shape, k_shape) * SECONDS_PER_TERM


def _book_code(op: str, edition: str) -> Any:
    """The book's function ``op`` in ``edition``: imported on first use, as it imports d2l."""
    book = importlib.import_module(_BOOKS[edition], __package__)
    return book.d2l.corr2d if op == "corr2d" else getattr(book, op)


def _fast_twin(op: str) -> str:
    return "corr2d_multi_in" if op in ("corr2d", "corr2d_multi_in") else "corr2d_multi_in_out"


def _run(call: _checks.Call, X: Any, K: Any, ctx: Any, warn_slow: bool) -> Any:
    """The book's path: the gate, this path's own guards, then the book's code under ``ctx``."""
    op = call.op
    loop = op in _LOOPS
    if loop and mx.autograd.is_recording():
        raise RecordingError(
            "%s: the book's path cannot run under autograd.record(): d2l.corr2d writes its "
            "result in place (Y[i, j] = ...), which autograd does not record. Use "
            "mxconv.fast.%s, its differentiable twin" % (op, _fast_twin(op)))
    args = _inputs.conv_args(call, X, K, ctx=ctx)
    edition = "np" if args.np_out else "nd"
    book_fn = _book_code(op, edition)
    X, K = (args.X, args.K) if args.dtype != np.float16 else _inputs.as_float32(args.X, args.K)
    if loop:
        _refuse_float32_overflow(op, args, X, K)
        if warn_slow:
            _warn_if_slow(op, args)
    if edition == "np":
        with args.ctx, array_mode(numpy=True):
            Y = book_fn(X.as_np_ndarray(), K.as_np_ndarray()).as_nd_ndarray()
    else:
        with args.ctx:
            Y = book_fn(X, K)
    if loop:
        _refuse_overflowed_result(op, X, K, Y)
    return _inputs.result(args, Y)


def _largest_finite(*arrays: Any) -> float:
    values = np.concatenate([A.asnumpy().ravel() for A in arrays])
    return float(np.abs(values[np.isfinite(values)]).max(initial=0.0))


def _refuse_float32_overflow(op: str, args: _inputs.ConvArgs, X: Any, K: Any) -> None:
    """d2l.corr2d writes into float32 zeros: refuse inputs whose values float32
    cannot hold, rather than round or overflow them silently."""
    why = args.widened
    if why is None and args.dtype == np.float64:
        largest = _largest_finite(X, K)
        if largest > float(np.finfo(np.float32).max):
            why = "X or K holds %g, beyond float32's largest %g" % (largest, float(np.finfo(np.float32).max))
    if why:
        raise MxconvError("%s, and the book's path returns float32 (d2l.corr2d writes into float32 zeros): "
                          "mxconv.fast.%s computes it in float64" % (why, _fast_twin(op)))


def _refuse_overflowed_result(op: str, X: Any, K: Any, Y: Any) -> None:
    """A float32 result that overflowed to inf or NaN from finite inputs is refused,
    not handed out (NaN and Inf in the inputs are computed through)."""
    if mx.nd.contrib.isfinite(Y).min().asscalar():  # one scalar read: the result stays on its device
        return
    if all(np.isfinite(A.asnumpy()).all() for A in (X, K)):
        raise MxconvError("the float32 result overflowed to inf or NaN from finite inputs (largest input %g); "
                          "mxconv.fast.%s computes it in float64 from float64 inputs"
                          % (_largest_finite(X, K), _fast_twin(op)))


def _warn_if_slow(op: str, args: _inputs.ConvArgs) -> None:
    seconds = estimated_seconds(args.x_shape, args.k_shape)
    if seconds > WARN_SECONDS:
        warnings.warn(
            "%s: the book's path will take about %.0f s here (%d tiny MXNet operations of "
            "about %.2f ms each, X.shape=%s, K.shape=%s); mxconv.fast.%s gives the same "
            "result in milliseconds. Pass warn_slow=False to silence this."
            % (op, seconds, 4 * terms(args.x_shape, args.k_shape), SECONDS_PER_TERM * 1e3 / 4,
               args.x_shape, args.k_shape, _fast_twin(op)),
            SlowReferenceWarning, stacklevel=4)


def corr2d(X: ArrayLike, K: ArrayLike, *, ctx: Optional[Context] = None, warn_slow: bool = True) -> NDArray:
    """2-D cross-correlation of one channel: ``d2l.corr2d``, run on ``ctx``.

    d2l 0.10.x's for NDArrays, d2l 1.x's (``d2l.mxnet.corr2d``) for ``mxnet.numpy`` arrays.

    Parameters
    ----------
    X : NDArray, mxnet.numpy array, numpy array or nested lists, shape (h, w)
    K : same kinds, shape (k_h, k_w), no larger than X
    ctx : mx.Context, optional
        Where to compute; default: X's context (the current context for non-NDArray X).
    warn_slow : bool
        Warn when the estimated run time passes 30 s (default True).

    Returns
    -------
    NDArray of shape (h - k_h + 1, w - k_w + 1), float32, on ``ctx``;
    an mxnet.numpy array where X is one, or where ``npx.set_np()`` is on
    and X is a list or numpy array.

    Raises
    ------
    MxconvError
        Bad shapes or arguments, a GPU this machine lacks, or a call under ``autograd.record()``.

    Examples
    --------
    >>> corr2d([[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[0, 1], [2, 3]])
    <BLANKLINE>
    [[19. 25.]
     [37. 43.]]
    <NDArray 2x2 @cpu(0)>
    """
    with _checks.scope("corr2d") as call:
        return _run(call, X, K, ctx, warn_slow)


def corr2d_multi_in(X: ArrayLike, K: ArrayLike, *, ctx: Optional[Context] = None,
                    warn_slow: bool = True) -> NDArray:
    """Cross-correlation with multiple input channels, summed over them (book In[1]).

    NDArrays run the 2019 code, ``nd.add_n`` of ``d2l.corr2d`` over the channels;
    ``mxnet.numpy`` arrays today's, Python's ``sum`` of them from 0, left to right.

    Parameters
    ----------
    X : NDArray, mxnet.numpy array, numpy array or nested lists, shape (c_i, h, w)
    K : same kinds, shape (c_i, k_h, k_w): one kernel per input channel
    ctx : mx.Context, optional
        Where to compute; default: X's context (the current context for non-NDArray X).
    warn_slow : bool
        Warn when the estimated run time passes 30 s (default True).

    Returns
    -------
    NDArray of shape (h - k_h + 1, w - k_w + 1), float32, on ``ctx``;
    an mxnet.numpy array where X is one, or where ``npx.set_np()`` is on
    and X is a list or numpy array.

    Raises
    ------
    MxconvError
        Wrong number of axes, X and K with different channel counts (which the
        book's ``zip`` would silently truncate), a kernel larger than X, an empty
        axis, a GPU this machine lacks, or a call under ``autograd.record()``.

    Examples
    --------
    >>> X = [[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]]
    >>> K = [[[0, 1], [2, 3]], [[1, 2], [3, 4]]]
    >>> corr2d_multi_in(X, K)
    <BLANKLINE>
    [[ 56.  72.]
     [104. 120.]]
    <NDArray 2x2 @cpu(0)>
    """
    with _checks.scope("corr2d_multi_in") as call:
        return _run(call, X, K, ctx, warn_slow)


def corr2d_multi_in_out(X: ArrayLike, K: ArrayLike, *, ctx: Optional[Context] = None,
                        warn_slow: bool = True) -> NDArray:
    """Cross-correlation with multiple input and output channels (book In[3]).

    NDArrays run the 2019 code (``nd.stack``), ``mxnet.numpy`` arrays today's
    (``d2l.stack(..., 0)``), each over its edition's :func:`corr2d_multi_in`.

    Parameters
    ----------
    X : NDArray, mxnet.numpy array, numpy array or nested lists, shape (c_i, h, w)
    K : same kinds, shape (c_o, c_i, k_h, k_w)
    ctx : mx.Context, optional
        Where to compute; default: X's context (the current context for non-NDArray X).
    warn_slow : bool
        Warn when the estimated run time passes 30 s (default True).

    Returns
    -------
    NDArray of shape (c_o, h - k_h + 1, w - k_w + 1), float32, on ``ctx``;
    an mxnet.numpy array where X is one, or where ``npx.set_np()`` is on
    and X is a list or numpy array.

    Raises
    ------
    MxconvError
        As :func:`corr2d_multi_in`, with K's axis 1 as its input channels.

    Examples
    --------
    >>> X = [[[0, 1], [2, 3]]]
    >>> corr2d_multi_in_out(X, [[[[1]]], [[[2]]]]).shape
    (2, 2, 2)
    """
    with _checks.scope("corr2d_multi_in_out") as call:
        return _run(call, X, K, ctx, warn_slow)


def corr2d_multi_in_out_1x1(X: ArrayLike, K: ArrayLike, *, ctx: Optional[Context] = None) -> NDArray:
    """1x1 convolution as one matrix multiplication (book In[6]).

    NDArrays run the 2019 code (``nd.dot``), ``mxnet.numpy`` arrays today's
    (``d2l.matmul``, which is ``np.dot``). Unlike the other three, this is a single
    matrix product: it keeps the input dtype,
    runs fast, and works under ``autograd.record()``.

    Parameters
    ----------
    X : NDArray, mxnet.numpy array, numpy array or nested lists, shape (c_i, h, w)
    K : same kinds, shape (c_o, c_i, 1, 1)
    ctx : mx.Context, optional
        Where to compute; default: X's context (the current context for non-NDArray X).

    Returns
    -------
    NDArray of shape (c_o, h, w), on ``ctx``;
    an mxnet.numpy array where X is one, or where ``npx.set_np()`` is on
    and X is a list or numpy array.

    Raises
    ------
    MxconvError
        As :func:`corr2d_multi_in_out`, and for a kernel that is not 1x1 (k_h or k_w above 1).

    Examples
    --------
    >>> corr2d_multi_in_out_1x1([[[1, 2]], [[3, 4]]], [[[[1]], [[10]]]])
    <BLANKLINE>
    [[[31. 42.]]]
    <NDArray 1x1x2 @cpu(0)>
    """
    with _checks.scope("corr2d_multi_in_out_1x1") as call:
        return _run(call, X, K, ctx, False)
