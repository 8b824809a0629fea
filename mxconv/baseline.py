"""Golden cases of the section for other ports, and a checker: numpy and the standard library only.

This module imports neither MXNet nor the rest of mxconv, so a PyTorch, TensorFlow,
JAX, Paddle or NumPy port can run it in its own CI, on Python 3.8 to 3.13 with any
numpy from 1.17 to 2.x.

A *port* is any module or object with some of the functions ``corr2d``,
``corr2d_multi_in``, ``corr2d_multi_in_out``, ``corr2d_multi_in_out_1x1`` and
``corr2d_multi_in_out_im2col``, called as ``f(X, K, **kwargs)`` (kwargs: ``padding``
and ``stride``), returning anything ``numpy.asarray`` reads as real numbers.
Optional hooks adapt other array types: ``to_native(ndarray)`` converts each input
before the call, ``to_numpy(result)`` converts the result (a PyTorch port passes
``torch.from_numpy`` and ``lambda t: t.detach().numpy()``), either as attributes of
the port or as arguments of :func:`check`.

Profiles choose the cases (:data:`PROFILES`):

- ``default`` asks what the section's code does: one example (c_i, h, w), float32
  inputs, the four book functions, and padding and stride for functions whose
  signature takes those keywords. A faithful port of the book passes it.
- ``extended`` adds batches (n, c_i, h, w), im2col and float64 end to end.
- ``strict`` adds refusal cases: inputs the section's code gets wrong silently or
  crashes on. A port passes one by raising any exception.

A case a port cannot take (no such function, keywords its function lacks, a batch
where it takes one example) is *not implemented*, not failed.

>>> import numpy as np
>>> class Port:
...     def corr2d(X, K):
...         h, w = K.shape
...         return np.array([[(X[i:i + h, j:j + w] * K).sum()
...                           for j in range(X.shape[1] - w + 1)]
...                          for i in range(X.shape[0] - h + 1)])
>>> results = check(Port)
>>> sorted(set(r.status for r in results))
['not implemented', 'pass']

Command line: ``python -m mxconv.baseline check PORT [--profile extended]`` prints a
line per case and exits 1 on any failure; in a port's pytest suite,
:func:`assert_case` turns each case into a test.
"""
import argparse
import importlib
import importlib.util
import inspect
import json
import math
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, NoReturn, Optional, Sequence, Tuple, Union

import numpy as np

__all__ = ["Case", "Result", "Baseline", "BaselineError", "cases", "case_id", "check", "check_case", "assert_case",
           "load", "load_port", "summary", "PROFILES", "FUNCTIONS"]

FORMAT = "mxconv-baseline"
FORMAT_VERSION = 2
FUNCTIONS = ("corr2d", "corr2d_multi_in", "corr2d_multi_in_out", "corr2d_multi_in_out_1x1",
             "corr2d_multi_in_out_im2col")
KWARGS = ("padding", "stride")
DTYPES = ("float16", "float32", "float64")
# A profile and the case profiles it runs: each adds to the default.
PROFILES = {"default": ("default",), "extended": ("default", "extended"), "strict": ("default", "strict"),
            "all": ("default", "extended", "strict")}
DEFAULT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "baseline.json")

# Limits that keep a hostile or broken file from costing memory or time.
MAX_FILE_BYTES = 64 * 2**20
MAX_ELEMENTS = 2**22  # per array
MAX_CASES = 10000
MAX_AXES = 6
MAX_TEXT = 1000  # characters of an id, source, note or refusal

PASS, FAIL, ERROR, NOT_IMPLEMENTED = "pass", "fail", "error", "not implemented"
STATUSES = (PASS, FAIL, ERROR, NOT_IMPLEMENTED)
_LABELS = {PASS: "PASS", FAIL: "FAIL", ERROR: "ERROR", NOT_IMPLEMENTED: "N/I"}

Port = Any
Hook = Callable[[Any], Any]


class BaselineError(ValueError):
    """A baseline file that is malformed, of another format or version, or too large;
    or an unknown profile or tag."""


