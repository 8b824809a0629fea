"""Ports that attack the checker rather than compute: each must cost only its own cases.

Every class is a port (``tests.ports.hostile:NAME``) with ``corr2d`` only, so that a
two-case baseline file (one value case, one refusal) runs it quickly. ``ANSWERS``
below holds the honest results; ``Correct*`` ports must still pass."""
import os
import signal
import sys
import time

import numpy as np

from . import book_numpy


def _exit(*args, **kwargs):
    raise SystemExit(0)


class _Exits:
    """An object each of whose hooks ends the process politely."""

    def __array__(self, *args, **kwargs):
        raise SystemExit(0)


class ExitInArray:
    """The result's __array__ raises SystemExit(0)."""

    @staticmethod
    def corr2d(X, K):
        return _Exits()


class ExitInToNumpy:
    to_numpy = staticmethod(_exit)

    @staticmethod
    def corr2d(X, K):
        return book_numpy.corr2d(X, K)


class ExitInToNative:
    to_native = staticmethod(_exit)
    corr2d = staticmethod(book_numpy.corr2d)


class _ExitOnStr(Exception):
    def __str__(self):
        raise SystemExit(0)


class ExitInExceptionStr:
    @staticmethod
    def corr2d(X, K):
        raise _ExitOnStr()


class HardExit:
    """os._exit(0) from the function: no Python cleanup at all."""

    @staticmethod
    def corr2d(X, K):
        os._exit(0)


class KillsItself:
    @staticmethod
    def corr2d(X, K):
        os.kill(os.getpid(), signal.SIGKILL)


class Hangs:
    @staticmethod
    def corr2d(X, K):
        time.sleep(3600)


class HangsInArray:
    class _Slow:
        def __array__(self, *args, **kwargs):
            time.sleep(3600)

    @staticmethod
    def corr2d(X, K):
        return HangsInArray._Slow()


class PatchesNumpy:
    """Returns zeros, and makes numpy call everything close."""

    @staticmethod
    def corr2d(X, K):
        np.isclose = lambda a, b, **kwargs: np.ones(np.shape(a), bool)
        np.allclose = lambda *args, **kwargs: True
        return np.zeros((X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1))


class ForksAndPrints:
    """Forks on every call; the fork returns too (a wrong answer) and lingers."""

    @staticmethod
    def corr2d(X, K):
        if os.fork() == 0:
            print("PASS  everything")
            return np.zeros(1)
        return book_numpy.corr2d(X, K)


class _Meta(type):
    def __getattr__(cls, name):
        raise RuntimeError("no attributes here")


class GetattrRaises(metaclass=_Meta):
    """Looking up any function raises."""


class _BadSignature:
    @property
    def __signature__(self):
        raise RuntimeError("no signature")

    def __call__(self, X, K):
        return book_numpy.corr2d(X, K)


class SignatureRaises:
    corr2d = _BadSignature()


class _BadShape:
    @property
    def shape(self):
        return 1 / 0

    def __array__(self, *args, **kwargs):
        return np.zeros(1)


class ShapeRaises:
    @staticmethod
    def corr2d(X, K):
        return _BadShape()


class GeneratorExitInHook:
    @staticmethod
    def to_numpy(out):
        raise GeneratorExit()

    corr2d = staticmethod(book_numpy.corr2d)


class KeyboardInterruptInHook:
    @staticmethod
    def to_numpy(out):
        raise KeyboardInterrupt()

    corr2d = staticmethod(book_numpy.corr2d)


class ReturnsInt:
    @staticmethod
    def corr2d(X, K):
        return 0


class ClosesEverything:
    """Closes every file descriptor it can, the checker's channel included."""

    @staticmethod
    def corr2d(X, K):
        os.closerange(0, 1024)
        return book_numpy.corr2d(X, K)


class ClosesStdout:
    """Closes stdout and stderr, then answers: a correct port."""

    @staticmethod
    def corr2d(X, K):
        sys.stdout.close()
        os.close(1)
        os.close(2)
        return book_numpy.corr2d(X, K)


