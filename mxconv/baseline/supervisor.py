"""The port's supervisor: on Linux, the process between the checker and the port's own.

It makes itself a subreaper (``prctl(PR_SET_CHILD_SUBREAPER)``), so that every process
the port starts, even one that calls ``setsid()`` or forks twice, stays its descendant;
forks the port's process; and when that process ends, or the checker asks (SIGTERM),
or the checker dies (``PR_SET_PDEATHSIG``), ends every descendant and exits as the
port's process did (its status, or its signal). It holds none of the channel's pipes,
so the checker sees the channel close when the port's processes are gone.

Standard library only, and loaded by path alone (not with its package), so that
nothing but this runs before the fork.
"""
import ctypes
import os
import signal
import time
from typing import Callable, Dict, List, Optional

__all__ = ["supervise", "descendants", "end_all"]

PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER = 1, 36
END_SECONDS = 5.0  # at most this long to end every descendant


def _prctl(option: int, value: int) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(option, value, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def descendants(root: int) -> List[int]:
    """Every live process below ``root``, read from /proc (a parent before its children)."""
    children: Dict[int, List[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name, "rb") as f:
                stat = f.read()
        except OSError:  # ended meanwhile
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def end_all() -> None:
    """SIGKILL every descendant and reap them, until none is left (or END_SECONDS pass:
    a process that forks as fast as it is killed)."""
    me, deadline = os.getpid(), time.monotonic() + END_SECONDS
    while True:
        for pid in descendants(me):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:  # a subreaper with no children has no descendants
            return
        if time.monotonic() > deadline:
            return
        time.sleep(0.005)


def _mirror(status: Optional[int]) -> None:
    """Exit as the port's process did."""
    if status is not None and os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            signal.signal(number, signal.SIG_DFL)  # SIGKILL's cannot be set, nor needs to be
        except (OSError, ValueError):
            pass
        os.kill(os.getpid(), number)
    os._exit(os.WEXITSTATUS(status) if status is not None and os.WIFEXITED(status) else 0)


def supervise(serve: Callable[[], None]) -> None:
    """Become the port's supervisor, run ``serve`` in the forked port's process, and
    never return."""
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    signal.signal(signal.SIGTERM, _on_term)  # the checker asks, or died
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        try:
            serve()
        finally:
            os._exit(0)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # the channel is the port's: hold none of its pipes
        os.dup2(null, fd)
    os.close(null)
    status = None
    while True:
        try:
            done, code = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        if done == pid:
            status = code
            break
    end_all()
    _mirror(status)


def _on_term(*args: object) -> None:
    end_all()
    os._exit(0)