@dataclass(frozen=True, eq=False)  # eq=False: arrays have no truth value; cases compare by identity
class Case:
    """One golden case: call ``function(X, K, **kwargs)``; expect ``expected`` (within
    ``rtol`` and ``atol``, as :func:`numpy.isclose`), or, for a refusal case
    (``expected`` is None), any exception."""

    id: str
    function: str
    profile: str
    source: str
    inputs: Dict[str, np.ndarray] = field(repr=False)
    kwargs: Dict[str, object]
    expected: Optional[np.ndarray] = field(repr=False)
    rtol: float = 0.0
    atol: float = 0.0
    tags: Tuple[str, ...] = ()
    refuse: str = ""  # for a refusal case: why a port must raise
    note: str = ""  # said on the report's line when a port fails the case

    def __str__(self) -> str:
        return self.id


def case_id(case: Case) -> str:
    """The case's id: pass as ``ids=`` to ``pytest.mark.parametrize``."""
    return case.id


@dataclass(frozen=True, eq=False)
class Result:
    """The outcome of one case on one port."""

    case: Case
    status: str  # one of STATUSES
    max_abs_error: float = math.nan
    max_rel_error: float = math.nan
    message: str = ""

    @property
    def ok(self) -> bool:
        """True unless the port failed or raised (a case not implemented is not a failure)."""
        return self.status in (PASS, NOT_IMPLEMENTED)

    def line(self) -> str:
        """One line of the checker's report, whatever the port's messages hold."""
        text = "%-5s %-32s %-27s" % (_LABELS[self.status], self.case.id, self.case.function)
        if not math.isnan(self.max_abs_error):
            text += " max abs err %.3g, max rel err %.3g (rtol %g, atol %g)" % (
                self.max_abs_error, self.max_rel_error, self.case.rtol, self.case.atol)
        if self.message:
            text += "  " + self.message
        return " ".join(text.split(" \n")).replace("\n", " ")


@dataclass(frozen=True)
class Baseline:
    """A loaded baseline file."""

    format: str
    version: int
    generated_by: Dict[str, str]
    cases: List[Case]


# -- writing ---------------------------------------------------------------------------


def _array_to_json(array: np.ndarray) -> Dict[str, object]:
    array = np.asarray(array)
    # float() of a float16/32 value is the exact double, so the file round-trips exactly.
    return {"shape": list(array.shape), "dtype": array.dtype.name,
            "values": [float(v) for v in array.ravel()]}


def to_json(cases: Sequence[Case], generated_by: Dict[str, str]) -> str:
    """The text of a baseline file holding ``cases`` (deterministic: no timestamps)."""
    entries = []
    for c in cases:
        entry: Dict[str, Any] = {"id": c.id, "function": c.function, "profile": c.profile, "source": c.source,
                 "inputs": {name: _array_to_json(a) for name, a in c.inputs.items()},
                 "kwargs": {k: (list(v) if isinstance(v, tuple) else v) for k, v in c.kwargs.items()},
                 "tags": list(c.tags)}
        if c.expected is None:
            entry["refuse"] = c.refuse
        else:
            entry.update(expected=_array_to_json(c.expected), rtol=c.rtol, atol=c.atol)
        if c.note:
            entry["note"] = c.note
        entries.append(entry)
    document = {"format": FORMAT, "version": FORMAT_VERSION, "generated_by": dict(generated_by), "cases": entries}
    _parse(document, "<to_json>")  # never write what load() would refuse
    return json.dumps(document, indent=1, sort_keys=True, allow_nan=False) + "\n"


# -- loading ---------------------------------------------------------------------------


def _refuse_constant(name: str) -> None:
    raise BaselineError("NaN and Infinity are not allowed (found %s)" % name)


def _no_duplicate_keys(pairs: List[Tuple[str, object]]) -> Dict[str, object]:
    result: Dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise BaselineError("duplicate key %r" % key)
        result[key] = value
    return result


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 parses as inf
        raise BaselineError("non-finite number %s" % text)
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 18:  # beyond int64, and before int() spends time on it
        raise BaselineError("integer %s... has more than 18 digits" % text[:20])
    return int(text)


