"""The section's exercises made computable, by the numbers of either edition of the book.

The 2019 ``nd`` edition has six exercises, the book as published today seven; one
table, :data:`EXERCISES`, maps each edition's numbers to the answers here, and
``python -m mxconv exercises --edition nd|np`` prints each answer, computed, under
its book's number (:func:`exercise_answers`).

========================================  ======  =====  ==========================================
question                                  2019    today  answer
========================================  ======  =====  ==========================================
two kernels compose into one              1       1      :func:`compose_kernels`
cost, memory, backward; padding, stride   2       2      :func:`conv_cost`
doubling c_i and c_o; doubling padding    3       3      :func:`conv_cost` ratios
the 1x1 cost                              4       --     :func:`conv_cost` with k_h = k_w = 1
are Y1 and Y2 exactly the same?           5       4      :func:`one_by_one_exactness` (per edition)
convolution as a matrix product           6       5      :func:`mxconv.fast.corr2d_multi_in_out_im2col`
k + delta wide strips                     --      6      :func:`corr2d_strips`, :func:`strip_cost`
block-diagonal channels (b blocks)        --      7      ``groups=`` of :func:`conv_cost` and
                                                         :func:`mxconv.fast.corr2d_multi_in_out`,
                                                         :func:`channel_dependence`
========================================  ======  =====  ==========================================

:func:`conv_cost` and :func:`strip_cost` are integer arithmetic and need no MXNet:
``from mxconv.exercises import conv_cost`` works on any Python with numpy. The
other answers compute with MXNet, imported when first used.
"""
import os
import warnings
from dataclasses import dataclass
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

import numpy as np

from . import _checks
from ._errors import MxconvError, SlowReferenceWarning
from ._typing import ArrayLike, Context, IntOrPair, NDArray

__all__ = ["compose_kernels", "conv_cost", "ConvCost", "one_by_one_exactness", "Exactness", "im2col",
           "corr2d_strips", "strip_cost", "StripCost", "strip_plan", "cache_sizes", "largest_delta",
           "channel_dependence", "channel_shuffle", "EXERCISES", "exercise_answers"]

# one_by_one_exactness takes at most this many seeds.
MAX_SEEDS = 10000
# corr2d_strips makes one nd.Convolution per strip: more strips than this would run for
# minutes in MXNet's per-call overhead, and are refused (a larger delta makes fewer).
MAX_STRIPS = 4096

_COMPOSE = "two kernels without a nonlinearity between them are one kernel; its size; the converse"
_COST = "cost, memory and backward cost of a convolution with padding and stride"
_DOUBLING = "doubling c_i and c_o; doubling the padding"
_EXACT = "are Y1 and Y2 of the last example exactly the same? why?"
_IM2COL = "convolution as a matrix multiplication for any window"
#: Each edition's exercises, by the book's number: (number, the question in short, the key of
#: its answer in :func:`exercise_answers`). The one place that maps the two numberings.
EXERCISES: Dict[str, Tuple[Tuple[int, str, str], ...]] = {
    "nd": (
        (1, _COMPOSE, "compose_kernels"),
        (2, _COST, "conv_cost"),
        (3, _DOUBLING, "doubling"),
        (4, "the forward cost of a 1x1 convolution", "one_by_one_cost"),
        (5, _EXACT, "one_by_one_exactness"),
        (6, _IM2COL, "im2col"),
    ),
    "np": (
        (1, _COMPOSE, "compose_kernels"),
        (2, _COST, "conv_cost"),
        (3, _DOUBLING, "doubling"),
        (4, _EXACT, "one_by_one_exactness"),
        (5, _IM2COL, "im2col"),
        (6, "k-wide strips against (k + delta)-wide strips; a limit to delta?", "strips"),
        (7, "a c x c matrix in b diagonal blocks: speed-up, downside, fix", "blocks"),
    ),
}
EDITIONS = tuple(EXERCISES)


def __getattr__(name: str) -> Any:
    # PEP 562: exercise 6 (2019) / 5 (today) is the fast path's im2col, which needs MXNet.
    if name == "im2col":
        from . import fast

        return fast.corr2d_multi_in_out_im2col
    raise AttributeError("module 'mxconv.exercises' has no attribute %r" % (name,))


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
    from . import _inputs
    from ._mxnet import nd

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


