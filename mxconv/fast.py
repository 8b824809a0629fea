"""Vectorized twins of the section's functions: padding, stride, batches, autograd.

Same names and results as :mod:`mxconv.reference` (within float32 rounding), at
the speed of the hardware: one ``nd.Convolution`` (oneDNN on CPU, cuDNN on GPU)
instead of a Python double loop of tiny operations. Every argument passes the same
input gate as the book's path.

- ``padding``: an int or a pair (p_h, p_w) of zeros added on both sides, and
  ``stride``: an int or a pair (s_h, s_w), as ``nd.Convolution(pad=..., stride=...)``
  and the book's next section. The output is
  ``((h + 2 p_h - k_h) // s_h + 1, (w + 2 p_w - k_w) // s_w + 1)``.
- X may be one example (c_i, h, w) or a batch (n, c_i, h, w); the result has the
  same leading layout.
- dtype float16, float32 and float64 are kept (X and K are promoted to the wider one).
  Lists and integer arrays become float32 where float32 holds their values exactly
  and float64 where it does not, and take a float64 partner's dtype. MXNet's CPU
  kernels have no float16 matrix product, so on a CPU context float16 is computed
  in float32 and rounded to float16 once, at the end.
- Array kind follows X: ``mxnet.numpy`` arrays in, ``mxnet.numpy`` arrays out.
- Differentiable: call it under ``autograd.record()`` with ``attach_grad()`` on X or K.
- NaN and Inf are computed through, as MXNet does.

For the fastest CPU runs, set ``OMP_NUM_THREADS`` to the number of cores before
MXNet is imported: MXNet 1.9.1 otherwise uses half of them.
"""
import ctypes
import math
from typing import Optional

import numpy as np

from . import _checks, _inputs
from ._mxnet import _LIB, NDArrayHandle, c_array, check_call, nd
from ._typing import ArrayLike, Context, IntOrPair, NDArray

__all__ = ["corr2d_multi_in", "corr2d_multi_in_out", "corr2d_multi_in_out_im2col"]


def _view(X, from_shape, to_shape):
    """``X.reshape(to_shape)``: the same C call (a view, recorded by autograd) without
    the Python-side work that costs NDArray.reshape about 30 us, more than the book's
    whole convolution takes in oneDNN. ``from_shape`` is X's shape as the caller knows
    it; the sizes are compared here, in Python ints, as reshape would."""
    if math.prod(from_shape) != math.prod(to_shape):
        raise ValueError("cannot view an array of shape %s as %s" % (from_shape, to_shape))
    handle = NDArrayHandle()
    check_call(_LIB.MXNDArrayReshape64(X.handle, len(to_shape), c_array(ctypes.c_int64, to_shape), False,
                                       ctypes.byref(handle)))
    return nd.NDArray(handle=handle, writable=X.writable)


def _run(compute, args):
    """``compute(args)``, float16 through float32 where MXNet lacks it (CPU), in the
    array kind of the call, once MXNet has computed it (:func:`mxconv._inputs.settled`).

    No ``with ctx:`` is needed: the gate placed X and K on ctx, and MXNet's
    operators put their results where their inputs are."""
    if not _inputs.lacks_float16(args.dtype, args.ctx):
        return _inputs.result(args, _inputs.settled(compute(args)))
    X, K = _inputs.as_float32(args.X, args.K)
    wide = args._replace(X=X, K=K, dtype=np.dtype(np.float32))
    return _inputs.result(args, _inputs.settled(compute(wide).astype(np.float16)))


