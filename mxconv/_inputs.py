"""The one gate every public mxconv function passes its arguments through (internal).

It only gates: it converts inputs to NDArrays, checks shapes, sizes, padding,
stride and contexts, decides the one dtype X and K compute in, and places them on
the context. No other module of mxconv inspects shapes; what each compute layer
then does with its inputs (the book path's guards, float16 on CPU) is that
layer's own policy.

Every refusal is an :class:`MxconvError` (or a subclass) raised before any work.
Messages name the argument, what was expected and what came; the operation and
the shapes are added once, by :func:`with_context`, at the gate's entry points.
"""
import contextlib
import itertools
import math
import numbers
import re
from typing import Any, Dict, Iterable, Iterator, List, NamedTuple, Optional, Sequence, Tuple

import numpy as np

from ._errors import ContextError, MxconvError, MxconvTypeError
from ._mxnet import BaseSparseNDArray, mx, nd

Shape = Tuple[int, ...]
Pair = Tuple[int, int]

FLOAT_DTYPES = ("float16", "float32", "float64")
_FLOATS = frozenset(np.dtype(name) for name in FLOAT_DTYPES)
_FLOAT_TYPES = {dtype.type: dtype for dtype in _FLOATS}  # what NDArray.dtype gives, to its dtype
_FLOAT32 = np.dtype(np.float32)
_FLOAT64 = np.dtype(np.float64)
_F32_MAX = float(np.finfo(np.float32).max)
_F32_TINY = float(np.finfo(np.float32).tiny)

# MXNet 1.9.1's wheels are built without large-tensor support: an array holds at
# most 2**31 - 1 elements, and padding and stride are stored as 32-bit ints
# (a stride of 2**31 passes MXNet's own checks, then fails in the next wait).
INT32_MAX = 2**31 - 1
# mxconv's own limit on every array a call makes: the inputs as placed, the output,
# a padded input, an im2col buffer. Raise it (mxconv._inputs.MAX_ARRAY_BYTES) at will.
MAX_ARRAY_BYTES = 4 * 2**30
# cpu(i) are labels on one processor; MXNet keeps state per id, and cpu(10**9)
# exhausts memory (std::bad_alloc, then a process that never exits).
MAX_CPU_ID = 1023
# Integers that a float dtype holds exactly, up to: 2**24 (float32), 2**53 (float64).
_EXACT_INT = ((2**24, _FLOAT32), (2**53, _FLOAT64))


class Spec(NamedTuple):
    """What one operation accepts."""

    x_layouts: Tuple[str, ...]  # accepted layouts of X, one per number of axes
    k_layout: str
    k_channel_axis: Optional[int]  # the axis of K that must equal X's channel count
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


def _ndim(layout: str) -> int:
    return layout.count(",") + 1


# -- error context, added once ---------------------------------------------------------


def _fmt(shape: Sequence[int]) -> Shape:
    return tuple(int(s) for s in shape)


def with_context(err: MxconvError, op: str, where: Dict[str, Any]) -> MxconvError:
    """``err`` again, as ``op: message (X.shape=..., K.shape=...)`` with what is known;
    an error that already has its context is returned as it is."""
    if getattr(err, "op", None):
        return err
    known = ["%s=%s" % (name, _fmt(v) if name.endswith("shape") else v) for name, v in where.items()
             if v is not None]
    text = "%s: %s" % (op, err) + (" (%s)" % ", ".join(known) if known else "")
    new = type(err)(text)
    new.op = op  # type: ignore[attr-defined]
    return new


@contextlib.contextmanager
def boundary(op: str) -> Iterator[Dict[str, object]]:
    """Errors raised inside get ``op`` and what the caller records in the yielded dict."""
    where: Dict[str, object] = {}
    try:
        yield where
    except MxconvError as err:
        raise with_context(err, op, where) from None


# -- reading an input ------------------------------------------------------------------


class Operand(NamedTuple):
    """One array argument, read but not yet placed on a device."""

    array: object  # an NDArray (float) or a numpy array
    shape: Shape
    dtype: np.dtype  # the float dtype it computes in on its own
    soft: bool  # a list or integers: takes the other operand's dtype where that is wider
    ctx: Optional[mx.Context]  # where an NDArray lives
    np_kind: bool  # an mxnet.numpy array


