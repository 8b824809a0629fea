"""Finding 3 of issue 24: at import, a load answer whose fields have the wrong types."""
import os
import time

from ._channel import channel_fd, frame, record_pid

record_pid()
os.write(channel_fd(), frame({"loaded": True, "framework": 5, "version": "1", "skipped": 7}))
time.sleep(600)
