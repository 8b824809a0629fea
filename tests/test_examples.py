"""The examples run as a reader runs them and print the document's outputs."""
import subprocess
import sys

from conftest import ROOT
from golden import GOLDEN, normalise


def test_channels_example_prints_the_documents_outputs():
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "channels.py")],
                         capture_output=True, text=True, check=True).stdout
    expected = [GOLDEN[c]["text"] for c in (
        "Out[2]", "Out[4]", "In[5] print(X.shape)", "In[5] print(K.shape)",
        "In[5] print(corr2d_multi_in_out(X, K))", "Out[7]")]
    assert normalise(out) == normalise(" ".join(expected))
