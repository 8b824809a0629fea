"""mxconv runs the book's code unchanged: the document's own cells are the oracle."""
import ast
import inspect
import re

import mxnet as mx
import numpy as np
import pytest
from mxnet import nd

import mxconv
from mxconv import _book

from ._helpers import BOOK_FUNCTIONS, SEED, document_cell, needs_2019, random_inputs

# The 2019 edition's code, on d2l 0.10.x; today's is tests/test_editions.py's.
pytestmark = needs_2019


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


@pytest.mark.parametrize("op", sorted(BOOK_FUNCTIONS.values()))
def test_bit_for_bit_with_the_book_over_random_shapes(book, op, rng):
    for _ in range(25):
        X, K = random_inputs(rng, op)
        expected = book[op](nd.array(X), nd.array(K))
        got = getattr(mxconv, op)(X, K)
        assert got.dtype == expected.dtype and got.shape == expected.shape
        assert np.array_equal(got.asnumpy(), expected.asnumpy()), (X.shape, K.shape)


def test_corr2d_is_d2l_corr2d(rng):
    import d2l

    for _ in range(10):
        X, K = random_inputs(rng, "corr2d")
        assert np.array_equal(mxconv.corr2d(X, K).asnumpy(), d2l.corr2d(nd.array(X), nd.array(K)).asnumpy())


@pytest.mark.parametrize("kind", ["ndarray", "numpy", "lists"])
def test_every_input_kind_gives_the_books_result(book, kind, rng):
    X, K = random_inputs(rng, "corr2d_multi_in_out")
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
