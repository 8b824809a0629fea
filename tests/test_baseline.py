"""The golden baseline file as mxconv makes it: a fresh export, the document's values,
and mxconv's own paths and the book's code run through the checker as ports."""
import json
import os
import shutil
import subprocess
import sys
import types

import d2l
import numpy as np
import pytest
from mxnet import nd

from mxconv import baseline

from ._helpers import ROOT, convolutions, golden_cases, needs_2019
from .golden import GOLDEN

NUMPY_PORT = str(ROOT / "examples" / "numpy_port.py")


def _exact(case):
    """Everything of a case but its expected values, as the file holds it."""
    return {k: v for k, v in case.items() if k != "expected"}


def test_two_exports_in_one_process_are_identical(fresh_export):
    # In[7]'s inputs come from mx.random.seed(0) inside the export, whatever was drawn before it
    from mxconv import _export

    nd.random.uniform(shape=(5,)).asnumpy()  # the global generator moves on
    again = baseline.to_json(_export.build_cases(), _export.generated_by())
    assert again == fresh_export[3].read_text()


def test_committed_file_is_a_fresh_export(fresh_export):
    # Ids, inputs, keyword arguments, tolerances, tags, profiles and notes exactly;
    # expected values within a tenth of each case's own tolerance, since another BLAS
    # kernel (OPENBLAS_CORETYPE) may round the last bit of a sum differently.
    returncode, out, err, path = fresh_export
    assert returncode == 0 and err == "", err
    assert out.strip() == "wrote %d cases to %s" % (len(golden_cases("all")), path)
    with open(baseline.DEFAULT_PATH) as f:
        committed = json.load(f)
    fresh = json.loads(path.read_text())
    hint = "regenerate with: python -m mxconv baseline export mxconv/baseline/data/baseline.json"
    assert [c["id"] for c in committed["cases"]] == [c["id"] for c in fresh["cases"]], hint
    assert {k: v for k, v in committed.items() if k != "cases"} == {k: v for k, v in fresh.items() if k != "cases"}
    for old, new in zip(committed["cases"], fresh["cases"]):
        assert _exact(old) == _exact(new), hint + " (case %s)" % old["id"]
        if "expected" in old:
            assert {k: old["expected"][k] for k in ("shape", "dtype")} == \
                   {k: new["expected"][k] for k in ("shape", "dtype")}
            a, b = np.array(old["expected"]["values"]), np.array(new["expected"]["values"])
            tolerance = old["atol"] + old["rtol"] * np.abs(a)
            assert (np.abs(a - b) <= tolerance / 10).all(), hint + " (case %s)" % old["id"]


@needs_2019
def test_file_records_format_and_versions():
    import mxnet

    loaded = baseline.load()
    assert (loaded.format, loaded.version) == ("mxconv-baseline", 3)
    assert loaded.generated_by["mxnet"] == mxnet.__version__ == "1.9.1"
    assert loaded.generated_by["d2l"] == d2l.__version__ == "0.10.3"
    assert "numpy" in loaded.generated_by


def test_book_cases_are_the_documents_values():
    by_id = {c.id: c for c in golden_cases()}
    np.testing.assert_array_equal(by_id["book-out2"].expected, GOLDEN["Out[2]"]["values"])
    np.testing.assert_array_equal(by_id["book-in5"].expected,
                                  GOLDEN["In[5] print(corr2d_multi_in_out(X, K))"]["values"])
    y1, y2 = by_id["book-in7-y1"].expected, by_id["book-in7-y2"].expected
    assert np.linalg.norm(y1 - y2) < 1e-6  # Out[7]: True


def test_cases_cover_what_ports_need():
    cases = golden_cases("all")
    tags = {t for c in cases for t in c.tags}
    assert {"book", "reference", "padding", "stride", "batch", "float64", "im2col", "refusal"} <= tags
    assert {c.function for c in cases} == set(baseline.FUNCTIONS)
    assert {c.expected.dtype.name for c in cases if c.expected is not None} == {"float32", "float64"}
    shapes = [(c.inputs["X"].shape, c.inputs["K"].shape) for c in cases if c.expected is not None]
    assert any(k[-2:] == (1, 1) for _, k in shapes)
    assert any(x[-2:] == k[-2:] for x, k in shapes)  # kernel as large as the input
    assert any(k[-2] != k[-1] for _, k in shapes)  # non-square kernel


def test_float32_values_round_trip_exactly():
    with open(baseline.DEFAULT_PATH) as f:
        raw = json.load(f)
    for case in raw["cases"]:
        for array in [case.get("expected"), *case["inputs"].values()]:
            if array is not None:
                values = np.array(array["values"], dtype=np.float64)
                np.testing.assert_array_equal(values.astype(array["dtype"]).astype(np.float64), values)


def _as_port(functions):
    return types.SimpleNamespace(to_numpy=lambda a: a.asnumpy(), **functions)


# From the registry of tests/_helpers.py: the book's path alone, and each name's fastest
# implementation (the fast path where it has one, which comes last in the registry).
REFERENCE_PORT = _as_port({c.fn.__name__: c.fn for c in convolutions().values() if c.layer == "reference"})
FAST_PORT = _as_port({c.fn.__name__: c.fn for c in convolutions().values()})


