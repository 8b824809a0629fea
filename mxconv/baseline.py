"""Golden cases of the section for other ports, and a checker: numpy and the standard library only.

This module imports neither MXNet nor the rest of mxconv, so a PyTorch, TensorFlow,
JAX or NumPy port can run it in its own CI, with any numpy from 1.17 to 2.x.

A *port* is any module or object with some of the functions ``corr2d``,
``corr2d_multi_in``, ``corr2d_multi_in_out``, ``corr2d_multi_in_out_1x1`` and
``corr2d_multi_in_out_im2col``, called as ``f(X, K, **kwargs)`` (kwargs: ``padding``
and ``stride``), returning anything ``numpy.asarray`` understands. Optional hooks
adapt other array types: ``to_native(ndarray)`` converts each input before the
call, ``to_numpy(result)`` converts the result (a PyTorch port passes
``torch.from_numpy`` and ``lambda t: t.detach().numpy()``), either as attributes of
the port or as arguments of :func:`check`. A case whose function the port lacks,
or whose keywords its function does not take, is *not implemented*, not failed.

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

Command line: ``python -m mxconv.baseline check MODULE[:OBJECT]`` prints a line
per case and exits non-zero on any failure.
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
from typing import Dict, List, Tuple

import numpy as np

FORMAT = "mxconv-baseline"
FORMAT_VERSION = 1
FUNCTIONS = ("corr2d", "corr2d_multi_in", "corr2d_multi_in_out", "corr2d_multi_in_out_1x1",
             "corr2d_multi_in_out_im2col")
KWARGS = ("padding", "stride")
DTYPES = ("float16", "float32", "float64")
DEFAULT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "baseline.json")

# Limits that keep a hostile or broken file from costing memory or time.
MAX_FILE_BYTES = 64 * 2**20
MAX_ELEMENTS = 2**22  # per array
MAX_CASES = 10000
MAX_AXES = 6

STATUSES = ("pass", "fail", "error", "not implemented")


class BaselineError(ValueError):
    """A baseline file that is malformed, of another format or version, or too large."""


@dataclass(frozen=True)
class Case:
    """One golden case: call ``function(X, K, **kwargs)``, expect ``expected``."""

    id: str
    function: str
    source: str
    inputs: Dict[str, np.ndarray] = field(repr=False)
    kwargs: Dict[str, object]
    expected: np.ndarray = field(repr=False)
    rtol: float
    atol: float
    tags: Tuple[str, ...] = ()

    def __str__(self):
        return self.id


def case_id(case):
    """The case's id: pass as ``ids=`` to ``pytest.mark.parametrize``."""
    return case.id


@dataclass(frozen=True)
class Result:
    """The outcome of one case on one port."""

    case: Case
    status: str  # one of STATUSES
    max_abs_error: float = math.nan
    max_rel_error: float = math.nan
    message: str = ""

    @property
    def ok(self):
        """True unless the port failed or raised (a case not implemented is not a failure)."""
        return self.status in ("pass", "not implemented")

    def line(self):
        """One line of the checker's report."""
        label = {"pass": "PASS", "fail": "FAIL", "error": "ERROR", "not implemented": "N/I"}[self.status]
        text = "%-5s %-34s %-27s" % (label, self.case.id, self.case.function)
        if self.status in ("pass", "fail"):
            text += " max abs err %.3g, max rel err %.3g (rtol %g, atol %g)" % (
                self.max_abs_error, self.max_rel_error, self.case.rtol, self.case.atol)
        return text + ("  " + self.message if self.message else "")


@dataclass(frozen=True)
class Baseline:
    """A loaded baseline file."""

    format: str
    version: int
    generated_by: Dict[str, str]
    cases: List[Case]


# -- writing ---------------------------------------------------------------------------


def _array_to_json(array):
    array = np.asarray(array)
    # float() of a float16/32 value is the exact double, so the file round-trips exactly.
    return {"shape": list(array.shape), "dtype": array.dtype.name,
            "values": [float(v) for v in array.ravel()]}


def to_json(cases, generated_by):
    """The text of a baseline file holding ``cases`` (deterministic: no timestamps)."""
    document = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "generated_by": dict(generated_by),
        "cases": [{
            "id": c.id, "function": c.function, "source": c.source,
            "inputs": {name: _array_to_json(a) for name, a in c.inputs.items()},
            "kwargs": {k: (list(v) if isinstance(v, tuple) else v) for k, v in c.kwargs.items()},
            "expected": _array_to_json(c.expected),
            "rtol": c.rtol, "atol": c.atol, "tags": list(c.tags),
        } for c in cases],
    }
    _parse(document, "<to_json>")  # never write what load() would refuse
    return json.dumps(document, indent=1, sort_keys=True, allow_nan=False) + "\n"


