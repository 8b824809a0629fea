"""The gate: every row of DESIGN.md's table "What bad input gets", for every function
it applies to, hostile values, and the dtype rules (nothing is silently wrong)."""
import re
import warnings

import mxnet as mx
import numpy as np
import pytest
from mxnet import autograd, nd

import mxconv
from mxconv import (
    ContextError,
    MxconvError,
    MxconvTypeError,
    RecordingError,
    SlowReferenceWarning,
    _checks,
    _inputs,
    fast,
    reference,
)

from ._helpers import convolutions, run, needs_2019
from .oracles import numpy_conv

# Every public convolution (the registry of tests/_helpers.py), with a valid (X, K) for it.
X3 = np.arange(2 * 4 * 5, dtype=np.float32).reshape(2, 4, 5)
_VALID_K = {"corr2d": np.ones((2, 2)), "corr2d_multi_in": np.ones((2, 2, 2)),
            "corr2d_multi_in_out": np.ones((3, 2, 2, 2)), "corr2d_multi_in_out_1x1": np.ones((3, 2, 1, 1))}
CONVOLUTIONS = convolutions()
VALID = {name: (c.fn, X3[0] if c.kind == "corr2d" else X3, _VALID_K[c.kind]) for name, c in CONVOLUTIONS.items()}
ALL = sorted(VALID)
CHANNELLED = [name for name in ALL if not name.endswith(".corr2d")]
FAST = [name for name in ALL if name.startswith("fast.")]
BOOK_LOOP = ["reference.corr2d", "reference.corr2d_multi_in", "reference.corr2d_multi_in_out"]
_VALID_ONE = object()


def call(name, X=_VALID_ONE, K=_VALID_ONE, **kwargs):
    fn, X0, K0 = VALID[name]
    return fn(X0 if X is _VALID_ONE else X, K0 if K is _VALID_ONE else K, **kwargs)


def op_of(name):
    """The name every error of this public function starts with: its own."""
    return CONVOLUTIONS[name].fn.__name__


def re_shape(shape):
    return re.escape(str(tuple(shape)))


@pytest.fixture(autouse=True)
def no_pending_mxnet_error():
    """After every test here, MXNet holds no error for a later, unrelated call."""
    yield
    nd.waitall()


@pytest.mark.parametrize("name", ALL)
def test_valid_inputs_compute(name):
    assert isinstance(call(name), nd.NDArray)


# Row: wrong number of axes for X or K


@pytest.mark.parametrize("name", ALL)
def test_x_with_wrong_number_of_axes(name):
    X = np.ones((1,) * (VALID[name][1].ndim + 2))  # one axis more than even a batch
    with pytest.raises(MxconvError, match=r"^%s: X must have .* axes .*got %d axes \(X.shape=%s, K.shape=" % (
            op_of(name), X.ndim, re_shape(X.shape))):
        call(name, X=X)


@pytest.mark.parametrize("name", ALL)
def test_k_with_wrong_number_of_axes(name):
    K = np.ones(VALID[name][2].shape[1:])
    with pytest.raises(MxconvError, match=r"K must have %d axes .*got %d axes \(X.shape=.*, K.shape=%s\)$" % (
            K.ndim + 1, K.ndim, re_shape(K.shape))):
        call(name, K=K)


def test_axes_error_is_a_value_error_naming_the_function():
    with pytest.raises(ValueError, match=r"^corr2d_multi_in: X must have 3 axes \(c_i, h, w\), got 2"):
        reference.corr2d_multi_in(X3[0], np.ones((2, 2, 2)))


def test_batch_is_for_the_fast_path_only():
    with pytest.raises(MxconvError, match="X must have 3 axes"):
        reference.corr2d_multi_in_out(X3[None], np.ones((3, 2, 2, 2)))
    assert fast.corr2d_multi_in_out(X3[None], np.ones((3, 2, 2, 2))).shape == (1, 3, 3, 4)


# Row: channel count of X differs from K's (the book's zip truncates silently)


@pytest.mark.parametrize("name", CHANNELLED)
def test_channel_mismatch(name):
    X = np.ones((3, 4, 5))
    with pytest.raises(MxconvError, match=r"X has 3 input channels but K has 2 \(X.shape=\(3, 4, 5\), K.shape="):
        call(name, X=X)


def test_channel_mismatch_is_refused_before_any_work():
    # At this size the book's loop would run for hours; the refusal is immediate.
    with pytest.raises(MxconvError, match="X has 3 input channels but K has 2"):
        reference.corr2d_multi_in_out(np.ones((3, 500, 500)), np.ones((64, 2, 3, 3)))


