"""Ports that attack the checker (tests/ports/hostile.py), run through the command line
in a subprocess: each costs only its own cases, the report is printed once, by the
checker, and its exit code is the ports' honest one. Needs numpy only."""
import json
import os
import re
import subprocess
import sys
import time


import pytest

from mxconv import baseline

from ._helpers import ROOT, check_junit, golden_cases, run

SUMMARY = re.compile(r"^\d+ passed, \d+ failed, \d+ errors, \d+ not implemented$")
TWO_CASES = ("corr2d-4x5-k2x3", "refuse-kernel-wider")  # a value case and a refusal case of corr2d


@pytest.fixture(scope="module")
def two_cases(tmp_path_factory):
    path = tmp_path_factory.mktemp("baseline") / "two.json"
    chosen = [c for c in golden_cases("all") if c.id in TWO_CASES]
    path.write_text(baseline.to_json(chosen, {"mxconv": "test"}))
    return str(path)


def check(two_cases, port, *extra, timeout=120):
    """Check ``port`` on the two cases in a checker of its own; on Linux, also that no
    process of the run is left (each carries a mark in its environment)."""
    started = time.monotonic()
    mark = "mxconv-test-%d-%d" % (os.getpid(), time.monotonic_ns())
    returncode, out, err = run("-m", "mxconv.baseline", "check", port, "--file", two_cases, "--profile", "strict",
                               "--timeout", "2", "--skip", "fresh", *extra, cwd=str(ROOT), timeout=timeout,
                               env=dict(os.environ, MXCONV_TEST_MARK=mark))
    seconds = time.monotonic() - started
    if sys.platform.startswith("linux"):
        assert marked(mark) == [], "processes of %s left behind" % port
    return returncode, out, err, seconds


def marked(mark):
    """The live processes (zombies aside) whose environment holds ``mark``, after a few seconds' grace."""
    needle = ("MXCONV_TEST_MARK=%s\0" % mark).encode()
    deadline = time.monotonic() + 5
    while True:
        found = []
        for name in os.listdir("/proc"):
            try:
                with open("/proc/%s/environ" % name, "rb") as f:
                    if needle in f.read() + b"\0":
                        with open("/proc/%s/stat" % name) as g:
                            if g.read().rsplit(")", 1)[1].split()[0] != "Z":
                                found.append(int(name))
            except (OSError, ValueError):
                continue
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


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
    "KillsItsSupervisor": (1, "0 passed, 0 failed, 2 errors, 0 not implemented",
                           ["the port's process was killed by SIGKILL on this case"]),
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


