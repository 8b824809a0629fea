"""The book's other MXNet edition: ``mxnet.numpy`` arrays (``npx.set_np()``) in, the same
kind out, with the values of the nd path (the book's code) and of the numpy oracle."""
import mxnet as mx
import numpy as np
import pytest
from mxnet import autograd, nd, npx

from mxconv import exercises, fast, reference

from .golden import GOLDEN, K_IN2, X_IN2
from .oracles import numeric_gradient, numpy_conv

K3 = np.stack([np.array(K_IN2) + i for i in range(3)]).astype(np.float32)
CALLS = {
    "reference.corr2d": (reference.corr2d, X_IN2[0], K_IN2[0]),
    "reference.corr2d_multi_in": (reference.corr2d_multi_in, X_IN2, K_IN2),
    "reference.corr2d_multi_in_out": (reference.corr2d_multi_in_out, X_IN2, K3),
    "reference.corr2d_multi_in_out_1x1": (reference.corr2d_multi_in_out_1x1, X_IN2, K3[:, :, :1, :1]),
    "fast.corr2d_multi_in": (fast.corr2d_multi_in, X_IN2, K_IN2),
    "fast.corr2d_multi_in_out": (fast.corr2d_multi_in_out, X_IN2, K3),
    "fast.corr2d_multi_in_out_im2col": (fast.corr2d_multi_in_out_im2col, X_IN2, K3),
}


@pytest.fixture
def np_mode():
    """npx.set_np() for the test, and back to the nd mode after it, whatever happens."""
    npx.set_np()
    try:
        yield
    finally:
        npx.reset_np()


@pytest.mark.parametrize("name", sorted(CALLS))
def test_np_array_in_np_array_out(name):
    fn, X, K = CALLS[name]
    expected = fn(nd.array(X), nd.array(K))
    Y = fn(mx.np.array(X), mx.np.array(K))
    assert isinstance(Y, mx.np.ndarray) and Y.dtype == expected.dtype
    np.testing.assert_array_equal(Y.asnumpy(), expected.asnumpy())
    assert not mx.util.is_np_array()  # no mode was switched on


@pytest.mark.parametrize("name", sorted(CALLS))
def test_lists_follow_the_np_mode(name, np_mode):
    fn, X, K = CALLS[name]
    Y = fn(X, K)
    assert isinstance(Y, mx.np.ndarray)
    np.testing.assert_array_equal(Y.asnumpy(), fn(nd.array(X), nd.array(K)).asnumpy())


def test_the_books_out2_prints_as_the_np_edition_prints(np_mode):
    Y = reference.corr2d_multi_in(mx.np.array(X_IN2), mx.np.array(K_IN2))
    np.testing.assert_array_equal(Y.asnumpy(), GOLDEN["Out[2]"]["values"])
    assert repr(Y) == "array([[ 56.,  72.],\n       [104., 120.]])"


def test_nd_arrays_stay_nd_arrays_in_np_mode(np_mode):
    Y = fast.corr2d_multi_in(nd.array(X_IN2), nd.array(K_IN2))
    assert type(Y) is nd.NDArray


def test_np_arrays_get_gradients_through_the_fast_path(np_mode):
    X = mx.np.array(X_IN2)
    X.attach_grad()
    with autograd.record():
        Y = fast.corr2d_multi_in(X, mx.np.array(K_IN2), padding=1)
    Y.backward()
    K = np.array(K_IN2, np.float64)[None]
    expected = numeric_gradient(lambda A: numpy_conv(A, K, padding=(1, 1)).sum(), np.array(X_IN2, np.float64))
    np.testing.assert_allclose(X.grad.asnumpy(), expected, rtol=1e-6)


def test_compose_kernels_follows_its_first_kernel():
    K = exercises.compose_kernels(mx.np.ones((2, 1, 2, 2)), nd.ones((1, 2, 2, 2)))
    assert isinstance(K, mx.np.ndarray)
    np.testing.assert_array_equal(K.asnumpy(), [[[[2, 4, 2], [4, 8, 4], [2, 4, 2]]]])