# Row: kernel larger than the (padded) input; an axis of size 0


@pytest.mark.parametrize("name", [n for n in ALL if not n.endswith("_1x1")])  # 1x1 always fits
def test_kernel_larger_than_input(name):
    X = VALID[name][1][..., :1, :]  # height 1
    K = np.ones(VALID[name][2].shape[:-2] + (2, 1))
    with pytest.raises(MxconvError, match=r"K's window 2x1 is larger than X's input 1x5"):
        call(name, X=X, K=K)


@pytest.mark.parametrize("name", FAST)
def test_kernel_larger_than_padded_input(name):
    K = np.ones(VALID[name][2].shape[:-2] + (7, 7))
    with pytest.raises(MxconvError, match=r"larger than X's padded input 6x7 .*padding=\(1, 1\)\)$"):
        call(name, K=K, padding=1)
    assert call(name, K=K, padding=(2, 1)).shape[-2:] == (2, 1)


@pytest.mark.parametrize("name", FAST)
def test_padded_width_reads_the_width_padding(name):
    # X is 4x5; padding (2, 0) makes it 8x5: a window 5 wide fits, 6 wide does not,
    # though the height's padding alone would make room for it.
    fits = call(name, K=np.ones(VALID[name][2].shape[:-2] + (3, 5)), padding=(2, 0))
    assert fits.shape[-2:] == (6, 1)
    with pytest.raises(MxconvError, match=r"K's window 3x6 is larger than X's padded input 8x5"):
        call(name, K=np.ones(VALID[name][2].shape[:-2] + (3, 6)), padding=(2, 0))


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


# Row: corr2d_multi_in_out_1x1 with a kernel that is not 1x1


@pytest.mark.parametrize("k_hw", [(2, 2), (2, 1), (1, 2), (3, 1), (1, 5)])
@pytest.mark.parametrize("name", [n for n in ALL if n.endswith("_1x1")])
def test_one_by_one_refuses_every_other_kernel(name, k_hw):
    # a k_h x 1 or 1 x k_w kernel too: a check of one side only would let MXNet's bare reshape error through
    with pytest.raises(MxconvError, match=r"^corr2d_multi_in_out_1x1: K must be a 1x1 kernel .*got a %dx%d kernel"
                                          r"; corr2d_multi_in_out takes any size" % k_hw):
        CONVOLUTIONS[name].fn(X3, np.ones((3, 2) + k_hw))


# Row: ragged lists, strings, objects, non-numeric dtypes

BAD_VALUES = {
    "ragged": ([[1, 2], [3]], MxconvError, "is ragged"),
    "ragged-3d": ([[[1, 2], [3, 4]], [[1, 2]]], MxconvError, "is ragged"),
    "ragged-deep": ([[1, 2], [3, [4]]], MxconvError, "is ragged"),
    "string": ("abc", MxconvTypeError, "must be an array of numbers .* got str"),
    "none": (None, MxconvTypeError, "must be an array of numbers .* got NoneType"),
    "dict": ({"a": 1}, MxconvTypeError, "must be an array of numbers .* got dict"),
    "set": ({1, 2}, MxconvTypeError, "must be an array of numbers .* got set"),
    "objects": (np.array([[object(), object()]], dtype=object), MxconvTypeError, "dtype object"),
    "strings-array": (np.array([["a", "b"], ["c", "d"]]), MxconvTypeError, "dtype <U1"),
    "complex": (np.ones((2, 2), dtype=np.complex64), MxconvTypeError, "dtype complex64"),
    "complex-list": ([[1 + 2j, 1]], MxconvTypeError, "element of type complex"),
    "datetime": (np.zeros((2, 2), dtype="datetime64[s]"), MxconvTypeError, "dtype datetime64"),
    "longdouble": (np.ones((2, 2), dtype=np.longdouble), MxconvTypeError, "dtype float128"),
    "mixed-list": ([[1, "a"], [2, 3]], MxconvTypeError, "element of type str"),
    "masked": (np.ma.masked_array(np.ones((2, 2)), mask=[[0, 1], [0, 0]]), MxconvTypeError,
               r"masked array.*does not honour masks.*filled\(0\)"),
    "huge-int": ([[2**70, 1]], MxconvError, "holds the integer 1180591620717411303424, which no float dtype"),
}


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("arg", ["X", "K"])
@pytest.mark.parametrize("bad", sorted(BAD_VALUES))
def test_not_an_array_of_numbers(name, arg, bad):
    value, error, message = BAD_VALUES[bad]
    with pytest.raises(error, match=message) as info:
        call(name, **{arg: value})
    assert str(info.value).startswith("%s: %s " % (op_of(name), arg))  # names the function and the argument


