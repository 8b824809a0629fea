"""Ports that attack the checker (tests/ports/hostile.py), run through the command line
in a subprocess: each costs only its own cases, the report is printed once, by the
checker, and its exit code is the ports' honest one. Needs numpy only."""
import os
import re
import subprocess
import sys
import time

import pytest

from mxconv import baseline

from ._helpers import ROOT, golden_cases, run

SUMMARY = re.compile(r"^\d+ passed, \d+ failed, \d+ errors, \d+ not implemented$")
TWO_CASES = ("corr2d-4x5-k2x3", "refuse-kernel-wider")  # a value case and a refusal case of corr2d


@pytest.fixture(scope="module")
def two_cases(tmp_path_factory):
    path = tmp_path_factory.mktemp("baseline") / "two.json"
    chosen = [c for c in golden_cases("all") if c.id in TWO_CASES]
    path.write_text(baseline.to_json(chosen, {"mxconv": "test"}))
    return str(path)


def check(two_cases, port, *extra, timeout=120):
    started = time.monotonic()
    returncode, out, err = run("-m", "mxconv.baseline", "check", port, "--file", two_cases, "--profile", "strict",
                               "--timeout", "2", "--skip", "fresh", *extra, cwd=str(ROOT), timeout=timeout)
    return returncode, out, err, time.monotonic() - started


