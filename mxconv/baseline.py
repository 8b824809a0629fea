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
import dataclasses
import errno
import hashlib
import collections
import importlib
import importlib.util
import inspect
import json
import math
import os
import platform
import queue
import re
import signal
import stat
import struct
import secrets
import subprocess
import sys
import threading
import time
import types
from dataclasses import dataclass, field
from typing import Any, Callable, Deque, Dict, Iterable, List, NoReturn, Optional, Sequence, Tuple, Union

import numpy as np

__all__ = ["Case", "Result", "Baseline", "BaselineError", "PortLoadError", "cases", "case_id", "check", "check_case",
           "check_isolated", "assert_case", "load", "load_port", "load_expectations", "with_expectations", "md_tabs",
           "select", "summary", "PROFILES", "FUNCTIONS", "FRAMEWORKS", "STATUSES"]

FORMAT = "mxconv-baseline"
FORMAT_VERSION = 3  # 3: gradient cases (the grad profile)
FUNCTIONS = ("corr2d", "corr2d_multi_in", "corr2d_multi_in_out", "corr2d_multi_in_out_1x1",
             "corr2d_multi_in_out_im2col")
KWARGS = ("padding", "stride")
DTYPES = ("float16", "float32", "float64")
# A profile and the case profiles it runs: each adds to the default.
PROFILES = {"default": ("default",), "extended": ("default", "extended"), "strict": ("default", "strict"),
            "grad": ("default", "grad"), "all": ("default", "extended", "strict", "grad")}
DEFAULT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "baseline.json")

# Limits that keep a hostile or broken file from costing memory or time.
MAX_FILE_BYTES = 64 * 2**20
MAX_ELEMENTS = 2**22  # per array
MAX_CASES = 10000
MAX_AXES = 6
MAX_TEXT = 1000  # characters of an id, source, note or refusal
# Ids and tags are plain printable ASCII, so that no report line can be forged with them.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,79}\Z")
_TAG = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}\Z")

PASS, FAIL, ERROR, NOT_IMPLEMENTED = "pass", "fail", "error", "not implemented"
# With an expectation file: the outcome it lists (XFAIL), or a pass where it lists one (XPASS).
XFAIL, XPASS = "xfail", "xpass"
STATUSES = (PASS, FAIL, ERROR, NOT_IMPLEMENTED, XFAIL, XPASS)
_LABELS = {PASS: "PASS", FAIL: "FAIL", ERROR: "ERROR", NOT_IMPLEMENTED: "N/I", XFAIL: "XFAIL", XPASS: "XPASS"}
EXPECTABLE = (FAIL, ERROR, NOT_IMPLEMENTED)

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
    # From an expectation file (cases(expect=...)): the outcome a port knowingly has, and why.
    expectation: Optional[Tuple[str, str]] = None
    # A gradient case (the grad profile): ``expected`` is d sum(Y * G) / d X (grad "X") or
    # d K (grad "K"), Y = function(X, K) and G = inputs["G"].
    grad: str = ""

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
    index: Optional[Tuple[int, ...]] = None  # a failure's index of the largest error

    @property
    def ok(self) -> bool:
        """True unless the port failed or raised (a case not implemented is not a failure,
        nor an expected failure); an unexpected pass is not ok."""
        return self.status in (PASS, NOT_IMPLEMENTED, XFAIL)

    def line(self) -> str:
        """One line of the checker's report, whatever the port's messages hold."""
        text = "%-5s %-32s %-27s" % (_LABELS[self.status], _one_line(self.case.id, 200), self.case.function)
        if not math.isnan(self.max_abs_error):
            text += " max abs err %.3g, max rel err %.3g (rtol %g, atol %g)" % (
                self.max_abs_error, self.max_rel_error, self.case.rtol, self.case.atol)
        if self.message:
            text += "  " + _one_line(self.message, 2000)
        return text


@dataclass(frozen=True)
class Baseline:
    """A loaded baseline file."""

    format: str
    version: int
    generated_by: Dict[str, str]
    cases: List[Case]
    sha256: str = ""  # of the file's bytes: the case set's identity, with case_set_version
    path: str = ""

    @property
    def case_set_version(self) -> str:
        """The case set's version: that of the mxconv that wrote the file."""
        return self.generated_by.get("mxconv", "unknown")

    def identity(self) -> str:
        """``'mxconv-baseline 0.4.0 (sha256 1a2b3c4d5e6f), 59 cases'``: the report's first words."""
        return "%s %s (sha256 %s), %d cases" % (FORMAT, self.case_set_version, self.sha256[:12] or "?",
                                                len(self.cases))


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
        if c.grad:
            entry["grad"] = c.grad
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
    raw = _read_regular(path)
    digest = hashlib.sha256(raw).hexdigest()
    try:
        document = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant, parse_float=_finite_float,
                              parse_int=_bounded_int, object_pairs_hook=_no_duplicate_keys)
    except BaselineError as err:
        raise BaselineError("%s: %s" % (path, err)) from None
    except (ValueError, UnicodeDecodeError, RecursionError) as err:
        raise BaselineError("%s: not a valid JSON file (%s)" % (path, err)) from None
    return dataclasses.replace(_parse(document, path), sha256=digest, path=path)


def _read_regular(path: str, error: Callable[[str], Exception] = BaselineError) -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES: the one way the checker reads
    a file (a baseline, an expectation file, a notebook or a tab). Opened without blocking
    (a FIFO would wait for a writer for ever), then judged by what it is; ``error`` makes
    the exception (an OSError, such as a missing file, propagates)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise error("%s: not a regular file" % path)
        if info.st_size > MAX_FILE_BYTES:  # refused before any of it is read
            raise error("%s: %d bytes, more than the %d a file of the checker may have" % (
                path, info.st_size, MAX_FILE_BYTES))
        chunks, left = [], MAX_FILE_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 2**20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    if len(raw) > MAX_FILE_BYTES:
        raise error("%s: more than the %d bytes a file of the checker may have (it grew)" % (path, MAX_FILE_BYTES))
    return raw


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
    count, extent = 1, 1
    for s in shape:
        count, extent = count * s, extent * max(s, 1)
    if extent > MAX_ELEMENTS:  # an empty shape with huge sides, [0, 10**17, 10**17], is absurd too
        _fail(where, "shape %s spans %d elements, more than %d" % (tuple(shape), extent, MAX_ELEMENTS))
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
          ("refuse", "note", "grad"))
    case_name = _text(where, obj["id"], "id")
    if not _ID.match(case_name):
        _fail(where, "id %s is not 1 to 80 of the characters A-Z a-z 0-9 . _ + - (starting with a letter or "
                     "digit)" % ascii(case_name[:80]))
    where = "%s (%r)" % (where, case_name)
    if obj["function"] not in FUNCTIONS:
        _fail(where, "function must be one of %s, got %r" % (FUNCTIONS, obj["function"]))
    if obj["profile"] not in PROFILES["all"]:
        _fail(where, "profile must be one of %s, got %r" % (PROFILES["all"], obj["profile"]))
    if refusal != (obj["profile"] == "strict"):
        _fail(where, "a refusal case (with 'refuse') must be in the strict profile, and only such cases")
    grad = obj.get("grad", "")
    if ("grad" in obj) != (obj["profile"] == "grad") or grad not in ("", "X", "K"):
        _fail(where, "a gradient case (grad 'X' or 'K') must be in the grad profile, and only such cases")
    names = ("X", "K", "G") if grad else ("X", "K")
    _keys(where + " inputs", obj["inputs"], names)
    _expect(where, obj["kwargs"], dict, "kwargs")
    unknown = [k for k in obj["kwargs"] if k not in KWARGS]
    if unknown:
        _fail(where, "kwargs may only be %s, got %s" % (KWARGS, unknown))
    tags = _expect(where, obj["tags"], list, "tags")
    if not all(isinstance(t, str) and _TAG.match(t) for t in tags):
        _fail(where, "tags must be 1 to 40 of the characters a-z 0-9 _ - (starting with a letter or digit)")
    return Case(
        id=case_name,
        function=obj["function"],
        profile=obj["profile"],
        source=_text(where, obj["source"], "source"),
        inputs={name: _parse_array("%s inputs.%s" % (where, name), obj["inputs"][name]) for name in names},
        kwargs={k: _parse_pair(where, k, v) for k, v in obj["kwargs"].items()},
        expected=None if refusal else _parse_array(where + " expected", obj["expected"]),
        rtol=0.0 if refusal else _parse_tolerance(where, "rtol", obj["rtol"]),
        atol=0.0 if refusal else _parse_tolerance(where, "atol", obj["atol"]),
        tags=tuple(tags),
        refuse=_text(where, obj["refuse"], "refuse") if refusal else "",
        note=_text(where, obj.get("note", ""), "note"),
        grad=grad,
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
          skip: Iterable[str] = (), expect: Union[str, "os.PathLike[str]", None] = None) -> List[Case]:
    """The golden cases of a profile, ready for ``pytest.mark.parametrize("case", cases(), ids=case_id)``.

    Parameters
    ----------
    profile : str or iterable of str
        A name of :data:`PROFILES`, or several (their cases combined).
    path : path, optional
        A baseline file (default: the one packaged with mxconv).
    skip : iterable of str
        Leave out every case that has any of these tags.
    expect : path, optional
        An expectation file (:func:`load_expectations`): its cases report ``xfail``
        for the outcome it lists, ``xpass`` when they pass instead (and
        :func:`assert_case` calls ``pytest.xfail`` with the reason).

    Returns
    -------
    list of Case, in the file's order.

    Raises
    ------
    BaselineError
        An unknown profile or tag (naming the known ones), or a malformed file.
    """
    every = load(path).cases
    chosen = select(every, profile, skip)
    return with_expectations(chosen, load_expectations(expect, every)) if expect is not None else chosen


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


