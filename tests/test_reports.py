"""mxconv.baseline.reports, .isolation's protocol and .files: the report files, the
answer frames, and files written whole (numpy only; jsonschema for the JSON report)."""
import importlib.util
import json
import os
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from mxconv import baseline
from mxconv.baseline import files, protocol, reports, running
from mxconv.baseline.results import Result

from ._helpers import ROOT, check_junit, run_checker

PORTS = ROOT / "tests" / "ports"
TABS = str(PORTS / "channels_tabs.md")
CASE_SET = baseline.load()
CASE = next(c for c in CASE_SET.cases if c.id == "book-out2")


def junit_of(*results, **run):
    entry = reports.Run("port.py", None, list(results), [0.5] * len(results), framework="numpy", **run)
    return check_junit(reports.junit_report([entry], CASE_SET, ["default", "strict"], 7))


def test_junit_counts_a_fail_and_an_xpass_as_failures_each_with_its_element():
    failed = Result(CASE, "fail", 0.5, 0.25, "largest error at index (0, 1)", (0, 1))
    xpass = Result(CASE, "xpass", message="expected fail (why), but passed")
    suite = junit_of(failed, xpass, Result(CASE, "error", message="ValueError: no"), Result(CASE, "pass"))
    suite = suite.find("testsuite")
    counted = (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped"))
    assert counted == ("4", "2", "1", "0")
    cases = suite.findall("testcase")
    assert [c[0].tag if len(c) else None for c in cases] == ["failure", "failure", "error", None]
    # the failure's message carries the error's size, not only where it is largest
    assert cases[0].find("failure").get("message") == ("max abs err 0.5, max rel err 0.25 (rtol 1e-05, atol %g); "
                                                       "largest error at index (0, 1)" % CASE.atol)
    assert cases[1].find("failure").text.startswith("XPASS")


def test_junit_names_the_profile_the_case_set_and_the_framework():
    suite = junit_of(Result(CASE, "pass")).find("testsuite")
    properties = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert properties["profile"] == "default+strict" and properties["framework"] == "numpy"
    assert properties["seed"] == "7"
    assert properties["case_set"] == CASE_SET.identity() and properties["case_set_sha256"] == CASE_SET.sha256


def test_a_tab_not_checked_says_why_in_both_reports(tmp_path):
    # Without --tab, a tab whose framework is not installed is reported, not dropped.
    torch_missing = importlib.util.find_spec("torch") is None
    returncode, out, err = run_checker("check", TABS, "--json", str(tmp_path / "r.json"),
                                       "--junit-xml", str(tmp_path / "r.xml"))
    runs = json.loads((tmp_path / "r.json").read_text())["runs"]
    assert [run["tab"] for run in runs] == ["numpy", "pytorch"]
    for run in runs:
        assert run["error"] is None
        if run["tab"] == "pytorch" and torch_missing:
            assert run["unavailable"] == "torch does not import here" and run["cases"] == []
        else:
            assert run["unavailable"] is None and sum(run["summary"].values()) == 32 + 8  # and the fresh cases
    suites = ET.parse(str(tmp_path / "r.xml")).getroot().findall("testsuite")
    assert len(suites) == 2 and returncode == 0
    if torch_missing:
        skipped = suites[1].find("testcase").find("skipped")
        assert skipped.get("message") == "torch does not import here"


def test_a_tab_that_fails_to_load_fails_the_run(tmp_path):
    if importlib.util.find_spec("mxnet") is None:
        pytest.skip("needs a second framework that imports here: mxnet (README's environment)")
    path = tmp_path / "two_tabs.md"
    path.write_text((PORTS / "channels_tabs.md").read_text()
                    + "\n```{.python .input}\n%%tab mxnet\nraise RuntimeError('broken tab')\n```\n")
    returncode, out, err = run_checker("check", str(path), "--json", str(tmp_path / "r.json"))
    lines = out.splitlines()
    assert returncode == 1, out + err
    assert any(line.startswith("tab numpy:") and "0 failed, 0 errors" in line for line in lines), out
    # (the file's all cells need names its mxnet tab does not define: any raise will do)
    assert any(line.startswith("tab mxnet:") and "cannot load the port" in line for line in lines), out
    runs = json.loads((tmp_path / "r.json").read_text())["runs"]
    assert "raised" in runs[-1]["error"] and runs[-1]["unavailable"] is None


# The answer frames: each field checked before use


def frame(**fields):
    header = {"seq": 1, "kind": "value", "message": "returned an ndarray", "dtype": "float32", "shape": [2, 2],
              "note": "", "payload": 32}
    header.update(fields)
    return header


def test_an_answer_frame_becomes_an_outcome():
    values = np.arange(4.0)
    outcome = protocol.outcome_of(frame(), values.tobytes(), 1)
    assert (outcome.kind, outcome.shape, outcome.dtype) == ("value", (2, 2), "float32")
    np.testing.assert_array_equal(outcome.values, values.reshape(2, 2))


@pytest.mark.parametrize("fields, why", [
    ({"seq": 2}, "out of turn"),  # a forged extra frame would shift every later verdict
    ({"seq": True}, "out of turn"),
    ({"kind": "pass"}, "out of turn"),
    ({"message": 5}, "wrong types"),
    ({"dtype": "x" * 41}, "wrong types"),
    ({"shape": [2, -2]}, "not a list of sizes"),
    ({"shape": [3, 2]}, r"a payload of 32 bytes for shape \(3, 2\)"),
])
def test_a_malformed_answer_frame_is_refused(fields, why):
    with pytest.raises(protocol.ProtocolError, match=why):
        protocol.outcome_of(frame(**fields), np.zeros(4).tobytes(), 1)


def test_a_load_answer_is_checked_field_by_field():
    info = protocol.load_info({"loaded": True, "framework": "numpy", "version": "2.0\r\x1b[2K", "skipped": []})
    assert info["version"] == r"2.0\r\x1b[2K"
    for bad in ({"loaded": True, "framework": 5, "version": "", "skipped": []},
                {"loaded": True, "framework": "", "version": "", "skipped": 7},
                {"loaded": True, "framework": "torch", "version": "", "skipped": []},
                {"payload": 0}):
        with pytest.raises(protocol.ProtocolError, match="a load answer"):
            protocol.load_info(bad)


# Files written whole or not at all


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path):
    path = tmp_path / "report.json"
    path.write_text("the old report")

    def fails(f):
        f.write(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        files.write_atomically(str(path), fails)
    assert path.read_text() == "the old report" and os.listdir(str(tmp_path)) == ["report.json"]


@pytest.mark.parametrize("path, why", [("", "name a file to write"), (None, "name a file to write"),
                                       ("/", "is a folder"), ("/no/such/folder/x", "not in an existing folder")])
def test_an_output_path_is_refused_before_any_work(path, why):
    with pytest.raises(baseline.UsageError, match=why):
        files.writable(path, "--json")


def test_the_outcome_of_a_value_is_plain_data():
    outcome = running.run(type("P", (), {"corr2d_multi_in": staticmethod(lambda X, K: X[:1, :2, :2].sum(0))}),
                          "corr2d_multi_in", {}, CASE.inputs["X"], CASE.inputs["K"], True)
    assert outcome.kind == "value" and outcome.shape == (2, 2) and outcome.values.dtype == np.float64
