"""The port in a process of its own: the child, its protocol, and :func:`check_isolated`.

The child loads this folder as a package of its own (whatever mxconv is installed)
and imports the port. It answers one request per case on a channel of its own (the
pipes that were its stdin and stdout; the port's stdin is then /dev/null and its prints
go to a captured stream). Each frame: 4 bytes of header length, a JSON header, then the
header's "payload" bytes (float64 or the inputs' dtype, C order). The parent sends only
a case's inputs, never its expected values, and reads the child's frames as plain data
within fixed bounds: nothing the child sends is evaluated, and whatever it sends, the
parent judges against what it alone knows.
"""
import collections
import json
import os
import queue
import signal
import struct
import subprocess
import sys
import threading
import time
from typing import Any, Callable, Deque, Dict, List, Optional, Sequence, Tuple

import numpy as np

from .adapters import FRAMEWORKS, adapter, check_framework, framework_of
from .casefile import MAX_ELEMENTS, Case, load
from .errors import CheckerError, PortLoadError, UsageError
from .files import loads_strict
from .judging import judge
from .results import ERROR, Result
from .running import KINDS, Outcome, raised, run
from .selection import select
from .sources import check_tab_name, load_port
from .text import one_line

__all__ = ["DEFAULT_TIMEOUT", "MAX_TIMEOUT", "ProtocolError", "check_timeout", "check_isolated", "outcome_of", "serve"]

MAX_HEADER = 2**16
MAX_PAYLOAD = MAX_ELEMENTS * 8 * 3  # X, K and G
DEFAULT_TIMEOUT = 60.0
MAX_TIMEOUT = 86400.0
_FOLDER = os.path.dirname(os.path.abspath(__file__))
_PACKAGE = "_mxconv_baseline_child"
# The child imports this folder under a name of its own, so that it runs exactly the
# parent's files even where another mxconv is installed.
_CHILD = ("import importlib, importlib.util, os, sys\n"
          "folder = sys.argv[1]\n"
          "spec = importlib.util.spec_from_file_location(%r, os.path.join(folder, '__init__.py'),\n"
          "                                              submodule_search_locations=[folder])\n"
          "module = importlib.util.module_from_spec(spec)\n"
          "sys.modules[spec.name] = module\n"
          "spec.loader.exec_module(module)\n"
          "importlib.import_module(spec.name + '.isolation').serve(sys.argv[2])\n" % _PACKAGE)


def check_timeout(timeout: Any, name: str = "timeout") -> float:
    """``timeout`` as a float, if it is a number of seconds in (0, MAX_TIMEOUT];
    else UsageError naming ``name``."""
    if not (isinstance(timeout, (int, float)) and not isinstance(timeout, bool)
            and 0 < timeout <= MAX_TIMEOUT):
        raise UsageError("%s must be a number of seconds in (0, %d], got %s" % (
            name, MAX_TIMEOUT, one_line(repr(timeout), 60)))
    return float(timeout)


class ProtocolError(Exception):
    """The other process broke the checker's protocol, or the channel closed."""


def outcome_of(header: Dict[str, Any], payload: bytes, seq: int) -> Outcome:
    """The Outcome an answer frame reports, each field checked: its sequence number
    (``seq``, the request's: a forged extra frame must not shift later verdicts), its
    kind, texts, dtype, shape and values; else ProtocolError."""
    if header.get("seq") != seq or type(header.get("seq")) is not int or header.get("kind") not in KINDS:
        raise ProtocolError("an answer out of turn")
    message, dtype, note = header.get("message"), header.get("dtype"), header.get("note", "")
    if not (isinstance(message, str) and isinstance(dtype, str) and isinstance(note, str)) or len(dtype) > 40:
        raise ProtocolError("an answer with fields of the wrong types")
    shape = header.get("shape")
    if not isinstance(shape, list) or not all(type(s) is int and s >= 0 for s in shape):
        raise ProtocolError("an answer with a shape that is not a list of sizes")
    values = _frame_array(header, payload, "float64") if payload else None
    return Outcome(header["kind"], one_line(message, 1000), one_line(dtype, 40), tuple(shape), values,
                   one_line(note, 300))


class _PortFailed(Exception):
    """The port's process died, hung or broke the protocol; the message says which."""


def _send(stream: Any, header: Dict[str, Any], payload: bytes = b"") -> None:
    head = json.dumps(dict(header, payload=len(payload)), allow_nan=False).encode("ascii")
    stream.write(struct.pack(">I", len(head)) + head + payload)
    stream.flush()


