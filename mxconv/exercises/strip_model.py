"""Today's exercise 6, modelled: the strips of the k + delta algorithm, what they read, and
what they must keep in fast memory.

A model, stated and counted, not a measurement: the time per output over delta is
measured by ``python benchmarks/bench_exercises.py``. Imports no MXNet.
"""
from dataclasses import dataclass
from typing import Iterator, List, Tuple

from .. import _checks

__all__ = ["strip_plan", "StripCost", "strip_cost", "StripMemory", "strip_memory", "largest_delta"]


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
    limit is the output width, and what a strip works on must fit in fast memory
    (:func:`strip_memory`, :func:`largest_delta`). Needs no MXNet.

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


@dataclass(frozen=True)
class StripMemory:
    """The values one step of the strip algorithm works on (see :func:`strip_memory`)."""

    input_strip: int  # c_i * k_h * (k_w + delta - 1): the input rows under the window, delta outputs wide
    kernel: int  # c_o_block * c_i * k_h * k_w: the kernels of the output channels made together
    accumulators: int  # c_o_block * delta: the partial sums of one output row of the strip

    @property
    def values(self) -> int:
        """All three: what must stay in fast memory for the strip to be read once."""
        return self.input_strip + self.kernel + self.accumulators


def strip_memory(c_i: int, k_h: int, k_w: int, delta: int, *, c_o_block: int = 1) -> StripMemory:
    """Today's exercise 6: what one step of the strip algorithm keeps in fast memory.

    One step makes one output row of a strip, ``delta`` outputs wide, for
    ``c_o_block`` output channels at once. It reads the input strip under the window
    (c_i k_h (k_w + delta - 1) values), multiplies it with those channels' kernels
    (c_o_block c_i k_h k_w values) and adds into c_o_block * delta accumulators. For
    the strip to be read from slow memory once, all three must fit in fast memory;
    the kernel's share is what a wider ``c_o_block`` costs (64 x 64 channels of 3x3
    float32 kernels are 144 KiB, more than most L1 data caches). Needs no MXNet.

    >>> m = strip_memory(64, 3, 3, 8)
    >>> m.input_strip, m.kernel, m.accumulators, m.values
    (1920, 576, 8, 2504)
    """
    with _checks.scope("strip_memory"):
        c_i, k_h, k_w, delta, c_o_block = (_checks.dimension(name, value) for name, value in zip(
            ("c_i", "k_h", "k_w", "delta", "c_o_block"), (c_i, k_h, k_w, delta, c_o_block)))
    return StripMemory(c_i * k_h * (k_w + delta - 1), c_o_block * c_i * k_h * k_w, c_o_block * delta)


def largest_delta(cache_bytes: int, c_i: int, k_h: int, k_w: int, out_w: int, itemsize: int = 4, *,
                  c_o_block: int = 1) -> int:
    """The largest delta, at most ``out_w``, whose step (:func:`strip_memory`: the input
    strip, the kernels' share and the accumulators) fits in ``cache_bytes`` of values of
    ``itemsize`` bytes; 0 where not even delta = 1 fits.

    >>> largest_delta(48 * 1024, 64, 3, 3, 56)     # a 48 KiB L1d, 64 channels, 3x3, float32
    56
    >>> largest_delta(48 * 1024, 256, 3, 3, 56)
    10
    >>> largest_delta(48 * 1024, 64, 3, 3, 56, c_o_block=64)   # every output channel at once
    0
    """
    with _checks.scope("largest_delta"):
        cache_bytes, c_i, k_h, k_w, out_w, itemsize, c_o_block = (_checks.dimension(name, value) for name, value in zip(
            ("cache_bytes", "c_i", "k_h", "k_w", "out_w", "itemsize", "c_o_block"),
            (cache_bytes, c_i, k_h, k_w, out_w, itemsize, c_o_block)))
    # values(delta) = c_i k_h (k_w - 1) + c_o_block c_i k_h k_w + delta (c_i k_h + c_o_block): linear in delta
    fixed = c_i * k_h * (k_w - 1) + c_o_block * c_i * k_h * k_w
    fits = (cache_bytes // itemsize - fixed) // (c_i * k_h + c_o_block)
    return max(0, min(out_w, fits))
