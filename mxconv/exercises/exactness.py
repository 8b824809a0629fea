"""Exercise 5 (2019) / 4 (today): are Y1 and Y2 of the section's last example exactly the same?

Measured with each book's own draws and each book's own code, on MXNet. The draws
come from a process of its own, so that MXNet's global generator, which the book
reseeds, stays as the caller left it.
"""
import subprocess
import sys
import warnings
from dataclasses import dataclass
from typing import Callable, Iterable, List, Optional, Tuple

import numpy as np

from .. import _checks, _inputs, reference
from .._environment import EDITIONS
from .._errors import MxconvError, SlowReferenceWarning
from .._mxnet import mx
from .._typing import Context

__all__ = ["Exactness", "one_by_one_exactness", "book_draws", "MAX_SEEDS"]

# one_by_one_exactness takes at most this many seeds.
MAX_SEEDS = 10000

#: The last cell's draws as each book makes them, after ``mx.random.seed(s)``: 2019's
#: In[7] (``nd.random.uniform``) and today's cell 8 (``d2l.normal(0, 1, ...)``, which
#: d2l 1.0.3 defines as ``mxnet.np.random.normal`` with ``npx.set_np()`` on).
_DRAWS = """import sys
import mxnet as mx
edition, c_i, h, w, c_o = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
if edition == "np":
    mx.npx.set_np()
out = sys.stdout.buffer
for line in sys.stdin:
    mx.random.seed(int(line))
    if edition == "np":
        X = mx.np.random.normal(0, 1, (c_i, h, w))
        K = mx.np.random.normal(0, 1, (c_o, c_i, 1, 1))
    else:
        X = mx.nd.random.uniform(shape=(c_i, h, w))
        K = mx.nd.random.uniform(shape=(c_o, c_i, 1, 1))
    out.write(X.asnumpy().astype("<f4").tobytes() + K.asnumpy().astype("<f4").tobytes())
out.flush()
"""


def book_draws(edition: str, seeds: List[int], x_shape: Tuple[int, int, int], c_o: int
               ) -> List[Tuple[np.ndarray, np.ndarray]]:
    """(X, K) of the book's last cell for each seed, drawn as ``edition``'s notebook draws
    them after ``mx.random.seed(seed)``, as float32 numpy arrays. Runs in a process of
    its own (this one's Python, MXNet and environment, so its OpenMP threads too) and
    waits for it at most a minute plus a second per hundred seeds."""
    c_i, h, w = x_shape
    sizes = (c_i * h * w, c_o * c_i)
    try:
        done = subprocess.run([sys.executable, "-c", _DRAWS, edition, str(c_i), str(h), str(w), str(c_o)],
                              input="".join("%d\n" % s for s in seeds).encode(), capture_output=True,
                              timeout=60 + len(seeds) / 100)
    except subprocess.TimeoutExpired:
        raise MxconvError("the book's draws did not come within %.0f s" % (60 + len(seeds) / 100)) from None
    values = np.frombuffer(done.stdout, dtype="<f4")
    if done.returncode != 0 or values.size != len(seeds) * sum(sizes):
        cause = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
        raise MxconvError("the book's draws failed in their own process (exit %d: %s)"
                          % (done.returncode, cause[:300]))
    draws = []
    for row in values.reshape(len(seeds), sum(sizes)):
        draws.append((row[:sizes[0]].reshape(x_shape).copy(), row[sizes[0]:].reshape(c_o, c_i, 1, 1).copy()))
    return draws


@dataclass(frozen=True)
class Exactness:
    """The answer to "are Y1 and Y2 exactly the same?" (2019's exercise 5, today's 4),
    measured over seeds for one edition's code."""

    edition: str
    seeds: int
    bit_identical: int  # seeds whose whole Y1 equals Y2 bit for bit
    elements: int
    elements_identical: int  # output elements equal bit for bit, over all seeds
    max_abs_difference: float
    max_norm: float  # the largest (Y1 - Y2).norm(), which 2019's In[7] compares with 1e-6
    max_abs_sum: float  # the largest sum of |Y1 - Y2|, which today's last cell asserts < 1e-6
    check_failures: int  # seeds on which the edition's own check (norm, or sum, < 1e-6) fails
    failing_seeds: Tuple[int, ...] = ()  # those seeds, in the order given

    @property
    def fraction_identical(self) -> float:
        """The fraction of seeds whose Y1 and Y2 are bit-identical."""
        return self.bit_identical / self.seeds

    @property
    def fraction_elements_identical(self) -> float:
        """The fraction of output elements that are bit-identical."""
        return self.elements_identical / self.elements