def conv_cost(c_i: int, h: int, w: int, c_o: int, k_h: int, k_w: int, *, padding: IntOrPair = 0,
              stride: IntOrPair = 1, groups: int = 1, dtype: object = "float32") -> ConvCost:
    """Exercises 2 to 4 (2019) / 2, 3 and 7 (today): operations and memory of one
    convolution, forward and backward.

    Counting conventions (each checked by a test against a plain loop that counts):

    - A sum of n products costs n multiplications and n - 1 additions; no bias.
    - Forward: every output element sums (c_i / groups) * k_h * k_w products, the
      padded zeros included (a dense convolution multiplies them too).
    - Backward, kernel: dK[o, c, a, b] sums out_h * out_w products of the output's
      gradient with the (padded) input.
    - Backward, input: dX at each real (unpadded) position sums the products of
      dY and K of every output window of its group that covers it; gradients that
      would land on padding are not computed. With stride > kernel, some inputs get none.
    - Memory in elements and bytes: the forward pass holds input, kernel and output;
      the backward pass keeps input and kernel and adds dY, dX and dK.
    - ``groups = b`` splits the channels into b blocks (a block-diagonal kernel over
      the channels): every count of products is b times smaller, and so is the kernel.

    Needs no MXNet.

    Parameters
    ----------
    c_i, h, w : int
        Input channels, height and width.
    c_o, k_h, k_w : int
        Output channels and kernel height and width.
    padding, stride : int or (int, int)
        As :func:`mxconv.fast.corr2d_multi_in_out`.
    groups : int
        Channel groups, dividing c_i and c_o (default 1: a dense convolution).
    dtype : str or numpy dtype
        float16, float32 or float64: sets the bytes per element.

    Returns
    -------
    ConvCost

    Raises
    ------
    MxconvError
        A size below 1, bad padding, stride or groups, a kernel larger than the padded
        input, or a dtype mxconv does not compute in.

    Examples
    --------
    >>> cost = conv_cost(2, 3, 3, 3, 2, 2)       # the section's In[5]
    >>> cost.output_shape, cost.forward_mults, cost.forward_adds
    ((3, 2, 2), 96, 84)
    >>> conv_cost(4, 3, 3, 6, 2, 2).forward_mults / cost.forward_mults  # doubling c_i and c_o
    4.0
    >>> conv_cost(64, 8, 8, 64, 1, 1).forward_mults // conv_cost(64, 8, 8, 64, 1, 1, groups=4).forward_mults
    4
    """
    with _checks.scope("conv_cost") as call:
        c_i, h, w, c_o, k_h, k_w = _checks.conv_dimensions(c_i, h, w, c_o, k_h, k_w)
        (p_h, p_w), (s_h, s_w) = _checks.pair("padding", padding, 0), _checks.pair("stride", stride, 1)
        g = _checks.bounded("groups", groups, 1, _checks.INT32_MAX)
        call.where["groups"] = g if g != 1 else None
        _checks.check_groups(g, c_i, c_o)
        _checks.check_conv_shapes("corr2d_multi_in_out", (c_i, h, w), (c_o, c_i // g, k_h, k_w), (p_h, p_w),
                                  groups=g)
        itemsize = _checks.float_dtype("dtype", dtype).itemsize
    out_h, out_w = _checks.output_hw((h, w), (k_h, k_w), (p_h, p_w), (s_h, s_w))
    window, positions = (c_i // g) * k_h * k_w, out_h * out_w
    # The gradient of each real input position sums (c_o / g) * rows(y) * cols(x) terms.
    rows, reached_rows = _axis_taps(h, p_h, k_h, s_h, out_h)
    cols, reached_cols = _axis_taps(w, p_w, k_w, s_w, out_w)
    c_o_group = c_o // g
    return ConvCost(
        output_shape=(c_o, out_h, out_w),
        forward_mults=c_o * positions * window,
        forward_adds=c_o * positions * (window - 1),
        backward_input_mults=c_i * c_o_group * rows * cols,
        backward_input_adds=c_i * (c_o_group * rows * cols - reached_rows * reached_cols),
        backward_kernel_mults=c_o * window * positions,
        backward_kernel_adds=c_o * window * (positions - 1),
        itemsize=itemsize,
        input_elements=c_i * h * w,
        kernel_elements=c_o * window,
        output_elements=c_o * positions,
    )


@dataclass(frozen=True)
class Exactness:
    """The answer to "are Y1 and Y2 exactly the same?" (2019's exercise 5, today's 4),
    measured over seeds for one edition's code."""

    edition: str
    seeds: int
    bit_identical: int  # seeds whose whole Y1 equals Y2 bit for bit
    elements: int
    elements_identical: int  # output elements equal bit for bit, over all seeds
    max_abs_difference: float
    max_norm: float  # the largest (Y1 - Y2).norm(), which 2019's In[7] compares with 1e-6
    max_abs_sum: float  # the largest sum of |Y1 - Y2|, which today's last cell asserts < 1e-6
    check_failures: int  # seeds on which the edition's own check (norm, or sum, < 1e-6) fails

    @property
    def fraction_identical(self) -> float:
        """The fraction of seeds whose Y1 and Y2 are bit-identical."""
        return self.bit_identical / self.seeds

    @property
    def fraction_elements_identical(self) -> float:
        """The fraction of output elements that are bit-identical."""
        return self.elements_identical / self.elements


def one_by_one_exactness(seeds: Iterable[int] = range(100), *, edition: str = "nd",
                         shape: Tuple[int, int, int] = (3, 3, 3), c_o: int = 2,
                         ctx: Optional[Context] = None) -> Exactness:
    """Are Y1 (the 1x1 function, one matrix product) and Y2 (the general function,
    on ``d2l.corr2d``) of the section's last example exactly equal? (2019's exercise
    5, today's 4.)

    Mathematically yes; in float32 it depends on the order of the sums. Both sum the
    same c_i products per output. 2019's Y2 rounds each product into ``d2l.corr2d``'s
    float32 zeros, then adds the channels with ``nd.add_n``, whose kernel groups the
    terms its own way; today's Y2 adds them with Python's ``sum``, from 0, left to
    right. Y1's matrix product (``nd.dot`` or ``np.dot``; OpenBLAS or oneDNN sgemm)
    accumulates the c_i products of a dot product in order, and may fuse multiply and
    add (FMA, one rounding). Float addition is not associative, so where the two
    orders differ the last bit can. This function measures how often they do.

    Parameters
    ----------
    seeds : iterable of int in [0, 2**32)
        One case per seed (at most :data:`MAX_SEEDS`), drawn from
        ``numpy.random.default_rng(seed)`` as the edition's last cell draws them:
        uniform on [0, 1) (2019's ``nd.random.uniform``), or standard normal (today's
        ``d2l.normal(0, 1, ...)``). MXNet's global ``mx.random`` is left alone.
    edition : "nd" or "np"
        Whose code: the 2019 edition's on NDArrays, or today's on mxnet.numpy arrays.
    shape : (c_i, h, w)
        X's shape (the book's: (3, 3, 3)).
    c_o : int
        Output channels (the book's: 2).
    ctx : mx.Context, optional

    Returns
    -------
    Exactness

    Raises
    ------
    MxconvError
        No seeds or more than :data:`MAX_SEEDS`, a seed outside [0, 2**32), a shape
        that is not three ints >= 1, c_o < 1, an unknown edition, or an edition whose
        d2l is not installed.
    """
    from . import _inputs, reference
    from ._mxnet import mx

    with _checks.scope("one_by_one_exactness") as call:
        seeds = _checks.seeds("seeds", seeds, MAX_SEEDS)
        edition = _checks.one_of("edition", edition, EDITIONS)
        c_i, h, w = _checks.dimensions("shape", shape, ("c_i", "h", "w"))
        c_o = _checks.dimension("c_o", c_o)
        call.where["shape"], call.where["c_o"] = (c_i, h, w), c_o
        _checks.check_sizes([("X", (c_i, h, w)), ("K", (c_o, c_i, 1, 1)), ("the output", (c_o, h, w))],
                            np.dtype(np.float32))
        ctx = _inputs.resolve_ctx(ctx)
    seconds = len(seeds) * reference.estimated_seconds((c_i, h, w), (c_o, c_i, 1, 1))
    if seconds > reference.WARN_SECONDS:
        warnings.warn("one_by_one_exactness: %d seeds of the book's path will take about %.0f s here"
                      % (len(seeds), seconds), SlowReferenceWarning, stacklevel=2)
    array = mx.np.array if edition == "np" else mx.nd.array
    identical, elements, same, max_diff, max_norm, max_sum, failures = 0, 0, 0, 0.0, 0.0, 0.0, 0
    for s in seeds:
        rng = np.random.default_rng(s)
        if edition == "np":
            X = rng.standard_normal((c_i, h, w), dtype=np.float32)
            K = rng.standard_normal((c_o, c_i, 1, 1), dtype=np.float32)
        else:
            X = rng.random((c_i, h, w), dtype=np.float32)
            K = rng.random((c_o, c_i, 1, 1), dtype=np.float32)
        X_, K_ = array(X, ctx=ctx), array(K, ctx=ctx)
        Y1 = reference.corr2d_multi_in_out_1x1(X_, K_).asnumpy()
        Y2 = reference.corr2d_multi_in_out(X_, K_, warn_slow=False).asnumpy()
        identical += bool(np.array_equal(Y1, Y2))
        elements += Y1.size
        same += int((Y1 == Y2).sum())
        difference = Y1 - Y2  # float32, as the book's own check computes it
        max_diff = max(max_diff, float(np.abs(difference).max()))
        norm, total = float(np.linalg.norm(difference)), float(np.abs(difference).sum(dtype=np.float32))
        max_norm, max_sum = max(max_norm, norm), max(max_sum, total)
        failures += not ((norm if edition == "nd" else total) < 1e-6)
    return Exactness(edition, len(seeds), identical, elements, same, max_diff, max_norm, max_sum, failures)


# -- today's exercise 6: k + delta wide strips -------------------------------------------


def strip_plan(out_w: int, delta: int) -> Iterator[Tuple[int, int]]:
    """The output strips of :func:`corr2d_strips`, left to right, one at a time: (first
    column, width); each is ``delta`` wide but the last, which takes what is left.

    >>> list(strip_plan(7, 3))
    [(0, 3), (3, 3), (6, 1)]
    """
    with _checks.scope("strip_plan"):
        out_w = _checks.bounded("out_w", out_w, 1, _checks.INT32_MAX)
        delta = _checks.bounded("delta", delta, 1, out_w, "an int (output columns per strip)")
    return ((j, min(delta, out_w - j)) for j in range(0, out_w, delta))


def _strip_widths(out_w: int, delta: int) -> List[Tuple[int, int]]:
    """:func:`strip_plan`'s widths, counted: [(width, how many strips have it)]."""
    full, rest = divmod(out_w, delta)
    return [(delta, full)] + ([(rest, 1)] if rest else [])


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
    from . import _inputs
    from ._mxnet import nd

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
        Y = (pieces[0] if len(pieces) == 1 else nd.concat(*pieces, dim=3))[0].astype(args.dtype, copy=False)
        return _inputs.result(args, _inputs.settled(Y))


@dataclass(frozen=True)
class StripCost:
    """What :func:`corr2d_strips` reads, under two models of fast memory (see :func:`strip_cost`)."""

    delta: int
    strips: int
    positions: int  # c_i * out_h * out_w: output positions times input channels
    reads_no_reuse: int  # input elements read, each output row of a strip reading its whole window
    reads_rows_kept: int  # input elements read, a strip keeping its k_h rows as it slides down
    strip_elements: int  # c_i * k_h * (k_w + delta - 1): what one strip holds in fast memory

    @property
    def reads_per_output_no_reuse(self) -> float:
        """Input elements read per output position and input channel: about k_h (k_w + delta - 1) / delta."""
        return self.reads_no_reuse / self.positions

    @property
    def reads_per_output_rows_kept(self) -> float:
        """The same with the rows kept: about (k_w + delta - 1) / delta, for tall inputs."""
        return self.reads_rows_kept / self.positions


def strip_cost(c_i: int, h: int, w: int, c_o: int, k_h: int, k_w: int, delta: int) -> StripCost:
    """Today's exercise 6: the input elements :func:`corr2d_strips` reads, per model.

    The reading model (stated, not measured): reading an input element from slow
    memory costs one read; what is in fast memory is free. A strip covers
    k_w + delta - 1 input columns and makes delta output columns.

    - *No reuse*: each output row of a strip reads its whole window again,
      k_h (k_w + delta - 1) elements per channel for delta outputs: about
      k_h (k_w + delta - 1) / delta reads per output and channel.
    - *Rows kept*: as the strip slides down, it keeps the k_h rows it holds and
      reads one new row per output row: (k_h + out_h - 1)(k_w + delta - 1) per
      channel and strip, about (k_w + delta - 1) / delta per output for tall inputs.

    Both fall as delta grows (delta = 1 reads every input k_w times across); the
    limit is the output width, and the strip, c_i k_h (k_w + delta - 1) values, must
    fit in fast memory (:func:`largest_delta`). Needs no MXNet.

    Returns
    -------
    StripCost (exact totals over every strip of :func:`strip_plan`, the last,
    narrower one included).

    Examples
    --------
    >>> cost = strip_cost(1, 34, 34, 1, 3, 3, 4)
    >>> round(cost.reads_per_output_no_reuse, 3), round(cost.reads_per_output_rows_kept, 3)
    (4.5, 1.594)
    """
    with _checks.scope("strip_cost"):
        c_i, h, w, c_o, k_h, k_w = _checks.conv_dimensions(c_i, h, w, c_o, k_h, k_w)
        _checks.check_conv_shapes("corr2d_strips", (c_i, h, w), (c_o, c_i, k_h, k_w))
        out_h, out_w = _checks.output_hw((h, w), (k_h, k_w))
        delta = _checks.bounded("delta", delta, 1, out_w, "an int (output columns per strip)")
    widths = _strip_widths(out_w, delta)  # the plan's strips, counted in O(1)
    no_reuse = sum(n * out_h * k_h * (width + k_w - 1) for width, n in widths) * c_i
    rows_kept = sum(n * (k_h + out_h - 1) * (width + k_w - 1) for width, n in widths) * c_i
    strips = sum(n for _, n in widths)
    return StripCost(delta, strips, c_i * out_h * out_w, no_reuse, rows_kept, c_i * k_h * (k_w + delta - 1))


def cache_sizes() -> Dict[str, int]:
    """This machine's data cache sizes in bytes, where the OS tells them: ``{'L1d': ..., 'L2': ...}``
    (Linux's /sys/devices/system/cpu/cpu0/cache; ``os.sysconf`` elsewhere); empty where unknown."""
    sizes: Dict[str, int] = {}
    root = "/sys/devices/system/cpu/cpu0/cache"
    try:
        entries = sorted(os.listdir(root))
    except OSError:
        entries = []
    for entry in entries:
        try:
            with open(os.path.join(root, entry, "level")) as f:
                level = f.read().strip()
            with open(os.path.join(root, entry, "type")) as f:
                kind = f.read().strip()
            with open(os.path.join(root, entry, "size")) as f:
                text = f.read().strip()
        except OSError:
            continue
        if kind == "Instruction":
            continue
        scale = {"K": 2**10, "M": 2**20, "G": 2**30}.get(text[-1:], 1)
        digits = text.rstrip("KMG")
        if digits.isdigit():
            sizes["L%s%s" % (level, "d" if kind == "Data" else "")] = int(digits) * scale
    for name, key in (("L1d", "SC_LEVEL1_DCACHE_SIZE"), ("L2", "SC_LEVEL2_CACHE_SIZE")):
        if name not in sizes and key in getattr(os, "sysconf_names", {}):
            try:
                value = os.sysconf(key)
            except (OSError, ValueError):
                continue
            if value > 0:
                sizes[name] = value
    return sizes


def largest_delta(cache_bytes: int, c_i: int, k_h: int, k_w: int, out_w: int, itemsize: int = 4) -> int:
    """The largest delta whose strip, c_i k_h (k_w + delta - 1) values of ``itemsize``
    bytes, fits in ``cache_bytes``, and at most ``out_w``; 0 where not even delta = 1 fits.

    >>> largest_delta(48 * 1024, 64, 3, 3, 56)     # a 48 KiB L1d, 64 channels, 3x3, float32
    56
    >>> largest_delta(48 * 1024, 256, 3, 3, 56)
    14
    """
    with _checks.scope("largest_delta"):
        cache_bytes, c_i, k_h, k_w, out_w, itemsize = (_checks.dimension(name, value) for name, value in zip(
            ("cache_bytes", "c_i", "k_h", "k_w", "out_w", "itemsize"), (cache_bytes, c_i, k_h, k_w, out_w, itemsize)))
    fits = cache_bytes // (c_i * k_h * itemsize) - k_w + 1
    return max(0, min(out_w, fits))


# -- today's exercise 7: block-diagonal channels -----------------------------------------


def channel_shuffle(c: int, groups: int) -> List[int]:
    """The permutation of ShuffleNet's channel shuffle: channel ``j`` of the result is
    channel ``order[j]`` of the input, taking one channel from each group in turn."""
    with _checks.scope("channel_shuffle"):
        c, groups = _channels_in_groups(c, groups)
    size = c // groups
    return [g * size + i for i in range(size) for g in range(groups)]


def _channels_in_groups(c: object, groups: object) -> Tuple[int, int]:
    """c channels (1 to 1024) in ``groups`` groups that divide them, checked."""
    c = _checks.bounded("c", c, 1, 1024, "an int (channels)")
    groups = _checks.bounded("groups", groups, 1, _checks.INT32_MAX, "an int (blocks)")
    _checks.check_groups(groups, c, c)
    return c, groups


def channel_dependence(c: int, groups: int, *, layers: int = 1, shuffle: bool = False) -> np.ndarray:
    """Today's exercise 7: which input channels each output channel depends on, computed.

    Runs ``layers`` grouped 1x1 convolutions of c channels in ``groups`` groups
    (:func:`mxconv.fast.corr2d_multi_in_out` with ``groups=``, kernels of ones) on
    inputs that each set one channel, with ShuffleNet's channel shuffle
    (:func:`channel_shuffle`) between layers if ``shuffle``. One grouped layer is
    block-diagonal: each output sees only c / groups inputs, the downside of b blocks;
    stacking grouped layers without a shuffle keeps the blocks apart; with a shuffle
    between two layers, every output depends on every input (for groups**2 <= c).

    Returns
    -------
    numpy bool array (c, c): ``[o, i]`` is True where output channel o depends on input channel i.

    Examples
    --------
    >>> channel_dependence(4, 2).astype(int)
    array([[1, 1, 0, 0],
           [1, 1, 0, 0],
           [0, 0, 1, 1],
           [0, 0, 1, 1]])
    >>> bool(channel_dependence(4, 2, layers=2, shuffle=True).all())
    True
    """
    from . import fast

    with _checks.scope("channel_dependence"):
        c, groups = _channels_in_groups(c, groups)
        layers = _checks.bounded("layers", layers, 1, 16, "an int")
    X = np.eye(c, dtype=np.float32).reshape(c, c, 1, 1)  # example i sets channel i
    K = np.ones((c, c // groups, 1, 1), dtype=np.float32)
    order = channel_shuffle(c, groups)
    Y = X
    for layer in range(layers):
        if layer and shuffle:
            Y = Y[:, order]
        Y = fast.corr2d_multi_in_out(Y, K, groups=groups).asnumpy()
    return (Y[:, :, 0, 0] != 0).T


# -- every answer, computed, under its book's number --------------------------------------


def exercise_answers(edition: str = "np", *, seeds: int = 200) -> List[Tuple[int, str, List[str]]]:
    """Each exercise of ``edition`` ('nd': 2019's six, 'np': today's seven), with mxconv's
    answer computed now: a list of (the book's number, the question, lines of the answer).

    ``seeds`` draws of the last example answer "are Y1 and Y2 exactly the same?".
    """
    from . import fast

    with _checks.scope("exercise_answers"):
        edition = _checks.one_of("edition", edition, EDITIONS)
        seeds = _checks.bounded("seeds", seeds, 1, MAX_SEEDS, "an int")
    rng = np.random.default_rng(0)
    answers: Dict[str, List[str]] = {}

    K1, K2 = rng.uniform(-1, 1, (4, 3, 3, 3)), rng.uniform(-1, 1, (2, 4, 3, 3))
    X = rng.uniform(-1, 1, (3, 10, 10))
    K = compose_kernels(K1, K2)
    two = fast.corr2d_multi_in_out(fast.corr2d_multi_in_out(X, K1), K2).asnumpy()
    one = fast.corr2d_multi_in_out(X, K).asnumpy()
    answers["compose_kernels"] = [
        "K1 %s then K2 %s is one kernel of shape %s (compose_kernels): largest difference %.1e over a "
        "3x10x10 input (float64)" % (K1.shape, K2.shape, tuple(K.shape), float(np.abs(two - one).max())),
        "the window is (k1 + k2 - 1) on each axis: two 3x3 kernels make one 5x5",
        "the converse is false in general: through one middle channel, the 5x5 kernels two 3x3 kernels make "
        "form a set of dimension %d (the rank of the composition's Jacobian at a random pair) in the 25 of all "
        "5x5 kernels, so almost none decompose; with 25 * c_i middle channels every one does (each of its 25 "
        "taps is a product of two 3x3 taps)" % _composition_rank(rng, 1),
    ]
    c = conv_cost(64, 56, 56, 64, 3, 3, padding=1)
    cs = conv_cost(64, 56, 56, 64, 3, 3, padding=1, stride=2)
    answers["conv_cost"] = [
        "64x56x56 -> 64 channels, 3x3, padding 1 (conv_cost): output %s, forward %d multiplications and %d "
        "additions" % (c.output_shape, c.forward_mults, c.forward_adds),
        "in general c_o * out_h * out_w * c_i * k_h * k_w multiplications, out = (h + 2p - k) // s + 1; "
        "stride 2: output %s, %d multiplications" % (cs.output_shape, cs.forward_mults),
        "memory: forward %d elements (%d bytes float32); backward adds %d elements (%d bytes)"
        % (c.forward_elements, c.forward_bytes, c.backward_extra_elements, c.backward_extra_bytes),
        "backward: %d multiplications, %d additions (input gradient %d/%d, kernel gradient %d/%d)"
        % (c.backward_mults, c.backward_adds, c.backward_input_mults, c.backward_input_adds,
           c.backward_kernel_mults, c.backward_kernel_adds),
    ]
    d = conv_cost(128, 56, 56, 128, 3, 3, padding=1)
    p = conv_cost(64, 56, 56, 64, 3, 3, padding=2)
    answers["doubling"] = [
        "doubling c_i and c_o multiplies the work by %.1f (conv_cost)" % (d.forward_mults / c.forward_mults),
        "doubling the padding (1 -> 2) grows the output from %s to %s and the work by %.3f"
        % (c.output_shape[1:], p.output_shape[1:], p.forward_mults / c.forward_mults),
    ]
    o = conv_cost(64, 56, 56, 64, 1, 1)
    answers["one_by_one_cost"] = [
        "a 1x1 kernel costs c_i * c_o * h * w = %d multiplications, one matrix product (c_o x c_i) "
        "times (c_i x h*w); %.0f times less than 3x3" % (o.forward_mults, c.forward_mults / o.forward_mults),
    ]
    ex = one_by_one_exactness(range(seeds), edition=edition)
    check = "(Y1 - Y2).norm() < 1e-6" if edition == "nd" else "sum |Y1 - Y2| < 1e-6"
    answers["one_by_one_exactness"] = [
        "measured over %d seeded draws of the last example, %s code: Y1 and Y2 bit-identical in %d of %d "
        "(%.1f%% of elements); largest difference %.2e; the book's check %s fails %d times"
        % (ex.seeds, "the 2019 edition" if edition == "nd" else "today's", ex.bit_identical, ex.seeds,
           100 * ex.fraction_elements_identical, ex.max_abs_difference, check, ex.check_failures),
        "why: %s; Y1 sums the same products inside one matrix product (sgemm), in its own blocking, "
        "perhaps with fused multiply-add (one rounding for a product and a sum). Float addition is not "
        "associative: %s" % (
            "Y2 adds the channels with nd.add_n, which groups them its own way" if edition == "nd" else
            "Y2 adds the channels with Python's sum, from 0, left to right, each product rounded first",
            "here the two orders agreed on every draw" if ex.bit_identical == ex.seeds else
            "where the orders or roundings differ, so can the last bit, as on %d of these %d draws"
            % (ex.seeds - ex.bit_identical, ex.seeds)),
    ]
    Yi = fast.corr2d_multi_in_out_im2col(X, K1, padding=1).asnumpy()
    Yc = fast.corr2d_multi_in_out(X, K1, padding=1).asnumpy()
    answers["im2col"] = [
        "unfold every window into a column (c_i * k_h * k_w rows), then one matrix product with K as "
        "(c_o, c_i * k_h * k_w) (fast.corr2d_multi_in_out_im2col): largest difference from nd.Convolution "
        "%.1e on 3x10x10 -> 4, 3x3, padding 1" % float(np.abs(Yi - Yc).max()),
    ]
    Xs, Ks = rng.uniform(-1, 1, (3, 12, 20)), rng.uniform(-1, 1, (2, 3, 3, 3))
    Yd = fast.corr2d_multi_in_out(Xs, Ks).asnumpy()
    strip_error = max(float(np.abs(corr2d_strips(Xs, Ks, delta).asnumpy() - Yd).max()) for delta in (1, 4, 18))
    caches = cache_sizes()
    lines = ["corr2d_strips computes the convolution strip by strip (largest difference %.1e for delta 1, 4, 18)"
             % strip_error]
    for delta in (1, 2, 4, 8, 16):
        sc = strip_cost(64, 58, 58, 64, 3, 3, delta)
        lines.append("delta %2d: %.2f input reads per output and channel with no reuse, %.2f with the rows kept "
                     "(strip_cost, 64x58x58, 3x3)" % (delta, sc.reads_per_output_no_reuse,
                                                      sc.reads_per_output_rows_kept))
    lines.append("why larger delta: each strip re-reads k_w - 1 columns of its neighbour; wider strips share "
                 "that overlap among more outputs and vectorise better")
    if "L1d" in caches:
        lines.append("the limit: delta <= the output width, and the strip, c_i * k_h * (k_w + delta - 1) values, "
                     "must stay in fast memory: this machine's L1d is %d KiB%s, so for 64 float32 channels of "
                     "3x3 delta <= %d, for 256 channels delta <= %d" % (
                         caches["L1d"] // 1024, ", L2 %d KiB" % (caches["L2"] // 1024) if "L2" in caches else "",
                         largest_delta(caches["L1d"], 64, 3, 3, 56), largest_delta(caches["L1d"], 256, 3, 3, 56)))
    else:
        lines.append("the limit: delta <= the output width, and the strip, c_i * k_h * (k_w + delta - 1) values, "
                     "must stay in fast memory (the OS does not tell this machine's cache sizes)")
    answers["strips"] = lines
    dense, grouped = conv_cost(256, 14, 14, 256, 1, 1), conv_cost(256, 14, 14, 256, 1, 1, groups=8)
    one_layer = channel_dependence(8, 2)
    stacked = channel_dependence(8, 2, layers=2)
    shuffled = channel_dependence(8, 2, layers=2, shuffle=True)
    answers["blocks"] = [
        "b diagonal blocks of a c x c matrix: b times fewer multiplications; a grouped 1x1 convolution of 256 "
        "channels in 8 groups: %d against %d dense (conv_cost(groups=8): %dx)"
        % (grouped.forward_mults, dense.forward_mults, dense.forward_mults // grouped.forward_mults),
        "the downside: each output sees only c / b inputs: with 8 channels in 2 groups each output depends on "
        "%d inputs, and still %d after two grouped layers (channel_dependence)"
        % (int(one_layer.sum(axis=1).max()), int(stacked.sum(axis=1).max())),
        "a fix, at least partly: shuffle the channels between grouped layers (ShuffleNet): then every output "
        "depends on %d of 8 inputs; or alternate with dense 1x1 layers" % int(shuffled.sum(axis=1).min()),
    ]
    return [(number, question, answers[key]) for number, question, key in EXERCISES[edition]]


def _composition_rank(rng: np.random.Generator, middle: int) -> int:
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
