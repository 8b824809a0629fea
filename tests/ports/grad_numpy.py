"""The book's NumPy port (book_numpy) with a ``grad(fn, X, K, G)`` hook: NumPy cannot
differentiate, but sum(fn(X, K) * G) is linear in X and in K, so each derivative is the
change of that sum when one entry grows by 1 (exact up to rounding, in float64).
``WrongBackward`` forgets G, as a hand-written backward might."""
import numpy as np

from .book_numpy import corr2d, corr2d_multi_in, corr2d_multi_in_out, corr2d_multi_in_out_1x1  # noqa: F401


def _derivative(loss, A):
    A = np.asarray(A, dtype=np.float64)
    base, d = loss(A), np.zeros(A.shape)
    for index in np.ndindex(A.shape):
        B = A.copy()
        B[index] += 1.0
        d[index] = loss(B) - base
    return d


def grad(fn, X, K, G):
    def loss(X, K, G=G):
        return float((np.asarray(fn(X, K), dtype=np.float64) * G).sum())

    return _derivative(lambda A: loss(A, K), X), _derivative(lambda B: loss(X, B), K)


class WrongBackward:
    corr2d = staticmethod(corr2d)
    corr2d_multi_in = staticmethod(corr2d_multi_in)

    @staticmethod
    def grad(fn, X, K, G):
        return grad(fn, X, K, np.ones_like(G))  # the slip: d sum(Y), not d sum(Y * G)
