"""The command line: ``python -m mxconv`` (or ``mxconv``).

``mxconv [run] [--ctx cpu(1)] [--seed N]``
    reproduce the section cell by cell, printing what MXNet prints;
``mxconv baseline export PATH``
    write the golden baseline file for other ports;
``mxconv figures --out DIR``
    draw the section's two pictures from computed values.
"""
import argparse
import sys

DEFAULT_SEED = 0


def run_section(ctx=None, seed=DEFAULT_SEED, file=None):
    """Run the section's printing cells through mxconv and print what the book prints.

    Parameters
    ----------
    ctx : mx.Context, optional
        Where every array lives (default: the current context, cpu(0)).
    seed : int
        Seed of ``mx.random`` for the random cell In[7].
    file : file-like, optional
        Where to print (default: sys.stdout).
    """
    import mxnet as mx
    from mxnet import nd

    from . import _inputs, reference

    ctx = _inputs.resolve_ctx(ctx)
    file = sys.stdout if file is None else file

    def show(*lines):
        print(*lines, sep="\n", file=file)

    with ctx:
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


def _parser():
    parser = argparse.ArgumentParser(
        prog="mxconv",
        description="The MXNet-faithful port of d2l's 'Multiple Input and Output Channels'.")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="reproduce the section's printed outputs (the default)")
    for p in (parser, run):
        p.add_argument("--ctx", default=None, help="context to run on: cpu, cpu(1), gpu(0)")
        p.add_argument("--seed", type=int, default=DEFAULT_SEED,
                       help="seed of mx.random for the random cell In[7] (default %(default)s)")
    base = sub.add_parser("baseline", help="the golden baseline file for other ports")
    base_sub = base.add_subparsers(dest="baseline_command", required=True)
    export = base_sub.add_parser("export", help="write the baseline file from mxconv's reference path")
    export.add_argument("path", help="where to write the JSON file")
    figures = sub.add_parser("figures", help="draw the section's two figures from computed values")
    figures.add_argument("--out", default="figures", help="output folder (default %(default)s)")
    return parser


def main(argv=None):
    """Entry point of ``python -m mxconv`` and the ``mxconv`` script."""
    args = _parser().parse_args(argv)
    from ._errors import MxconvError

    try:
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

            ctx = _inputs.parse_ctx(args.ctx) if args.ctx else None
            run_section(ctx=ctx, seed=args.seed)
    except MxconvError as err:
        print("mxconv: error: %s" % err, file=sys.stderr)
        return 2
    return 0