def test_conversion_changes_no_warnings_filter():
    # Ragged lists are found without numpy's deprecation warning, so without
    # catching warnings: a filter the gate set could leak into other threads.
    before = list(warnings.filters)
    with pytest.raises(MxconvError, match="ragged"):
        fast.corr2d_multi_in([[[1, 2], [3]]], [[[1]]])
    assert warnings.filters == before


# Dtypes: nothing rounded or overflowed silently


def test_integer_and_bool_inputs_are_read_as_float32():
    Y = reference.corr2d_multi_in(X3.astype(np.int64), np.ones((2, 2, 2), dtype=bool))
    assert Y.dtype == np.float32
    np.testing.assert_array_equal(Y.asnumpy(), reference.corr2d_multi_in(X3, np.ones((2, 2, 2))).asnumpy())


@pytest.mark.parametrize("X", [np.array([[[2**24 + 1]]], dtype=np.int64), [[[2**24 + 1]]],
                               nd.array([[[2**24 + 1]]], dtype="int64")], ids=["numpy", "list", "ndarray"])
def test_integers_float32_cannot_hold_are_computed_in_float64(X):
    Y = fast.corr2d_multi_in_out(X, np.ones((1, 1, 1, 1), dtype=np.float32))
    assert Y.dtype == np.float64 and Y.asnumpy().item() == 2**24 + 1
    Y = fast.corr2d_multi_in_out(X, np.ones((1, 1, 1, 1)))  # a float64 kernel
    assert Y.dtype == np.float64 and Y.asnumpy().item() == 2**24 + 1
    assert reference.corr2d_multi_in_out_1x1(X, [[[[1]]]]).asnumpy().item() == 2**24 + 1


@needs_2019
@pytest.mark.parametrize("name", BOOK_LOOP)
def test_book_loop_refuses_what_its_float32_result_cannot_hold(name):
    fn, X, K = VALID[name]
    big = np.full(X.shape, 2**24 + 1, dtype=np.int64)
    with pytest.raises(MxconvError, match=r"X holds values that float32 cannot hold exactly, and the book's path "
                                          r"returns float32 .*mxconv\.fast\.corr2d_multi_in"):
        fn(big, K)
    huge = np.full(X.shape, 1e300)
    with pytest.raises(MxconvError, match=r"X or K holds 1e\+300, beyond float32's largest"):
        fn(huge, K)
    assert np.isposinf(fn(np.full(X.shape, np.inf), K).asnumpy()).all()  # Inf is computed through


def test_a_list_takes_a_float64_partners_dtype():
    Y = fast.corr2d_multi_in_out(np.ones((1, 2, 2)), [[[[0.1]]]])
    assert Y.dtype == np.float64 and Y.asnumpy()[0, 0, 0] == 0.1  # not 0.10000000149


def test_a_list_keeps_float32_beside_float32_as_nd_array_does():
    Y = fast.corr2d_multi_in_out(np.ones((1, 2, 2), dtype=np.float32), [[[[0.1]]]])
    assert Y.dtype == np.float32 and Y.asnumpy()[0, 0, 0] == np.float32(0.1)


@pytest.mark.parametrize("value", [1e300, -1e300, 1e-300])
def test_list_values_float32_cannot_hold_widen_the_computation(value):
    Y = fast.corr2d_multi_in_out([[[value]]], [[[[1]]]])
    assert Y.dtype == np.float64 and Y.asnumpy().item() == value


def test_byte_swapped_floats_are_ordinary_floats():
    X = X3.astype(">f4")
    Y = fast.corr2d_multi_in(X, np.ones((2, 2, 2)).astype(">f8"))
    assert Y.dtype == np.float64
    np.testing.assert_array_equal(Y.asnumpy(), numpy_conv(X3, np.ones((1, 2, 2, 2)))[0])


# Row: padding and stride


BAD_PADDING = [-1, (0, -1), 1.5, "1", (1, 2, 3), (), True, None, 2**31, 2**62, (0, 2**32 + 1)]
BAD_STRIDE = [0, -2, (1, 0), 2.0, "2", (1, 1, 1), False, None, 2**31, 2**32 + 1, (1, 2**40)]


