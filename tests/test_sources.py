"""mxconv.baseline.sources: ports read where they are written, as IPython and d2l-book
read them (numpy only)."""
import json

import pytest

from mxconv import baseline
from mxconv.baseline import sources

from ._helpers import ROOT, run_checker

PORTS = ROOT / "tests" / "ports"
TABS = str(PORTS / "channels_tabs.md")
BOOK_FUNCTIONS = (PORTS / "book_numpy.py").read_text()


def notebook(path, *cells):
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                "cells": [{"cell_type": "code", "metadata": {}, "outputs": [],
                                           "execution_count": None, "source": c} for c in cells]}))
    return str(path)


# IPython's escapes: only where a logical line begins


CONTINUED = '''import numpy as np
K = np.ones((2, 2))
SCALE = 9
if (K.shape[0]
        != K.shape[1]):
    raise AssertionError("square")
s = (SCALE
     % 7)
t = 10 \\
% 3
text = """
!not a shell line
%not a magic
"""
assert (s, t) == (2, 1) and "!not a shell line" in text and "%not a magic" in text
'''


def test_percent_and_bang_lines_inside_brackets_strings_and_continuations_run_as_python(tmp_path):
    skipped = []
    code = sources.runnable("cell 1", CONTINUED, skipped)
    assert code == CONTINUED and skipped == []
    port = baseline.load_port(notebook(tmp_path / "n.ipynb", CONTINUED, BOOK_FUNCTIONS))
    assert port.s == 2 and port.t == 1 and "!not a shell line" in port.text


def test_escapes_at_the_start_of_a_logical_line_are_skipped_and_listed():
    source = ("%matplotlib inline\n!pip install numpy\nx = !ls\nfor i in range(2):\n    %time f(i)\n"
              "%config A.b = \\\n    1\ny = [1,\n     2]\n")
    skipped = []
    code = sources.runnable("cell 3", source, skipped)
    assert code.split("\n") == ["pass", "pass", "pass", "for i in range(2):", "    pass", "pass", "", "y = [1,",
                                "     2]", ""]
    assert skipped == ["cell 3 line 1: %matplotlib inline", "cell 3 line 2: !pip install numpy",
                       "cell 3 line 3: x = !ls", "cell 3 line 5: %time f(i)", "cell 3 line 6: %config A.b = \\",
                       "cell 3 line 7: 1"]
    compile(code, "cell", "exec")


def test_a_cell_magic_skips_the_cell_unless_its_body_is_python():
    skipped = []
    assert sources.runnable("cell 1", "%%bash\necho hi\n", skipped) == ""
    assert sources.runnable("cell 2", "%%time\nx = 1\n", skipped) == "\nx = 1\n"
    assert skipped == ["cell 1: the whole cell (%%bash)", "cell 2 line 1: %%time"]


# d2l-book sources


def test_d2l_books_preamble_is_the_books_and_is_skipped_and_listed():
    skipped = []
    port = baseline.load_port(TABS, tab="numpy", verbose=skipped)
    assert callable(port.corr2d_multi_in)
    assert skipped[0].startswith("the cell at line 9: d2l-book's preamble (%load_ext d2lbook.tab)"), skipped
    assert baseline.md_tabs(TABS) == ["numpy", "pytorch"]


def test_a_raising_cell_of_a_tab_is_named_by_its_first_code_line(tmp_path):
    path = tmp_path / "raises.md"
    path.write_text("# t\n\n```{.python .input}\n#@tab numpy\nimport numpy as np\nx = 1 / 0\n```\n")
    with pytest.raises(baseline.PortLoadError) as info:
        baseline.load_port(str(path), tab="numpy")
    # The cell's code starts on line 4 (its tab line); 1 / 0 is its third line.
    assert str(info.value) == ("the cell at line 4 raised ZeroDivisionError: division by zero "
                               "(line 3: x = 1 / 0)"), info.value


def test_other_fences_are_passed_over_and_an_unclosed_one_is_no_cell(tmp_path):
    path = tmp_path / "fences.md"
    path.write_text("```{.json .output n=2}\n```{.python .input}\nnot python\n```\n\n"
                    "```{.python .input}\n%%tab numpy\nx = 1\n```\n\n```{.python .input}\n%%tab torchy\n")
    assert baseline.md_tabs(str(path)) == ["numpy"]
    assert baseline.load_port(str(path), tab="numpy").x == 1


@pytest.mark.timeout(10)
def test_the_md_reader_is_linear_in_the_files_size(tmp_path):
    # 8,000 unclosed fences (160 KB): a reader that searches from each fence for its
    # end takes time quadratic in them (25 s before 0.5.0); pytest-timeout bounds it here.
    path = tmp_path / "fences.md"
    path.write_text("```{.python .input}\n" * 8000)
    assert baseline.md_tabs(str(path)) == []


# Tab names: one check, for Python and the command line


@pytest.mark.parametrize("tab", ["a b", "\x1b[2J", "x" * 41, "numpy\n"])
def test_a_bad_tab_name_is_refused_before_any_work(tab):
    for call in (lambda: baseline.load_port(TABS, tab=tab), lambda: baseline.check_isolated(TABS, tab=tab)):
        with pytest.raises(baseline.UsageError, match="a tab's name is 1 to 40 letters, digits, _ or -"):
            call()
    returncode, out, err = run_checker("check", TABS, "--tab", tab)
    assert (returncode, out) == (2, "") and "--tab: a tab's name is 1 to 40" in err and "\x1b" not in err


def test_a_tab_is_only_for_a_d2l_book_source():
    with pytest.raises(baseline.UsageError, match=r"tab selects a tab of a d2l-book source \(.md\)"):
        baseline.load_port(str(PORTS / "book_numpy.py"), tab="numpy")
    with pytest.raises(TypeError, match="tab must be a str"):
        baseline.load_port(TABS, tab=5)
