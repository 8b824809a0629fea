"""mxconv.baseline.fresh: cases drawn from a seed at every run, judged against an
independent float64 NumPy reference (numpy only)."""
import itertools
import os

import numpy as np
import pytest

from mxconv import baseline
from mxconv.baseline import fresh, protocol

from ._helpers import ROOT, golden_cases, run_checker

NUMPY_PORT = str(ROOT / "examples" / "numpy_port.py")
BOOK_PORT = str(ROOT / "tests" / "ports" / "book_numpy.py")
# Seeds for the 200-seed sweeps: MXCONV_TEST_SEED moves the window, as elsewhere in the suite.
FIRST_SEED = int(os.environ.get("MXCONV_TEST_SEED", "0"))


def loops(X, K, padding=(0, 0), stride=(1, 1)):
    """The definition, one output at a time (the reference's own oracle)."""
    X = np.pad(np.asarray(X, np.float64), ((0, 0), (padding[0],) * 2, (padding[1],) * 2))
    c_o, c_i, k_h, k_w = K.shape
    out_h, out_w = (X.shape[1] - k_h) // stride[0] + 1, (X.shape[2] - k_w) // stride[1] + 1
    Y = np.zeros((c_o, out_h, out_w))
    for o, i, j in itertools.product(range(c_o), range(out_h), range(out_w)):
        window = X[:, i * stride[0]:i * stride[0] + k_h, j * stride[1]:j * stride[1] + k_w]
        Y[o, i, j] = sum(float(a) * float(b) for a, b in zip(window.ravel(), np.asarray(K[o], np.float64).ravel()))
    return Y


def test_the_same_seed_draws_the_same_cases_and_another_seed_others():
    a, b, c = fresh.fresh_cases(11, ["default"]), fresh.fresh_cases(11, ["default"]), fresh.fresh_cases(12, ["default"])
    assert [x.id for x in a] == [x.id for x in b] and all(x.id.startswith("fresh-11-") for x in a)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x.inputs["X"], y.inputs["X"])
        np.testing.assert_array_equal(x.expected, y.expected)
    assert any(x.inputs["X"].shape != z.inputs["X"].shape or not np.array_equal(x.inputs["X"], z.inputs["X"])
               for x, z in zip(a, c))
    # a profile's cases do not depend on the other profiles asked
    both = fresh.fresh_cases(11, ["default", "extended"])
    assert [x.id for x in both[:8]] == [x.id for x in a] and len(both) == 24


def test_the_default_profile_asks_what_the_book_does_and_no_more():
    for seed in range(20):
        cases = fresh.fresh_cases(seed, ["default"])
        assert len(cases) == 8 and sorted({c.function for c in cases}) == sorted(fresh.FRESH_FUNCTIONS)
        for case in cases:
            X, K = case.inputs["X"], case.inputs["K"]
            assert X.dtype == K.dtype == np.float32 and np.abs(X).max() <= 1 and np.abs(K).max() <= 1
            assert X.ndim == {"corr2d": 2}.get(case.function, 3) and case.profile == "default"
            assert (X.shape[0] if X.ndim == 3 else 1) <= 64 and max(K.shape[-2:]) <= 5
            assert K.shape[-2] <= X.shape[-2] and K.shape[-1] <= X.shape[-1]
            assert set(case.kwargs) <= {"padding", "stride"} and case.rtol == 0 and 0 < case.atol < 1
            assert case.function in ("corr2d_multi_in", "corr2d_multi_in_out") or not case.kwargs
            if case.kwargs:  # padding below the kernel's size, strides up to 3
                assert all(p < k for p, k in zip(case.kwargs["padding"], K.shape[-2:]))
                assert all(1 <= s <= 3 for s in case.kwargs["stride"])


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_the_reference_is_the_definition(seed):
    for case in fresh.fresh_cases(seed, ["default", "extended"]):
        X, K = case.inputs["X"], case.inputs["K"]
        X3 = X[None] if X.ndim == 2 else X
        K4 = K[None, None] if K.ndim == 2 else K[None] if K.ndim == 3 else K
        kwargs = {k: (v, v) if isinstance(v, int) else v for k, v in case.kwargs.items()}
        want = loops(X3, K4, **kwargs)
        np.testing.assert_allclose(case.expected.reshape(want.shape), want, rtol=1e-12, atol=1e-12)


def test_the_reference_agrees_with_mxnets_golden_numbers():
    # MXNet computed the golden cases in float32: within the fresh cases' own bound of them.
    checked = 0
    for case in golden_cases("default"):
        X, K = case.inputs["X"], case.inputs["K"]
        if case.function == "corr2d_multi_in_out_im2col" or X.ndim == 4:
            continue
        X3 = X[None] if X.ndim == 2 else X
        K4 = K[None, None] if K.ndim == 2 else K[None] if K.ndim == 3 else K
        pair = {k: (v, v) if isinstance(v, int) else tuple(v) for k, v in case.kwargs.items()}
        padding, stride = pair.get("padding", (0, 0)), pair.get("stride", (1, 1))
        got = fresh.reference(X3, K4, padding, stride).reshape(case.expected.shape)
        bound = fresh.tolerance(X3, K4, padding, stride)
        assert np.abs(got - case.expected).max() <= bound, case.id
        checked += 1
    assert checked >= 25


