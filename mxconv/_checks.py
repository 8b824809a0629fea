"""The half of mxconv's gate that needs no MXNet (internal).

Limits, the scalar arguments (sizes, padding, stride, seeds, names), the shape
arithmetic of a convolution, and the one error scope that every public function
opens at its entry. numpy and the standard library only, so that the command
line's argument checks and :func:`mxconv.exercises.conv_cost` work where MXNet
does not. The other half, :mod:`mxconv._inputs`, reads arrays and contexts.

Every refusal is an :class:`MxconvError` (or a subclass). Messages name the
argument, what was expected and what came; :func:`scope` then adds, once, the
public function's name and the shapes of its arrays::

    corr2d_multi_in: X has 3 input channels but K has 2 (X.shape=(3, 4, 4), K.shape=(2, 2, 2))
"""
import contextlib
import itertools
import math
import numbers
from typing import Dict, Iterable, Iterator, List, NamedTuple, Optional, Sequence, Tuple

import numpy as np

from ._errors import MxconvError, MxconvTypeError

Shape = Tuple[int, ...]
Pair = Tuple[int, int]

FLOAT_DTYPES = ("float16", "float32", "float64")
FLOATS = frozenset(np.dtype(name) for name in FLOAT_DTYPES)

# MXNet 1.9.1's wheels are built without large-tensor support: an array holds at
# most 2**31 - 1 elements, and padding and stride are stored as 32-bit ints
# (a stride of 2**31 passes MXNet's own checks, then fails in the next wait).
INT32_MAX = 2**31 - 1
# mxconv's own limit on every array a call makes: the inputs as placed, the output,
# a padded input, an im2col buffer. Raise it (mxconv._checks.MAX_ARRAY_BYTES) at will.
MAX_ARRAY_BYTES = 4 * 2**30


# -- the public functions and what each convolution takes -------------------------------


class Spec(NamedTuple):
    """What one convolution accepts."""

    x_layout: str  # X of one example; the fast path also takes a batch (n, ...) of them
    k_layout: str
    k_channel_axis: Optional[int]  # the axis of K that must equal X's channel count (per group)
    one_by_one: bool = False


_X3 = "(c_i, h, w)"
_K4 = "(c_o, c_i, k_h, k_w)"
#: Every convolution of mxconv's public API, by the name its errors start with.
SPECS = {
    "corr2d": Spec("(h, w)", "(k_h, k_w)", None),
    "corr2d_multi_in": Spec(_X3, "(c_i, k_h, k_w)", 0),
    "corr2d_multi_in_out": Spec(_X3, _K4, 1),
    "corr2d_multi_in_out_1x1": Spec(_X3, "(c_o, c_i, 1, 1)", 1, one_by_one=True),
    "corr2d_multi_in_out_im2col": Spec(_X3, _K4, 1),
    "corr2d_strips": Spec(_X3, _K4, 1),
}


def _ndim(layout: str) -> int:
    return layout.count(",") + 1


# -- the error scope, opened once at each public entry ----------------------------------


class Call:
    """One call of a public function: its name, and what is known of its arrays so far
    (``where["X.shape"]`` and so on), for the error message."""

    def __init__(self, op: str) -> None:
        if not op.isidentifier():  # the public function's own name: the layer above names itself
            raise AssertionError("%r is not a function's name" % op)
        self.op = op
        self.where: Dict[str, object] = {}


def _shape_text(shape: Sequence[int]) -> Shape:
    return tuple(int(s) for s in shape)


def annotate(err: MxconvError, call: Call) -> MxconvError:
    """``err`` again, as ``op: message (X.shape=..., K.shape=...)``, keeping its type and
    attributes; an error that already names a function (raised by a public function this
    one calls) gets only this one's name in front."""
    inner = getattr(err, "op", None)
    if inner == call.op:
        return err
    text = "%s: %s" % (call.op, err)
    known = ["%s=%s" % (name, _shape_text(v) if name.endswith("shape") else v)  # type: ignore[arg-type]
             for name, v in call.where.items() if v is not None]
    if known and not inner:
        text += " (%s)" % ", ".join(known)
    new = type(err)(text)
    new.__dict__.update(err.__dict__)
    new.op = call.op  # type: ignore[attr-defined]
    return new


@contextlib.contextmanager
def scope(op: str) -> Iterator[Call]:
    """Errors raised inside name the public function ``op`` and the shapes recorded in
    the yielded :class:`Call`."""
    call = Call(op)
    try:
        yield call
    except MxconvError as err:
        raise annotate(err, call) from None


