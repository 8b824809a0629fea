"""The baseline checker as port authors use it: profiles, reports, refusals, the pytest
helper, safe loading. Needs numpy only (no MXNet), so it also runs where port authors
live: CI runs this file under Python 3.12 with numpy 2."""
import json
import os
import pickle
import types

import numpy as np
import pytest

from mxconv import baseline
from mxconv.baseline import casefile, files

from ._helpers import ROOT, golden_cases, run, run_checker
from .ports import book_numpy, wrong

NUMPY_PORT = str(ROOT / "examples" / "numpy_port.py")
BOOK_PORT = str(ROOT / "tests" / "ports" / "book_numpy.py")


def by_id(results):
    return {r.case.id: r for r in results}


def counts(summary_line):
    """'N passed, N failed, N errors, N not implemented' as four ints."""
    return tuple(int(part.split()[0]) for part in summary_line.split(", "))


# Profiles


def test_profiles_partition_the_cases():
    everything = golden_cases("all")
    default, extended, strict, grad = (golden_cases(p) for p in ("default", "extended", "strict", "grad"))
    assert {c.profile for c in everything} == {"default", "extended", "strict", "grad"}
    for other in (extended, strict, grad):
        assert set(map(baseline.case_id, default)) < set(map(baseline.case_id, other))
    assert len(everything) == len(extended) + len(strict) + len(grad) - 2 * len(default)
    assert list(map(baseline.case_id, golden_cases(["extended", "strict", "grad"]))) == list(
        map(baseline.case_id, everything))


def test_the_default_profile_is_the_sections_own_form():
    for case in golden_cases("default"):
        assert case.function in baseline.FUNCTIONS[:4]
        assert case.inputs["X"].ndim == (2 if case.function == "corr2d" else 3)
        assert case.inputs["X"].dtype == case.inputs["K"].dtype == np.float32
        assert case.expected is not None and not set(case.tags) & {"batch", "im2col", "float64", "refusal"}
    assert {t for c in golden_cases("default") for t in c.tags} == {"book", "reference", "padding", "stride"}


def test_extended_and_strict_cases_say_what_they_test():
    for case in golden_cases("extended"):
        if case.profile == "extended":
            assert set(case.tags) & {"batch", "im2col", "float64"}
        if "float64" in case.tags:
            assert case.inputs["X"].dtype == case.expected.dtype == np.float64
            # the book's float32 zeros are said only where the function calls d2l.corr2d
            calls_corr2d = case.function in ("corr2d", "corr2d_multi_in", "corr2d_multi_in_out")
            assert ("d2l.corr2d writes into float32 zeros" in case.note) == calls_corr2d, case.id
    strict = [c for c in golden_cases("strict") if c.profile == "strict"]
    assert strict and all(c.expected is None and c.refuse and c.tags == ("refusal",) for c in strict)
    assert {c.function for c in strict} == set(baseline.FUNCTIONS[:4])


def test_tolerances_are_the_documented_ones():
    for case in golden_cases("extended"):
        assert case.rtol == {np.float32: 1e-5, np.float64: 1e-12}[case.expected.dtype.type]
        assert 0 < case.atol < 1e-3


def test_every_expected_value_is_finite():
    for case in golden_cases("all"):
        for array in [case.inputs["X"], case.inputs["K"]] + ([case.expected] if case.expected is not None else []):
            assert np.isfinite(array).all(), case.id


@pytest.mark.parametrize("profile, skip, message", [
    ("extendd", (), r"unknown profile 'extendd'; the profiles are default, extended, strict, grad, all"),
    ("default", ("batches",), r"unknown tag 'batches'; the tags are batch, book, float64, fresh, grad, im2col, "
                              r"padding, reference, refusal, stride"),
])
def test_unknown_profile_or_tag(profile, skip, message):
    with pytest.raises(baseline.BaselineError, match=message):
        baseline.cases(profile, skip=skip)


@pytest.mark.parametrize("profile, skip, message", [
    (None, (), r"profile must be a name or a list of names, got None"),
    (5, (), r"profile must be a name or a list of names, got 5"),
    ("default", None, r"skip must be a name or a list of names, got None"),
    ([], (), r"unknown profile \(none given\)"),
])
def test_profile_and_skip_of_the_wrong_kind(profile, skip, message):
    with pytest.raises(baseline.BaselineError, match=message):
        baseline.cases(profile, skip=skip)