# -- running a port ----------------------------------------------------------------------
#
# The same code runs a case in this process (check, check_case, assert_case) and in the
# checker's child process (the command line, check_isolated). It guards every place port
# code runs (getattr, the signature, the hooks, the call, __array__, an exception's
# __str__, a value's .shape and repr) and reduces what happened to a plain _Outcome;
# _judge then compares that outcome with the case, knowing nothing of the port.

_MISSING, _SIGNATURE, _BROKEN, _RAISED, _RETURNED, _VALUE, _UNREADABLE, _NOT_REAL = (
    "missing", "signature", "broken", "raised", "returned", "value", "unreadable", "not real")
_KINDS = (_MISSING, _SIGNATURE, _BROKEN, _RAISED, _RETURNED, _VALUE, _UNREADABLE, _NOT_REAL)


@dataclass(frozen=True, eq=False)
class _Outcome:
    """What a port did with one case's inputs, in plain data."""

    kind: str  # one of _KINDS
    message: str = ""  # _VALUE: what the port returned, in a few words
    dtype: str = ""  # _VALUE: the result's own dtype
    shape: Tuple[int, ...] = ()  # _VALUE
    values: Optional[np.ndarray] = None  # _VALUE: float64, or None where the result was too large to send
    note: str = ""  # said on a failure's line: an adapter handed float64 inputs over as float32


def _type_name(obj: Any) -> str:
    try:
        name = type.__getattribute__(type(obj), "__qualname__")
        return name if type(name) is str else "object"
    except BaseException:
        return "object"


def _escaped(text: str) -> str:
    """``text`` with every character that is not printable written as its escape
    (``\\r``, ``\\x1b``, ``\\udcff``), tabs and newlines as spaces: a line of the
    report cannot move the cursor, recolour the terminal or fail to encode."""
    if str.isprintable(text):
        return text
    return "".join(ch if ch.isprintable() else " " if ch in "\t\n" else
                   ch.encode("unicode_escape", "backslashreplace").decode("ascii") for ch in str.__str__(text))


def _one_line(text: str, most: int = 300) -> str:
    text = " ".join(_escaped(text).split())
    return text if len(text) <= most else text[:most - 3] + "..."


def _raised(err: BaseException) -> str:
    """``'TypeError: message'``, whatever the exception's __str__ does."""
    try:
        message = str(err)
        message = message if type(message) is str else ""
    except BaseException:
        message = "(its message could not be read)"
    if "Traceback (most recent call last)" in message and "MXNetError: " in message:
        message = message.rsplit("MXNetError: ", 1)[1]  # MXNet's C++ stack is not the port's
    return _one_line("%s: %s" % (_type_name(err), message) if message else _type_name(err))


def _describe(out: Any) -> str:
    """What a port returned, in a few words: 'an array of shape (3, 3)', 'the int 0'."""
    try:
        shape = getattr(out, "shape", None)
        if shape is not None:
            name = _type_name(out)
            article = "an" if name[:1].lower() in "aeiou" or name.startswith(("nd", "NDArray")) else "a"
            return "%s %s of shape %s" % (article, name, _shape(shape))
    except BaseException:
        pass
    try:
        text = repr(out)
        text = text if type(text) is str else "?"
    except BaseException:
        text = "(whose repr could not be read)"
    return _one_line("the %s %s" % (_type_name(out), text), 80)


def _shape(shape: Sequence[int]) -> Tuple[int, ...]:
    return tuple(int(s) for s in shape)


def _accepts(fn: Callable[..., Any], n_args: int, kwargs: Dict[str, object]) -> bool:
    try:
        inspect.signature(fn).bind(*range(n_args), **kwargs)
    except TypeError:
        return False
    except ValueError:  # no signature (some builtins): assume it does
        return True
    return True


def _hook_hint(out: Any, to_numpy: Optional[Hook]) -> str:
    if to_numpy is not None or isinstance(out, np.ndarray):
        return ""
    try:
        module = type.__getattribute__(type(out), "__module__")
    except BaseException:
        module = "?"
    return ("; numpy cannot read a %s.%s: give the port a to_numpy hook that returns a numpy array "
            "(for MXNet, lambda a: a.asnumpy())" % (module, _type_name(out)))


def _run(port: Port, function: str, kwargs: Dict[str, object], X: np.ndarray, K: np.ndarray, want_value: bool,
         to_native: Optional[Hook] = None, to_numpy: Optional[Hook] = None,
         adapter: Tuple[Optional[str], Optional[Hook], Optional[Hook]] = (None, None, None),
         grad: Optional[Tuple[str, np.ndarray]] = None) -> _Outcome:
    """Call the port's ``function`` on copies of X and K; what happened, as an _Outcome.
    Hooks: ``to_native``/``to_numpy`` given here, else the port's own, else the
    ``adapter``'s (framework, to_native, to_numpy). No exception of the port's (any
    BaseException) leaves this function."""
    try:
        return _run_guarded(port, function, kwargs, X, K, want_value, to_native, to_numpy, adapter, grad)
    except BaseException as err:  # a port's code raised where it should not have been able to
        return _Outcome(_BROKEN, _raised(err))


def _run_guarded(port: Port, function: str, kwargs: Dict[str, object], X: np.ndarray, K: np.ndarray,
                 want_value: bool, to_native: Optional[Hook], to_numpy: Optional[Hook],
                 adapter: Tuple[Optional[str], Optional[Hook], Optional[Hook]],
                 grad: Optional[Tuple[str, np.ndarray]] = None) -> _Outcome:
    try:
        fn = getattr(port, function, None)
    except BaseException as err:
        return _Outcome(_BROKEN, "looking up %s on the port raised %s" % (function, _raised(err)))
    if fn is None:
        return _Outcome(_MISSING, "the port has no %s" % function)
    try:
        accepts = _accepts(fn, 2, kwargs)
    except BaseException as err:
        return _Outcome(_BROKEN, "reading the signature of %s raised %s" % (function, _raised(err)))
    if not accepts:
        return _Outcome(_SIGNATURE, "%s does not take %s" % (function, ", ".join("%s=" % k for k in kwargs)))
    try:
        framework = adapter[0]
        own_native = to_native or getattr(port, "to_native", None)
        to_native = own_native or adapter[1] or (lambda a: a)
        to_numpy = to_numpy or getattr(port, "to_numpy", None) or adapter[2]
        # Copies, so a port that writes into its inputs cannot change the case.
        args = (to_native(X.copy()), to_native(K.copy()))
        note = _float32_handover(args[0], framework) if X.dtype == np.float64 and not own_native and adapter[1] \
            else ""
    except BaseException as err:  # not a refusal: the function never saw the inputs
        return _Outcome(_BROKEN, "the to_native hook raised %s" % _raised(err))
    if grad is not None:
        return _gradient(port, fn, framework, to_native, to_numpy, X, K, grad)
    try:
        out = fn(*args, **kwargs)
    except BaseException as err:  # a port's failure is a result, not a crash of the checker
        return _Outcome(_RAISED, _raised(err))
    if not want_value:
        return _Outcome(_RETURNED, "returned %s" % _describe(out))
    return _value(out, to_numpy, note)


def _value(out: Any, to_numpy: Optional[Hook], note: str = "") -> _Outcome:
    """What the port returned, read as numbers (or why it could not be)."""
    what = _describe(out)
    try:
        got = np.asarray(out if to_numpy is None else to_numpy(out))
        dtype, kind, shape = str(got.dtype), got.dtype.kind, _shape(got.shape)
    except BaseException as err:
        return _Outcome(_UNREADABLE, "returned %s, which could not be read as an array (%s%s)%s" % (
            what, "to_numpy raised " if to_numpy is not None else "", _raised(err), _hook_hint(out, to_numpy)))
    if kind not in "biuf":
        return _Outcome(_NOT_REAL, "returned %s, read as dtype %s, not real numbers%s" % (
            what, dtype, _hook_hint(out, to_numpy)))
    values = None
    if math.prod(shape) <= MAX_ELEMENTS:
        values = np.array(got, dtype=np.float64).view(np.ndarray)  # a copy the port cannot reach
    return _Outcome(_VALUE, "returned " + what, dtype=dtype, shape=shape, values=values, note=note)