def as_operand(name: str, value: Any) -> Operand:
    """Read ``value`` as an array of real numbers, without copying it to a device.

    NDArrays and numpy arrays of float16/32/64 (either byte order) keep their dtype.
    Lists and integer or bool arrays are *soft*: they take the narrowest float dtype
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
        if dtype in _FLOATS:
            return Operand(value, _fmt(value.shape), dtype, False, value.context, np_kind)
        # An integer or bool NDArray: its values choose an exact float dtype.
        return _from_numpy(name, value.asnumpy())._replace(ctx=value.context, np_kind=np_kind)
    if isinstance(value, np.ndarray):
        return _from_numpy(name, value)
    if isinstance(value, (list, tuple, numbers.Number)):
        return _from_sequence(name, value)
    if hasattr(value, "__array__") or hasattr(value, "__array_interface__"):
        return _from_numpy(name, np.asarray(value))
    raise MxconvTypeError("%s must be an array of numbers (NDArray, numpy array or nested lists), got %s"
                          % (name, type(value).__name__))


def _from_numpy(name: str, array: np.ndarray) -> Operand:
    if isinstance(array, np.ma.MaskedArray):
        raise MxconvTypeError(
            "%s is a masked array, and mxconv does not honour masks: pass %s.filled(0) to compute "
            "with masked values as 0, or %s.data to ignore the mask" % (name, name, name))
    dtype = array.dtype
    if dtype.kind == "f" and dtype.newbyteorder("=") in _FLOATS:
        if not dtype.isnative:  # big-endian float32 is still float32
            array = array.astype(dtype.newbyteorder("="))
        return Operand(array, _fmt(array.shape), array.dtype, False, None, False)
    if dtype.kind in "biu":
        return Operand(array, _fmt(array.shape), _exact_float(name, array), True, None, False)
    raise MxconvTypeError("%s must hold real numbers of dtype %s (or integers), got dtype %s"
                          % (name, "/".join(FLOAT_DTYPES), dtype))


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
    kinds = set(map(type, flat))
    for kind in kinds:
        if issubclass(kind, (list, tuple, np.ndarray)):
            raise MxconvError("%s must be a rectangular array of numbers; this %s is ragged (its rows "
                              "differ in length or depth)" % (name, type(value).__name__))
        if not issubclass(kind, _REAL):
            raise MxconvTypeError("%s must hold real numbers, got an element of type %s"
                                  % (name, kind.__name__))
    ints = [v for v in flat if isinstance(v, _INTEGRAL)]
    largest_int = max(map(abs, map(int, ints))) if ints else 0
    dtype = _exact_int_dtype(name, largest_int)
    values = flat.astype(np.float64).reshape(objects.shape)
    if len(ints) < flat.size and dtype == _FLOAT32:
        finite = np.abs(values[np.isfinite(values) & (values != 0)])
        if finite.size and (finite.max() > _F32_MAX or finite.min() < _F32_TINY):
            dtype = _FLOAT64  # float32 would turn these into inf, 0 or a subnormal
    return Operand(values, _fmt(objects.shape), dtype, True, None, False)


def compute_dtype(*operands: Operand) -> np.dtype:
    """The one dtype the operands compute in: the widest of theirs.

    A soft operand's own dtype is the narrowest that holds its values exactly, so a
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


# -- scalar arguments ------------------------------------------------------------------


