"""The fast path: agreement with the book's path, nd.Convolution and numpy; dtypes; autograd."""
import numpy as np
import pytest
from hypothesis import given, settings
from mxnet import autograd, nd
from mxnet.test_utils import assert_almost_equal

from mxconv import fast, reference

from ._helpers import conv_case, convolutions
from .golden import GOLDEN, K_IN2, X_IN2
from .oracles import numeric_gradient, numpy_conv

FAST = [c.fn for c in convolutions().values() if c.layer == "fast"]
FAST_OUT = [fn for fn in FAST if fn is not fast.corr2d_multi_in]


@pytest.mark.parametrize("fn", FAST_OUT + [fast.corr2d_multi_in])
def test_book_example(fn):
    K = K_IN2 if fn is fast.corr2d_multi_in else [K_IN2]
    Y = fn(X_IN2, K).asnumpy().reshape(2, 2)
    np.testing.assert_array_equal(Y, GOLDEN["Out[2]"]["values"])


@pytest.mark.parametrize("fn", FAST_OUT)
def test_book_three_output_channels(fn):
    K = nd.array(K_IN2)
    np.testing.assert_array_equal(fn(X_IN2, nd.stack(K, K + 1, K + 2)).asnumpy(),
                                  GOLDEN["In[5] print(corr2d_multi_in_out(X, K))"]["values"])


@settings(max_examples=20)
@given(conv_case())
def test_equals_the_book_path_without_padding_or_stride(case):
    X, K, _, _ = case
    expected = reference.corr2d_multi_in_out(X, K).asnumpy()
    for fn in FAST_OUT:
        assert_almost_equal(fn(X, K).asnumpy(), expected, rtol=1e-5, atol=1e-5)
    assert_almost_equal(fast.corr2d_multi_in(X, K[0]).asnumpy(), expected[0], rtol=1e-5, atol=1e-5)


@settings(max_examples=60)
@given(conv_case(batch=True, padded=True, strided=True))
def test_padding_stride_batch_equal_numpy_and_nd_convolution(case):
    X, K, padding, stride = case
    expected = numpy_conv(X, K, padding, stride)
    X4 = X if X.ndim == 4 else X[None]
    direct = nd.Convolution(nd.array(X4), nd.array(K), kernel=K.shape[2:], num_filter=K.shape[0],
                            pad=padding, stride=stride, no_bias=True).asnumpy()
    assert_almost_equal(direct.reshape(expected.shape), expected, rtol=1e-5, atol=1e-5)
    for fn in FAST_OUT:
        Y = fn(X, K, padding=padding, stride=stride)
        assert Y.shape == expected.shape and Y.dtype == np.float32
        assert_almost_equal(Y.asnumpy(), expected, rtol=1e-5, atol=1e-5)
    Y = fast.corr2d_multi_in(X, K[0], padding=padding, stride=stride)
    assert_almost_equal(Y.asnumpy(), expected[..., 0, :, :], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("fn", FAST_OUT)
@pytest.mark.parametrize("dtype, rtol", [("float16", 1e-2), ("float32", 1e-5), ("float64", 1e-12)])
def test_dtype_is_kept(fn, dtype, rtol, rng):
    X = rng.uniform(-1, 1, (2, 3, 8, 7)).astype(dtype)
    K = rng.uniform(-1, 1, (4, 3, 3, 2)).astype(dtype)
    Y = fn(X, K, padding=(1, 0), stride=(2, 1))
    assert Y.dtype == np.dtype(dtype)
    assert_almost_equal(Y.asnumpy().astype(np.float64), numpy_conv(X, K, (1, 0), (2, 1)), rtol=rtol, atol=rtol)


def test_mixed_dtypes_promote(rng):
    X = rng.uniform(size=(2, 4, 4)).astype(np.float32)
    K = rng.uniform(size=(1, 2, 2, 2))  # float64
    assert fast.corr2d_multi_in_out(X, K).dtype == np.float64


@pytest.mark.parametrize("fn", FAST_OUT + [fast.corr2d_multi_in])
def test_result_lives_on_ctx(fn, ctx):
    K = K_IN2 if fn is fast.corr2d_multi_in else [K_IN2]
    Y = fn(X_IN2, K, ctx=ctx)
    assert Y.context == ctx


# Autograd: gradients with respect to X and K


def _loss_weights(shape, rng):
    return rng.uniform(-1, 1, shape)


@pytest.mark.parametrize("fn", FAST_OUT)
@pytest.mark.parametrize("batch", [False, True])
def test_gradients_match_finite_differences(fn, batch, rng):
    X = rng.uniform(-1, 1, ((2,) if batch else ()) + (2, 5, 4))
    K = rng.uniform(-1, 1, (3, 2, 3, 2))
    padding, stride = (1, 0), (2, 1)
    W = _loss_weights(numpy_conv(X, K, padding, stride).shape, rng)

    Xn, Kn = nd.array(X, dtype="float64"), nd.array(K, dtype="float64")
    Xn.attach_grad()
    Kn.attach_grad()
    with autograd.record():
        loss = (fn(Xn, Kn, padding=padding, stride=stride) * nd.array(W, dtype="float64")).sum()
    loss.backward()

    dX = numeric_gradient(lambda A: (numpy_conv(A, K, padding, stride) * W).sum(), X)
    dK = numeric_gradient(lambda A: (numpy_conv(X, A, padding, stride) * W).sum(), K)
    assert_almost_equal(Xn.grad.asnumpy(), dX, rtol=1e-6, atol=1e-7)
    assert_almost_equal(Kn.grad.asnumpy(), dK, rtol=1e-6, atol=1e-7)


def test_corr2d_multi_in_gradient_matches_nd_convolution(rng):
    X = nd.array(rng.uniform(-1, 1, (3, 6, 6)))
    K = nd.array(rng.uniform(-1, 1, (3, 3, 3)))
    grads = []
    for compute in (lambda X, K: fast.corr2d_multi_in(X, K, padding=1),
                    lambda X, K: nd.Convolution(X.expand_dims(0), K.expand_dims(0), kernel=(3, 3),
                                                num_filter=1, pad=(1, 1), no_bias=True)):
        Xc, Kc = X.copy(), K.copy()
        Xc.attach_grad()
        Kc.attach_grad()
        with autograd.record():
            (compute(Xc, Kc) ** 2).sum().backward()
        grads.append((Xc.grad.asnumpy(), Kc.grad.asnumpy()))
    for mine, theirs in zip(*grads):
        assert_almost_equal(mine, theirs, rtol=1e-5, atol=1e-6)


def test_view_checks_sizes_as_reshape_does():
    from mxconv.fast import _view

    X = nd.arange(18)
    np.testing.assert_array_equal(_view(X, (18,), (2, 9)).asnumpy(), np.arange(18).reshape(2, 9))
    with pytest.raises(ValueError, match=r"cannot view an array of shape \(18,\) as \(3, 3\)"):
        _view(X, (18,), (3, 3))