def load(path: Union[str, "os.PathLike[str]", None] = None) -> Baseline:
    """Read and validate a baseline file (the one packaged with mxconv by default).

    Raises
    ------
    BaselineError
        For a file that is too large, not JSON, of another format or version, or
        whose fields have the wrong types, sizes or shapes, or hold numbers that are
        not finite. Nothing in the file is ever unpickled or evaluated: it is parsed
        as JSON and checked field by field.
    """
    path = DEFAULT_PATH if path is None else os.fspath(path)
    size = os.stat(path).st_size
    if size > MAX_FILE_BYTES:
        raise BaselineError("%s: %d bytes, more than the %d a baseline may have" % (path, size, MAX_FILE_BYTES))
    with open(path, "rb") as f:
        raw = f.read(MAX_FILE_BYTES + 1)
    try:
        document = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant, parse_float=_finite_float,
                              parse_int=_bounded_int, object_pairs_hook=_no_duplicate_keys)
    except BaselineError as err:
        raise BaselineError("%s: %s" % (path, err)) from None
    except (ValueError, UnicodeDecodeError, RecursionError) as err:
        raise BaselineError("%s: not a valid JSON file (%s)" % (path, err)) from None
    return _parse(document, path)


def _fail(where: str, message: str) -> NoReturn:
    raise BaselineError("%s: %s" % (where, message))


def _expect(where: str, value: Any, kind: Any, what: str) -> Any:
    ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
    if not ok:
        _fail(where, "%s must be %s, got %s" % (what, getattr(kind, "__name__", "a number"), type(value).__name__))
    return value


def _text(where: str, value: Any, what: str) -> str:
    _expect(where, value, str, what)
    if len(value) > MAX_TEXT:
        _fail(where, "%s has %d characters, more than %d" % (what, len(value), MAX_TEXT))
    return value


def _keys(where: str, obj: Any, required: Sequence[str], optional: Sequence[str] = ()) -> None:
    _expect(where, obj, dict, "this entry")
    missing = [k for k in required if k not in obj]
    extra = [k for k in obj if k not in required and k not in optional]
    if missing or extra:
        _fail(where, "keys %s missing, %s unexpected" % (missing, extra))


def _parse_array(where: str, obj: Any) -> np.ndarray:
    _keys(where, obj, ("shape", "dtype", "values"))
    shape = _expect(where, obj["shape"], list, "shape")
    if len(shape) > MAX_AXES or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in shape):
        _fail(where, "shape must be a list of at most %d non-negative ints, got %r" % (MAX_AXES, shape[:8]))
    count = 1
    for s in shape:
        count *= s
    if count > MAX_ELEMENTS:
        _fail(where, "shape %s declares %d elements, more than %d" % (tuple(shape), count, MAX_ELEMENTS))
    if obj["dtype"] not in DTYPES:
        _fail(where, "dtype must be one of %s, got %r" % (DTYPES, obj["dtype"]))
    values = _expect(where, obj["values"], list, "values")
    if len(values) != count:
        _fail(where, "values has %d numbers but shape %s needs %d" % (len(values), tuple(shape), count))
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        _fail(where, "values must all be numbers")
    array = np.array(values, dtype=np.float64)
    if array.size and np.abs(array).max() > np.finfo(obj["dtype"]).max:  # finite, yet beyond this dtype's range
        _fail(where, "values must be finite in %s" % obj["dtype"])
    return array.astype(obj["dtype"]).reshape(shape)


def _parse_pair(where: str, name: str, value: Any) -> Union[int, Tuple[int, ...]]:
    items = value if isinstance(value, list) else [value]
    minimum = 0 if name == "padding" else 1
    if len(items) not in (1, 2) or not all(isinstance(v, int) and not isinstance(v, bool) and minimum <= v < 2**31
                                           for v in items):
        _fail(where, "kwargs.%s must be an int in [%d, 2**31) or a pair of them, got %r" % (name, minimum, value))
    return tuple(items) if len(items) == 2 else items[0]