# Ports: faithful ones pass the default; each wrong one fails the profile that covers it


def test_a_faithful_port_of_the_book_passes_the_default_profile():
    returncode, out, err = run_checker("check", BOOK_PORT)
    assert returncode == 0, out + err
    lines = out.splitlines()
    # the case set, the port, the golden cases and eight fresh ones, the count
    assert len(lines) == len(golden_cases("default")) + 8 + 3
    passed, failed, errors, not_implemented = counts(lines[-1])
    assert (failed, errors) == (0, 0) and passed > 0
    # The book's functions take no padding or stride: those cases, and only those, are N/I.
    not_implemented = [line for line in lines if line.startswith("N/I")]
    assert {line.split()[1] for line in not_implemented if not line.split()[1].startswith("fresh-")} == {
        c.id for c in golden_cases("default") if c.kwargs}
    fresh = [line for line in not_implemented if line.split()[1].startswith("fresh-")]
    assert len(fresh) == 2 and all("does not take padding=, stride=" in line for line in fresh)


def test_a_faithful_port_takes_one_example_so_batches_are_not_implemented():
    results = by_id(baseline.check(book_numpy, golden_cases("extended")))
    for case_id in ("batch3", "multi-in-batch2", "f64-batch2"):
        assert results[case_id].status == "not implemented"
        assert results[case_id].message.startswith("takes one example (c_i, h, w), not a batch: ")
    assert results["f64-multi-out-k3x2"].status == "pass"  # numpy's zeros are float64: float64 end to end


def test_strict_profile_on_a_faithful_port_names_the_sections_bug():
    returncode, out, _ = run_checker("check", BOOK_PORT, "--profile", "strict")
    assert returncode == 1
    failing = {line.split()[1]: line for line in out.splitlines() if line.startswith("FAIL")}
    assert set(failing) == {"refuse-channels-x3-k2", "refuse-channels-x2-k3", "refuse-no-input-channels"}
    assert "where it must raise: X has 3 input channels but K has 2; the section's own code zips X and K and " \
           "silently drops the extra channel" in failing["refuse-channels-x3-k2"]
    assert "a port whose sum() starts at 0 returns 0 here" in failing["refuse-no-input-channels"]


def test_the_example_numpy_port_passes_every_profile():
    returncode, out, err = run_checker("check", NUMPY_PORT, "--profile", "all", "--require-all")
    assert returncode == 0, out + err
    assert out.splitlines()[-1] == "%d passed, 0 failed, 0 errors, 0 not implemented" % (
        len(golden_cases("all")) + 24)  # and the fresh cases: eight of the default, sixteen of extended


WRONG_PORTS = {
    # port: (profile, the cases it must fail, exactly)
    "FlippedKernel": ("default", {"book-out2", "multi-in-1ch", "multi-in-3ch", "multi-in-k-equals-x",
                                  "multi-in-k-3x1", "multi-in-8ch", "multi-in-64ch"}),
    "DroppedChannel": ("default", {"book-out2", "multi-in-3ch", "multi-in-k-equals-x", "multi-in-k-3x1",
                                   "multi-in-8ch", "multi-in-64ch"}),
    "FirstFourChannels": ("default", {"multi-in-8ch", "multi-in-64ch", "multi-out-8to3", "multi-out-64to2-k3",
                                      "1x1-16to4", "1x1-64to8"}),
    "Transposed1x1": ("default", {"book-in7-y1", "1x1-4to3", "1x1-2to5", "1x1-16to4", "1x1-64to8"}),
    "OffByOne": ("default", {"corr2d-4x5-k2x3", "corr2d-k-equals-x", "corr2d-1x1", "corr2d-k-column",
                             "corr2d-integers"}),
    "StrideOneAxis": ("default", {"pad2x1-stride2x3", "stride2"}),
    "ZipTruncates": ("default", {"book-out2", "multi-in-3ch", "multi-in-k-equals-x", "multi-in-k-3x1",
                                 "multi-in-8ch", "multi-in-64ch"}),
    "TransposedKernel": ("default", {"book-in5", "multi-out-1to1", "multi-out-3to4-k3", "multi-out-2to3-k2x3",
                                     "multi-out-k-equals-x", "multi-out-4to1", "multi-out-8to3",
                                     "multi-out-64to2-k3"}),
    "BatchFirstOnly": ("extended", {"batch3", "batch2-pad1-stride2", "f64-batch2"}),
    "Float32Inside": ("extended", {"f64-multi-out-k3x2", "f64-pad1-stride2", "f64-batch2"}),
}


