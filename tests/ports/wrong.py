"""Deliberately wrong ports of the section, each with one slip a port author could make.

Each is the faithful book port (book_numpy) or the vectorized example port with one
function changed; the checker's default, extended or strict profile must catch it."""
import os

import numpy as np

from mxconv import baseline

from . import book_numpy

numpy_port = baseline.load_port(os.path.join(os.path.dirname(__file__), "..", "..", "examples", "numpy_port.py"))


class _Book:
    corr2d = staticmethod(book_numpy.corr2d)
    corr2d_multi_in = staticmethod(book_numpy.corr2d_multi_in)
    corr2d_multi_in_out = staticmethod(book_numpy.corr2d_multi_in_out)
    corr2d_multi_in_out_1x1 = staticmethod(book_numpy.corr2d_multi_in_out_1x1)


class FlippedKernel(_Book):
    """Convolution, not cross-correlation: the kernel turned by 180 degrees."""

    @staticmethod
    def corr2d_multi_in(X, K):
        return book_numpy.corr2d_multi_in(X, K[:, ::-1, ::-1])


class DroppedChannel(_Book):
    """Sums over every input channel but the last."""

    @staticmethod
    def corr2d_multi_in(X, K):
        return sum(book_numpy.corr2d(x, k) for x, k in zip(X[:-1], K[:-1])) if len(X) > 1 else \
            book_numpy.corr2d_multi_in(X, K)


class Transposed1x1(_Book):
    """Reads the 1x1 kernel as (c_i, c_o) and transposes it."""

    @staticmethod
    def corr2d_multi_in_out_1x1(X, K):
        c_i, h, w = X.shape
        return (K.reshape(c_i, -1).T @ X.reshape(c_i, h * w)).reshape(-1, h, w)


class OffByOne(_Book):
    """An output one row and column short: h - k_h instead of h - k_h + 1."""

    @staticmethod
    def corr2d(X, K):
        return book_numpy.corr2d(X, K)[:-1, :-1]


class StrideOneAxis:
    """Takes padding and stride, but strides along the height only."""

    @staticmethod
    def corr2d_multi_in_out(X, K, padding=0, stride=1):
        s_h = stride[0] if isinstance(stride, (tuple, list)) else stride
        return numpy_port.corr2d_multi_in_out(X, K, padding, (s_h, 1))


class ZipTruncates:
    """Sums over zip(X, K), as the book's code does, with K one channel short: the
    silent truncation mxconv refuses to compute."""

    @staticmethod
    def corr2d_multi_in(X, K):
        K = K[:-1] if len(K) > 1 else K
        return sum(numpy_port.corr2d(x, k) for x, k in zip(X, K))


class TransposedKernel:
    """Correlates with every kernel window transposed (k_h and k_w swapped, then
    cropped back): a common slip when porting between layouts."""

    @staticmethod
    def corr2d_multi_in_out(X, K):
        return numpy_port.corr2d_multi_in_out(X, np.swapaxes(K, 2, 3)) if K.shape[2] == K.shape[3] \
            else numpy_port.corr2d_multi_in_out(X, K[:, :, ::-1, ::-1])


class BatchFirstOnly:
    """Extended profile: takes a batch, but computes its first example for all."""

    @staticmethod
    def corr2d_multi_in_out(X, K, padding=0, stride=1):
        if X.ndim == 4:
            first = numpy_port.corr2d_multi_in_out(X[0], K, padding, stride)
            return np.stack([first] * X.shape[0])
        return numpy_port.corr2d_multi_in_out(X, K, padding, stride)


class Float32Inside:
    """Extended profile: right, but computes in float32 whatever it is given."""

    @staticmethod
    def corr2d_multi_in_out(X, K, padding=0, stride=1):
        return numpy_port.corr2d_multi_in_out(X.astype(np.float32), K.astype(np.float32), padding, stride)


class FirstFourChannels(_Book):
    """Sums over the first four input channels only (a port that once fixed c_i = 4)."""

    @staticmethod
    def corr2d_multi_in(X, K):
        return book_numpy.corr2d_multi_in(X[:4], K[:4])

    @staticmethod
    def corr2d_multi_in_out(X, K):
        return np.stack([FirstFourChannels.corr2d_multi_in(X, k) for k in K])

    @staticmethod
    def corr2d_multi_in_out_1x1(X, K):
        return book_numpy.corr2d_multi_in_out_1x1(X[:4], K[:, :4])
