"""For hostile ports: the checker's channel, as a port could find it (Linux): the pipe
open for writing that is not the port's captured output."""
import fcntl
import json
import os
import stat
import struct
import time


def channel_fd():
    captured = os.fstat(2).st_ino
    for fd in range(3, 256):
        try:
            info = os.fstat(fd)
            flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        except OSError:
            continue
        if stat.S_ISFIFO(info.st_mode) and flags & os.O_ACCMODE == os.O_WRONLY and info.st_ino != captured:
            return fd
    raise RuntimeError("no channel found")


def frame(header, payload=b""):
    head = json.dumps(dict(header, payload=len(payload))).encode()
    return struct.pack(">I", len(head)) + head + payload


def record_pid():
    """Write this process's id where the test that runs the port looks for survivors."""
    path = os.environ.get("MXCONV_TEST_PIDS")
    if path:
        with open(path, "a") as f:
            f.write("%d\n" % os.getpid())


def leave_daemon():
    """Fork a process that leaves this session and forks again; the grandchild records
    its id and sleeps, a daemon whose parent has gone."""
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            record_pid()
            time.sleep(600)
        os._exit(0)
    os.wait()
