"""Today's exercise 6, computed: cross-correlation strip by strip, delta output columns at a time.

Computes with MXNet (one ``nd.Convolution`` per strip); what the strips read and keep
is modelled in :mod:`mxconv.exercises.strip_model`.
"""
from typing import Optional

from .. import _checks, _inputs
from .._errors import MxconvError
from .._mxnet import nd
from .._typing import ArrayLike, Context, NDArray
from .strip_model import strip_plan

__all__ = ["corr2d_strips", "MAX_STRIPS"]

# corr2d_strips makes one nd.Convolution per strip: more strips than this would run for
# minutes in MXNet's per-call overhead, and are refused (a larger delta makes fewer).
MAX_STRIPS = 4096


def corr2d_strips(X: ArrayLike, K: ArrayLike, delta: int, *, ctx: Optional[Context] = None) -> NDArray:
    """Today's exercise 6: cross-correlation computed strip by strip.

    Scanning across X, each step reads an input strip (k_w + delta - 1) columns wide
    and all k_h rows of the window as it slides down, and computes an output strip
    delta columns wide (:func:`strip_plan`); delta = 1 is the k-wide strip that
    makes one output column at a time. Each strip is one ``nd.Convolution`` of the
    strip with K, so the result equals the direct convolution for every delta.
    :func:`strip_cost` counts what each strip reads.

    Parameters
    ----------
    X : NDArray, mxnet.numpy array, numpy array or nested lists, shape (c_i, h, w)
    K : same kinds, shape (c_o, c_i, k_h, k_w)
    delta : int
        Output columns per strip, 1 to the output width w - k_w + 1.
    ctx : mx.Context, optional

    Returns
    -------
    NDArray of shape (c_o, h - k_h + 1, w - k_w + 1) in the dtype of
    :func:`mxconv.fast.corr2d_multi_in_out`; an mxnet.numpy array where X is one.

    Raises
    ------
    MxconvError
        As :func:`mxconv.fast.corr2d_multi_in_out`, delta outside [1, output width], or
        more than :data:`MAX_STRIPS` strips.

    Examples
    --------
    >>> X = [[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]]
    >>> K = [[[[0, 1], [2, 3]], [[1, 2], [3, 4]]]]
    >>> corr2d_strips(X, K, 1)
    <BLANKLINE>
    [[[ 56.  72.]
      [104. 120.]]]
    <NDArray 1x2x2 @cpu(0)>
    """
    with _checks.scope("corr2d_strips") as call:
        args = _inputs.conv_args(call, X, K, ctx=ctx)
        out_h, out_w = args.out_hw
        delta = _checks.bounded("delta", delta, 1, out_w, "an int (output columns per strip)")
        call.where["delta"] = delta
        strips = -(-out_w // delta)
        if strips > MAX_STRIPS:
            raise MxconvError(
                "delta=%d makes %d strips of an output %d wide, more than the %d this computes one "
                "nd.Convolution each for (exercises.MAX_STRIPS); take delta >= %d"
                % (delta, strips, out_w, MAX_STRIPS, -(-out_w // MAX_STRIPS)))
        A, B = (args.X, args.K) if not _inputs.lacks_float16(args.dtype, args.ctx) else \
            _inputs.as_float32(args.X, args.K)
        c_o, _, k_h, k_w = args.k_shape
        A = A.expand_dims(0)
        pieces = []
        for j, width in strip_plan(out_w, delta):
            strip = nd.slice_axis(A, axis=3, begin=j, end=j + width + k_w - 1)  # (1, c_i, h, width + k_w - 1)
            pieces.append(nd.Convolution(strip, B, kernel=(k_h, k_w), num_filter=c_o, no_bias=True))
        # cast, then take the one example: MXNet cannot cast a view to float16 ("Check failed: !is_view")
        Y = (pieces[0] if len(pieces) == 1 else nd.concat(*pieces, dim=3)).astype(args.dtype, copy=False)[0]
        return _inputs.result(args, _inputs.settled(Y))
