"""docs/usage.md stays true: the np edition's printed output is what the command prints."""
import re

from ._helpers import ROOT, run, today_cells
from .golden import NP_TEXT

USAGE = (ROOT / "docs" / "usage.md").read_text(encoding="utf-8")


def test_np_editions_printed_output_is_what_the_command_prints():
    match = re.search(r"<!-- output:np -->\n```\n(.*?)```", USAGE, re.S)
    assert match, "docs/usage.md has lost its output:np block"
    returncode, out, err = run("-m", "mxconv", "--edition", "np", cwd=str(ROOT))
    assert returncode == 0, err
    assert out == match.group(1)
    assert all(text in out for text in NP_TEXT.values())


def _printed_cells(out):
    """{n: the statements printed after In [n]}: each line's code, split at "; ", its
    comment and any "(...)" abbreviation cut off."""
    cells = {}
    for block in re.split(r"\n(?=In \[)", out.strip()):
        block = block.split("\nOut[")[0]  # the input, not what it printed
        number = int(re.match(r"In \[(\d+)\]: ", block).group(1))
        code = [block.split("\n")[0].split("]: ", 1)[1]]
        code += [line.strip() for line in block.split("\n")[1:] if line.startswith(" " * 8)]
        statements = [part.split("    #")[0].split("(...)")[0].strip() for line in code if not line.startswith("#")
                      for part in line.split("; ")]
        cells[number] = [st for st in statements if st]
    return cells


def test_np_cells_carry_the_numbers_of_todays_notebook():
    # The MXNet notebook numbers the code cells its tab runs from 1; each statement
    # mxconv prints under In [n] is in cell n of the extract of today's book.
    match = re.search(r"<!-- output:np -->\n```\n(.*?)```", USAGE, re.S)
    cells = today_cells()
    printed = _printed_cells(match.group(1))
    assert sorted(printed) == [3, 5, 6, 8] and len(cells) == 8  # no cell 9
    for number, statements in printed.items():
        for statement in statements:
            assert statement in cells[number - 1], (number, statement)
