"""Every printed output of the document, checked as data (tests/golden.py), numbers and text."""
import numpy as np
import pytest
from mxnet import nd

import mxconv

from ._helpers import DOCUMENT, needs_2019, run
from .golden import GOLDEN, K_IN2, ND_ORDER, X_IN2, normalise


def test_golden_texts_are_the_documents_in_its_order():
    # The transcription itself: each golden text stands in the document, in order.
    # The document splits In[5]'s printed array over several fenced blocks.
    document = normalise(DOCUMENT.read_text().replace("```", ""))
    assert sorted(ND_ORDER) == sorted(GOLDEN)
    position = 0
    for cell in ND_ORDER:
        found = document.find(normalise(GOLDEN[cell]["text"]), position)
        assert found >= 0, cell
        position = found


def test_out2_values_and_text():
    Y = mxconv.corr2d_multi_in(nd.array(X_IN2), nd.array(K_IN2))
    assert Y.dtype == np.float32
    np.testing.assert_array_equal(Y.asnumpy(), np.array(GOLDEN["Out[2]"]["values"]))
    assert normalise(repr(Y)) == normalise(GOLDEN["Out[2]"]["text"])


def test_out4_shape():
    K = nd.array(K_IN2)
    assert repr(nd.stack(K, K + 1, K + 2).shape) == GOLDEN["Out[4]"]["text"]


def test_in5_values_and_printed_text(capsys):
    X = nd.array(X_IN2)
    K = nd.array(K_IN2)
    K = nd.stack(K, K + 1, K + 2)
    print(X.shape)
    print(K.shape)
    Y = mxconv.corr2d_multi_in_out(X, K)
    print(Y)
    np.testing.assert_array_equal(
        Y.asnumpy(), np.array(GOLDEN["In[5] print(corr2d_multi_in_out(X, K))"]["values"]))
    expected = " ".join(normalise(GOLDEN[c]["text"]) for c in (
        "In[5] print(X.shape)", "In[5] print(K.shape)", "In[5] print(corr2d_multi_in_out(X, K))"))
    assert normalise(capsys.readouterr().out) == expected


def test_out7_is_printed_true():
    import io

    from mxconv.cli import run_section

    buf = io.StringIO()
    run_section(file=buf)
    assert buf.getvalue().rstrip().splitlines()[-1] == "Out[7]: " + GOLDEN["Out[7]"]["text"]


@needs_2019
@pytest.mark.parametrize("argv", [["-m", "mxconv"], ["-m", "mxconv", "run", "--seed", "7"]])
def test_main_job_prints_every_output_in_order(argv):
    returncode, out, err = run(*argv)
    assert returncode == 0, err
    folded = normalise(out)
    position = 0
    for expected in (normalise(GOLDEN[cell]["text"]) for cell in ND_ORDER):
        found = folded.find(expected, position)
        assert found >= 0, "missing or out of order: %r\n--- output ---\n%s" % (expected, out)
        position = found + len(expected)
    # Each result's footer exactly as MXNet prints it.
    assert "\n<NDArray 2x2 @cpu(0)>\n" in out and "\n<NDArray 3x2x2 @cpu(0)>\n" in out
