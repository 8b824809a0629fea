"""The one gate every public mxconv function passes its arguments through (internal).

Conversion to NDArray, shape checks, padding and stride, ctx resolution and
placement, and the two guards of the book's path (autograd, run time). No other
module of mxconv inspects shapes; each public function calls one helper here
before it does any work, so that bad input gets a clear :class:`MxconvError`
(or :class:`MxconvTypeError`) naming the argument, what was expected and what came.
"""
import functools
import numbers
import warnings
from typing import NamedTuple, Tuple

import mxnet as mx
import numpy as np
from mxnet import nd
from mxnet.ndarray.sparse import BaseSparseNDArray

from ._errors import ContextError, MxconvError, MxconvTypeError, RecordingError, SlowReferenceWarning

FLOAT_DTYPES = ("float16", "float32", "float64")
_FLOATS = frozenset(np.dtype(name) for name in FLOAT_DTYPES)
_FLOAT32 = np.dtype(np.float32)

# The book's path issues four tiny MXNet operations (slice, multiply, sum, write)
# for every term c_o * c_i * out_h * out_w of the result. Measured once on the
# project's 2-core build machine (mxnet 1.9.1 CPU wheel, default threads): median
# of 3 runs of the book's corr2d_multi_in_out on (c_i, h, c_o, k) = (3, 12, 4, 3),
# (2, 20, 2, 3), (1, 30, 1, 1), (4, 8, 4, 5): 612 to 770 microseconds per term.
REFERENCE_SECONDS_PER_TERM = 6.5e-4
# Above this estimate the book's path warns and points at mxconv.fast.
REFERENCE_WARN_SECONDS = 30.0


class Spec(NamedTuple):
    """What one operation accepts."""

    x_layouts: Tuple[str, ...]  # accepted layouts of X, one per number of axes
    k_layout: str
    k_channel_axis: int  # the axis of K that must equal X's channel count, or None
    one_by_one: bool = False


_X3 = "(c_i, h, w)"
_X4 = "(n, c_i, h, w)"
_K4 = "(c_o, c_i, k_h, k_w)"
SPECS = {
    "corr2d": Spec(("(h, w)",), "(k_h, k_w)", None),
    "corr2d_multi_in": Spec((_X3,), "(c_i, k_h, k_w)", 0),
    "corr2d_multi_in_out": Spec((_X3,), _K4, 1),
    "corr2d_multi_in_out_1x1": Spec((_X3,), "(c_o, c_i, 1, 1)", 1, one_by_one=True),
}


class ConvArgs(NamedTuple):
    """Checked arguments of a convolution, placed on ``ctx``, with what the gate read
    of them (so that the compute layers need not ask MXNet again)."""

    X: nd.NDArray
    K: nd.NDArray
    ctx: mx.Context
    padding: Tuple[int, int]
    stride: Tuple[int, int]
    x_shape: Tuple[int, ...]
    k_shape: Tuple[int, ...]
    dtype: np.dtype

    def output_hw(self):
        """The result's (out_h, out_w)."""
        return output_hw(self.x_shape[-2:], self.k_shape[-2:], self.padding, self.stride)


