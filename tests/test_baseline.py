"""The golden baseline file and its checker, which other ports run without MXNet."""
import json
import os
import shutil
import subprocess
import sys
import types

import numpy as np
import pytest
from ._helpers import ROOT
from .golden import GOLDEN
from .wrong_ports import TransposedKernel, ZipTruncates, numpy_port

from mxconv import baseline, fast, reference

NUMPY_PORT = str(ROOT / "examples" / "numpy_port.py")


def test_committed_file_is_a_fresh_export(tmp_path):
    path = tmp_path / "fresh.json"
    run = subprocess.run([sys.executable, "-m", "mxconv", "baseline", "export", str(path)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "wrote %d cases to %s" % (len(baseline.cases()), path)
    with open(baseline.DEFAULT_PATH) as f:
        committed = json.load(f)
    fresh = json.loads(path.read_text())
    differing = [old["id"] for old, new in zip(committed["cases"], fresh["cases"]) if old != new]
    assert not differing, "regenerate with: python -m mxconv baseline export mxconv/data/baseline.json"
    assert committed == fresh


def test_file_records_format_and_versions():
    import d2l
    import mxnet

    loaded = baseline.load()
    assert (loaded.format, loaded.version) == ("mxconv-baseline", 1)
    assert loaded.generated_by["mxnet"] == mxnet.__version__ == "1.9.1"
    assert loaded.generated_by["d2l"] == d2l.__version__ == "0.10.3"
    assert "numpy" in loaded.generated_by


def test_book_cases_are_the_documents_values():
    by_id = {c.id: c for c in baseline.cases()}
    np.testing.assert_array_equal(by_id["book-out2"].expected, GOLDEN["Out[2]"]["values"])
    np.testing.assert_array_equal(by_id["book-in5"].expected,
                                  GOLDEN["In[5] print(corr2d_multi_in_out(X, K))"]["values"])
    y1, y2 = by_id["book-in7-y1"].expected, by_id["book-in7-y2"].expected
    assert np.linalg.norm(y1 - y2) < 1e-6  # Out[7]: True


def test_cases_cover_what_ports_need():
    cases = baseline.cases()
    tags = {t for c in cases for t in c.tags}
    assert {"book", "reference", "padding", "stride", "batch", "float64", "im2col"} <= tags
    assert {c.function for c in cases} == set(baseline.FUNCTIONS)
    assert {c.expected.dtype.name for c in cases} == {"float32", "float64"}
    shapes = [(c.inputs["X"].shape, c.inputs["K"].shape) for c in cases]
    assert any(k[-2:] == (1, 1) for _, k in shapes)
    assert any(x[-2:] == k[-2:] for x, k in shapes)  # kernel as large as the input
    assert any(k[-2] != k[-1] for _, k in shapes)  # non-square kernel


def test_float32_values_round_trip_exactly():
    with open(baseline.DEFAULT_PATH) as f:
        raw = json.load(f)
    for case in raw["cases"]:
        for array in [case["expected"], *case["inputs"].values()]:
            values = np.array(array["values"], dtype=np.float64)
            np.testing.assert_array_equal(values.astype(array["dtype"]).astype(np.float64), values)


def _mxconv_port():
    return types.SimpleNamespace(
        corr2d=reference.corr2d, corr2d_multi_in=fast.corr2d_multi_in,
        corr2d_multi_in_out=fast.corr2d_multi_in_out, corr2d_multi_in_out_1x1=reference.corr2d_multi_in_out_1x1,
        corr2d_multi_in_out_im2col=fast.corr2d_multi_in_out_im2col, to_numpy=lambda a: a.asnumpy())


@pytest.mark.parametrize("case", baseline.cases(), ids=baseline.case_id)
def test_mxconv_fast_path_passes_every_case(case):
    result = baseline.check_case(_mxconv_port(), case)
    assert result.status == "pass", result.line()


@pytest.mark.parametrize("case", baseline.cases(), ids=baseline.case_id)
def test_numpy_port_passes_every_case(case):
    result = baseline.check_case(numpy_port, case)
    assert result.status == "pass", result.line()


def test_checker_command_line_on_the_numpy_port():
    run = subprocess.run([sys.executable, "-m", "mxconv.baseline", "check", NUMPY_PORT],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == len(baseline.cases()) + 1
    assert lines[-1] == "%d passed, 0 failed, 0 errors, 0 not implemented" % len(baseline.cases())


WRONG = {
    # port: (its function, which cases it must fail: more than one input channel / a kernel larger than 1x1)
    "ZipTruncates": ("corr2d_multi_in", lambda c: c.inputs["K"].shape[-3] > 1),
    "TransposedKernel": ("corr2d_multi_in_out", lambda c: c.inputs["K"].shape[-2:] != (1, 1)),
}


@pytest.mark.parametrize("port", sorted(WRONG))
def test_wrong_ports_fail_with_a_readable_report(port):
    function, must_fail = WRONG[port]
    run = subprocess.run([sys.executable, "-m", "mxconv.baseline", "check",
                          str(ROOT / "tests" / "wrong_ports.py") + ":" + port],
                         capture_output=True, text=True, cwd=str(ROOT))
    assert run.returncode == 1, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    failing = {line.split()[1]: line for line in lines if line.startswith(("FAIL", "ERROR"))}
    # (cases with padding or stride are "not implemented": these ports take no keywords)
    expected = {c.id for c in baseline.cases() if c.function == function and not c.kwargs and must_fail(c)}
    assert set(failing) == expected, run.stdout
    for line in failing.values():
        assert function in line
        assert ("max abs err" in line and "largest error at index" in line) or "Error: " in line
    passed, failed, errors = (int(lines[-1].split(", ")[i].split()[0]) for i in range(3))
    assert failed + errors == len(expected) and passed + failed + errors + int(lines[-1].split(", ")[3].split()[0]) \
        == len(baseline.cases())


def test_wrong_ports_results():
    zipped = {r.case.id: r for r in baseline.check(ZipTruncates)}
    assert zipped["book-out2"].status == "fail"
    assert zipped["multi-in-1ch"].status == "pass"  # one channel: nothing to truncate
    assert zipped["book-in5"].status == "not implemented"
    transposed = {r.case.id: r for r in baseline.check(TransposedKernel)}
    assert transposed["book-in5"].status == "fail" and transposed["multi-out-3to4-k3"].status == "fail"


def test_not_implemented_and_errors():
    class BookSignature:
        corr2d_multi_in_out = staticmethod(lambda X, K: numpy_port.corr2d_multi_in_out(X, K))

        @staticmethod
        def corr2d_multi_in(X, K):
            raise RuntimeError("boom")

    results = {r.case.id: r for r in baseline.check(BookSignature)}
    assert results["book-in5"].status == "pass"
    assert results["pad1-k3"].status == "not implemented"
    assert "does not take padding=" in results["pad1-k3"].message
    assert results["corr2d-1x1"].status == "not implemented"
    assert results["book-out2"].status == "error" and "RuntimeError: boom" in results["book-out2"].message
    assert not results["book-out2"].ok


def test_hooks_adapt_other_array_types():
    seen = []

    class ListPort:
        @staticmethod
        def to_native(array):
            seen.append(type(array))
            return array.tolist()

        @staticmethod
        def corr2d_multi_in_out_1x1(X, K):
            return {"data": numpy_port.corr2d_multi_in_out_1x1(np.array(X), np.array(K))}

        @staticmethod
        def to_numpy(result):
            return result["data"]

    results = baseline.check(ListPort)
    assert {r.status for r in results if r.case.function == "corr2d_multi_in_out_1x1"} == {"pass"}
    assert set(seen) == {np.ndarray}


def test_wrong_shape_and_nan_fail():
    case = next(c for c in baseline.cases() if c.id == "book-out2")
    shape = baseline.check_case(types.SimpleNamespace(corr2d_multi_in=lambda X, K: np.zeros(3)), case)
    assert shape.status == "fail" and "shape (3,), expected (2, 2)" in shape.message
    nan = baseline.check_case(types.SimpleNamespace(corr2d_multi_in=lambda X, K: np.full((2, 2), np.nan)), case)
    assert nan.status == "fail"


def test_ports_cannot_change_the_cases():
    def scribbles(X, K):
        X[...] = 0
        return numpy_port.corr2d_multi_in(X, K)

    case = next(c for c in baseline.cases() if c.id == "book-out2")
    before = case.inputs["X"].copy()
    baseline.check_case(types.SimpleNamespace(corr2d_multi_in=scribbles), case)
    np.testing.assert_array_equal(case.inputs["X"], before)


# Safe loading: what a malformed or hostile file gets


def _document():
    with open(baseline.DEFAULT_PATH) as f:
        return json.load(f)


def _mutations():
    def case0(doc):
        return doc["cases"][0]

    yield "wrong format", lambda d: d.update(format="something-else"), "format is 'something-else'"
    yield "wrong version", lambda d: d.update(version=2), "format version 2"
    yield "version as bool", lambda d: d.update(version=True), "format version True"
    yield "missing cases", lambda d: d.pop("cases"), r"keys \['cases'\] missing"
    yield "extra key", lambda d: d.update(pickle="gASV"), r"\['pickle'\] unexpected"
    yield "cases not a list", lambda d: d.update(cases={}), "cases must be list"
    yield "unknown function", lambda d: case0(d).update(function="__import__"), "function must be one of"
    yield "id not a string", lambda d: case0(d).update(id=5), "id must be str"
    yield "values mismatch shape", lambda d: case0(d)["expected"].update(shape=[3, 3]), \
        r"values has 4 numbers but shape \(3, 3\) needs 9"
    yield "enormous declared size", lambda d: case0(d)["expected"].update(shape=[10**6, 10**6]), \
        "declares 1000000000000 elements"
    yield "negative axis", lambda d: case0(d)["expected"].update(shape=[-2, -2]), "non-negative ints"
    yield "too many axes", lambda d: case0(d)["expected"].update(shape=[1] * 40), "at most 6"
    yield "dtype object", lambda d: case0(d)["expected"].update(dtype="object"), "dtype must be one of"
    yield "string values", lambda d: case0(d)["expected"].update(values=["1", "2", "3", "4"]), \
        "values must all be numbers"
    yield "bool values", lambda d: case0(d)["expected"].update(values=[True] * 4), "values must all be numbers"
    yield "nested values", lambda d: case0(d)["expected"].update(values=[[1], [2], [3], [4]]), \
        "values must all be numbers"
    yield "bad kwargs", lambda d: case0(d).update(kwargs={"eval": "1"}), "kwargs may only be"
    yield "negative padding", lambda d: case0(d).update(kwargs={"padding": -1}), "kwargs.padding must be"
    yield "tolerance string", lambda d: case0(d).update(rtol="0.1"), "rtol must be a number"
    yield "tolerance huge", lambda d: case0(d).update(atol=1e300), "atol must be a number in"
    yield "missing input", lambda d: case0(d)["inputs"].pop("K"), r"keys \['K'\] missing"
    yield "duplicate ids", lambda d: d["cases"].append(dict(d["cases"][0])), "case ids repeat"
    yield "too many cases", lambda d: d.update(cases=[0] * (baseline.MAX_CASES + 1)), "more than 10000"


@pytest.mark.parametrize("name, mutate, message", list(_mutations()), ids=[m[0] for m in _mutations()])
def test_malformed_files_are_refused(tmp_path, name, mutate, message):
    doc = _document()
    mutate(doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(baseline.BaselineError, match=message):
        baseline.load(path)


@pytest.mark.parametrize("text, message", [
    ("", "not a valid JSON"),
    ('{"format": "mxconv-baseline", "version": 1, "cases": [', "not a valid JSON"),
    ('{"a": NaN}', "NaN and Infinity are not allowed"),
    ('{"a": 1, "a": 2}', "duplicate key 'a'"),
    ("[" * 100000, "not a valid JSON"),
    ("\x80\x04\x95", "not a valid JSON"),
    ("[1, 2]", "this entry must be dict"),
])
def test_broken_or_hostile_text_is_refused(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_bytes(text.encode("latin-1") if text.startswith("\x80") else text.encode())
    with pytest.raises(baseline.BaselineError, match=message):
        baseline.load(path)


def test_truncated_file_is_refused(tmp_path):
    text = open(baseline.DEFAULT_PATH).read()
    path = tmp_path / "truncated.json"
    path.write_text(text[: len(text) // 2])
    with pytest.raises(baseline.BaselineError, match="not a valid JSON"):
        baseline.load(path)


def test_oversized_file_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(baseline, "MAX_FILE_BYTES", 1000)
    with pytest.raises(baseline.BaselineError, match="more than the 1000 a baseline may have"):
        baseline.load()


def test_pickles_are_never_loaded(tmp_path):
    import pickle

    path = tmp_path / "evil.json"
    path.write_bytes(pickle.dumps(os.system))
    with pytest.raises(baseline.BaselineError):
        baseline.load(path)


# Without MXNet: the checker's whole point

BLOCKED = """
import sys
sys.modules["mxnet"] = None  # any import of mxnet now fails
sys.modules["d2l"] = None
from mxconv import baseline
port = baseline.load_port({port!r})
results = baseline.check(port)
print(baseline.summary(results))
assert all(r.status == "pass" for r in results)
assert sys.modules["mxnet"] is None and sys.modules["d2l"] is None
"""


def test_baseline_imports_no_mxnet():
    run = subprocess.run([sys.executable, "-c", BLOCKED.format(port=NUMPY_PORT)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "%d passed, 0 failed, 0 errors, 0 not implemented" % len(baseline.cases())


def test_checker_runs_in_a_venv_with_only_numpy(tmp_path):
    # A port's CI: a fresh venv whose only package is numpy (a copy of this one's),
    # with mxconv/baseline.py and its JSON, and no mxnet, d2l or pytest.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "venv")], check=True)
    site = tmp_path / "site"
    numpy_dir = os.path.dirname(np.__file__)
    shutil.copytree(numpy_dir, str(site / "numpy"))
    libs = os.path.join(os.path.dirname(numpy_dir), "numpy.libs")
    if os.path.isdir(libs):
        shutil.copytree(libs, str(site / "numpy.libs"))
    shutil.copytree(str(ROOT / "mxconv"), str(site / "mxconv"), ignore=shutil.ignore_patterns("__pycache__"))
    python = str(tmp_path / "venv" / "bin" / "python")
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(site)}
    probe = subprocess.run([python, "-c", "import mxnet"], capture_output=True, text=True, env=env)
    assert "No module named 'mxnet'" in probe.stderr
    run = subprocess.run([python, "-m", "mxconv.baseline", "check", NUMPY_PORT],
                         capture_output=True, text=True, env=env, cwd=str(tmp_path))
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[-1].startswith("%d passed, 0 failed" % len(baseline.cases()))