def _parse_tolerance(where: str, name: str, value: Any) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value < 1:
        _fail(where, "%s must be a number in [0, 1), got %r" % (name, value))
    return float(value)


def _parse_case(where: str, obj: Any) -> Case:
    _expect(where, obj, dict, "this entry")
    refusal = "refuse" in obj
    value_keys = () if refusal else ("expected", "rtol", "atol")
    _keys(where, obj, ("id", "function", "profile", "source", "inputs", "kwargs", "tags") + value_keys,
          ("refuse", "note"))
    case_name = _text(where, obj["id"], "id")
    where = "%s (%r)" % (where, case_name)
    if obj["function"] not in FUNCTIONS:
        _fail(where, "function must be one of %s, got %r" % (FUNCTIONS, obj["function"]))
    if obj["profile"] not in PROFILES["all"]:
        _fail(where, "profile must be one of %s, got %r" % (PROFILES["all"], obj["profile"]))
    if refusal != (obj["profile"] == "strict"):
        _fail(where, "a refusal case (with 'refuse') must be in the strict profile, and only such cases")
    _keys(where + " inputs", obj["inputs"], ("X", "K"))
    _expect(where, obj["kwargs"], dict, "kwargs")
    unknown = [k for k in obj["kwargs"] if k not in KWARGS]
    if unknown:
        _fail(where, "kwargs may only be %s, got %s" % (KWARGS, unknown))
    tags = _expect(where, obj["tags"], list, "tags")
    if not all(isinstance(t, str) and 0 < len(t) <= 40 for t in tags):
        _fail(where, "tags must be short strings")
    return Case(
        id=case_name,
        function=obj["function"],
        profile=obj["profile"],
        source=_text(where, obj["source"], "source"),
        inputs={name: _parse_array("%s inputs.%s" % (where, name), obj["inputs"][name]) for name in ("X", "K")},
        kwargs={k: _parse_pair(where, k, v) for k, v in obj["kwargs"].items()},
        expected=None if refusal else _parse_array(where + " expected", obj["expected"]),
        rtol=0.0 if refusal else _parse_tolerance(where, "rtol", obj["rtol"]),
        atol=0.0 if refusal else _parse_tolerance(where, "atol", obj["atol"]),
        tags=tuple(tags),
        refuse=_text(where, obj["refuse"], "refuse") if refusal else "",
        note=_text(where, obj.get("note", ""), "note"),
    )


def _parse(document: Any, path: str) -> Baseline:
    _keys(path, document, ("format", "version", "generated_by", "cases"))
    if document["format"] != FORMAT:
        _fail(path, "format is %r, not %r" % (document["format"], FORMAT))
    if document["version"] != FORMAT_VERSION or isinstance(document["version"], bool):
        _fail(path, "format version %r; this mxconv reads version %d" % (document["version"], FORMAT_VERSION))
    generated_by = _expect(path, document["generated_by"], dict, "generated_by")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in generated_by.items()):
        _fail(path, "generated_by must map names to version strings")
    raw_cases = _expect(path, document["cases"], list, "cases")
    if len(raw_cases) > MAX_CASES:
        _fail(path, "%d cases, more than %d" % (len(raw_cases), MAX_CASES))
    parsed = [_parse_case("%s: case %d" % (path, i), c) for i, c in enumerate(raw_cases)]
    ids = [c.id for c in parsed]
    if len(set(ids)) != len(ids):
        _fail(path, "case ids repeat: %s" % sorted({i for i in ids if ids.count(i) > 1}))
    return Baseline(document["format"], document["version"], dict(generated_by), parsed)


# -- selecting -------------------------------------------------------------------------