# -- reading ---------------------------------------------------------------------------


def _refuse_constant(name):
    raise BaselineError("NaN and Infinity are not allowed (found %s)" % name)


def _no_duplicate_keys(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise BaselineError("duplicate key %r" % key)
        result[key] = value
    return result


def load(path=None):
    """Read and validate a baseline file (the one packaged with mxconv by default).

    Raises
    ------
    BaselineError
        For a file that is too large, not JSON, of another format or version, or
        whose fields have the wrong types, sizes or shapes. Nothing in the file is
        ever unpickled or evaluated: it is parsed as JSON and checked field by field.
    """
    path = DEFAULT_PATH if path is None else os.fspath(path)
    size = os.stat(path).st_size
    if size > MAX_FILE_BYTES:
        raise BaselineError("%s: %d bytes, more than the %d a baseline may have" % (path, size, MAX_FILE_BYTES))
    with open(path, "rb") as f:
        raw = f.read(MAX_FILE_BYTES + 1)
    try:
        document = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant,
                              object_pairs_hook=_no_duplicate_keys)
    except BaselineError as err:
        raise BaselineError("%s: %s" % (path, err)) from None
    except (ValueError, UnicodeDecodeError, RecursionError) as err:
        raise BaselineError("%s: not a valid JSON file (%s)" % (path, err)) from None
    return _parse(document, path)


def cases(path=None):
    """The golden cases, ready for ``pytest.mark.parametrize("case", cases(), ids=case_id)``."""
    return load(path).cases


def _fail(where, message):
    raise BaselineError("%s: %s" % (where, message))


def _expect(where, value, kind, what):
    ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
    if not ok:
        _fail(where, "%s must be %s, got %s" % (what, getattr(kind, "__name__", "a number"), type(value).__name__))
    return value


def _keys(where, obj, required, optional=()):
    _expect(where, obj, dict, "this entry")
    missing = [k for k in required if k not in obj]
    extra = [k for k in obj if k not in required and k not in optional]
    if missing or extra:
        _fail(where, "keys %s missing, %s unexpected" % (missing, extra))


def _parse_array(where, obj):
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
    return np.array(values, dtype=np.float64).astype(obj["dtype"]).reshape(shape)


def _parse_pair(where, name, value):
    items = value if isinstance(value, list) else [value]
    minimum = 0 if name == "padding" else 1
    if len(items) not in (1, 2) or not all(isinstance(v, int) and not isinstance(v, bool) and v >= minimum
                                           for v in items):
        _fail(where, "kwargs.%s must be an int >= %d or a pair of them, got %r" % (name, minimum, value))
    return tuple(items) if len(items) == 2 else items[0]


def _parse_tolerance(where, name, value):
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value < 1:
        _fail(where, "%s must be a number in [0, 1), got %r" % (name, value))
    return float(value)


def _parse_case(where, obj):
    _keys(where, obj, ("id", "function", "source", "inputs", "kwargs", "expected", "rtol", "atol"), ("tags",))
    case_name = _expect(where, obj["id"], str, "id")
    where = "%s (%r)" % (where, case_name)
    if obj["function"] not in FUNCTIONS:
        _fail(where, "function must be one of %s, got %r" % (FUNCTIONS, obj["function"]))
    _keys(where + " inputs", obj["inputs"], ("X", "K"))
    _expect(where, obj["kwargs"], dict, "kwargs")
    unknown = [k for k in obj["kwargs"] if k not in KWARGS]
    if unknown:
        _fail(where, "kwargs may only be %s, got %s" % (KWARGS, unknown))
    tags = _expect(where, obj.get("tags", []), list, "tags")
    if not all(isinstance(t, str) for t in tags):
        _fail(where, "tags must be strings")
    return Case(
        id=case_name,
        function=obj["function"],
        source=_expect(where, obj["source"], str, "source"),
        inputs={name: _parse_array("%s inputs.%s" % (where, name), obj["inputs"][name]) for name in ("X", "K")},
        kwargs={k: _parse_pair(where, k, v) for k, v in obj["kwargs"].items()},
        expected=_parse_array(where + " expected", obj["expected"]),
        rtol=_parse_tolerance(where, "rtol", obj["rtol"]),
        atol=_parse_tolerance(where, "atol", obj["atol"]),
        tags=tuple(tags),
    )


def _parse(document, path):
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


# -- checking --------------------------------------------------------------------------


