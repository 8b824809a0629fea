"""The built-in adapters: for each framework, the hooks its port author would write.

One table, :data:`TABLE`, holds a record per framework: its d2l-book tab name, the
module it is imported as, how a numpy array becomes one of its arrays, how it
differentiates, and why it may hand float64 back as float32. A port's framework is
found from the modules its namespace holds; no framework is imported to find it.
"""
import importlib
import sys
import types
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional

import numpy as np

from .errors import UsageError
from .text import one_line

__all__ = ["Framework", "TABLE", "FRAMEWORKS", "Adapter", "NO_ADAPTER", "check_framework", "framework_of",
           "framework_of_type", "adapter", "gradients", "read_result", "float32_handover", "float64_causes",
           "mxnet_cause"]

Port = Any
Hook = Callable[[Any], Any]


def read_result(out: Any) -> Any:
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


def _module(name: str) -> Any:
    """A framework's module as the port imported it (the checker imports none of its own)."""
    return sys.modules.get(name) or importlib.import_module(name)


# -- how each framework takes numpy inputs ----------------------------------------------


def _torch_native(module: Any, port: Port) -> Hook:
    return module.from_numpy


def _tensorflow_native(module: Any, port: Port) -> Hook:
    return module.constant


def _jax_native(module: Any, port: Port) -> Hook:
    return _module("jax.numpy").asarray


def _paddle_native(module: Any, port: Port) -> Hook:
    return module.to_tensor


def _mxnet_native(module: Any, port: Port) -> Hook:
    # mxnet.numpy arrays where the port uses them (d2l's tab), else NDArrays; dtype kept
    uses_np = any(isinstance(v, types.ModuleType) and v.__name__ == "mxnet.numpy"
                  for v in list(getattr(port, "__dict__", {}).values()))
    maker = module.np.array if uses_np else module.nd.array
    return lambda a: maker(a, dtype=a.dtype)


# -- how each framework differentiates sum(fn(X, K) * G) --------------------------------


def _torch_gradients(port: Port, fn: Callable[..., Any], X: np.ndarray, K: np.ndarray, G: np.ndarray) -> Any:
    torch = _module("torch")

    x, k = torch.from_numpy(X).requires_grad_(), torch.from_numpy(K).requires_grad_()
    (fn(x, k) * torch.from_numpy(G)).sum().backward()
    return x.grad, k.grad


def _jax_gradients(port: Port, fn: Callable[..., Any], X: np.ndarray, K: np.ndarray, G: np.ndarray) -> Any:
    jax, jnp = _module("jax"), _module("jax.numpy")

    g = jnp.asarray(G)
    return jax.grad(lambda x, k: (fn(x, k) * g).sum(), argnums=(0, 1))(jnp.asarray(X), jnp.asarray(K))


def _tensorflow_gradients(port: Port, fn: Callable[..., Any], X: np.ndarray, K: np.ndarray, G: np.ndarray) -> Any:
    tf = _module("tensorflow")

    x, k = tf.constant(X), tf.constant(K)
    with tf.GradientTape() as tape:
        tape.watch(x)
        tape.watch(k)
        loss = tf.reduce_sum(fn(x, k) * tf.constant(G))
    return tape.gradient(loss, [x, k])


def _paddle_gradients(port: Port, fn: Callable[..., Any], X: np.ndarray, K: np.ndarray, G: np.ndarray) -> Any:
    paddle = _module("paddle")

    x, k = paddle.to_tensor(X, stop_gradient=False), paddle.to_tensor(K, stop_gradient=False)
    loss = (fn(x, k) * paddle.to_tensor(G)).sum()
    return paddle.grad([loss], [x, k], allow_unused=True)


def _mxnet_gradients(port: Port, fn: Callable[..., Any], X: np.ndarray, K: np.ndarray, G: np.ndarray) -> Any:
    mx = _module("mxnet")

    native = _mxnet_native(mx, port)
    x, k, g = native(X), native(K), native(G)
    x.attach_grad()
    k.attach_grad()
    with mx.autograd.record():
        loss = (fn(x, k) * g).sum()
    loss.backward()
    return x.grad, k.grad


@dataclass(frozen=True)
class Framework:
    """One framework's built-in adapter."""

    name: str  # d2l-book's tab name
    module: str  # the module it is imported as
    native: Optional[Callable[[Any, Port], Hook]]  # (module, port) -> to_native; None: numpy arrays as they are
    gradients: Optional[Callable[..., Any]]  # (port, fn, X, K, G) -> (dX, dK); None: cannot differentiate
    float32_cause: str = ""  # why a float64 input may come back float32 in this framework


