"""The half of mxconv's gate that reads arrays and contexts: it needs MXNet (internal).

It only gates: it converts inputs to NDArrays, decides the one dtype X and K
compute in, resolves the context and places X and K on it, and hands the checks
of shapes, sizes and scalar arguments to :mod:`mxconv._checks`, the half without
MXNet. No other module of mxconv inspects shapes; what each compute layer then
does with its inputs (the book path's guards) is that layer's own policy.

Every refusal is an :class:`MxconvError` (or a subclass) raised before any work,
inside the :func:`mxconv._checks.scope` that the public function opened, which
names it and the shapes recorded here.
"""
import numbers
import re
from typing import Any, NamedTuple, Optional, Tuple

import numpy as np

from . import _checks
from ._checks import FLOATS, Call, Pair, Shape
from ._errors import ContextError, MxconvError, MxconvTypeError
from ._mxnet import BaseSparseNDArray, cause, mx, nd

_FLOAT_TYPES = {dtype.type: dtype for dtype in FLOATS}  # what NDArray.dtype gives, to its dtype
_FLOAT16 = np.dtype(np.float16)
_FLOAT32 = np.dtype(np.float32)
_FLOAT64 = np.dtype(np.float64)
_F32_MAX = float(np.finfo(np.float32).max)
_F32_TINY = float(np.finfo(np.float32).tiny)

# cpu(i) are labels on one processor; MXNet keeps state per id, and cpu(10**9)
# exhausts memory (std::bad_alloc, then a process that never exits).
MAX_CPU_ID = 1023
# Integers that a float dtype holds exactly, up to: 2**24 (float32), 2**53 (float64).
_EXACT_INT = ((2**24, _FLOAT32), (2**53, _FLOAT64))


# -- reading an input ------------------------------------------------------------------


class Operand(NamedTuple):
    """One array argument, read but not yet placed on a device."""

    array: object  # an NDArray (float) or a numpy array
    shape: Shape
    dtype: np.dtype  # the float dtype it computes in on its own
    weak: bool  # a list or integers: takes the other operand's dtype where that is wider
    ctx: Optional[mx.Context]  # where an NDArray lives
    np_kind: bool  # an mxnet.numpy array


def as_operand(name: str, value: Any) -> Operand:
    """Read ``value`` as an array of real numbers, without copying it to a device.

    NDArrays and numpy arrays of float16/32/64 (either byte order) keep their dtype.
    Lists and integer or bool arrays are *weak* (as NEP 50 and JAX say): they take the narrowest float dtype
    that holds their values exactly (float32, as ``nd.array`` makes them, unless a
    value needs float64), and the other operand's dtype where that is wider.
    """
    if type(value) is nd.NDArray:  # the common case, quickly: each property is a call into MXNet
        dtype = _FLOAT_TYPES.get(value.dtype)
        if dtype is not None:
            return Operand(value, value.shape, dtype, False, value.context, False)
    if isinstance(value, nd.NDArray):
        np_kind = type(value) is not nd.NDArray and hasattr(value, "as_nd_ndarray")
        if isinstance(value, BaseSparseNDArray):
            value = value.tostype("default")
        elif np_kind:
            value = value.as_nd_ndarray()  # zero-copy
        dtype = np.dtype(value.dtype)
        if dtype in FLOATS:
            return Operand(value, _checks._shape_text(value.shape), dtype, False, value.context, np_kind)
        # An integer or bool NDArray: its values choose an exact float dtype.
        return _from_numpy(name, value.asnumpy())._replace(ctx=value.context, np_kind=np_kind)
    if isinstance(value, np.ndarray):
        return _from_numpy(name, value)
    if isinstance(value, (list, tuple, numbers.Number)):
        return _from_sequence(name, value)
    if hasattr(value, "__array__") or hasattr(value, "__array_interface__"):
        try:
            array = np.asarray(value)
        except Exception as err:  # a torch bfloat16 tensor: "Got unsupported ScalarType BFloat16"
            dtype_text = str(getattr(value, "dtype", ""))
            hint = (" (%s has dtype %s, which numpy cannot hold: convert it to float32 first)" % (name, dtype_text)
                    if "bfloat16" in dtype_text.lower() else "")
            raise MxconvTypeError("%s (a %s) could not be read as a numpy array: %s: %s%s" % (
                name, type(value).__name__, type(err).__name__, " ".join(str(err).split()), hint)) from None
        return _from_numpy(name, array)
    raise MxconvTypeError("%s must be an array of numbers (NDArray, numpy array or nested lists), got %s"
                          % (name, type(value).__name__))