def _as_int(value: object) -> Optional[int]:
    """``value`` as a Python int if it is an integer (numpy's included) and not a bool; else None."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        return None
    return int(value)


def pair(name: str, value: object, minimum: int) -> Pair:
    """``value`` as a pair (h, w) of ints in [minimum, 2**31)."""
    if type(value) is int and minimum <= value <= INT32_MAX:  # the common case, quickly
        return (value, value)
    items = [_as_int(v) for v in (value if isinstance(value, (tuple, list)) else (value,))]
    checked = [v for v in items if v is not None and minimum <= v <= INT32_MAX]
    if len(checked) not in (1, 2) or len(checked) != len(items):
        raise MxconvError("%s must be an int in [%d, 2**31) or a pair (h, w) of such ints (MXNet stores "
                          "it as a 32-bit int), got %r" % (name, minimum, value))
    return (checked[0], checked[-1])


def dimension(name: str, value: object) -> int:
    """``value`` as an int >= 1 (a channel count or a size)."""
    number = _as_int(value)
    if number is None or number < 1:
        raise MxconvError("%s must be an int >= 1, got %r" % (name, value))
    return number


def seed(name: str, value: object) -> int:
    """``value`` as a seed in [0, 2**32): MXNet and numpy would fold larger ones onto these."""
    number = _as_int(value)
    if number is None or not 0 <= number < 2**32:
        raise MxconvError("%s must be an int in [0, 2**32), got %r" % (name, value))
    return number


def dimensions(name: str, value: object, names: Sequence[str]) -> Tuple[int, ...]:
    """``value`` as a tuple of ints >= 1, one per name in ``names`` (a shape such as (c_i, h, w))."""
    if not isinstance(value, (tuple, list)) or len(value) != len(names):
        raise MxconvError("%s must be a tuple (%s) of ints >= 1, got %r" % (name, ", ".join(names), value))
    return tuple(dimension(n, v) for n, v in zip(names, value))


def seeds(name: str, value: Iterable[object], most: int) -> List[int]:
    """``value``, an iterable of 1 to ``most`` seeds, as a list (read lazily: a huge
    range is refused without being made)."""
    try:
        items = list(itertools.islice(iter(value), most + 1))
    except TypeError:
        raise MxconvTypeError("%s must be an iterable of ints, got %r" % (name, value)) from None
    if not 1 <= len(items) <= most:
        raise MxconvError("%s must hold 1 to %d seeds, got %s" % (name, most, "none" if not items else "more"))
    return [seed("a seed", s) for s in items]


def index(name: str, value: object, size: int) -> int:
    """``value`` as an int in [0, size): a position along an axis of that size."""
    number = _as_int(value)
    if number is None or not 0 <= number < size:
        raise MxconvError("%s must be an int in [0, %d), got %r" % (name, size, value))
    return number


def one_of(name: str, value: object, choices: Sequence[str]) -> str:
    """``value``, one of the names in ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise MxconvError("%s must be one of %s, got %r" % (name, ", ".join(map(repr, choices)), value))
    return value


def float_dtype(name: str, value: object) -> np.dtype:
    """``value`` (a name, numpy dtype or type) as one of the float dtypes mxconv computes in."""
    try:
        dtype = None if value is None else np.dtype(value)  # type: ignore[call-overload]
    except TypeError:  # np.dtype(None) would be float64: None is refused, not guessed
        dtype = None
    if dtype not in _FLOATS:
        raise MxconvTypeError("%s must be one of %s, got %r" % (name, "/".join(FLOAT_DTYPES), value))
    return dtype


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
    kind, index = ctx.device_type, ctx.device_id
    if kind == "cpu":
        if not 0 <= index <= MAX_CPU_ID:
            raise ContextError("ctx=cpu(%d): a CPU device id must be in 0..%d (cpu(i) are labels on the one "
                               "processor, for placing arrays apart)" % (index, MAX_CPU_ID))
    elif kind == "gpu":
        if index < 0:
            raise ContextError("ctx=gpu(%d): a GPU device id must be >= 0" % index)
        n_gpus = mx.context.num_gpus()
        if index >= n_gpus:
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


# -- shapes and sizes ------------------------------------------------------------------


