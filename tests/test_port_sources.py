"""Ports where their authors keep them, checked with no hooks written: Jupyter
notebooks and d2l-book tabs (fixtures in tests/ports, the section translated by hand);
built-in adapters; expectation files; the JUnit and JSON reports; the scoreboard.
Needs numpy only (and jsonschema, of the test extra)."""
import hashlib
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from mxconv import baseline
from mxconv.baseline import adapters, judging, running, sources

from ._helpers import ROOT, check_junit, golden_cases, run_checker

PORTS = ROOT / "tests" / "ports"
TABS, TABS_WRONG = str(PORTS / "channels_tabs.md"), str(PORTS / "channels_tabs_wrong.md")
NOTEBOOK, NOTEBOOK_WRONG = str(PORTS / "channels_numpy.ipynb"), str(PORTS / "channels_numpy_wrong.ipynb")
BOOK_PORT = str(PORTS / "book_numpy.py")
NUMPY_PORT = str(ROOT / "examples" / "numpy_port.py")
EXPECT_BOOK = str(ROOT / "examples" / "expect_book_strict.json")
MULTI_IN = {"book-out2", "multi-in-3ch", "multi-in-k-equals-x", "multi-in-k-3x1", "multi-in-8ch", "multi-in-64ch"}


def check(*argv, **kwargs):
    return run_checker("check", *argv, **kwargs)


def failing(out):
    return {line.split()[1] for line in out.splitlines() if line.startswith(("FAIL", "ERROR", "XPASS"))}


