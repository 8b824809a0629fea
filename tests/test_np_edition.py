"""The book's current MXNet edition: ``mxnet.numpy`` arrays (``npx.set_np()``) in, the
same kind out, on the input's context, with the values of the nd path (the book's
code) and of the numpy oracle; and legacy NDArrays stay NDArrays whatever the mode."""
import io
import re

import mxnet as mx
import numpy as np
import pytest
from mxnet import autograd, nd, npx

import mxconv
from mxconv import cli, exercises, fast, reference
from mxconv._mxnet import array_mode

from ._helpers import book_today, convolutions, random_inputs
from .golden import GOLDEN, K_IN2, NP_ORDER, NP_SOURCE, NP_TEXT, X_IN2
from .oracles import numeric_gradient, numpy_conv

# Every public convolution (the registry of tests/_helpers.py), with the book function whose shapes it takes.
FUNCTIONS = {name: (c.fn, c.kind) for name, c in convolutions().items()}
FAST = [name for name, c in convolutions().items() if c.layer == "fast"]


def oracle(kind, X, K):
    """The numpy float64 oracle, for the shapes of the book function ``kind``."""
    if kind == "corr2d":
        return numpy_conv(X[None], K[None, None])[0]
    if kind == "corr2d_multi_in":
        return numpy_conv(X, K[None])[0]
    return numpy_conv(X, K)


def same_code(name, kind, X, K, ctx=None):
    """What the code behind ``name`` gives on np arrays: today's book, run verbatim, for
    the book's path; the same fast path on NDArrays for mxconv.fast."""
    if name.startswith("reference."):
        return book_today(kind, X, K, ctx)
    fn = FUNCTIONS[name][0]
    return fn(nd.array(X, ctx=ctx), nd.array(K, ctx=ctx)).asnumpy()


def rounding(expected):
    """What float32 rounding allows against the float64 oracle (X and K in [-3, 3])."""
    return dict(rtol=1e-5, atol=1e-5 * max(1.0, float(np.abs(expected).max())))


@pytest.fixture(autouse=True)
def the_mode_is_off_after_each_test():
    """npx.set_np() is process-wide: every test here leaves it as it found it (off), so
    that test order does not matter."""
    yield
    assert not mx.util.is_np_array() and not mx.util.is_np_shape(), "a test left npx.set_np() on"


@pytest.fixture
def np_mode():
    """npx.set_np() for the test, and back to the nd mode after it, whatever happens."""
    npx.set_np()
    try:
        yield
    finally:
        npx.reset_np()


def test_top_level_functions_are_the_reference_paths():
    for name in ("corr2d", "corr2d_multi_in", "corr2d_multi_in_out", "corr2d_multi_in_out_1x1"):
        assert getattr(mxconv, name) is getattr(reference, name)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_np_arrays_in_np_arrays_out_on_their_ctx(name, ctx, rng):
    fn, kind = FUNCTIONS[name]
    X, K = random_inputs(rng, kind)
    Y = fn(mx.np.array(X, ctx=ctx), mx.np.array(K, ctx=ctx))
    assert type(Y) is mx.np.ndarray and Y.ctx == ctx and Y.dtype == np.float32
    expected = oracle(kind, X, K)
    np.testing.assert_allclose(Y.asnumpy(), expected, **rounding(expected))
    np.testing.assert_array_equal(Y.asnumpy(), same_code(name, kind, X, K, ctx))
    assert not mx.util.is_np_array() and not mx.util.is_np_shape()  # no mode was switched on


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_a_given_ctx_moves_an_np_result_there(name, rng):
    fn, kind = FUNCTIONS[name]
    X, K = random_inputs(rng, kind)
    Y = fn(mx.np.array(X), mx.np.array(K), ctx=mx.cpu(1))
    assert type(Y) is mx.np.ndarray and Y.ctx == mx.cpu(1)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_np_arrays_are_viewed_not_copied_through_the_host(name, rng, monkeypatch):
    # The conversion is MXNet's zero-copy as_nd_ndarray / as_np_ndarray: nothing goes
    # through a numpy array on the way in or out.
    fn, kind = FUNCTIONS[name]
    X, K = random_inputs(rng, kind)
    X, K = mx.np.array(X), mx.np.array(K)
    expected = fn(X, K).asnumpy()

    copy_nd, copy_np = nd.NDArray.asnumpy, mx.np.ndarray.asnumpy

    def no_host_copy(copy):
        def asnumpy(self, *args, **kwargs):
            # one scalar may be read: the book's path asks whether the result is finite
            if self.size > 1:
                raise AssertionError("an mxnet.numpy input went through host memory")
            return copy(self, *args, **kwargs)
        return asnumpy

    monkeypatch.setattr(nd.NDArray, "asnumpy", no_host_copy(copy_nd))
    monkeypatch.setattr(mx.np.ndarray, "asnumpy", no_host_copy(copy_np))
    Y = fn(X, K)
    monkeypatch.undo()
    np.testing.assert_array_equal(Y.asnumpy(), expected)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_lists_and_numpy_arrays_follow_the_np_mode(name, rng, np_mode):
    fn, kind = FUNCTIONS[name]
    X, K = random_inputs(rng, kind)
    expected = oracle(kind, X, K)
    for Y in (fn(X.tolist(), K.tolist()), fn(X, K)):
        assert type(Y) is mx.np.ndarray
        np.testing.assert_allclose(Y.asnumpy(), expected, **rounding(expected))
        np.testing.assert_array_equal(Y.asnumpy(), same_code(name, kind, X, K))


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_legacy_arrays_stay_legacy_in_np_mode(name, rng, np_mode):
    fn, kind = FUNCTIONS[name]
    X, K = random_inputs(rng, kind)
    Y = fn(nd.array(X, ctx=mx.cpu(1)), nd.array(K, ctx=mx.cpu(1)))
    assert type(Y) is nd.NDArray and Y.context == mx.cpu(1)
    expected = oracle(kind, X, K)
    np.testing.assert_allclose(Y.asnumpy(), expected, **rounding(expected))


