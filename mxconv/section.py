"""The section's printing cells as each edition of the book prints them, run through mxconv.

The 2019 document's cells In[2] to In[7] on ``mx.nd`` NDArrays, and the cells of the
book as published today (d2l 1.0.3) on ``mxnet.numpy`` arrays, numbered as its MXNet
notebook numbers them. ``python -m mxconv`` prints them (:mod:`mxconv.cli`).
MXNet is imported when the cells run.
"""
import sys
from typing import IO, Optional

from . import _checks
from ._environment import EDITIONS

__all__ = ["run_section", "DEFAULT_SEED"]

DEFAULT_SEED = 0


def run_section(ctx=None, seed: int = DEFAULT_SEED, file: Optional[IO[str]] = None, edition: str = "nd") -> None:
    """Run the section's printing cells through mxconv and print what the book prints.

    The random cell draws its X and K as the book does, after ``mx.random.seed(seed)``:
    this reseeds MXNet's global generator, as running the section in a notebook would.

    Parameters
    ----------
    ctx : mx.Context, optional
        Where every array lives (default: the current context, cpu(0)).
    seed : int in [0, 2**32)
        Seed of ``mx.random`` for the random cell.
    file : file-like, optional
        Where to print (default: sys.stdout).
    edition : "nd" or "np"
        ``"nd"``: the 2019 document's cells In[2] to In[7], on ``mx.nd`` NDArrays
        (needs d2l 0.10.x). ``"np"``: the cells of the book as published today
        (d2l 1.0.3), numbered as its MXNet notebook numbers them, on ``mxnet.numpy``
        arrays with ``npx.set_np()`` on while they run, the caller's mode back
        afterwards; the last cell's assertion prints its outcome.
    """
    from . import _inputs

    with _checks.scope("run_section"):
        ctx = _inputs.resolve_ctx(ctx)
        seed = _checks.seed("seed", seed)
        edition = _checks.one_of("edition", edition, EDITIONS)
    file = sys.stdout if file is None else file

    def show(*lines):
        print(*lines, sep="\n", file=file)

    from ._mxnet import array_mode

    cells = _np_cells if edition == "np" else _nd_cells
    with ctx, array_mode(numpy=edition == "np"):
        cells(ctx, seed, show)


def _nd_cells(ctx, seed, show):
    """The document's cells In[2] to In[7], on NDArrays."""
    from . import reference
    from ._mxnet import mx, nd

    X = nd.array(reference.BOOK_X)
    K = nd.array(reference.BOOK_K)
    show("In [2]: corr2d_multi_in(X, K)",
         "Out[2]:" + repr(reference.corr2d_multi_in(X, K, ctx=ctx)), "")

    K = nd.stack(K, K + 1, K + 2)
    show("In [4]: K = nd.stack(K, K + 1, K + 2); K.shape", "Out[4]: %r" % (K.shape,), "")

    show("In [5]: print(X.shape); print(K.shape); print(corr2d_multi_in_out(X, K))")
    show(X.shape, K.shape, reference.corr2d_multi_in_out(X, K, ctx=ctx), "")

    mx.random.seed(seed, ctx="all")
    X = nd.random.uniform(shape=(3, 3, 3))
    K = nd.random.uniform(shape=(2, 3, 1, 1))
    Y1 = reference.corr2d_multi_in_out_1x1(X, K, ctx=ctx)
    Y2 = reference.corr2d_multi_in_out(X, K, ctx=ctx)
    show("In [7]: (Y1 - Y2).norm().asscalar() < 1e-6"
         "    # X, K from nd.random.uniform, mx.random.seed(%d)" % seed,
         "Out[7]: %r" % ((Y1 - Y2).norm().asscalar() < 1e-6,))


def _np_cells(ctx, seed, show):
    """The cells of the book as published today (d2l 1.0.3, the MXNet notebook), on
    ``mxnet.numpy`` arrays. ``d2l.tensor``, ``d2l.stack``, ``d2l.normal``, ``d2l.abs``
    and ``d2l.reduce_sum`` are d2l 1.0.3's names for ``np.array``, ``np.stack``,
    ``np.random.normal``, ``np.abs`` and ``.sum()``, called here directly."""
    from . import reference
    from ._mxnet import mx

    np = mx.np
    # The section's X and K; today's book writes them as float literals, float32 as here.
    X = np.array(reference.BOOK_X, dtype="float32")
    K = np.array(reference.BOOK_K, dtype="float32")
    show("In [3]: X = d2l.tensor(...); K = d2l.tensor(...); corr2d_multi_in(X, K)",
         "Out[3]: " + repr(reference.corr2d_multi_in(X, K)), "")

    K = np.stack((K, K + 1, K + 2), 0)
    show("In [5]: K = d2l.stack((K, K + 1, K + 2), 0); K.shape", "Out[5]: %r" % (K.shape,), "")

    show("In [6]: corr2d_multi_in_out(X, K)", "Out[6]: " + repr(reference.corr2d_multi_in_out(X, K)), "")

    # Cell 8 draws X and K, computes Y1 and Y2 and asserts, all in one cell.
    mx.random.seed(seed, ctx="all")
    X = np.random.normal(0, 1, (3, 3, 3))
    K = np.random.normal(0, 1, (2, 3, 1, 1))
    Y1 = reference.corr2d_multi_in_out_1x1(X, K)
    Y2 = reference.corr2d_multi_in_out(X, K)
    total = float(np.abs(Y1 - Y2).sum())
    show("In [8]: X = d2l.normal(0, 1, (3, 3, 3)); K = d2l.normal(0, 1, (2, 3, 1, 1))"
         "    # after mx.random.seed(%d)" % seed,
         "        Y1 = corr2d_multi_in_out_1x1(X, K); Y2 = corr2d_multi_in_out(X, K)",
         "        assert float(d2l.reduce_sum(d2l.abs(Y1 - Y2))) < 1e-6",
         "        # the assertion %s: the sum is %r" % ("holds" if total < 1e-6 else "FAILS", total))
