"""README.md stays true: its length, its printed output, its quickstart, its links."""
import re

from ._helpers import ROOT, run, needs_2019
from .golden import GOLDEN

README = (ROOT / "README.md").read_text(encoding="utf-8")


def block_after(marker):
    """The fenced block that follows ``<!-- marker -->``."""
    match = re.search(r"<!-- %s -->\n```[a-z]*\n(.*?)```" % re.escape(marker), README, re.S)
    assert match, "README.md has lost its %s block" % marker
    return match.group(1)


def test_readme_is_short():
    assert len(README.splitlines()) < 150


@needs_2019
def test_printed_output_is_what_python_m_mxconv_prints():
    returncode, out, err = run("-m", "mxconv", cwd=str(ROOT))
    assert returncode == 0, err
    assert out == block_after("output:main")


def run_printing_what_comments_say(code):
    """Run ``code``; the printed lines must be what the comments of its print lines say."""
    expected = [line.split("#", 1)[1].split(": ")[-1].strip() for line in code.splitlines()
                if line.startswith("print(")]
    returncode, out, err = run("-c", code, cwd=str(ROOT))
    assert returncode == 0, err
    assert out.splitlines() == expected
    return expected


@needs_2019
def test_quickstart_runs_as_written_and_prints_what_its_comments_say():
    expected = run_printing_what_comments_say(block_after("quickstart"))
    assert expected[0] == str(GOLDEN["Out[2]"]["values"])  # the comment is the document's Out[2]


def test_np_quickstart_gives_np_arrays_with_the_documents_values():
    expected = run_printing_what_comments_say(block_after("quickstart:np"))
    minus_one = [[v - 1 for v in row] for row in GOLDEN["Out[2]"]["values"]]
    assert expected == ["mxnet.numpy %s" % minus_one]


def test_links_and_images_exist():
    targets = re.findall(r"\]\(([^)#]+)\)", README)
    assert targets
    for target in targets:
        assert (ROOT / target).exists(), target
