"""The command line: ``python -m mxconv`` (or ``mxconv``).

``mxconv [--ctx cpu(1)] [--seed N] [--edition nd|np] [run]``
    reproduce the section cell by cell, printing what MXNet prints
    (:mod:`mxconv.section`): the 2019 document's cells on ``mx.nd`` NDArrays
    (``--edition nd``), or the cells of the book as published today on
    ``mxnet.numpy`` arrays (``--edition np``); without ``--edition``, the edition of
    the installed d2l (2019's where none is); the options go before or after ``run``;
``mxconv exercises [--edition nd|np] [--seeds N]``
    each exercise of that edition under its book's number, answered by computation;
``mxconv baseline export PATH``
    write the golden baseline file for other ports;
``mxconv figures --out DIR``
    draw the section's two pictures from computed values.

A user's error is one line, ``mxconv: error: ...``, and exit status 2.
"""
import argparse
import sys
from typing import IO, List, Optional

from . import _checks
from ._environment import EDITIONS, installed_edition
from ._progress import Progress
from .baseline.console import Parser, reader_went_away, standard_streams
from .baseline.errors import CheckerError
from .section import DEFAULT_SEED, run_section

__all__ = ["main", "run_section", "print_exercises"]

def print_exercises(edition: str, seeds: int = 200, file: Optional[IO[str]] = None) -> None:
    """Print each exercise of ``edition`` under its book's number, with mxconv's answer
    computed now (:func:`mxconv.exercises.print_answers`); a progress line on a terminal."""
    from .exercises.answers import print_answers

    with Progress() as progress:
        print_answers(edition, seeds=seeds, file=file, progress=progress)


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
    parser = Parser(
        prog="mxconv",
        description="The MXNet-faithful port of d2l's 'Multiple Input and Output Channels'.")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="reproduce the section's printed outputs (the default)")
    for p, default in ((parser, None), (run, argparse.SUPPRESS)):
        # On `run` the defaults are SUPPRESS, so that `mxconv --seed 5 run` keeps its 5.
        p.add_argument("--ctx", default=default, help="context to run on: cpu, cpu(1), gpu(0)")
        p.add_argument("--seed", type=_seed, default=DEFAULT_SEED if default is None else default,
                       help="seed of mx.random for the random cell In[7] (default %d)" % DEFAULT_SEED)
        p.add_argument("--edition", choices=EDITIONS, default=default,
                       help="nd: the 2019 document's cells on mx.nd; np: today's book's cells on mxnet.numpy "
                            "arrays with npx.set_np() (default: the installed d2l's edition, nd where none is)")
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
    standard_streams()  # started with stdout or stderr closed (`mxconv >&-`): print() then writes nothing
    args = _parser().parse_args(argv)
    try:
        _dispatch(args)
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        return reader_went_away()  # `mxconv | head`: stop quietly, as the Python docs advise
    except Exception as err:
        from ._errors import MxconvError, MXNetUnavailableError

        if not isinstance(err, (MxconvError, MXNetUnavailableError, CheckerError, OSError)):
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
                        edition=args.edition or installed_edition() or "nd")
        except D2lMissingError as err:
            other = "np" if err.edition == "nd" else "nd"
            raise D2lMissingError("%s; python -m mxconv --edition %s runs the cells of %s"
                                  % (err, other, "today's edition" if other == "np" else "the 2019 edition")
                                  ) from None
