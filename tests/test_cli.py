"""The command line: options in any order, every user error on one line, files written
whole, and a closed pipe ending quietly."""
import os
import re
import subprocess
import sys

import mxnet as mx
import pytest

from mxconv import cli

from ._helpers import run, run_main, needs_2019


@pytest.mark.parametrize("argv", [
    ["--ctx", "cpu(1)", "--seed", "5", "--edition", "np", "run"],
    ["run", "--ctx", "cpu(1)", "--seed", "5", "--edition", "np"],
    ["--ctx", "cpu(1)", "run", "--seed", "5", "--edition", "np"], ["--edition", "np", "--seed", "5", "--ctx", "cpu(1)"],
    ["--edition", "np", "run", "--seed", "5", "--ctx", "cpu(1)"]])
def test_options_before_or_after_run_reach_the_section(argv, monkeypatch):
    calls = []
    monkeypatch.setattr(cli, "run_section", lambda **kwargs: calls.append(kwargs))
    assert cli.main(argv) == 0
    assert calls == [{"ctx": mx.cpu(1), "seed": 5, "edition": "np"}]


@pytest.mark.parametrize("installed, edition", [("nd", "nd"), ("np", "np"), (None, "nd")])
def test_the_default_edition_is_the_installed_d2ls(monkeypatch, installed, edition):
    calls = []
    monkeypatch.setattr(cli, "run_section", lambda **kwargs: calls.append(kwargs))
    monkeypatch.setattr(cli, "installed_edition", lambda: installed)
    assert cli.main([]) == 0 and cli.main(["run"]) == 0
    assert calls == [{"ctx": None, "seed": 0, "edition": edition}] * 2
    assert cli.main(["--edition", "nd"]) == 0 and calls[-1]["edition"] == "nd"  # --edition still chooses


@needs_2019
def test_ctx_and_seed_show_in_the_output():
    returncode, out, err = run_main(cli.main, "--ctx", "cpu(1)", "run", "--seed", "5")
    assert returncode == 0, err
    assert "<NDArray 2x2 @cpu(1)>" in out and "<NDArray 3x2x2 @cpu(1)>" in out and "@cpu(0)" not in out
    assert "mx.random.seed(5)" in out


@pytest.mark.parametrize("argv, message", [
    (["--ctx", "cpu("], r"--ctx must look like cpu, cpu\(1\) or gpu\(0\), got 'cpu\('"),
    (["--ctx", ""], r"--ctx must look like cpu, cpu\(1\) or gpu\(0\), got ''"),
    (["run", "--ctx", "tpu(0)"], r"--ctx must look like"),
    (["--ctx", "cpu(99999999999999999999)"], r"ctx=cpu\(99999999999999999999\): a CPU device id must be in 0\.\.1023"),
    (["--ctx", "gpu(0)"] if mx.context.num_gpus() == 0 else ["--ctx", "gpu(999)"], r"asked for a GPU"),
    (["--seed", "-1"], r"--seed must be an int in \[0, 2\*\*32\), got -1"),
    (["run", "--seed", str(2**32)], r"--seed must be an int in \[0, 2\*\*32\), got 4294967296"),
    (["--seed", "x"], r"--seed must be an int in \[0, 2\*\*32\), got 'x'"),
    (["--seed"], r"argument --seed: expected one argument"),
    (["--edition", "tf"], r"argument --edition: invalid choice: 'tf' \(choose from 'nd', 'np'\)"),
    (["run", "--edition", "NP"], r"argument --edition: invalid choice: 'NP'"),
    (["draw"], r"argument command: invalid choice: 'draw'"),
    (["baseline"], r"the following arguments are required: baseline_command"),
])
def test_user_errors_are_one_line(argv, message, capsys):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1 and err.startswith("mxconv: error: "), err
    assert re.search(message, err), err


@pytest.mark.parametrize("kwargs, message", [
    ({"edition": "tf"}, r"^run_section: edition must be one of 'nd', 'np', got 'tf'$"),
    ({"edition": None}, r"^run_section: edition must be one of 'nd', 'np', got None$"),
    ({"seed": -1}, r"^run_section: seed must be an int in \[0, 2\*\*32\), got -1$"),
    ({"seed": 2**32 + 1}, r"^run_section: seed must be an int in \[0, 2\*\*32\), got 4294967297$"),
    ({"ctx": mx.cpu(2**31)}, r"^run_section: ctx=cpu\(2147483648\): a CPU device id must be in 0\.\.1023"),
])
def test_run_section_refuses_bad_arguments_before_printing(kwargs, message):
    import io

    from mxconv import MxconvError

    out = io.StringIO()
    with pytest.raises(MxconvError, match=message):
        cli.run_section(file=out, **kwargs)
    assert out.getvalue() == ""


