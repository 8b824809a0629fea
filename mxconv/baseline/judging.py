"""Judging: what a port did with a case, compared with what the case expects.

:func:`judge` is the checker's one place of judgement; it knows the case and the
port's :class:`~running.Outcome`, nothing of the port itself. :func:`check_case` and
:func:`check` run a port in this process and judge each case.
"""
import dataclasses
from typing import Any, Callable, List, Optional, Sequence

import numpy as np

from .adapters import NO_ADAPTER, Adapter, adapter, check_framework, float64_causes, framework_of
from .casefile import Case
from .results import ERROR, FAIL, NOT_IMPLEMENTED, PASS, XFAIL, XPASS, Result
from .running import (BROKEN, MISSING, NOT_REAL, RAISED, RETURNED, SIGNATURE, UNREADABLE, VALUE, Outcome, run,
                      shape_of)
from .selection import cases as profile_cases

__all__ = ["judge", "check_case", "check"]

Port = Any
Hook = Callable[[Any], Any]


def judge(case: Case, outcome: Outcome, framework: Optional[str] = None) -> Result:
    """The result of ``case`` given what the port (of ``framework``, where known) did,
    and the case's expectation."""
    return _expected(_judged(case, outcome, framework))


def _expected(result: Result) -> Result:
    """XFAIL where the case's expectation names this outcome, XPASS where it passed instead."""
    if result.case.expectation is None:
        return result
    status, reason = result.case.expectation
    if result.status == status:
        return dataclasses.replace(result, status=XFAIL, message=_join(
            "expected (%s): %s" % (status, reason), result.message))
    if result.status == PASS:
        return dataclasses.replace(result, status=XPASS, message=_join(
            "expected %s (%s), but passed: remove it from the expectation file" % (status, reason), result.message))
    return dataclasses.replace(result, message=_join(
        "expected %s (%s), got %s" % (status, reason, result.status), result.message))


def _join(first: str, then: str) -> str:
    return "%s; %s" % (first, then) if then else first


def _judged(case: Case, outcome: Outcome, framework: Optional[str]) -> Result:
    """The result of ``case`` given what the port did: the checker's one place of judgement."""
    kind, message = outcome.kind, outcome.message
    if kind in (MISSING, SIGNATURE):
        return Result(case, NOT_IMPLEMENTED, message=message)
    if kind == BROKEN:  # before the call, or outside it: neither a refusal nor an answer
        return Result(case, ERROR, message=message)
    if kind == RAISED:
        if case.expected is None:
            return Result(case, PASS, message="refused: " + message)
        if "batch" in case.tags and case.inputs["X"].ndim == 4:
            return Result(case, NOT_IMPLEMENTED, message="takes one example (c_i, h, w), not a batch: " + message)
        return Result(case, ERROR, message=message)
    if case.expected is None:
        if kind == RETURNED:
            message = "%s where it must raise: %s%s" % (message, case.refuse, "; " + case.note if case.note else "")
            return Result(case, FAIL, message=message)
        return Result(case, ERROR, message="the port's process did not answer as the checker asked")
    if kind in (UNREADABLE, NOT_REAL):  # no array at all is an error; complex numbers a wrong answer
        return Result(case, ERROR if kind == UNREADABLE else FAIL, message=message)
    if kind != VALUE:
        return Result(case, ERROR, message="the port's process did not answer as the checker asked")
    return _compare(case, outcome, framework)


def _compare(case: Case, outcome: Outcome, framework: Optional[str]) -> Result:
    expected = case.expected
    assert expected is not None
    if outcome.shape != expected.shape or outcome.values is None:
        what = outcome.message if outcome.message.startswith("returned the ") else ""  # "the int 0"
        return Result(case, FAIL, message="shape %s, expected %s%s" % (
            outcome.shape, shape_of(expected.shape), " (%s)" % what if what else ""))
    got64, exp64 = outcome.values.reshape(expected.shape), expected.astype(np.float64)
    with np.errstate(all="ignore"):  # a port's inf or NaN is a finding, not a warning
        close = np.isclose(got64, exp64, rtol=case.rtol, atol=case.atol)  # NaN is never close
        err = np.abs(got64 - exp64)
        err[np.isnan(err)] = np.inf
        rel = err / np.maximum(np.abs(exp64), np.finfo(np.float64).tiny)
    max_abs = float(err.max()) if err.size else 0.0
    max_rel = float(rel.max()) if rel.size else 0.0
    if close.all():
        return Result(case, PASS, max_abs, max_rel)
    where = tuple(int(i) for i in np.unravel_index(int(np.argmax(np.where(close, -1.0, err))), err.shape))
    parts = ["largest error at index %s" % (where,)]
    parts.append(_float64_note(case, outcome, got64, exp64, framework) if "float64" in case.tags else case.note)
    parts.append(outcome.note)
    return Result(case, FAIL, max_abs, max_rel, "; ".join(p for p in parts if p), where)