def output_hw(x_hw, k_hw, padding=(0, 0), stride=(1, 1)):
    """(out_h, out_w) = ((h + 2 p_h - k_h) // s_h + 1, (w + 2 p_w - k_w) // s_w + 1)."""
    return tuple((x + 2 * p - k) // s + 1 for x, k, p, s in zip(x_hw, k_hw, padding, stride))


@functools.lru_cache(maxsize=None)
def _layout_ndim(layout):
    return layout.count(",") + 1


def as_array(name, value):
    """Read ``value`` as an NDArray or a numpy array of a float dtype (no copy to a device yet).

    Returns the array and its numpy dtype. NDArrays and numpy arrays of float16/32/64
    keep their dtype; integers, booleans and nested lists of Python numbers become
    float32, as ``nd.array`` makes them.
    """
    if isinstance(value, nd.NDArray):
        if isinstance(value, BaseSparseNDArray):
            value = value.tostype("default")
        elif type(value) is not nd.NDArray and hasattr(value, "as_nd_ndarray"):
            value = value.as_nd_ndarray()  # mxnet.numpy arrays
        return _float_dtype(name, value, np.dtype(value.dtype), keep_float=True)
    if value is None or isinstance(value, (str, bytes, dict, set)):
        raise MxconvTypeError(
            "%s must be an array of numbers (NDArray, numpy array or nested lists), got %s"
            % (name, type(value).__name__)
        )
    try:
        with warnings.catch_warnings():
            # numpy < 1.24 only warns when it makes an object array of ragged lists
            warnings.simplefilter("error")
            array = np.asarray(value)
    except (ValueError, TypeError, Warning) as err:
        raise MxconvError(
            "%s must be a rectangular array of numbers; this %s is ragged or mixed (%s)"
            % (name, type(value).__name__, err)
        ) from None
    return _float_dtype(name, array, array.dtype, keep_float=isinstance(value, np.ndarray))


def _float_dtype(name, array, dtype, keep_float):
    if dtype in _FLOATS and keep_float:
        return array, dtype
    if dtype in _FLOATS or dtype.kind in "biu":
        return array.astype(np.float32), _FLOAT32
    raise MxconvTypeError(
        "%s must hold real numbers of dtype %s (or integers, made float32), got dtype %s"
        % (name, "/".join(FLOAT_DTYPES), dtype)
    )


def pair(name, value, minimum):
    """``value`` as a pair (h, w) of ints >= minimum."""
    if type(value) is int and value >= minimum:  # the common case, quickly
        return (value, value)
    items = value if isinstance(value, (tuple, list)) else (value,)
    ok = len(items) in (1, 2) and all(
        isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= minimum for v in items
    )
    if not ok:
        raise MxconvError(
            "%s must be an int >= %d or a pair (h, w) of such ints, got %r" % (name, minimum, value)
        )
    return (int(items[0]), int(items[-1]))


def resolve_ctx(ctx, X=None):
    """The context to compute in: ``ctx``, else X's context, else the current default.

    Raises :class:`MxconvTypeError` for something that is not a ``mx.Context`` and
    :class:`ContextError` for a GPU this build or machine does not have.
    """
    # A fresh Context each time: mx.Context saves the outer context on the object
    # it enters, so entering the very object that is already current (say, inside
    # the caller's own `with mx.cpu(1):`) would leak cpu(1) past both blocks.
    if ctx is None:
        return mx.Context(X.context if isinstance(X, nd.NDArray) else mx.current_context())
    if not isinstance(ctx, mx.Context):
        raise MxconvTypeError(
            "ctx must be an mxnet Context such as mx.cpu(1) or mx.gpu(0), got %r (%s)"
            % (ctx, type(ctx).__name__)
        )
    if ctx.device_type == "gpu":
        n_gpus = mx.context.num_gpus()
        if ctx.device_id >= n_gpus:
            raise ContextError(_no_gpu_message(ctx, n_gpus))
    return mx.Context(ctx)


def _no_gpu_message(ctx, n_gpus):
    if n_gpus:
        return "ctx=%s asked for a GPU this machine does not have: mx.context.num_gpus() is %d" % (
            ctx, n_gpus)
    cuda = mx.runtime.Features().is_enabled("CUDA")
    why = ("this MXNet build has CUDA but sees no GPU (check the driver and CUDA_VISIBLE_DEVICES)"
           if cuda else
           "this MXNet build is CPU-only (mxnet %s); for GPU support install the CUDA build that "
           "matches your driver in its place, e.g. `pip install mxnet-cu112==1.9.1` for CUDA 11.2 "
           "(mxnet-cu102, -cu110, -cu113 ... -cu117 for other CUDA versions)" % mx.__version__)
    return "ctx=%s asked for a GPU, but mx.context.num_gpus() is 0: %s" % (ctx, why)


def parse_ctx(text):
    """``'cpu(1)'``, ``'gpu'`` or ``'gpu(0)'`` as a checked context (for the command line)."""
    name, _, rest = text.strip().partition("(")
    index = rest.rstrip(")").strip() or "0"
    if name not in ("cpu", "gpu") or not index.isdigit() or (rest and not rest.endswith(")")):
        raise MxconvError("ctx must look like cpu, cpu(1) or gpu(0), got %r" % (text,))
    return resolve_ctx(mx.Context(name, int(index)))


def _place(array, ctx, dtype, source_dtype):
    if isinstance(array, nd.NDArray):
        if dtype != source_dtype:
            array = array.astype(dtype)
        return array if array.context == ctx else array.as_in_context(ctx)
    return nd.array(array, ctx=ctx, dtype=dtype)


def _fmt(shape):
    return tuple(int(s) for s in shape)


def check_conv_shapes(op, x_shape, k_shape, padding=(0, 0), batch=False):
    """Raise :class:`MxconvError` unless X and K of these shapes fit operation ``op``.

    The checks are cheap comparisons; messages are formatted only on failure (this
    runs on every call of the fast path, where microseconds count).
    """
    spec = SPECS[op]
    xs, ks = tuple(x_shape), tuple(k_shape)
    x_layouts = spec.x_layouts + ((_X4,) if batch and spec.k_channel_axis is not None else ())

    def fail(message, *values):
        where = "(X.shape=%s, K.shape=%s" % (_fmt(xs), _fmt(ks))
        where += ", padding=%s)" % (padding,) if any(padding) else ")"
        raise MxconvError(("%s: " + message) % ((op,) + values + (where,)))

    if not any(len(xs) == _layout_ndim(layout) for layout in x_layouts):
        raise MxconvError("%s: X must have %s axes %s, got %d axes (X.shape=%s)" % (
            op, " or ".join(str(_layout_ndim(lay)) for lay in x_layouts),
            " or ".join(x_layouts), len(xs), _fmt(xs)))
    if len(ks) != _layout_ndim(spec.k_layout):
        raise MxconvError("%s: K must have %d axes %s, got %d axes (K.shape=%s)" % (
            op, _layout_ndim(spec.k_layout), spec.k_layout, len(ks), _fmt(ks)))
    if 0 in xs:
        fail("X has an axis of size 0 %s; every axis must be at least 1")
    if 0 in ks:
        fail("K has an axis of size 0 %s; every axis must be at least 1")
    if spec.k_channel_axis is not None and xs[-3] != ks[spec.k_channel_axis]:
        fail("X has %d input channels but K has %d %s", xs[-3], ks[spec.k_channel_axis])
    if spec.one_by_one and ks[-2:] != (1, 1):
        fail("K must be a 1x1 kernel %s, got a %dx%d kernel %s; corr2d_multi_in_out takes any size",
             spec.k_layout, ks[-2], ks[-1])
    padded_h, padded_w = xs[-2] + 2 * padding[0], xs[-1] + 2 * padding[1]
    if ks[-2] > padded_h or ks[-1] > padded_w:
        fail("K's window %dx%d is larger than X's %sinput %dx%d %s", ks[-2], ks[-1],
             "padded " if any(padding) else "", padded_h, padded_w)


def conv_args(op, X, K, ctx=None, padding=0, stride=1, batch=False):
    """Check and place the arguments of convolution ``op``: the gate of both compute layers.

    ``batch`` allows X of shape (n, c_i, h, w). X and K end up as NDArrays of one
    float dtype (the wider of the two) on the resolved context.
    """
    X_arr, x_dtype = as_array("X", X)
    K_arr, k_dtype = as_array("K", K)
    padding = pair("padding", padding, 0)
    stride = pair("stride", stride, 1)
    x_shape, k_shape = X_arr.shape, K_arr.shape
    check_conv_shapes(op, x_shape, k_shape, padding, batch)
    ctx = resolve_ctx(ctx, X_arr)
    dtype = x_dtype if x_dtype == k_dtype else np.promote_types(x_dtype, k_dtype)
    return ConvArgs(_place(X_arr, ctx, dtype, x_dtype), _place(K_arr, ctx, dtype, k_dtype), ctx, padding,
                    stride, x_shape, k_shape, dtype)


def reference_args(op, X, K, ctx, warn_slow):
    """The gate of the book's path: :func:`conv_args` plus its two guards.

    The guards apply to the functions built on ``d2l.corr2d``, which writes its
    result element by element (``Y[i, j] = ...``): autograd cannot record that, and
    each element costs several tiny MXNet operations.
    """
    if op != "corr2d_multi_in_out_1x1" and mx.autograd.is_recording():
        raise RecordingError(
            "%s: the book's path cannot run under autograd.record(): d2l.corr2d writes its "
            "result in place (Y[i, j] = ...), which autograd does not record. Use "
            "mxconv.fast.%s, its differentiable twin" % (op, _fast_twin(op)))
    args = conv_args(op, X, K, ctx)
    if args.dtype == np.float16:
        # nd.dot has no float16 on CPU, and d2l.corr2d's result is float32 anyway.
        args = args._replace(X=args.X.astype(np.float32), K=args.K.astype(np.float32), dtype=_FLOAT32)
    if warn_slow and op != "corr2d_multi_in_out_1x1":
        seconds = reference_seconds(op, args.x_shape, args.k_shape)
        if seconds > REFERENCE_WARN_SECONDS:
            warnings.warn(
                "%s: the book's path will take about %.0f s here (%d tiny MXNet operations of "
                "about %.2f ms each, X.shape=%s, K.shape=%s); mxconv.fast.%s gives the same "
                "result in milliseconds. Pass warn_slow=False to silence this."
                % (op, seconds, 4 * reference_terms(op, args.x_shape, args.k_shape),
                   REFERENCE_SECONDS_PER_TERM * 1e3 / 4, _fmt(args.x_shape), _fmt(args.k_shape),
                   _fast_twin(op)),
                SlowReferenceWarning, stacklevel=4)
    return args


def _fast_twin(op):
    return "corr2d_multi_in" if op in ("corr2d", "corr2d_multi_in") else "corr2d_multi_in_out"


def reference_terms(op, x_shape, k_shape):
    """How many window products the book's path computes: c_o * c_i * out_h * out_w."""
    out = (x_shape[-2] - k_shape[-2] + 1) * (x_shape[-1] - k_shape[-1] + 1)
    if op == "corr2d":
        return out
    return out * int(np.prod(k_shape[:-2]))


def reference_seconds(op, x_shape, k_shape):
    """Estimated run time of the book's path, from :data:`REFERENCE_SECONDS_PER_TERM`."""
    return reference_terms(op, x_shape, k_shape) * REFERENCE_SECONDS_PER_TERM


def dimension(name, value):
    """``value`` as an int >= 1 (a channel count or a size)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise MxconvError("%s must be an int >= 1, got %r" % (name, value))
    return int(value)


def float_dtype(name, value):
    """``value`` (a name, numpy dtype or type) as one of the float dtypes mxconv computes in."""
    try:
        dtype = np.dtype(value)
    except TypeError:
        dtype = None
    if dtype not in _FLOATS:
        raise MxconvTypeError("%s must be one of %s, got %r" % (name, "/".join(FLOAT_DTYPES), value))
    return dtype


def kernel_pair_args(K1, K2, ctx=None):
    """Check two stacked kernels, K1 (c_m, c_i, a_h, a_w) then K2 (c_o, c_m, b_h, b_w),
    and place them on the resolved ctx in one dtype."""
    K1_arr, k1_dtype = as_array("K1", K1)
    K2_arr, k2_dtype = as_array("K2", K2)
    s1, s2 = _fmt(K1_arr.shape), _fmt(K2_arr.shape)
    where = "(K1.shape=%s, K2.shape=%s)" % (s1, s2)
    for name, shape, layout in (("K1", s1, "(c_m, c_i, a_h, a_w)"), ("K2", s2, "(c_o, c_m, b_h, b_w)")):
        if len(shape) != 4:
            raise MxconvError("compose_kernels: %s must have 4 axes %s, got %d axes %s" % (
                name, layout, len(shape), where))
        if 0 in shape:
            raise MxconvError("compose_kernels: %s has an axis of size 0 %s" % (name, where))
    if s2[1] != s1[0]:
        raise MxconvError("compose_kernels: K2 takes %d input channels but K1 makes %d %s" % (
            s2[1], s1[0], where))
    ctx = resolve_ctx(ctx, K1_arr)
    dtype = np.promote_types(k1_dtype, k2_dtype)
    return _place(K1_arr, ctx, dtype, k1_dtype), _place(K2_arr, ctx, dtype, k2_dtype), ctx