@pytest.mark.parametrize("name", FAST)
def test_np_arrays_get_gradients_for_x_and_k(name, rng):
    fn, kind = FUNCTIONS[name]
    X0, K0 = random_inputs(rng, kind)
    X, K = mx.np.array(X0, dtype=np.float64), mx.np.array(K0, dtype=np.float64)
    X.attach_grad()
    K.attach_grad()
    with autograd.record():
        Y = fn(X, K, padding=1)
    assert type(Y) is mx.np.ndarray
    Y.backward()
    assert type(X.grad) is mx.np.ndarray and type(K.grad) is mx.np.ndarray
    padded = (1, 1)
    if kind == "corr2d_multi_in":
        loss_x = lambda A: numpy_conv(A, K0[None], padded).sum()  # noqa: E731
        loss_k = lambda B: numpy_conv(X0, B[None], padded).sum()  # noqa: E731
    else:
        loss_x = lambda A: numpy_conv(A, K0, padded).sum()  # noqa: E731
        loss_k = lambda B: numpy_conv(X0, B, padded).sum()  # noqa: E731
    np.testing.assert_allclose(X.grad.asnumpy(), numeric_gradient(loss_x, X0), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(K.grad.asnumpy(), numeric_gradient(loss_k, K0), rtol=1e-6, atol=1e-6)


def test_compose_kernels_np_in_np_out(ctx, rng):
    K1 = rng.uniform(-1, 1, (3, 2, 2, 3)).astype(np.float32)
    K2 = rng.uniform(-1, 1, (4, 3, 3, 2)).astype(np.float32)
    K = exercises.compose_kernels(mx.np.array(K1, ctx=ctx), mx.np.array(K2, ctx=ctx))
    assert type(K) is mx.np.ndarray and K.ctx == ctx and K.dtype == np.float32
    np.testing.assert_array_equal(K.asnumpy(), exercises.compose_kernels(nd.array(K1), nd.array(K2)).asnumpy())
    # The oracle: one correlation with K equals two in a row, on any X.
    X = rng.uniform(-1, 1, (2, 7, 6))
    expected = numpy_conv(numpy_conv(X, K1), K2)
    np.testing.assert_allclose(numpy_conv(X, K.asnumpy()), expected, **rounding(expected))


def test_compose_kernels_follows_its_first_kernel(np_mode):
    K = exercises.compose_kernels(nd.ones((2, 1, 2, 2)), mx.np.ones((1, 2, 2, 2)))
    assert type(K) is nd.NDArray
    K = exercises.compose_kernels(mx.np.ones((2, 1, 2, 2)), nd.ones((1, 2, 2, 2)))
    assert type(K) is mx.np.ndarray
    np.testing.assert_array_equal(K.asnumpy(), [[[[2, 4, 2], [4, 8, 4], [2, 4, 2]]]])


def test_the_books_inputs_as_np_arrays_give_np_results_that_compute_on(np_mode):
    X = mx.np.array(X_IN2)
    K = mx.np.stack((mx.np.array(K_IN2), mx.np.array(K_IN2) + 1, mx.np.array(K_IN2) + 2))
    Y = mxconv.corr2d_multi_in_out(X, K) - mx.np.ones((3, 2, 2))
    assert type(Y) is mx.np.ndarray
    np.testing.assert_array_equal(Y.asnumpy(), np.array(GOLDEN["In[5] print(corr2d_multi_in_out(X, K))"]["values"]) - 1)


def test_exercise_5_check_in_the_np_editions_form(np_mode, rng):
    # The current edition's In[7], on seeded draws (numpy's generator: the global
    # mx.random stream is left alone).
    np_ = mx.np
    for _ in range(20):
        X = np_.array(rng.uniform(0, 1, (3, 3, 3)))
        K = np_.array(rng.uniform(0, 1, (2, 3, 1, 1)))
        Y1 = mxconv.corr2d_multi_in_out_1x1(X, K)
        Y2 = mxconv.corr2d_multi_in_out(X, K)
        assert type(Y1) is np_.ndarray and type(Y2) is np_.ndarray
        assert float(np_.abs(Y1 - Y2).sum()) < 1e-6


def test_the_current_editions_normal_draws_fail_its_check_from_rounding_alone(np_mode, rng):
    # docs/usage.md: with np.random.normal(0, 1, ...) draws, the 1e-6 check fails on
    # some draws, and the differences stay below 1e-5.
    differences = []
    for _ in range(150):
        X = mx.np.array(rng.standard_normal((3, 3, 3)).astype(np.float32))
        K = mx.np.array(rng.standard_normal((2, 3, 1, 1)).astype(np.float32))
        Y1 = mxconv.corr2d_multi_in_out_1x1(X, K)
        Y2 = mxconv.corr2d_multi_in_out(X, K)
        differences.append(float(mx.np.abs(Y1 - Y2).sum()))
    assert any(d >= 1e-6 for d in differences) and max(differences) < 1e-5


def test_the_books_out2_prints_as_the_np_edition_prints(np_mode):
    Y = reference.corr2d_multi_in(mx.np.array(X_IN2), mx.np.array(K_IN2))
    np.testing.assert_array_equal(Y.asnumpy(), GOLDEN["Out[2]"]["values"])
    assert repr(Y) == NP_TEXT["Out[3]"]


# -- the np edition of the command line ------------------------------------------------


def np_edition(**kwargs):
    out = io.StringIO()
    cli.run_section(file=out, edition="np", **kwargs)
    return out.getvalue()


def test_np_edition_prints_the_golden_outputs_in_order():
    out = np_edition()
    position = 0
    for cell in NP_ORDER:
        text = "%s: %s" % (cell, NP_TEXT[cell])
        found = out.find(text, position)
        assert found >= 0, "missing or out of order: %r\n--- output ---\n%s" % (text, out)
        position = found + len(text)
    last = "assert float(d2l.reduce_sum(d2l.abs(Y1 - Y2))) < 1e-6"
    assert out.find(last, position) > position
    assert "NDArray" not in out


def test_np_golden_texts_hold_the_documents_numbers():
    # NP_TEXT is written by hand; its numbers must be the document's.
    for cell, text in NP_TEXT.items():
        source = NP_SOURCE[cell]
        if "values" in GOLDEN[source]:
            numbers = [float(n) for n in re.findall(r"\d+\.", text)]
            assert numbers == np.ravel(GOLDEN[source]["values"]).tolist(), cell
        else:
            assert text == GOLDEN[source]["text"], cell


def test_np_edition_runs_every_cell_on_the_given_ctx_with_np_arrays(monkeypatch):
    seen = []
    for name in ("corr2d_multi_in", "corr2d_multi_in_out", "corr2d_multi_in_out_1x1"):
        def spy(X, K, ctx=None, _fn=getattr(reference, name)):
            Y = _fn(X, K, ctx=ctx)
            seen.append((type(X), X.ctx, type(K), K.ctx, type(Y), Y.ctx))
            return Y
        monkeypatch.setattr(reference, name, spy)
    out = np_edition(ctx=mx.cpu(1))
    on_cpu1 = (mx.np.ndarray, mx.cpu(1)) * 3
    assert seen == [on_cpu1] * 4
    # docs/usage.md: the same text as on cpu(0), since MXNet's numpy arrays name no CPU context.
    monkeypatch.undo()
    assert out == np_edition()


@pytest.mark.parametrize("mode_before", ["nd", "np"])
@pytest.mark.parametrize("edition", ["nd", "np"])
def test_each_edition_runs_in_its_own_mode_and_leaves_the_callers(mode_before, edition):
    if mode_before == "np":
        npx.set_np()
    try:
        out = io.StringIO()
        cli.run_section(file=out, edition=edition)
        assert (mx.util.is_np_array(), mx.util.is_np_shape()) == ((mode_before == "np",) * 2)
    finally:
        npx.reset_np()
    assert ("<NDArray 2x2 @cpu(0)>" in out.getvalue()) == (edition == "nd")
    assert (NP_TEXT["Out[3]"] in out.getvalue()) == (edition == "np")


def test_np_edition_seed_reaches_the_last_cell(book):
    out = np_edition(seed=11)
    assert "# after mx.random.seed(11)" in out
    # The outcome printed is today's assertion on today's draws, run here on the book's own code.
    mx.random.seed(11)
    X, K = mx.np.random.normal(0, 1, (3, 3, 3)), mx.np.random.normal(0, 1, (2, 3, 1, 1))
    Y1 = book_today("corr2d_multi_in_out_1x1", X.asnumpy(), K.asnumpy())
    Y2 = book_today("corr2d_multi_in_out", X.asnumpy(), K.asnumpy())
    with array_mode(numpy=True):  # d2l.reduce_sum(d2l.abs(Y1 - Y2)), as the cell sums it
        total = float(mx.np.abs(mx.np.array(Y1 - Y2)).sum())
    assert out.endswith("# the assertion %s: the sum is %r\n" % ("holds" if total < 1e-6 else "FAILS", total))


@pytest.mark.parametrize("mode_after", ["nd", "np"])
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_np_shapes_mxnet_cannot_compute_are_refused_in_either_mode(name, mode_after):
    # Zero-size and 0-d arrays exist only under numpy shapes; they may reach mxconv
    # after the mode is switched off again.
    fn, kind = FUNCTIONS[name]
    k_shape = {"corr2d": (1, 1), "corr2d_multi_in": (2, 1, 1)}.get(kind, (3, 2, 1, 1))
    npx.set_np()
    try:
        empty = mx.np.zeros((0, 3) if kind == "corr2d" else (2, 0, 3))
        scalar = mx.np.array(5.0)
    finally:
        if mode_after == "nd":
            npx.reset_np()
    try:
        with pytest.raises(mxconv.MxconvError, match=r"X has an axis of size 0"):
            fn(empty, mx.np.ones(k_shape))
        with pytest.raises(mxconv.MxconvError, match=r"X must have .*got 0 axes \(X.shape=\(\)"):
            fn(scalar, mx.np.ones(k_shape))
        nd.waitall()  # and no MXNet error is left pending
    finally:
        npx.reset_np()


def test_integer_np_arrays_compute_in_float32_and_stay_np(rng):
    X = mx.np.array(rng.integers(-9, 9, (2, 4, 4)), dtype=np.int32)
    K = mx.np.array(rng.integers(-9, 9, (3, 2, 2, 2)), dtype=np.int32)
    for fn in (reference.corr2d_multi_in_out, fast.corr2d_multi_in_out):
        Y = fn(X, K)
        assert type(Y) is mx.np.ndarray and Y.dtype == np.float32
        np.testing.assert_array_equal(Y.asnumpy(), numpy_conv(X.asnumpy(), K.asnumpy()))


def test_exercise_5_measures_the_same_under_the_np_mode():
    without = exercises.one_by_one_exactness(seeds=range(3))
    npx.set_np()
    try:
        within = exercises.one_by_one_exactness(seeds=range(3))
    finally:
        npx.reset_np()
    assert within == without
