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


def test_what_readme_says_of_ci_is_what_ci_runs():
    # README: its two commands run as written on 3.8 and 3.11, then the sdist, today's
    # stack on 3.9, the checker on 3.12 and 3.13, each required; times and sizes printed.
    ci = (ROOT / ".ci" / "run").read_text()
    assert "`.ci/run` runs both as written" in README
    assert 'test_command=$(readme_command test)' in ci and 'main_command=$(readme_command main)' in ci
    assert "readme_commands_on 3.8\nreadme_commands_on 3.11\n" in ci
    assert 'ln -s "$python" "$bin/python3"' in ci  # `python3` is that Python, as README tells a user
    assert "require_python 3.9 " in ci and "for version in 3.12 3.13; do" in ci
    assert "continue" not in ci  # no Python is skipped: a missing one fails the run
    assert 'stage "README\'s commands on Python $1"' in ci and "du -sm .venv" in ci


def test_links_and_images_exist():
    targets = re.findall(r"\]\(([^)#]+)\)", README)
    assert targets
    for target in targets:
        assert (ROOT / target).exists(), target
