"""The section's two pictures, drawn from computed values (matplotlib, without pyplot).

``python -m mxconv figures --out DIR`` writes both as PNG and SVG:

- ``multi_in``: cross-correlation with two input channels (the section's first
  figure): each channel of X beside its kernel, the window of the first output
  element and the kernel shaded, and the output; the caption's sum
  ``(1×1+2×2+4×3+5×4)+(0×0+1×1+3×2+4×3)=56`` is built from the arrays.
- ``one_by_one``: a 1x1 convolution with 3 input and 2 output channels: the
  elements of one position across input channels, the kernel, and the two outputs
  they make, computed by the book's In[6].

Figures are built on :class:`matplotlib.figure.Figure`, not pyplot: importing this
module changes no backend and opens no window. Files are written whole or not at all.
"""
import io
import os
from typing import List, Optional

import numpy as np

from . import _checks, _inputs, reference  # first: where MXNet cannot run, this says so
from ._errors import MxconvError, MxconvTypeError
from .baseline.files import write_atomically
from ._typing import ArrayLike

import matplotlib  # noqa: E402  (matplotlib comes with the mxnet extra, through d2l)
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

__all__ = ["window_sum_text", "draw_multi_in", "draw_one_by_one", "draw_all", "MOST_DRAWN"]

SHADE = "#9ecae1"
FORMATS = ("png", "svg")
# The largest X a figure draws, cell by cell: (channels, rows, columns).
MOST_DRAWN = (4, 10, 10)


def _number(value):
    value = float(value)
    return "%d" % value if value.is_integer() else "%g" % value


def _checked(call, X, K, one_by_one=False):
    """X and K as numpy arrays in the dtype the gate chose for them (float64 where
    float32 cannot hold their values: the book's code then refuses them, rather than a
    figure rounding them silently), checked as the figure's operation takes them and
    small enough to draw; and the output's (h, w)."""
    kind = "corr2d_multi_in_out_1x1" if one_by_one else "corr2d_multi_in"
    args = _inputs.conv_args(call, X, K, shapes_of=kind)
    _checks.check_at_most("X", args.x_shape, MOST_DRAWN)
    return args.X.asnumpy(), args.K.asnumpy(), args.out_hw


def _book(name, X, K):
    """The book's function ``name`` on numpy X and K, as a numpy array: on NDArrays (the
    2019 code) where d2l 0.10.x is installed, on mxnet.numpy arrays (today's code) where
    d2l 1.x is; the same values either way."""
    from ._environment import installed_edition
    from ._mxnet import array_mode, mx

    fn = getattr(reference, name)
    if installed_edition() != "np":
        return fn(X, K).asnumpy()
    with array_mode(numpy=True):
        return fn(mx.np.array(X, dtype=X.dtype), mx.np.array(K, dtype=K.dtype)).asnumpy()


def window_sum_text(X: ArrayLike, K: ArrayLike, i: int = 0, j: int = 0) -> str:
    """The sum behind output element (i, j) of ``corr2d_multi_in(X, K)``, written out.

    Channels are listed last to first, as in the section's figure; each term is
    an input element times the kernel element over it, and the total is the
    value mxconv computes.

    >>> window_sum_text(reference.BOOK_X, reference.BOOK_K)
    '(1×1+2×2+4×3+5×4)+(0×0+1×1+3×2+4×3)=56'
    >>> window_sum_text(reference.BOOK_X, reference.BOOK_K, 0, 1)
    '(2×1+3×2+5×3+6×4)+(1×0+2×1+4×2+5×3)=72'
    """
    with _checks.scope("window_sum_text") as call:
        X, K, (out_h, out_w) = _checked(call, X, K)
        i, j = _checks.position("i", i, out_h), _checks.position("j", j, out_w)
        Y = _book("corr2d_multi_in", X, K)
    k_h, k_w = K.shape[1:]
    groups = []
    for x, k in reversed(list(zip(X, K))):
        window = x[i:i + k_h, j:j + k_w]
        groups.append("(" + "+".join("%s×%s" % (_number(a), _number(b))
                                     for a, b in zip(window.ravel(), k.ravel())) + ")")
    return "+".join(groups) + "=" + _number(Y[i, j])


def _grid(ax, values, x0, y0, shaded=(), title=None):
    """Draw a 2-D array as a grid of numbered cells with its top-left corner at (x0, y0)."""
    rows, cols = values.shape
    for r in range(rows):
        for c in range(cols):
            ax.add_patch(Rectangle((x0 + c, y0 - r - 1), 1, 1, facecolor=SHADE if (r, c) in shaded else "white",
                                   edgecolor="black", linewidth=1.2))
            ax.text(x0 + c + 0.5, y0 - r - 0.5, _number(values[r, c]), ha="center", va="center", fontsize=13)
    if title:
        ax.text(x0 + cols / 2, y0 + 0.35, title, ha="center", va="bottom", fontsize=11)
    return x0 + cols


def _cells(rows, cols):
    return {(r, c) for r in range(rows) for c in range(cols)}


def _folder(out_dir: object) -> str:
    """``out_dir`` as a folder's path, checked before any drawing."""
    if not isinstance(out_dir, (str, os.PathLike)):
        raise MxconvTypeError("out_dir must be a folder's path, got %r" % (out_dir,))
    out_dir = os.fspath(out_dir)
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise MxconvError("the output folder %s is a file" % out_dir)
    return out_dir