def _from_numpy(name: str, array: np.ndarray) -> Operand:
    if isinstance(array, np.ma.MaskedArray):
        raise MxconvTypeError(
            "%s is a masked array, and mxconv does not honour masks: pass %s.filled(0) to compute "
            "with masked values as 0, or %s.data to ignore the mask" % (name, name, name))
    dtype = array.dtype
    if dtype.kind == "f" and dtype.newbyteorder("=") in FLOATS:
        if not dtype.isnative:  # big-endian float32 is still float32
            array = array.astype(dtype.newbyteorder("="))
        return Operand(array, _checks._shape_text(array.shape), array.dtype, False, None, False)
    if dtype.kind in "biu":
        return Operand(array, _checks._shape_text(array.shape), _exact_float(name, array), True, None, False)
    raise MxconvTypeError("%s must hold real numbers of dtype %s (or integers), got dtype %s"
                          % (name, "/".join(_checks.FLOAT_DTYPES), dtype))


def _exact_float(name: str, integers: np.ndarray) -> np.dtype:
    """The narrowest float dtype that holds every one of these integers exactly."""
    if integers.size == 0:
        return _FLOAT32
    largest = max(abs(int(integers.min())), abs(int(integers.max())))
    return _exact_int_dtype(name, largest)


def _exact_int_dtype(name: str, largest: int) -> np.dtype:
    for limit, dtype in _EXACT_INT:
        if largest <= limit:
            return dtype
    raise MxconvError("%s holds the integer %d, which no float dtype holds exactly (float64 holds "
                      "integers up to 2**53 = %d): pass it as a float array to accept rounding"
                      % (name, largest, 2**53))


_INTEGRAL = (bool, int, np.integer, np.bool_)
_REAL = _INTEGRAL + (float, np.floating)


def _from_sequence(name: str, value: object) -> Operand:
    """Nested lists of Python numbers, read exactly and without warnings (thread-safe)."""
    # dtype=object keeps every element as it came: nothing is rounded or guessed, and
    # ragged lists show as elements that are themselves sequences.
    objects = np.array(value, dtype=object)
    flat = objects.ravel()
    for i, v in enumerate(flat):  # np.array(1.0) in a list is a scalar of its dtype
        if type(v) is np.ndarray and v.ndim == 0:
            flat[i] = v[()]
    kinds = set(map(type, flat))
    for kind in kinds:
        if issubclass(kind, (list, tuple, np.ndarray)):
            raise MxconvError("%s must be a rectangular array of numbers; this %s is ragged (its rows "
                              "differ in length or depth)" % (name, type(value).__name__))
        if not issubclass(kind, _REAL):
            raise MxconvTypeError("%s must hold real numbers, got an element of type %s"
                                  % (name, kind.__name__))
        if issubclass(kind, np.floating) and np.dtype(kind).itemsize > 8:  # as float128 arrays are refused
            raise MxconvTypeError("%s must hold real numbers of dtype %s (or integers), got an element of type %s: "
                                  "convert it with float()" % (name, "/".join(_checks.FLOAT_DTYPES), kind.__name__))
    ints = [v for v in flat if isinstance(v, _INTEGRAL)]
    largest_int = max(map(abs, map(int, ints))) if ints else 0
    dtype = _exact_int_dtype(name, largest_int)
    values = flat.astype(np.float64).reshape(objects.shape)
    if len(ints) < flat.size and dtype == _FLOAT32:
        finite = np.abs(values[np.isfinite(values) & (values != 0)])
        if finite.size and (finite.max() > _F32_MAX or finite.min() < _F32_TINY):
            dtype = _FLOAT64  # float32 would turn these into inf, 0 or a subnormal
    return Operand(values, _checks._shape_text(objects.shape), dtype, True, None, False)