@pytest.mark.parametrize("name", FAST)
@pytest.mark.parametrize("padding", BAD_PADDING, ids=repr)
def test_bad_padding(name, padding):
    with pytest.raises(MxconvError, match=r"padding must be an int in \[0, 2\*\*31\) or a pair \(h, w\) of such ints"
                                          r" \(MXNet stores it as a 32-bit int\), got ") as info:
        call(name, padding=padding)
    assert repr(padding) in str(info.value)


@pytest.mark.parametrize("name", FAST)
@pytest.mark.parametrize("stride", BAD_STRIDE, ids=repr)
def test_bad_stride(name, stride):
    with pytest.raises(MxconvError, match=r"stride must be an int in \[1, 2\*\*31\) or a pair \(h, w\) of such ints"):
        call(name, stride=stride)


@pytest.mark.parametrize("name", FAST)
def test_the_largest_stride_mxnet_takes_gives_the_first_window(name):
    Y = call(name, stride=2**31 - 1)
    assert Y.shape[-2:] == (1, 1)
    _, X, K = VALID[name]
    K = K[None] if K.ndim == 3 else K
    np.testing.assert_allclose(Y.asnumpy().ravel(), numpy_conv(X, K)[..., 0, 0].ravel(), rtol=1e-6)


@pytest.mark.parametrize("name", FAST)
def test_numpy_integers_and_lists_are_fine_as_padding_and_stride(name):
    a = call(name, padding=np.int64(1), stride=[2, 1])
    b = call(name, padding=(1, 1), stride=(2, 1))
    np.testing.assert_array_equal(a.asnumpy(), b.asnumpy())


# Sizes: every array a call makes is refused before it is made when it passes the limit


@pytest.mark.parametrize("name", FAST)
def test_padding_that_asks_for_terabytes(name):
    elements = 2 * (4 + 2 * 10**6) * (5 + 2 * 10**6)  # X is (2, 4, 5)
    with pytest.raises(MxconvError, match=r"X padded by padding would hold %d elements .*"
                                          r"more than the 2\*\*31 - 1 that MXNet 1.9.1 can index" % elements):
        call(name, padding=10**6)


@pytest.mark.parametrize("name", FAST)
def test_arrays_above_the_byte_limit(name, monkeypatch):
    monkeypatch.setattr(_checks, "MAX_ARRAY_BYTES", 1000)
    with pytest.raises(MxconvError, match=r"would take .* more than mxconv's limit of 1000 bytes per array"):
        call(name, padding=20)


def test_im2col_counts_its_buffer(monkeypatch):
    X, K = np.ones((2, 10, 10), np.float32), np.ones((3, 2, 3, 3), np.float32)
    # The buffer holds 2 * 3 * 3 = 18 rows of 8 * 8 windows, 4608 bytes; the output 768.
    monkeypatch.setattr(_checks, "MAX_ARRAY_BYTES", 4000)
    assert fast.corr2d_multi_in_out(X, K).shape == (3, 8, 8)
    with pytest.raises(MxconvError, match=r"im2col's buffer of every window would take 4608 bytes \(shape \(18, 64\)"):
        fast.corr2d_multi_in_out_im2col(X, K)


# Row: ctx


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


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("ctx, message", [
    (mx.cpu(-1), r"ctx=cpu\(-1\): a CPU device id must be in 0\.\.1023"),
    (mx.cpu(1024), r"ctx=cpu\(1024\): a CPU device id must be in 0\.\.1023"),
    (mx.cpu(10**9), r"ctx=cpu\(1000000000\): a CPU device id"),
    (mx.gpu(-1), r"ctx=gpu\(-1\): a GPU device id must be >= 0"),
    (mx.cpu_pinned(0), r"mxconv computes on cpu\(i\) and gpu\(i\) contexts, not cpu_pinned"),
    (mx.Context("cpu_shared", 0), r"not cpu_shared"),
], ids=["cpu-1", "cpu1024", "cpu1e9", "gpu-1", "pinned", "shared"])
def test_contexts_mxconv_cannot_compute_on(name, ctx, message):
    with pytest.raises(ContextError, match=message):
        call(name, ctx=ctx)


def test_the_largest_cpu_id_works():
    assert fast.corr2d_multi_in(X3, np.ones((2, 2, 2)), ctx=mx.cpu(1023)).context == mx.cpu(1023)


def test_a_bad_current_context_is_refused_too():
    with mx.cpu(5000):
        with pytest.raises(ContextError, match=r"cpu\(5000\)"):
            fast.corr2d_multi_in(X3, np.ones((2, 2, 2)))