@pytest.mark.parametrize("port", sorted(WRONG_PORTS))
def test_wrong_ports_fail_their_profile(port):
    profile, must_fail = WRONG_PORTS[port]
    returncode, out, err = run_checker("check", "tests.ports.wrong:" + port, "--profile", profile)
    assert returncode == 1, out + err
    lines = out.splitlines()
    failing = {line.split()[1]: line for line in lines if line.startswith(("FAIL", "ERROR"))}
    assert {i for i in failing if not i.startswith("fresh-")} == must_fail, out  # the fresh ones, as drawn
    assert counts(lines[-1])[1] + counts(lines[-1])[2] == len(failing)
    for line in failing.values():
        assert ("max abs err" in line and "largest error at index (" in line) or "shape (" in line


def test_extended_and_strict_wrong_ports_pass_the_default():
    # What the default profile cannot see is what the other profiles are for.
    for port in (wrong.BatchFirstOnly, wrong.Float32Inside, book_numpy):
        assert all(r.ok for r in baseline.check(port, golden_cases("default")))


def _float64_results(port):
    return by_id(baseline.check(port, [c for c in golden_cases("extended") if "float64" in c.tags]))


def test_a_float32_result_from_float64_inputs_is_named_with_the_switch():
    results = _float64_results(wrong.Float32Inside)
    message = results["f64-multi-out-k3x2"].message
    assert results["f64-multi-out-k3x2"].status == "fail"
    assert "float32 precision only: the result came back as float32 from float64 inputs" in message
    assert "JAX_ENABLE_X64=1" in message and "tf.float64" in message
    # corr2d_multi_in_out calls d2l.corr2d in the book, so its float32 zeros are a cause too
    assert "the book's d2l.corr2d writes into float32 zeros" in message


def test_a_float64_result_computed_in_float32_says_its_dtype():
    class Float64Outside(wrong.Float32Inside):
        @staticmethod
        def corr2d_multi_in_out(X, K, padding=0, stride=1):
            return wrong.Float32Inside.corr2d_multi_in_out(X, K, padding, stride).astype(np.float64)

    message = _float64_results(Float64Outside)["f64-multi-out-k3x2"].message
    assert "float32 precision only: the result has dtype float64, but some step computes in float32" in message


def test_the_1x1_float64_case_blames_no_corr2d():
    port = types.SimpleNamespace(corr2d_multi_in_out_1x1=lambda X, K: book_numpy.corr2d_multi_in_out_1x1(
        X.astype(np.float32), K.astype(np.float32)))
    result = _float64_results(port)["f64-1x1"]
    assert result.status == "fail" and "came back as float32 from float64 inputs" in result.message
    assert "corr2d writes" not in result.message


def test_a_wrong_float64_answer_gets_no_precision_excuse():
    class Flipped64:
        @staticmethod
        def corr2d_multi_in_out(X, K):
            return book_numpy.corr2d_multi_in_out(X, K[:, :, ::-1, ::-1]).astype(np.float32)

    result = _float64_results(Flipped64)["f64-multi-out-k3x2"]
    assert result.status == "fail" and result.max_rel_error > 1e-3
    assert "precision" not in result.message and "float32" not in result.message


def test_a_near_miss_fails_every_case_and_a_close_one_passes_it():
    for case in golden_cases("extended"):
        tolerance = case.atol + case.rtol * np.abs(case.expected.astype(np.float64))
        for factor, status in ((20.0, "fail"), (0.5, "pass")):
            answer = (case.expected + factor * tolerance * np.sign(case.expected + 0.5)).astype(np.float64)
            port = types.SimpleNamespace(**{case.function: lambda X, K, answer=answer, **kwargs: answer})
            assert baseline.check_case(port, case).status == status, (case.id, factor)


def test_comparison_is_numpy_isclose():
    case = next(c for c in golden_cases() if c.id == "multi-in-3ch")
    limit = case.atol + case.rtol * np.abs(case.expected.astype(np.float64))
    for offset, status in ((limit * 0.999, "pass"), (limit * 1.001, "fail")):
        port = types.SimpleNamespace(corr2d_multi_in=lambda X, K, o=offset: case.expected.astype(np.float64) + o)
        assert baseline.check_case(port, case).status == status