def _names(what: str, value: Union[str, Iterable[str]]) -> List[str]:
    """A name or an iterable of names, as a list."""
    if isinstance(value, str):
        return [value]
    try:
        names = list(value)
    except TypeError:
        names = [value]  # type: ignore[list-item]
    if not all(isinstance(name, str) for name in names):
        raise BaselineError("%s must be a name or a list of names, got %r" % (what, value))
    return names


def cases(profile: Union[str, Iterable[str]] = "default", path: Union[str, "os.PathLike[str]", None] = None,
          skip: Iterable[str] = ()) -> List[Case]:
    """The golden cases of a profile, ready for ``pytest.mark.parametrize("case", cases(), ids=case_id)``.

    Parameters
    ----------
    profile : str or iterable of str
        A name of :data:`PROFILES`, or several (their cases combined).
    path : path, optional
        A baseline file (default: the one packaged with mxconv).
    skip : iterable of str
        Leave out every case that has any of these tags.

    Returns
    -------
    list of Case, in the file's order.

    Raises
    ------
    BaselineError
        An unknown profile or tag (naming the known ones), or a malformed file.
    """
    return select(load(path).cases, profile, skip)


def select(all_cases: Sequence[Case], profile: Union[str, Iterable[str]] = "default",
           skip: Iterable[str] = ()) -> List[Case]:
    """The cases of ``profile`` among ``all_cases``, less those tagged with a tag in ``skip``."""
    names, skip = _names("profile", profile), _names("skip", skip)
    unknown = [p for p in names if p not in PROFILES]
    if unknown or not names:
        raise BaselineError("unknown profile %s; the profiles are %s" % (
            ", ".join(map(repr, unknown)) or "(none given)", ", ".join(PROFILES)))
    tags = sorted({t for c in all_cases for t in c.tags})
    unknown = [t for t in skip if t not in tags]
    if unknown:
        raise BaselineError("unknown tag %s; the tags are %s" % (", ".join(map(repr, unknown)), ", ".join(tags)))
    wanted = {p for name in names for p in PROFILES[name]}
    return [c for c in all_cases if c.profile in wanted and not set(c.tags) & set(skip)]


# -- checking --------------------------------------------------------------------------


def _accepts(fn: Callable[..., Any], n_args: int, kwargs: Dict[str, object]) -> bool:
    try:
        inspect.signature(fn).bind(*range(n_args), **kwargs)
    except TypeError:
        return False
    except ValueError:  # no signature (some builtins): assume it does
        return True
    return True