# In the order a port importing several is taken as one of them.
TABLE = (
    Framework("pytorch", "torch", _torch_native, _torch_gradients),
    Framework("tensorflow", "tensorflow", _tensorflow_native, _tensorflow_gradients,
              "TensorFlow needs tf.float64 inputs or tf.experimental.numpy"),
    Framework("jax", "jax", _jax_native, _jax_gradients, "JAX turns float64 into float32 unless JAX_ENABLE_X64=1"),
    Framework("paddle", "paddle", _paddle_native, _paddle_gradients),
    Framework("mxnet", "mxnet", _mxnet_native, _mxnet_gradients),
    Framework("numpy", "numpy", None, None),
)
_BY_NAME: Dict[str, Framework] = {f.name: f for f in TABLE}
# d2l-book's tab names and the module each framework is imported as
FRAMEWORKS = {f.name: f.module for f in TABLE}


def check_framework(name: Any, auto: bool = False) -> Optional[str]:
    """``name`` if it names a framework of :data:`TABLE` (or is None; or ``"auto"``
    where ``auto``); else UsageError naming the frameworks."""
    if name is None or (auto and name == "auto") or (isinstance(name, str) and name in _BY_NAME):
        return name
    raise UsageError("unknown framework %s; the frameworks are %s%s" % (
        one_line(repr(name), 60), "auto, " if auto else "", ", ".join(_BY_NAME)))


def framework_of(port: Port) -> Optional[str]:
    """The framework the port's code imports (its namespace's modules, ``from d2l import
    torch as d2l`` counting as torch), by :data:`TABLE`'s order; None where it imports
    none, or its namespace cannot be read."""
    try:
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
    except BaseException:  # a port's __getattr__ or __dict__ that raises: no adapter
        return None
    return next((f.name for f in TABLE if f.module in roots), None)


def framework_of_type(module_name: str) -> Optional[str]:
    """The framework whose arrays live in the module ``module_name`` (``'torch'`` for
    ``'torch.Tensor'``'s module), or None."""
    root = module_name.split(".")[0]
    return next((f.name for f in TABLE if f.module == root and f.native is not None), None)


@dataclass(frozen=True)
class Adapter:
    """The hooks of one framework's built-in adapter, and the framework's version."""

    framework: Optional[str]
    version: str = ""
    to_native: Optional[Hook] = None
    to_numpy: Optional[Hook] = None


NO_ADAPTER = Adapter(None)


def adapter(framework: Optional[str], port: Port) -> Adapter:
    """The built-in adapter of ``framework`` (a name of :data:`TABLE`, or None for none)."""
    if check_framework(framework) is None:
        return NO_ADAPTER
    record = _BY_NAME[framework]  # type: ignore[index]
    # The framework the port has imported already (the checker itself imports none);
    # imported here only where --framework names one the port's code does not.
    module = _module(record.module)
    version = str(getattr(module, "__version__", "?"))
    if record.native is None:
        return Adapter(record.name, version)
    return Adapter(record.name, version, record.native(module, port), read_result)


def gradients(framework: Optional[str]) -> Optional[Callable[..., Any]]:
    """``(port, fn, X, K, G) -> (dX, dK)`` by ``framework``'s automatic differentiation, or None."""
    record = _BY_NAME.get(framework or "")
    return record.gradients if record is not None else None


def float32_handover(native: Any, framework: Optional[str]) -> str:
    """Said on a line when an adapter could hand float64 inputs over only as float32."""
    dtype = str(getattr(native, "dtype", ""))
    if "float64" in dtype or not dtype:
        return ""
    switch = " (JAX_ENABLE_X64 is not set)" if framework == "jax" else ""
    return "the %s adapter handed the float64 inputs over as %s%s" % (framework, dtype.replace("torch.", ""), switch)


def float64_causes(framework: Optional[str]) -> List[str]:
    """Why a framework may give float32 back for float64 inputs: the port's own
    framework's cause alone where it has one; every framework's where it is unknown."""
    if framework is not None:
        record = _BY_NAME.get(framework)
        return [record.float32_cause] if record is not None and record.float32_cause else []
    return [f.float32_cause for f in TABLE if f.float32_cause]


def mxnet_cause(message: str) -> str:
    """The line of an MXNet error that says what went wrong (``Check failed: !is_view``),
    not the C++ traceback MXNet 1.9 puts before it, whose first line is always
    ``Traceback (most recent call last):``; '' where the message has no such line."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    marked = [line[len("MXNetError:"):].strip() for line in lines if line.startswith("MXNetError:")]
    said = [line for line in lines if not line.startswith(("Traceback (most recent call last)", "File ", "[bt]"))]
    return (marked[-1:] or said[:1] or [""])[0]