@pytest.mark.parametrize("text", ["tpu", "cpu(x)", "cpu(1", "gpu)", "", "cpu(", "cpu()", "cpu(-1)", "cpu(1)x",
                                  "gpu(" + "9" * 40 + ")"])
def test_command_line_ctx_parsing(text):
    with pytest.raises(MxconvError, match=r"--ctx must look like cpu, cpu\(1\) or gpu\(0\)"):
        _inputs.parse_ctx(text)


def test_command_line_ctx_parsing_valid():
    assert _inputs.parse_ctx("cpu(1)") == mx.cpu(1) and _inputs.parse_ctx(" cpu ") == mx.cpu(0)
    with pytest.raises(ContextError, match=r"cpu\(99999999999999999999\): a CPU device id must be in 0\.\.1023"):
        _inputs.parse_ctx("cpu(99999999999999999999)")


# Row: reference path under autograd.record()


@pytest.mark.parametrize("name", BOOK_LOOP)
def test_book_loop_refuses_autograd_recording(name):
    X = nd.array(VALID[name][1])
    X.attach_grad()
    with autograd.record():
        with pytest.raises(RecordingError, match=r"writes its result in place \(Y\[i, j\] = \.\.\.\).*"
                                                 r"mxconv\.fast\.corr2d_multi_in"):
            call(name, X=X)


def test_one_by_one_records_as_printed():
    # One nd.dot: the book's In[6] is differentiable, so mxconv lets it be recorded.
    X = nd.array(X3)
    X.attach_grad()
    with autograd.record():
        Y = reference.corr2d_multi_in_out_1x1(X, np.ones((3, 2, 1, 1)))
    Y.backward()
    np.testing.assert_array_equal(X.grad.asnumpy(), np.full(X3.shape, 3.0))


# Row: reference path on a size that would run for minutes


@pytest.mark.parametrize("name", BOOK_LOOP)
def test_slow_reference_warns_before_any_work(name):
    fn, X, K = VALID[name]
    X = np.ones(X.shape[:-2] + (300, 300))
    with warnings.catch_warnings():
        # As an error, the warning stops the call before the loop starts: this test
        # would otherwise take minutes.
        warnings.simplefilter("error", SlowReferenceWarning)
        with pytest.raises(SlowReferenceWarning, match=r"will take about \d+ s here .*mxconv\.fast\.corr2d_multi_in"
                                                       r".*warn_slow=False"):
            fn(X, K)


@needs_2019
def test_slow_warning_points_at_the_callers_line(monkeypatch):
    monkeypatch.setattr(reference, "SECONDS_PER_TERM", 100.0)
    with pytest.warns(SlowReferenceWarning) as record:
        reference.corr2d(X3[0], np.ones((2, 2)))
    assert record[0].filename == __file__


