"""Running one case's inputs through a port, in whatever process the port lives in.

The same code runs a case in this process (``check``, ``check_case``, ``assert_case``)
and in the checker's child process (the command line, ``check_isolated``). It guards
every place port code runs (getattr, the signature, the hooks, the call, ``__array__``,
an exception's ``__str__``, a value's ``.shape`` and ``repr``) and reduces what happened
to a plain :class:`Outcome`, which :mod:`judging` compares with the case.
"""
import inspect
import math
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

import numpy as np

from .adapters import NO_ADAPTER, Adapter, float32_handover, framework_of_type, gradients, mxnet_cause, read_result
from .casefile import MAX_ELEMENTS
from .text import one_line

__all__ = ["MISSING", "SIGNATURE", "BROKEN", "RAISED", "RETURNED", "VALUE", "UNREADABLE", "NOT_REAL", "KINDS",
           "Outcome", "run", "raised", "type_name", "shape_of"]

Port = Any
Hook = Callable[[Any], Any]

MISSING, SIGNATURE, BROKEN, RAISED, RETURNED, VALUE, UNREADABLE, NOT_REAL = (
    "missing", "signature", "broken", "raised", "returned", "value", "unreadable", "not real")
KINDS = (MISSING, SIGNATURE, BROKEN, RAISED, RETURNED, VALUE, UNREADABLE, NOT_REAL)


@dataclass(frozen=True, eq=False)
class Outcome:
    """What a port did with one case's inputs, in plain data."""

    kind: str  # one of KINDS
    message: str = ""  # VALUE: what the port returned, in a few words
    dtype: str = ""  # VALUE: the result's own dtype
    shape: Tuple[int, ...] = ()  # VALUE
    values: Optional[np.ndarray] = None  # VALUE: float64, or None where the result was too large to send
    note: str = ""  # said on a failure's line: an adapter handed float64 inputs over as float32


def type_name(obj: Any) -> str:
    """The qualified name of ``obj``'s type, whatever the type's metaclass does."""
    try:
        name = type.__getattribute__(type(obj), "__qualname__")
        return name if type(name) is str else "object"
    except BaseException:
        return "object"


def raised(err: BaseException) -> str:
    """``'TypeError: message'``, whatever the exception's __str__ does."""
    try:
        message = str(err)
        message = message if type(message) is str else ""
    except BaseException:
        message = "(its message could not be read)"
    if "MXNetError:" in message:
        message = mxnet_cause(message) or message  # MXNet's C++ stack is not the port's
    return one_line("%s: %s" % (type_name(err), message) if message else type_name(err))


def shape_of(shape: Sequence[int]) -> Tuple[int, ...]:
    return tuple(int(s) for s in shape)


def _describe(out: Any) -> str:
    """What a port returned, in a few words: 'an array of shape (3, 3)', 'the int 0'."""
    try:
        shape = getattr(out, "shape", None)
        if shape is not None:
            name = type_name(out)
            article = "an" if name[:1].lower() in "aeiou" or name.startswith(("nd", "NDArray")) else "a"
            return "%s %s of shape %s" % (article, name, shape_of(shape))
    except BaseException:
        pass
    try:
        text = repr(out)
        text = text if type(text) is str else "?"
    except BaseException:
        text = "(whose repr could not be read)"
    return one_line("the %s %s" % (type_name(out), text), 80)


def _accepts(fn: Callable[..., Any], n_args: int, kwargs: Dict[str, object]) -> bool:
    try:
        inspect.signature(fn).bind(*range(n_args), **kwargs)
    except TypeError:
        return False
    except ValueError:  # no signature (some builtins): assume it does
        return True
    return True


def _hook_hint(out: Any, to_numpy: Optional[Hook]) -> str:
    """What to do when numpy cannot read the port's result: the --framework whose adapter
    reads it, or a to_numpy hook."""
    if to_numpy is not None or isinstance(out, np.ndarray):
        return ""
    try:
        module = type.__getattribute__(type(out), "__module__")
        module = module if type(module) is str else "?"
    except BaseException:
        module = "?"
    framework = framework_of_type(module)
    if framework is not None:
        return ("; numpy cannot read a %s.%s: check the port with --framework %s (framework=%r in Python), "
                "whose adapter reads it" % (module, type_name(out), framework, framework))
    return ("; numpy cannot read a %s.%s: give the port a to_numpy hook that returns a numpy array"
            % (module, type_name(out)))


def run(port: Port, function: str, kwargs: Dict[str, object], X: np.ndarray, K: np.ndarray, want_value: bool,
        to_native: Optional[Hook] = None, to_numpy: Optional[Hook] = None, adapter: Adapter = NO_ADAPTER,
        grad: Optional[Tuple[str, np.ndarray]] = None) -> Outcome:
    """Call the port's ``function`` on copies of X and K; what happened, as an Outcome.
    Hooks: ``to_native``/``to_numpy`` given here, else the port's own, else the
    ``adapter``'s. With ``grad`` (``("X" or "K", G)``), the gradient of sum(Y * G)
    instead. No exception of the port's (any BaseException) leaves this function."""
    try:
        return _run_guarded(port, function, kwargs, X, K, want_value, to_native, to_numpy, adapter, grad)
    except BaseException as err:  # a port's code raised where it should not have been able to
        return Outcome(BROKEN, raised(err))


