"""The section's functions as the book runs them, on a context of your choice.

Each function checks and converts its arguments through mxconv's one input gate,
then runs the book's code unchanged (``mxconv._book``, with ``d2l.corr2d``) inside
``with ctx:``, so that every array the book's code makes, ``d2l.corr2d``'s
``nd.zeros`` included, lives on ``ctx``.

dtype: the functions built on ``d2l.corr2d`` return float32 whatever the input
dtype, because ``d2l.corr2d`` writes into ``nd.zeros`` (float32); products and
window sums are computed in the input dtype first. ``corr2d_multi_in_out_1x1`` is
one ``nd.dot`` and keeps float32 and float64. float16 input is widened to float32
(MXNet's ``nd.dot`` has no float16 on CPU). NaN and Inf are computed through, as
MXNet does: a NaN in a window makes that output NaN; nothing is checked or masked.

These are slow by nature: a Python double loop of tiny MXNet operations, about
0.65 ms per window product on a 2-core machine. Above an estimated 30 s they warn
(:class:`mxconv.SlowReferenceWarning`); :mod:`mxconv.fast` is the answer to size,
and to autograd, which the book's in-place writes cannot be recorded by.
"""
import d2l

from . import _book, _inputs

__all__ = ["corr2d", "corr2d_multi_in", "corr2d_multi_in_out", "corr2d_multi_in_out_1x1", "BOOK_X", "BOOK_K"]

# The input and kernel the section constructs in In[2] (its figure's values).
BOOK_X = [[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]]
BOOK_K = [[[0, 1], [2, 3]], [[1, 2], [3, 4]]]


def _run(op, book_fn, X, K, ctx, warn_slow):
    args = _inputs.reference_args(op, X, K, ctx, warn_slow)
    with args.ctx:
        return book_fn(args.X, args.K)


def corr2d(X, K, ctx=None, *, warn_slow=True):
    """2-D cross-correlation of one channel: ``d2l.corr2d``, run on ``ctx``.

    Parameters
    ----------
    X : NDArray, numpy array or nested lists, shape (h, w)
    K : same kinds, shape (k_h, k_w), no larger than X
    ctx : mx.Context, optional
        Where to compute; default: X's context (the current context for non-NDArray X).
    warn_slow : bool
        Warn when the estimated run time passes 30 s (default True).

    Returns
    -------
    NDArray of shape (h - k_h + 1, w - k_w + 1), float32, on ``ctx``.

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
    return _run("corr2d", d2l.corr2d, X, K, ctx, warn_slow)


def corr2d_multi_in(X, K, ctx=None, *, warn_slow=True):
    """Cross-correlation with multiple input channels, summed over them (book In[1]).

    Parameters
    ----------
    X : NDArray, numpy array or nested lists, shape (c_i, h, w)
    K : same kinds, shape (c_i, k_h, k_w): one kernel per input channel
    ctx : mx.Context, optional
        Where to compute; default: X's context (the current context for non-NDArray X).
    warn_slow : bool
        Warn when the estimated run time passes 30 s (default True).

    Returns
    -------
    NDArray of shape (h - k_h + 1, w - k_w + 1), float32, on ``ctx``.

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
    return _run("corr2d_multi_in", _book.corr2d_multi_in, X, K, ctx, warn_slow)


def corr2d_multi_in_out(X, K, ctx=None, *, warn_slow=True):
    """Cross-correlation with multiple input and output channels (book In[3]).

    Parameters
    ----------
    X : NDArray, numpy array or nested lists, shape (c_i, h, w)
    K : same kinds, shape (c_o, c_i, k_h, k_w)
    ctx : mx.Context, optional
        Where to compute; default: X's context (the current context for non-NDArray X).
    warn_slow : bool
        Warn when the estimated run time passes 30 s (default True).

    Returns
    -------
    NDArray of shape (c_o, h - k_h + 1, w - k_w + 1), float32, on ``ctx``.

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
    return _run("corr2d_multi_in_out", _book.corr2d_multi_in_out, X, K, ctx, warn_slow)


def corr2d_multi_in_out_1x1(X, K, ctx=None):
    """1x1 convolution as one matrix multiplication (book In[6]).

    Unlike the other three, this is a single ``nd.dot``: it keeps the input dtype,
    runs fast, and works under ``autograd.record()``.

    Parameters
    ----------
    X : NDArray, numpy array or nested lists, shape (c_i, h, w)
    K : same kinds, shape (c_o, c_i, 1, 1)
    ctx : mx.Context, optional
        Where to compute; default: X's context (the current context for non-NDArray X).

    Returns
    -------
    NDArray of shape (c_o, h, w), on ``ctx``.

    Raises
    ------
    MxconvError
        As :func:`corr2d_multi_in_out`, and for a kernel that is not 1x1.

    Examples
    --------
    >>> corr2d_multi_in_out_1x1([[[1, 2]], [[3, 4]]], [[[[1]], [[10]]]])
    <BLANKLINE>
    [[[31. 42.]]]
    <NDArray 1x1x2 @cpu(0)>
    """
    return _run("corr2d_multi_in_out_1x1", _book.corr2d_multi_in_out_1x1, X, K, ctx, False)
