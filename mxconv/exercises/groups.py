"""Today's exercise 7, computed and measured: a c x c matrix in b diagonal blocks is a
grouped convolution (``groups=b``); what each output then depends on, and how much
faster it runs here than the dense one.

Computes with MXNet (:func:`mxconv.fast.corr2d_multi_in_out`).
"""
import os
import statistics
import time
from dataclasses import dataclass
from typing import Callable, List

import numpy as np

from .. import _checks, fast
from .shuffle import channel_shuffle, channels_in_groups

__all__ = ["channel_dependence", "GroupedSpeedup", "grouped_speedup"]


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
    with _checks.scope("channel_dependence"):
        c, groups = channels_in_groups(c, groups)
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


@dataclass(frozen=True)
class GroupedSpeedup:
    """Dense against grouped convolution, timed here (see :func:`grouped_speedup`)."""

    c: int
    groups: int
    k: int
    batch: int
    size: int  # height and width of the input
    dense_seconds: float  # median of the repeated calls
    grouped_seconds: float
    repeats: int
    threads: str  # OMP_NUM_THREADS, or "unset" (MXNet 1.9.1 then uses half of the cores)

    @property
    def speedup(self) -> float:
        """How many times faster the grouped convolution ran."""
        return self.dense_seconds / self.grouped_seconds


def _median_seconds(call: Callable[[], object], repeats: int) -> float:
    call()  # the first call builds oneDNN's primitive: not timed
    times: List[float] = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def grouped_speedup(c: int = 256, groups: int = 8, *, k: int = 1, batch: int = 8, size: int = 28,
                    repeats: int = 5) -> GroupedSpeedup:
    """Today's exercise 7, measured: a (batch, c, size, size) input through a dense k x k
    convolution of c channels and through the grouped one (``groups`` blocks), both by
    :func:`mxconv.fast.corr2d_multi_in_out` (one ``nd.Convolution``, which waits for its
    result), each the median of ``repeats`` timed calls after one untimed call.

    The grouped convolution does ``groups`` times fewer multiplications
    (:func:`conv_cost`), but reads the same input and writes the same output, and
    its smaller matrix products use the processor less well: how much faster it runs
    is a measurement of this machine, not the count.

    >>> r = grouped_speedup(16, 4, batch=1, size=8, repeats=1)
    >>> (r.c, r.groups, r.k) == (16, 4, 1) and r.speedup > 0
    True
    """
    with _checks.scope("grouped_speedup"):
        c, groups = channels_in_groups(c, groups)
        k = _checks.bounded("k", k, 1, 7, "an int (kernel size)")
        batch = _checks.bounded("batch", batch, 1, 64, "an int")
        size = _checks.bounded("size", size, k, 224, "an int (height and width, at least k)")
        repeats = _checks.bounded("repeats", repeats, 1, 100, "an int")
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (batch, c, size, size)).astype(np.float32)
    dense_K = rng.uniform(-1, 1, (c, c, k, k)).astype(np.float32)
    grouped_K = rng.uniform(-1, 1, (c, c // groups, k, k)).astype(np.float32)
    dense = _median_seconds(lambda: fast.corr2d_multi_in_out(X, dense_K), repeats)
    grouped = _median_seconds(lambda: fast.corr2d_multi_in_out(X, grouped_K, groups=groups), repeats)
    return GroupedSpeedup(c, groups, k, batch, size, dense, grouped, repeats,
                          os.environ.get("OMP_NUM_THREADS", "unset"))
