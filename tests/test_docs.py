"""docs/usage.md stays true: the np edition's printed output is what the command prints."""
import re

from ._helpers import ROOT, run
from .golden import NP_TEXT

USAGE = (ROOT / "docs" / "usage.md").read_text(encoding="utf-8")


def test_np_editions_printed_output_is_what_the_command_prints():
    match = re.search(r"<!-- output:np -->\n```\n(.*?)```", USAGE, re.S)
    assert match, "docs/usage.md has lost its output:np block"
    returncode, out, err = run("-m", "mxconv", "--edition", "np", cwd=str(ROOT))
    assert returncode == 0, err
    assert out == match.group(1)
    assert all(text in out for text in NP_TEXT.values())