def _one_line(text: str, most: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= most else text[:most - 3] + "..."


def _raised(err: BaseException) -> str:
    return _one_line("%s: %s" % (type(err).__name__, err))


def check_case(port: Port, case: Case, *, to_native: Optional[Hook] = None,
               to_numpy: Optional[Hook] = None) -> Result:
    """Run one case on ``port`` and compare with its expected values (or, for a
    refusal case, expect an exception).

    Parameters
    ----------
    port : module or object
        Has some of :data:`FUNCTIONS`, called as ``f(X, K, **case.kwargs)``.
    case : Case
    to_native, to_numpy : callable, optional
        Convert each input before the call, and the result after it; default: the
        port's own attributes of these names, else none (numpy arrays in, anything
        ``numpy.asarray`` reads out).

    Returns
    -------
    Result
        ``pass``; ``fail`` (with the largest error and where); ``error`` (the port
        raised on a case it implements); or ``not implemented`` (no such function,
        keywords it lacks, a batch where it takes one example). Every exception of
        the port is caught into the result.
    """
    fn = getattr(port, case.function, None)
    if fn is None:
        return Result(case, NOT_IMPLEMENTED, message="the port has no %s" % case.function)
    if not _accepts(fn, 2, case.kwargs):
        return Result(case, NOT_IMPLEMENTED, message="%s does not take %s" % (
            case.function, ", ".join("%s=" % k for k in case.kwargs)))
    to_native = to_native or getattr(port, "to_native", None) or (lambda a: a)
    to_numpy = to_numpy or getattr(port, "to_numpy", None)
    try:
        # Copies, so a port that writes into its inputs cannot change the case.
        out = fn(to_native(case.inputs["X"].copy()), to_native(case.inputs["K"].copy()), **case.kwargs)
    except (Exception, SystemExit) as err:  # a port's failure is a result, not a crash of the checker
        if case.expected is None:
            return Result(case, PASS, message="refused: " + _raised(err))
        if "batch" in case.tags and case.inputs["X"].ndim == 4:
            return Result(case, NOT_IMPLEMENTED, message="takes one example (c_i, h, w), not a batch: " +
                          _raised(err))
        return Result(case, ERROR, message=_raised(err))
    if case.expected is None:
        return Result(case, FAIL, message="returned %s where it must raise: %s%s" % (
            _describe(out), case.refuse, "; " + case.note if case.note else ""))
    try:
        got = np.asarray(out if to_numpy is None else to_numpy(out))
    except Exception as err:
        return Result(case, ERROR, message="the result could not be read as an array (%s)%s" % (
            _raised(err), _hook_hint(out, to_numpy)))
    if got.dtype.kind not in "biuf":
        return Result(case, FAIL, message="the result has dtype %s, not real numbers%s" % (
            got.dtype, _hook_hint(out, to_numpy)))
    return _compare(case, got)


def _describe(out: Any) -> str:
    """What a port returned, in a few words: 'an array of shape (3, 3)', 'the int 0'."""
    shape = getattr(out, "shape", None)
    if shape is not None:
        try:
            return "an array of shape %s" % (_shape(shape),)
        except (TypeError, ValueError):
            pass
    return _one_line("the %s %r" % (type(out).__name__, out), 80)


def _shape(shape: Sequence[int]) -> Tuple[int, ...]:
    return tuple(int(s) for s in shape)


def _hook_hint(out: Any, to_numpy: Optional[Hook]) -> str:
    if to_numpy is not None or isinstance(out, np.ndarray):
        return ""
    return ("; numpy cannot read a %s.%s: give the port a to_numpy hook that returns a numpy array "
            "(for MXNet, lambda a: a.asnumpy())" % (type(out).__module__, type(out).__name__))


def _compare(case: Case, got: np.ndarray) -> Result:
    expected = case.expected
    assert expected is not None
    if got.shape != expected.shape:
        return Result(case, FAIL, message="shape %s, expected %s" % (_shape(got.shape), _shape(expected.shape)))
    got64, exp64 = got.astype(np.float64), expected.astype(np.float64)
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
    with np.errstate(all="ignore"):
        # float32 rounding: rtol 1e-5, and an atol scaled from the case's float64 one
        # (8 eps64 per term) by float32's eps over float64's, 2**-23 / 2**-52 = 2**29.
        float32_close = np.isclose(got64, exp64, rtol=1e-5, atol=case.atol * 2**29).all()
    flag = "float32 precision only: " if "float64" in case.tags and float32_close else ""
    if flag or case.note:
        parts.append((flag + case.note).strip())
    message = "; ".join(parts)
    return Result(case, FAIL, max_abs, max_rel, message)


def check(port: Port, cases: Optional[Sequence[Case]] = None, *, to_native: Optional[Hook] = None,
          to_numpy: Optional[Hook] = None) -> List[Result]:
    """Run ``cases`` on ``port``, in this process.

    Parameters
    ----------
    port : module or object
        As :func:`check_case`.
    cases : sequence of Case, optional
        Default: the packaged file's ``default`` profile.
    to_native, to_numpy : callable, optional
        As :func:`check_case`.

    Returns
    -------
    list of Result, one per case, in order (:func:`summary` counts them).
    """
    chosen = select(load().cases) if cases is None else cases
    return [check_case(port, c, to_native=to_native, to_numpy=to_numpy) for c in chosen]


def summary(results: Sequence[Result]) -> str:
    """``'N passed, N failed, N errors, N not implemented'``."""
    count = {s: sum(r.status == s for r in results) for s in STATUSES}
    return "%d passed, %d failed, %d errors, %d not implemented" % (
        count[PASS], count[FAIL], count[ERROR], count[NOT_IMPLEMENTED])


def load_port(spec: str) -> Port:
    """``MODULE``, ``MODULE:OBJECT`` or ``path/to/file.py[:OBJECT]`` as a port."""
    target, _, attribute = spec.partition(":")
    if target.endswith(".py"):
        module_name = os.path.splitext(os.path.basename(target))[0]
        module_spec = importlib.util.spec_from_file_location(module_name, target)
        if module_spec is None or module_spec.loader is None:
            raise ImportError("cannot load %s" % target)
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
    else:
        module = importlib.import_module(target)
    port: Port = module
    for name in filter(None, attribute.split(".")):
        port = getattr(port, name)
    return port


# -- the pytest helper -------------------------------------------------------------------


def assert_case(port: Port, case: Case, *, to_native: Optional[Hook] = None,
                to_numpy: Optional[Hook] = None) -> Result:
    """For a port's own pytest suite: pass, skip (not implemented, with the reason), or
    fail with the checker's line.

    Parameters
    ----------
    port, case, to_native, to_numpy
        As :func:`check_case`.

    Returns
    -------
    Result
        The passing result. A case not implemented calls ``pytest.skip``, any other
        outcome ``pytest.fail``, each with a message that starts with the case's id.

    A port's test file, for example PyTorch's::

        import pytest, torch, my_port
        from mxconv import baseline

        @pytest.mark.parametrize("case", baseline.cases("default"), ids=baseline.case_id)
        def test_mxconv_baseline(case):
            baseline.assert_case(my_port, case, to_native=torch.from_numpy,
                                 to_numpy=lambda t: t.detach().numpy())
    """
    import pytest  # only here: the checker itself needs no pytest

    result = check_case(port, case, to_native=to_native, to_numpy=to_numpy)
    if result.status == NOT_IMPLEMENTED:
        pytest.skip("%s: not implemented: %s" % (case.id, result.message))
    if not result.ok:
        pytest.fail(result.line(), pytrace=False)
    return result


# -- the command line --------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, "python -m mxconv.baseline: error: %s (see --help)\n" % message)


def _error(message: str) -> int:
    print("python -m mxconv.baseline: error: %s" % _one_line(message, 1000), file=sys.stderr)
    return 2


def main(argv: Optional[List[str]] = None) -> int:
    """``python -m mxconv.baseline check PORT [--profile NAME] [--skip TAG] [--require-all]``."""
    parser = _Parser(prog="python -m mxconv.baseline",
                     description="Check a port of the section against mxconv's golden cases.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("check", help="run the cases of a profile on a port")
    run.add_argument("port", help="MODULE, MODULE:OBJECT or path/to/port.py[:OBJECT]")
    run.add_argument("--profile", action="append", default=None, metavar="NAME",
                     help="%s (default: default; give it more than once to combine)" % ", ".join(PROFILES))
    run.add_argument("--skip", action="append", default=[], metavar="TAG",
                     help="leave out cases with this tag (padding, stride, batch, float64, ...)")
    run.add_argument("--require-all", action="store_true", help="count 'not implemented' as a failure")
    run.add_argument("--file", default=None, help="a baseline file (default: the packaged one)")
    args = parser.parse_args(argv)
    try:
        chosen = select(load(args.file).cases, args.profile or "default", args.skip)
    except (OSError, BaselineError) as err:
        return _error(str(err))
    try:
        port = load_port(args.port)
    except (Exception, SystemExit) as err:  # a port that fails to import, or exits while importing
        return _error("cannot load the port %s: %s" % (args.port, _raised(err)))
    results = check(port, chosen)
    try:
        for result in results:
            print(result.line())
        print(summary(results))
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (check ... | head): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    if not any(r.status != NOT_IMPLEMENTED for r in results):
        print("nothing was checked: the port implements none of these cases", file=sys.stderr)
        return 1
    failed = any(not r.ok or (args.require_all and r.status == NOT_IMPLEMENTED) for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
