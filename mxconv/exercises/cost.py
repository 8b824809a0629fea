"""Exercises 2 to 4 (2019) / 2, 3 and 7 (today): what one convolution costs, counted.

Integer arithmetic on the shapes: imports no MXNet.
"""
from dataclasses import dataclass
from typing import Tuple

from .. import _checks
from .._typing import IntOrPair

__all__ = ["ConvCost", "conv_cost"]


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