def main(argv):
    """cli.main, with argparse's exit turned into the status it would exit with."""
    try:
        return cli.main(argv)
    except SystemExit as exit:
        return exit.code


def test_a_user_error_in_a_process_of_its_own():
    returncode, out, err = run("-m", "mxconv", "--ctx", "cpu(")
    assert (returncode, out) == (2, "") and err == "mxconv: error: --ctx must look like cpu, cpu(1) or gpu(0), got 'cpu('\n"


def test_file_errors_are_one_line(tmp_path, capsys):
    folder = tmp_path / "folder"
    folder.mkdir()
    a_file = tmp_path / "a-file"
    a_file.write_text("keep me")
    for argv, message in [
            (["baseline", "export", str(folder)], "mxconv: error: the baseline file: %s is a folder, not a file"
             % folder),
            (["baseline", "export", ""], "mxconv: error: the baseline file: name a file to write, got ''"),
            (["baseline", "export", str(a_file / "x.json")], "mxconv: error: the baseline file: %s is not in an "
             "existing folder" % (a_file / "x.json")),
            (["baseline", "export", str(tmp_path / "no" / "x.json")], "mxconv: error: the baseline file: %s is not "
             "in an existing folder" % (tmp_path / "no" / "x.json")),
            (["figures", "--out", str(a_file)], "mxconv: error: draw_multi_in: the output folder %s is a file" % a_file)]:
        assert main(argv) == 2
        out, err = capsys.readouterr()
        assert out == "" and len(err.splitlines()) == 1 and err.startswith(message), err
    assert a_file.read_text() == "keep me" and not list(folder.iterdir())


def test_export_refuses_a_bad_path_before_building_any_case(tmp_path, monkeypatch, capsys):
    from mxconv import _export

    def never():
        raise AssertionError("the cases were built before the path was checked")

    monkeypatch.setattr(_export, "build_cases", never)
    for path in ("", str(tmp_path), str(tmp_path / "no" / "x.json"), str(tmp_path / "x.json" / "y")):
        assert main(["baseline", "export", path]) == 2
        assert capsys.readouterr().err.startswith("mxconv: error: ")


def test_export_replaces_a_file_whole(fresh_export):
    returncode, out, err, path = fresh_export
    assert returncode == 0, err
    assert path.read_text().startswith("{") and os.listdir(str(path.parent)) == ["baseline.json"]


@needs_2019
def test_a_closed_pipe_ends_quietly():
    read, write = os.pipe()
    os.close(read)  # nobody will read: the first write fails with EPIPE
    try:
        done = subprocess.run([sys.executable, "-m", "mxconv"], stdout=write, stderr=subprocess.PIPE, timeout=120)
    finally:
        os.close(write)
    assert done.returncode == 1
    assert done.stderr == b""


@needs_2019
@pytest.mark.parametrize("fd, argv, returncode", [
    (1, [], 0), (1, ["figures", "--out", "{tmp}"], 0), (1, ["--seed", "nope"], 2),
    (2, [], 0), (2, ["--seed", "nope"], 2)])
def test_a_closed_stdout_or_stderr_is_no_crash(tmp_path, fd, argv, returncode):
    # `mxconv >&-` starts with no stdout: nothing to print to, and no traceback either
    argv = [a.format(tmp=tmp_path / "figures") for a in argv]
    keep = {1: {"stderr": subprocess.PIPE}, 2: {"stdout": subprocess.PIPE}}[fd]
    done = subprocess.run([sys.executable, "-m", "mxconv", *argv], preexec_fn=lambda: os.close(fd), timeout=120,
                          **keep)
    output = (done.stderr if fd == 1 else done.stdout).decode()
    assert done.returncode == returncode, output
    assert "Traceback" not in output
    if fd == 1 and returncode == 2:
        assert output.startswith("mxconv: error: argument --seed") and len(output.splitlines()) == 1
    if fd == 2 and returncode == 0:
        assert "<NDArray 2x2 @cpu(0)>" in output
    if argv[:1] == ["figures"]:
        assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == [
            "multi_in.png", "multi_in.svg", "one_by_one.png", "one_by_one.svg"]