def test_the_first_line_names_the_case_set_by_version_and_content():
    with open(baseline.DEFAULT_PATH, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    case_set = baseline.load()
    assert case_set.sha256 == digest and case_set.case_set_version == case_set.generated_by["mxconv"]
    returncode, out, err = check(BOOK_PORT, "--seed", "4242")
    assert out.splitlines()[0] == ("mxconv-baseline %s (sha256 %s), %d cases; profile default: %d cases and 8 "
                                   "fresh (seed 4242)" % (case_set.case_set_version, digest[:12],
                                                          len(case_set.cases), len(golden_cases())))


# d2l-book tabs


def test_a_tab_of_a_d2l_book_file_is_a_port():
    returncode, out, err = check(TABS, "--tab", "numpy")
    assert returncode == 0, out + err
    assert out.splitlines()[1] == "port %s --tab numpy: adapter numpy %s" % (TABS, np.__version__)
    assert out.splitlines()[-1] == "34 passed, 0 failed, 0 errors, 6 not implemented"


def test_a_wrong_tab_fails():
    returncode, out, err = check(TABS_WRONG, "--tab", "numpy")
    assert returncode == 1 and {"book-out2", "corr2d-4x5-k2x3", "multi-in-64ch"} <= failing(out), out + err


def test_without_a_tab_each_tab_that_imports_here_is_checked():
    returncode, out, err = check(TABS_WRONG)
    lines = out.splitlines()
    assert "== tab numpy ==" in lines and "== tab pytorch ==" in lines
    numpy_line = next(line for line in lines if line.startswith("tab numpy:"))
    torch_line = next(line for line in lines if line.startswith("tab pytorch:"))
    assert lines[-2:] == [numpy_line, torch_line]  # the report ends with one line per tab
    assert re.match(r"tab numpy: +\d+ passed, [1-9]\d* failed", numpy_line) and returncode == 1
    try:
        import torch  # noqa: F401
    except ImportError:
        assert torch_line.endswith("torch does not import here")
    else:  # the PyTorch tab's slip: a dropped channel
        assert re.match(r"tab pytorch: +\d+ passed, [1-9]\d* failed", torch_line)


@pytest.mark.parametrize("argv, message", [
    ([TABS, "--tab", "jax"], "has no tab 'jax'; its tabs: numpy, pytorch"),
    ([TABS + ":corr2d", "--tab", "numpy"], "a notebook or tab is a port as a whole, without :OBJECT"),
    ([str(PORTS / "missing.ipynb")], "No such file or directory"),
])
def test_tab_and_notebook_usage_errors_are_one_line(argv, message):
    returncode, out, err = check(*argv)
    assert returncode == 2 and out == "" and len(err.splitlines()) == 1 and message in err, err


def test_the_tabs_of_a_file_in_order():
    assert baseline.md_tabs(TABS) == ["numpy", "pytorch"]


def test_d2l_books_own_extract_is_read_with_its_tab_lines():
    # The book's own source (tests/data/channels-section-today.md): %%tab lines with several names.
    today = str(ROOT / "tests" / "data" / "channels-section-today.md")
    assert baseline.md_tabs(today) == ["mxnet", "pytorch"]
    cells = sources.md_cells(today, "pytorch", [])
    assert cells and all("%%tab" not in code for _, code in cells)
    assert any("def corr2d_multi_in(" in code for _, code in cells)


def test_the_books_own_chapter_file_checks_with_no_hooks():
    # The extract keeps the chapter's form: d2l-book's preamble first, %%tab cells, prose
    # between. Its mxnet tab needs today's d2l (d2l.mxnet), its pytorch tab d2l and torch.
    from mxconv._environment import installed_edition

    if installed_edition() != "np":
        pytest.skip("needs d2l 1.x installed (today's student stack, CI's second run)")
    returncode, out, err = check(str(ROOT / "tests" / "data" / "channels-section-today.md"), "-v")
    lines = out.splitlines()
    # 23 golden cases pass, 9 are N/I; of the 8 fresh ones, the tab has no corr2d of its own
    # (d2l's) and no padding or stride: 4 pass, 4 are N/I
    assert "tab mxnet:       27 passed, 0 failed, 0 errors, 13 not implemented" in lines, out + err
    assert "d2l-book's preamble (%load_ext d2lbook.tab)" in err
    torch_line = next(line for line in lines if line.startswith("tab pytorch:"))
    try:
        import torch  # noqa: F401
    except ImportError:
        assert torch_line.endswith("torch does not import here") and returncode == 0
    else:
        assert re.match(r"tab pytorch: +\d+ passed, 0 failed, 0 errors", torch_line) and returncode == 0, out


# Notebooks


def test_a_notebook_is_a_port_and_its_magics_are_skipped_and_listed():
    returncode, out, err = check(NOTEBOOK, "-v")
    assert returncode == 0, out + err
    assert out.splitlines()[-1] == "34 passed, 0 failed, 0 errors, 6 not implemented"
    assert err.splitlines() == ["skipped cell 2 line 1: %matplotlib inline", "skipped cell 2 line 2: !pip install numpy",
                                "skipped cell 6 line 1: %%time", "skipped cell 7: the whole cell (%%bash)"]


def test_a_wrong_notebook_fails():
    returncode, out, err = check(NOTEBOOK_WRONG)
    assert returncode == 1 and MULTI_IN <= failing(out), out + err


def test_a_cell_that_raises_is_named_with_its_line():
    returncode, out, err = check(str(PORTS / "channels_raises.ipynb"))
    assert (returncode, out) == (2, "")
    assert err.endswith(": cell 4 raised ZeroDivisionError: division by zero (line 5: scale = 1 / 0)\n"), err


def test_the_notebook_runs_in_a_fresh_namespace_in_process_too():
    path_before = list(sys.path)
    port = baseline.load_port(NOTEBOOK)
    assert sys.path == path_before  # its folder was first only while its cells ran
    assert {"corr2d", "corr2d_multi_in", "corr2d_multi_in_out", "corr2d_multi_in_out_1x1"} <= set(vars(port))
    results = baseline.check(port)
    assert baseline.summary(results) == "34 passed, 0 failed, 0 errors, 6 not implemented"


# Built-in adapters


def test_the_framework_is_found_from_the_ports_imports():
    assert adapters.framework_of(baseline.load_port(NOTEBOOK)) == "numpy"
    fake_torch = type(np)("torch")
    namespace = type(np)("port")
    namespace.np, namespace.torch = np, fake_torch
    assert adapters.framework_of(namespace) == "pytorch"  # preferred to numpy, which ports import too
    d2l_tab = type(np)("port")
    d2l_tab.d2l = type(np)("d2l.jax")
    assert adapters.framework_of(d2l_tab) == "jax"


def test_float64_handed_over_as_float32_is_said_on_the_line():
    case = next(c for c in golden_cases("extended") if c.id == "f64-multi-out-k3x2")
    port = baseline.load_port(BOOK_PORT)
    outcome = running.run(port, case.function, case.kwargs, case.inputs["X"], case.inputs["K"], True,
                          adapter=adapters.Adapter("jax", "0", lambda a: a.astype(np.float32)))
    result = judging.judge(case, outcome, "jax")
    assert result.status == "fail"
    assert "the jax adapter handed the float64 inputs over as float32 (JAX_ENABLE_X64 is not set)" in result.message
    assert "the result came back as float64" not in result.message


def test_the_mxnet_adapter_runs_a_port_of_mxnet_numpy_without_hooks(tmp_path):
    pytest.importorskip("mxnet")
    port = tmp_path / "mx_np_port.py"
    port.write_text("from mxnet import np, npx\nnpx.set_np()\n"
                    "def corr2d(X, K):\n"
                    "    assert type(X).__module__.startswith('mxnet'), type(X)\n"
                    "    h, w = K.shape\n"
                    "    Y = np.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=X.dtype)\n"
                    "    for i in range(Y.shape[0]):\n"
                    "        for j in range(Y.shape[1]):\n"
                    "            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()\n"
                    "    return Y\n")
    returncode, out, err = check(str(port), "--profile", "extended")
    assert returncode == 0, out + err
    assert re.match(r"port .*mx_np_port.py: adapter mxnet \d", out.splitlines()[1])
    assert out.splitlines()[-1].startswith("11 passed, 0 failed, 0 errors")  # 5 golden, 6 fresh


MX_NP_PORT = """from mxnet import np, npx
npx.set_np()


def corr2d(X, K):
    h, w = K.shape
    return np.stack([np.stack([(X[i:i + h, j:j + w] * K).sum() for j in range(X.shape[1] - w + 1)])
                     for i in range(X.shape[0] - h + 1)])


def corr2d_multi_in(X, K):
    return sum(corr2d(x, k) for x, k in zip(X, K))


def corr2d_multi_in_out(X, K):
    return np.stack([corr2d_multi_in(X, k) for k in K])


def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    c_o = K.shape[0]
    return np.dot(K.reshape((c_o, c_i)), X.reshape((c_i, h * w))).reshape((c_o, h, w))
"""


def test_the_mxnet_gradient_adapter_differentiates_a_port_with_mxnet_autograd(tmp_path):
    # The grad cases' G is not all ones: an adapter that dropped G would fail them.
    pytest.importorskip("mxnet")
    assert not all((c.inputs["G"] == 1).all() for c in golden_cases("grad") if c.grad)
    port = tmp_path / "mx_grad_port.py"
    port.write_text(MX_NP_PORT)
    returncode, out, err = check(str(port), "--profile", "grad")
    assert returncode == 0, out + err
    grad_lines = [line for line in out.splitlines() if line.split()[1:2] and line.split()[1].startswith("grad-")]
    assert len(grad_lines) == 8 and all(line.startswith("PASS") for line in grad_lines), out
    # The book's own code writes in place: MXNet cannot record it, and says why.
    port.write_text(MX_NP_PORT.replace("""    return np.stack([np.stack([(X[i:i + h, j:j + w] * K).sum() for j in range(X.shape[1] - w + 1)])
                     for i in range(X.shape[0] - h + 1)])""", """    Y = np.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y"""))
    assert "Y[i, j] =" in port.read_text()
    returncode, out, err = check(str(port), "--profile", "grad")
    line = next(line for line in out.splitlines() if line.split()[1:2] == ["grad-corr2d-dX"])
    assert line.startswith("N/I") and "mxnet cannot differentiate this port's corr2d: " in line, out + err


@pytest.mark.filterwarnings("ignore:Creating an ndarray from nested sequences")  # numpy reading an NDArray
def test_a_result_an_adapter_would_read_names_the_framework_to_give():
    pytest.importorskip("mxnet")
    import mxnet as mx

    book = baseline.load_port(BOOK_PORT)

    def numpy_of(a):
        return a.asnumpy() if hasattr(a, "asnumpy") else a

    class Port:  # imports no framework of its own: no adapter is chosen
        corr2d_multi_in = staticmethod(lambda X, K: mx.nd.array(book.corr2d_multi_in(numpy_of(X), numpy_of(K))))

    case = next(c for c in golden_cases() if c.id == "book-out2")
    result = baseline.check_case(Port, case)
    assert result.status in ("error", "fail") and "--framework mxnet (framework='mxnet' in Python)" in result.message
    assert baseline.check_case(Port, case, framework="mxnet").status == "pass"


def test_a_ports_own_hooks_win_over_the_adapter():
    calls = []

    class Port:
        import numpy  # the adapter would be numpy's: none

        @staticmethod
        def to_native(a):
            calls.append("native")
            return a

        corr2d = staticmethod(baseline.load_port(BOOK_PORT).corr2d)

    case = next(c for c in golden_cases() if c.function == "corr2d")
    assert baseline.check_case(Port, case, framework="auto").status == "pass" and calls == ["native", "native"]


# Expectation files


def test_expected_failures_report_xfail_and_the_run_passes():
    returncode, out, err = check(BOOK_PORT, "--profile", "strict", "--expect", EXPECT_BOOK)
    assert returncode == 0, out + err
    xfail = {line.split()[1] for line in out.splitlines() if line.startswith("XFAIL")}
    assert xfail == {"refuse-channels-x3-k2", "refuse-channels-x2-k3", "refuse-no-input-channels"}
    assert "expected (fail): the book's zip(X, K) drops X's third channel" in out
    assert out.splitlines()[-1] == "39 passed, 0 failed, 0 errors, 6 not implemented, 3 xfail, 0 xpass"


def test_a_listed_case_that_passes_is_xpass_and_fails_the_run(tmp_path):
    expect = tmp_path / "expect.json"
    expect.write_text(json.dumps({"book-out2": {"status": "fail", "reason": "thought broken"}}))
    returncode, out, err = check(BOOK_PORT, "--expect", str(expect))
    assert returncode == 1 and failing(out) == {"book-out2"}
    assert "XPASS book-out2" in out and "expected fail (thought broken), but passed" in out
    assert check(BOOK_PORT, "--expect", str(expect), "--allow-xpass")[0] == 0


@pytest.mark.parametrize("content, message", [
    ({"no-such-case": {"status": "fail", "reason": "x"}}, "'no-such-case' matches no case of the baseline"),
    ({"book-out2": {"status": "pass", "reason": "x"}}, "book-out2 must be {\"status\": one of 'fail', 'error'"),
    ({"book-out2": {"status": "fail"}}, "book-out2 must be"),
    ([], "an expectation file is a JSON object"),
])
def test_a_bad_expectation_file_is_a_usage_error_naming_it(tmp_path, content, message):
    expect = tmp_path / "expect.json"
    expect.write_text(json.dumps(content))
    returncode, out, err = check(BOOK_PORT, "--expect", str(expect))
    assert returncode == 2 and out == "" and message in err, err


def test_assert_case_honours_the_expectation_file(pytester):
    pytester.makepyfile(test_port=
        "import pytest\nfrom mxconv import baseline\nport = baseline.load_port(%r)\n\n\n"
        "@pytest.mark.parametrize('case', baseline.cases('strict', expect=%r), ids=baseline.case_id)\n"
        "def test_mxconv_baseline(case):\n    baseline.assert_case(port, case)\n" % (BOOK_PORT, EXPECT_BOOK))
    recorded = pytester.inline_run("-p", "no:cacheprovider")
    reports = [r for r in recorded.getreports("pytest_runtest_logreport") if r.when == "call" or r.skipped]
    xfailed = {r.nodeid.rpartition("[")[2].rstrip("]"): r.wasxfail for r in reports if hasattr(r, "wasxfail")}
    assert sum(r.passed for r in reports) == 39 and not any(r.failed for r in reports)  # 33 golden, 6 fresh
    assert sum(r.skipped and not hasattr(r, "wasxfail") for r in reports) == 6
    assert set(xfailed) == {"refuse-channels-x3-k2", "refuse-channels-x2-k3", "refuse-no-input-channels"}
    # pytest 8 keeps an imperative xfail's reason as "reason: ...", pytest 9 as it was given
    assert "refuse-channels-x3-k2: expected (fail): the book's zip(X, K)" in xfailed["refuse-channels-x3-k2"]
    assert recorded.ret == 0


# Reports


def test_the_json_report_follows_its_schema(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")  # of the test extra
    report = tmp_path / "report.json"
    returncode, out, err = check(TABS_WRONG, "--profile", "all", "--json", str(report))
    assert returncode == 1, err
    document = json.loads(report.read_text())
    with open(str(ROOT / "mxconv" / "baseline" / "data" / "report.schema.json")) as f:
        jsonschema.validate(document, json.load(f))
    with open(baseline.DEFAULT_PATH, "rb") as f:
        assert document["case_set"]["sha256"] == hashlib.sha256(f.read()).hexdigest()
    numpy_run = document["runs"][0]
    assert (numpy_run["tab"], numpy_run["framework"], numpy_run["framework_version"]) == ("numpy", "numpy",
                                                                                          np.__version__)
    by_id = {c["id"]: c for c in numpy_run["cases"]}
    assert by_id["book-out2"]["status"] == "fail" and by_id["book-out2"]["index"] == [0, 0]
    assert by_id["book-out2"]["max_abs_error"] > by_id["book-out2"]["atol"]
    assert by_id["im2col-k3"]["status"] == "not implemented" and by_id["im2col-k3"]["max_abs_error"] is None
    for run in document["runs"]:  # every run, the pytorch tab's too (checked, or why not)
        assert run["summary"] == {status: sum(c["status"] == status for c in run["cases"])
                                  for status in baseline.STATUSES}
        assert bool(run["cases"]) != bool(run["unavailable"]) and run["error"] is None
    assert document["profiles"] == ["all"] and len(document["runs"]) == 2


def test_the_junit_report_reads_as_junit(tmp_path):
    report = tmp_path / "junit.xml"
    returncode, out, err = check(BOOK_PORT, "--profile", "strict", "--expect", EXPECT_BOOK, "--junit-xml",
                                 str(report))
    assert returncode == 0, err
    root = check_junit(report)  # the schema pytest's own reports follow
    suite, = root
    cases = suite.findall("testcase")
    assert suite.tag == "testsuite" and int(suite.get("tests")) == len(cases) == 40 + 8  # golden, fresh
    assert (suite.get("failures"), suite.get("errors"), suite.get("skipped")) == ("0", "0", "9")
    by_name = {c.get("name"): c for c in cases}
    assert by_name["book-out2"].get("classname") == "mxconv.baseline.corr2d_multi_in" and not list(by_name["book-out2"])
    xfail, = by_name["refuse-channels-x3-k2"]
    assert (xfail.tag, xfail.get("type")) == ("skipped", "pytest.xfail")
    ni, = by_name["pad1-k3"]
    assert (ni.tag, ni.get("type")) == ("skipped", "pytest.skip")
    for case in cases:
        assert float(case.get("time")) >= 0


def test_the_junit_report_has_pytests_own_shape(pytester):
    # The elements and attributes pytest's --junitxml writes, on a file of its own.
    pytester.makepyfile(test_shape="import pytest\n\ndef test_ok():\n    pass\n\ndef test_no():\n    assert 0\n\n"
                                   "def test_skip():\n    pytest.skip('n/i')\n")
    theirs = pytester.path / "pytest.xml"
    pytester.runpytest_inprocess("-p", "no:cacheprovider", "--junitxml", str(theirs)).assert_outcomes(
        passed=1, failed=1, skipped=1)
    ours = pytester.path / "ours.xml"
    check("tests.ports.wrong:FlippedKernel", "--junit-xml", str(ours))

    def shape(path):
        root = ET.parse(str(path)).getroot()
        suite = root.find("testsuite")
        kinds = {child.tag: set(child.attrib) for case in suite.findall("testcase") for child in case}
        return root.tag, set(suite.attrib), set(suite.find("testcase").attrib), kinds

    (root_tag, suite_attrs, case_attrs, kinds), mine = shape(theirs), shape(ours)
    assert mine[0] == root_tag and suite_attrs <= mine[1] and case_attrs <= mine[2]
    for tag in ("failure", "skipped"):
        assert kinds[tag] <= mine[3][tag]


@pytest.mark.parametrize("option", ["--json", "--junit-xml"])
def test_a_report_path_that_cannot_be_written_is_refused_before_the_run(tmp_path, option):
    folder = tmp_path / "folder"
    folder.mkdir()
    missing = str(tmp_path / "missing" / "report")
    for path, why in ((str(folder), "%s is a folder, not a file" % folder), ("", "name a file to write, got ''"),
                      (missing, "%s is not in an existing folder" % missing)):
        returncode, out, err = check(BOOK_PORT, option, path)
        assert (returncode, out) == (2, "") and err == "python -m mxconv.baseline: error: %s: %s\n" % (option, why)
    assert [p.name for p in folder.iterdir()] == []


def test_reports_are_written_whole(tmp_path):
    report = tmp_path / "report.json"
    report.write_text("an older report")
    assert check(BOOK_PORT, "--json", str(report))[0] == 0
    assert json.loads(report.read_text())["schema"] == "mxconv-baseline-report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary file left


# The scoreboard


SCOREBOARD_PORTS = ["examples/numpy_port.py", "tests/ports/book_numpy.py", "tests/ports/channels_tabs.md@numpy",
                    "tests/ports/channels_tabs.md@pytorch", "tests/ports/channels_numpy.ipynb", "examples/torch_port.py"]


def _rows(lines):
    """{port: (framework name, profile cells)} of a scoreboard's Markdown rows; versions aside."""
    rows = {}
    for line in lines:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = (cells[1].split()[0], tuple(cells[2:]))
    return rows


def test_the_scoreboard_in_the_docs_is_the_commands():
    returncode, out, err = run_checker("scoreboard", *SCOREBOARD_PORTS)
    assert returncode == 0, err
    lines = out.splitlines()
    assert "| port | framework | default | extended | strict | grad |" in lines
    ours, documented = _rows(lines), _rows((ROOT / "docs" / "ports.md").read_text().splitlines())
    assert set(documented) == set(SCOREBOARD_PORTS)
    checked = 0
    for port, (framework, cells) in ours.items():
        if all(cell.startswith("cannot load: ") for cell in cells):  # PyTorch is not installed here (CI)
            assert framework == "none" and "torch" in port + documented[port][0]
            assert all("No module named 'torch'" in cell for cell in cells), cells  # the reason is shown
            continue
        assert (framework, cells) == documented[port], port
        checked += 1
    assert checked >= 4
    assert "| `examples/numpy_port.py` | numpy %s | 40 / 0 / 0 / 0 | 27 / 0 / 0 / 0 | 8 / 0 / 0 / 0 | " \
           "8 / 0 / 0 / 0 |" % np.__version__ in out


@pytest.mark.parametrize("x64", ["", "1"])
def test_the_jax_adapter_says_when_float64_became_float32(x64, monkeypatch):
    pytest.importorskip("jax")  # not installed in CI; runs where JAX is
    if x64:  # the port's process inherits the checker's environment
        monkeypatch.setenv("JAX_ENABLE_X64", x64)
    else:
        monkeypatch.delenv("JAX_ENABLE_X64", raising=False)
    returncode, out, err = check(str(PORTS / "jax_port.py"), "--profile", "extended", "--profile", "grad")
    failing_ids = failing(out)
    if x64:
        assert returncode == 0 and not failing_ids, out + err
    else:
        assert failing_ids == {"f64-multi-out-k3x2", "f64-multi-in-k2", "f64-1x1"}, out + err
        line = next(line for line in out.splitlines() if "f64-1x1" in line)
        assert "the jax adapter handed the float64 inputs over as float32 (JAX_ENABLE_X64 is not set)" in line
        assert "corr2d writes" not in line
    assert not any(line.startswith(("FAIL", "ERROR")) and "grad-" in line for line in out.splitlines())


def ci_step_argv(path, tab):
    """The check command of docs/ports.md's GitHub Actions step, on ``path``'s ``tab``
    with the shipped expectation file the docs name for it."""
    docs = (ROOT / "docs" / "ports.md").read_text()
    step = re.search(r"```yaml\n(.*?)```", docs, re.S).group(1)
    assert "path: mxconv-baseline.*" in step and "TF_CPP_MIN_LOG_LEVEL" in step
    command = re.search(r"(python -m mxconv\.baseline check .*?)\n(?!\s+--)", step.replace("\\\n", " "), re.S)
    argv = command.group(1).split()[3:]
    assert argv[:3] == ["check", "channels.md", "--tab"] and "--junit-xml" in argv and "--json" in argv
    argv[1], argv[3] = path, tab
    argv[argv.index("--expect") + 1] = EXPECT_BOOK
    return argv


def test_the_ci_step_in_the_docs_runs_as_written(tmp_path):
    # On this repository's NumPy tab and the book's expectation file, it passes and
    # writes both reports it uploads.
    returncode, out, err = run_checker(*ci_step_argv(TABS, "numpy"), cwd=str(tmp_path))
    assert returncode == 0, out + err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mxconv-baseline.json", "mxconv-baseline.xml"]


def test_the_ci_step_in_the_docs_passes_the_books_own_mxnet_tab(tmp_path):
    from mxconv._environment import installed_edition

    if installed_edition() != "np":
        pytest.skip("needs d2l 1.x installed (today's student stack, CI's second run)")
    argv = ci_step_argv(str(ROOT / "tests" / "data" / "channels-section-today.md"), "mxnet")
    returncode, out, err = run_checker(*argv, cwd=str(tmp_path))
    assert returncode == 0 and re.match(r"\d+ passed, 0 failed, 0 errors, \d+ not implemented, 3 xfail, 0 xpass$",
                                        out.splitlines()[-1]), out + err


def test_the_shipped_expectation_files_name_cases_of_the_case_set():
    every = baseline.load().cases
    book = baseline.load_expectations(EXPECT_BOOK, every)
    tensorflow = baseline.load_expectations(str(ROOT / "examples" / "expect_book_strict_tensorflow.json"), every)
    assert set(book) < set(tensorflow) and set(tensorflow) - set(book) == {"refuse-no-output-channels"}
    docs = (ROOT / "docs" / "ports.md").read_text()
    assert "examples/expect_book_strict.json" in docs and "examples/expect_book_strict_tensorflow.json" in docs


@pytest.mark.parametrize("argv, message", [
    (["check", ""], "PORT is empty"),
    (["scoreboard", BOOK_PORT, ""], "a PORT is empty"),
    (["check", BOOK_PORT, "--tab", "numpy"], "--tab selects a tab of a d2l-book source (.md)"),
    (["check", TABS, "--tab", ""], "name the tab to check with --tab (its tabs: numpy, pytorch)"),
    (["check", TABS, "--tab", "x" * 10**5], "--tab: a tab's name is 1 to 40 letters, digits, _ or -, got 'xxx"),
    (["check", TABS, "--tab", "\x1b[31m"], r"a tab's name is 1 to 40 letters, digits, _ or -, got '\x1b[31m'"),
    (["check", TABS, "--tab", "jax"], "has no tab 'jax'; its tabs: numpy, pytorch"),
    (["check", BOOK_PORT, "--framework", "torch"], "unknown framework 'torch'; the frameworks are pytorch, "),
    (["check", BOOK_PORT, "--timeout", str(2**31)], "must be a number of seconds in (0, 86400]"),
    (["check", BOOK_PORT, "--expect", "/dev/null/none"], "Not a directory"),
])
def test_hostile_arguments_are_one_line_usage_errors(argv, message):
    returncode, out, err = run_checker(*argv)
    assert returncode == 2 and out == "" and len(err.splitlines()) == 1 and message in err, err
    assert "\x1b" not in err


def test_hostile_arguments_from_python_are_refused_by_name(tmp_path):
    fifo = tmp_path / "expect.json"
    os.mkfifo(str(fifo))
    for call, error, message in [
            (lambda: baseline.check_isolated(123), TypeError, "port must be a non-empty str"),
            (lambda: baseline.check_isolated(""), baseline.UsageError, "port is empty"),
            (lambda: baseline.check_isolated(BOOK_PORT, tab=5), TypeError, "tab must be a str"),
            (lambda: baseline.check_isolated(BOOK_PORT, timeout=2**32 + 1), ValueError, "timeout must be a number"),
            (lambda: baseline.check_isolated(BOOK_PORT, timeout=-1), ValueError, "timeout must be a number"),
            (lambda: baseline.check_isolated(BOOK_PORT, framework="torch"), ValueError, "unknown framework 'torch'"),
            (lambda: baseline.check(baseline, framework="bogus"), ValueError, "unknown framework 'bogus'"),
            (lambda: baseline.load_port(None), TypeError, "port must be a non-empty str"),
            (lambda: baseline.cases(expect=2**32 + 1), baseline.BaselineError, "named by a path"),
            (lambda: baseline.cases(expect=str(fifo)), baseline.BaselineError, "not a regular file")]:
        with pytest.raises(error, match=re.escape(message)):
            call()