def _save(fig, out_dir, name) -> List[str]:
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for fmt in FORMATS:
        buffer = io.BytesIO()
        # SVG text stays text (searchable, and checked by the tests); no date, so
        # that drawing twice gives the same file. rc_context restores rcParams after.
        with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "mxconv"}):
            fig.savefig(buffer, format=fmt, dpi=120, bbox_inches="tight",
                        metadata={"Date": None} if fmt == "svg" else None)
        path = os.path.join(out_dir, "%s.%s" % (name, fmt))
        paths.append(write_atomically(path, lambda f: f.write(buffer.getvalue()), "a figure"))
    return paths


def _canvas(width, height):
    fig = Figure(figsize=(width * 0.55, height * 0.55))
    ax = fig.add_subplot()
    ax.set_xlim(-0.5, width)
    ax.set_ylim(-height, 1.2)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def draw_multi_in(out_dir: str, X: Optional[ArrayLike] = None, K: Optional[ArrayLike] = None) -> List[str]:
    """The section's first figure: ``corr2d_multi_in`` with two input channels.

    X (c_i, h, w) and K (c_i, k_h, k_w) default to the section's; X may be up to
    :data:`MOST_DRAWN`. Returns the paths written (PNG and SVG).
    """
    with _checks.scope("draw_multi_in") as call:
        out_dir = _folder(out_dir)
        X, K, _ = _checked(call, reference.BOOK_X if X is None else X, reference.BOOK_K if K is None else K)
        Y = _book("corr2d_multi_in", X, K)
    c_i, h, w = X.shape
    k_h, k_w = K.shape[1:]
    band = max(h, k_h) + 1.5
    width = w + k_w + Y.shape[1] + 6
    fig, ax = _canvas(width, band * c_i + 1.5)
    for n, c in enumerate(reversed(range(c_i))):  # last channel on top, as the book draws it
        top = -n * band
        right = _grid(ax, X[c], 0, top, _cells(k_h, k_w), "input" if n == 0 else None)
        ax.text(-0.35, top - h / 2, "channel %d" % c, ha="right", va="center", rotation=90, fontsize=10)
        ax.text(right + 0.5, top - h / 2, "⋆", ha="center", va="center", fontsize=18)
        _grid(ax, K[c], right + 1, top, _cells(k_h, k_w), "kernel" if n == 0 else None)
        if n < c_i - 1:
            ax.text(w / 2, top - band + 0.75, "+", ha="center", va="center", fontsize=18)
    out_x = w + k_w + 3
    ax.text(out_x - 0.75, -band * (c_i - 1) / 2 - h / 2, "=", ha="center", va="center", fontsize=18)
    _grid(ax, Y, out_x, -band * (c_i - 1) / 2 - (h - Y.shape[0]) / 2, {(0, 0)}, "output")
    ax.text(width / 2 - 1, -band * c_i - 0.2, window_sum_text(X, K), ha="center", va="top", fontsize=12)
    return _save(fig, out_dir, "multi_in")


def draw_one_by_one(out_dir: str, X: Optional[ArrayLike] = None, K: Optional[ArrayLike] = None) -> List[str]:
    """The section's 1x1 figure: 3 input channels, 2 output channels, 1x1 kernel.

    Defaults: X = 0..26 as (3, 3, 3) and a small integer kernel (2, 3, 1, 1); the
    outputs are computed by the book's In[6]. Returns the paths written.
    """
    X = np.arange(27, dtype=np.float32).reshape(3, 3, 3) if X is None else X
    K = np.array([1, 0, 2, -1, 1, 1], dtype=np.float32).reshape(2, 3, 1, 1) if K is None else K
    with _checks.scope("draw_one_by_one") as call:
        out_dir = _folder(out_dir)
        X, K, _ = _checked(call, X, K, one_by_one=True)
        Y = _book("corr2d_multi_in_out_1x1", X, K)
    c_i, h, w = X.shape
    c_o = K.shape[0]
    band = h + 1.5
    width = w + c_i + w + 6
    fig, ax = _canvas(width, band * max(c_i, c_o) + 1.5)
    for c in range(c_i):
        _grid(ax, X[c], 0, -c * band, {(0, 0)}, "input channels" if c == 0 else None)
    _grid(ax, K[:, :, 0, 0], w + 1.5, -band * (c_i - 1) / 2 + (c_o - h) / 2 - 0.5 * c_o,
          {(o, c) for o in range(c_o) for c in range(c_i)}, "kernel (c_o × c_i)")
    for o in range(c_o):
        _grid(ax, Y[o], w + c_i + 3, -o * band - (band * (c_i - c_o)) / 2, {(0, 0)},
              "output channels" if o == 0 else None)
    first = "+".join("%s×%s" % (_number(K[0, c, 0, 0]), _number(X[c, 0, 0])) for c in range(c_i))
    ax.text(width / 2, -band * c_i - 0.2, "1×1 convolution: %s=%s" % (first, _number(Y[0, 0, 0])),
            ha="center", va="top", fontsize=12)
    return _save(fig, out_dir, "one_by_one")


def draw_all(out_dir: str) -> List[str]:
    """Draw both figures into ``out_dir``; returns the paths written."""
    return draw_multi_in(out_dir) + draw_one_by_one(out_dir)