def _gradient(port: Port, fn: Callable[..., Any], framework: Optional[str], to_native: Hook,
              to_numpy: Optional[Hook], X: np.ndarray, K: np.ndarray, grad: Tuple[str, np.ndarray]) -> _Outcome:
    """d sum(fn(X, K) * G) / d X or d K: by the port's own ``grad(fn, X, K, G)`` hook,
    else by its framework's automatic differentiation; not implemented where neither can."""
    wrt, G = grad
    hook = getattr(port, "grad", None)
    if callable(hook):
        try:
            gradients = hook(fn, to_native(X.copy()), to_native(K.copy()), to_native(G.copy()))
            chosen = gradients[0 if wrt == "X" else 1]
        except BaseException as err:
            return _Outcome(_RAISED, "the grad hook raised %s" % _raised(err))
        return _value(chosen, to_numpy or _read_result)
    differentiate = _DIFFERENTIATE.get(framework or "")
    if differentiate is None:
        return _Outcome(_MISSING, "no gradients: %s; give the port a grad(fn, X, K, G) hook that returns "
                                  "(dX, dK)" % ("NumPy cannot differentiate" if framework in (None, "numpy") else
                                                "no automatic differentiation for %s" % framework))
    try:
        gradients = differentiate(port, fn, X.copy(), K.copy(), G.copy())
        chosen = gradients[0 if wrt == "X" else 1]
    except BaseException as err:  # the framework cannot differentiate this code: say why
        return _Outcome(_MISSING, "%s cannot differentiate this port's %s: %s" % (
            framework, getattr(fn, "__name__", "function"), _raised(err)))
    if chosen is None:
        return _Outcome(_MISSING, "%s gives no gradient with respect to %s: the port's code does not connect "
                                  "the result to it (a write into a variable?)" % (framework, wrt))
    return _value(chosen, _read_result)


def _torch_gradients(port: Port, fn: Callable[..., Any], X: np.ndarray, K: np.ndarray, G: np.ndarray) -> Any:
    import torch

    x, k = torch.from_numpy(X).requires_grad_(), torch.from_numpy(K).requires_grad_()
    (fn(x, k) * torch.from_numpy(G)).sum().backward()
    return x.grad, k.grad


def _jax_gradients(port: Port, fn: Callable[..., Any], X: np.ndarray, K: np.ndarray, G: np.ndarray) -> Any:
    import jax
    import jax.numpy as jnp

    g = jnp.asarray(G)
    return jax.grad(lambda x, k: (fn(x, k) * g).sum(), argnums=(0, 1))(jnp.asarray(X), jnp.asarray(K))


def _tensorflow_gradients(port: Port, fn: Callable[..., Any], X: np.ndarray, K: np.ndarray, G: np.ndarray) -> Any:
    import tensorflow as tf

    x, k = tf.constant(X), tf.constant(K)
    with tf.GradientTape() as tape:
        tape.watch(x)
        tape.watch(k)
        loss = tf.reduce_sum(fn(x, k) * tf.constant(G))
    return tape.gradient(loss, [x, k])


def _paddle_gradients(port: Port, fn: Callable[..., Any], X: np.ndarray, K: np.ndarray, G: np.ndarray) -> Any:
    import paddle

    x, k = paddle.to_tensor(X, stop_gradient=False), paddle.to_tensor(K, stop_gradient=False)
    loss = (fn(x, k) * paddle.to_tensor(G)).sum()
    return paddle.grad([loss], [x, k], allow_unused=True)


def _mxnet_gradients(port: Port, fn: Callable[..., Any], X: np.ndarray, K: np.ndarray, G: np.ndarray) -> Any:
    import mxnet as mx

    native, _, _ = _adapter("mxnet", port)
    assert native is not None
    x, k, g = native(X), native(K), native(G)
    x.attach_grad()
    k.attach_grad()
    with mx.autograd.record():
        loss = (fn(x, k) * g).sum()
    loss.backward()
    return x.grad, k.grad


_DIFFERENTIATE: Dict[str, Callable[..., Any]] = {
    "pytorch": _torch_gradients, "jax": _jax_gradients, "tensorflow": _tensorflow_gradients,
    "paddle": _paddle_gradients, "mxnet": _mxnet_gradients}


def _judge(case: Case, outcome: _Outcome) -> Result:
    """The result of ``case`` given what the port did, and the case's expectation."""
    return _expected(_judged(case, outcome))


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


def _judged(case: Case, outcome: _Outcome) -> Result:
    """The result of ``case`` given what the port did: the checker's one place of judgement."""
    kind, message = outcome.kind, outcome.message
    if kind in (_MISSING, _SIGNATURE):
        return Result(case, NOT_IMPLEMENTED, message=message)
    if kind == _BROKEN:  # before the call, or outside it: neither a refusal nor an answer
        return Result(case, ERROR, message=message)
    if kind == _RAISED:
        if case.expected is None:
            return Result(case, PASS, message="refused: " + message)
        if "batch" in case.tags and case.inputs["X"].ndim == 4:
            return Result(case, NOT_IMPLEMENTED, message="takes one example (c_i, h, w), not a batch: " + message)
        return Result(case, ERROR, message=message)
    if case.expected is None:
        if kind == _RETURNED:
            message = "%s where it must raise: %s%s" % (message, case.refuse, "; " + case.note if case.note else "")
            return Result(case, FAIL, message=message)
        return Result(case, ERROR, message="the port's process did not answer as the checker asked")
    if kind in (_UNREADABLE, _NOT_REAL):  # no array at all is an error; complex numbers a wrong answer
        return Result(case, ERROR if kind == _UNREADABLE else FAIL, message=message)
    if kind != _VALUE:
        return Result(case, ERROR, message="the port's process did not answer as the checker asked")
    return _compare(case, outcome)


def _compare(case: Case, outcome: _Outcome) -> Result:
    expected = case.expected
    assert expected is not None
    if outcome.shape != expected.shape or outcome.values is None:
        what = outcome.message if outcome.message.startswith("returned the ") else ""  # "the int 0"
        return Result(case, FAIL, message="shape %s, expected %s%s" % (
            outcome.shape, _shape(expected.shape), " (%s)" % what if what else ""))
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
    parts.append(_float64_note(case, outcome, got64, exp64) if "float64" in case.tags else case.note)
    parts.append(outcome.note)
    return Result(case, FAIL, max_abs, max_rel, "; ".join(p for p in parts if p), where)


def _float64_note(case: Case, outcome: _Outcome, got64: np.ndarray, exp64: np.ndarray) -> str:
    """For a float64 case a port missed, if it agrees to float32 precision: that, the
    result's dtype, and the likely cause (said only where it can be the cause)."""
    with np.errstate(all="ignore"):
        # float32 rounding: rtol 1e-5, and an atol scaled from the case's float64 one
        # (8 eps64 per term) by float32's eps over float64's, 2**-23 / 2**-52 = 2**29.
        float32_close = bool(np.isclose(got64, exp64, rtol=1e-5, atol=case.atol * 2**29).all())
    if not float32_close:  # wrong beyond rounding: no precision excuse
        return ""
    if outcome.dtype in ("float32", "float16"):
        text = ("float32 precision only: the result came back as %s from float64 inputs (JAX turns float64 into "
                "float32 unless JAX_ENABLE_X64=1; TensorFlow needs tf.float64 inputs or tf.experimental.numpy)"
                % outcome.dtype)
    else:
        text = ("float32 precision only: the result has dtype %s, but some step computes in float32"
                % (outcome.dtype or "?"))
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
    outcome = _run(port, case.function, case.kwargs, case.inputs["X"], case.inputs["K"], case.expected is not None,
                   to_native, to_numpy, _in_process_adapter(port, framework),
                   (case.grad, case.inputs["G"]) if case.grad else None)
    return _judge(case, outcome)


def _in_process_adapter(port: Port, framework: Optional[str]) -> Tuple[Optional[str], Optional[Hook], Optional[Hook]]:
    if framework is None:
        return None, None, None
    if framework != "auto" and framework not in FRAMEWORKS:
        raise ValueError("unknown framework %r; the frameworks are auto, %s" % (framework, ", ".join(FRAMEWORKS)))
    name = _framework_of(port) if framework == "auto" else framework
    if name is None:
        return None, None, None
    native, reader, _ = _adapter(name, port)
    return name, native, reader


def check(port: Port, cases: Optional[Sequence[Case]] = None, *, to_native: Optional[Hook] = None,
          to_numpy: Optional[Hook] = None, framework: Optional[str] = None) -> List[Result]:
    """Run ``cases`` on ``port``, in this process.

    Parameters
    ----------
    port : module or object
        As :func:`check_case`.
    cases : sequence of Case, optional
        Default: the packaged file's ``default`` profile.
    to_native, to_numpy, framework : optional
        As :func:`check_case`.

    Returns
    -------
    list of Result, one per case, in order (:func:`summary` counts them).
    """
    chosen = select(load().cases) if cases is None else cases
    return [check_case(port, c, to_native=to_native, to_numpy=to_numpy, framework=framework) for c in chosen]


def summary(results: Sequence[Result]) -> str:
    """``'N passed, N failed, N errors, N not implemented'``, then ``', N xfail, N xpass'``
    where an expectation file listed any case."""
    count = {s: sum(r.status == s for r in results) for s in STATUSES}
    text = "%d passed, %d failed, %d errors, %d not implemented" % (
        count[PASS], count[FAIL], count[ERROR], count[NOT_IMPLEMENTED])
    if any(r.case.expectation is not None for r in results):
        text += ", %d xfail, %d xpass" % (count[XFAIL], count[XPASS])
    return text


