"""Finding 4 of issue 24: a port that forges report lines through numpy's version."""
import numpy as np

from .book_numpy import corr2d, corr2d_multi_in, corr2d_multi_in_out, corr2d_multi_in_out_1x1  # noqa: F401

np.__version__ = "2.0\r\x1b[2K\x1b[32mPASS  everything\n32 passed, 0 failed, 0 errors, 0 not implemented\ud800"