@needs_2019
# The grad cases' values come from the fast path itself: tests/test_checker.py checks
# them against the definition instead.
@pytest.mark.parametrize("case", [c for c in golden_cases("all") if not c.grad], ids=baseline.case_id)
def test_mxconv_fast_path_passes_every_case(case):
    result = baseline.check_case(FAST_PORT, case)
    assert result.status == "pass", result.line()


@needs_2019
@pytest.mark.parametrize("profile", ["default", "strict"])
def test_the_reference_path_as_a_port(profile):
    results = baseline.check(REFERENCE_PORT, golden_cases(profile))
    assert all(r.ok for r in results), [r.line() for r in results if not r.ok]
    # Only what the book's functions do not take: padding and stride.
    assert {r.case.id for r in results if r.status == "not implemented"} == {
        c.id for c in golden_cases(profile) if c.kwargs}
    assert all(r.status == "pass" for r in results if r.case.profile == "strict")


@needs_2019
def test_the_reference_path_in_float64_misses_only_by_float32_rounding():
    results = {r.case.id: r for r in baseline.check(REFERENCE_PORT, golden_cases("extended"))}
    for case_id in ("f64-multi-out-k3x2", "f64-multi-in-k2"):
        assert results[case_id].status == "fail"
        message = results[case_id].message
        assert "float32 precision only: the result came back as float32 from float64 inputs" in message
        assert "the book's d2l.corr2d writes into float32 zeros" in message
    assert results["f64-1x1"].status == "pass"  # one nd.dot keeps float64


def test_the_books_own_code_fails_only_its_zip_on_the_refusal_cases(book):
    # The document's cells, run on NDArrays: the section's code as printed.
    port = types.SimpleNamespace(to_native=nd.array, to_numpy=lambda a: a.asnumpy(), corr2d=d2l.corr2d,
                                 **{name: book[name] for name in baseline.FUNCTIONS[1:4]})
    results = baseline.check(port, [c for c in golden_cases("strict") if c.profile == "strict"])
    assert {r.case.id for r in results if r.status == "fail"} == {"refuse-channels-x3-k2", "refuse-channels-x2-k3"}
    assert {r.status for r in results if "channels-x" not in r.case.id} == {"pass"}
    nd.waitall()


def test_the_examples_numpy_port_passes_every_case_in_process():
    port = baseline.load_port(NUMPY_PORT)
    assert all(r.status == "pass" for r in baseline.check(port, golden_cases("all")))


@pytest.mark.timeout(120)
def test_checker_runs_in_a_venv_with_only_numpy(tmp_path):
    # A port's CI that copied the checker: a fresh venv whose only package is numpy
    # (a copy of this one's), the checker's folder copied whole into its tests, no mxconv.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "venv")], check=True)
    site = tmp_path / "site"
    numpy_dir = os.path.dirname(np.__file__)
    shutil.copytree(numpy_dir, str(site / "numpy"))
    libs = os.path.join(os.path.dirname(numpy_dir), "numpy.libs")
    if os.path.isdir(libs):
        shutil.copytree(libs, str(site / "numpy.libs"))
    vendored = tmp_path / "port_tests"
    shutil.copytree(str(ROOT / "mxconv" / "baseline"), str(vendored / "baseline"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    python = str(tmp_path / "venv" / "bin" / "python")
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(site)}
    probe = subprocess.run([python, "-c", "import mxnet"], capture_output=True, text=True, env=env, cwd=str(tmp_path))
    assert "No module named 'mxnet'" in probe.stderr
    probe = subprocess.run([python, "-c", "import mxconv"], capture_output=True, text=True, env=env, cwd=str(tmp_path))
    assert "No module named 'mxconv'" in probe.stderr
    done = subprocess.run([python, str(vendored / "baseline"), "check", NUMPY_PORT, "--profile", "all"],
                          capture_output=True, text=True, env=env, cwd=str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "%d passed, 0 failed, 0 errors, 0 not implemented" % (
        24 + len(golden_cases("all")))  # and the fresh cases


def test_a_copied_folder_runs_its_own_files_where_mxconv_is_installed(tmp_path):
    # The child process loads the folder the checker runs from, not the installed
    # mxconv.baseline: a copy whose adapter reports another version shows it.
    copy = tmp_path / "vendored" / "baseline"
    shutil.copytree(str(ROOT / "mxconv" / "baseline"), str(copy), ignore=shutil.ignore_patterns("__pycache__"))
    adapters = copy / "adapters.py"
    text = adapters.read_text()
    assert text.count('version = str(getattr(module, "__version__", "?"))') == 1
    adapters.write_text(text.replace('version = str(getattr(module, "__version__", "?"))', 'version = "vendored"'))
    done = subprocess.run([sys.executable, str(copy), "check", NUMPY_PORT], capture_output=True, text=True,
                          cwd=str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[1] == "port %s: adapter numpy vendored" % NUMPY_PORT
