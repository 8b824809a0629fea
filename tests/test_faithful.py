"""mxconv runs the book's code unchanged: the document's own cells are the oracle."""
import ast
import inspect
import re

import mxnet as mx
import numpy as np
import pytest
from conftest import DOCUMENT, SEED
from mxnet import nd

import mxconv
from mxconv import _book

BOOK_FUNCTIONS = {1: "corr2d_multi_in", 3: "corr2d_multi_in_out", 6: "corr2d_multi_in_out_1x1"}


def document_cell(n):
    """The code of cell In[n] as the document prints it, with the indentation its
    text extraction lost restored (continuation lines carry an 8-space prompt
    margin; some function bodies lost their 4 spaces)."""
    blocks = re.findall(r"```\n(In \[(\d+)\]: .*?)```", DOCUMENT.read_text(), re.S)
    text = dict((int(num), block) for block, num in blocks)[n]
    lines = []
    in_def = False
    for i, line in enumerate(text.splitlines()):
        line = line.rstrip()
        line = line[len("In [%d]: " % n):] if i == 0 else line[8:] if line.startswith(" " * 8) else line
        if line.startswith("def "):
            in_def = True
        elif in_def and line and not line.startswith(" "):
            line = "    " + line
        lines.append(line)
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def book():
    """The section's functions, executed from the document's text."""
    namespace = {}
    exec(compile("".join(document_cell(n) for n in BOOK_FUNCTIONS), str(DOCUMENT), "exec"), namespace)
    return namespace


def _function_tree(source, name):
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return ast.dump(node)
    raise AssertionError("no function %s" % name)


@pytest.mark.parametrize("cell", sorted(BOOK_FUNCTIONS))
def test_book_module_is_the_documents_code(cell):
    name = BOOK_FUNCTIONS[cell]
    assert _function_tree(inspect.getsource(_book), name) == _function_tree(document_cell(cell), name)


def test_book_module_comments_are_the_documents():
    def comments(text):
        return [c.strip() for c in re.findall(r"#(.*)", text) if "book In[" not in c]

    expected = sum((comments(document_cell(n)) for n in BOOK_FUNCTIONS), [])
    assert comments(inspect.getsource(_book).split('"""', 2)[2]) == expected


def _random_case(rng, op):
    c_i, c_o = rng.integers(1, 5), rng.integers(1, 4)
    h, w = rng.integers(1, 8, size=2)
    k_h, k_w = (1, 1) if op == "corr2d_multi_in_out_1x1" else (rng.integers(1, h + 1), rng.integers(1, w + 1))
    X = rng.standard_normal((c_i, h, w)).astype(np.float32)
    k_shape = {"corr2d_multi_in": (c_i, k_h, k_w)}.get(op, (c_o, c_i, k_h, k_w))
    return X, rng.standard_normal(k_shape).astype(np.float32)


@pytest.mark.parametrize("op", sorted(BOOK_FUNCTIONS.values()))
def test_bit_for_bit_with_the_book_over_random_shapes(book, op, rng):
    for _ in range(25):
        X, K = _random_case(rng, op)
        expected = book[op](nd.array(X), nd.array(K))
        got = getattr(mxconv, op)(X, K)
        assert got.dtype == expected.dtype and got.shape == expected.shape
        assert np.array_equal(got.asnumpy(), expected.asnumpy()), (X.shape, K.shape)


def test_corr2d_is_d2l_corr2d(rng):
    import d2l

    for _ in range(10):
        X, K = _random_case(rng, "corr2d_multi_in")
        assert np.array_equal(mxconv.corr2d(X[0], K[0]).asnumpy(),
                              d2l.corr2d(nd.array(X[0]), nd.array(K[0])).asnumpy())


@pytest.mark.parametrize("kind", ["ndarray", "numpy", "lists"])
def test_every_input_kind_gives_the_books_result(book, kind, rng):
    X, K = _random_case(rng, "corr2d_multi_in_out")
    convert = {"ndarray": nd.array, "numpy": lambda a: a, "lists": lambda a: a.tolist()}[kind]
    expected = book["corr2d_multi_in_out"](nd.array(X), nd.array(K)).asnumpy()
    np.testing.assert_array_equal(mxconv.corr2d_multi_in_out(convert(X), convert(K)).asnumpy(), expected)


def test_in7_one_by_one_equals_general_over_100_seeds():
    # Out[7]: `(Y1 - Y2).norm().asscalar() < 1e-6` is True, for any seed.
    for seed in range(SEED, SEED + 100):
        mx.random.seed(seed)
        X = nd.random.uniform(shape=(3, 3, 3))
        K = nd.random.uniform(shape=(2, 3, 1, 1))
        Y1 = mxconv.corr2d_multi_in_out_1x1(X, K)
        Y2 = mxconv.corr2d_multi_in_out(X, K)
        assert (Y1 - Y2).norm().asscalar() < 1e-6, "seed %d" % seed