def _accepts(fn, n_args, kwargs):
    try:
        inspect.signature(fn).bind(*range(n_args), **kwargs)
    except TypeError:
        return False
    except ValueError:  # no signature (some builtins): assume it does
        return True
    return True


def check_case(port, case, to_native=None, to_numpy=None):
    """Run one case on ``port`` and compare with its expected values."""
    fn = getattr(port, case.function, None)
    if fn is None:
        return Result(case, "not implemented", message="the port has no %s" % case.function)
    if not _accepts(fn, 2, case.kwargs):
        return Result(case, "not implemented", message="%s does not take %s" % (
            case.function, ", ".join("%s=" % k for k in case.kwargs)))
    to_native = to_native or getattr(port, "to_native", None) or (lambda a: a)
    to_numpy = to_numpy or getattr(port, "to_numpy", None) or np.asarray
    try:
        # Copies, so a port that writes into its inputs cannot change the case.
        got = np.asarray(to_numpy(fn(to_native(case.inputs["X"].copy()), to_native(case.inputs["K"].copy()),
                                     **case.kwargs)))
    except Exception as err:  # a port's failure is a result, not a crash of the checker
        return Result(case, "error", message="%s: %s" % (type(err).__name__, err))
    expected = case.expected
    if got.shape != expected.shape:
        return Result(case, "fail", message="shape %s, expected %s" % (got.shape, expected.shape))
    if got.dtype.kind not in "fiu":
        return Result(case, "fail", message="dtype %s is not a real number type" % got.dtype)
    got64, exp64 = got.astype(np.float64), expected.astype(np.float64)
    err = np.abs(got64 - exp64)
    err[np.isnan(got64) & np.isnan(exp64)] = 0.0
    max_abs = float(np.max(err)) if err.size else 0.0
    rel = err / np.maximum(np.abs(exp64), np.finfo(np.float64).tiny)
    max_rel = float(np.max(rel)) if rel.size else 0.0
    ok = bool(np.all(err <= case.atol + case.rtol * np.abs(exp64)))  # NaN error: not ok
    where = "" if ok else "largest error at index %s" % (np.unravel_index(int(np.nanargmax(
        np.where(np.isnan(err), np.inf, err))), err.shape),)
    return Result(case, "pass" if ok else "fail", max_abs, max_rel, where)


def check(port, cases=None, to_native=None, to_numpy=None):
    """Run every case (the packaged ones by default) on ``port``; a list of :class:`Result`."""
    cases = load().cases if cases is None else cases
    return [check_case(port, c, to_native, to_numpy) for c in cases]


def summary(results):
    """``'N passed, N failed, N errors, N not implemented'``."""
    count = {s: sum(r.status == s for r in results) for s in STATUSES}
    return "%d passed, %d failed, %d errors, %d not implemented" % (
        count["pass"], count["fail"], count["error"], count["not implemented"])


def load_port(spec):
    """``MODULE``, ``MODULE:OBJECT`` or ``path/to/file.py[:OBJECT]`` as a port."""
    target, _, attribute = spec.partition(":")
    if target.endswith(".py"):
        module_name = os.path.splitext(os.path.basename(target))[0]
        module_spec = importlib.util.spec_from_file_location(module_name, target)
        if module_spec is None:
            raise ImportError("cannot load %s" % target)
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
    else:
        module = importlib.import_module(target)
    port = module
    for name in filter(None, attribute.split(".")):
        port = getattr(port, name)
    return port


def main(argv=None):
    """``python -m mxconv.baseline check MODULE[:OBJECT]``."""
    parser = argparse.ArgumentParser(prog="python -m mxconv.baseline",
                                     description="Check a port of the section against mxconv's golden cases.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("check", help="run every case on a port")
    run.add_argument("port", help="MODULE, MODULE:OBJECT or path/to/port.py[:OBJECT]")
    run.add_argument("--file", default=None, help="a baseline file (default: the packaged one)")
    run.add_argument("--skip", action="append", default=[], metavar="TAG",
                     help="leave out cases with this tag (batch, padding, stride, float64, ...)")
    run.add_argument("--require-all", action="store_true", help="count 'not implemented' as a failure")
    args = parser.parse_args(argv)
    try:
        baseline = load(args.file)
    except (OSError, BaselineError) as err:
        print("error: %s" % err, file=sys.stderr)
        return 2
    selected = [c for c in baseline.cases if not set(c.tags) & set(args.skip)]
    results = check(load_port(args.port), selected)
    for result in results:
        print(result.line())
    print(summary(results))
    failed = any(not r.ok or (args.require_all and r.status == "not implemented") for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
