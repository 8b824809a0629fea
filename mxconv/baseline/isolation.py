"""The port in processes of its own: :func:`check_isolated`, and the child's side, :func:`serve`.

The checker starts one process per port, which loads this folder as a package of its
own (so that it runs exactly these files, whatever mxconv is installed) and imports
the port. On Linux that process is first the port's supervisor (:mod:`supervisor`):
every process the port starts stays below it, and all of them end with the case that
started them, or with the check. Elsewhere the port runs in a session of its own,
whose process group is killed (a process that leaves the session survives there).

The checker sends a case's inputs, never its expected values, and reads the answer
within the case's timeout and the protocol's bounds (:mod:`protocol`), in one thread,
with :mod:`selectors`: whatever the port's processes do (end while a descendant holds
the pipes, stop reading, flood, sleep), every wait ends, and a frame the checker did
not ask for, or larger than it asked for, ends that process with an ERROR.
"""
import collections
import json
import os
import selectors
import signal
import subprocess
import sys
import time
from typing import Any, Callable, Deque, Dict, List, Optional, Sequence, Tuple

from .adapters import adapter, check_framework, framework_of
from .casefile import MAX_ELEMENTS, Case
from .errors import CheckerError, PortLoadError, UsageError
from .judging import judge
from .protocol import (LoadFailed, ProtocolError, Reader, answer_frame, encode, load_info, outcome_of, read_request,
                       request_frame)
from .results import ERROR, Result
from .running import Outcome, raised, run
from .selection import cases as profile_cases
from .sources import check_port, load_port
from .text import one_line

__all__ = ["DEFAULT_TIMEOUT", "MAX_TIMEOUT", "check_timeout", "check_isolated", "serve"]

DEFAULT_TIMEOUT = 60.0
MAX_TIMEOUT = 86400.0
GRACE = 1.0  # seconds between the port's process ending and its channel counting as closed
MAX_REQUEST = MAX_ELEMENTS * 8 * 3  # X, K and G
_FOLDER = os.path.dirname(os.path.abspath(__file__))
_BOOT = """import importlib, importlib.util, os, sys
folder, config = sys.argv[1], sys.argv[2]

def load(name, path, package=False):
    spec = importlib.util.spec_from_file_location(
        name, path, submodule_search_locations=[folder] if package else None)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module

def serve():
    load('_mxconv_baseline_child', os.path.join(folder, '__init__.py'), package=True)
    importlib.import_module('_mxconv_baseline_child.isolation').serve(config)

if sys.platform.startswith('linux') and os.path.isdir('/proc'):
    load('_mxconv_baseline_supervisor', os.path.join(folder, 'supervisor.py')).supervise(serve)
else:
    serve()
"""


def check_timeout(timeout: Any, name: str = "timeout") -> float:
    """``timeout`` as a float, if it is a number of seconds in (0, MAX_TIMEOUT];
    else UsageError naming ``name``."""
    if not (isinstance(timeout, (int, float)) and not isinstance(timeout, bool)
            and 0 < timeout <= MAX_TIMEOUT):
        raise UsageError("%s must be a number of seconds in (0, %d], got %s" % (
            name, MAX_TIMEOUT, one_line(repr(timeout), 60)))
    return float(timeout)


# -- the child's side ---------------------------------------------------------------------


def serve(config_text: str) -> None:
    """The port's process: load the port, then answer each request until the checker
    closes the channel."""
    config = json.loads(config_text)
    requests, answers = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(2, 1)  # the port's prints go to the captured stream, never to the channel
    os.close(null)
    me = os.getpid()

    def answer(data: bytes) -> None:
        if os.getpid() != me:  # a fork of the port's came back here: leave the channel to the child
            os._exit(0)
        view = memoryview(data)
        while view:
            view = view[os.write(answers, view):]

    skipped: List[str] = []
    try:
        if config["chdir"]:
            os.chdir(config["chdir"])  # a notebook runs from its folder, as in Jupyter
        port = load_port(config["port"], tab=config["tab"], verbose=skipped)
        chosen = adapter(config["framework"] or framework_of(port), port)
    except BaseException as err:
        answer(encode({"loaded": False, "message": str(err) if isinstance(err, CheckerError) else raised(err)}))
        return
    answer(encode({"loaded": True, "framework": chosen.framework or "", "version": chosen.version,
                   "skipped": [one_line(str(s), 300) for s in skipped[:1000]]}))
    while True:
        reader = Reader(MAX_REQUEST)
        while reader.frame() is None:
            data = os.read(requests, min(reader.wanted(), 2**20))
            if not data:
                return  # the checker closed the channel
            reader.feed(data)
        request = read_request(*reader.frame())  # type: ignore[misc]
        grad = (request["grad"], request["G"]) if request["grad"] else None
        outcome = run(port, request["function"], request["kwargs"], request["X"], request["K"],
                      request["want_value"], adapter=chosen, grad=grad)
        answer(answer_frame(request["seq"], outcome, request["size"]))


# -- the checker's side ---------------------------------------------------------------------


class _PortFailed(Exception):
    """The port's process died, hung or broke the protocol; the message says which."""