@needs_2019
def test_warn_slow_false_silences_it(monkeypatch):
    monkeypatch.setattr(reference, "SECONDS_PER_TERM", 100.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Y = reference.corr2d_multi_in_out(X3, np.ones((3, 2, 2, 2)), warn_slow=False)
    assert Y.shape == (3, 3, 4)


def test_estimate_counts_window_products():
    assert reference.terms((3, 32, 32), (8, 3, 3, 3)) == 8 * 3 * 30 * 30
    assert reference.terms((3, 32, 32), (3, 3, 3)) == 3 * 30 * 30
    assert reference.terms((32, 32), (3, 3)) == 30 * 30


# Row: NaN and Inf are computed through


@pytest.mark.parametrize("name", ["reference.corr2d_multi_in", "fast.corr2d_multi_in"])
def test_nan_is_computed_through(name):
    X = X3.copy()
    X[0, 0, 0] = np.nan
    Y = call(name, X=X).asnumpy()
    assert np.isnan(Y[0, 0]) and np.isfinite(Y.ravel()[1:]).all()


@pytest.mark.parametrize("name", ["reference.corr2d_multi_in", "fast.corr2d_multi_in"])
@pytest.mark.parametrize("weight, expected", [(1.0, np.inf), (-1.0, -np.inf), (0.0, np.nan)])
def test_inf_times_its_weight(name, weight, expected):
    # As IEEE 754 has it: inf * 1 = inf, inf * -1 = -inf, inf * 0 = nan.
    X = np.ones((2, 3, 3), np.float32)
    X[0, 0, 0] = np.inf
    K = np.ones((2, 2, 2), np.float32)
    K[0, 0, 0] = weight
    Y = call(name, X=X, K=K).asnumpy()
    np.testing.assert_array_equal(Y[0, 0], expected)
    assert np.isfinite(Y.ravel()[1:]).all()


def test_errors_are_exported_and_value_errors():
    assert issubclass(mxconv.MxconvError, ValueError)
    assert issubclass(mxconv.MxconvTypeError, TypeError)
    assert issubclass(ContextError, mxconv.MxconvError)
    # autograd.record() is a state of the caller, not a bad argument
    assert issubclass(RecordingError, RuntimeError) and not issubclass(RecordingError, ValueError)


# Each hostile example of the hardening report, in a process of its own: mxconv's
# error (or the right answer) within seconds, and a process that exits normally.

HOSTILE = {
    "im2col stride 2**32+1": ("fast.corr2d_multi_in_out_im2col(X, K, stride=2**32 + 1)", "stride must be an int"),
    "stride 2**31": ("fast.corr2d_multi_in_out(X, K, stride=2**31)", "stride must be an int"),
    "cpu(10**9)": ("fast.corr2d_multi_in_out(X, K, ctx=mx.cpu(10**9))", "a CPU device id must be in"),
    "gpu(-1)": ("mxconv.corr2d_multi_in_out(X, K, ctx=mx.gpu(-1))", "a GPU device id must be >= 0"),
    "padding 2**62": ("fast.corr2d_multi_in_out(X, K, padding=2**62)", "padding must be an int"),
    "padding 10**6": ("fast.corr2d_multi_in_out(X, K, padding=10**6)", "X padded by padding"),
    "float16 compose": ("exercises.compose_kernels(nd.ones((2, 2, 1, 1), dtype='float16'), "
                        "nd.ones((1, 2, 1, 1), dtype='float16')).dtype", "float16"),
}


@pytest.fixture(scope="module")
def hostile_outputs():
    """Every HOSTILE expression in one process of its own, each followed by a valid call:
    {case: what the process printed for it}. A crash of MXNet's engine ends the process."""
    code = ["import mxnet as mx, numpy as np", "from mxnet import nd", "import mxconv",
            "from mxconv import exercises, fast",
            "X, K = np.ones((2, 3, 3), np.float32), np.ones((1, 2, 2, 2), np.float32)"]
    for case, (expression, _) in sorted(HOSTILE.items()):
        code += ["print('== %s')" % case,
                 "try:\n    print(%s)\nexcept mxconv.MxconvError as err:\n    print('refused:', err)" % expression,
                 "print(mxconv.corr2d([[1, 2], [3, 4]], [[1]]).asnumpy().sum())",  # the next valid call works
                 "nd.waitall()"]
    returncode, out, err = run("-c", "\n".join(code), timeout=120)
    assert returncode == 0, err
    return {block.split("\n", 1)[0]: block for block in out.split("== ")[1:]}


@needs_2019
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_example_in_its_own_process(case, hostile_outputs):
    expected = HOSTILE[case][1]
    out = hostile_outputs[case]
    assert expected in out, out
    assert out.splitlines()[-1] == "10.0"


def test_the_documented_example_message():
    with pytest.raises(MxconvError) as info:
        fast.corr2d_multi_in_out(np.ones((3, 5, 5)), np.ones((4, 2, 3, 3)))
    assert str(info.value) == ("corr2d_multi_in_out: X has 3 input channels but K has 2 "
                               "(X.shape=(3, 5, 5), K.shape=(4, 2, 3, 3))")


def test_the_documented_estimate():
    # docs/usage.md: 14 s for a 3x32x32 input and 8 output channels of 3x3.
    seconds = reference.estimated_seconds((3, 32, 32), (8, 3, 3, 3))
    assert seconds == pytest.approx(8 * 3 * 30 * 30 * 0.65e-3) and round(seconds) == 14


# One name and one scope per public function; options are keyword-only.

from mxconv import exercises, figures  # noqa: E402

BAD_CALLS = {  # every public function that checks arguments, with one bad call each
    **{name: (lambda c=c: c.fn(np.ones((1,) * 7), VALID[name][2])) for name, c in CONVOLUTIONS.items()},
    "exercises.compose_kernels": lambda: exercises.compose_kernels(np.ones((2, 2)), np.ones((1, 1, 1, 1))),
    "exercises.conv_cost": lambda: exercises.conv_cost(0, 3, 3, 3, 2, 2),
    "exercises.strip_cost": lambda: exercises.strip_cost(1, 3, 3, 1, 2, 2, 0),
    "exercises.corr2d_strips": lambda: exercises.corr2d_strips(np.ones((2, 3, 3)), np.ones((1, 1, 2, 2)), 1),
    "exercises.one_by_one_exactness": lambda: exercises.one_by_one_exactness([]),
    "exercises.channel_dependence": lambda: exercises.channel_dependence(6, 4),
    "exercises.exercise_answers": lambda: exercises.exercise_answers("tf"),
    "figures.window_sum_text": lambda: figures.window_sum_text(np.ones((5, 3, 3)), np.ones((5, 2, 2))),
    "figures.draw_multi_in": lambda: figures.draw_multi_in(3),
    "figures.draw_one_by_one": lambda: figures.draw_one_by_one(".", np.ones((2, 3, 3)), np.ones((1, 2, 2, 2))),
    "cli.run_section": lambda: mxconv.cli.run_section(seed=-1),
}


@pytest.mark.parametrize("name", sorted(BAD_CALLS))
def test_every_error_starts_with_the_functions_own_name(name):
    with pytest.raises(MxconvError) as info:
        BAD_CALLS[name]()
    own = name.split(".")[-1]
    assert str(info.value).startswith(own + ": "), str(info.value)


@pytest.mark.parametrize("name", sorted(CONVOLUTIONS))
def test_options_are_keyword_only(name):
    fn, X, K = VALID[name]
    with pytest.raises(TypeError, match="positional argument"):
        fn(X, K, mx.cpu(1))


def test_the_trap_of_a_positional_ctx_is_gone():
    with pytest.raises(TypeError, match=r"takes 2 positional arguments but 3 were given"):
        fast.corr2d_multi_in(X3, np.ones((2, 2, 2)), mx.cpu(1))
    with pytest.raises(TypeError, match="positional argument"):
        exercises.conv_cost(2, 3, 3, 3, 2, 2, 1)


def test_a_scope_is_named_by_a_functions_name():
    with pytest.raises(AssertionError, match="not a function's name"):
        with _checks.scope("two words"):
            pass


def test_the_float64_column_buffer_is_counted_before_mxnet_runs():
    # MXNet's own float64 convolution indexes a (c_i k_h k_w, out_h out_w) buffer with 32-bit ints:
    # 65536 x 65538 elements here, from a 68 MB X. Refused at the call; nothing is left pending.
    X, K = np.ones((1, 257, 33024)), np.ones((1, 1, 256, 256))
    for fn in (fast.corr2d_multi_in_out, lambda X, K: fast.corr2d_multi_in(X, K[0])):
        with pytest.raises(MxconvError, match=r"MXNet's float64 column buffer would hold 4295098368 elements "
                                              r"\(shape \(65536, 65538\)\)"):
            fn(X, K)
    assert fast.corr2d_multi_in_out(X[:, :40, :300].astype(np.float32), K[..., :30, :30].astype(np.float32)).shape \
        == (1, 11, 271)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_onednns_stride_limit_is_refused_and_the_largest_stride_computes(dtype):
    # oneDNN describes a window with stride + padding in 32 bits (found by bisection):
    # 2**31 - 2 with padding 1 computes; 2**31 - 1 with padding 1 failed at the next read.
    X, K = np.ones((1, 4, 4), dtype), np.ones((1, 1, 3, 3), dtype)
    for stride, padding in (((2**31 - 1, 1), (1, 0)), ((1, 2**31 - 1), (0, 1)), (2**31 - 2, 2)):
        with pytest.raises(MxconvError, match=r"stride \+ padding along the (height|width) is \d+ \+ \d+ = 2147483648"
                                              r", more than the 2\*\*31 - 1"):
            fast.corr2d_multi_in_out(X, K, padding=padding, stride=stride)
    # one window row of two (padded above: 2 rows x 3 columns of ones), and one whole window
    for stride, padding, expected in (((2**31 - 2, 1), (1, 0), [6.0, 6.0]), (2**31 - 1, 0, [9.0])):
        Y = fast.corr2d_multi_in_out(X, K, padding=padding, stride=stride)
        assert Y.asnumpy().ravel().tolist() == expected
    nd.waitall()  # nothing left pending


def test_float64_takes_any_stride_below_2_to_the_31():
    Y = fast.corr2d_multi_in_out(np.ones((1, 4, 4)), np.ones((1, 1, 3, 3)), padding=1, stride=2**31 - 1)
    assert Y.asnumpy().ravel().tolist() == [4.0]


@pytest.mark.parametrize("name", ["fast.corr2d_multi_in", "reference.corr2d_multi_in"])
def test_numpy_scalars_in_lists_are_judged_by_their_dtype(name):
    fn = CONVOLUTIONS[name].fn
    one = [[[1.0]]]
    # 0-d arrays are scalars, of their own dtype's rules
    assert fn([[[np.array(2.0), np.array(3, np.int64)]]], one).asnumpy().tolist() == [[2.0, 3.0]]
    with pytest.raises(MxconvError, match=r"holds the integer 9007199254740993, which no float dtype holds exactly"):
        fn([[[np.array(2**53 + 1)]]], one)
    if np.dtype(np.longdouble).itemsize > 8:  # longdouble refused like a float128 array, not rounded to inf
        for value in (np.longdouble("1e4000"), np.longdouble(1.5), np.array(np.longdouble(1.5))):
            with pytest.raises(MxconvTypeError, match=r"X must hold real numbers of dtype float16/float32/float64 "
                                                      r"\(or integers\), got an element of type float128"):
                fn([[[value]]], one)


@pytest.mark.parametrize("values", [[[[2**53 + 1]]], np.array([[[2**53 + 1]]], np.int64),
                                    [[[-(2**53) - 1]]], np.array([[[2**63 - 1]]], np.int64)])
@pytest.mark.parametrize("name", ["fast.corr2d_multi_in", "reference.corr2d_multi_in"])
def test_integers_past_2_to_the_53_are_refused_not_rounded(name, values):
    with pytest.raises(MxconvError, match=r"which no float dtype holds exactly \(float64 holds integers up to 2\*\*53"):
        CONVOLUTIONS[name].fn(values, [[[1.0]]])
    if name.startswith("fast."):  # 2**53 itself is exact in float64 (the book's path refuses it: float32)
        assert CONVOLUTIONS[name].fn([[[2**53]]], [[[1.0]]]).asnumpy().tolist() == [[2.0**53]]


class _Bfloat16Like:
    """Stands for a torch bfloat16 tensor: numpy cannot read it."""

    dtype = "torch.bfloat16"

    def __array__(self, *args, **kwargs):
        raise TypeError("Got unsupported ScalarType BFloat16")


@pytest.mark.parametrize("name", ALL)
def test_an_object_numpy_cannot_read_gets_the_gates_words(name):
    fn, X, K = VALID[name]
    with pytest.raises(MxconvTypeError, match=r"X \(a _Bfloat16Like\) could not be read as a numpy array: TypeError: "
                                              r"Got unsupported ScalarType BFloat16 \(X has dtype torch.bfloat16, "
                                              r"which numpy cannot hold: convert it to float32 first\)"):
        fn(_Bfloat16Like(), K)


@pytest.mark.parametrize("shape", [(2**31, 1, 1), (1, 2**16, 2**15)])
def test_exactly_2_to_the_31_elements_are_refused_before_any_work(shape):
    # The bound itself: MXNet 1.9.1 indexes with 32-bit ints, 2**31 - 1 elements at most.
    from mxconv import _checks as checks

    with pytest.raises(MxconvError, match=r"would hold 2147483648 elements"):
        checks.check_sizes([("X", shape)], np.dtype(np.float32))
    with pytest.raises(MxconvError, match=r"2147483647 elements.*mxconv's limit|would take"):
        checks.check_sizes([("X", (2**31 - 1, 1, 1))], np.dtype(np.float32))  # indexable, yet past the byte limit


def test_a_list_of_ints_and_a_huge_float_is_widened_to_float64():
    # 1e39 is past float32's range: computing in float32 would give inf
    Y = fast.corr2d_multi_in_out([[[1, 10**6, 1e39]]], [[[[2]]]])
    assert Y.dtype == np.float64
    assert Y.asnumpy().tolist() == [[[2.0, 2e6, 2e39]]]


def test_an_error_mxnet_raises_late_names_mxnets_own_cause():
    from mxconv import _inputs

    # MXNet 1.9.1 cannot cast a view of oneDNN's output to float16: the error surfaces
    # only when the result is read
    A, B = nd.ones((1, 1, 4, 4)), nd.ones((1, 1, 2, 1))
    pieces = [nd.Convolution(nd.slice_axis(A, axis=3, begin=j, end=j + 1), B, kernel=(2, 1), num_filter=1,
                             no_bias=True) for j in range(4)]
    Y = nd.concat(*pieces, dim=3)[0].astype("float16")
    with pytest.raises(MxconvError, match=r"^MXNet could not compute this \(Check failed: !is_view"):
        _inputs.settled(Y)
    nd.waitall()  # nothing left pending
    assert fast.corr2d_multi_in_out(np.ones((1, 2, 2)), np.ones((1, 1, 1, 1))).asnumpy().sum() == 4