def _run_guarded(port: Port, function: str, kwargs: Dict[str, object], X: np.ndarray, K: np.ndarray,
                 want_value: bool, to_native: Optional[Hook], to_numpy: Optional[Hook], adapter: Adapter,
                 grad: Optional[Tuple[str, np.ndarray]]) -> Outcome:
    try:
        fn = getattr(port, function, None)
    except BaseException as err:
        return Outcome(BROKEN, "looking up %s on the port raised %s" % (function, raised(err)))
    if fn is None:
        return Outcome(MISSING, "the port has no %s" % function)
    try:
        accepts = _accepts(fn, 2, kwargs)
    except BaseException as err:
        return Outcome(BROKEN, "reading the signature of %s raised %s" % (function, raised(err)))
    if not accepts:
        return Outcome(SIGNATURE, "%s does not take %s" % (function, ", ".join("%s=" % k for k in kwargs)))
    try:
        own_native = to_native or getattr(port, "to_native", None)
        to_native = own_native or adapter.to_native or (lambda a: a)
        to_numpy = to_numpy or getattr(port, "to_numpy", None) or adapter.to_numpy
        # Copies, so a port that writes into its inputs cannot change the case.
        args = (to_native(X.copy()), to_native(K.copy()))
        note = float32_handover(args[0], adapter.framework) \
            if X.dtype == np.float64 and not own_native and adapter.to_native else ""
    except BaseException as err:  # not a refusal: the function never saw the inputs
        return Outcome(BROKEN, "the to_native hook raised %s" % raised(err))
    if grad is not None:
        return _gradient(port, fn, adapter.framework, to_native, to_numpy, X, K, grad)
    try:
        out = fn(*args, **kwargs)
    except BaseException as err:  # a port's failure is a result, not a crash of the checker
        return Outcome(RAISED, raised(err))
    if not want_value:
        return Outcome(RETURNED, "returned %s" % _describe(out))
    return _value(out, to_numpy, note)


def _value(out: Any, to_numpy: Optional[Hook], note: str = "") -> Outcome:
    """What the port returned, read as numbers (or why it could not be)."""
    what = _describe(out)
    try:
        got = np.asarray(out if to_numpy is None else to_numpy(out))
        dtype, kind, shape = str(got.dtype), got.dtype.kind, shape_of(got.shape)
    except BaseException as err:
        return Outcome(UNREADABLE, "returned %s, which could not be read as an array (%s%s)%s" % (
            what, "to_numpy raised " if to_numpy is not None else "", raised(err), _hook_hint(out, to_numpy)))
    if kind not in "biuf":
        return Outcome(NOT_REAL, "returned %s, read as dtype %s, not real numbers%s" % (
            what, dtype, _hook_hint(out, to_numpy)))
    values = None
    if math.prod(shape) <= MAX_ELEMENTS:
        values = np.array(got, dtype=np.float64).view(np.ndarray)  # a copy the port cannot reach
    return Outcome(VALUE, "returned " + what, dtype=dtype, shape=shape, values=values, note=note)


def _gradient(port: Port, fn: Callable[..., Any], framework: Optional[str], to_native: Hook,
              to_numpy: Optional[Hook], X: np.ndarray, K: np.ndarray, grad: Tuple[str, np.ndarray]) -> Outcome:
    """d sum(fn(X, K) * G) / d X or d K: by the port's own ``grad(fn, X, K, G)`` hook,
    else by its framework's automatic differentiation; not implemented where neither can."""
    wrt, G = grad
    hook = getattr(port, "grad", None)
    if callable(hook):
        try:
            both = hook(fn, to_native(X.copy()), to_native(K.copy()), to_native(G.copy()))
            chosen = both[0 if wrt == "X" else 1]
        except BaseException as err:
            return Outcome(RAISED, "the grad hook raised %s" % raised(err))
        return _value(chosen, to_numpy or read_result)
    differentiate = gradients(framework)
    if differentiate is None:
        return Outcome(MISSING, "no gradients: %s; give the port a grad(fn, X, K, G) hook that returns "
                                "(dX, dK)" % ("NumPy cannot differentiate" if framework in (None, "numpy") else
                                              "no automatic differentiation for %s" % framework))
    try:
        both = differentiate(port, fn, X.copy(), K.copy(), G.copy())
        chosen = both[0 if wrt == "X" else 1]
    except BaseException as err:  # the framework cannot differentiate this code: say why
        return Outcome(MISSING, "%s cannot differentiate this port's %s: %s" % (
            framework, getattr(fn, "__name__", "function"), raised(err)))
    if chosen is None:
        return Outcome(MISSING, "%s gives no gradient with respect to %s: the port's code does not connect "
                                "the result to it (a write into a variable?)" % (framework, wrt))
    return _value(chosen, read_result)