# Issue 24's findings: each gives its line within its timeout plus 5 s, leaves no
# process behind, prints no raw control character, and leaves well-formed reports.

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\ud800-\udfff]")
FINDINGS = {
    # port: exit status, a fragment of the output
    "tests.ports.hostile:SetsidAndExit": (1, "the port ended the process with status 0 on this case"),
    "tests.ports.orphan_frame": (2, "cannot load the port tests.ports.orphan_frame: the port's process broke the "
                                    "checker's protocol while loading (a load answer with fields of the wrong types)"),
    "tests.ports.forged_load": (2, "while loading (a load answer with fields of the wrong types)"),
    "tests.ports.forged_version": (0, r"adapter numpy 2.0\r\x1b[2K\x1b[32mPASS everything 32 passed, 0 failed"),
    "tests.ports.hostile:FloodsAfterTheLastCase": (1, "broke the checker's protocol on this case"),
    # a correct port's daemons end with the check
    "tests.ports.hostile:CorrectButLeavesDaemons": (0, "2 passed, 0 failed, 0 errors, 0 not implemented"),
}


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def survivors(path):
    """The processes a port recorded that are still alive (zombies aside), after a few seconds' grace."""
    pids = [int(line) for line in path.read_text().split()] if path.exists() else []
    deadline = time.monotonic() + 5
    while True:
        alive = []
        for pid in pids:
            try:
                with open("/proc/%d/stat" % pid) as f:
                    if f.read().rsplit(")", 1)[1].split()[0] != "Z":
                        alive.append(pid)
            except OSError:
                pass
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the supervisor's guarantees are Linux's")
@pytest.mark.parametrize("port", sorted(FINDINGS))
def test_a_finding_of_the_adversarial_campaign_is_one_line_and_leaves_nothing_behind(two_cases, port, tmp_path,
                                                                                     monkeypatch):
    pids = tmp_path / "pids"
    monkeypatch.setenv("MXCONV_TEST_PIDS", str(pids))
    status, fragment = FINDINGS[port]
    started = time.monotonic()
    returncode, out, err = run("-m", "mxconv.baseline", "check", port, "--file", two_cases, "--profile", "strict",
                               "--timeout", "5", "--skip", "fresh", "--json", str(tmp_path / "r.json"),
                               "--junit-xml", str(tmp_path / "r.xml"), cwd=str(ROOT), timeout=120)
    seconds = time.monotonic() - started
    assert returncode == status and fragment in out + err, out + err
    assert seconds < 2 * (5 + 5), seconds  # two cases, each within its timeout plus 5 s
    assert not CONTROL.search(out + err), repr(out + err)
    assert "Traceback" not in out + err
    if status == 2:
        assert out == "" and len(err.splitlines()) == 1
    assert survivors(pids) == [] and (pids.exists() or port == "tests.ports.forged_version")
    for text in strings(json.loads((tmp_path / "r.json").read_text())):
        text.encode("utf-8")  # valid UTF-8: no lone surrogate
        assert not CONTROL.search(text), repr(text)
    check_junit(tmp_path / "r.xml")  # well-formed, and as pytest's own reports are


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/status is Linux's")
def test_a_flooding_port_keeps_the_checkers_memory_bounded(two_cases, tmp_path, monkeypatch):
    monkeypatch.setenv("MXCONV_TEST_PIDS", str(tmp_path / "pids"))
    # VmHWM, the process's own peak (ru_maxrss would carry this test process's, from before the exec)
    code = ("import sys\nfrom mxconv.baseline.cli import main\n"
            "status = main(sys.argv[1:])\n"
            "peak = [line for line in open('/proc/self/status') if line.startswith('VmHWM:')][0].split()[1]\n"
            "print('peak %s' % peak, file=sys.stderr)\n"
            "sys.exit(status)\n")
    returncode, out, err = run("-c", code, "check", "tests.ports.hostile:FloodsAfterTheLastCase", "--file",
                               two_cases, "--profile", "strict", "--timeout", "5", "--skip", "fresh",
                               cwd=str(ROOT), timeout=120)
    peak_mib = int(err.split("peak ")[-1]) / 1024
    print("the checker's peak memory with a flooding port: %.0f MiB" % peak_mib)
    assert returncode == 1 and "0 passed, 0 failed, 2 errors" in out and peak_mib < 300, (peak_mib, out, err)
    assert survivors(tmp_path / "pids") == []


def test_a_tab_header_cannot_forge_a_line(tmp_path):
    path = tmp_path / "forged.md"
    path.write_text((ROOT / "tests" / "ports" / "channels_tabs.md").read_text().replace(
        "%%tab numpy", "#@tab numpy\x1b[2J\x1b[H\rPASS  all 32 cases", 1))
    returncode, out, err = run("-m", "mxconv.baseline", "check", str(path), "--skip", "fresh", cwd=str(ROOT))
    assert not CONTROL.search(out + err), repr(out + err)
    assert r"== tab numpy\x1b[2J\x1b[H\rPASS all 32 cases ==" in out and "not a tab's name" in out


def test_a_case_files_generated_by_cannot_forge_the_first_line(tmp_path):
    path = tmp_path / "forged.json"
    chosen = [c for c in golden_cases("all") if c.id in TWO_CASES]
    path.write_text(baseline.to_json(chosen, {"mxconv": "9\r\x1b[2K\x1b[32mPASS  everything"}))
    returncode, out, err = run("-m", "mxconv.baseline", "check", "tests.ports.book_numpy", "--file", str(path),
                               "--skip", "fresh", cwd=str(ROOT))
    assert out.splitlines()[0].startswith(r"mxconv-baseline 9\r\x1b[2K\x1b[32mPASS everything (sha256 ")
    assert not CONTROL.search(out + err), repr(out + err)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the supervisor's guarantees are Linux's")
def test_the_ports_processes_end_when_the_checker_is_killed(two_cases, tmp_path):
    pids = tmp_path / "pids"
    env = dict(os.environ, MXCONV_TEST_PIDS=str(pids))
    checker = subprocess.Popen([sys.executable, "-m", "mxconv.baseline", "check", "tests.ports.hostile:"
                                "LeavesADaemonAndHangs", "--file", two_cases, "--skip", "fresh", "--timeout", "60"],
                               cwd=str(ROOT), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not (pids.exists() and len(pids.read_text().split()) == 2) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(pids.read_text().split()) == 2  # the daemon, and the port's own process, hanging
    checker.kill()
    checker.wait(timeout=10)
    assert survivors(pids) == []


def test_the_isolated_checker_refuses_a_system_without_posix_pipes(monkeypatch):
    monkeypatch.setattr(os, "name", "nt")
    with pytest.raises(baseline.UsageError, match="which this system lacks"):
        baseline.check_isolated("tests.ports.book_numpy")
