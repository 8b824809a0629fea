"""The examples run as a reader runs them and print the document's outputs."""
import re

import pytest

from ._helpers import ROOT, installed_edition, needs_2019, run
from .golden import GOLDEN, NP_TEXT, normalise


@needs_2019
def test_channels_example_prints_the_documents_outputs():
    returncode, out, err = run(str(ROOT / "examples" / "channels.py"), cwd=str(ROOT))
    assert returncode == 0, err
    expected = [GOLDEN[c]["text"] for c in (
        "Out[2]", "Out[4]", "In[5] print(X.shape)", "In[5] print(K.shape)",
        "In[5] print(corr2d_multi_in_out(X, K))", "Out[7]")]
    assert normalise(out) == normalise(" ".join(expected))


def test_np_edition_example_prints_np_arrays_with_the_documents_values():
    returncode, out, err = run(str(ROOT / "examples" / "channels_np.py"), cwd=str(ROOT))
    assert returncode == 0, err
    values = GOLDEN["In[5] print(corr2d_multi_in_out(X, K))"]["values"]
    total = sum(sum(sum(row) for row in channel) for channel in values) - 3 * 2 * 2  # (Y - np.ones(...)).sum()
    expected = [NP_TEXT["Out[3]"], NP_TEXT["Out[5]"], NP_TEXT["Out[6]"],
                "mxnet.numpy ndarray %r" % total, "0.0", "(3, 2, 2)", GOLDEN["Out[7]"]["text"]]
    assert out == "\n".join(expected) + "\n"


@pytest.mark.parametrize("edition,numbers", [("nd", 6), ("np", 7)])
def test_exercises_example_prints_computed_answers(edition, numbers):
    if edition == "nd" and installed_edition() == "np":
        pytest.skip("the 2019 edition's exercise 5 runs the 2019 code, which needs d2l 0.10.x")
    returncode, stdout, err = run(str(ROOT / "examples" / "exercises.py"), edition, cwd=str(ROOT))
    assert returncode == 0, err
    lines = stdout.splitlines()
    assert [line.split(".")[0] for line in lines if line[:1].isdigit()] == [str(n) for n in range(1, numbers + 1)]
    assert "is one kernel of shape (2, 3, 5, 5)" in stdout
    assert "doubling c_i and c_o multiplies the work by 4.0" in stdout
    assert re.search(r"bit-identical in \d+ of 100", stdout)
    assert ("grouped 1x1 convolution" in stdout) == (edition == "np")


def test_notebook_saved_outputs_are_the_documents():
    # nbval checks that running the notebook gives its saved outputs; this checks
    # that the saved outputs are the document's.
    import json

    notebook = json.loads((ROOT / "examples" / "channels.ipynb").read_text())
    outputs = []
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/plain", "")
            outputs.append("".join(text))
    expected = [GOLDEN[c]["text"] for c in (
        "Out[2]", "Out[4]", "In[5] print(X.shape)", "In[5] print(K.shape)",
        "In[5] print(corr2d_multi_in_out(X, K))", "Out[7]")]
    assert normalise(" ".join(outputs)) == normalise(" ".join(expected))
