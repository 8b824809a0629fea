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


def grad(fn, X, K, G):
    """The checker's grad hook: d sum(fn(X, K) * G) / dX and / dK, worked out by hand
    (NumPy has no automatic differentiation). Each of the section's functions is a
    cross-correlation Y[o] = sum_c corr2d(X[c], K[o, c]), so kernel place (a, b) sends
    G back through the window of X it multiplied."""
    X, K, G = (np.asarray(a, dtype=np.float64) for a in (X, K, G))
    X3 = X[None] if X.ndim == 2 else X
    K4 = K.reshape((1,) * (4 - K.ndim) + K.shape)
    G3 = G.reshape((K4.shape[0],) + G.shape[-2:])
    out_h, out_w = G3.shape[1:]
    dX, dK = np.zeros(X3.shape), np.zeros(K4.shape)
    for a in range(K4.shape[2]):
        for b in range(K4.shape[3]):
            window = X3[:, a:a + out_h, b:b + out_w]
            dK[:, :, a, b] = np.tensordot(G3, window, axes=([1, 2], [1, 2]))
            dX[:, a:a + out_h, b:b + out_w] += np.tensordot(K4[:, :, a, b], G3, axes=(0, 0))
    return dX.reshape(X.shape), dK.reshape(K.shape)