def compute_dtype(*operands: Operand) -> np.dtype:
    """The one dtype the operands compute in: the widest of theirs.

    A weak operand's own dtype is the narrowest that holds its values exactly, so a
    list takes a float64 partner's dtype, and widens a float32 partner only when
    its values need float64.
    """
    first = operands[0].dtype
    if all(op.dtype == first for op in operands):  # the common case, quickly
        return first
    return max((op.dtype for op in operands), key=lambda dtype: dtype.itemsize)


def _place(operand: Operand, ctx: mx.Context, dtype: np.dtype) -> nd.NDArray:
    array = operand.array
    if isinstance(array, nd.NDArray):  # a float NDArray: the operand holds its dtype and context
        if operand.dtype != dtype:
            array = array.astype(dtype)
        return array if operand.ctx == ctx else array.as_in_context(ctx)
    return nd.array(array, ctx=ctx, dtype=dtype)


# -- contexts --------------------------------------------------------------------------


def resolve_ctx(ctx: object, default: Optional[mx.Context] = None) -> mx.Context:
    """The context to compute in: ``ctx``, else ``default`` (X's), else the current one.

    Raises :class:`MxconvTypeError` for something that is not a ``mx.Context`` and
    :class:`ContextError` for one mxconv cannot compute on: a GPU this build or
    machine does not have, a negative or absurd device id, or a device type other
    than cpu and gpu.
    """
    if ctx is None:
        ctx = default if default is not None else mx.current_context()
    elif not isinstance(ctx, mx.Context):
        raise MxconvTypeError("ctx must be an mxnet Context such as mx.cpu(1) or mx.gpu(0), got %r (%s)"
                              % (ctx, type(ctx).__name__))
    assert isinstance(ctx, mx.Context)
    kind, device_id = ctx.device_type, ctx.device_id
    if kind == "cpu":
        if not 0 <= device_id <= MAX_CPU_ID:
            raise ContextError("ctx=cpu(%d): a CPU device id must be in 0..%d (cpu(i) are labels on the one "
                               "processor, for placing arrays apart)" % (device_id, MAX_CPU_ID))
    elif kind == "gpu":
        if device_id < 0:
            raise ContextError("ctx=gpu(%d): a GPU device id must be >= 0" % device_id)
        n_gpus = mx.context.num_gpus()
        if device_id >= n_gpus:
            raise ContextError(_no_gpu_message(ctx, n_gpus))
    else:
        raise ContextError("ctx=%s: mxconv computes on cpu(i) and gpu(i) contexts, not %s" % (ctx, kind))
    # A fresh Context each time: mx.Context saves the outer context on the object
    # it enters, so entering the very object that is already current (say, inside
    # the caller's own `with mx.cpu(1):`) would leak cpu(1) past both blocks.
    return mx.Context(ctx)


def _no_gpu_message(ctx: mx.Context, n_gpus: int) -> str:
    if n_gpus:
        return "ctx=%s asked for a GPU this machine does not have: mx.context.num_gpus() is %d" % (ctx, n_gpus)
    cuda = mx.runtime.Features().is_enabled("CUDA")
    why = ("this MXNet build has CUDA but sees no GPU (check the driver and CUDA_VISIBLE_DEVICES)"
           if cuda else
           "this MXNet build is CPU-only (mxnet %s); for GPU support install the CUDA build that "
           "matches your driver in its place, e.g. `pip install mxnet-cu112==1.9.1` for CUDA 11.2 "
           "(mxnet-cu102, -cu110, -cu113 ... -cu117 for other CUDA versions)" % mx.__version__)
    return "ctx=%s asked for a GPU, but mx.context.num_gpus() is 0: %s" % (ctx, why)


