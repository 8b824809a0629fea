"""The section's six exercises, made computable.

1. Two stacked convolutions without a nonlinearity are one convolution:
   :func:`compose_kernels` computes the single kernel.
2-4. Cost of a convolution, forward and backward, in operations and memory:
   :func:`conv_cost`, whose ratios answer the doubling questions (3) and the 1x1
   question (4).
5. Are Y1 and Y2 of In[7] exactly equal? :func:`one_by_one_exactness` measures it.
6. Convolution of any window as one matrix multiplication:
   :func:`mxconv.fast.corr2d_multi_in_out_im2col`.

``examples/exercises.py`` walks through all six with the computed answers.
"""
import warnings
from dataclasses import dataclass
from typing import Iterable, Optional, Tuple

import numpy as np

from . import _inputs, fast, reference
from ._errors import SlowReferenceWarning
from ._mxnet import nd
from ._typing import ArrayLike, Context, IntOrPair, NDArray

__all__ = ["compose_kernels", "conv_cost", "ConvCost", "one_by_one_exactness", "Exactness", "im2col"]

# one_by_one_exactness takes at most this many seeds.
MAX_SEEDS = 10000

# Exercise 6 is the fast path's im2col.
im2col = fast.corr2d_multi_in_out_im2col


def compose_kernels(K1: ArrayLike, K2: ArrayLike, ctx: Optional[Context] = None) -> NDArray:
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
    K1, K2, ctx, np_out = _inputs.kernel_pair_args(K1, K2, ctx)
    dtype = K1.dtype
    if dtype == np.float16 and ctx.device_type != "gpu":
        # MXNet's CPU kernels have no float16 matrix product: compute in float32 and round once,
        # as mxconv.fast does.
        K1, K2 = K1.astype(np.float32), K2.astype(np.float32)
    c_o, _, b_h, b_w = K2.shape
    # K is the *full* convolution of K1 with K2 over the window axes, summed over the
    # middle channels: cross-correlate K1, seen as a batch of c_i examples with c_m
    # channels and padded by the window of K2 less one, with K2 flipped.
    K = nd.Convolution(K1.transpose((1, 0, 2, 3)), nd.flip(K2, axis=(2, 3)), kernel=(b_h, b_w),
                       num_filter=c_o, pad=(b_h - 1, b_w - 1), no_bias=True).transpose((1, 0, 2, 3))
    K = K.astype(dtype, copy=False)
    return K.as_np_ndarray() if np_out else K


@dataclass(frozen=True)
class ConvCost:
    """What one convolution costs: operations and memory (see :func:`conv_cost`)."""

    output_shape: Tuple[int, int, int]
    forward_mults: int
    forward_adds: int
    backward_input_mults: int
    backward_input_adds: int
    backward_kernel_mults: int
    backward_kernel_adds: int
    itemsize: int
    input_elements: int
    kernel_elements: int
    output_elements: int

    @property
    def backward_mults(self) -> int:
        """Multiplications of both gradients, input and kernel."""
        return self.backward_input_mults + self.backward_kernel_mults

    @property
    def backward_adds(self) -> int:
        """Additions of both gradients, input and kernel."""
        return self.backward_input_adds + self.backward_kernel_adds

    @property
    def forward_elements(self) -> int:
        """Elements the forward pass holds: input, kernel and output."""
        return self.input_elements + self.kernel_elements + self.output_elements

    @property
    def backward_extra_elements(self) -> int:
        """Elements the backward pass adds: the output's gradient, then the input's and
        the kernel's (it keeps the input and kernel of the forward pass to compute them)."""
        return self.output_elements + self.input_elements + self.kernel_elements

    @property
    def forward_bytes(self) -> int:
        return self.forward_elements * self.itemsize

    @property
    def backward_extra_bytes(self) -> int:
        return self.backward_extra_elements * self.itemsize


