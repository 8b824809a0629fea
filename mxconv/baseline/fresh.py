"""Fresh cases: drawn from a seed at every run, so that no port can look their answers up.

Their expected values are computed here, in the checker's own process, by an
independent float64 NumPy reference (not MXNet, not the port, not a file); they are
never written anywhere the port's process can read, and never sent to it.

What they ask is what the ``default`` profile asks and no more: one example
``(c_i, h, w)``, float32 inputs, the four book functions (and padding and stride for a
function whose signature takes them, as the golden cases do), with random sizes
(channels up to 64, kernels up to 5x5 within the input, padding below the kernel's
size, strides up to 3) and values in [-1, 1].

The tolerance. A faithful float32 port sums ``n = c_i * k_h * k_w`` products for each
output. Its inputs are float32 numbers, whose products float64 holds exactly, so the
reference's own error is far below the port's. In float32, each product is rounded once
and the sum of n terms, in any order, at most n - 1 times; with u = 2**-24 the error of
each output is at most gamma_n * sum |x_i k_i|, gamma_n = n u / (1 - n u) (Higham,
*Accuracy and Stability of Numerical Algorithms*, 2002, eq. 3.5). The case's atol is
gamma_n times the largest sum |x_i k_i| of its outputs (computed here, in float64), and
its rtol 0: a faithful port passes on every seed, whatever its order of summation.
"""
import secrets
from typing import Any, Dict, List, Sequence, Tuple

import numpy as np

from .casefile import Case
from .errors import UsageError

__all__ = ["FRESH_FUNCTIONS", "PER_FUNCTION", "TAGS", "new_seed", "check_seed", "reference", "tolerance", "fresh_cases"]

FRESH_FUNCTIONS = ("corr2d", "corr2d_multi_in", "corr2d_multi_in_out", "corr2d_multi_in_out_1x1")
TAGS = ("fresh", "padding", "stride")  # the tags a fresh case may carry
# cases per book function that a case profile adds: eight in all by default, sixteen more in extended
PER_FUNCTION = {"default": 2, "extended": 4}
MAX_CHANNELS, MAX_OUT_CHANNELS, MAX_KERNEL, MAX_EXTRA = 64, 4, 5, 4
UNIT_ROUNDOFF = 2.0**-24  # float32


def new_seed() -> int:
    """A fresh seed in [0, 2**32), from the operating system's randomness (no global RNG)."""
    return secrets.randbelow(2**32)


def check_seed(seed: Any, name: str = "seed") -> int:
    """``seed`` if it is an int in [0, 2**32); else UsageError naming ``name``."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
        raise UsageError("%s must be an int in [0, 2**32), got %r" % (name, seed))
    return int(seed)


def reference(X: np.ndarray, K: np.ndarray, padding: Tuple[int, int] = (0, 0),
              stride: Tuple[int, int] = (1, 1)) -> np.ndarray:
    """The cross-correlation of X (c_i, h, w) with K (c_o, c_i, k_h, k_w) in float64:
    a sum over the kernel's offsets of strided windows, contracted over the channels."""
    X, K = np.asarray(X, np.float64), np.asarray(K, np.float64)
    X = np.pad(X, ((0, 0), (padding[0], padding[0]), (padding[1], padding[1])))
    k_h, k_w = K.shape[2:]
    out_h = (X.shape[1] - k_h) // stride[0] + 1
    out_w = (X.shape[2] - k_w) // stride[1] + 1
    Y = np.zeros((K.shape[0], out_h, out_w))
    for a in range(k_h):
        for b in range(k_w):
            window = X[:, a:a + stride[0] * (out_h - 1) + 1:stride[0], b:b + stride[1] * (out_w - 1) + 1:stride[1]]
            Y += np.tensordot(K[:, :, a, b], window, axes=(1, 0))
    return Y


def tolerance(X: np.ndarray, K: np.ndarray, padding: Tuple[int, int], stride: Tuple[int, int]) -> float:
    """gamma_n times the largest sum |x_i k_i| of an output (see the module's text)."""
    n = K.shape[1] * K.shape[2] * K.shape[3]
    gamma = n * UNIT_ROUNDOFF / (1 - n * UNIT_ROUNDOFF)
    return float(gamma * reference(np.abs(X), np.abs(K), padding, stride).max())


def _draw(rng: "np.random.Generator", function: str, keywords: bool) -> Dict[str, Any]:
    """One case's shapes and keywords, and its float32 inputs in [-1, 1]."""
    c_i = 1 if function == "corr2d" else int(np.exp(rng.uniform(0, np.log(MAX_CHANNELS + 1))))
    c_i = min(max(c_i, 1), MAX_CHANNELS)  # log-uniform: as many few-channel cases as many-channel ones
    c_o = int(rng.integers(1, MAX_OUT_CHANNELS + 1)) if function.startswith("corr2d_multi_in_out") else 1
    k_h, k_w = (1, 1) if function.endswith("_1x1") else tuple(int(v) for v in rng.integers(1, MAX_KERNEL + 1, 2))
    h, w = k_h + int(rng.integers(0, MAX_EXTRA + 1)), k_w + int(rng.integers(0, MAX_EXTRA + 1))
    padding, stride = (0, 0), (1, 1)
    kwargs: Dict[str, object] = {}
    if keywords:
        # padding below the kernel's size, so that every output's window holds some of X
        padding = (int(rng.integers(0, min(k_h, 3))), int(rng.integers(0, min(k_w, 3))))
        stride = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        kwargs = {"padding": padding, "stride": stride}
    X = rng.uniform(-1, 1, (c_i, h, w)).astype(np.float32)
    K = rng.uniform(-1, 1, (c_o, c_i, k_h, k_w)).astype(np.float32)
    return {"X": X, "K": K, "padding": padding, "stride": stride, "kwargs": kwargs}


def _inputs(function: str, X: np.ndarray, K: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """X and K in the shapes ``function`` takes."""
    if function == "corr2d":
        return X[0], K[0, 0]
    if function == "corr2d_multi_in":
        return X, K[0]
    return X, K


def fresh_cases(seed: int, case_profiles: Sequence[str]) -> List[Case]:
    """The fresh cases of ``seed`` for the case profiles ``case_profiles`` (those of
    PER_FUNCTION among them), in a fixed order: the same seed gives the same cases."""
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)  # a generator of its own: no global state is touched
    cases: List[Case] = []
    for profile in ("default", "extended"):
        for function in FRESH_FUNCTIONS:
            for number in range(PER_FUNCTION[profile]):
                # each function's second default case carries padding and stride where its
                # signature can take them (corr2d_multi_in and corr2d_multi_in_out, as the golden ones)
                keywords = (profile == "default" and number == 1
                            and function in ("corr2d_multi_in", "corr2d_multi_in_out"))
                drawn = _draw(rng, function, keywords)
                if profile not in case_profiles:
                    continue  # drawn all the same: a profile's cases do not depend on the others asked
                X, K = drawn["X"], drawn["K"]
                expected = reference(X, K, drawn["padding"], drawn["stride"])
                expected = expected[0] if function in ("corr2d", "corr2d_multi_in") else expected
                x, k = _inputs(function, X, K)
                tags = TAGS if keywords else TAGS[:1]
                cases.append(Case(
                    id="fresh-%d-%d" % (seed, len(cases) + 1), function=function, profile=profile,
                    source="fresh, seed %d: computed in float64 by the checker's own NumPy reference" % seed,
                    inputs={"X": x, "K": k}, kwargs=drawn["kwargs"], expected=expected, rtol=0.0,
                    atol=tolerance(X, K, drawn["padding"], drawn["stride"]), tags=tags))
    return cases