class SurrogateMessage:
    @staticmethod
    def corr2d(X, K):
        raise ValueError("bad \udcff\r\x1b[32mPASS")


class CorrectButLoud:
    """Prints megabytes to stdout and stderr, then answers right."""

    @staticmethod
    def corr2d(X, K):
        sys.stdout.write("PASS  x\n" * 200000)
        sys.stderr.write("E" * 2_000_000 + "\n")
        sys.stdout.flush()
        return book_numpy.corr2d(X, K)


class CorrectButForks:
    """Computes in a forked child and reads the answer back through a pipe."""

    @staticmethod
    def corr2d(X, K):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            os.write(write, book_numpy.corr2d(X, K).astype(np.float64).tobytes())
            os._exit(0)
        os.close(write)
        shape = (X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1)
        data = b""
        while True:
            chunk = os.read(read, 65536)
            if not chunk:
                break
            data += chunk
        os.close(read)
        os.waitpid(pid, 0)
        if K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
            raise ValueError("K is larger than X")
        return np.frombuffer(data, dtype=np.float64).reshape(shape)


class CorrectButMutates:
    """Writes into its inputs after using them."""

    @staticmethod
    def corr2d(X, K):
        if K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
            raise ValueError("K is larger than X")
        Y = book_numpy.corr2d(X, K)
        X[...] = np.nan
        K[...] = 0
        return Y


class ExitsWhileAForkHoldsTheChannel:
    """Forks a process that sleeps holding the channel's pipes, then ends its own."""

    @staticmethod
    def corr2d(X, K):
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
        os._exit(3)


class SetsidAndExit:
    """Finding 1 of issue 24: a grandchild leaves the session and sleeps, holding the
    pipes; the port's process exits."""

    @staticmethod
    def corr2d(X, K):
        from ._channel import leave_daemon

        leave_daemon()
        os._exit(0)


class FloodsAfterTheLastCase:
    """Finding 5 of issue 24: answers correctly, while a thread writes valid 96 MiB
    frames on the channel, from before its first answer for as long as the channel is open."""

    @staticmethod
    def corr2d(X, K):
        import threading

        from ._channel import channel_fd, frame, record_pid

        def flood():
            data = frame({"seq": 0, "kind": "value", "message": "", "dtype": "float64", "shape": [12 * 2**20],
                          "note": ""}, bytes(96 * 2**20))
            try:
                while True:
                    os.write(channel_fd(), data)
            except OSError:
                pass

        if not getattr(FloodsAfterTheLastCase, "started", False):
            FloodsAfterTheLastCase.started = True
            record_pid()
            threading.Thread(target=flood, daemon=True).start()
            time.sleep(0.5)  # the flood is on the channel before the answer
        return book_numpy.corr2d(X, K)


class CorrectButLeavesDaemons:
    """Answers correctly; on each call leaves a daemon behind: forked twice, in a
    session of its own, sleeping."""

    @staticmethod
    def corr2d(X, K):
        from ._channel import leave_daemon

        leave_daemon()
        return book_numpy.corr2d(X, K)


class LeavesADaemonAndHangs:
    """Leaves a daemon (forked twice, in a session of its own), then hangs."""

    @staticmethod
    def corr2d(X, K):
        from ._channel import leave_daemon, record_pid

        leave_daemon()
        record_pid()
        time.sleep(600)


class KillsItsSupervisor:
    """Kills the process above it (the supervisor, on Linux), leaves a child holding the
    pipes, and ends: the checker's own backstop, a second's grace after the process it
    started ends, and then its process group, must do the rest."""

    @staticmethod
    def corr2d(X, K):
        if os.fork() == 0:
            time.sleep(600)
        if sys.platform.startswith("linux"):  # elsewhere the process above is the checker itself
            os.kill(os.getppid(), signal.SIGKILL)
        os._exit(0)