def test_require_all():
    assert run_checker("check", BOOK_PORT)[0] == 0
    returncode, out, _ = run_checker("check", BOOK_PORT, "--require-all")
    assert returncode == 1 and "N/I" in out


def test_profiles_combine_on_the_command_line():
    returncode, out, _ = run_checker("check", NUMPY_PORT, "--profile", "extended", "--profile",
                             "strict")
    assert returncode == 0 and len(out.splitlines()) == len(golden_cases(["extended", "strict"])) + 24 + 3


def test_skip_leaves_out_a_tag():
    returncode, out, _ = run_checker("check", NUMPY_PORT, "--skip", "padding", "--skip", "stride")
    assert returncode == 0
    assert counts(out.splitlines()[-1])[0] == len([c for c in golden_cases() if not c.kwargs]) + 6  # 6 fresh


def test_skip_leaves_out_every_case_with_the_tag_wherever_it_stands():
    everything = golden_cases("all")
    later_tag = [c for c in everything if "stride" in c.tags[1:]]  # e.g. ("padding", "stride")
    assert later_tag
    for tag in ("stride", "padding", "batch", "float64"):
        kept = golden_cases("all", skip=[tag])
        assert kept and all(tag not in c.tags for c in kept)
        assert len(kept) == len([c for c in everything if tag not in c.tags])
    returncode, out, _ = run_checker("check", NUMPY_PORT, "--profile", "all", "--skip", "stride")
    ran = {line.split()[1] for line in out.splitlines()[:-1]}
    assert returncode == 0 and not ran & {c.id for c in everything if "stride" in c.tags}, out


def test_a_run_that_checked_nothing_fails():
    returncode, out, err = run_checker("check", "json")  # a module with none of the functions
    assert returncode == 1 and "nothing was checked" in err
    assert out.splitlines()[-1] == "0 passed, 0 failed, 0 errors, %d not implemented" % (len(golden_cases()) + 8)


# The report: one line per case, plain numbers


def test_multi_line_exceptions_make_one_line():
    def explodes(X, K):
        raise RuntimeError("first line\n  second line\n\nthird")

    case = golden_cases()[0]
    result = baseline.check_case(types.SimpleNamespace(**{case.function: explodes}), case)
    assert result.status == "error" and "\n" not in result.line()
    assert result.line().endswith("RuntimeError: first line second line third")


def test_index_is_a_plain_tuple():
    case = next(c for c in golden_cases() if c.id == "book-out2")
    off = case.expected.copy()
    off[0, 1] += 1
    result = baseline.check_case(types.SimpleNamespace(corr2d_multi_in=lambda X, K: off), case)
    assert "largest error at index (0, 1)" in result.line()


def test_a_shape_mismatch_says_only_that():
    case = next(c for c in golden_cases() if c.id == "book-out2")
    line = baseline.check_case(types.SimpleNamespace(corr2d_multi_in=lambda X, K: np.zeros(3)), case).line()
    assert line.endswith("shape (3,), expected (2, 2)") and "nan" not in line and "max abs err" not in line


def test_nan_and_inf_fail():
    case = next(c for c in golden_cases() if c.id == "book-out2")
    for value in (np.nan, np.inf):
        result = baseline.check_case(types.SimpleNamespace(corr2d_multi_in=lambda X, K: np.full((2, 2), value)), case)
        assert result.status == "fail" and "largest error at index (0, 0)" in result.line()


def test_a_result_numpy_cannot_read_gets_the_hook_named():
    class Opaque:
        pass

    case = next(c for c in golden_cases() if c.id == "book-out2")
    result = baseline.check_case(types.SimpleNamespace(corr2d_multi_in=lambda X, K: Opaque()), case)
    assert result.status == "fail"
    assert "dtype object, not real numbers" in result.message and "give the port a to_numpy hook" in result.message


def test_hooks_adapt_other_array_types():
    seen = []

    class ListPort:
        @staticmethod
        def to_native(array):
            seen.append(type(array))
            return array.tolist()

        @staticmethod
        def corr2d_multi_in_out_1x1(X, K):
            return {"data": wrong.numpy_port.corr2d_multi_in_out_1x1(np.array(X), np.array(K))}

        @staticmethod
        def to_numpy(result):
            return result["data"]

    results = baseline.check(ListPort, golden_cases(["extended", "strict"]))
    assert {r.status for r in results if r.case.function == "corr2d_multi_in_out_1x1"} == {"pass"}
    assert set(seen) == {np.ndarray}