def test_the_bound_for_the_largest_cases_is_about_what_the_docs_say():
    # docs/ports.md: "for 64 channels and a 5x5 kernel, about 0.04 on sums of up to 400"
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, (64, 9, 9)).astype(np.float32)
    K = rng.uniform(-1, 1, (4, 64, 5, 5)).astype(np.float32)
    largest_sum = fresh.reference(np.abs(X), np.abs(K)).max()
    assert 300 < largest_sum < 500 and 0.03 < fresh.tolerance(X, K, (0, 0), (1, 1)) < 0.05


def test_a_sum_in_float32_in_the_worst_order_stays_within_the_bound():
    # Sorted by magnitude, largest first, each product rounded: a float32 port's worst case.
    rng = np.random.default_rng(5)
    for _ in range(50):
        X = rng.uniform(-1, 1, (64, 5, 5)).astype(np.float32)
        K = rng.uniform(-1, 1, (1, 64, 5, 5)).astype(np.float32)
        products = (X * K[0]).astype(np.float32).ravel()
        total = np.float32(0)
        for p in sorted(products, key=abs, reverse=True):
            total = np.float32(total + p)
        exact = fresh.reference(X, K)[0, 0, 0]
        assert abs(float(total) - exact) <= fresh.tolerance(X, K, (0, 0), (1, 1))


@pytest.mark.parametrize("port_path", [NUMPY_PORT, BOOK_PORT])
def test_a_faithful_numpy_port_passes_the_fresh_cases_of_200_seeds(port_path):
    port = baseline.load_port(port_path)
    outcomes = {}
    for seed in range(FIRST_SEED, FIRST_SEED + 200):
        for result in baseline.check(port, fresh.fresh_cases(seed, ["default"])):
            outcomes[result.status] = outcomes.get(result.status, 0) + 1
            assert result.status in ("pass", "not implemented"), "seed %d: %s" % (seed, result.line())
    assert outcomes["pass"] >= 200 * 6, outcomes  # the book's functions take no padding or stride: 2 N/I a seed


def test_the_torch_port_passes_the_fresh_cases_of_200_seeds():
    pytest.importorskip("torch")  # the bench extra; CI installs no PyTorch
    port = baseline.load_port(str(ROOT / "examples" / "torch_port.py"))
    for seed in range(FIRST_SEED, FIRST_SEED + 200):
        for result in baseline.check(port, fresh.fresh_cases(seed, ["default"]), framework="pytorch"):
            assert result.status in ("pass", "not implemented"), "seed %d: %s" % (seed, result.line())


def test_a_port_that_looks_answers_up_passes_the_golden_cases_and_fails_the_fresh_ones():
    returncode, out, err = run_checker("check", "tests.ports.lookup", "--skip", "fresh")
    assert returncode == 0, out + err  # the golden file is public: it protects nothing alone
    returncode, out, err = run_checker("check", "tests.ports.lookup", "--seed", "77")
    failing = {line.split()[1] for line in out.splitlines() if line.startswith("FAIL")}
    assert returncode == 1 and failing and all(i.startswith("fresh-77-") for i in failing), out + err


def test_a_seed_replays_a_run_line_for_line():
    first = run_checker("check", BOOK_PORT, "--seed", "123", "--profile", "extended")
    again = run_checker("check", BOOK_PORT, "--seed", "123", "--profile", "extended")
    strip = [line.split("  ")[0] for line in first[1].splitlines()]  # up to the errors' figures
    assert first[0] == 0 and first[1] == again[1], first[2]
    assert "fresh-123-1" in first[1] and len(strip) == len(golden_cases("extended")) + 24 + 3


@pytest.mark.parametrize("seed", ["-1", str(2**32), "2**31", "x", "1.5"])
def test_a_bad_seed_is_refused_before_any_work(seed):
    returncode, out, err = run_checker("check", BOOK_PORT, "--seed", seed)
    assert (returncode, out) == (2, "") and "--seed must be an int in [0, 2**32)" in err, err
    with pytest.raises(baseline.UsageError, match="seed must be an int"):
        baseline.cases(seed=int(seed) if seed.lstrip("-").isdigit() else seed)


def test_the_seed_is_in_both_reports(tmp_path):
    returncode, out, err = run_checker("check", BOOK_PORT, "--seed", "9", "--json", str(tmp_path / "r.json"),
                                       "--junit-xml", str(tmp_path / "r.xml"))
    import json
    import xml.etree.ElementTree as ET

    assert json.loads((tmp_path / "r.json").read_text())["seed"] == 9
    suite = ET.parse(str(tmp_path / "r.xml")).getroot().find("testsuite")
    assert {p.get("name"): p.get("value") for p in suite.find("properties")}["seed"] == "9"


def test_a_fresh_cases_request_holds_its_inputs_and_never_its_answer():
    case = fresh.fresh_cases(3, ["default"])[2]
    frame, most = protocol.request_frame(1, case)
    assert case.expected.astype(np.float64).tobytes() not in frame and case.expected.astype(np.float32).tobytes() \
        not in frame
    assert most == case.expected.size * 8


def test_pytest_ids_show_the_seed():
    ids = [baseline.case_id(c) for c in baseline.cases(seed=31)]
    assert [i for i in ids if i.startswith("fresh-")] == ["fresh-31-%d" % n for n in range(1, 9)]
