"""The command line: ``python -m mxconv`` (or ``mxconv``).

``mxconv [--ctx cpu(1)] [--seed N] [--edition nd|np] [run]``
    reproduce the section cell by cell, printing what MXNet prints, on ``mx.nd``
    NDArrays or (``--edition np``) on ``mxnet.numpy`` arrays (the options go before
    or after ``run``);
``mxconv baseline export PATH``
    write the golden baseline file for other ports;
``mxconv figures --out DIR``
    draw the section's two pictures from computed values.

A user's error is one line, ``mxconv: error: ...``, and exit status 2.
"""
import argparse
import contextlib
import ctypes
import os
import sys
from typing import IO, Iterator, List, NoReturn, Optional

DEFAULT_SEED = 0
EDITIONS = ("nd", "np")


def run_section(ctx=None, seed: int = DEFAULT_SEED, file: Optional[IO[str]] = None, edition: str = "nd") -> None:
    """Run the section's printing cells through mxconv and print what the book prints.

    In[7] draws its X and K uniformly in [0, 1), as the book does, after
    ``mx.random.seed(seed)``: this reseeds MXNet's global generator, as running
    the section in a notebook would.

    Parameters
    ----------
    ctx : mx.Context, optional
        Where every array lives (default: the current context, cpu(0)).
    seed : int in [0, 2**32)
        Seed of ``mx.random`` for the random cell In[7].
    file : file-like, optional
        Where to print (default: sys.stdout).
    edition : "nd" or "np"
        ``"nd"``: the document's cells, on ``mx.nd`` NDArrays. ``"np"``: the same cells
        written for MXNet's numpy interface, as the book's current edition writes them,
        on ``mxnet.numpy`` arrays with ``npx.set_np()`` on while they run; the mode the
        caller had is back afterwards.
    """
    from . import _inputs

    with _inputs.boundary("run_section"):
        ctx = _inputs.resolve_ctx(ctx)
        seed = _inputs.seed("seed", seed)
        edition = _inputs.one_of("edition", edition, EDITIONS)
    file = sys.stdout if file is None else file

    def show(*lines):
        print(*lines, sep="\n", file=file)

    cells = _np_cells if edition == "np" else _nd_cells
    with ctx, _array_mode(numpy=edition == "np"):
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
    """The same cells on ``mxnet.numpy`` arrays: ``np.stack`` takes a sequence, and
    In[7] checks with ``np.abs(...).sum()``, as the book's current edition does."""
    from . import reference
    from ._mxnet import mx

    np = mx.np
    X = np.array(reference.BOOK_X, ctx=ctx)
    K = np.array(reference.BOOK_K, ctx=ctx)
    show("In [2]: corr2d_multi_in(X, K)",
         "Out[2]: " + repr(reference.corr2d_multi_in(X, K)), "")

    K = np.stack((K, K + 1, K + 2))
    show("In [4]: K = np.stack((K, K + 1, K + 2)); K.shape", "Out[4]: %r" % (K.shape,), "")

    show("In [5]: print(X.shape); print(K.shape); print(corr2d_multi_in_out(X, K))")
    show(X.shape, K.shape, reference.corr2d_multi_in_out(X, K), "")

    mx.random.seed(seed, ctx="all")
    X = np.random.uniform(size=(3, 3, 3), ctx=ctx)
    K = np.random.uniform(size=(2, 3, 1, 1), ctx=ctx)
    Y1 = reference.corr2d_multi_in_out_1x1(X, K)
    Y2 = reference.corr2d_multi_in_out(X, K)
    show("In [7]: float(np.abs(Y1 - Y2).sum()) < 1e-6"
         "    # X, K from np.random.uniform, mx.random.seed(%d)" % seed,
         "Out[7]: %r" % (float(np.abs(Y1 - Y2).sum()) < 1e-6,))


@contextlib.contextmanager
def _array_mode(numpy: bool) -> Iterator[None]:
    """MXNet's numpy mode (``npx.set_np()``) on or off inside, and as it was after.

    The array flag is MXNet's thread-local scope. The shape flag is set through the
    C call under ``mx.util.set_np_shape``: that wrapper logs through ``logging.info``,
    which on first use installs a handler on the root logger (``logging.basicConfig``)
    and would leave the caller's logging changed."""
    from ._mxnet import mx

    with mx.util.np_array(numpy):
        before = _set_np_shape(numpy)
        try:
            yield
        finally:
            _set_np_shape(before)


def _set_np_shape(active: bool) -> bool:
    """Numpy shape semantics on or off for this thread; returns the previous state."""
    from ._mxnet import _LIB, check_call

    previous = ctypes.c_int()
    check_call(_LIB.MXSetIsNumpyShape(ctypes.c_int(active), ctypes.byref(previous)))
    return bool(previous.value)


class _Parser(argparse.ArgumentParser):
    """argparse, with every usage error on one line: ``mxconv: error: ...``."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, "mxconv: error: %s (see mxconv --help)\n" % message)


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("--seed must be an int in [0, 2**32), got %r" % text) from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError("--seed must be an int in [0, 2**32), got %s" % text)
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mxconv",
        description="The MXNet-faithful port of d2l's 'Multiple Input and Output Channels'.")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="reproduce the section's printed outputs (the default)")
    for p, default in ((parser, None), (run, argparse.SUPPRESS)):
        # On `run` the defaults are SUPPRESS, so that `mxconv --seed 5 run` keeps its 5.
        p.add_argument("--ctx", default=default, help="context to run on: cpu, cpu(1), gpu(0)")
        p.add_argument("--seed", type=_seed, default=DEFAULT_SEED if default is None else default,
                       help="seed of mx.random for the random cell In[7] (default %d)" % DEFAULT_SEED)
        p.add_argument("--edition", choices=EDITIONS, default="nd" if default is None else default,
                       help="nd: the document's cells on mx.nd (the default); np: the same cells on "
                            "mxnet.numpy arrays with npx.set_np(), as the book's current edition")
    base = sub.add_parser("baseline", help="the golden baseline file for other ports")
    base_sub = base.add_subparsers(dest="baseline_command", required=True)
    export = base_sub.add_parser("export", help="write the baseline file from mxconv's reference path")
    export.add_argument("path", help="where to write the JSON file")
    figures = sub.add_parser("figures", help="draw the section's two figures from computed values")
    figures.add_argument("--out", default="figures", help="output folder (default %(default)s)")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point of ``python -m mxconv`` and the ``mxconv`` script."""
    args = _parser().parse_args(argv)
    try:
        _dispatch(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`mxconv | head`): stop quietly, as the Python docs advise.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except Exception as err:
        from ._errors import MxconvError, MXNetUnavailableError

        if not isinstance(err, (MxconvError, MXNetUnavailableError, OSError)):
            raise
        print("mxconv: error: %s" % _one_line(err), file=sys.stderr)
        return 2
    return 0


def _one_line(err: BaseException) -> str:
    if isinstance(err, OSError) and err.filename:
        return "%s: %s" % (err.strerror or err, err.filename)
    return " ".join(str(err).split())


def _dispatch(args: argparse.Namespace) -> None:
    if args.command == "baseline":
        from . import _export

        path, cases = _export.export(args.path)
        print("wrote %d cases to %s" % (cases, path))
    elif args.command == "figures":
        from . import figures

        for path in figures.draw_all(args.out):
            print("wrote", path)
    else:
        from . import _inputs

        run_section(ctx=_inputs.parse_ctx(args.ctx) if args.ctx is not None else None, seed=args.seed,
                    edition=args.edition)