def _convolution(args):
    """One nd.Convolution; X (c_i, h, w) is viewed as a batch of one and the result back."""
    X, x_shape, k_shape = args.X, args.x_shape, args.k_shape
    single = len(x_shape) == 3
    if single:
        X = _view(X, x_shape, (1,) + x_shape)
    options = {}  # only what differs from nd.Convolution's defaults: each costs a conversion
    if args.padding != (0, 0):
        options["pad"] = args.padding
    if args.stride != (1, 1):
        options["stride"] = args.stride
    if args.groups != 1:
        options["num_group"] = args.groups
    Y = nd.Convolution(X, args.K, kernel=k_shape[2:], num_filter=k_shape[0], no_bias=True, **options)
    if not single:
        return Y
    out_shape = (k_shape[0],) + args.out_hw
    return _view(Y, (1,) + out_shape, out_shape)  # a view rather than Y[0]: autograd records reshape


def _one_output_channel(args):
    """corr2d_multi_in: K (c_i, k_h, k_w) as (1, c_i, k_h, k_w), and the channel axis dropped."""
    k_shape = (1,) + args.k_shape
    Y = _convolution(args._replace(K=_view(args.K, args.k_shape, k_shape), k_shape=k_shape))
    lead = args.x_shape[:1] if len(args.x_shape) == 4 else ()
    return _view(Y, lead + (1,) + args.out_hw, lead + args.out_hw)


def _im2col_dot(args):
    """Unfold every window into a column (nd.im2col), then one nd.dot with the kernel."""
    x_shape, (c_o, c_i, k_h, k_w) = args.x_shape, args.k_shape
    single = len(x_shape) == 3
    n = 1 if single else x_shape[0]
    X = _view(args.X, x_shape, (1,) + x_shape) if single else args.X
    out_h, out_w = args.out_hw
    window, positions = c_i * k_h * k_w, out_h * out_w
    # (n, c_i * k_h * k_w, out_h * out_w): one column per output position
    cols = nd.im2col(X, kernel=(k_h, k_w), stride=args.stride, pad=args.padding)
    W = _view(args.K, args.k_shape, (c_o, window))
    if single:
        return _view(nd.dot(W, _view(cols, (1, window, positions), (window, positions))),
                     (c_o, positions), (c_o, out_h, out_w))
    cols = cols.transpose((1, 0, 2)).reshape((window, n * positions))
    return nd.dot(W, cols).reshape((c_o, n, out_h, out_w)).transpose((1, 0, 2, 3))


def corr2d_multi_in_out(X: ArrayLike, K: ArrayLike, *, padding: IntOrPair = 0, stride: IntOrPair = 1,
                        groups: int = 1, ctx: Optional[Context] = None) -> NDArray:
    """Cross-correlation with multiple input and output channels, as one ``nd.Convolution``.

    Parameters
    ----------
    X : NDArray, mxnet.numpy array, numpy array or nested lists, shape (c_i, h, w) or (n, c_i, h, w)
    K : same kinds, shape (c_o, c_i, k_h, k_w), or (c_o, c_i / groups, k_h, k_w)
    padding : int or (int, int)
        Zeros added on both sides of each spatial axis (default 0).
    stride : int or (int, int)
        Step of the window (default 1).
    groups : int
        Split the channels into this many groups (default 1), as MXNet's ``num_group``
        and PyTorch's ``groups``: output channels ``g * c_o / groups`` onwards see only
        input channels ``g * c_i / groups`` onwards. The kernel is then block-diagonal
        over the channels, ``groups`` times cheaper (today's exercise 7). groups must
        divide c_i and c_o.
    ctx : mx.Context, optional
        Where to compute; default: X's context (the current context for non-NDArray X).

    Returns
    -------
    NDArray of shape (c_o, out_h, out_w), or (n, c_o, out_h, out_w) for a batch, on ``ctx``;
    an mxnet.numpy array where X is one, or where ``npx.set_np()`` is on
    and X is a list or numpy array.

    Raises
    ------
    MxconvError
        Wrong number of axes, channel counts that differ, a kernel larger than the
        padded input, an empty axis, bad padding, stride or groups, a GPU this machine
        lacks, or an error of MXNet's while it computes (raised at the call).

    Examples
    --------
    >>> X = [[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]]
    >>> K = [[[[0, 1], [2, 3]], [[1, 2], [3, 4]]]]
    >>> corr2d_multi_in_out(X, K)
    <BLANKLINE>
    [[[ 56.  72.]
      [104. 120.]]]
    <NDArray 1x2x2 @cpu(0)>
    >>> corr2d_multi_in_out(X, K, padding=1, stride=2).shape
    (1, 2, 2)

    With two groups, each output channel sees one of the two input channels:

    >>> corr2d_multi_in_out(X, [[[[1]]], [[[10]]]], groups=2)[:, 0, 0]
    <BLANKLINE>
    [ 0. 10.]
    <NDArray 2 @cpu(0)>
    """
    with _checks.scope("corr2d_multi_in_out") as call:
        return _run(_convolution, _inputs.conv_args(call, X, K, ctx=ctx, padding=padding, stride=stride,
                                                    groups=groups, batch=True))