class _Child:
    """One process serving one port, read in this thread with bounded waits; replaced by
    a fresh one after it dies, hangs or breaks the protocol."""

    def __init__(self, config: Dict[str, Any], timeout: float):
        self.timeout, self.seq = timeout, 0
        self.output: Deque[bytes] = collections.deque(maxlen=64)  # the port's last prints, bounded
        popen: Dict[str, Any] = {"start_new_session": True} if os.name == "posix" else {}
        self.process = subprocess.Popen([sys.executable, "-c", _BOOT, _FOLDER, json.dumps(config)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)
        self.requests = self.process.stdin.fileno()  # type: ignore[union-attr]
        self.answers = self.process.stdout.fileno()  # type: ignore[union-attr]
        self.prints = self.process.stderr.fileno()  # type: ignore[union-attr]
        for fd in (self.requests, self.answers, self.prints):
            os.set_blocking(fd, False)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.answers, selectors.EVENT_READ)
        self.selector.register(self.prints, selectors.EVENT_READ)
        try:
            self.info = load_info(self._exchange(b"", 0, "while loading")[0])
        except (ProtocolError, LoadFailed) as err:
            self.kill()  # a child whose load failed is ended like any other
            if isinstance(err, LoadFailed):
                raise _PortFailed(str(err)) from None
            raise _PortFailed("the port's process broke the checker's protocol while loading (%s)" % err) from None
        except BaseException:
            self.kill()
            raise

    def run(self, case: Case) -> Outcome:
        self.seq += 1
        request, max_payload = request_frame(self.seq, case)
        header, payload = self._exchange(request, max_payload, "on this case")
        try:
            return outcome_of(header, payload, self.seq)
        except ProtocolError as err:
            self.kill()
            raise _PortFailed("the port's process broke the checker's protocol (%s)" % err) from None

    def _exchange(self, request: bytes, max_payload: int, when: str) -> Tuple[Dict[str, Any], bytes]:
        """Send ``request`` and read one answer of at most ``max_payload`` payload bytes,
        within the timeout; the port's prints are drained meanwhile. A byte on the
        channel before the request is sent is a frame not asked for."""
        deadline, ended = time.monotonic() + self.timeout, None
        reader, pending = Reader(max_payload), memoryview(request)
        if pending:
            self.selector.register(self.requests, selectors.EVENT_WRITE)
        try:
            while True:
                now = time.monotonic()
                if now > deadline:
                    self.kill()
                    raise _PortFailed("timed out after %g s%s" % (self.timeout, "" if when == "on this case" else
                                                                  " " + when))
                if ended is None and self.process.poll() is not None:
                    ended = now
                if ended is not None and now > ended + GRACE:
                    raise _PortFailed(self._ended(when, "ended"))
                for key, _ in self.selector.select(min(deadline - now, 0.1)):
                    if key.fd == self.prints:
                        self._drain_prints()
                    elif key.fd == self.requests:
                        try:
                            pending = pending[os.write(self.requests, pending[:2**16]):]
                        except BlockingIOError:
                            continue
                        except OSError:  # the child closed its end
                            raise _PortFailed(self._ended("before this case", "closed")) from None
                        if not pending:
                            self.selector.unregister(self.requests)
                    else:
                        frame = self._read_answer(reader, bool(pending), when)
                        if frame is not None:
                            return frame
        finally:
            if pending and self.selector.get_map() is not None:
                self.selector.unregister(self.requests)

    def _read_answer(self, reader: Reader, early: bool, when: str) -> Any:
        try:
            data = os.read(self.answers, min(reader.wanted(), 2**20))
        except BlockingIOError:
            return None
        if not data:
            raise _PortFailed(self._ended(when, "closed"))
        try:
            if early:
                raise ProtocolError("a frame it was not asked for")
            reader.feed(data)
        except ProtocolError as err:
            self.kill()
            raise _PortFailed("the port's process broke the checker's protocol %s (%s)" % (when, err)) from None
        return reader.frame()

    def _drain_prints(self) -> None:
        try:
            data = os.read(self.prints, 2**16)
        except BlockingIOError:
            return
        if data:
            self.output.append(data)
        else:
            self.selector.unregister(self.prints)

    def _ended(self, when: str, why: str) -> str:
        try:
            status = self.process.wait(timeout=GRACE + 4)
        except subprocess.TimeoutExpired:
            self.kill()
            return "the port closed or broke the checker's channel %s (%s)" % (when, why)
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

    def kill(self) -> None:
        """End the port's processes: the supervisor ends every one it has (asked with
        SIGTERM; killed, with its process group, if it does not end within seconds)."""
        if self.process.poll() is None:
            try:
                if os.name == "posix":
                    os.kill(self.process.pid, signal.SIGTERM if sys.platform.startswith("linux") else signal.SIGKILL)
                else:
                    self.process.kill()
            except OSError:
                pass
            try:
                self.process.wait(timeout=GRACE + 4)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if os.name == "posix":
            try:
                os.killpg(self.process.pid, signal.SIGKILL)  # what is left in its session
            except OSError:
                pass
        self._close()

    def _close(self) -> None:
        self.selector.close()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            try:
                stream.close()  # type: ignore[union-attr]
            except OSError:
                pass

    def close(self) -> None:
        """The check is over: close the channel (the port's loop ends), then end its processes."""
        try:
            self.process.stdin.close()  # type: ignore[union-attr]
            self.process.wait(timeout=GRACE + 4)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()


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
        Default: the packaged file's ``default`` profile, and fresh cases (a new seed).
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
    UsageError
        For a timeout out of range, a bad tab name, an unknown framework, or a system
        without POSIX pipes (Windows), before any process is started.
    """
    timeout = check_timeout(timeout)
    if os.name != "posix":
        raise UsageError("a port's own process is read with selectors on pipes, which this system lacks: "
                         "check the port in this process with check(), or on Linux or macOS")
    check_port(port, tab)
    check_framework(framework)
    chosen = profile_cases() if cases is None else cases
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