def test_ports_cannot_change_the_cases():
    def scribbles(X, K):
        X[...] = 0
        return wrong.numpy_port.corr2d_multi_in(X, K)

    case = next(c for c in golden_cases() if c.id == "book-out2")
    before = case.inputs["X"].copy()
    baseline.check_case(types.SimpleNamespace(corr2d_multi_in=scribbles), case)
    np.testing.assert_array_equal(case.inputs["X"], before)


# The command line: a port author's mistakes get one line and exit 2


@pytest.mark.parametrize("source, message", [
    ("import nonexistent_module_xyz\n", "ModuleNotFoundError: No module named 'nonexistent_module_xyz'"),
    ("import sys\nsys.exit(3)\n", "SystemExit: 3"),
    ("def corr2d(X, K:\n", "SyntaxError"),
    ("raise RuntimeError('needs a GPU\\nand more')\n", "RuntimeError: needs a GPU and more"),
])
def test_a_port_that_cannot_load(tmp_path, source, message):
    port = tmp_path / "port.py"
    port.write_text(source)
    returncode, out, err = run_checker("check", str(port))
    assert returncode == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("python -m mxconv.baseline: error: cannot load the port")
    assert message in err


@pytest.mark.parametrize("argv, message", [
    (["--profile", "nope"], "unknown profile 'nope'; the profiles are default, extended, strict, grad, all"),
    (["--skip", "batches"], "unknown tag 'batches'; the tags are batch, book,"),
    (["--file", "/nonexistent/baseline.json"], "No such file or directory"),
])
def test_command_line_errors(argv, message):
    returncode, out, err = run_checker("check", NUMPY_PORT, *argv)
    assert returncode == 2 and out == "" and len(err.splitlines()) == 1 and message in err, err


# The pytest helper: a port's own test file of a few lines

PORT_TEST = """import pytest
from mxconv import baseline
import {module} as port


@pytest.mark.parametrize("case", baseline.cases({profile!r}), ids=baseline.case_id)
def test_mxconv_baseline(case):
    baseline.assert_case(port, case)
"""


@pytest.mark.parametrize("module, profile, outcome", [
    # with the fresh cases: eight in default (two with padding and stride), sixteen more in extended
    ("book_numpy", "default", {"passed": 34, "skipped": 6}),
    ("numpy_port", "all", {"passed": 83}),
    ("book_numpy", "strict", {"passed": 39, "failed": 3, "skipped": 6}),
])
def test_a_ten_line_pytest_file(pytester, module, profile, outcome):
    pytester.syspathinsert(ROOT / "tests" / "ports")
    pytester.syspathinsert(ROOT / "examples")
    test_file = pytester.makepyfile(test_port=PORT_TEST.format(module=module, profile=profile))
    assert len(test_file.read_text().splitlines()) <= 10
    result = pytester.runpytest_inprocess("-rs", "-p", "no:cacheprovider")
    result.assert_outcomes(**outcome)
    assert result.ret == (1 if "failed" in outcome else 0)
    out = str(result.stdout)
    if "skipped" in outcome:
        assert "not implemented: corr2d_multi_in_out does not take padding=" in out
    if "failed" in outcome:
        assert "FAIL  refuse-channels-x3-k2" in out and "where it must raise" in out


# Safe loading: what a malformed or hostile file gets


def _document():
    with open(baseline.DEFAULT_PATH) as f:
        return json.load(f)


