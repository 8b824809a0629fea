"""Every row of DESIGN.md's table "What bad input gets", for every function it applies to."""
import warnings

import mxnet as mx
import numpy as np
import pytest
from mxnet import autograd, nd

import mxconv
from mxconv import ContextError, MxconvError, MxconvTypeError, RecordingError, SlowReferenceWarning
from mxconv import _inputs, fast, reference

# Every public convolution, with a valid (X, K) for it.
X3 = np.arange(2 * 4 * 5, dtype=np.float32).reshape(2, 4, 5)
VALID = {
    "reference.corr2d": (reference.corr2d, X3[0], np.ones((2, 2))),
    "reference.corr2d_multi_in": (reference.corr2d_multi_in, X3, np.ones((2, 2, 2))),
    "reference.corr2d_multi_in_out": (reference.corr2d_multi_in_out, X3, np.ones((3, 2, 2, 2))),
    "reference.corr2d_multi_in_out_1x1": (reference.corr2d_multi_in_out_1x1, X3, np.ones((3, 2, 1, 1))),
    "fast.corr2d_multi_in": (fast.corr2d_multi_in, X3, np.ones((2, 2, 2))),
    "fast.corr2d_multi_in_out": (fast.corr2d_multi_in_out, X3, np.ones((3, 2, 2, 2))),
    "fast.corr2d_multi_in_out_im2col": (fast.corr2d_multi_in_out_im2col, X3, np.ones((3, 2, 2, 2))),
}
ALL = sorted(VALID)
CHANNELLED = [name for name in ALL if not name.endswith(".corr2d")]
FAST = [name for name in ALL if name.startswith("fast.")]
BOOK_LOOP = ["reference.corr2d", "reference.corr2d_multi_in", "reference.corr2d_multi_in_out"]


_VALID_ONE = object()


def call(name, X=_VALID_ONE, K=_VALID_ONE, **kwargs):
    fn, X0, K0 = VALID[name]
    return fn(X0 if X is _VALID_ONE else X, K0 if K is _VALID_ONE else K, **kwargs)


@pytest.mark.parametrize("name", ALL)
def test_valid_inputs_compute(name):
    assert isinstance(call(name), nd.NDArray)


# Row: wrong number of axes for X or K -> ValueError


@pytest.mark.parametrize("name", ALL)
def test_x_with_wrong_number_of_axes(name):
    X = np.ones((1,) * (VALID[name][1].ndim + 2))  # one axis more than even a batch
    with pytest.raises(MxconvError, match=r"X must have .* axes .*got %d axes \(X.shape=" % X.ndim):
        call(name, X=X)


@pytest.mark.parametrize("name", ALL)
def test_k_with_wrong_number_of_axes(name):
    K = np.ones(VALID[name][2].shape[1:])
    with pytest.raises(MxconvError, match=r"K must have %d axes .*got %d axes \(K.shape=%s\)" % (
            K.ndim + 1, K.ndim, re_shape(K.shape))):
        call(name, K=K)


def re_shape(shape):
    return str(tuple(shape)).replace("(", r"\(").replace(")", r"\)")


def test_axes_error_is_a_value_error_naming_the_function():
    with pytest.raises(ValueError, match=r"^corr2d_multi_in: X must have 3 axes \(c_i, h, w\), got 2"):
        reference.corr2d_multi_in(X3[0], np.ones((2, 2, 2)))


def test_batch_is_for_the_fast_path_only():
    with pytest.raises(MxconvError, match="X must have 3 axes"):
        reference.corr2d_multi_in_out(X3[None], np.ones((3, 2, 2, 2)))
    assert fast.corr2d_multi_in_out(X3[None], np.ones((3, 2, 2, 2))).shape == (1, 3, 3, 4)


# Row: channel count of X differs from K's -> ValueError (the book's zip truncates silently)


@pytest.mark.parametrize("name", CHANNELLED)
def test_channel_mismatch(name):
    X = np.ones((3, 4, 5))
    with pytest.raises(MxconvError, match=r"X has 3 input channels but K has 2 \(X.shape=\(3, 4, 5\), K.shape="):
        call(name, X=X)


def test_channel_mismatch_is_refused_before_any_work():
    # At this size the book's loop would run for hours; the refusal is immediate.
    with pytest.raises(MxconvError, match="X has 3 input channels but K has 2"):
        reference.corr2d_multi_in_out(np.ones((3, 500, 500)), np.ones((64, 2, 3, 3)))


# Row: kernel larger than the (padded) input; an axis of size 0 -> ValueError


@pytest.mark.parametrize("name", [n for n in ALL if not n.endswith("_1x1")])  # 1x1 always fits
def test_kernel_larger_than_input(name):
    X = VALID[name][1][..., :1, :]  # height 1
    K = np.ones(VALID[name][2].shape[:-2] + (2, 1))
    with pytest.raises(MxconvError, match=r"K's window 2x1 is larger than X's input 1x5"):
        call(name, X=X, K=K)


