"""A port that computes nothing: it looks each answer up in the packaged case file, by
the inputs it is given. It passes every golden case; the fresh cases catch it."""
import numpy as np

from mxconv import baseline

_ANSWERS = [(c.inputs["X"], c.inputs["K"], c.expected) for c in baseline.load().cases if c.expected is not None]


def _look_up(X, K):
    for x, k, expected in _ANSWERS:
        if x.shape == np.shape(X) and k.shape == np.shape(K) and np.array_equal(x, X) and np.array_equal(k, K):
            return expected
    return np.zeros((1, 1))


corr2d = corr2d_multi_in = corr2d_multi_in_out = corr2d_multi_in_out_1x1 = _look_up