def _mutations():
    def case0(doc):
        return doc["cases"][0]

    def refusal(doc):
        return next(c for c in doc["cases"] if "refuse" in c)

    yield "wrong format", lambda d: d.update(format="something-else"), "format is 'something-else'"
    yield "wrong version", lambda d: d.update(version=1), "format version 1; this mxconv reads version 3"
    yield "version as bool", lambda d: d.update(version=True), "format version True"
    yield "missing cases", lambda d: d.pop("cases"), r"keys \['cases'\] missing"
    yield "extra key", lambda d: d.update(pickle="gASV"), r"\['pickle'\] unexpected"
    yield "cases not a list", lambda d: d.update(cases={}), "cases must be list"
    yield "unknown function", lambda d: case0(d).update(function="__import__"), "function must be one of"
    yield "unknown profile", lambda d: case0(d).update(profile="lenient"), "profile must be one of"
    yield "refusal outside strict", lambda d: refusal(d).update(profile="default"), "must be in the strict profile"
    yield "value case in strict", lambda d: case0(d).update(profile="strict"), "must be in the strict profile"
    yield "refusal with values", lambda d: refusal(d).update(rtol=0.1), r"\['rtol'\] unexpected"
    yield "id not a string", lambda d: case0(d).update(id=5), "id must be str"
    yield "note too long", lambda d: case0(d).update(note="x" * 5000), "note has 5000 characters"
    yield "values mismatch shape", lambda d: case0(d)["expected"].update(shape=[3, 3]), \
        r"values has 4 numbers but shape \(3, 3\) needs 9"
    yield "enormous declared size", lambda d: case0(d)["expected"].update(shape=[10**6, 10**6]), \
        r"shape \(1000000, 1000000\) spans 1000000000000 elements, more than 4194304"
    yield "empty yet absurd", lambda d: case0(d)["expected"].update(shape=[0, 10**17, 10**17], values=[]), \
        r"shape \(0, 100000000000000000, 100000000000000000\) spans"
    yield "id with a carriage return", lambda d: case0(d).update(id="book-out2\rPASS"), r"id 'book-out2\\rPASS' is not"
    yield "id with escape", lambda d: case0(d).update(id="\x1b[32mx"), "is not 1 to 80 of the characters"
    yield "id with a lone surrogate", lambda d: case0(d).update(id="x\udcff"), r"id 'x\\udcff' is not"
    yield "id with a space", lambda d: case0(d).update(id="a b"), "is not 1 to 80"
    yield "tag with a newline", lambda d: case0(d).update(tags=["book\n"]), "tags must be 1 to 40 of"
    yield "negative axis", lambda d: case0(d)["expected"].update(shape=[-2, -2]), "non-negative ints"
    yield "too many axes", lambda d: case0(d)["expected"].update(shape=[1] * 40), "at most 6"
    yield "dtype object", lambda d: case0(d)["expected"].update(dtype="object"), "dtype must be one of"
    yield "string values", lambda d: case0(d)["expected"].update(values=["1", "2", "3", "4"]), \
        "values must all be numbers"
    yield "bool values", lambda d: case0(d)["expected"].update(values=[True] * 4), "values must all be numbers"
    yield "nested values", lambda d: case0(d)["expected"].update(values=[[1], [2], [3], [4]]), \
        "values must all be numbers"
    yield "beyond float32", lambda d: case0(d)["expected"].update(values=[1e39, 1, 1, 1]), \
        "values must be finite in float32"
    yield "bad kwargs", lambda d: case0(d).update(kwargs={"eval": "1"}), "kwargs may only be"
    yield "negative padding", lambda d: case0(d).update(kwargs={"padding": -1}), "kwargs.padding must be"
    yield "huge stride", lambda d: case0(d).update(kwargs={"stride": 2**31}), "kwargs.stride must be"
    yield "tolerance string", lambda d: case0(d).update(rtol="0.1"), "rtol must be a number"
    yield "tolerance huge", lambda d: case0(d).update(atol=1e300), "atol must be a number in"
    yield "missing input", lambda d: case0(d)["inputs"].pop("K"), r"keys \['K'\] missing"
    yield "duplicate ids", lambda d: d["cases"].append(dict(d["cases"][0])), "case ids repeat"
    yield "too many cases", lambda d: d.update(cases=[0] * (casefile.MAX_CASES + 1)), "more than 10000"