@pytest.mark.parametrize("name", FAST)
def test_kernel_larger_than_padded_input(name):
    K = np.ones(VALID[name][2].shape[:-2] + (7, 7))
    with pytest.raises(MxconvError, match=r"larger than X's padded input 6x7 .*padding=\(1, 1\)"):
        call(name, K=K, padding=1)
    assert call(name, K=K, padding=(2, 1)).shape[-2:] == (2, 1)


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("which", ["X", "K"])
def test_axis_of_size_zero(name, which):
    fn, X, K = VALID[name]
    arrays = {"X": X, "K": K}
    arrays[which] = np.ones((0,) + arrays[which].shape[1:])
    if which == "X" and name != "reference.corr2d":
        arrays["K"] = np.ones(K.shape[:-3] + (0,) + K.shape[-2:]) if K.ndim == 4 else np.ones((0,) + K.shape[1:])
    with pytest.raises(MxconvError, match=r"%s has an axis of size 0" % which):
        fn(arrays["X"], arrays["K"])


# Row: corr2d_multi_in_out_1x1 with a kernel that is not 1x1 -> ValueError


def test_one_by_one_refuses_larger_kernel():
    with pytest.raises(MxconvError, match=r"K must be a 1x1 kernel .*got a 2x2 kernel .*corr2d_multi_in_out"):
        reference.corr2d_multi_in_out_1x1(X3, np.ones((3, 2, 2, 2)))


# Row: ragged lists, strings, objects, non-numeric dtypes -> TypeError or ValueError

BAD_VALUES = {
    "ragged": ([[1, 2], [3]], MxconvError, "ragged"),
    "ragged-3d": ([[[1, 2], [3, 4]], [[1, 2]]], MxconvError, "ragged"),
    "string": ("abc", MxconvTypeError, "must be an array of numbers"),
    "none": (None, MxconvTypeError, "must be an array of numbers"),
    "dict": ({"a": 1}, MxconvTypeError, "must be an array of numbers"),
    "objects": (np.array([[object(), object()]], dtype=object), MxconvTypeError, "dtype object"),
    "strings-array": (np.array([["a", "b"], ["c", "d"]]), MxconvTypeError, "dtype <U1"),
    "complex": (np.ones((2, 2), dtype=np.complex64), MxconvTypeError, "dtype complex64"),
    "datetime": (np.zeros((2, 2), dtype="datetime64[s]"), MxconvTypeError, "dtype datetime64"),
    "mixed-list": ([[1, "a"], [2, 3]], MxconvTypeError, "dtype <U"),
}


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("arg", ["X", "K"])
@pytest.mark.parametrize("bad", sorted(BAD_VALUES))
def test_not_an_array_of_numbers(name, arg, bad):
    value, error, message = BAD_VALUES[bad]
    with pytest.raises(error, match=message) as info:
        call(name, **{arg: value})
    assert str(info.value).startswith(arg + " ")  # names the argument


def test_integer_and_bool_inputs_are_read_as_float32():
    Y = reference.corr2d_multi_in(X3.astype(np.int64), np.ones((2, 2, 2), dtype=bool))
    assert Y.dtype == np.float32
    np.testing.assert_array_equal(Y.asnumpy(), reference.corr2d_multi_in(X3, np.ones((2, 2, 2))).asnumpy())


# Row: padding < 0, stride < 1, not int or pair -> ValueError

BAD_PADDING = [-1, (0, -1), 1.5, "1", (1, 2, 3), (), True, None]
BAD_STRIDE = [0, -2, (1, 0), 2.0, "2", (1, 1, 1), False, None]


@pytest.mark.parametrize("name", FAST)
@pytest.mark.parametrize("padding", BAD_PADDING, ids=repr)
def test_bad_padding(name, padding):
    with pytest.raises(MxconvError, match=r"padding must be an int >= 0 or a pair \(h, w\) of such ints, got ") as info:
        call(name, padding=padding)
    assert str(info.value).endswith(repr(padding))


@pytest.mark.parametrize("name", FAST)
@pytest.mark.parametrize("stride", BAD_STRIDE, ids=repr)
def test_bad_stride(name, stride):
    with pytest.raises(MxconvError, match=r"stride must be an int >= 1 or a pair \(h, w\) of such ints"):
        call(name, stride=stride)


@pytest.mark.parametrize("name", FAST)
def test_numpy_integers_and_lists_are_fine_as_padding_and_stride(name):
    a = call(name, padding=np.int64(1), stride=[2, 1])
    b = call(name, padding=(1, 1), stride=(2, 1))
    np.testing.assert_array_equal(a.asnumpy(), b.asnumpy())


# Row: ctx not a context -> TypeError; mx.gpu(i) without such a GPU -> says num_gpus() is 0


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("ctx", ["cpu(1)", 0, mx.cpu], ids=["str", "int", "function"])
def test_ctx_that_is_not_a_context(name, ctx):
    with pytest.raises(MxconvTypeError, match=r"ctx must be an mxnet Context such as mx.cpu\(1\)"):
        call(name, ctx=ctx)