# port: exit code, the last line, and what each case's line says
HOSTILE = {
    "ExitInArray": (1, "0 passed, 1 failed, 1 errors, 0 not implemented",
                    ["which could not be read as an array (SystemExit: 0)", "returned the _Exits"]),
    "ExitInToNumpy": (1, "1 passed, 0 failed, 1 errors, 0 not implemented", ["to_numpy raised SystemExit: 0"]),
    "ExitInToNative": (1, "0 passed, 0 failed, 2 errors, 0 not implemented", ["the to_native hook raised SystemExit"]),
    "ExitInExceptionStr": (1, "1 passed, 0 failed, 1 errors, 0 not implemented",
                           ["_ExitOnStr: (its message could not be read)"]),
    "HardExit": (1, "0 passed, 0 failed, 2 errors, 0 not implemented",
                 ["the port ended the process with status 0 on this case"]),
    # its exit is seen within a second, not at the timeout, though a fork keeps the pipes open
    "ExitsWhileAForkHoldsTheChannel": (1, "0 passed, 0 failed, 2 errors, 0 not implemented",
                                       ["the port ended the process with status 3 on this case"]),
    "KillsItself": (1, "0 passed, 0 failed, 2 errors, 0 not implemented",
                    ["the port's process was killed by SIGKILL on this case"]),
    "Hangs": (1, "0 passed, 0 failed, 2 errors, 0 not implemented", ["timed out after 2 s"]),
    "HangsInArray": (1, "0 passed, 1 failed, 1 errors, 0 not implemented", ["timed out after 2 s"]),
    "PatchesNumpy": (1, "1 passed, 1 failed, 0 errors, 0 not implemented", ["largest error at index"]),
    "GetattrRaises": (1, "0 passed, 0 failed, 2 errors, 0 not implemented",
                      ["looking up corr2d on the port raised RuntimeError: no attributes here"]),
    "SignatureRaises": (1, "0 passed, 0 failed, 2 errors, 0 not implemented",
                        ["reading the signature of corr2d raised RuntimeError: no signature"]),
    "ShapeRaises": (1, "0 passed, 2 failed, 0 errors, 0 not implemented", ["shape (1,), expected (3, 3)"]),
    "GeneratorExitInHook": (1, "1 passed, 0 failed, 1 errors, 0 not implemented", ["to_numpy raised GeneratorExit"]),
    "KeyboardInterruptInHook": (1, "1 passed, 0 failed, 1 errors, 0 not implemented",
                                ["to_numpy raised KeyboardInterrupt"]),
    "ReturnsInt": (1, "0 passed, 2 failed, 0 errors, 0 not implemented",
                   ["shape (), expected (3, 3) (returned the int 0)", "returned the int 0 where it must raise"]),
    "ClosesEverything": (1, "0 passed, 0 failed, 2 errors, 0 not implemented",
                         ["the port ended the process with status"]),
    "SurrogateMessage": (1, "1 passed, 0 failed, 1 errors, 0 not implemented",
                         [r"ValueError: bad \udcff\r\x1b[32mPASS"]),
    # correct ports that are merely noisy, fork, close their streams or write into their inputs
    "ForksAndPrints": (0, "2 passed, 0 failed, 0 errors, 0 not implemented", []),
    "ClosesStdout": (0, "2 passed, 0 failed, 0 errors, 0 not implemented", []),
    "CorrectButLoud": (0, "2 passed, 0 failed, 0 errors, 0 not implemented", []),
    "CorrectButForks": (0, "2 passed, 0 failed, 0 errors, 0 not implemented", []),
    "CorrectButMutates": (0, "2 passed, 0 failed, 0 errors, 0 not implemented", []),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_port_costs_only_its_own_cases(two_cases, name):
    expected_code, last_line, fragments = HOSTILE[name]
    extra = ("--timeout", "10") if name == "ExitsWhileAForkHoldsTheChannel" else ()  # no race with the timeout
    returncode, out, err, seconds = check(two_cases, "tests.ports.hostile:" + name, *extra)
    lines = out.splitlines()
    assert returncode == expected_code, out + err
    assert lines[-1] == last_line, out + err
    # the case set, the port, a line per case and the summary, printed once
    assert len(lines) == 5 and sum(bool(SUMMARY.match(line)) for line in lines) == 1, out
    assert lines[0].startswith("mxconv-baseline ") and lines[1].startswith("port tests.ports.hostile:" + name)
    assert [line.split()[1] for line in lines[2:4]] == list(TWO_CASES)
    for fragment in fragments:
        assert fragment in out, out
    assert "Traceback" not in out + err and err == "", err
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", out), repr(out)  # nothing raw reaches the terminal
    assert seconds < 2 * 2 + 20  # two cases at most at the limit (a second each, for the fork holding the pipes)


def test_a_port_that_cannot_be_loaded_is_a_usage_error(two_cases):
    returncode, out, err, _ = check(two_cases, "tests.ports.exits_on_import")
    assert (returncode, out) == (2, "")
    assert err == ("python -m mxconv.baseline: error: cannot load the port tests.ports.exits_on_import: the port "
                   "ended the process with status 0 while loading\n")


def test_a_module_getattr_that_raises_is_an_error_line(two_cases):
    returncode, out, err, _ = check(two_cases, "tests.ports.raising_getattr")
    assert returncode == 1 and out.splitlines()[-1] == "0 passed, 0 failed, 2 errors, 0 not implemented", out
    assert "looking up corr2d on the port raised RuntimeError: this module has no corr2d" in out


def test_a_hang_costs_one_timeout_per_case_and_the_run_goes_on(tmp_path):
    path = tmp_path / "three.json"
    chosen = [c for c in golden_cases("all") if c.id in ("corr2d-4x5-k2x3", "corr2d-1x1", "book-out2")]
    path.write_text(baseline.to_json(chosen, {"mxconv": "test"}))
    started = time.monotonic()
    returncode, out, err = run("-m", "mxconv.baseline", "check", "tests.ports.hostile:Hangs", "--file", str(path),
                               "--timeout", "1", "--skip", "fresh", cwd=str(ROOT))
    seconds = time.monotonic() - started
    assert returncode == 1 and "2 errors, 1 not implemented" in out, out + err
    assert out.count("timed out after 1 s") == 2 and 2 <= seconds < 30


def _closed(fd):
    return lambda: os.close(fd)


@pytest.mark.parametrize("fd", [1, 2])
def test_the_checker_survives_a_closed_stream(two_cases, fd):
    argv = [sys.executable, "-m", "mxconv.baseline", "check", "tests.ports.hostile:CorrectButMutates",
            "--file", two_cases, "--profile", "strict", "--skip", "fresh"]
    keep = {1: {"stderr": subprocess.PIPE}, 2: {"stdout": subprocess.PIPE}}[fd]
    done = subprocess.run(argv, cwd=str(ROOT), preexec_fn=_closed(fd), timeout=120, **keep)
    assert done.returncode == 0, done
    output = (done.stderr if fd == 1 else done.stdout).decode()
    assert "Traceback" not in output
    if fd == 2:
        assert output.splitlines()[-1] == "2 passed, 0 failed, 0 errors, 0 not implemented"


def test_an_unknown_timeout_is_a_usage_error(two_cases):
    for value in ("0", "-1", "nan", "inf", "1e9", "soon"):
        returncode, out, err = run("-m", "mxconv.baseline", "check", "json", "--timeout", value)
        assert returncode == 2 and "--timeout must be a number of seconds in (0, 86400]" in err, err


# The same ports in this process: every exception of theirs is a result line.

IN_PROCESS = ["ExitInArray", "ExitInToNumpy", "ExitInToNative", "ExitInExceptionStr", "GetattrRaises",
              "SignatureRaises", "ShapeRaises", "GeneratorExitInHook", "KeyboardInterruptInHook", "ReturnsInt",
              "SurrogateMessage", "CorrectButMutates"]


@pytest.mark.parametrize("name", IN_PROCESS)
def test_in_process_no_exception_of_a_port_escapes(name):
    from .ports import hostile

    chosen = [c for c in golden_cases("all") if c.id in TWO_CASES]
    results = baseline.check(getattr(hostile, name), chosen)
    expected = HOSTILE[name]
    assert baseline.summary(results) == expected[1]
    for fragment in expected[2]:
        assert any(fragment in r.line() for r in results), [r.line() for r in results]