def corr2d_multi_in(X: ArrayLike, K: ArrayLike, *, padding: IntOrPair = 0, stride: IntOrPair = 1,
                    ctx: Optional[Context] = None) -> NDArray:
    """Cross-correlation with multiple input channels, summed over them (one output channel).

    Parameters
    ----------
    X : NDArray, mxnet.numpy array, numpy array or nested lists, shape (c_i, h, w) or (n, c_i, h, w)
    K : same kinds, shape (c_i, k_h, k_w)
    padding, stride, ctx
        As :func:`corr2d_multi_in_out`.

    Returns
    -------
    NDArray of shape (out_h, out_w), or (n, out_h, out_w) for a batch, on ``ctx``;
    an mxnet.numpy array where X is one, or where ``npx.set_np()`` is on
    and X is a list or numpy array.

    Raises
    ------
    MxconvError
        As :func:`corr2d_multi_in_out`.

    Examples
    --------
    >>> X = [[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]]
    >>> corr2d_multi_in(X, [[[0, 1], [2, 3]], [[1, 2], [3, 4]]])
    <BLANKLINE>
    [[ 56.  72.]
     [104. 120.]]
    <NDArray 2x2 @cpu(0)>
    """
    with _checks.scope("corr2d_multi_in") as call:
        return _run(_one_output_channel, _inputs.conv_args(call, X, K, ctx=ctx, padding=padding, stride=stride,
                                                           batch=True))


def corr2d_multi_in_out_im2col(X: ArrayLike, K: ArrayLike, *, padding: IntOrPair = 0, stride: IntOrPair = 1,
                               ctx: Optional[Context] = None) -> NDArray:
    """Convolution of any window size as one matrix multiplication (exercise 6 of 2019, 5 of today).

    The 1x1 case of the book (In[6]) generalised: unfold every k_h x k_w window
    of every input channel into a column (``nd.im2col``), then one ``nd.dot`` of
    the kernel, reshaped to (c_o, c_i * k_h * k_w), with those columns.

    Parameters
    ----------
    X, K, padding, stride, ctx
        As :func:`corr2d_multi_in_out`.

    Returns
    -------
    NDArray (or mxnet.numpy array), as :func:`corr2d_multi_in_out`.

    Raises
    ------
    MxconvError
        As :func:`corr2d_multi_in_out`.

    Examples
    --------
    With padding 1 and stride 2, the first window holds one real element of each
    channel (0 and 9), the second four (1, 2, 10, 11):

    >>> import numpy as np
    >>> X = np.arange(18, dtype=np.float32).reshape(2, 3, 3)
    >>> corr2d_multi_in_out_im2col(X, np.ones((1, 2, 2, 2), dtype=np.float32), padding=1, stride=2)
    <BLANKLINE>
    [[[ 9. 24.]
      [36. 84.]]]
    <NDArray 1x2x2 @cpu(0)>
    """
    with _checks.scope("corr2d_multi_in_out_im2col") as call:
        return _run(_im2col_dot, _inputs.conv_args(call, X, K, ctx=ctx, padding=padding, stride=stride, batch=True,
                                                   im2col=True))
