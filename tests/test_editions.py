"""Both editions of the book: today's code kept verbatim, run bit for bit as the book
runs it, on whichever d2l is installed; the 2019 code where d2l 0.10.x is; and a clear
error for an edition whose d2l is missing. Runs in both environments (README's, with
d2l 0.10.3, and today's student stack, with d2l 1.0.3)."""
import ast
import inspect
import re
import subprocess
import sys

import mxnet as mx
import numpy as np
import pytest
from mxnet import nd

import mxconv
from mxconv import _book_np, _d2l, _environment, reference
from mxconv._mxnet import array_mode

from ._helpers import ROOT, SEED, TODAY_FUNCTIONS, book_today, random_inputs, today_cells

EDITION = _environment.installed_edition()
only_nd = pytest.mark.skipif(EDITION != "nd", reason="needs d2l 0.10.x installed (README's environment)")
only_np = pytest.mark.skipif(EDITION != "np", reason="needs d2l 1.x installed (today's student stack, CI's second run)")


def _function_tree(source, name):
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and node.name == name:
            node.body = [n for n in node.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)
                                                       and isinstance(n.value.value, str))]  # docstrings
            return ast.dump(node)
    raise AssertionError("no function %s" % name)


@pytest.mark.parametrize("name", TODAY_FUNCTIONS)
def test_todays_code_is_the_documents(name):
    document = "".join(cell for cell in today_cells() if cell.startswith("def "))
    assert _function_tree(inspect.getsource(_book_np), name) == _function_tree(document, name)


def test_todays_comments_are_the_documents():
    def comments(text):
        return [c.strip() for c in re.findall(r"#(.*)", text) if "today's book" not in c]

    document = "".join(cell for cell in today_cells() if cell.startswith("def "))
    assert comments(inspect.getsource(_book_np).split('"""', 2)[2]) == comments(document)


# The previous section's corr2d as each d2l release prints it: the oracle that the two agree.
CORR2D_010 = '''
def corr2d(X, K):
    """Compute 2D cross-correlation."""
    h, w = K.shape
    Y = nd.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i: i + h, j: j + w] * K).sum()
    return Y
'''
CORR2D_103 = '''
def corr2d(X, K):
    """Compute 2D cross-correlation."""
    h, w = K.shape
    Y = d2l.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = d2l.reduce_sum((X[i: i + h, j: j + w] * K))
    return Y
'''


def _compiled(source, **names):
    namespace = dict(names)
    exec(compile(source, "corr2d", "exec"), namespace)
    return namespace["corr2d"]


def test_the_installed_d2l_corr2d_is_the_one_written_here():
    import d2l

    installed, written = ((d2l.corr2d, CORR2D_010) if EDITION == "nd" else
                          (_d2l.for_edition("np").corr2d, CORR2D_103))
    assert _function_tree(inspect.getsource(installed), "corr2d") == _function_tree(written, "corr2d")


def test_the_two_d2l_corr2d_agree_element_for_element(rng):
    """d2l 0.10.x's corr2d on NDArrays and d2l 1.x's on mxnet.numpy arrays: bit for bit."""
    old = _compiled(CORR2D_010, nd=nd)

    class Today:  # d2l 1.0.3's names, as d2l.mxnet defines them
        zeros = staticmethod(mx.np.zeros)

        @staticmethod
        def reduce_sum(x, *args, **kwargs):
            return x.sum(*args, **kwargs)

    new = _compiled(CORR2D_103, d2l=Today)
    for _ in range(30):
        X, K = random_inputs(rng, "corr2d")
        with array_mode(numpy=False):
            expected = old(nd.array(X), nd.array(K)).asnumpy()
        with array_mode(numpy=True):
            got = new(mx.np.array(X), mx.np.array(K)).asnumpy()
            installed = _d2l.for_edition("np").corr2d(mx.np.array(X), mx.np.array(K)).asnumpy()
        np.testing.assert_array_equal(got, expected)
        np.testing.assert_array_equal(installed, expected)


@pytest.mark.parametrize("op", ("corr2d",) + TODAY_FUNCTIONS)
def test_np_arrays_run_todays_code_bit_for_bit(op, rng):
    for _ in range(15):
        X, K = random_inputs(rng, op)
        Y = getattr(mxconv, op)(mx.np.array(X), mx.np.array(K))
        assert type(Y) is mx.np.ndarray
        np.testing.assert_array_equal(Y.asnumpy(), book_today(op, X, K))


