"""The case file: its format, the Case and Baseline records, strict loading and writing.

A baseline file is JSON, read field by field within fixed limits: nothing in it is
unpickled or evaluated, and :func:`to_json` never writes what :func:`load` would refuse.
"""
import dataclasses
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, NoReturn, Optional, Sequence, Tuple, Union

import numpy as np

from .errors import BaselineError
from .files import loads_strict, read_regular
from .text import one_line

__all__ = ["FORMAT", "FORMAT_VERSION", "FUNCTIONS", "KWARGS", "DTYPES", "CASE_PROFILES", "DEFAULT_PATH",
           "MAX_ELEMENTS", "MAX_CASES", "MAX_TEXT", "Case", "case_id", "Baseline", "to_json", "load"]

FORMAT = "mxconv-baseline"
FORMAT_VERSION = 3  # 3: gradient cases (the grad profile)
FUNCTIONS = ("corr2d", "corr2d_multi_in", "corr2d_multi_in_out", "corr2d_multi_in_out_1x1",
             "corr2d_multi_in_out_im2col")
KWARGS = ("padding", "stride")
DTYPES = ("float16", "float32", "float64")
# The profile each case belongs to; selection.PROFILES combines them.
CASE_PROFILES = ("default", "extended", "strict", "grad")
DEFAULT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "baseline.json")

# Limits that keep a hostile or broken file from costing memory or time.
MAX_ELEMENTS = 2**22  # per array
MAX_CASES = 10000
MAX_AXES = 6
MAX_TEXT = 1000  # characters of an id, source, note or refusal
# Ids and tags are plain printable ASCII, so that no report line can be forged with them.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,79}\Z")
_TAG = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}\Z")


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
        return "%s %s (sha256 %s), %d cases" % (FORMAT, one_line(self.case_set_version, 60),
                                                self.sha256[:12] or "?", len(self.cases))


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
    raw = read_regular(path)
    document = loads_strict(raw, path)
    digest = hashlib.sha256(raw).hexdigest()
    return dataclasses.replace(_parse(document, path), sha256=digest, path=path)


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
    if obj["profile"] not in CASE_PROFILES:
        _fail(where, "profile must be one of %s, got %r" % (CASE_PROFILES, obj["profile"]))
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