# -- scalar arguments -------------------------------------------------------------------


def as_int(value: object) -> Optional[int]:
    """``value`` as a Python int if it is an integer (numpy's included) and not a bool; else None."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        return None
    return int(value)


def pair(name: str, value: object, minimum: int) -> Pair:
    """``value`` as a pair (h, w) of ints in [minimum, 2**31)."""
    if type(value) is int and minimum <= value <= INT32_MAX:  # the common case, quickly
        return (value, value)
    items = [as_int(v) for v in (value if isinstance(value, (tuple, list)) else (value,))]
    checked = [v for v in items if v is not None and minimum <= v <= INT32_MAX]
    if len(checked) not in (1, 2) or len(checked) != len(items):
        raise MxconvError("%s must be an int in [%d, 2**31) or a pair (h, w) of such ints (MXNet stores "
                          "it as a 32-bit int), got %r" % (name, minimum, value))
    return (checked[0], checked[-1])


def bounded(name: str, value: object, low: int, high: int, what: str = "an int") -> int:
    """``value`` as an int in [low, high] (``what`` says what it is, for the message)."""
    number = as_int(value)
    if number is None or not low <= number <= high:
        raise MxconvError("%s must be %s in [%d, %s], got %r" % (
            name, what, low, "2**31 - 1" if high == INT32_MAX else high, value))
    return number


def dimension(name: str, value: object) -> int:
    """``value`` as an int >= 1 (a channel count or a size)."""
    number = as_int(value)
    if number is None or number < 1:
        raise MxconvError("%s must be an int >= 1, got %r" % (name, value))
    return number


def dimensions(name: str, value: object, names: Sequence[str]) -> Tuple[int, ...]:
    """``value`` as a tuple of ints >= 1, one per name in ``names`` (a shape such as (c_i, h, w))."""
    if not isinstance(value, (tuple, list)) or len(value) != len(names):
        raise MxconvError("%s must be a tuple (%s) of ints >= 1, got %r" % (name, ", ".join(names), value))
    return tuple(dimension(n, v) for n, v in zip(names, value))


def seed(name: str, value: object) -> int:
    """``value`` as a seed in [0, 2**32): MXNet and numpy would fold larger ones onto these."""
    number = as_int(value)
    if number is None or not 0 <= number < 2**32:
        raise MxconvError("%s must be an int in [0, 2**32), got %r" % (name, value))
    return number


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


def position(name: str, value: object, size: int) -> int:
    """``value`` as an int in [0, size): a position along an axis of that size."""
    number = as_int(value)
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
    if dtype not in FLOATS:
        raise MxconvTypeError("%s must be one of %s, got %r" % (name, "/".join(FLOAT_DTYPES), value))
    return dtype


# -- shapes and sizes -------------------------------------------------------------------


def output_hw(x_hw: Sequence[int], k_hw: Sequence[int], padding: Pair = (0, 0), stride: Pair = (1, 1)) -> Pair:
    """(out_h, out_w) = ((h + 2 p_h - k_h) // s_h + 1, (w + 2 p_w - k_w) // s_w + 1)."""
    out_h, out_w = ((x + 2 * p - k) // s + 1 for x, k, p, s in zip(x_hw, k_hw, padding, stride))
    return out_h, out_w


def check_array_shape(name: str, shape: Shape, layout: str) -> None:
    """Refuse a ``shape`` that has not the axes of ``layout``, or has an empty axis."""
    if len(shape) != _ndim(layout):
        raise MxconvError("%s must have %d axes %s, got %d axes" % (name, _ndim(layout), layout, len(shape)))
    if 0 in shape:
        raise MxconvError("%s has an axis of size 0; every axis must be at least 1" % name)


def check_groups(groups: int, c_i: int, c_o: int) -> None:
    """Refuse ``groups`` channel groups that do not divide c_i input and c_o output channels."""
    if groups > c_i:
        raise MxconvError("groups=%d is more than X's %d input channels" % (groups, c_i))
    if c_i % groups or c_o % groups:
        raise MxconvError("groups=%d must divide both X's %d input channels and K's %d output channels"
                          % (groups, c_i, c_o))


def check_conv_shapes(op: str, x_shape: Shape, k_shape: Shape, padding: Pair = (0, 0), batch: bool = False,
                      groups: int = 1) -> None:
    """Raise :class:`MxconvError` unless X and K of these shapes fit convolution ``op``.

    ``batch`` allows X of shape (n, c_i, h, w) as well; ``groups`` splits the channels
    into that many groups, K then taking c_i / groups input channels (MXNet's
    ``num_group``, PyTorch's ``groups``).
    """
    spec = SPECS[op]
    xs, ks = x_shape, k_shape
    x_layouts = (spec.x_layout,) + (("(n, %s" % spec.x_layout[1:],) if batch else ())
    layout = next((lay for lay in x_layouts if len(xs) == _ndim(lay)), None)
    if layout is None:
        raise MxconvError("X must have %s axes %s, got %d axes" % (
            " or ".join(str(_ndim(lay)) for lay in x_layouts), " or ".join(x_layouts), len(xs)))
    check_array_shape("X", xs, layout)
    check_array_shape("K", ks, spec.k_layout)
    if groups != 1:
        check_groups(groups, xs[-3], ks[0])
        if ks[1] != xs[-3] // groups:
            raise MxconvError("K must have c_i / groups = %d / %d = %d input channels (axis 1), got %d"
                              % (xs[-3], groups, xs[-3] // groups, ks[1]))
    elif spec.k_channel_axis is not None and xs[-3] != ks[spec.k_channel_axis]:
        raise MxconvError("X has %d input channels but K has %d" % (xs[-3], ks[spec.k_channel_axis]))
    if spec.one_by_one and (ks[-2] != 1 or ks[-1] != 1):
        raise MxconvError("K must be a 1x1 kernel %s, got a %dx%d kernel; corr2d_multi_in_out takes any size"
                          % (spec.k_layout, ks[-2], ks[-1]))
    padded_h, padded_w = xs[-2] + 2 * padding[0], xs[-1] + 2 * padding[1]
    if ks[-2] > padded_h or ks[-1] > padded_w:
        raise MxconvError("K's window %dx%d is larger than X's %sinput %dx%d" % (
            ks[-2], ks[-1], "padded " if any(padding) else "", padded_h, padded_w))


def check_onednn_window(padding: Pair, stride: Pair) -> None:
    """Refuse what oneDNN's convolution descriptor (MXNet's float32 CPU path) cannot
    describe: along each axis, stride + padding above 2**31 - 1. MXNet 1.9.1 accepts
    such a call and fails in the next wait ("could not create a descriptor for a dilated
    convolution forward propagation primitive"); a stride of 2**31 - 2 with padding 1
    works, 2**31 - 1 with padding 1 does not (found by bisection on 1x4x4 inputs)."""
    for axis, p, s in zip(("height", "width"), padding, stride):
        if s + p > INT32_MAX:
            raise MxconvError("stride + padding along the %s is %d + %d = %d, more than the 2**31 - 1 that MXNet's "
                              "float32 convolution (oneDNN) can describe" % (axis, s, p, s + p))


def conv_dimensions(c_i: object, h: object, w: object, c_o: object, k_h: object, k_w: object) -> Tuple[int, ...]:
    """The sizes of a convolution given as numbers (not arrays): each an int >= 1."""
    return tuple(dimension(name, value) for name, value in zip(
        ("c_i", "h", "w", "c_o", "k_h", "k_w"), (c_i, h, w, c_o, k_h, k_w)))


def bytes_text(count: int) -> str:
    """A size in bytes, as people read it: '1.5 GiB'."""
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
                              "(mxconv._checks.MAX_ARRAY_BYTES)"
                              % (what, bytes_text(size), shape, dtype.name, bytes_text(MAX_ARRAY_BYTES)))


def check_at_most(name: str, shape: Shape, most: Shape) -> None:
    """Refuse an array of ``shape`` larger than ``most`` along any axis (say, to draw it)."""
    if any(s > m for s, m in zip(shape, most)):
        raise MxconvError("%s of shape %s is larger than the %s this takes" % (name, shape, most))


def conv_buffers(x_shape: Shape, k_shape: Shape, padding: Pair, out_hw: Pair, im2col: bool = False,
                 columns: bool = False) -> List[Tuple[str, Shape]]:
    """The arrays a convolution of these shapes makes, for :func:`check_sizes`.

    ``im2col``: mxconv's own buffer of every window, for all examples at once.
    ``columns``: MXNet's column buffer of one example (c_i * k_h * k_w, out_h * out_w),
    which its own convolution (float64, which oneDNN lacks) indexes with 32-bit ints.
    """
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
    elif columns:
        window = math.prod(k_shape[-3:])
        arrays.append(("MXNet's float64 column buffer", (window, out_hw[0] * out_hw[1])))
    return arrays
