"""ctx plumbing: every array the book's code makes lives on the chosen context."""
import mxnet as mx
import numpy as np
import pytest
from mxnet import nd

import mxconv

from ._helpers import convolutions
from .golden import GOLDEN, K_IN2, X_IN2, normalise

# The section's inputs, in the shapes each kind of book function takes.
CASES = {
    "corr2d": (X_IN2[0], K_IN2[0]),
    "corr2d_multi_in": (X_IN2, K_IN2),
    "corr2d_multi_in_out": (X_IN2, [K_IN2, K_IN2]),
    "corr2d_multi_in_out_1x1": (X_IN2, [[[[1]], [[2]]]]),
}
CONVOLUTIONS = convolutions()


@pytest.mark.parametrize("name", sorted(CONVOLUTIONS))
def test_result_lives_on_ctx(name, ctx):
    fn = CONVOLUTIONS[name].fn
    X, K = CASES[CONVOLUTIONS[name].kind]
    Y = fn(X, K, ctx=ctx)
    assert Y.context == ctx
    assert repr(Y).endswith("@%s>" % ctx)
    expected = fn(X, K, ctx=mx.cpu(0))
    np.testing.assert_array_equal(Y.asnumpy(), expected.asnumpy())


def test_out2_prints_cpu1_footer():
    Y = mxconv.corr2d_multi_in(X_IN2, K_IN2, ctx=mx.cpu(1))
    assert normalise(repr(Y)) == normalise(GOLDEN["Out[2]"]["text"]).replace("@cpu(0)", "@cpu(1)")


def test_ctx_none_follows_x():
    X = nd.array(X_IN2, ctx=mx.cpu(1))
    K = nd.array(K_IN2)  # on cpu(0): moved to X's context
    assert mxconv.corr2d_multi_in(X, K).context == mx.cpu(1)


def test_ctx_none_with_lists_is_the_current_context():
    assert mxconv.corr2d_multi_in(X_IN2, K_IN2).context == mx.cpu(0)
    with mx.cpu(1):
        assert mxconv.corr2d_multi_in(X_IN2, K_IN2).context == mx.cpu(1)


def test_inputs_are_not_moved_in_place():
    X = nd.array(X_IN2)
    mxconv.corr2d_multi_in(X, K_IN2, ctx=mx.cpu(1))
    assert X.context == mx.cpu(0)


def test_callers_context_block_is_restored():
    # mx.Context keeps the outer context on the object entered: mxconv must not
    # re-enter the caller's own context object, or cpu(1) would leak out.
    with mx.cpu(1):
        mxconv.corr2d_multi_in(X_IN2, K_IN2)
    assert mx.current_context() == mx.cpu(0)