def _read_exact(stream: Any, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise ProtocolError("closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _receive(stream: Any) -> Tuple[Dict[str, Any], bytes]:
    (size,) = struct.unpack(">I", _read_exact(stream, 4))
    if size > MAX_HEADER:
        raise ProtocolError("a header of %d bytes" % size)
    header = loads_strict(_read_exact(stream, size), "a header", ProtocolError)
    payload = header.get("payload") if isinstance(header, dict) else None
    if type(payload) is not int or not 0 <= payload <= MAX_PAYLOAD:
        raise ProtocolError("a header without a valid payload size")
    return header, _read_exact(stream, payload)


def _array_frame(array: np.ndarray) -> Tuple[Dict[str, Any], bytes]:
    return {"dtype": array.dtype.name, "shape": list(array.shape)}, np.ascontiguousarray(array).tobytes()


def _frame_array(header: Dict[str, Any], payload: bytes, dtype: str) -> np.ndarray:
    shape = header.get("shape")
    if not isinstance(shape, list) or len(shape) > 32 or not all(type(s) is int and 0 <= s < 2**62 for s in shape):
        raise ProtocolError("a shape that is not a list of sizes")
    count = 1
    for s in shape:
        count *= s
    if count * np.dtype(dtype).itemsize != len(payload):
        raise ProtocolError("a payload of %d bytes for shape %s" % (len(payload), tuple(shape)))
    return np.frombuffer(payload, dtype=dtype).reshape(shape).copy()


def serve(config_text: str) -> None:
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
        chosen = adapter(config["framework"] or framework_of(port), port)
    except BaseException as err:
        answer({"loaded": False, "message": str(err) if isinstance(err, CheckerError) else raised(err)})
        return
    answer({"loaded": True, "framework": chosen.framework or "", "version": chosen.version,
            "skipped": [one_line(str(s), 300) for s in skipped[:1000]]})
    while True:
        try:
            request, payload = _receive(requests)
        except ProtocolError:
            return
        x_bytes = request["X"]["size"]
        k_bytes = request["K"]["size"]
        X = _frame_array(request["X"], payload[:x_bytes], request["X"]["dtype"])
        K = _frame_array(request["K"], payload[x_bytes:x_bytes + k_bytes], request["K"]["dtype"])
        grad = None
        if request.get("G"):
            grad = (request["grad"], _frame_array(request["G"], payload[x_bytes + k_bytes:], request["G"]["dtype"]))
        kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in request["kwargs"].items()}
        outcome = run(port, request["function"], kwargs, X, K, request["want_value"], adapter=chosen, grad=grad)
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
        self.process = subprocess.Popen([sys.executable, "-c", _CHILD, _FOLDER, json.dumps(config)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)
        # the channel (the child's stdin and stdout) and the port's captured prints (its stderr)
        self.requests: Any = self.process.stdin
        self.answers: Any = self.process.stdout
        self.prints: Any = self.process.stderr
        self.frames: "queue.Queue[Any]" = queue.Queue()
        threading.Thread(target=self._read_frames, daemon=True).start()
        threading.Thread(target=self._drain_output, daemon=True).start()
        try:
            self.info = _load_info(self._answer("while loading"))
        except BaseException:
            self.kill()  # a child whose load failed is ended like any other
            raise

    def _read_frames(self) -> None:
        try:
            while True:
                self.frames.put(_receive(self.answers))
        except ProtocolError as err:
            self.frames.put(err)
        except BaseException as err:  # pragma: no cover - a bug here must still end the wait
            self.frames.put(ProtocolError(str(err)))

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
                item = ProtocolError("ended")
                break
            if now > deadline:
                self.kill()
                raise _PortFailed("timed out after %g s%s" % (self.timeout, "" if when == "on this case" else
                                                              " " + when))
        if isinstance(item, ProtocolError):
            raise _PortFailed(self._ended(when, item))
        header, payload = item
        if not isinstance(header, dict):
            self.kill()
            raise _PortFailed("the port's process broke the checker's protocol")
        header["_payload"] = payload
        return header

    def _ended(self, when: str, err: ProtocolError) -> str:
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
        return one_line(text[-1], 200) if text else ""

    def run(self, case: Case) -> Outcome:
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
            raise _PortFailed(self._ended("before this case", ProtocolError("closed"))) from None
        header = self._answer("on this case")
        try:
            return outcome_of(header, header.pop("_payload"), self.seq)
        except ProtocolError as err:
            self.kill()
            raise _PortFailed("the port's process broke the checker's protocol (%s)" % err) from None

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


def _load_info(header: Dict[str, Any]) -> Dict[str, Any]:
    """What the child found when it loaded the port, each field checked: or why it could not."""
    if header.get("loaded") is False:
        message = header.get("message")
        raise _PortFailed(one_line(message, 2000) if isinstance(message, str) else "?")
    framework, version, skipped = header.get("framework"), header.get("version"), header.get("skipped")
    if not (header.get("loaded") is True and isinstance(framework, str) and isinstance(version, str)
            and isinstance(skipped, list) and all(isinstance(s, str) for s in skipped) and len(skipped) <= 1000):
        raise _PortFailed("the port's process broke the checker's protocol while loading")
    if framework and framework not in FRAMEWORKS:
        raise _PortFailed("the port's process named an unknown framework while loading")
    return {"framework": framework, "version": one_line(version, 100),
            "skipped": [one_line(s, 300) for s in skipped]}


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
        A name of :data:`~adapters.FRAMEWORKS` whose built-in adapter converts the inputs and
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
    timeout = check_timeout(timeout)
    if not isinstance(port, str) or not port:
        raise TypeError("port must be a non-empty str (MODULE, MODULE:OBJECT or a path), got %r" % (port,))
    check_tab_name(tab)
    if tab and not port.partition(":")[0].lower().endswith(".md"):
        raise UsageError("a tab selects cells of a d2l-book source (.md); %s is not one" % one_line(port, 200))
    check_framework(framework)
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
                    result = judge(case, child.run(case), child.info["framework"] or None)
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