def test_ctx_type_error_is_a_type_error():
    with pytest.raises(TypeError):
        reference.corr2d(X3[0], np.ones((2, 2)), ctx="gpu")


@pytest.mark.skipif(mx.context.num_gpus() > 0, reason="this machine has a GPU")
@pytest.mark.parametrize("name", ALL)
def test_gpu_without_gpu(name):
    with pytest.raises(ContextError, match=r"ctx=gpu\(0\) asked for a GPU, but mx.context.num_gpus\(\) is 0.*mxnet-cu"):
        call(name, ctx=mx.gpu(0))


def test_gpu_index_beyond_the_machines():
    n = mx.context.num_gpus()
    with pytest.raises(ContextError, match=r"num_gpus\(\) is %d" % n):
        reference.corr2d(X3[0], np.ones((2, 2)), ctx=mx.gpu(n))


@pytest.mark.parametrize("text", ["tpu", "cpu(x)", "cpu(1", "gpu)"])
def test_command_line_ctx_parsing(text):
    with pytest.raises(MxconvError, match="ctx must look like cpu, cpu\\(1\\) or gpu\\(0\\)"):
        _inputs.parse_ctx(text)
    assert _inputs.parse_ctx("cpu(1)") == mx.cpu(1) and _inputs.parse_ctx("cpu") == mx.cpu(0)


# Row: reference path under autograd.record() -> an error naming mxconv.fast


@pytest.mark.parametrize("name", BOOK_LOOP)
def test_book_loop_refuses_autograd_recording(name):
    X = nd.array(VALID[name][1])
    X.attach_grad()
    with autograd.record():
        with pytest.raises(RecordingError, match=r"writes its result in place \(Y\[i, j\] = \.\.\.\).*mxconv\.fast\.corr2d_multi_in"):
            call(name, X=X)


def test_one_by_one_records_as_printed():
    # One nd.dot: the book's In[6] is differentiable, so mxconv lets it be recorded.
    X = nd.array(X3)
    X.attach_grad()
    with autograd.record():
        Y = reference.corr2d_multi_in_out_1x1(X, np.ones((3, 2, 1, 1)))
    Y.backward()
    np.testing.assert_array_equal(X.grad.asnumpy(), np.full(X3.shape, 3.0))


# Row: reference path on a size that would run for minutes -> a warning naming mxconv.fast


@pytest.mark.parametrize("name", BOOK_LOOP)
def test_slow_reference_warns_before_any_work(name):
    fn, X, K = VALID[name]
    X = np.ones(X.shape[:-2] + (300, 300))
    with warnings.catch_warnings():
        # As an error, the warning stops the call before the loop starts: this test
        # would otherwise take minutes.
        warnings.simplefilter("error", SlowReferenceWarning)
        with pytest.raises(SlowReferenceWarning, match=r"will take about \d+ s here .*mxconv\.fast\.corr2d_multi_in.*warn_slow=False"):
            fn(X, K)


def test_slow_warning_points_at_the_callers_line(monkeypatch):
    monkeypatch.setattr(_inputs, "REFERENCE_SECONDS_PER_TERM", 100.0)
    with pytest.warns(SlowReferenceWarning) as record:
        reference.corr2d(X3[0], np.ones((2, 2)))
    assert record[0].filename == __file__


def test_warn_slow_false_silences_it(monkeypatch):
    monkeypatch.setattr(_inputs, "REFERENCE_SECONDS_PER_TERM", 100.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Y = reference.corr2d_multi_in_out(X3, np.ones((3, 2, 2, 2)), warn_slow=False)
    assert Y.shape == (3, 3, 4)


def test_estimate_counts_window_products():
    assert _inputs.reference_terms("corr2d_multi_in_out", (3, 32, 32), (8, 3, 3, 3)) == 8 * 3 * 30 * 30
    assert _inputs.reference_terms("corr2d_multi_in", (3, 32, 32), (3, 3, 3)) == 3 * 30 * 30
    assert _inputs.reference_terms("corr2d", (32, 32), (3, 3)) == 30 * 30


# Row: NaN or Inf -> computed through, as MXNet does


@pytest.mark.parametrize("name", ["reference.corr2d_multi_in", "fast.corr2d_multi_in"])
def test_nan_and_inf_are_computed_through(name):
    X = X3.copy()
    X[0, 0, 0] = np.nan
    X[1, 3, 4] = np.inf
    Y = call(name, X=X).asnumpy()
    assert np.isnan(Y[0, 0]) and np.isposinf(Y[-1, -1])
    assert np.isfinite(Y[1:-1]).all()


def test_errors_are_exported_and_value_errors():
    assert issubclass(mxconv.MxconvError, ValueError)
    assert issubclass(mxconv.MxconvTypeError, TypeError)
    for cls in (ContextError, RecordingError):
        assert issubclass(cls, mxconv.MxconvError)
