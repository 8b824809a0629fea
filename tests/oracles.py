"""Independent oracles: numpy only, float64, written from the definition."""
import numpy as np


def numpy_conv(X, K, padding=(0, 0), stride=(1, 1)):
    """Multi-channel cross-correlation of X (n, c_i, h, w) or (c_i, h, w) with K (c_o, c_i, k_h, k_w)."""
    X = np.asarray(X, dtype=np.float64)
    K = np.asarray(K, dtype=np.float64)
    single = X.ndim == 3
    if single:
        X = X[None]
    (p_h, p_w), (s_h, s_w) = padding, stride
    X = np.pad(X, ((0, 0), (0, 0), (p_h, p_h), (p_w, p_w)))
    c_o, c_i, k_h, k_w = K.shape
    out_h = (X.shape[2] - k_h) // s_h + 1
    out_w = (X.shape[3] - k_w) // s_w + 1
    Y = np.zeros((X.shape[0], c_o, out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            window = X[:, :, i * s_h:i * s_h + k_h, j * s_w:j * s_w + k_w]
            Y[:, :, i, j] = np.einsum("ncab,ocab->no", window, K)
    return Y[0] if single else Y


def numeric_gradient(f, A, eps=1e-6):
    """Central differences of the scalar function f at A (float64)."""
    A = np.array(A, dtype=np.float64)
    grad = np.zeros_like(A)
    for index in np.ndindex(*A.shape):
        old = A[index]
        A[index] = old + eps
        up = f(A)
        A[index] = old - eps
        down = f(A)
        A[index] = old
        grad[index] = (up - down) / (2 * eps)
    return grad