@pytest.mark.parametrize("name, mutate, message", list(_mutations()), ids=[m[0] for m in _mutations()])
def test_malformed_files_are_refused(tmp_path, name, mutate, message):
    doc = _document()
    mutate(doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(baseline.BaselineError, match=message):
        baseline.load(path)


@pytest.mark.parametrize("number, message", [
    ("1e400", "non-finite number 1e400"),
    ("-1e400", "non-finite number -1e400"),
    ("1" * 400, "has more than 18 digits"),
    ("NaN", "NaN and Infinity are not allowed"),
    ("-Infinity", "NaN and Infinity are not allowed"),
])
def test_non_finite_and_huge_numbers_in_values_are_refused(tmp_path, number, message):
    text = open(baseline.DEFAULT_PATH).read()
    marker = '"values": ['
    assert marker in text
    path = tmp_path / "bad.json"
    path.write_text(text.replace(marker, marker + number + ", ", 1))
    with pytest.raises(baseline.BaselineError, match=message):
        baseline.load(path)


@pytest.mark.parametrize("text, message", [
    ("", "not valid JSON"),
    ('{"format": "mxconv-baseline", "version": 2, "cases": [', "not valid JSON"),
    ('{"a": NaN}', "NaN and Infinity are not allowed"),
    ('{"a": 1, "a": 2}', "duplicate key 'a'"),
    ("[" * 100000, "not valid JSON"),
    ("\x80\x04\x95", "not valid JSON"),
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
    with pytest.raises(baseline.BaselineError, match="not valid JSON"):
        baseline.load(path)


def test_oversized_file_is_refused_before_reading(monkeypatch):
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 1000)
    with pytest.raises(baseline.BaselineError, match=r"bytes, more than the 1000 a file of the checker may have"):
        baseline.load()


def test_pickles_are_never_loaded(tmp_path):
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
results = baseline.check(port, baseline.cases("all", skip=["fresh"]))
print(baseline.summary(results))
assert all(r.status == "pass" for r in results)
assert sys.modules["mxnet"] is None and sys.modules["d2l"] is None
"""


def test_baseline_imports_no_mxnet():
    returncode, out, err = run("-c", BLOCKED.format(port=NUMPY_PORT))
    assert returncode == 0, err
    assert out.strip() == "%d passed, 0 failed, 0 errors, 0 not implemented" % len(golden_cases("all"))


def test_the_mxnet_layers_say_where_they_cannot_run():
    from mxconv._environment import why_not

    assert why_not((3, 11), "1.23.5", True) is None
    on_312 = why_not((3, 12), "2.1.0", False)
    assert "MXNet 1.9.1, which runs on Python 3.8 to 3.11 only" in on_312 and "this is Python 3.12" in on_312
    assert "mxconv.baseline, the checker for other ports, needs only numpy and works here" in on_312
    assert 'pip install "mxconv[mxnet]"' in why_not((3, 11), "2.0.0", False)
    assert "this environment has numpy 1.26.4" in why_not((3, 11), "1.26.4", True)


def test_importing_the_mxnet_layers_without_mxnet_says_so():
    code = ("import sys\nsys.modules['mxnet'] = None\nsys.modules['d2l'] = None\n"
            "for name in ('mxconv.fast', 'mxconv.reference', 'mxconv.figures', 'mxconv.exercises', 'mxconv.cli'):\n"
            "    try:\n        __import__(name)\n        print(name, 'imported')\n"
            "    except ImportError as err:\n        print(type(err).__name__, err)\n"
            "from mxconv.exercises import conv_cost, strip_cost\n"
            "print(conv_cost(2, 3, 3, 3, 2, 2, groups=1).forward_mults, strip_cost(1, 4, 4, 1, 3, 3, 1).strips)\n")
    returncode, out, err = run("-c", code)
    assert returncode == 0, err
    lines = out.splitlines()
    # the command line loads, and says why in one line; the costs are arithmetic, without MXNet
    assert lines[-3:] == ["mxconv.exercises imported", "mxconv.cli imported", "96 2"]
    for line in lines[:-3]:
        assert line.startswith("MXNetUnavailableError mxconv's MXNet layers need MXNet 1.9.1"), line
        assert line.endswith("works here: python -m mxconv.baseline check PORT"), line


def test_a_faithful_pytorch_port_as_d2l_writes_it():
    # Runs where PyTorch is installed (the bench extra); CI installs no PyTorch.
    pytest.importorskip("torch")
    port = str(ROOT / "examples" / "torch_port.py")
    outcomes = {}
    for profile in ("default", "extended", "strict"):
        returncode, out, err = run_checker("check", port, "--profile", profile)
        failing = {line.split()[1] for line in out.splitlines() if line.startswith(("FAIL", "ERROR"))}
        outcomes[profile] = (returncode, failing)
    assert outcomes["default"] == (0, set())
    assert outcomes["extended"] == (1, {"f64-multi-out-k3x2", "f64-multi-in-k2"})  # torch.zeros is float32
    assert outcomes["strict"] == (1, {"refuse-channels-x3-k2", "refuse-channels-x2-k3", "refuse-no-input-channels"})


def test_the_file_must_be_a_regular_file(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(str(fifo))  # opened plainly, reading it would wait for a writer for ever
    for path in (fifo, tmp_path):
        with pytest.raises(baseline.BaselineError, match="not a regular file"):
            baseline.load(path)
    returncode, out, err = run("-m", "mxconv.baseline", "check", "json", "--file", str(fifo), timeout=60)
    assert (returncode, out) == (2, "") and err.endswith("fifo: not a regular file\n"), err


# Gradient cases (the grad profile)


def _numpy_gradients(case):
    """d sum(Y * G) / dX and dK by loops over the definition of cross-correlation."""
    X, K, G = (case.inputs[n].astype(np.float64) for n in ("X", "K", "G"))
    X3 = X[None] if X.ndim == 2 else X
    K4 = {2: K[None, None], 3: K[None]}.get(K.ndim, K)
    G3 = G.reshape((K4.shape[0],) + G.shape[-2:])
    dX, dK = np.zeros(X3.shape), np.zeros(K4.shape)
    k_h, k_w = K4.shape[-2:]
    for i in range(G3.shape[1]):
        for j in range(G3.shape[2]):
            window = X3[:, i:i + k_h, j:j + k_w]
            dK += G3[:, i, j][:, None, None, None] * window[None]
            dX[:, i:i + k_h, j:j + k_w] += np.tensordot(G3[:, i, j], K4, axes=(0, 0))
    return dX.reshape(X.shape), dK.reshape(K.shape)


def test_gradient_cases_are_those_of_the_definition():
    grads = [c for c in golden_cases("grad") if c.profile == "grad"]
    assert {(c.function, c.grad) for c in grads} == {(f, w) for f in baseline.FUNCTIONS[:4] for w in "XK"}
    for case in grads:
        dX, dK = _numpy_gradients(case)
        expected = dX if case.grad == "X" else dK
        assert case.expected.shape == expected.shape and case.tags == ("grad",)
        assert np.allclose(case.expected, expected, rtol=case.rtol, atol=case.atol), case.id
        assert case.atol < 1e-4


def test_a_port_with_a_grad_hook_passes_and_a_wrong_backward_fails():
    from .ports import grad_numpy

    grads = [c for c in golden_cases("grad") if c.profile == "grad"]
    assert all(r.status == "pass" for r in baseline.check(grad_numpy, grads))
    wrong_results = baseline.check(grad_numpy.WrongBackward, grads)
    assert {r.case.id for r in wrong_results if r.status == "fail"} == {
        "grad-corr2d-dX", "grad-corr2d-dK", "grad-multi-in-dX", "grad-multi-in-dK"}


def test_numpy_cannot_differentiate_so_its_gradients_are_not_implemented():
    grads = [c for c in golden_cases("grad") if c.profile == "grad"]
    for result in baseline.check(book_numpy, grads, framework="auto"):
        assert result.status == "not implemented"
        assert "NumPy cannot differentiate; give the port a grad(fn, X, K, G) hook" in result.message


def test_the_grad_profile_through_the_command_line():
    returncode, out, err = run_checker("check", "tests.ports.grad_numpy", "--profile", "grad")
    assert returncode == 0 and out.splitlines()[-1] == "42 passed, 0 failed, 0 errors, 6 not implemented", out + err
    returncode, out, err = run_checker("check", "tests.ports.grad_numpy:WrongBackward",
                               "--profile", "grad")
    assert returncode == 1 and "FAIL  grad-multi-in-dK" in out


def test_pytorchs_autograd_runs_the_examples_port_and_catches_a_wrong_backward():
    pytest.importorskip("torch")  # the bench extra; CI installs no PyTorch
    returncode, out, err = run_checker("check", str(ROOT / "examples" / "torch_port.py"),
                               "--profile", "grad")
    assert returncode == 0 and out.splitlines()[-1] == "42 passed, 0 failed, 0 errors, 6 not implemented", out + err
    returncode, out, err = run_checker("check", str(ROOT / "tests" / "ports" /
                                                                      "torch_wrong_backward.py"), "--profile", "grad")
    assert returncode == 1 and {line.split()[1] for line in out.splitlines() if line.startswith("FAIL")} == {
        "grad-corr2d-dX", "grad-corr2d-dK"}, out