_CTX_TEXT = re.compile(r"(cpu|gpu)(?:\((\d{1,30})\))?")


def parse_ctx(text: str) -> mx.Context:
    """``'cpu'``, ``'cpu(1)'`` or ``'gpu(0)'`` as a checked context (for the command line)."""
    match = _CTX_TEXT.fullmatch(text.strip())
    if not match:
        raise MxconvError("--ctx must look like cpu, cpu(1) or gpu(0), got %r" % (text,))
    return resolve_ctx(mx.Context(match.group(1), int(match.group(2) or 0)))


# -- the gate's entry points -----------------------------------------------------------


class ConvArgs(NamedTuple):
    """Checked arguments of a convolution, placed on ``ctx``, with what the gate read
    of them (so that the compute layers need not ask MXNet again)."""

    X: nd.NDArray
    K: nd.NDArray
    ctx: mx.Context
    padding: Pair
    stride: Pair
    groups: int
    x_shape: Shape
    k_shape: Shape
    dtype: np.dtype
    out_hw: Pair
    np_out: bool  # hand the result back as an mxnet.numpy array
    widened: Optional[str]  # why a weak input needed float64, if it did


def conv_args(call: Call, X: object, K: object, *, ctx: object = None, padding: object = 0, stride: object = 1,
              groups: object = 1, batch: bool = False, im2col: bool = False, shapes_of: Optional[str] = None
              ) -> ConvArgs:
    """Check and place the arguments of the convolution ``call.op``: the gate of both
    compute layers.

    ``batch`` allows X of shape (n, c_i, h, w); ``im2col`` also counts the buffer of
    every window against the size limit; ``shapes_of`` names the convolution whose
    shapes X and K must have, where ``call.op`` is not one (a figure). X and K end up as NDArrays of one float
    dtype (:func:`compute_dtype`) on the resolved context. Errors are raised inside
    the caller's :func:`mxconv._checks.scope`, which names the function and the
    shapes recorded in ``call.where``.
    """
    where = call.where
    x = as_operand("X", X)
    where["X.shape"] = x.shape
    k = as_operand("K", K)
    where["K.shape"] = k.shape
    pad = _checks.pair("padding", padding, 0)
    step = _checks.pair("stride", stride, 1)
    n_groups = _checks.bounded("groups", groups, 1, _checks.INT32_MAX)
    if pad != (0, 0):
        where["padding"] = pad
    if step != (1, 1):
        where["stride"] = step
    if n_groups != 1:
        where["groups"] = n_groups
    _checks.check_conv_shapes(shapes_of or call.op, x.shape, k.shape, pad, batch, n_groups)
    out_hw = _checks.output_hw(x.shape[-2:], k.shape[-2:], pad, step)
    dtype = compute_dtype(x, k)
    if dtype != _FLOAT64 and not im2col:  # float64 runs MXNet's own convolution, which takes any stride
        _checks.check_onednn_window(pad, step)
    _checks.check_sizes(_checks.conv_buffers(x.shape, k.shape, pad, out_hw, im2col, columns=dtype == _FLOAT64),
                        dtype)
    device = resolve_ctx(ctx, x.ctx)
    widened = next((
        "%s holds values that float32 cannot hold exactly" % name
        for name, operand in (("X", x), ("K", k)) if operand.weak and operand.dtype == _FLOAT64), None)
    return ConvArgs(_place(x, device, dtype), _place(k, device, dtype), device, pad, step, n_groups, x.shape,
                    k.shape, dtype, out_hw, _np_out(x), widened)