def load_expectations(path: Union[str, "os.PathLike[str]"], all_cases: Sequence[Case]) -> Dict[str, Tuple[str, str]]:
    """An expectation file: ``{"case-id": {"status": "fail" | "error" | "not implemented",
    "reason": "..."}}``, the outcomes a port knowingly has.

    Raises
    ------
    BaselineError
        For a file that is not such an object, or an id that matches no case of
        ``all_cases`` (naming it: a stale entry must not hide silently).
    """
    if not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
        raise BaselineError("an expectation file is named by a path, got %r" % (path,))
    path = os.fspath(path)
    try:
        document = json.loads(_read_regular(path).decode("utf-8"), object_pairs_hook=_no_duplicate_keys)
    except BaselineError:  # not a regular file, or too large: already said
        raise
    except OSError as err:
        raise BaselineError("%s: %s" % (path, err.strerror or err)) from None
    except (ValueError, UnicodeDecodeError, RecursionError) as err:
        raise BaselineError("%s: not a valid JSON file (%s)" % (path, err)) from None
    if not isinstance(document, dict):
        raise BaselineError("%s: an expectation file is a JSON object mapping case ids to "
                            "{\"status\": ..., \"reason\": ...}" % path)
    known = {c.id for c in all_cases}
    unknown = sorted(k for k in document if k not in known)
    if unknown:
        raise BaselineError("%s: %s matches no case of the baseline (a stale entry?)" % (
            path, ", ".join(_one_line(ascii(k), 90) for k in unknown[:10])))
    expectations = {}
    for case_id, entry in document.items():
        if not (isinstance(entry, dict) and set(entry) == {"status", "reason"} and entry["status"] in EXPECTABLE
                and isinstance(entry["reason"], str) and 0 < len(entry["reason"]) <= MAX_TEXT):
            raise BaselineError("%s: %s must be {\"status\": one of %s, \"reason\": a short text}" % (
                path, case_id, ", ".join(map(repr, EXPECTABLE))))
        expectations[case_id] = (entry["status"], entry["reason"])
    return expectations


def with_expectations(chosen: Sequence[Case], expectations: Dict[str, Tuple[str, str]]) -> List[Case]:
    """The cases, each carrying its expectation (if listed)."""
    return [dataclasses.replace(c, expectation=expectations[c.id]) if c.id in expectations else c for c in chosen]


def load_port(spec: str, *, tab: Optional[str] = None, verbose: Optional[List[str]] = None) -> Port:
    """A port from where its code lives.

    ``spec`` is ``MODULE``, ``MODULE:OBJECT``, ``path/to/file.py[:OBJECT]``, a Jupyter
    notebook ``path/to/file.ipynb`` (its code cells run in order in a fresh namespace,
    IPython magics and shell lines skipped), or a d2l-book source ``path/to/file.md``
    with ``tab`` naming the tab whose cells (and those of ``all``) run. The names
    skipped lines are appended to ``verbose``, where given.

    Raises
    ------
    PortLoadError
        For a notebook or tab that cannot be read, or a cell that raises (naming the
        cell and the port's line). Importing a module raises what the import raises.
    """
    if not isinstance(spec, str) or not spec:
        raise TypeError("a port is named by a non-empty str (MODULE, MODULE:OBJECT or a path), got %r" % (spec,))
    if tab is not None and not isinstance(tab, str):
        raise TypeError("tab must be a str, got %r" % (tab,))
    if tab and not _TAB_NAME.match(tab):
        raise PortLoadError("a tab's name is 1 to 40 letters, digits, _ or -, got %s" % _one_line(ascii(tab), 60))
    target, _, attribute = spec.partition(":")
    lowered = target.lower()
    if lowered.endswith((".ipynb", ".md")):
        if attribute:
            raise PortLoadError("%s: a notebook or tab is a port as a whole, without :OBJECT" % target)
        if lowered.endswith(".md"):
            if not tab:
                raise PortLoadError("%s: name the tab to check with --tab (its tabs: %s)" % (
                    target, ", ".join(md_tabs(target)) or "none"))
            cells = _md_cells(target, tab)
        else:
            cells = _notebook_cells(target)
        return _run_cells(target, cells, [] if verbose is None else verbose)
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


def _read_text(path: str) -> str:
    try:
        raw = _read_regular(path, PortLoadError)
    except OSError as err:
        raise PortLoadError("%s: %s" % (path, err.strerror or err)) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise PortLoadError("%s: not UTF-8 (%s)" % (path, err)) from None


