"""The command line: ``python -m mxconv`` (or ``mxconv``).

``mxconv [--ctx cpu(1)] [--seed N] [--edition nd|np] [run]``
    reproduce the section cell by cell, printing what MXNet prints: the 2019
    document's cells on ``mx.nd`` NDArrays (``--edition nd``, the default), or the
    cells of the book as published today on ``mxnet.numpy`` arrays (``--edition np``);
    the options go before or after ``run``;
``mxconv exercises [--edition nd|np] [--seeds N]``
    each exercise of that edition under its book's number, answered by computation;
``mxconv baseline export PATH``
    write the golden baseline file for other ports;
``mxconv figures --out DIR``
    draw the section's two pictures from computed values.

A user's error is one line, ``mxconv: error: ...``, and exit status 2.
"""
import argparse
import os
import sys
from typing import IO, List, NoReturn, Optional

from . import _checks
from ._environment import installed_edition
from .baseline import _standard_streams

DEFAULT_SEED = 0
EDITIONS = ("nd", "np")



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
        (d2l 1.0.3), on ``mxnet.numpy`` arrays with ``npx.set_np()`` on while they
        run, the caller's mode back afterwards; the last cell's assertion prints its
        outcome.
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

    mx.random.seed(seed, ctx="all")
    X = np.random.normal(0, 1, (3, 3, 3))
    K = np.random.normal(0, 1, (2, 3, 1, 1))
    Y1 = reference.corr2d_multi_in_out_1x1(X, K)
    Y2 = reference.corr2d_multi_in_out(X, K)
    total = float(np.abs(Y1 - Y2).sum())
    show("In [8]: X = d2l.normal(0, 1, (3, 3, 3)); K = d2l.normal(0, 1, (2, 3, 1, 1))"
         "    # after mx.random.seed(%d)" % seed,
         "", "In [9]: Y1 = corr2d_multi_in_out_1x1(X, K); Y2 = corr2d_multi_in_out(X, K)",
         "        assert float(d2l.reduce_sum(d2l.abs(Y1 - Y2))) < 1e-6",
         "        # the assertion %s: the sum is %r" % ("holds" if total < 1e-6 else "FAILS", total))


def print_exercises(edition: str, seeds: int = 200, file: Optional[IO[str]] = None) -> None:
    """Print each exercise of ``edition`` under its book's number, with mxconv's answer
    computed now (:func:`mxconv.exercises.exercise_answers`)."""
    from . import exercises

    file = sys.stdout if file is None else file
    answers = exercises.exercise_answers(edition, seeds=seeds)
    title = {"nd": "the book's 2019 nd edition (d2l 0.10.3): six exercises",
             "np": "the book as published today (d2l 1.0.3): seven exercises"}[edition]
    print("Exercises of %s, answered by computation" % title, file=file)
    for number, question, lines in answers:
        print("", "%d. %s" % (number, question), *("   - " + line for line in lines), sep="\n", file=file)


class _Parser(argparse.ArgumentParser):
    """argparse, with every usage error on one line: ``mxconv: error: ...``."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, "mxconv: error: %s (see mxconv --help)\n" % message)


def _seed(text: str) -> int:
    from ._errors import MxconvError

    try:
        return _checks.seed("--seed", int(text))
    except MxconvError:
        raise argparse.ArgumentTypeError("--seed must be an int in [0, 2**32), got %s" % text) from None
    except ValueError:
        raise argparse.ArgumentTypeError("--seed must be an int in [0, 2**32), got %r" % text) from None


def _seeds(text: str) -> int:
    from ._errors import MxconvError

    try:
        return _checks.bounded("--seeds", int(text), 1, 10000)
    except (ValueError, MxconvError):
        raise argparse.ArgumentTypeError("--seeds must be an int in [1, 10000], got %r" % text) from None


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
    ex = sub.add_parser("exercises", help="each exercise of an edition, answered by computation")
    ex.add_argument("--edition", choices=EDITIONS, default=None,
                    help="nd: the 2019 edition's six; np: today's seven (default: the installed d2l's edition)")
    ex.add_argument("--seeds", type=_seeds, default=200,
                    help="draws of the last example for 'are Y1 and Y2 exactly the same?' (default 200)")
    base = sub.add_parser("baseline", help="the golden baseline file for other ports")
    base_sub = base.add_subparsers(dest="baseline_command", required=True)
    export = base_sub.add_parser("export", help="write the baseline file from mxconv's reference path")
    export.add_argument("path", help="where to write the JSON file")
    figures = sub.add_parser("figures", help="draw the section's two figures from computed values")
    figures.add_argument("--out", default="figures", help="output folder (default %(default)s)")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point of ``python -m mxconv`` and the ``mxconv`` script."""
    _standard_streams()  # started with stdout or stderr closed (`mxconv >&-`): print() then writes nothing
    args = _parser().parse_args(argv)
    try:
        _dispatch(args)
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`mxconv | head`): stop quietly, as the Python docs advise.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
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
    elif args.command == "exercises":
        print_exercises(args.edition or installed_edition() or "np", args.seeds)
    elif args.command == "figures":
        from . import figures

        for path in figures.draw_all(args.out):
            print("wrote", path)
    else:
        from . import _inputs
        from ._errors import D2lMissingError

        try:
            run_section(ctx=_inputs.parse_ctx(args.ctx) if args.ctx is not None else None, seed=args.seed,
                        edition=args.edition)
        except D2lMissingError as err:
            other = "np" if err.edition == "nd" else "nd"
            raise D2lMissingError("%s; python -m mxconv --edition %s runs the cells of %s"
                                  % (err, other, "today's edition" if other == "np" else "the 2019 edition")
                                  ) from None
