"""Exercise 1 (both editions): two kernels with no nonlinearity between them are one kernel.

Computes with MXNet (``nd.Convolution``).
"""
from typing import Optional

import numpy as np

from .. import _checks, _inputs
from .._mxnet import nd
from .._typing import ArrayLike, Context, NDArray

__all__ = ["compose_kernels", "composition_rank"]


def compose_kernels(K1: ArrayLike, K2: ArrayLike, *, ctx: Optional[Context] = None) -> NDArray:
    """Exercise 1: the one kernel equal to cross-correlating with K1, then with K2.

    With no nonlinearity between them, two cross-correlations compose into one:
    ``corr(corr(X, K1), K2) == corr(X, compose_kernels(K1, K2))`` for every X
    (no padding, stride 1), where

        K[o, c, u, v] = sum over m, r, s of K2[o, m, r, s] * K1[m, c, u - r, v - s].

    Its window is (a_h + b_h - 1) x (a_w + b_w - 1): two 3x3 layers see a 5x5
    window, the reason stacks of small kernels replace large ones. The converse
    holds only with enough middle channels: read as polynomials in x and y, a
    kernel through one middle channel is a product of two polynomials of degree 2,
    and most 5x5 kernels (degree 4) do not factor; through 25 c_i middle channels
    every 5x5 kernel is a composition, since each of its 25 taps x^a y^b is a
    product of two 3x3 taps.

    Parameters
    ----------
    K1 : NDArray, mxnet.numpy array, numpy array or nested lists, shape (c_m, c_i, a_h, a_w)
    K2 : same kinds, shape (c_o, c_m, b_h, b_w)
    ctx : mx.Context, optional

    Returns
    -------
    NDArray of shape (c_o, c_i, a_h + b_h - 1, a_w + b_w - 1), on ``ctx``;
    an mxnet.numpy array where K1 is one, or where ``npx.set_np()`` is on
    and K1 is a list or numpy array.

    Raises
    ------
    MxconvError
        K1 or K2 without 4 axes, an empty axis, or K2's input channels unequal to K1's outputs.

    Examples
    --------
    >>> compose_kernels([[[[1, 2]]]], [[[[1, 1]]]])
    <BLANKLINE>
    [[[[1. 3. 2.]]]]
    <NDArray 1x1x1x3 @cpu(0)>
    """
    with _checks.scope("compose_kernels") as call:
        pair = _inputs.kernel_pair_args(call, K1, K2, ctx=ctx)
        K1, K2 = pair.K1, pair.K2
        if _inputs.lacks_float16(pair.dtype, pair.ctx):  # compute in float32 and round once, as mxconv.fast
            K1, K2 = _inputs.as_float32(K1, K2)
        c_o, _, b_h, b_w = pair.k2_shape
        # K is the *full* convolution of K1 with K2 over the window axes, summed over the
        # middle channels: cross-correlate K1, seen as a batch of c_i examples with c_m
        # channels and padded by the window of K2 less one, with K2 flipped.
        K = nd.Convolution(K1.transpose((1, 0, 2, 3)), nd.flip(K2, axis=(2, 3)), kernel=(b_h, b_w),
                           num_filter=c_o, pad=(b_h - 1, b_w - 1), no_bias=True).transpose((1, 0, 2, 3))
        return _inputs.result(pair, _inputs.settled(K.astype(pair.dtype, copy=False)))


def composition_rank(rng: np.random.Generator, middle: int) -> int:
    """The dimension, near a random pair, of the 5x5 kernels that compose_kernels makes from
    3x3 kernels (one input and output channel) through ``middle`` channels: the rank of
    the composition's Jacobian, which, the composition being bilinear, has the columns
    compose(E, K2) and compose(K1, E) for the unit kernels E."""
    K1, K2 = rng.standard_normal((middle, 1, 3, 3)), rng.standard_normal((1, middle, 3, 3))
    columns = []
    for which, shape in ((0, K1.shape), (1, K2.shape)):
        for index in np.ndindex(*shape):
            unit = np.zeros(shape)
            unit[index] = 1.0
            pair = (unit, K2) if which == 0 else (K1, unit)
            columns.append(compose_kernels(*pair).asnumpy().ravel())
    return int(np.linalg.matrix_rank(np.array(columns), tol=1e-9))
