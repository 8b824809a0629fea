"""mxconv.baseline.judging and .running: what a port did, judged against its case (in
this process, numpy only)."""
import numpy as np
import pytest

from mxconv import baseline

from ._helpers import golden_cases
from mxconv.baseline import judging, running
from mxconv.baseline.casefile import Case


def case_of(expected, *, tags=(), note="", rtol=1e-5, atol=1e-6, function="corr2d"):
    X = np.zeros((3, 3), np.float64 if "float64" in tags else np.float32)
    return Case(id="t", function=function, profile="extended" if "float64" in tags else "default", source="",
                inputs={"X": X, "K": np.ones((2, 2), X.dtype)}, kwargs={}, expected=np.asarray(expected),
                rtol=rtol, atol=atol, tags=tuple(tags), note=note)


def value(values, dtype="float64"):
    values = np.asarray(values, np.float64)
    return running.Outcome(running.VALUE, "returned an ndarray", dtype=dtype, shape=values.shape, values=values)


def test_the_right_elements_in_the_wrong_shape_fail():
    expected = np.arange(4.0).reshape(2, 2)
    result = judging.judge(case_of(expected), value(expected.reshape(1, 2, 2)))
    assert result.status == "fail" and result.message == "shape (1, 2, 2), expected (2, 2)"
    case = next(c for c in golden_cases() if c.id == "book-out2")  # Out[2], of shape (2, 2)
    port = type("Port", (), {"corr2d_multi_in": staticmethod(lambda X, K: case.expected.reshape(1, 2, 2))})
    result = baseline.check_case(port, case)
    assert result.status == "fail" and result.message.startswith("shape (1, 2, 2), expected (2, 2)"), result


def test_failures_and_errors_are_counted_apart():
    expected = np.zeros((2, 2))
    results = [judging.judge(case_of(expected), value(np.ones((2, 2)))),
               judging.judge(case_of(expected), running.Outcome(running.RAISED, "ValueError: no")),
               judging.judge(case_of(expected), running.Outcome(running.RAISED, "ValueError: no")),
               judging.judge(case_of(expected), value(expected))]
    assert [r.status for r in results] == ["fail", "error", "error", "pass"]
    assert baseline.summary(results) == "1 passed, 1 failed, 2 errors, 0 not implemented"


# The float64 note: a float64 case missed, but within float32 precision of the answer.
# Expected values of zero leave rtol out of it: the note rests on the atol scaled by
# float32's eps over float64's, 2**29.

F64 = dict(tags=("float64",), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("error, noted", [(1e-14 * 2**28, True), (1e-14 * 2**30, False)])
def test_the_float64_note_scales_atol_by_float32s_precision(error, noted):
    result = judging.judge(case_of(np.zeros((2, 2)), **F64), value(np.full((2, 2), error), "float32"))
    assert result.status == "fail"
    assert ("float32 precision only" in result.message) is noted, result.message


def test_the_float64_note_names_the_ports_own_framework_first():
    book = "the book's d2l.corr2d writes into float32 zeros"
    case = case_of(np.zeros((2, 2)), note=book, **F64)
    got = value(np.full((2, 2), 1e-10), "float32")
    torch = judging.judge(case, got, "pytorch").message
    assert torch.endswith("came back as float32 from float64 inputs; " + book), torch
    assert "JAX" not in torch and "TensorFlow" not in torch
    jax = judging.judge(case, got, "jax").message
    assert jax.index("JAX turns float64 into float32") < jax.index(book) and "TensorFlow" not in jax
    unknown = judging.judge(case, got, None).message
    assert unknown.index(book) < unknown.index("JAX") and "TensorFlow" in unknown
    computed = judging.judge(case, value(np.full((2, 2), 1e-10), "float64"), "pytorch").message
    assert "the result has dtype float64, but some step computes in float32" in computed


def test_a_wrong_answer_gets_no_precision_excuse():
    result = judging.judge(case_of(np.zeros((2, 2)), note="x", **F64), value(np.full((2, 2), 0.5), "float32"))
    assert result.status == "fail" and "float32 precision" not in result.message


def test_an_adapters_float32_handover_is_said_after_the_note():
    outcome = running.Outcome(running.VALUE, "", "float32", (2, 2), np.full((2, 2), 1e-10),
                              note="the jax adapter handed the float64 inputs over as float32")
    message = judging.judge(case_of(np.zeros((2, 2)), **F64), outcome, "jax").message
    assert message.endswith("; the jax adapter handed the float64 inputs over as float32"), message


# What a port's framework cannot do is not implemented, not an error.


def test_a_framework_that_cannot_differentiate_is_not_implemented(monkeypatch):
    def refuses(port, fn, X, K, G):
        raise RuntimeError("in-place write")

    monkeypatch.setattr(running, "gradients", lambda framework: refuses)
    case = next(c for c in golden_cases("grad") if c.grad)
    port = type("Port", (), {case.function: staticmethod(lambda X, K: X)})
    outcome = running.run(port, case.function, {}, case.inputs["X"], case.inputs["K"], True,
                          adapter=baseline.adapters.Adapter("pytorch", "0", lambda a: a, lambda a: a),
                          grad=(case.grad, case.inputs["G"]))
    result = judging.judge(case, outcome, "pytorch")
    assert result.status == "not implemented"
    assert result.message == "pytorch cannot differentiate this port's <lambda>: RuntimeError: in-place write"


def test_no_differentiation_for_numpy_is_not_implemented_with_the_hook_to_write():
    case = next(c for c in golden_cases("grad") if c.grad)
    port = type("Port", (), {case.function: staticmethod(lambda X, K: X)})
    result = baseline.check_case(port, case)
    assert result.status == "not implemented" and "give the port a grad(fn, X, K, G) hook" in result.message
