"""The section's code of the book as published today, verbatim (internal module; use :mod:`mxconv.reference`).

The MXNet tab's three definitions of "Multiple Input and Multiple Output Channels"
(Dive into Deep Learning, d2l.ai, d2l 1.0.3: ``from d2l import mxnet as d2l``,
``from mxnet import np, npx``, ``npx.set_np()``), as printed, comments included.
tests/test_faithful.py checks that they parse to the same syntax tree as the cells
of tests/data/channels-section-today.md. Nothing here checks its input:
mxconv.reference does that before calling in, with MXNet's numpy mode on.
``d2l`` is d2l 1.x's ``d2l.mxnet``, or, where d2l 0.10.x is installed, today's d2l
names on top of its ``corr2d`` (mxconv._d2l).
"""
from ._d2l import for_edition

d2l = for_edition("np", lazy=True)


# today's book, cell 2 of the MXNet notebook
def corr2d_multi_in(X, K):
    # Iterate through the 0th dimension (channel) of K first, then add them up
    return sum(d2l.corr2d(x, k) for x, k in zip(X, K))


# today's book, cell 4
def corr2d_multi_in_out(X, K):
    # Iterate through the 0th dimension of `K`, and each time, perform
    # cross-correlation operations with input `X`. All of the results are
    # stacked together
    return d2l.stack([corr2d_multi_in(X, k) for k in K], 0)


# today's book, cell 7
def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    c_o = K.shape[0]
    X = d2l.reshape(X, (c_i, h * w))
    K = d2l.reshape(K, (c_o, c_i))
    # Matrix multiplication in the fully connected layer
    Y = d2l.matmul(K, X)
    return d2l.reshape(Y, (c_o, h, w))