def output_hw(x_hw: Sequence[int], k_hw: Sequence[int], padding: Pair = (0, 0), stride: Pair = (1, 1)) -> Pair:
    """(out_h, out_w) = ((h + 2 p_h - k_h) // s_h + 1, (w + 2 p_w - k_w) // s_w + 1)."""
    out_h, out_w = ((x + 2 * p - k) // s + 1 for x, k, p, s in zip(x_hw, k_hw, padding, stride))
    return out_h, out_w


def check_conv_shapes(op: str, x_shape: Shape, k_shape: Shape, padding: Pair = (0, 0), batch: bool = False) -> None:
    """Raise :class:`MxconvError` unless X and K of these shapes fit operation ``op``."""
    spec = SPECS[op]
    xs, ks = x_shape, k_shape
    x_layouts = spec.x_layouts + ((_X4,) if batch and spec.k_channel_axis is not None else ())
    if not any(len(xs) == _ndim(layout) for layout in x_layouts):
        raise MxconvError("X must have %s axes %s, got %d axes" % (
            " or ".join(str(_ndim(lay)) for lay in x_layouts), " or ".join(x_layouts), len(xs)))
    if len(ks) != _ndim(spec.k_layout):
        raise MxconvError("K must have %d axes %s, got %d axes" % (_ndim(spec.k_layout), spec.k_layout, len(ks)))
    for name, shape in (("X", xs), ("K", ks)):
        if 0 in shape:
            raise MxconvError("%s has an axis of size 0; every axis must be at least 1" % name)
    if spec.k_channel_axis is not None and xs[-3] != ks[spec.k_channel_axis]:
        raise MxconvError("X has %d input channels but K has %d" % (xs[-3], ks[spec.k_channel_axis]))
    if spec.one_by_one and ks[-2:] != (1, 1):
        raise MxconvError("K must be a 1x1 kernel %s, got a %dx%d kernel; corr2d_multi_in_out takes any size"
                          % (spec.k_layout, ks[-2], ks[-1]))
    padded_h, padded_w = xs[-2] + 2 * padding[0], xs[-1] + 2 * padding[1]
    if ks[-2] > padded_h or ks[-1] > padded_w:
        raise MxconvError("K's window %dx%d is larger than X's %sinput %dx%d" % (
            ks[-2], ks[-1], "padded " if any(padding) else "", padded_h, padded_w))


def _bytes_text(count: int) -> str:
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20)):
        if count >= size:
            return "%.1f %s" % (count / size, unit)
    return "%d bytes" % count


def check_sizes(arrays: Sequence[Tuple[str, Shape]], dtype: np.dtype) -> None:
    """Refuse any of these arrays (a description, its shape) that MXNet cannot index
    (2**31 elements or more) or that would pass :data:`MAX_ARRAY_BYTES`."""
    for what, shape in arrays:
        elements = math.prod(shape)
        if elements > INT32_MAX:
            raise MxconvError("%s would hold %d elements (shape %s), more than the 2**31 - 1 that MXNet 1.9.1 "
                              "can index" % (what, elements, shape))
        size = elements * dtype.itemsize
        if size > MAX_ARRAY_BYTES:
            raise MxconvError("%s would take %s (shape %s, %s), more than mxconv's limit of %s per array "
                              "(mxconv._inputs.MAX_ARRAY_BYTES)"
                              % (what, _bytes_text(size), shape, dtype.name, _bytes_text(MAX_ARRAY_BYTES)))


def check_at_most(name: str, shape: Shape, most: Shape) -> None:
    """Refuse an array of ``shape`` larger than ``most`` along any axis (say, to draw it)."""
    if any(s > m for s, m in zip(shape, most)):
        raise MxconvError("%s of shape %s is larger than the %s this takes" % (name, shape, most))


# -- the gate's entry points -----------------------------------------------------------


class ConvArgs(NamedTuple):
    """Checked arguments of a convolution, placed on ``ctx``, with what the gate read
    of them (so that the compute layers need not ask MXNet again)."""

    X: nd.NDArray
    K: nd.NDArray
    ctx: mx.Context
    padding: Pair
    stride: Pair
    x_shape: Shape
    k_shape: Shape
    dtype: np.dtype
    out_hw: Pair
    np_out: bool  # hand the result back as an mxnet.numpy array
    widened: Optional[str]  # why a soft input needed float64, if it did


