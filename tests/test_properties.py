"""Properties over random shapes (hypothesis): valid input agrees with independent
oracles; invalid input always raises mxconv's error and never returns a number."""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from mxnet import nd
from mxnet.test_utils import assert_almost_equal

from mxconv import MxconvError, reference

from ._helpers import conv_case, convolutions


def convolution(X, K):
    """MXNet's own operator, called directly: the oracle for the book's path."""
    Y = nd.Convolution(nd.array(X[None]), nd.array(K), kernel=K.shape[2:], num_filter=K.shape[0], no_bias=True)
    return Y[0].asnumpy()


@settings(max_examples=25)
@given(conv_case(max_size=7))
def test_reference_equals_nd_convolution(case):
    X, K, _, _ = case
    expected = convolution(X, K)
    assert_almost_equal(reference.corr2d_multi_in_out(X, K).asnumpy(), expected, rtol=1e-5, atol=1e-5)
    assert_almost_equal(reference.corr2d_multi_in(X, K[0]).asnumpy(), expected[0], rtol=1e-5, atol=1e-5)
    assert_almost_equal(reference.corr2d(X[0], K[0, 0]).asnumpy(), convolution(X[:1], K[:1, :1])[0],
                        rtol=1e-5, atol=1e-5)


@settings(max_examples=25)
@given(conv_case(max_size=5, max_channels=3, one_by_one=True))
def test_reference_one_by_one_equals_general(case):
    X, K, _, _ = case
    assert_almost_equal(reference.corr2d_multi_in_out_1x1(X, K).asnumpy(),
                        reference.corr2d_multi_in_out(X, K).asnumpy(), rtol=1e-5, atol=1e-6)


DEFECTS = ["x_axes", "k_axes", "channels", "kernel_too_large", "zero_axis", "not_1x1"]
# From the registry of tests/_helpers.py: every convolution of these two kinds.
FUNCTIONS = {kind: [c.fn for c in convolutions().values() if c.kind == kind]
             for kind in ("corr2d_multi_in_out", "corr2d_multi_in_out_1x1")}


@st.composite
def invalid_case(draw):
    """A valid (c_i, h, w), (c_o, c_i, k_h, k_w) pair with exactly one defect."""
    c_i, c_o = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    h, w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    k_h, k_w = draw(st.integers(1, h)), draw(st.integers(1, w))
    x, k = [c_i, h, w], [c_o, c_i, k_h, k_w]
    defect = draw(st.sampled_from(DEFECTS))
    op = "corr2d_multi_in_out_1x1" if defect == "not_1x1" else "corr2d_multi_in_out"
    if defect == "x_axes":
        x = draw(st.sampled_from([x[1:], [1, 1] + x, x[2:]]))
    elif defect == "k_axes":
        k = draw(st.sampled_from([k[1:], [1] + k, k[2:]]))
    elif defect == "channels":
        k[1] = c_i + draw(st.sampled_from([-1, 1, 2]))
        assume(k[1] >= 1)
    elif defect == "kernel_too_large":
        axis = draw(st.sampled_from([2, 3]))
        k[axis] = x[axis - 1] + draw(st.integers(1, 3))
    elif defect == "zero_axis":
        target = draw(st.sampled_from(["x", "k"]))
        shape = x if target == "x" else k
        shape[draw(st.integers(0, len(shape) - 1))] = 0
    else:
        assume((k_h, k_w) != (1, 1))
    return op, defect, x, k


@settings(max_examples=150)
@given(invalid_case())
def test_invalid_shapes_always_raise(case):
    op, defect, x_shape, k_shape = case
    X, K = np.ones(x_shape, np.float32), np.ones(k_shape, np.float32)
    for fn in FUNCTIONS[op]:
        with pytest.raises(MxconvError):
            fn(X, K)
            pytest.fail("%s returned for %s: X%s K%s" % (fn.__qualname__, defect, x_shape, k_shape))
