"""The section's code of the book's 2019 edition, verbatim (internal module; use :mod:`mxconv.reference`).

Cells In[1], In[3] and In[6] of "Multiple Input and Output Channels" (Dive into
Deep Learning, MXNet ``nd`` edition, d2l 0.10.3), as printed, comments included. The only change is
indentation the document's text extraction lost. tests/test_faithful.py checks
that these definitions parse to the same syntax tree as the document's cells.
Nothing here checks its input: mxconv.reference does that before calling in.
``d2l`` is d2l 0.10.x's module; importing this one where another d2l is installed
leaves a stand-in that raises an MxconvError saying how to get it (mxconv._d2l).
"""
from ._d2l import for_edition
from ._mxnet import nd

d2l = for_edition("nd", lazy=True)


# book In[1]
def corr2d_multi_in(X, K):
    # First, traverse along the 0th dimension (channel dimension) of X and K.
    # Then, add them together by using *
    return nd.add_n(*[d2l.corr2d(x, k) for x, k in zip(X, K)])


# book In[3]
def corr2d_multi_in_out(X, K):
    # Traverse along the 0th dimension of K, and each time, perform cross-correlation
    # operations with input X. All of the results are merged together using the stack function.
    return nd.stack(*[corr2d_multi_in(X, k) for k in K])


# book In[6]
def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    c_o = K.shape[0]
    X = X.reshape((c_i, h * w))
    K = K.reshape((c_o, c_i))
    Y = nd.dot(K, X) # Matrix multiplication in the fully connected layer.
    return Y.reshape((c_o, h, w))