def _np_out(x: Operand) -> bool:
    """Whether the result goes back as an mxnet.numpy array: where X is one, or where
    X is a list or numpy array and ``npx.set_np()`` is on."""
    return x.np_kind or (x.ctx is None and mx.util.is_np_array())


def result(args: Any, Y: nd.NDArray) -> nd.NDArray:
    """``Y`` in the array kind of the call (``args.np_out``): an mxnet.numpy array where
    X was one (or where ``npx.set_np()`` is on and X was a list or numpy array)."""
    return Y.as_np_ndarray() if args.np_out else Y


def lacks_float16(dtype: np.dtype, ctx: mx.Context) -> bool:
    """Whether MXNet computes float16 through float32 here: its CPU kernels have no
    float16 matrix product (GPUs have)."""
    return dtype == _FLOAT16 and ctx.device_type != "gpu"


def as_float32(*arrays: nd.NDArray) -> Tuple[nd.NDArray, ...]:
    """The arrays in float32: for float16 where MXNet lacks it (:func:`lacks_float16`),
    and for the book's path, whose ``d2l.corr2d`` returns float32 anyway."""
    return tuple(A.astype(np.float32) for A in arrays)


class KernelPair(NamedTuple):
    """Two checked kernels, K1 (c_m, c_i, a_h, a_w) then K2 (c_o, c_m, b_h, b_w), placed on ``ctx``."""

    K1: nd.NDArray
    K2: nd.NDArray
    ctx: mx.Context
    k1_shape: Shape
    k2_shape: Shape
    dtype: np.dtype
    np_out: bool


def kernel_pair_args(call: Call, K1: object, K2: object, *, ctx: object = None) -> KernelPair:
    """Check two stacked kernels, K1 (c_m, c_i, a_h, a_w) then K2 (c_o, c_m, b_h, b_w),
    and place them on the resolved ctx in one dtype."""
    where = call.where
    k1 = as_operand("K1", K1)
    where["K1.shape"] = k1.shape
    k2 = as_operand("K2", K2)
    where["K2.shape"] = k2.shape
    _checks.check_array_shape("K1", k1.shape, "(c_m, c_i, a_h, a_w)")
    _checks.check_array_shape("K2", k2.shape, "(c_o, c_m, b_h, b_w)")
    if k2.shape[1] != k1.shape[0]:
        raise MxconvError("K2 takes %d input channels but K1 makes %d" % (k2.shape[1], k1.shape[0]))
    dtype = compute_dtype(k1, k2)
    (c_m, c_i, a_h, a_w), (c_o, _, b_h, b_w) = k1.shape, k2.shape
    # compose_kernels convolves K1, as c_i examples of c_m channels padded by K2's window less one, with K2
    padded = (c_i, c_m, a_h + 2 * (b_h - 1), a_w + 2 * (b_w - 1))
    out_hw = (a_h + b_h - 1, a_w + b_w - 1)
    _checks.check_sizes(
        [("K1", k1.shape), ("K2", k2.shape), ("K1 padded by K2's window", padded),
         ("the composed kernel", (c_o, c_i) + out_hw)]
        + ([("MXNet's float64 column buffer", (c_m * b_h * b_w, out_hw[0] * out_hw[1]))] if dtype == _FLOAT64
           else []), dtype)
    device = resolve_ctx(ctx, k1.ctx)
    return KernelPair(_place(k1, device, dtype), _place(k2, device, dtype), device, k1.shape, k2.shape, dtype,
                      _np_out(k1))


def settled(Y: nd.NDArray) -> nd.NDArray:
    """``Y`` once MXNet has computed it: an error MXNet raises while computing (which
    the gate did not foresee) is raised here, at the call, as an :class:`MxconvError`
    naming the function and the shapes, so no array that fails on its first read is
    handed out and the next call starts clean."""
    try:
        Y.wait_to_read()
    except mx.base.MXNetError as err:
        raise MxconvError("MXNet could not compute this (%s)" % cause(err)[:300]) from None
    return Y