def _float64_note(case: Case, outcome: Outcome, got64: np.ndarray, exp64: np.ndarray,
                  framework: Optional[str]) -> str:
    """For a float64 case a port missed, if it agrees to float32 precision: that, the
    result's dtype, and the likely cause (said only where it can be the cause)."""
    with np.errstate(all="ignore"):
        # float32 rounding: rtol 1e-5, and an atol scaled from the case's float64 one
        # (8 eps64 per term) by float32's eps over float64's, 2**-23 / 2**-52 = 2**29.
        float32_close = bool(np.isclose(got64, exp64, rtol=1e-5, atol=case.atol * 2**29).all())
    if not float32_close:  # wrong beyond rounding: no precision excuse
        return ""
    if outcome.dtype in ("float32", "float16"):
        # The cause that applies to the port's framework first, then the case's own
        # (the book's float32 zeros); every framework's where the port's is unknown.
        text = "float32 precision only: the result came back as %s from float64 inputs" % outcome.dtype
        causes = float64_causes(framework)
        if framework is not None:
            parts = causes + [case.note]
        else:
            parts = [case.note] + causes
        return "; ".join([text] + [p for p in parts if p])
    text = "float32 precision only: the result has dtype %s, but some step computes in float32" % (
        outcome.dtype or "?")
    return "%s; %s" % (text, case.note) if case.note else text


def check_case(port: Port, case: Case, *, to_native: Optional[Hook] = None,
               to_numpy: Optional[Hook] = None, framework: Optional[str] = None) -> Result:
    """Run one case on ``port``, in this process, and compare with its expected values
    (or, for a refusal case, expect an exception).

    Parameters
    ----------
    port : module or object
        Has some of :data:`FUNCTIONS`, called as ``f(X, K, **case.kwargs)``.
    case : Case
    to_native, to_numpy : callable, optional
        Convert each input before the call, and the result after it; default: the
        port's own attributes of these names, else those of ``framework``'s adapter,
        else none (numpy arrays in, anything ``numpy.asarray`` reads out).
    framework : str, optional
        A name of :data:`FRAMEWORKS` (``"pytorch"``, ...), or ``"auto"`` for the one the
        port's code imports: its built-in adapter converts the inputs and the result.

    Returns
    -------
    Result
        ``pass``; ``fail`` (with the largest error and where); ``error`` (the port
        raised on a case it implements); or ``not implemented`` (no such function,
        keywords it lacks, a batch where it takes one example). Every exception of
        the port's, from the function, a hook or an object it returned, is caught
        into the result. A port that ends or hangs this process cannot be stopped
        here: :func:`check_isolated` runs it in a process of its own.
    """
    chosen = _in_process_adapter(port, framework)
    outcome = run(port, case.function, case.kwargs, case.inputs["X"], case.inputs["K"], case.expected is not None,
                  to_native, to_numpy, chosen, (case.grad, case.inputs["G"]) if case.grad else None)
    return judge(case, outcome, chosen.framework or (framework if framework != "auto" else None))


def _in_process_adapter(port: Port, framework: Optional[str]) -> Adapter:
    if check_framework(framework, auto=True) is None:
        return NO_ADAPTER
    return adapter(framework_of(port) if framework == "auto" else framework, port)


def check(port: Port, cases: Optional[Sequence[Case]] = None, *, to_native: Optional[Hook] = None,
          to_numpy: Optional[Hook] = None, framework: Optional[str] = None) -> List[Result]:
    """Run ``cases`` on ``port``, in this process.

    Parameters
    ----------
    port : module or object
        As :func:`check_case`.
    cases : sequence of Case, optional
        Default: the packaged file's ``default`` profile, and fresh cases (a new seed).
    to_native, to_numpy, framework : optional
        As :func:`check_case`.

    Returns
    -------
    list of Result, one per case, in order (:func:`summary` counts them).
    """
    check_framework(framework, auto=True)  # before any case
    chosen = profile_cases() if cases is None else cases
    return [check_case(port, c, to_native=to_native, to_numpy=to_numpy, framework=framework) for c in chosen]