def _notebook_cells(path: str) -> List[Tuple[str, str]]:
    """The code cells of an nbformat 4 notebook: (label, source), in order."""
    try:
        notebook = json.loads(_read_text(path))
    except (ValueError, RecursionError) as err:
        raise PortLoadError("%s: not a notebook (%s)" % (path, err)) from None
    if not isinstance(notebook, dict) or notebook.get("nbformat") != 4 or not isinstance(notebook.get("cells"), list):
        raise PortLoadError("%s: not an nbformat 4 notebook" % path)
    cells = []
    for number, cell in enumerate(notebook["cells"], 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise PortLoadError("%s: cell %d has no readable source" % (path, number))
        cells.append(("cell %d" % number, source))
    return cells


_FENCE = re.compile(r"^```\{\.python \.input[^}]*\}[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)
_TAB_LINE = re.compile(r"\s*(?:%%tab|#@tab)\s+(.*?)\s*$")
_TAB_NAME = re.compile(r"[A-Za-z0-9_-]{1,40}\Z")
# d2l-book's tab names and the module each framework is imported as
FRAMEWORKS = {"pytorch": "torch", "tensorflow": "tensorflow", "jax": "jax", "paddle": "paddle", "mxnet": "mxnet",
              "numpy": "numpy"}
DEFAULT_TAB = "mxnet"  # d2l-book gives an untagged cell to its first tab, MXNet


def _md_blocks(path: str) -> List[Tuple[int, List[str], str]]:
    """The ``{.python .input}`` cells of a d2l-book file: (line, tabs, code without the tab line)."""
    text = _read_text(path)
    blocks = []
    for match in _FENCE.finditer(text):
        body = match.group(1)
        first, _, rest = body.partition("\n")
        tab_line = _TAB_LINE.match(first)
        line = text.count("\n", 0, match.start(1)) + 1
        if tab_line:
            tabs = [t.strip() for t in tab_line.group(1).split(",") if t.strip()]
            blocks.append((line, tabs, "\n" + rest))  # a blank first line keeps the line numbers
        else:
            blocks.append((line, [DEFAULT_TAB], body))
    return blocks


def md_tabs(path: str) -> List[str]:
    """The tabs of a d2l-book file, in the order they first appear (``all`` aside)."""
    return list(dict.fromkeys(t for _, tabs, _ in _md_blocks(path) for t in tabs if t != "all"))


def _md_cells(path: str, tab: str) -> List[Tuple[str, str]]:
    blocks = _md_blocks(path)
    tabs = md_tabs(path)
    if tab not in tabs:
        raise PortLoadError("%s has no tab %r; its tabs: %s" % (path, tab, ", ".join(tabs) or "none"))
    return [("the cell at line %d" % line, code) for line, names, code in blocks if tab in names or "all" in names]


_RUN_CELL_MAGICS = ("%%time", "%%timeit", "%%capture")  # their body is Python


def _runnable(label: str, source: str, skipped: List[str]) -> str:
    """``source`` with IPython magics and shell lines made ``pass`` (line numbers kept)."""
    lines = source.split("\n")
    first = next((line.strip() for line in lines if line.strip()), "")
    if first.startswith("%%"):
        if first.split()[0] not in _RUN_CELL_MAGICS:
            skipped.append("%s: the whole cell (%s)" % (label, first))
            return ""
        index = next(i for i, line in enumerate(lines) if line.strip())
        skipped.append("%s line %d: %s" % (label, index + 1, first))
        lines[index] = ""
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")) or re.match(r"[A-Za-z_][\w, ]*=\s*[!%]", stripped):
            skipped.append("%s line %d: %s" % (label, i + 1, _one_line(stripped, 120)))
            lines[i] = line[:len(line) - len(stripped)] + "pass"
    return "\n".join(lines)


def _run_cells(path: str, cells: List[Tuple[str, str]], skipped: List[str]) -> Port:
    """Run the cells in order in a fresh module; the module is the port."""
    module = types.ModuleType(re.sub(r"\W", "_", os.path.splitext(os.path.basename(path))[0]) or "port")
    module.__file__ = os.path.abspath(path)
    # Its folder comes first on sys.path while the cells run (as in Jupyter, where a
    # notebook imports the modules beside it), and the caller's sys.path comes back.
    saved = list(sys.path)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    try:
        for label, source in cells:
            filename = "<%s, %s>" % (path, label)
            code = _runnable(label, source, skipped)
            try:
                exec(compile(code, filename, "exec"), module.__dict__)
            except BaseException as err:
                line = _cell_line(err, filename, code)
                raise PortLoadError("%s raised %s%s" % (label, _raised(err), line)) from None
    finally:
        sys.path[:] = saved
    return module


def _cell_line(err: BaseException, filename: str, code: str) -> str:
    """``' (line 3: x = 1 / 0)'``: the port's own line where the cell failed."""
    number = getattr(err, "lineno", None) if isinstance(err, SyntaxError) else None
    tb = err.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            number = tb.tb_lineno
        tb = tb.tb_next
    lines = code.split("\n")
    if not isinstance(number, int) or not 1 <= number <= len(lines):
        return ""
    return " (line %d: %s)" % (number, _one_line(lines[number - 1].strip(), 120))


# -- built-in adapters: the hooks a port of each framework would write ----------------------


def _read_result(out: Any) -> Any:
    """Any framework's array as numpy: what the built-in adapters use as ``to_numpy``."""
    if isinstance(out, np.ndarray):
        return out
    if callable(getattr(out, "asnumpy", None)):  # MXNet (whose arrays have a detach() too)
        return out.asnumpy()
    if callable(getattr(out, "detach", None)) and callable(getattr(out, "cpu", None)):  # PyTorch
        return out.detach().cpu().numpy()
    if callable(getattr(out, "numpy", None)):  # TensorFlow, Paddle
        return out.numpy()
    return np.asarray(out)  # JAX, NumPy


def _framework_of(port: Port) -> Optional[str]:
    """The framework the port's code imports (its namespace's modules), by preference;
    None where it imports none, or its namespace cannot be read."""
    try:
        return _framework_guarded(port)
    except BaseException:  # a port's __getattr__ or __dict__ that raises: no adapter
        return None


def _framework_guarded(port: Port) -> Optional[str]:
    namespaces = [getattr(port, "__dict__", {})]
    module = sys.modules.get(getattr(port, "__module__", "") or "")
    if module is not None and module is not port:
        namespaces.append(vars(module))
    roots = set()
    for namespace in namespaces:
        for value in list(dict(namespace).values()):
            if isinstance(value, types.ModuleType):
                parts = value.__name__.split(".")
                roots.add(parts[1] if parts[0] == "d2l" and len(parts) > 1 else parts[0])
                roots.add(value.__name__)
    for name in ("pytorch", "tensorflow", "jax", "paddle", "mxnet", "numpy"):
        if FRAMEWORKS[name] in roots:
            return name
    return None


def _adapter(framework: str, port: Port) -> Tuple[Optional[Hook], Optional[Hook], str]:
    """to_native, to_numpy and the framework's version, for a framework of FRAMEWORKS."""
    if framework not in FRAMEWORKS:
        raise PortLoadError("unknown framework %r; the frameworks are %s" % (framework, ", ".join(FRAMEWORKS)))
    # The framework the port has imported already (the checker itself imports none);
    # imported here only where --framework names one the port's code does not.
    module = sys.modules.get(FRAMEWORKS[framework]) or importlib.import_module(FRAMEWORKS[framework])
    version = str(getattr(module, "__version__", "?"))
    if framework == "numpy":
        return None, None, version
    if framework == "pytorch":
        native: Hook = module.from_numpy
    elif framework == "tensorflow":
        native = module.constant
    elif framework == "jax":
        native = importlib.import_module("jax.numpy").asarray
    elif framework == "paddle":
        native = module.to_tensor
    else:  # mxnet: mxnet.numpy arrays where the port uses them (d2l's tab), else NDArrays
        uses_np = any(isinstance(v, types.ModuleType) and v.__name__ == "mxnet.numpy"
                      for v in list(getattr(port, "__dict__", {}).values()))
        maker = module.np.array if uses_np else module.nd.array
        native = lambda a: maker(a, dtype=a.dtype)  # noqa: E731  (keeps float64)
    return native, _read_result, version


def _float32_handover(native: Any, framework: Optional[str]) -> str:
    """Said on a line when an adapter could hand float64 inputs over only as float32."""
    dtype = str(getattr(native, "dtype", ""))
    if "float64" in dtype or not dtype:
        return ""
    switch = {"jax": " (JAX_ENABLE_X64 is not set)"}.get(framework or "", "")
    return "the %s adapter handed the float64 inputs over as %s%s" % (framework, dtype.replace("torch.", ""), switch)


# -- the port in a process of its own ------------------------------------------------------
#
# The child imports the port and answers one request per case on a channel of its own
# (the pipes that were its stdin and stdout; the port's stdin is then /dev/null and its
# prints go to a captured stream). Each frame: 4 bytes of header length, a JSON header,
# then the header's "payload" bytes (float64 or the inputs' dtype, C order). The parent
# sends only a case's inputs, never its expected values, and reads the child's frames as
# plain data within fixed bounds: nothing the child sends is evaluated, and whatever it
# sends, the parent judges against what it alone knows.

MAX_HEADER = 2**16
MAX_PAYLOAD = MAX_ELEMENTS * 8 * 3  # X, K and G
DEFAULT_TIMEOUT = 60.0
_CHILD = ("import importlib.util, sys\n"
          "spec = importlib.util.spec_from_file_location('_mxconv_baseline_child', sys.argv[1])\n"
          "module = importlib.util.module_from_spec(spec)\n"
          "sys.modules[spec.name] = module\n"
          "spec.loader.exec_module(module)\n"
          "module._serve(sys.argv[2])\n")


class _ChannelError(Exception):
    """The other process broke the checker's protocol, or the channel closed."""


def _send(stream: Any, header: Dict[str, Any], payload: bytes = b"") -> None:
    head = json.dumps(dict(header, payload=len(payload)), allow_nan=False).encode("ascii")
    stream.write(struct.pack(">I", len(head)) + head + payload)
    stream.flush()


def _read_exact(stream: Any, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise _ChannelError("closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _receive(stream: Any) -> Tuple[Dict[str, Any], bytes]:
    (size,) = struct.unpack(">I", _read_exact(stream, 4))
    if size > MAX_HEADER:
        raise _ChannelError("a header of %d bytes" % size)
    try:
        header = json.loads(_read_exact(stream, size).decode("ascii"), parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError, RecursionError, BaselineError) as err:
        raise _ChannelError("a header that is not JSON (%s)" % err) from None
    payload = header.get("payload") if isinstance(header, dict) else None
    if type(payload) is not int or not 0 <= payload <= MAX_PAYLOAD:
        raise _ChannelError("a header without a valid payload size")
    return header, _read_exact(stream, payload)


def _array_frame(array: np.ndarray) -> Tuple[Dict[str, Any], bytes]:
    return {"dtype": array.dtype.name, "shape": list(array.shape)}, np.ascontiguousarray(array).tobytes()


def _frame_array(header: Dict[str, Any], payload: bytes, dtype: str) -> np.ndarray:
    shape = header.get("shape")
    if not isinstance(shape, list) or len(shape) > 32 or not all(type(s) is int and 0 <= s < 2**62 for s in shape):
        raise _ChannelError("a shape that is not a list of sizes")
    count = 1
    for s in shape:
        count *= s
    if count * np.dtype(dtype).itemsize != len(payload):
        raise _ChannelError("a payload of %d bytes for shape %s" % (len(payload), tuple(shape)))
    return np.frombuffer(payload, dtype=dtype).reshape(shape).copy()


def _serve(config_text: str) -> None:
    """The child: load the port, then answer each request until the parent closes the channel."""
    config = json.loads(config_text)
    requests, answers = os.fdopen(os.dup(0), "rb"), os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(2, 1)  # the port's prints go to the captured stream, never to the channel
    os.close(null)
    me = os.getpid()

    def answer(header: Dict[str, Any], payload: bytes = b"") -> None:
        if os.getpid() != me:  # a fork of the port's came back here: leave the channel to the child
            os._exit(0)
        _send(answers, header, payload)

    skipped: List[str] = []
    try:
        if config["chdir"]:
            os.chdir(config["chdir"])  # a notebook runs from its folder, as in Jupyter
        port = load_port(config["port"], tab=config["tab"], verbose=skipped)
        framework = config["framework"] or _framework_of(port)
        native, reader, version = _adapter(framework, port) if framework else (None, None, "")
    except BaseException as err:
        answer({"loaded": False, "message": str(err) if isinstance(err, PortLoadError) else _raised(err)})
        return
    answer({"loaded": True, "framework": framework or "", "version": version, "skipped": skipped[:1000]})
    adapter = (framework, native, reader)
    while True:
        try:
            request, payload = _receive(requests)
        except _ChannelError:
            return
        x_bytes = request["X"]["size"]
        k_bytes = request["K"]["size"]
        X = _frame_array(request["X"], payload[:x_bytes], request["X"]["dtype"])
        K = _frame_array(request["K"], payload[x_bytes:x_bytes + k_bytes], request["K"]["dtype"])
        grad = None
        if request.get("G"):
            grad = (request["grad"], _frame_array(request["G"], payload[x_bytes + k_bytes:], request["G"]["dtype"]))
        kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in request["kwargs"].items()}
        outcome = _run(port, request["function"], kwargs, X, K, request["want_value"], adapter=adapter, grad=grad)
        header = {"seq": request["seq"], "kind": outcome.kind, "message": outcome.message, "dtype": outcome.dtype,
                  "shape": list(outcome.shape), "note": outcome.note}
        values = outcome.values
        answer(header, b"" if values is None else values.tobytes())


class _Child:
    """One child process serving one port; replaced by a fresh one after it dies or hangs."""

    def __init__(self, config: Dict[str, Any], timeout: float):
        self.timeout, self.seq = timeout, 0
        self.output: Deque[bytes] = collections.deque(maxlen=64)
        popen: Dict[str, Any] = {"start_new_session": True} if os.name == "posix" else {}
        self.process = subprocess.Popen([sys.executable, "-c", _CHILD, os.path.abspath(__file__), json.dumps(config)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)
        # the channel (the child's stdin and stdout) and the port's captured prints (its stderr)
        self.requests: Any = self.process.stdin
        self.answers: Any = self.process.stdout
        self.prints: Any = self.process.stderr
        self.frames: "queue.Queue[Any]" = queue.Queue()
        threading.Thread(target=self._read_frames, daemon=True).start()
        threading.Thread(target=self._drain_output, daemon=True).start()
        header = self._answer("while loading")
        if not header.get("loaded"):
            raise _PortFailed("%s" % header.get("message", "?"))
        self.info = {k: header.get(k) for k in ("framework", "version", "skipped")}

    def _read_frames(self) -> None:
        try:
            while True:
                self.frames.put(_receive(self.answers))
        except _ChannelError as err:
            self.frames.put(err)
        except BaseException as err:  # pragma: no cover - a bug here must still end the wait
            self.frames.put(_ChannelError(str(err)))

    def _drain_output(self) -> None:
        try:
            for chunk in iter(lambda: self.prints.read1(4096), b""):
                self.output.append(chunk)
        except (OSError, ValueError):
            pass

    def _answer(self, when: str) -> Dict[str, Any]:
        deadline, ended = time.monotonic() + self.timeout, None
        while True:
            # In slices: a child that ended while a process it forked holds the channel
            # open gives no end of file, so its exit is watched too.
            try:
                item = self.frames.get(timeout=0.1)
                break
            except queue.Empty:
                pass
            now = time.monotonic()
            if ended is None and self.process.poll() is not None:
                ended = now
            if ended is not None and now > ended + 1.0:
                item = _ChannelError("ended")
                break
            if now > deadline:
                self.kill()
                raise _PortFailed("timed out after %g s%s" % (self.timeout, "" if when == "on this case" else
                                                              " " + when))
        if isinstance(item, _ChannelError):
            raise _PortFailed(self._ended(when, item))
        header, payload = item
        if not isinstance(header, dict):
            self.kill()
            raise _PortFailed("the port's process broke the checker's protocol")
        header["_payload"] = payload
        return header

    def _ended(self, when: str, err: _ChannelError) -> str:
        try:
            status = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            return "the port closed or broke the checker's channel %s (%s)" % (when, err)
        self.kill()
        if status < 0:
            try:
                name = signal.Signals(-status).name
            except ValueError:
                name = "signal %d" % -status
            how = "the port's process was killed by %s" % name
        else:
            how = "the port ended the process with status %d" % status
        last = self.last_output()
        return "%s %s%s" % (how, when, "; its last output: " + last if last else "")

    def last_output(self) -> str:
        text = b"".join(self.output).decode("utf-8", "replace").strip().splitlines()
        return _one_line(text[-1], 200) if text else ""

    def run(self, case: Case) -> _Outcome:
        self.seq += 1
        X, K = case.inputs["X"], case.inputs["K"]
        (x_head, x_bytes), (k_head, k_bytes) = _array_frame(X), _array_frame(K)
        x_head["size"], k_head["size"] = len(x_bytes), len(k_bytes)
        request = {"seq": self.seq, "function": case.function, "want_value": case.expected is not None,
                   "kwargs": {k: list(v) if isinstance(v, tuple) else v for k, v in case.kwargs.items()},
                   "X": x_head, "K": k_head, "grad": case.grad}
        g_bytes = b""
        if case.grad:
            request["G"], g_bytes = _array_frame(case.inputs["G"])
        try:
            _send(self.requests, request, x_bytes + k_bytes + g_bytes)
        except (OSError, ValueError):
            raise _PortFailed(self._ended("before this case", _ChannelError("closed"))) from None
        header = self._answer("on this case")
        try:
            if header.get("seq") != self.seq or header.get("kind") not in _KINDS:
                raise _ChannelError("an answer out of turn")
            message, dtype, note = header.get("message"), header.get("dtype"), header.get("note", "")
            if not (isinstance(message, str) and isinstance(dtype, str) and isinstance(note, str)) or len(dtype) > 40:
                raise _ChannelError("an answer with fields of the wrong types")
            shape, payload = header.get("shape"), header["_payload"]
            values = _frame_array(header, payload, "float64") if payload else None
            if not isinstance(shape, list) or not all(type(s) is int and s >= 0 for s in shape):
                raise _ChannelError("an answer with a shape that is not a list of sizes")
        except _ChannelError as err:
            self.kill()
            raise _PortFailed("the port's process broke the checker's protocol (%s)" % err) from None
        return _Outcome(header["kind"], _one_line(str(message), 1000), str(dtype), tuple(shape), values,
                        _one_line(str(note), 300))

    def kill(self) -> None:
        try:
            if os.name == "posix":
                os.killpg(self.process.pid, signal.SIGKILL)  # the child and any process it forked
            else:
                self.process.kill()
        except OSError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            pass
        for stream in (self.requests, self.answers, self.prints):
            try:
                stream.close()
            except (OSError, ValueError):
                pass

    def close(self) -> None:
        try:
            self.requests.close()  # the child's loop ends on the closed channel
            self.process.wait(timeout=self.timeout)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            pass
        self.kill()


class _PortFailed(Exception):
    """The port's process died, hung or broke the protocol; the message says which."""


class PortLoadError(Exception):
    """The port could not be loaded (in :func:`check_isolated`'s child process)."""


def check_isolated(port: str, cases: Optional[Sequence[Case]] = None, *, timeout: float = DEFAULT_TIMEOUT,
                   tab: Optional[str] = None, framework: Optional[str] = None,
                   on_load: Optional[Callable[[Dict[str, Any]], None]] = None,
                   on_result: Optional[Callable[[Result], None]] = None) -> List[Result]:
    """Run ``cases`` on the port named ``port``, in a process of its own.

    The child imports the port (``MODULE``, ``MODULE:OBJECT`` or ``path/to/port.py``,
    as :func:`load_port`) with its own hooks, and gets each case's inputs, never its
    expected values; this process compares what comes back. A case on which the child
    ends, is killed, hangs past ``timeout`` seconds or breaks the protocol gets an
    ``error`` result saying so, and the next case gets a fresh child.

    Parameters
    ----------
    port : str
        As :func:`load_port`: a module, ``module:object``, a ``.py`` file, a
        notebook (``.ipynb``) or a d2l-book source (``.md``, with ``tab``).
    cases : sequence of Case, optional
        Default: the packaged file's ``default`` profile.
    timeout : float
        Seconds for each case, and for loading the port.
    tab : str, optional
        The tab of a d2l-book source to check.
    framework : str, optional
        A name of :data:`FRAMEWORKS` whose built-in adapter converts the inputs and
        results (default: the framework the port's code imports, if any). A port's
        own ``to_native``/``to_numpy`` still win.
    on_load : callable, optional
        Called once with what the child found: ``framework``, its ``version``, and
        the notebook lines ``skipped`` (magics, shell lines).
    on_result : callable, optional
        Called with each result as soon as it is known.

    Raises
    ------
    PortLoadError
        If the port cannot be loaded (or its process dies or hangs while loading).
    """
    if not (isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and 0 < timeout <= 86400):
        raise ValueError("timeout must be a number of seconds in (0, 86400], got %r" % (timeout,))
    if not isinstance(port, str) or not port:
        raise TypeError("port must be a non-empty str (MODULE, MODULE:OBJECT or a path), got %r" % (port,))
    if tab is not None and not isinstance(tab, str):
        raise TypeError("tab must be a str, got %r" % (tab,))
    if framework is not None and framework not in FRAMEWORKS:
        raise ValueError("unknown framework %r; the frameworks are %s" % (framework, ", ".join(FRAMEWORKS)))
    chosen = select(load().cases) if cases is None else cases
    results: List[Result] = []
    child: Optional[_Child] = None
    broken = ""  # why a fresh process could not load the port again: the rest are errors
    # A notebook or tab runs from its own folder, as in Jupyter; anything else from this one.
    notebook = port.lower().endswith((".ipynb", ".md"))
    config = {"port": os.path.abspath(port) if notebook else port, "tab": tab, "framework": framework,
              "chdir": os.path.dirname(os.path.abspath(port)) if notebook else ""}
    try:
        for case in chosen:
            if child is None and not broken:
                try:
                    child = _Child(config, timeout)
                except _PortFailed as err:
                    if not results:
                        raise PortLoadError(str(err)) from None
                    broken = "a fresh process could not load the port again: %s" % err
                else:
                    if not results and on_load:
                        on_load(child.info)
            if child is None:
                result = Result(case, ERROR, message=broken)
            else:
                try:
                    result = _judge(case, child.run(case))
                except _PortFailed as err:
                    child = None
                    result = Result(case, ERROR, message=str(err))
            results.append(result)
            if on_result:
                on_result(result)
    except BaseException:
        if child is not None:
            child.kill()
            child = None
        raise
    finally:
        if child is not None:
            child.close()
    return results


# -- the pytest helper -------------------------------------------------------------------


def assert_case(port: Port, case: Case, *, to_native: Optional[Hook] = None,
                to_numpy: Optional[Hook] = None, framework: Optional[str] = None) -> Result:
    """For a port's own pytest suite: pass, skip (not implemented, with the reason), or
    fail with the checker's line.

    Parameters
    ----------
    port, case, to_native, to_numpy, framework
        As :func:`check_case`.

    Returns
    -------
    Result
        The passing result. A case not implemented calls ``pytest.skip``, an expected
        failure (``cases(expect=...)``) ``pytest.xfail``, any other outcome (an
        unexpected pass included) ``pytest.fail``, each with a message that starts
        with the case's id.

    A port's test file, for example PyTorch's::

        import pytest, torch, my_port
        from mxconv import baseline

        @pytest.mark.parametrize("case", baseline.cases("default"), ids=baseline.case_id)
        def test_mxconv_baseline(case):
            baseline.assert_case(my_port, case, to_native=torch.from_numpy,
                                 to_numpy=lambda t: t.detach().numpy())
    """
    import pytest  # only here: the checker itself needs no pytest

    result = check_case(port, case, to_native=to_native, to_numpy=to_numpy, framework=framework)
    if result.status == NOT_IMPLEMENTED:
        pytest.skip("%s: not implemented: %s" % (case.id, result.message))
    if result.status == XFAIL:
        pytest.xfail("%s: %s" % (case.id, result.message))
    if not result.ok:
        pytest.fail("%s: %s" % (case.id, result.line()), pytrace=False)
    return result


# -- the command line --------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, "python -m mxconv.baseline: error: %s (see --help)\n" % message)


def _say(text: str, stream: Any = None) -> None:
    """Write a line to stdout (or ``stream``), whatever it is: closed (None), of a
    narrow encoding, or gone (the BrokenPipeError is the caller's)."""
    stream = sys.stdout if stream is None else stream
    if stream is None:  # the process was started with the stream closed
        return
    try:
        stream.write(text + "\n")
    except UnicodeEncodeError:
        stream.write(text.encode("ascii", "backslashreplace").decode("ascii") + "\n")
    stream.flush()


def _error(message: str) -> int:
    try:
        _say("python -m mxconv.baseline: error: %s" % _one_line(message, 1000), sys.stderr)
    except OSError:
        pass
    return 2


def _standard_streams() -> None:
    """Put /dev/null where the process got no stdin, stdout or stderr, so that no file
    or pipe opened later takes their numbers and gets the report's lines.

    Python gives such a process ``sys.stdout`` or ``sys.stderr`` None; argparse before
    3.11 then fails in its own error path (``None.write``) and the process exits 1
    instead of 2. A stream that is None is given a writer on /dev/null, so every Python
    ends a usage error with the same status."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    for name, fd in (("stdout", 1), ("stderr", 2)):
        if getattr(sys, name) is None:
            setattr(sys, name, open(fd, "w", closefd=False))


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value <= 86400:
        raise argparse.ArgumentTypeError("must be a number of seconds in (0, 86400], got %r" % text)
    return value


def _write_atomically(path: str, write: Callable[[Any], object]) -> str:
    """Call ``write(file)`` on a new temporary file beside ``path``, then move it to
    ``path``: a reader never sees half a file. An OSError names ``path`` (not the
    temporary file), and no temporary file is left behind. mxconv's own files are
    written with this too (``mxconv._files``)."""
    if not path:
        raise OSError(errno.ENOENT, "the path is empty", path)
    folder, name = os.path.split(os.path.abspath(path))
    temporary = os.path.join(folder, ".%s.%s.tmp" % (name, secrets.token_hex(6)))
    try:
        # O_EXCL: a file of our own; mode 0o666 less the umask, as open() would give.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as err:  # say it of the file asked for, not of the temporary one
        raise OSError(err.errno, err.strerror, path) from None
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        try:
            os.replace(temporary, path)
        except OSError as err:
            raise OSError(err.errno, err.strerror, path) from None
    except BaseException:
        os.unlink(temporary)
        raise
    return path


@dataclass
class _Run:
    """One port (or one tab of a d2l-book file) checked: what the reports say of it."""

    port: str
    tab: Optional[str]
    results: List[Result] = field(default_factory=list)
    seconds: List[float] = field(default_factory=list)
    framework: str = ""
    framework_version: str = ""
    error: str = ""  # why it could not be loaded: a failure of the run
    unavailable: str = ""  # why it was not checked here (its framework does not import): not a failure


def _mxconv_version() -> str:
    try:
        from importlib.metadata import version

        return version("mxconv")
    except Exception:  # a copied baseline.py: no installed distribution
        return "unknown"


REPORT_SCHEMA_VERSION = 1


def _report_json(runs: Sequence[_Run], case_set: Baseline, profiles: Sequence[str]) -> Dict[str, Any]:
    """The --json report (schema: ``data/report.schema.json`` beside this module)."""
    def number(value: float) -> Optional[float]:
        return None if math.isnan(value) or math.isinf(value) else value

    return {
        "schema": "mxconv-baseline-report", "schema_version": REPORT_SCHEMA_VERSION,
        "case_set": {"format": case_set.format, "format_version": case_set.version,
                     "version": case_set.case_set_version, "sha256": case_set.sha256, "cases": len(case_set.cases)},
        "environment": {"mxconv": _mxconv_version(), "python": sys.version.split()[0], "numpy": np.__version__,
                        "platform": sys.platform},
        "profiles": list(profiles),
        "runs": [{
            "port": run.port, "tab": run.tab, "framework": run.framework or None,
            "framework_version": run.framework_version or None, "error": run.error or run.unavailable or None,
            "summary": {status: sum(r.status == status for r in run.results) for status in STATUSES},
            "cases": [{"id": r.case.id, "function": r.case.function, "status": r.status,
                       "max_abs_error": number(r.max_abs_error), "max_rel_error": number(r.max_rel_error),
                       "rtol": r.case.rtol, "atol": r.case.atol,
                       "index": list(r.index) if r.index is not None else None,
                       "message": _one_line(r.message, 2000), "seconds": round(t, 6)}
                      for r, t in zip(run.results, run.seconds)],
        } for run in runs],
    }


def _report_junit(runs: Sequence[_Run], case_set: Baseline) -> bytes:
    """The --junit-xml report: a ``testsuite`` per run, a ``testcase`` per case (as
    pytest's --junitxml writes them: N/I and XFAIL are ``skipped``, FAIL and XPASS
    ``failure``, ERROR ``error``, each with the report's line)."""
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", name="mxconv.baseline %s" % case_set.identity())
    for run in runs:
        name = "mxconv.baseline %s%s" % (run.port, " --tab %s" % run.tab if run.tab else "")
        count = {s: sum(r.status == s for r in run.results) for s in STATUSES}
        loaded = not (run.error or run.unavailable)  # else one testcase "load" says why
        suite = ET.SubElement(root, "testsuite", name=name, tests=str(len(run.results) + (not loaded)),
                              failures=str(count[FAIL] + count[XPASS]), errors=str(count[ERROR] + bool(run.error)),
                              skipped=str(count[NOT_IMPLEMENTED] + count[XFAIL] + bool(run.unavailable)),
                              time="%.3f" % sum(run.seconds),
                              timestamp=time.strftime("%Y-%m-%dT%H:%M:%S"), hostname=_one_line(platform.node(), 100))
        properties = ET.SubElement(suite, "properties")
        for key, value in (("case_set_version", case_set.case_set_version), ("case_set_sha256", case_set.sha256),
                           ("framework", run.framework), ("framework_version", run.framework_version)):
            ET.SubElement(properties, "property", name=key, value=value or "")
        if not loaded:
            case = ET.SubElement(suite, "testcase", classname="mxconv.baseline", name="load", time="0")
            if run.error:
                ET.SubElement(case, "error", message=_one_line(run.error, 2000)).text = run.error
            else:
                ET.SubElement(case, "skipped", type="pytest.skip", message=_one_line(run.unavailable, 2000))
        for result, seconds in zip(run.results, run.seconds):
            case = ET.SubElement(suite, "testcase", classname="mxconv.baseline.%s" % result.case.function,
                                 name=result.case.id, time="%.3f" % seconds)
            line = result.line()
            tag = {FAIL: "failure", XPASS: "failure", ERROR: "error", NOT_IMPLEMENTED: "skipped",
                   XFAIL: "skipped"}.get(result.status)
            if tag:
                element = ET.SubElement(case, tag, message=_one_line(result.message, 2000) or result.status)
                if tag == "skipped":
                    element.set("type", "pytest.xfail" if result.status == XFAIL else "pytest.skip")
                else:
                    element.text = line
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def _targets(port: str, tab: Optional[str]) -> List[Tuple[str, Optional[str], str]]:
    """(port, tab, why it is not checked here) for each run: a d2l-book file without
    --tab is each of its tabs whose framework imports here."""
    if tab is not None or not port.partition(":")[0].lower().endswith(".md"):
        return [(port, tab, "")]
    try:
        tabs = md_tabs(port)
    except PortLoadError as err:
        return [(port, None, str(err))]
    targets: List[Tuple[str, Optional[str], str]] = []
    for name in tabs:
        module = FRAMEWORKS.get(name)
        why = "" if module and importlib.util.find_spec(module) is not None else (
            "%s does not import here" % module if module else "no framework of that name")
        targets.append((port, name, why))
    return targets


def _check_command(args: argparse.Namespace) -> int:
    if not args.port:
        return _error("PORT is empty: name a module, a file, a notebook or a d2l-book source")
    if args.tab is not None and not args.port.partition(":")[0].lower().endswith(".md"):
        return _error("--tab selects a tab of a d2l-book source (.md); %s is not one" % args.port)
    if args.tab and not _TAB_NAME.match(args.tab):
        return _error("--tab: a tab's name is 1 to 40 letters, digits, _ or -, got %s" % _one_line(ascii(args.tab), 60))
    try:
        case_set = load(args.file)
        profiles = args.profile or ["default"]
        chosen = select(case_set.cases, profiles, args.skip)
        if args.expect:
            chosen = with_expectations(chosen, load_expectations(args.expect, case_set.cases))
    except (OSError, BaselineError) as err:
        return _error(str(err))
    for option, path in (("--json", args.json), ("--junit-xml", args.junit_xml)):
        if path is not None:  # before the run, not after it
            folder = os.path.dirname(os.path.abspath(path)) if path else ""
            if not path or os.path.isdir(path) or not os.path.isdir(folder):
                return _error("%s: %r is not a file in an existing folder" % (option, path))
    targets = _targets(args.port, args.tab)
    several = len(targets) > 1
    header = ["%s; profile %s: %d cases" % (case_set.identity(), "+".join(profiles), len(chosen))]

    def say(text: str) -> None:  # the report's first line, once, before its first other line
        while header:
            _say(header.pop())
        _say(text)

    runs: List[_Run] = []
    for port, tab, why in targets:
        run = _Run(port, tab)
        runs.append(run)
        if several:
            say("== tab %s ==" % tab)
        if why:
            run.unavailable = why
            if not several:
                return _error("cannot load the port %s: %s" % (port, why))
            say("not checked: %s" % why)
            continue
        last = [time.monotonic()]

        def loaded(info: Dict[str, Any], run: _Run = run) -> None:
            run.framework, run.framework_version = info.get("framework") or "", info.get("version") or ""
            say("port %s%s: %s" % (run.port, " --tab %s" % run.tab if run.tab else "", "adapter %s %s" % (
                run.framework, run.framework_version) if run.framework else "no adapter"))
            if args.verbose:
                for line in info.get("skipped") or []:
                    _say("skipped %s" % _one_line(str(line), 300), sys.stderr)
            last[0] = time.monotonic()

        def reported(result: Result, run: _Run = run) -> None:
            now = time.monotonic()
            run.seconds.append(now - last[0])
            last[0] = now
            say(result.line())

        try:
            run.results = check_isolated(port, chosen, timeout=args.timeout, tab=tab, framework=args.framework,
                                         on_load=loaded, on_result=reported)
        except PortLoadError as err:
            run.error = "cannot load the port %s%s: %s" % (port, " (tab %s)" % tab if tab else "", err)
            if not several:
                return _error(run.error)
            say(run.error)
            continue
        say(summary(run.results))
    if several:
        for run in runs:
            say("tab %-12s %s" % ("%s:" % run.tab, run.error or run.unavailable or summary(run.results)))
    try:
        if args.json:
            text = json.dumps(_report_json(runs, case_set, profiles), indent=1, allow_nan=False) + "\n"
            _write_atomically(args.json, lambda f: f.write(text.encode("utf-8")))
        if args.junit_xml:
            xml = _report_junit(runs, case_set)
            _write_atomically(args.junit_xml, lambda f: f.write(xml))
    except OSError as err:
        return _error("cannot write the report: %s" % err)
    checked = [run for run in runs if not run.error and not run.unavailable]
    if not checked or not any(r.status != NOT_IMPLEMENTED for run in checked for r in run.results):
        _error("nothing was checked: %s" % ("no tab of this file imports here" if not checked else
                                             "the port implements none of these cases"))
        return 1
    failed = any(
        not r.ok and not (args.allow_xpass and r.status == XPASS) or (args.require_all and r.status == NOT_IMPLEMENTED)
        for run in checked for r in run.results)
    return 1 if failed or any(run.error for run in runs) else 0


def main(argv: Optional[List[str]] = None) -> int:
    """``python -m mxconv.baseline check PORT [options]`` and ``scoreboard PORT...``."""
    _standard_streams()
    parser = _Parser(prog="python -m mxconv.baseline",
                     description="Check a port of the section against mxconv's golden cases.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("check", help="run the cases of a profile on a port, in a process of its own")
    run.add_argument("port", help="MODULE, MODULE:OBJECT, path/to/port.py[:OBJECT], a notebook (.ipynb) or a "
                                  "d2l-book source (.md)")
    _common_options(run)
    run.add_argument("--profile", action="append", default=None, metavar="NAME",
                     help="%s (default: default; give it more than once to combine)" % ", ".join(PROFILES))
    run.add_argument("--skip", action="append", default=[], metavar="TAG",
                     help="leave out cases with this tag (padding, stride, batch, float64, ...)")
    run.add_argument("--tab", default=None, metavar="NAME",
                     help="of a d2l-book .md: the tab to check (default: each tab whose framework imports here)")
    run.add_argument("--require-all", action="store_true", help="count 'not implemented' as a failure")
    run.add_argument("--expect", default=None, metavar="FILE",
                     help="a JSON file of the outcomes the port knowingly has: those cases report XFAIL")
    run.add_argument("--allow-xpass", action="store_true", help="an expected failure that passes (XPASS) is not a "
                                                                 "failure of the run")
    run.add_argument("--junit-xml", default=None, metavar="FILE", help="also write a JUnit XML report")
    run.add_argument("--json", default=None, metavar="FILE", help="also write a JSON report")
    run.add_argument("-v", "--verbose", action="store_true",
                     help="say which adapter runs, and each notebook line skipped (magics, shell lines)")
    board = sub.add_parser("scoreboard", help="every profile on each port: a Markdown table (or JSON)")
    board.add_argument("ports", nargs="+", metavar="PORT", help="as for check; PORT@TAB for a tab of a .md file")
    _common_options(board)
    board.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    args = parser.parse_args(argv)
    try:
        return _check_command(args) if args.command == "check" else _scoreboard_command(args)
    except BrokenPipeError:  # the reader went away (check ... | head): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        return 1
    except KeyboardInterrupt:
        return 130


def _common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--file", default=None, help="a baseline file (default: the packaged one)")
    parser.add_argument("--timeout", type=_seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help="for each case, and for loading the port (default: %g)" % DEFAULT_TIMEOUT)
    parser.add_argument("--framework", default=None, choices=sorted(FRAMEWORKS),
                        help="the built-in adapter to use (default: the framework the port's code imports)")


SCOREBOARD_PROFILES = ("default", "extended", "strict", "grad")


def _scoreboard_command(args: argparse.Namespace) -> int:
    try:
        case_set = load(args.file)
    except (OSError, BaselineError) as err:
        return _error(str(err))
    if not all(args.ports):
        return _error("a PORT is empty: name a module, a file, a notebook or a d2l-book source")
    rows = []
    for spec in args.ports:
        port, _, tab = spec.rpartition("@") if "@" in spec else (spec, "", "")
        row: Dict[str, Any] = {"port": spec, "framework": "", "version": "", "profiles": {}}
        for profile in SCOREBOARD_PROFILES:
            chosen = [c for c in case_set.cases if c.profile == profile]  # the profile's own cases
            info: Dict[str, Any] = {}
            try:
                results = check_isolated(port, chosen, timeout=args.timeout, tab=tab or None,
                                         framework=args.framework, on_load=info.update)
            except PortLoadError as err:
                row["profiles"][profile] = {"cannot load": str(err)}
                continue
            row["framework"], row["version"] = info.get("framework") or "", info.get("version") or ""
            row["profiles"][profile] = {s: sum(r.status == s for r in results) for s in STATUSES}
        rows.append(row)
    if args.json:
        _say(json.dumps({"case_set": {"version": case_set.case_set_version, "sha256": case_set.sha256},
                         "profiles": list(SCOREBOARD_PROFILES), "ports": rows}, indent=1))
        return 0
    _say("Scoreboard of %s: each profile's own cases (passed / failed / errors / not implemented)."
         % case_set.identity())
    _say("")
    _say("| port | framework | " + " | ".join(SCOREBOARD_PROFILES) + " |")
    _say("| --- | --- |" + " --- |" * len(SCOREBOARD_PROFILES))
    for row in rows:
        cells = []
        for profile in SCOREBOARD_PROFILES:
            counts = row["profiles"][profile]
            cells.append("cannot load" if "cannot load" in counts else "%d / %d / %d / %d" % (
                counts[PASS], counts[FAIL], counts[ERROR], counts[NOT_IMPLEMENTED]))
        framework = ("%s %s" % (row["framework"], row["version"])).strip() or "none"
        _say("| `%s` | %s | %s |" % (row["port"], framework, " | ".join(cells)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
