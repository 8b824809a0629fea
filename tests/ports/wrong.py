"""Deliberately wrong ports of the section: the checker must catch them."""
import pathlib

import numpy as np

from mxconv import baseline

numpy_port = baseline.load_port(str(pathlib.Path(__file__).resolve().parent.parent / "examples" / "numpy_port.py"))


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
