"""Finding 2 of issue 24: at import, a frame that is not a load answer, then sleep."""
import os
import time

from ._channel import channel_fd, frame, record_pid

record_pid()
os.write(channel_fd(), frame({}))
time.sleep(600)
