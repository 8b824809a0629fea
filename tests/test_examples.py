"""The examples run as a reader runs them and print the document's outputs."""
import subprocess
import sys

from ._helpers import ROOT, needs_2019
from .golden import GOLDEN, NP_TEXT, normalise


@needs_2019
def test_channels_example_prints_the_documents_outputs():
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "channels.py")],
                         capture_output=True, text=True, check=True).stdout
    expected = [GOLDEN[c]["text"] for c in (
        "Out[2]", "Out[4]", "In[5] print(X.shape)", "In[5] print(K.shape)",
        "In[5] print(corr2d_multi_in_out(X, K))", "Out[7]")]
    assert normalise(out) == normalise(" ".join(expected))


def test_np_edition_example_prints_np_arrays_with_the_documents_values():
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "channels_np.py")],
                         capture_output=True, text=True, check=True).stdout
    values = GOLDEN["In[5] print(corr2d_multi_in_out(X, K))"]["values"]
    total = sum(sum(sum(row) for row in channel) for channel in values) - 3 * 2 * 2  # (Y - np.ones(...)).sum()
    expected = [NP_TEXT["Out[3]"], NP_TEXT["Out[5]"], NP_TEXT["Out[6]"],
                "mxnet.numpy ndarray %r" % total, "0.0", "(3, 2, 2)", GOLDEN["Out[7]"]["text"]]
    assert out == "\n".join(expected) + "\n"


@needs_2019
def test_exercises_example_prints_computed_answers():
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "exercises.py")],
                         capture_output=True, text=True, check=True).stdout
    assert "equal one kernel of shape (2, 3, 5, 5)" in out
    assert "doubling c_i and c_o multiplies the work by 4.0" in out
    assert "so Out[7] is True" in out
    for exercise in range(1, 7):
        assert "Exercise %d" % exercise in out or "Exercises 2-4" in out


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