def _sum_clamped(start, step, count, cap):
    """``sum(min(max(start + i * step, 0), cap) for i in range(count))`` in O(1), step >= 1."""
    first = 0 if start > 0 else min(count, -start // step + 1)  # the first positive term
    full = min(count, max(first, -((start - cap) // step)))  # the first term >= cap
    n = full - first
    return n * start + step * (first + full - 1) * n // 2 + (count - full) * cap


def _axis_taps(size, padding, k, stride, out):
    """Along one axis: how many (output i, kernel a) pairs land on a real (unpadded)
    input position, and how many real positions at least one pair reaches.

    Every pair lands at i * stride + a in the padded axis; those in the padding on
    either side are counted by arithmetic series and taken away.
    """
    left = _sum_clamped(padding - (out - 1) * stride, stride, out, k)
    right = _sum_clamped(k - padding - size, stride, out, k)
    pairs = out * k - left - right
    if stride >= k:  # windows do not overlap: each position is reached at most once
        return pairs, pairs
    last = (out - 1) * stride + k - 1  # windows overlap: they cover [0, last] without gaps
    return pairs, max(0, min(last, padding + size - 1) - padding + 1)


def conv_cost(c_i: int, h: int, w: int, c_o: int, k_h: int, k_w: int, padding: IntOrPair = 0,
              stride: IntOrPair = 1, dtype: object = "float32") -> ConvCost:
    """Exercises 2 to 4: operations and memory of one convolution, forward and backward.

    Counting conventions (each checked by a test against a plain loop that counts):

    - A sum of n products costs n multiplications and n - 1 additions; no bias.
    - Forward: every output element sums c_i * k_h * k_w products, the padded
      zeros included (a dense convolution multiplies them too).
    - Backward, kernel: dK[o, c, a, b] sums out_h * out_w products of the output's
      gradient with the (padded) input.
    - Backward, input: dX at each real (unpadded) position sums the products of
      dY and K of every output window that covers it; gradients that would land
      on padding are not computed. With stride > kernel, some inputs get none.
    - Memory in elements and bytes: the forward pass holds input, kernel and output;
      the backward pass keeps input and kernel and adds dY, dX and dK.

    Parameters
    ----------
    c_i, h, w : int
        Input channels, height and width.
    c_o, k_h, k_w : int
        Output channels and kernel height and width.
    padding, stride : int or (int, int)
        As :func:`mxconv.fast.corr2d_multi_in_out`.
    dtype : str or numpy dtype
        float16, float32 or float64: sets the bytes per element.

    Returns
    -------
    ConvCost

    Raises
    ------
    MxconvError
        A size below 1, bad padding or stride, a kernel larger than the padded input,
        or a dtype mxconv does not compute in.

    Examples
    --------
    >>> cost = conv_cost(2, 3, 3, 3, 2, 2)       # the section's In[5]
    >>> cost.output_shape, cost.forward_mults, cost.forward_adds
    ((3, 2, 2), 96, 84)
    >>> conv_cost(4, 3, 3, 6, 2, 2).forward_mults / cost.forward_mults  # exercise 3: doubling c_i and c_o
    4.0
    """
    with _inputs.boundary("conv_cost"):
        c_i, h, w, c_o, k_h, k_w = (_inputs.dimension(name, value) for name, value in zip(
            ("c_i", "h", "w", "c_o", "k_h", "k_w"), (c_i, h, w, c_o, k_h, k_w)))
        (p_h, p_w), (s_h, s_w) = _inputs.pair("padding", padding, 0), _inputs.pair("stride", stride, 1)
        _inputs.check_conv_shapes("corr2d_multi_in_out", (c_i, h, w), (c_o, c_i, k_h, k_w), (p_h, p_w))
        itemsize = _inputs.float_dtype("dtype", dtype).itemsize
    out_h, out_w = _inputs.output_hw((h, w), (k_h, k_w), (p_h, p_w), (s_h, s_w))
    window, positions = c_i * k_h * k_w, out_h * out_w
    # The gradient of each real input position sums c_o * rows(y) * cols(x) terms.
    rows, reached_rows = _axis_taps(h, p_h, k_h, s_h, out_h)
    cols, reached_cols = _axis_taps(w, p_w, k_w, s_w, out_w)
    return ConvCost(
        output_shape=(c_o, out_h, out_w),
        forward_mults=c_o * positions * window,
        forward_adds=c_o * positions * (window - 1),
        backward_input_mults=c_i * c_o * rows * cols,
        backward_input_adds=c_i * (c_o * rows * cols - reached_rows * reached_cols),
        backward_kernel_mults=c_o * window * positions,
        backward_kernel_adds=c_o * window * (positions - 1),
        itemsize=itemsize,
        input_elements=c_i * h * w,
        kernel_elements=c_o * window,
        output_elements=c_o * positions,
    )


@dataclass(frozen=True)
class Exactness:
    """Exercise 5's answer, measured over seeds."""

    seeds: int
    bit_identical: int  # seeds whose whole Y1 equals Y2 bit for bit
    elements: int
    elements_identical: int  # output elements equal bit for bit, over all seeds
    max_abs_difference: float
    max_norm: float  # the largest (Y1 - Y2).norm(), which In[7] compares with 1e-6

    @property
    def fraction_identical(self) -> float:
        """The fraction of seeds whose Y1 and Y2 are bit-identical."""
        return self.bit_identical / self.seeds

    @property
    def fraction_elements_identical(self) -> float:
        """The fraction of output elements that are bit-identical."""
        return self.elements_identical / self.elements


def one_by_one_exactness(seeds: Iterable[int] = range(100), shape: Tuple[int, int, int] = (3, 3, 3), c_o: int = 2,
                         ctx: Optional[Context] = None) -> Exactness:
    """Exercise 5: are Y1 (In[6], one ``nd.dot``) and Y2 (In[3], ``d2l.corr2d``) of
    In[7] exactly equal?

    Mathematically yes; in float32 not always. Both sum the same c_i products
    per output, but in different orders and roundings: Y2 rounds each product,
    then adds channel after channel (``nd.add_n``); Y1's matrix product
    (OpenBLAS or oneDNN sgemm) blocks and vectorises the sum and may fuse
    multiply and add (FMA, one rounding). Float addition is not associative, so
    the last bit can differ. This is why the book checks ``norm() < 1e-6``.

    Parameters
    ----------
    seeds : iterable of int in [0, 2**32)
        One case per seed (at most :data:`MAX_SEEDS`): X and K drawn uniform on
        [0, 1), as In[7]'s ``nd.random.uniform`` draws them, from
        ``numpy.random.default_rng(seed)``. MXNet's global ``mx.random`` is left alone.
    shape : (c_i, h, w)
        X's shape (In[7]: (3, 3, 3)).
    c_o : int
        Output channels (In[7]: 2).
    ctx : mx.Context, optional

    Returns
    -------
    Exactness
        How many seeds gave bit-identical Y1 and Y2, how many output elements
        were, the largest absolute difference and the largest ``(Y1 - Y2).norm()``.

    Raises
    ------
    MxconvError
        No seeds or more than :data:`MAX_SEEDS`, a seed outside [0, 2**32), a shape
        that is not three ints >= 1, or c_o < 1.
    """
    with _inputs.boundary("one_by_one_exactness") as where:
        seeds = _inputs.seeds("seeds", seeds, MAX_SEEDS)
        c_i, h, w = _inputs.dimensions("shape", shape, ("c_i", "h", "w"))
        c_o = _inputs.dimension("c_o", c_o)
        where["shape"], where["c_o"] = (c_i, h, w), c_o
        _inputs.check_sizes([("X", (c_i, h, w)), ("K", (c_o, c_i, 1, 1)), ("the output", (c_o, h, w))],
                            np.dtype(np.float32))
        ctx = _inputs.resolve_ctx(ctx)
    seconds = len(seeds) * reference.estimated_seconds("corr2d_multi_in_out", (c_i, h, w), (c_o, c_i, 1, 1))
    if seconds > reference.WARN_SECONDS:
        warnings.warn("one_by_one_exactness: %d seeds of the book's path will take about %.0f s here"
                      % (len(seeds), seconds), SlowReferenceWarning, stacklevel=2)
    identical, elements, same, max_diff, max_norm = 0, 0, 0, 0.0, 0.0
    for s in seeds:
        rng = np.random.default_rng(s)
        X = rng.random((c_i, h, w), dtype=np.float32)
        K = rng.random((c_o, c_i, 1, 1), dtype=np.float32)
        Y1 = reference.corr2d_multi_in_out_1x1(X, K, ctx=ctx).asnumpy()
        Y2 = reference.corr2d_multi_in_out(X, K, ctx=ctx, warn_slow=False).asnumpy()
        identical += bool(np.array_equal(Y1, Y2))
        elements += Y1.size
        same += int((Y1 == Y2).sum())
        max_diff = max(max_diff, float(np.abs(Y1 - Y2).max()))
        max_norm = max(max_norm, float(np.linalg.norm(Y1 - Y2)))
    return Exactness(len(seeds), identical, elements, same, max_diff, max_norm)
