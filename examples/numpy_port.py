"""A port of the section to NumPy, written the way a port author would write it.

It passes every profile of mxconv's golden baseline, without MXNet:

    python -m mxconv.baseline check examples/numpy_port.py --profile all
"""
import numpy as np


def _refuse_bad_shapes(X, K, padding=(0, 0)):
    """What the strict profile asks: raise where the book's code would return nonsense."""
    if 0 in X.shape or 0 in K.shape:
        raise ValueError("empty axis: X.shape=%s, K.shape=%s" % (X.shape, K.shape))
    if X.shape[-3] != K.shape[1]:
        raise ValueError("X has %d input channels but K has %d" % (X.shape[-3], K.shape[1]))
    if K.shape[2] > X.shape[-2] + 2 * padding[0] or K.shape[3] > X.shape[-1] + 2 * padding[1]:
        raise ValueError("kernel %s larger than input %s" % (K.shape[2:], X.shape[-2:]))


def corr2d(X, K):
    """2-D cross-correlation (d2l.corr2d)."""
    _refuse_bad_shapes(X[None], K[None, None])
    h, w = K.shape
    Y = np.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=np.result_type(X, K))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i: i + h, j: j + w] * K).sum()
    return Y


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def corr2d_multi_in_out(X, K, padding=0, stride=1):
    """X (c_i, h, w) or (n, c_i, h, w), K (c_o, c_i, k_h, k_w): one einsum per kernel offset."""
    (p_h, p_w), (s_h, s_w) = _pair(padding), _pair(stride)
    X = np.asarray(X)
    _refuse_bad_shapes(X, K, (p_h, p_w))
    single = X.ndim == 3
    X = np.pad(X[None] if single else X, ((0, 0), (0, 0), (p_h, p_h), (p_w, p_w)))
    c_o, c_i, k_h, k_w = K.shape
    out_h = (X.shape[2] - k_h) // s_h + 1
    out_w = (X.shape[3] - k_w) // s_w + 1
    Y = np.zeros((X.shape[0], c_o, out_h, out_w), dtype=np.result_type(X, K))
    for a in range(k_h):
        for b in range(k_w):
            window = X[:, :, a:a + s_h * (out_h - 1) + 1:s_h, b:b + s_w * (out_w - 1) + 1:s_w]
            Y += np.einsum("nchw,oc->nohw", window, K[:, :, a, b])
    return Y[0] if single else Y


def corr2d_multi_in(X, K, padding=0, stride=1):
    """K (c_i, k_h, k_w): the one-output-channel case."""
    Y = corr2d_multi_in_out(X, K[None], padding, stride)
    return Y[..., 0, :, :]


def corr2d_multi_in_out_1x1(X, K):
    """The book's In[6]: a 1x1 convolution is a matrix product."""
    _refuse_bad_shapes(X, K)
    if K.shape[2:] != (1, 1):
        raise ValueError("a 1x1 convolution needs a 1x1 kernel, got %s" % (K.shape[2:],))
    c_i, h, w = X.shape
    c_o = K.shape[0]
    return (K.reshape(c_o, c_i) @ X.reshape(c_i, h * w)).reshape(c_o, h, w)


corr2d_multi_in_out_im2col = corr2d_multi_in_out