def conv_args(op: str, X: object, K: object, ctx: object = None, padding: object = 0, stride: object = 1,
              batch: bool = False, im2col: bool = False, caller: Optional[str] = None) -> ConvArgs:
    """Check and place the arguments of convolution ``op``: the gate of both compute layers.

    ``batch`` allows X of shape (n, c_i, h, w); ``im2col`` also counts the buffer of
    every window against the size limit; errors name ``caller`` (default: ``op``).
    X and K end up as NDArrays of one float dtype (:func:`compute_dtype`) on the
    resolved context.
    """
    where: Dict[str, object] = {}
    try:
        x = as_operand("X", X)
        where["X.shape"] = x.shape
        k = as_operand("K", K)
        where["K.shape"] = k.shape
        pad = pair("padding", padding, 0)
        step = pair("stride", stride, 1)
        if pad != (0, 0):
            where["padding"] = pad
        check_conv_shapes(op, x.shape, k.shape, pad, batch)
        out_hw = output_hw(x.shape[-2:], k.shape[-2:], pad, step)
        dtype = compute_dtype(x, k)
        check_sizes(_conv_arrays(x.shape, k.shape, pad, out_hw, im2col), dtype)
        device = resolve_ctx(ctx, x.ctx)
    except MxconvError as err:
        raise with_context(err, caller or op, where) from None
    widened = next((
        "%s holds values that float32 cannot hold exactly" % name
        for name, operand in (("X", x), ("K", k)) if operand.soft and operand.dtype == _FLOAT64), None)
    return ConvArgs(_place(x, device, dtype), _place(k, device, dtype), device, pad, step, x.shape, k.shape,
                    dtype, out_hw, _np_out(x), widened)


def _conv_arrays(x_shape: Shape, k_shape: Shape, padding: Pair, out_hw: Pair, im2col: bool) -> List[Tuple[str, Shape]]:
    lead = x_shape[:-3] if len(x_shape) == 4 else ()
    c_o = k_shape[:1] if len(k_shape) == 4 else ()
    arrays = [("X", x_shape), ("K", k_shape)]
    if padding != (0, 0):
        arrays.append(("X padded by padding", x_shape[:-2] + (x_shape[-2] + 2 * padding[0],
                                                               x_shape[-1] + 2 * padding[1])))
    arrays.append(("the output", lead + c_o + out_hw))
    if im2col:
        window = math.prod(k_shape[-3:])
        arrays.append(("im2col's buffer of every window", lead + (window, out_hw[0] * out_hw[1])))
    return arrays


def _np_out(x: Operand) -> bool:
    """Whether the result goes back as an mxnet.numpy array: where X is one, or where
    X is a list or numpy array and ``npx.set_np()`` is on."""
    return x.np_kind or (x.ctx is None and mx.util.is_np_array())


def result(args: ConvArgs, Y: nd.NDArray) -> nd.NDArray:
    """``Y`` in the array kind of the call: an mxnet.numpy array where X was one
    (or where ``npx.set_np()`` is on and X was a list or numpy array)."""
    return Y.as_np_ndarray() if args.np_out else Y


def kernel_pair_args(K1: object, K2: object, ctx: object = None) -> Tuple[nd.NDArray, nd.NDArray, mx.Context, bool]:
    """Check two stacked kernels, K1 (c_m, c_i, a_h, a_w) then K2 (c_o, c_m, b_h, b_w),
    and place them on the resolved ctx in one dtype; also says whether to hand back
    an mxnet.numpy array."""
    with boundary("compose_kernels") as where:
        k1 = as_operand("K1", K1)
        where["K1.shape"] = k1.shape
        k2 = as_operand("K2", K2)
        where["K2.shape"] = k2.shape
        for name, shape, layout in (("K1", k1.shape, "(c_m, c_i, a_h, a_w)"), ("K2", k2.shape, "(c_o, c_m, b_h, b_w)")):
            if len(shape) != 4:
                raise MxconvError("%s must have 4 axes %s, got %d axes" % (name, layout, len(shape)))
            if 0 in shape:
                raise MxconvError("%s has an axis of size 0; every axis must be at least 1" % name)
        if k2.shape[1] != k1.shape[0]:
            raise MxconvError("K2 takes %d input channels but K1 makes %d" % (k2.shape[1], k1.shape[0]))
        dtype = compute_dtype(k1, k2)
        out = (k2.shape[0], k1.shape[1], k1.shape[2] + k2.shape[2] - 1, k1.shape[3] + k2.shape[3] - 1)
        padded = (k1.shape[1], k1.shape[0], k1.shape[2] + 2 * (k2.shape[2] - 1), k1.shape[3] + 2 * (k2.shape[3] - 1))
        check_sizes([("K1", k1.shape), ("K2", k2.shape), ("K1 padded by K2's window", padded),
                     ("the composed kernel", out)], dtype)
        device = resolve_ctx(ctx, k1.ctx)
    return _place(k1, device, dtype), _place(k2, device, dtype), device, _np_out(k1)