def test_todays_last_cell_over_200_seeds_is_the_books_bit_for_bit():
    """X = d2l.normal(0, 1, (3, 3, 3)); K = d2l.normal(0, 1, (2, 3, 1, 1)), seeded; Y1
    and Y2 from mxconv equal the book's own code's, and so does the assertion's outcome."""
    outcomes = []
    for seed in range(SEED % 1000, SEED % 1000 + 200):
        mx.random.seed(seed)
        with array_mode(numpy=True):
            X, K = mx.np.random.normal(0, 1, (3, 3, 3)), mx.np.random.normal(0, 1, (2, 3, 1, 1))
        Y1, Y2 = mxconv.corr2d_multi_in_out_1x1(X, K), mxconv.corr2d_multi_in_out(X, K)
        B1 = book_today("corr2d_multi_in_out_1x1", X.asnumpy(), K.asnumpy())
        B2 = book_today("corr2d_multi_in_out", X.asnumpy(), K.asnumpy())
        assert np.array_equal(Y1.asnumpy(), B1) and np.array_equal(Y2.asnumpy(), B2), "seed %d" % seed
        with array_mode(numpy=True):
            mine = float(mx.np.abs(Y1 - Y2).sum()) < 1e-6
            books = float(mx.np.abs(mx.np.array(B1) - mx.np.array(B2)).sum()) < 1e-6
        outcomes.append((mine, books))
    assert all(mine == books for mine, books in outcomes)
    print("today's assertion held on %d of 200 seeds here" % sum(m for m, _ in outcomes))


def test_legacy_ndarrays_run_the_2019_code_or_say_which_d2l_they_need():
    X, K = nd.array(reference.BOOK_X), nd.array(reference.BOOK_K)
    if EDITION == "nd":
        assert mxconv.corr2d_multi_in(X, K).asnumpy().tolist() == [[56.0, 72.0], [104.0, 120.0]]
        return
    with pytest.raises(mxconv.MxconvError, match=r"^corr2d_multi_in: the book's code of the book's 2019 nd edition "
                       r"\(NDArray inputs\) calls d2l.corr2d of d2l 0.10.3, but d2l 1.0.3 is installed here\. "
                       r"For that edition: pip install \"mxconv\[mxnet\]\""):
        mxconv.corr2d_multi_in(X, K)


@pytest.mark.parametrize("installed,edition,expected", [
    ("1.0.3", "nd", "of d2l 0.10.3, but d2l 1.0.3 is installed here. For that edition: pip install \"mxconv[mxnet]\""),
    (None, "np", "of d2l 1.0.3, but d2l is not installed here. For that edition: pip install -U pip && pip install "
                 "mxnet==1.9.1 d2l==1.0.3"),
    ("2.0.0", "np", "but d2l 2.0.0 is installed here"),
])
def test_a_missing_d2l_is_named_with_both_releases_and_the_fix(monkeypatch, installed, edition, expected):
    monkeypatch.setattr(_d2l, "d2l_version", lambda: installed)
    with pytest.raises(_d2l.D2lMissingError) as info:
        _d2l.for_edition(edition)
    assert expected in str(info.value) and "\n" not in str(info.value)


@only_np
def test_with_no_flags_the_command_prints_the_cells_of_the_installed_d2ls_edition():
    done = subprocess.run([sys.executable, "-m", "mxconv"], capture_output=True, text=True, cwd=str(ROOT))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("In [3]: X = d2l.tensor(...)") and "\nIn [8]: " in done.stdout


@only_np
def test_the_command_line_says_which_d2l_the_2019_cells_need():
    done = subprocess.run([sys.executable, "-m", "mxconv", "--edition", "nd"], capture_output=True, text=True,
                          cwd=str(ROOT))
    assert done.returncode == 2 and done.stdout == "", done.stderr
    line, = done.stderr.splitlines()
    assert line.startswith("mxconv: error: corr2d_multi_in: the book's code of the book's 2019 nd edition")
    assert "d2l 0.10.3" in line and "d2l 1.0.3" in line and line.endswith("--edition np runs the cells of "
                                                                          "today's edition")


@only_np
def test_d2l_1x_is_what_todays_code_calls():
    from d2l import mxnet as d2l

    assert _book_np.d2l is d2l
    # d2l 1.0.3's names for the np functions the np edition's cells call directly (mxconv.cli)
    assert (d2l.tensor, d2l.stack, d2l.normal, d2l.abs, d2l.matmul) == (
        mx.np.array, mx.np.stack, mx.np.random.normal, mx.np.abs, mx.np.dot)


@only_nd
def test_on_d2l_010_todays_code_runs_on_its_corr2d():
    assert isinstance(_book_np.d2l, _d2l.TodayOn010)


def test_the_book_path_of_either_edition_leaves_the_callers_globals_alone():
    # d2l is imported on first use; d2l 1.x's dependencies (IPython, pandas) add warnings filters on import.
    code = (
        "import logging, warnings, matplotlib, numpy, mxnet as mx\n"  # the caller's own imports
        "before = (list(warnings.filters), matplotlib.get_backend(), list(logging.getLogger().handlers),\n"
        "          numpy.random.get_state()[1][:4].tolist())\n"
        "import mxconv\n"
        "from mxconv._mxnet import array_mode\n"
        "with array_mode(numpy=False):\n"
        "    mxconv.corr2d_multi_in(mx.np.array([[[1., 2.], [3., 4.]]]), mx.np.array([[[1.]]]))\n"
        "after = (list(warnings.filters), matplotlib.get_backend(), list(logging.getLogger().handlers),\n"
        "         numpy.random.get_state()[1][:4].tolist())\n"
        "print(before == after, mx.util.is_np_array(), mx.util.is_np_shape())\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(ROOT), timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False", "False"], done.stderr