def one_by_one_exactness(seeds: Iterable[int] = range(100), *, edition: str = "nd",
                         shape: Tuple[int, int, int] = (3, 3, 3), c_o: int = 2,
                         ctx: Optional[Context] = None,
                         progress: Optional[Callable[[int, int], object]] = None) -> Exactness:
    """Are Y1 (the 1x1 function, one matrix product) and Y2 (the general function,
    on ``d2l.corr2d``) of the section's last example exactly equal? (2019's exercise
    5, today's 4.)

    Mathematically yes; in float32 it depends on the order of the sums. Both sum the
    same c_i products per output. 2019's Y2 rounds each product into ``d2l.corr2d``'s
    float32 zeros, then adds the channels with ``nd.add_n``, whose kernel groups the
    terms its own way; today's Y2 adds them with Python's ``sum``, from 0, left to
    right. Y1's matrix product (``nd.dot`` or ``np.dot``; OpenBLAS or oneDNN sgemm)
    accumulates the c_i products of a dot product in order, and may fuse multiply and
    add (FMA, one rounding). Float addition is not associative, so where the two
    orders differ the last bit can. This function measures how often they do, on the
    draws a student's notebook makes: the counts are the notebook's over those seeds.

    Parameters
    ----------
    seeds : iterable of int in [0, 2**32)
        One case per seed (at most :data:`MAX_SEEDS`), drawn as the edition's last cell
        draws them after ``mx.random.seed(seed)`` (:func:`book_draws`): 2019's
        ``nd.random.uniform``, today's ``d2l.normal(0, 1, ...)``. The draws are made in
        a process of their own: this process's ``mx.random`` is left alone.
    edition : "nd" or "np"
        Whose code: the 2019 edition's on NDArrays, or today's on mxnet.numpy arrays.
    shape : (c_i, h, w)
        X's shape (the book's: (3, 3, 3)).
    c_o : int
        Output channels (the book's: 2).
    ctx : mx.Context, optional
    progress : callable, optional
        Called as ``progress(done, total)`` after each seed.

    Returns
    -------
    Exactness

    Raises
    ------
    MxconvError
        No seeds or more than :data:`MAX_SEEDS`, a seed outside [0, 2**32), a shape
        that is not three ints >= 1, c_o < 1, an unknown edition, or an edition whose
        d2l is not installed.
    """
    from .._d2l import for_edition

    with _checks.scope("one_by_one_exactness") as call:
        seeds = _checks.seeds("seeds", seeds, MAX_SEEDS)
        edition = _checks.one_of("edition", edition, EDITIONS)
        c_i, h, w = _checks.dimensions("shape", shape, ("c_i", "h", "w"))
        c_o = _checks.dimension("c_o", c_o)
        call.where["shape"], call.where["c_o"] = (c_i, h, w), c_o
        _checks.check_sizes([("X", (c_i, h, w)), ("K", (c_o, c_i, 1, 1)), ("the output", (c_o, h, w))],
                            np.dtype(np.float32))
        ctx = _inputs.resolve_ctx(ctx)
        for_edition(edition)  # the edition's d2l, before the draws: its error names the install
        seconds = len(seeds) * reference.estimated_seconds((c_i, h, w), (c_o, c_i, 1, 1))
        if seconds > reference.WARN_SECONDS:
            warnings.warn("one_by_one_exactness: %d seeds of the book's path will take about %.0f s here"
                          % (len(seeds), seconds), SlowReferenceWarning, stacklevel=3)
        draws = book_draws(edition, seeds, (c_i, h, w), c_o)
    array = mx.np.array if edition == "np" else mx.nd.array
    identical, elements, same, max_diff, max_norm, max_sum = 0, 0, 0, 0.0, 0.0, 0.0
    failing: List[int] = []
    for done, (s, (X, K)) in enumerate(zip(seeds, draws), 1):
        X_, K_ = array(X, ctx=ctx), array(K, ctx=ctx)
        Y1 = reference.corr2d_multi_in_out_1x1(X_, K_).asnumpy()
        Y2 = reference.corr2d_multi_in_out(X_, K_, warn_slow=False).asnumpy()
        identical += bool(np.array_equal(Y1, Y2))
        elements += Y1.size
        same += int((Y1 == Y2).sum())
        difference = Y1 - Y2  # float32, as the book's own check computes it
        max_diff = max(max_diff, float(np.abs(difference).max()))
        norm, total = float(np.linalg.norm(difference)), float(np.abs(difference).sum(dtype=np.float32))
        max_norm, max_sum = max(max_norm, norm), max(max_sum, total)
        if not ((norm if edition == "nd" else total) < 1e-6):
            failing.append(s)
        if progress is not None:
            progress(done, len(seeds))
    return Exactness(edition, len(seeds), identical, elements, same, max_diff, max_norm, max_sum, len(failing),
                     tuple(failing))
